import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { BraidError, exitCodeFor, type Diagnostic } from "../diagnostics/diagnostic.js";
import { diskFleetReader, type FleetReader } from "../config/fleet-files.js";
import { effectiveCluster } from "../config/layer.js";
import { loadFleet } from "../config/load-fleet.js";
import type { EffectiveCluster, Fleet } from "../config/types.js";
import { applyRollouts } from "../config/rollout-apply.js";
import { LOCK_FILE, parseLock, pinKey, serializeLock, type Lock, type LockEntry } from "../sources/lock.js";
import type { SourceEnv } from "../sources/open-source.js";
import {
  describePin,
  lockFromPins,
  resolvePins,
  type ResolvedPin,
  type ResolveOptions,
} from "../sources/resolve-pins.js";
import type { CandidateVerdict } from "../sources/semver.js";
import { fleetDir, pickFormat, printDiagnostics, sourceEnv, table } from "./common.js";
import type { CliIO } from "./io.js";
import { resultHeader } from "./json-document.js";
import { codeFrames, type FrameSources } from "./code-frames.js";

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

  // 2. load the fleet (its errors stop here), check the SOURCE names, read braid.lock
  const { fleet, diagnostics } = await loadFleet(reader);
  if (!fleet || diagnostics.some((d) => d.severity === "error"))
    return stop(io, diagnostics, format, reader, exitCodeFor(diagnostics) || 1);
  const update = updateScope(fleet, values.update, positionals);
  const current = await readLock(reader, values.update);
  if ("diagnostics" in current) return stop(io, current.diagnostics, format, reader, 1);

  // 3. resolve every pin; clusters in a rollout keep the pins it gave them
  const clusters = fleet.clusters.map((c) => effectiveCluster(fleet, c));
  applyRollouts(fleet, clusters, current.lock?.rollouts);
  const senv = sourceEnv(io, dir);
  const resolved = await resolvePins(clusters, senv, { lock: current.lock, update });
  const pins = [...resolved.pins.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const all = [...diagnostics, ...resolved.diagnostics];
  const failed = all.some((d) => d.severity === "error");

  // 4. --explain: the candidates of each pin, now
  const explainer = values.explain ? await explainPins(resolved.pins, clusters, senv) : undefined;

  // 5. write braid.lock, unless a pin failed
  if (!failed) await writeLock(dir, pins, current);

  // 6. report
  const before = new Map((current.lock?.pins ?? []).map((e) => [pinKey(e.source, e.ref), e]));
  const report: LockReport = { pins, diagnostics: all, failed, before, explainer, update: Boolean(values.update) };
  if (format === "json") reportJson(io, report);
  else await reportText(io, report, values.quiet, { reader, pins: resolved.pins });
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

/** What `--update [SOURCE…]` re-resolves: every floating pin, the named sources' pins, or nothing (usage errors for bad names). */
function updateScope(fleet: Fleet, update: boolean | undefined, positionals: string[]): ResolveOptions["update"] {
  const unknown = positionals.filter((s) => !fleet.sources.some((f) => f.name === s));
  if (unknown.length)
    throw new BraidError({
      code: "USAGE",
      message: `unknown source ${unknown.join(", ")}; sources: ${fleet.sources.map((s) => s.name).join(", ")}`,
    });
  if (positionals.length && !update)
    throw new BraidError({ code: "USAGE", message: "source names are only taken with --update" });
  return update ? (positionals.length ? positionals : true) : undefined;
}

/** braid.lock as it is (its text, to write only a change); a broken one stops the command unless --update replaces it. */
async function readLock(
  reader: FleetReader,
  update: boolean | undefined,
): Promise<{ lock?: Lock; text?: string } | { diagnostics: Diagnostic[] }> {
  const text = await reader.read(LOCK_FILE);
  if (text === undefined) return {};
  const parsed = parseLock(text);
  if (parsed.diagnostics.length && !update) return { diagnostics: parsed.diagnostics };
  return { lock: parsed.lock, text };
}

/** Writes braid.lock from the resolved pins (keeping the rollout state) when its text changes. */
async function writeLock(
  dir: string,
  pins: readonly ResolvedPin[],
  current: { lock?: Lock; text?: string },
): Promise<void> {
  const out = serializeLock({
    ...lockFromPins(pins),
    ...(current.lock?.rollouts ? { rollouts: current.lock.rollouts } : {}),
  });
  if (out !== current.text) await writeFile(join(dir, LOCK_FILE), out);
}

/** Per pin: a title line and the candidates behind it. */
interface Explainer {
  title(key: string): string;
  candidates(key: string): CandidateVerdict[];
}

/**
 * A pin resolved in this run explains itself; a pin kept from braid.lock is explained by what the
 * candidates are now, i.e. what --update would take (resolved afresh, never written).
 */
async function explainPins(
  pins: ReadonlyMap<string, ResolvedPin>,
  clusters: readonly EffectiveCluster[],
  senv: SourceEnv,
): Promise<Explainer> {
  const fresh = [...pins.values()].some((p) => p.status === "locked")
    ? (await resolvePins(clusters, senv, { update: true })).pins
    : pins;
  return {
    candidates(key) {
      const pin = pins.get(key);
      if (pin?.status !== "locked") return pin?.resolution?.explain ?? pin?.explain ?? [];
      const now = fresh.get(key);
      return now?.resolution?.explain ?? now?.explain ?? [];
    },
    title(key) {
      const pin = pins.get(key);
      if (!pin?.resolution) return "could not be resolved; candidates considered:";
      if (pin.status !== "locked")
        return `resolved to ${pin.resolution.tag ?? pin.resolution.branch ?? pin.resolution.commit.slice(0, 12)}:`;
      const now = fresh.get(key)?.resolution;
      const same = now?.commit === pin.resolution.commit;
      return `locked at ${pin.resolution.tag ?? pin.resolution.branch ?? ""} ${pin.resolution.commit.slice(0, 12)}; candidates now (${same ? "--update would keep it" : `--update would take ${now?.tag ?? now?.branch ?? now?.commit.slice(0, 12) ?? "nothing"}`}):`.replace(
        "at  ",
        "at ",
      );
    },
  };
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
          status: p.status,
          explanation: r.explainer?.title(p.key),
          clusters: p.clusters,
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
  io.stdout(
    r.failed ? "braid.lock not written: fix the errors above\n" : `wrote ${LOCK_FILE} (${r.pins.length} pins)\n`,
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
    if (was.commit === now.commit) return `  ${what}: unchanged ${version(now)}`;
    return `  ${what}: ${version(was)} → ${version(now)}`;
  });
  const moved = pins.filter((p) => p.resolution && before.get(p.key)?.commit !== p.resolution.commit).length;
  return `\nupdate: ${moved ? `${moved} pin${moved === 1 ? "" : "s"} moved` : "every pin unchanged"}\n${lines.join("\n")}\n`;
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
