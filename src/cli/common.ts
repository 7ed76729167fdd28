import { dirname, isAbsolute, resolve } from "node:path";
import { cacheDir } from "./cache-dir.js";
import { BraidError, type Diagnostic } from "../diagnostics/diagnostic.js";
import { formatGithub, formatText } from "../diagnostics/format.js";
import type { SourceEnv } from "../sources/open-source.js";
import { closest } from "../diagnostics/did-you-mean.js";
import type { CliIO } from "./io.js";

/** Output formats a command may accept. */
export type Format = "text" | "json" | "github" | "markdown" | "table";

/** Flags every command takes. */
export const COMMON_OPTIONS = {
  fleet: { type: "string" },
  format: { type: "string" },
  quiet: { type: "boolean", short: "q" },
  help: { type: "boolean", short: "h" },
} as const;

/** The fleet folder from --fleet (default: the current directory); a path to braid.yaml means its folder. */
export function fleetDir(io: CliIO, flag: string | undefined): string {
  if (!flag) return io.cwd;
  const path = isAbsolute(flag) ? flag : resolve(io.cwd, flag);
  return /(^|[\\/])braid\.ya?ml$/.test(path) ? dirname(path) : path;
}

/** Source access settings from the environment. */
export function sourceEnv(io: CliIO, dir: string): SourceEnv {
  const t = Number(io.env.BRAID_GIT_TIMEOUT_MS);
  return { fleetDir: dir, cacheDir: cacheDir(io), env: io.env, timeoutMs: Number.isFinite(t) && t > 0 ? t : undefined };
}

/** Checks --format against the allowed list. */
export function pickFormat<F extends Format>(value: string | undefined, allowed: readonly F[], def: F): F {
  if (value === undefined) return def;
  if ((allowed as readonly string[]).includes(value)) return value as F;
  const guess = closest(value, allowed);
  throw new BraidError({
    code: "USAGE",
    message: `--format must be one of ${allowed.join(", ")} (got "${value}"${guess ? `; did you mean ${guess}?` : ""})`,
  });
}

/**
 * Prints diagnostics to stderr (text/github) — json output carries them itself. In text, a `frame` lookup
 * (cli/code-frames.ts) puts the source line under each located error.
 */
export function printDiagnostics(
  io: CliIO,
  diagnostics: readonly Diagnostic[],
  format: Format,
  quiet = false,
  frame?: (d: Diagnostic) => string | undefined,
): void {
  for (const d of diagnostics) {
    if (quiet && d.severity !== "error") continue;
    io.stderr((format === "github" ? formatGithub(d) : formatText(d, frame)) + "\n");
  }
}

/** A progress line on a TTY: "[3/10] rendering prod-eu-1". Returns a function that clears it. */
export function progress(
  io: CliIO,
  enabled: boolean,
): { update(done: number, total: number, what: string): void; end(): void } {
  let shown = false;
  return {
    update(done, total, what) {
      if (!enabled || !io.isTTY) return;
      io.stderr(`\r\x1b[2K[${done}/${total}] ${what}`);
      shown = true;
    },
    end() {
      if (shown) io.stderr("\r\x1b[2K");
      shown = false;
    },
  };
}

/** Left-aligned text table. */
export function table(rows: string[][]): string {
  if (rows.length === 0) return "";
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return (
    rows
      .map((r) =>
        r
          .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
          .join("  ")
          .trimEnd(),
      )
      .join("\n") + "\n"
  );
}
