import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { BraidError, toDiagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import { exitCodeOf } from "../diagnostics/codes.js";
import { formatGithub, formatText } from "../diagnostics/format.js";
import { COMMON_OPTIONS } from "./common.js";
import { closest } from "../diagnostics/did-you-mean.js";
import { unknownFlagMessage } from "./did-you-mean.js";
import { errorDocument, wantsFormat, wantsJson } from "./json-document.js";
import type { CliIO } from "./io.js";

/** For the launcher (cli/launch.ts): where input nests deeper than the stack at hand. */
export { onStackExhausted } from "../model/deep-stack.js";
/** For the launcher (cli/launch.ts): the digest of the bundle it runs. */
export { useBundleDigest } from "../model/bundle.js";

const MAIN_HELP = `braid — GitOps repo composition: pinned shared repos + per-cluster overlays → rendered manifests for Flux

Usage: braid <command> [flags]

Commands:
  render     render clusters to a folder
  lock       resolve pins and write braid.lock
  validate   check config and rendered output, write nothing
  publish    render all, commit to the deploy branch, push
  preview    what a fleet change does, per cluster (for pull requests)
  inventory  clusters, owners and versions
  rollout    move a source's new version through waves of clusters (status, advance, approve, pause, resume, abort)

Every command takes --fleet DIR (default: the current directory) and --help.
Exit codes: 0 ok, 1 content errors, 2 usage, 3 environment (network, auth, API), 4 internal bug.
Environment: BRAID_KUBERNETES_OPENAPI, BRAID_CACHE, BRAID_GIT_TOKEN[_<HOST>], BRAID_GIT_TIMEOUT_MS,
BRAID_GIT_TRANSPORT (system|embedded; default: the system git when on PATH).
`;

/** `--cluster a b --cluster c` and `--cluster a,b`: names after the flag arrive as positionals. */
function withClusters(values: Record<string, unknown>, positionals: string[]): Record<string, unknown> {
  const names = [...((values.cluster as string[] | undefined) ?? []), ...positionals];
  return names.length ? { ...values, cluster: names } : values;
}

type Handler = (io: CliIO, values: Record<string, unknown>, positionals: string[]) => Promise<number>;

/** What a command module gives once loaded: its help text and its handler. */
interface LoadedCommand {
  help: string;
  run: Handler;
}

interface CommandDef {
  options: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }>;
  positionals?: boolean;
  /** Imports the command's module only when that command runs (start-up stays fast). */
  load: () => Promise<LoadedCommand>;
}

/** Commands register here; each lives in its own cli/cmd-*.ts file. */
export const COMMANDS: Record<string, CommandDef> = {
  render: {
    options: {
      cluster: { type: "string", multiple: true },
      out: { type: "string" },
      update: { type: "boolean" },
      "explain-source": { type: "string" },
      "no-cache": { type: "boolean" },
    },
    positionals: true,
    load: async () => {
      const m = await import("./cmd-render.js");
      return {
        help: m.RENDER_HELP,
        run: async (io, v, p) =>
          v["explain-source"] !== undefined
            ? (await import("./cmd-explain-source.js")).explainSourceCommand(io, withClusters(v, p) as never)
            : m.renderCommand(io, withClusters(v, p)),
      };
    },
  },
  lock: {
    options: { update: { type: "boolean" }, explain: { type: "boolean" } },
    positionals: true,
    load: async () => {
      const m = await import("./cmd-lock.js");
      return { help: m.LOCK_HELP, run: (io, v, p) => m.lockCommand(io, v, p) };
    },
  },
  validate: {
    options: {
      cluster: { type: "string", multiple: true },
      update: { type: "boolean" },
      "no-cache": { type: "boolean" },
    },
    positionals: true,
    load: async () => {
      const m = await import("./cmd-render.js");
      return { help: m.VALIDATE_HELP, run: (io, v, p) => m.validateCommand(io, withClusters(v, p)) };
    },
  },
  publish: {
    options: {
      branch: { type: "string" },
      push: { type: "string" },
      update: { type: "boolean" },
      partial: { type: "boolean" },
      "allow-prune": { type: "boolean" },
      "dry-run": { type: "boolean" },
      message: { type: "string", short: "m" },
      "no-cache": { type: "boolean" },
    },
    load: async () => {
      const m = await import("./cmd-publish.js");
      return { help: m.PUBLISH_HELP, run: (io, v) => m.publishCommand(io, v) };
    },
  },
  inventory: {
    options: { update: { type: "boolean" } },
    load: async () => {
      const m = await import("./cmd-inventory.js");
      return { help: m.INVENTORY_HELP, run: (io, v) => m.inventoryCommand(io, v) };
    },
  },
  preview: {
    options: {
      base: { type: "string" },
      head: { type: "string" },
      out: { type: "string" },
      "github-comment": { type: "boolean" },
      "comment-optional": { type: "boolean" },
      repo: { type: "string" },
      pr: { type: "string" },
      "no-cache": { type: "boolean" },
    },
    load: async () => {
      const m = await import("./cmd-preview.js");
      return { help: m.PREVIEW_HELP, run: (io, v) => m.previewCommand(io, v) };
    },
  },
  rollout: {
    options: { "dry-run": { type: "boolean" }, repo: { type: "string" }, by: { type: "string" } },
    positionals: true,
    load: async () => {
      const m = await import("./cmd-rollout.js");
      return { help: m.ROLLOUT_HELP, run: (io, v, p) => m.rolloutCommand(io, v, p) };
    },
  },
};

/** Runs braid with the given arguments; returns the exit code. Never throws. */
/** braid's version, from the package.json beside src/ (or dist/). */
export function braidVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      version?: unknown;
    };
    return typeof pkg.version === "string" ? pkg.version : "unknown";
  } catch {
    return "unknown";
  }
}

/** Runs braid with the given arguments; returns the exit code. Never throws. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.stdout(MAIN_HELP);
    return name ? 0 : 2;
  }
  if (name === "--version" || name === "-v") {
    io.stdout(`braid ${braidVersion()}\n`);
    return 0;
  }
  const def = COMMANDS[name];
  const json = wantsJson(rest);
  // a usage error: the message and the usage on stderr (and an ErrorResult on stdout under --format json)
  const usage = (message: string, help: string): number => {
    const d: Diagnostic = { code: "USAGE", severity: "error", message };
    if (json) io.stdout(errorDocument(name, 2, d));
    io.stderr(`${formatText(d)}\n\n${help}`);
    return 2;
  };
  if (!def) {
    const guess = closest(name, Object.keys(COMMANDS));
    return usage(`unknown command "${name}"${guess ? `; did you mean "${guess}"?` : ""}`, MAIN_HELP);
  }
  let printed = false;
  try {
    const cmd = await def.load();
    const options = { ...COMMON_OPTIONS, ...def.options };
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
    } catch (e) {
      return usage(unknownFlagMessage(e, options) ?? (e as Error).message, cmd.help);
    }
    if (parsed.values.help) {
      io.stdout(cmd.help);
      return 0;
    }
    if (parsed.positionals.length && !def.positionals)
      return usage(`unexpected argument "${parsed.positionals[0]}"`, cmd.help);
    // a command that already printed its own document keeps stdout to it (one JSON document per run)
    const tracked: CliIO = {
      stdout: (t) => {
        printed = true;
        io.stdout(t);
      },
      stderr: io.stderr,
      env: io.env,
      cwd: io.cwd,
      // read when asked (the launcher's stderr stream is made then: a quiet run never makes it)
      get isTTY() {
        return io.isTTY;
      },
    };
    return await cmd.run(tracked, parsed.values, parsed.positionals);
  } catch (e) {
    const d = toDiagnostic(e);
    const code = e instanceof BraidError ? e.exitCode : exitCodeOf(d.code);
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set by the tracked stdout
    if (json && !printed) io.stdout(errorDocument(name, code, d));
    io.stderr((wantsFormat(rest, "github") ? formatGithub(d) : formatText(d)) + "\n");
    return code;
  }
}
