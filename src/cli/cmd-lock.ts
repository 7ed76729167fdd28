import { exitCodeFor, type Diagnostic } from "../diagnostics/diagnostic.js";
import { diskFleetReader, type FleetReader } from "../config/fleet-files.js";
import { LOCK_FILE, type LockEntry } from "../sources/lock.js";
import { describePin, type ResolvedPin } from "../sources/resolve-pins.js";
import { fleetDir, pickFormat, printDiagnostics, sourceEnv, table } from "./common.js";
import type { CliIO } from "./io.js";
import { resultHeader } from "./json-document.js";
import { codeFrames, type FrameSources } from "./code-frames.js";
import { lockFleet, type Explainer } from "../pipeline/lock-fleet.js";
import { configCache } from "./incremental.js";

/** Help text of `braid lock`. */
export const LOCK_HELP = `braid lock [--update [SOURCE…]] [--explain] [--fleet DIR] [--format text|json]

Resolves every source pin of the fleet to a commit and writes braid.lock (commit it). Pins already in
braid.lock are kept; pins edited since are re-resolved and reported. --update re-resolves floating pins
(branches, semver ranges, default branches) of all sources, or only of the named SOURCEs. --explain prints,
per pin, the candidate tags and why each was taken or skipped.
`;

/** The flags of `braid lock`. */
interface LockFlags {
  fleet?: string;
  format?: string;
  quiet?: boolean;
  update?: boolean;
  explain?: boolean;
}

/** `braid lock`. */
export async function lockCommand(io: CliIO, values: LockFlags, positionals: string[]): Promise<number> {
  // 1. flags and the fleet folder
  const format = pickFormat(values.format, ["text", "json"], "text");
  const dir = fleetDir(io, values.fleet);
  const reader = diskFleetReader(dir);

  // 2.–5. load, resolve, explain and write (pipeline/lock-fleet.ts); a fleet that cannot be read stops here
  const run = await lockFleet(reader, dir, () => sourceEnv(io, dir), {
    update: values.update,
    sources: positionals,
    explain: values.explain,
    configCache: await configCache(io, undefined, dir),
  });
  if ("stop" in run) return stop(io, run.stop.diagnostics, format, reader, run.stop.code);
  const { pins, diagnostics: all, failed, before, explainer, resolved } = run;

  // 6. report
  const report: LockReport = { pins, diagnostics: all, failed, before, explainer, update: Boolean(values.update) };
  if (format === "json") reportJson(io, report);
  else await reportText(io, report, values.quiet, { reader, pins: resolved });
  return failed ? exitCodeFor(all) || 1 : 0;
}

/** Prints the problems that stop the command (with code frames) and returns its exit code. */
async function stop(
  io: CliIO,
  diagnostics: Diagnostic[],
  format: "text" | "json",
  reader: FleetReader,
  code: number,
): Promise<number> {
  printDiagnostics(io, diagnostics, format, false, await codeFrames(diagnostics, { reader }));
  return code;
}

/** What `braid lock` reports. */
interface LockReport {
  pins: ResolvedPin[];
  diagnostics: Diagnostic[];
  failed: boolean;
  /** braid.lock's entries before this run, by pin key. */
  before: ReadonlyMap<string, LockEntry>;
  explainer: Explainer | undefined;
  update: boolean;
}

/** `--format json`: one LockResult document. */
function reportJson(io: CliIO, r: LockReport): void {
  io.stdout(
    JSON.stringify(
      {
        ...resultHeader("LockResult"),
        ok: !r.failed,
        written: !r.failed,
        pins: r.pins.map((p) => ({
          source: p.source.name,
          ref: p.ref ?? null,
          commit: p.resolution?.commit ?? null,
          tag: p.resolution?.tag ?? null,
          version: p.resolution?.version ?? null,
          branch: p.resolution?.branch ?? null,
          status: p.resolution ? p.status : "failed",
          explanation: r.explainer?.title(p.key),
          clusters: p.clusters,
          ...(p.remotes?.length ? { remotes: p.remotes } : {}),
          candidates: r.explainer?.candidates(p.key),
          ...(r.update ? updateJson(r.before.get(p.key), p) : {}),
        })),
        diagnostics: r.diagnostics,
      },
      null,
      2,
    ) + "\n",
  );
}

/** Text: the diagnostics (with code frames), then (unless --quiet) the pins table, the --update moves, the explanations, the outcome. */
async function reportText(io: CliIO, r: LockReport, quiet: boolean | undefined, frames: FrameSources): Promise<void> {
  printDiagnostics(io, r.diagnostics, "text", quiet, await codeFrames(r.diagnostics, frames));
  if (quiet) return;
  const rows = [["SOURCE", "PIN", "RESOLVED", "COMMIT", "CLUSTERS", "STATUS"]];
  for (const p of r.pins)
    rows.push([
      p.source.name,
      describePin(p).slice(p.source.name.length + 1),
      p.resolution?.tag ?? p.resolution?.branch ?? "-",
      p.resolution?.commit.slice(0, 12) ?? "FAILED",
      String(p.clusters.length),
      p.resolution ? p.status : "failed",
    ]);
  io.stdout(table(rows));
  if (r.update) io.stdout(updateText(r.pins, r.before));
  if (r.explainer)
    for (const p of r.pins) {
      io.stdout(`\n${describePin(p)} — ${r.explainer.title(p.key)}\n`);
      for (const v of r.explainer.candidates(p.key))
        io.stdout(
          `  ${v.taken ? "✓" : "·"} ${v.tag}${v.version && v.version !== v.tag ? ` (${v.version})` : ""}: ${v.reason}\n`,
        );
    }
  const remotes = r.pins.flatMap((p) => p.remotes ?? []);
  const files = remotes.filter((x) => "sha256" in x).length;
  const pinned = remotes.length
    ? `; ${files} remote file${files === 1 ? "" : "s"}, ${remotes.length - files} remote base${remotes.length - files === 1 ? "" : "s"}`
    : "";
  io.stdout(
    r.failed
      ? "braid.lock not written: fix the errors above\n"
      : `wrote ${LOCK_FILE} (${r.pins.length} pins${pinned})\n`,
  );
}

/** "v1.4.2 (abc1234)": a pin's tag or branch and short commit. */
function version(e: { tag?: string; branch?: string; commit: string }): string {
  const name = e.tag ?? e.branch;
  return name ? `${name} (${e.commit.slice(0, 7)})` : e.commit.slice(0, 12);
}

/** `lock --update`: one line per pin, old → new for every pin that moved, "unchanged" otherwise. */
function updateText(pins: readonly ResolvedPin[], before: ReadonlyMap<string, LockEntry>): string {
  const lines = pins.map((p) => {
    const was = before.get(p.key);
    const now = p.resolution;
    const what = describePin(p);
    if (!now) return `  ${what}: failed${was ? ` (stays at ${version(was)})` : ""}`;
    if (!was) return `  ${what}: new → ${version(now)}`;
    const remotes = remoteMoves(was, p);
    if (was.commit === now.commit) return `  ${what}: unchanged ${version(now)}${remotes}`;
    return `  ${what}: ${version(was)} → ${version(now)}${remotes}`;
  });
  const moved = pins.filter((p) => p.resolution && before.get(p.key)?.commit !== p.resolution.commit).length;
  return `\nupdate: ${moved ? `${moved} pin${moved === 1 ? "" : "s"} moved` : "every pin unchanged"}\n${lines.join("\n")}\n`;
}

/** The remote entries (kustomize/remote-resources.ts) a pin's update re-pinned, added or dropped: one line each. */
function remoteMoves(was: LockEntry, p: ResolvedPin): string {
  const short = (r: { sha256: string } | { commit: string } | undefined) =>
    r ? ("sha256" in r ? r.sha256 : r.commit).slice(0, 12) : "none";
  const before = new Map((was.remotes ?? []).map((r) => [r.url, r]));
  const after = new Map((p.remotes ?? []).map((r) => [r.url, r]));
  const lines: string[] = [];
  for (const url of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const [b, a] = [short(before.get(url)), short(after.get(url))];
    if (b !== a) lines.push(`\n    remote ${url}: ${b} → ${a}`);
  }
  return lines.join("");
}

/** `lock --update --format json`: each pin's previous lock entry and whether it moved. */
function updateJson(
  was: LockEntry | undefined,
  p: ResolvedPin,
): { previous: { commit: string; tag: string | null; branch: string | null } | null; changed: boolean } {
  return {
    previous: was ? { commit: was.commit, tag: was.tag ?? null, branch: was.branch ?? null } : null,
    changed: Boolean(p.resolution) && was?.commit !== p.resolution?.commit,
  };
}
