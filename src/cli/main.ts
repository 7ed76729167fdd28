import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { BraidError, toDiagnostic } from "../diagnostics/diagnostic.js";
import { exitCodeOf } from "../diagnostics/codes.js";
import { formatText } from "../diagnostics/format.js";
import { COMMON_OPTIONS } from "./common.js";
import type { CliIO } from "./io.js";

const MAIN_HELP = `braid — GitOps repo composition: pinned shared repos + per-cluster overlays → rendered manifests for Flux

Usage: braid <command> [flags]

Commands:
  render     render clusters to a folder
  lock       resolve pins and write braid.lock
  validate   check config and rendered output, write nothing
  publish    render all, commit to the deploy branch, push
  preview    what a fleet change does, per cluster (for pull requests)
  inventory  clusters, owners and versions

Every command takes --fleet DIR (default: the current directory) and --help.
Exit codes: 0 ok, 1 content errors, 2 usage, 3 environment (network, auth, API), 4 internal bug.
Environment: BRAID_KUBERNETES_OPENAPI, BRAID_CACHE, BRAID_GIT_TOKEN[_<HOST>], BRAID_GIT_TIMEOUT_MS.
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
    options: { cluster: { type: "string", multiple: true }, out: { type: "string" }, update: { type: "boolean" } },
    positionals: true,
    load: async () => {
      const m = await import("./cmd-render.js");
      return { help: m.RENDER_HELP, run: (io, v, p) => m.renderCommand(io, withClusters(v, p)) };
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
    options: { cluster: { type: "string", multiple: true }, update: { type: "boolean" } },
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
      repo: { type: "string" },
      pr: { type: "string" },
    },
    load: async () => {
      const m = await import("./cmd-preview.js");
      return { help: m.PREVIEW_HELP, run: (io, v) => m.previewCommand(io, v) };
    },
  },
};

/** Runs braid with the given arguments; returns the exit code. Never throws. */
/** braid's version, from the package.json beside src/ (or dist/). */
export function braidVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: unknown };
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
  if (!def) {
    io.stderr(`error USAGE: unknown command "${name}"\n\n${MAIN_HELP}`);
    return 2;
  }
  try {
    const cmd = await def.load();
    let parsed;
    try {
      parsed = parseArgs({
        args: rest,
        options: { ...COMMON_OPTIONS, ...def.options },
        allowPositionals: true,
        strict: true,
      });
    } catch (e) {
      io.stderr(`error USAGE: ${(e as Error).message}\n\n${cmd.help}`);
      return 2;
    }
    if (parsed.values.help) {
      io.stdout(cmd.help);
      return 0;
    }
    if (parsed.positionals.length && !def.positionals) {
      io.stderr(`error USAGE: unexpected argument "${parsed.positionals[0]}"\n\n${cmd.help}`);
      return 2;
    }
    return await cmd.run(io, parsed.values as Record<string, unknown>, parsed.positionals);
  } catch (e) {
    const d = toDiagnostic(e);
    io.stderr(formatText(d) + "\n");
    return e instanceof BraidError ? e.exitCode : exitCodeOf(d.code);
  }
}
