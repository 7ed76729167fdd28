import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { BraidError, exitCodeFor } from "../diagnostics/diagnostic.js";
import { diskFleetReader } from "../config/fleet-files.js";
import { effectiveCluster } from "../config/layer.js";
import { loadFleet } from "../config/load-fleet.js";
import { applyRollouts } from "../config/rollout-apply.js";
import { LOCK_FILE, parseLock, pinKey, serializeLock, type Lock, type LockEntry } from "../sources/lock.js";
import { describePin, lockFromPins, resolvePins, type ResolvedPin } from "../sources/resolve-pins.js";
import { fleetDir, pickFormat, printDiagnostics, sourceEnv, table } from "./common.js";
import type { CliIO } from "./io.js";
import { resultHeader } from "./json-document.js";
import { codeFrames } from "./code-frames.js";

/** Help text of `braid lock`. */
export const LOCK_HELP = `braid lock [--update [SOURCE…]] [--explain] [--fleet DIR] [--format text|json]

Resolves every source pin of the fleet to a commit and writes braid.lock (commit it). Pins already in
braid.lock are kept; pins edited since are re-resolved and reported. --update re-resolves floating pins
(branches, semver ranges, default branches) of all sources, or only of the named SOURCEs. --explain prints,
per pin, the candidate tags and why each was taken or skipped.
`;

/** `braid lock`. */
export async function lockCommand(
  io: CliIO,
  values: { fleet?: string; format?: string; quiet?: boolean; update?: boolean; explain?: boolean },
  positionals: string[],
): Promise<number> {
  const format = pickFormat(values.format, ["text", "json"], "text");
  const dir = fleetDir(io, values.fleet);
  const reader = diskFleetReader(dir);
  const { fleet, diagnostics } = await loadFleet(reader);
  if (!fleet || diagnostics.some((d) => d.severity === "error")) {
    printDiagnostics(io, diagnostics, format, false, await codeFrames(diagnostics, { reader }));
    return exitCodeFor(diagnostics) || 1;
  }
  const unknown = positionals.filter((s) => !fleet.sources.some((f) => f.name === s));
  if (unknown.length)
    throw new BraidError({ code: "USAGE", message: `unknown source ${unknown.join(", ")}; sources: ${fleet.sources.map((s) => s.name).join(", ")}` });
  if (positionals.length && !values.update) throw new BraidError({ code: "USAGE", message: "source names are only taken with --update" });
  let lock: Lock | undefined;
  const text = await reader.read(LOCK_FILE);
  if (text !== undefined) {
    const parsed = parseLock(text);
    if (parsed.diagnostics.length && !values.update) {
      printDiagnostics(io, parsed.diagnostics, format, false, await codeFrames(parsed.diagnostics, { reader }));
      return 1;
    }
    lock = parsed.lock;
  }
  const clusters = fleet.clusters.map((c) => effectiveCluster(fleet, c));
  applyRollouts(fleet, clusters, lock?.rollouts); // clusters in a rollout keep the pins it gave them
  const update = values.update ? (positionals.length ? positionals : true) : undefined;
  const senv = sourceEnv(io, dir);
  const resolved = await resolvePins(clusters, senv, { lock, update });
  // --explain: a pin resolved in this run explains itself; a pin kept from braid.lock is explained by what
  // the candidates are now, i.e. what --update would take (resolved afresh, never written)
  const fresh = values.explain && [...resolved.pins.values()].some((p) => p.status === "locked")
    ? (await resolvePins(clusters, senv, { update: true })).pins
    : resolved.pins;
  const explainOf = (key: string) => {
    const pin = resolved.pins.get(key);
    if (pin?.status !== "locked") return pin?.resolution?.explain ?? pin?.explain ?? [];
    const now = fresh.get(key);
    return now?.resolution?.explain ?? now?.explain ?? [];
  };
  const explainTitle = (key: string) => {
    const pin = resolved.pins.get(key);
    if (!pin?.resolution) return "could not be resolved; candidates considered:";
    if (pin.status !== "locked") return `resolved to ${pin.resolution.tag ?? pin.resolution.branch ?? pin.resolution.commit.slice(0, 12)}:`;
    const now = fresh.get(key)?.resolution;
    const same = now?.commit === pin.resolution.commit;
    return `locked at ${pin.resolution.tag ?? pin.resolution.branch ?? ""} ${pin.resolution.commit.slice(0, 12)}; candidates now (${same ? "--update would keep it" : `--update would take ${now?.tag ?? now?.branch ?? now?.commit.slice(0, 12) ?? "nothing"}`}):`.replace("at  ", "at ");
  };
  const before = new Map((lock?.pins ?? []).map((e) => [pinKey(e.source, e.ref), e]));
  const all = [...diagnostics, ...resolved.diagnostics];
  const pins = [...resolved.pins.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const failed = all.some((d) => d.severity === "error");
  if (!failed) {
    const out = serializeLock({ ...lockFromPins(pins), ...(lock?.rollouts ? { rollouts: lock.rollouts } : {}) });
    if (out !== text) await writeFile(join(dir, LOCK_FILE), out);
  }
  if (format === "json") {
    io.stdout(
      JSON.stringify(
        {
          ...resultHeader("LockResult"),
          ok: !failed,
          written: !failed,
          pins: pins.map((p) => ({
            source: p.source.name,
            ref: p.ref ?? null,
            commit: p.resolution?.commit ?? null,
            tag: p.resolution?.tag ?? null,
            version: p.resolution?.version ?? null,
            branch: p.resolution?.branch ?? null,
            status: p.status,
            explanation: values.explain ? explainTitle(p.key) : undefined,
            clusters: p.clusters,
            candidates: values.explain ? explainOf(p.key) : undefined,
            ...(values.update ? updateJson(before.get(p.key), p) : {}),
          })),
          diagnostics: all,
        },
        null,
        2,
      ) + "\n",
    );
  } else {
    printDiagnostics(io, all, format, values.quiet, await codeFrames(all, { reader, pins: resolved.pins }));
    if (!values.quiet) {
      const rows = [["SOURCE", "PIN", "RESOLVED", "COMMIT", "CLUSTERS", "STATUS"]];
      for (const p of pins)
        rows.push([
          p.source.name,
          describePin(p).slice(p.source.name.length + 1),
          p.resolution?.tag ?? p.resolution?.branch ?? "-",
          p.resolution?.commit.slice(0, 12) ?? "FAILED",
          String(p.clusters.length),
          p.resolution ? p.status : "failed",
        ]);
      io.stdout(table(rows));
      if (values.update) io.stdout(updateText(pins, before));
      if (values.explain)
        for (const p of pins) {
          io.stdout(`\n${describePin(p)} — ${explainTitle(p.key)}\n`);
          for (const v of explainOf(p.key))
            io.stdout(`  ${v.taken ? "✓" : "·"} ${v.tag}${v.version && v.version !== v.tag ? ` (${v.version})` : ""}: ${v.reason}\n`);
        }
      io.stdout(failed ? "braid.lock not written: fix the errors above\n" : `wrote ${LOCK_FILE} (${pins.length} pins)\n`);
    }
  }
  return failed ? exitCodeFor(all) || 1 : 0;
}

/** "v1.4.2 (abc1234)": a pin's tag or branch and short commit. */
function version(e: { tag?: string; branch?: string; commit: string }): string {
  const name = e.tag ?? e.branch;
  return name ? `${name} (${e.commit.slice(0, 7)})` : e.commit.slice(0, 12);
}

/** `lock --update`: one line per pin, old → new for every pin that moved, "unchanged" otherwise. */
export function updateText(pins: readonly ResolvedPin[], before: ReadonlyMap<string, LockEntry>): string {
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
function updateJson(was: LockEntry | undefined, p: ResolvedPin): { previous: { commit: string; tag: string | null; branch: string | null } | null; changed: boolean } {
  return {
    previous: was ? { commit: was.commit, tag: was.tag ?? null, branch: was.branch ?? null } : null,
    changed: Boolean(p.resolution) && was?.commit !== p.resolution?.commit,
  };
}
