import { parseArgs } from "node:util";
import { BraidError, toDiagnostic } from "../diagnostics/diagnostic.js";
import { exitCodeOf } from "../diagnostics/codes.js";
import { formatText } from "../diagnostics/format.js";
import { explainSourceCommand } from "./cmd-explain-source.js";
import { INVENTORY_HELP, inventoryCommand } from "./cmd-inventory.js";
import { lockCommand, LOCK_HELP } from "./cmd-lock.js";
import { PUBLISH_HELP, publishCommand } from "./cmd-publish.js";
import { previewCommand, PREVIEW_HELP } from "./cmd-preview.js";
import { RENDER_HELP, renderCommand, VALIDATE_HELP, validateCommand } from "./cmd-render.js";
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

interface CommandDef {
  help: string;
  options: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }>;
  positionals?: boolean;
  run: Handler;
}

/** Commands register here; each lives in its own cli/cmd-*.ts file. */
export const COMMANDS: Record<string, CommandDef> = {
  render: {
    help: RENDER_HELP,
    options: { cluster: { type: "string", multiple: true }, out: { type: "string" }, update: { type: "boolean" }, "explain-source": { type: "string" } },
    positionals: true,
    run: (io, v, p) =>
      v["explain-source"] !== undefined ? explainSourceCommand(io, withClusters(v, p) as never) : renderCommand(io, withClusters(v, p)),
  },
  lock: {
    help: LOCK_HELP,
    options: { update: { type: "boolean" }, explain: { type: "boolean" } },
    positionals: true,
    run: (io, v, p) => lockCommand(io, v, p),
  },
  validate: {
    help: VALIDATE_HELP,
    options: { cluster: { type: "string", multiple: true }, update: { type: "boolean" } },
    positionals: true,
    run: (io, v, p) => validateCommand(io, withClusters(v, p)),
  },
  publish: {
    help: PUBLISH_HELP,
    options: {
      branch: { type: "string" },
      push: { type: "string" },
      update: { type: "boolean" },
      partial: { type: "boolean" },
      "allow-prune": { type: "boolean" },
      "dry-run": { type: "boolean" },
      message: { type: "string", short: "m" },
    },
    run: (io, v) => publishCommand(io, v),
  },
  inventory: {
    help: INVENTORY_HELP,
    options: { update: { type: "boolean" } },
    run: (io, v) => inventoryCommand(io, v),
  },
  preview: {
    help: PREVIEW_HELP,
    options: {
      base: { type: "string" },
      head: { type: "string" },
      out: { type: "string" },
      "github-comment": { type: "boolean" },
      repo: { type: "string" },
      pr: { type: "string" },
    },
    run: (io, v) => previewCommand(io, v),
  },
};

/** Runs braid with the given arguments; returns the exit code. Never throws. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.stdout(MAIN_HELP);
    return name ? 0 : 2;
  }
  if (name === "--version" || name === "-v") {
    io.stdout("braid 0.1.0\n");
    return 0;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    io.stderr(`error USAGE: unknown command "${name}"\n\n${MAIN_HELP}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...COMMON_OPTIONS, ...cmd.options },
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
  if (parsed.positionals.length && !cmd.positionals) {
    io.stderr(`error USAGE: unexpected argument "${parsed.positionals[0]}"\n\n${cmd.help}`);
    return 2;
  }
  try {
    return await cmd.run(io, parsed.values as Record<string, unknown>, parsed.positionals);
  } catch (e) {
    const d = toDiagnostic(e);
    io.stderr(formatText(d) + "\n");
    return e instanceof BraidError ? e.exitCode : exitCodeOf(d.code);
  }
}
