import { appendFile, realpath } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { locateFleetRepo } from "../git/fleet-repo.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { githubAnnotations } from "../diagnostics/github-annotations.js";
import type { CliIO } from "./io.js";

/**
 * The fleet folder relative to the repository root, posix ("" at the root): relative to GITHUB_WORKSPACE when
 * the fleet is inside it (what GitHub resolves annotation paths against), else to the Git top level.
 */
async function fleetPrefix(io: CliIO, fleetDir: string): Promise<string> {
  const real = await realpath(fleetDir).catch(() => fleetDir);
  const ws = io.env.GITHUB_WORKSPACE;
  if (ws) {
    const root = await realpath(resolve(io.cwd, ws)).catch(() => resolve(io.cwd, ws));
    const rel = relative(root, real);
    if (!rel.startsWith("..") && !isAbsolute(rel)) return rel.split(sep).join("/");
  }
  return (await locateFleetRepo(fleetDir))?.subdir ?? "";
}

/**
 * Prints diagnostics as GitHub annotations (stderr), grouped across clusters and capped per GitHub's per-step
 * limit; when some are left out, the full table is appended to $GITHUB_STEP_SUMMARY.
 */
export async function printGithubAnnotations(
  io: CliIO,
  diagnostics: readonly Diagnostic[],
  fleetDir: string,
  quiet = false,
): Promise<void> {
  const shown = quiet ? diagnostics.filter((d) => d.severity === "error") : diagnostics;
  const out = githubAnnotations(shown, await fleetPrefix(io, fleetDir));
  for (const line of out.lines) io.stderr(line + "\n");
  const file = io.env.GITHUB_STEP_SUMMARY;
  if (out.summary && file) await appendFile(resolve(io.cwd, file), out.summary + "\n");
}
