/**
 * The lock pipeline (`braid lock`): load the fleet → check the SOURCE names → read braid.lock → resolve every
 * pin (clusters in a rollout keep the pins it gave them) → pin the remote files their kustomizations list → explain the candidates (--explain) → write braid.lock
 * unless a pin failed. The CLI (cli/cmd-lock.ts) reads the flags and reports.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { BraidError, exitCodeFor, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { ConfigCache } from "../config/config-cache.js";
import type { FleetReader } from "../config/fleet-files.js";
import { effectiveCluster } from "../config/layer.js";
import { loadFleet } from "../config/load-fleet.js";
import type { EffectiveCluster, Fleet } from "../config/types.js";
import { applyRollouts } from "../config/rollout-apply.js";
import { LOCK_FILE, parseLockCached, pinKey, serializeLock, type Lock, type LockEntry } from "../sources/lock.js";
import type { SourceEnv } from "../sources/open-source.js";
import { lockFromPins, resolvePins, type ResolvedPin, type ResolveOptions } from "../sources/resolve-pins.js";
import type { CandidateVerdict } from "../sources/semver.js";
import { RemoteFiles } from "../sources/remote-files.js";
import { createManifestCache } from "../render/load-manifests.js";
import { pinRemotes } from "./remote-pins.js";

/** What a lock run produced, or the problems that stopped it before any pin was resolved. */
export type LockRun =
  | { stop: { diagnostics: Diagnostic[]; code: number } }
  | {
      /** Every pin, sorted by key. */
      pins: ResolvedPin[];
      /** The same pins by key. */
      resolved: ReadonlyMap<string, ResolvedPin>;
      diagnostics: Diagnostic[];
      /** A pin failed: braid.lock was not written. */
      failed: boolean;
      /** braid.lock's entries before this run, by pin key. */
      before: ReadonlyMap<string, LockEntry>;
      explainer: Explainer | undefined;
    };

/** Resolves the fleet's pins and writes braid.lock (see the file header). `senv` is asked only once the fleet loaded. */
export async function lockFleet(
  reader: FleetReader,
  dir: string,
  senv: () => SourceEnv,
  opts: { update?: boolean; sources: string[]; explain?: boolean; configCache?: ConfigCache },
): Promise<LockRun> {
  // 1. load the fleet (its errors stop here; unchanged files from the parsed-config cache), check the SOURCE
  //    names, read braid.lock
  const { fleet, diagnostics } = await loadFleet(reader, { cache: opts.configCache });
  if (!fleet || diagnostics.some((d) => d.severity === "error"))
    return { stop: { diagnostics, code: exitCodeFor(diagnostics) || 1 } };
  const update = updateScope(fleet, opts.update, opts.sources);
  const current = await readLock(reader, opts.update, opts.configCache);
  await opts.configCache?.save();
  if ("diagnostics" in current) return { stop: { diagnostics: current.diagnostics, code: 1 } };

  // 2. resolve every pin; clusters in a rollout keep the pins it gave them
  const clusters = fleet.clusters.map((c) => effectiveCluster(fleet, c));
  applyRollouts(fleet, clusters, current.lock?.rollouts);
  const env = senv();
  const resolved = await resolvePins(clusters, env, { lock: current.lock, update });
  // 2b. the remote files of every pin: kept from braid.lock, or fetched and pinned now
  const remote = new RemoteFiles(env.cacheDir, env.timeoutMs, env.env);
  const { diagnostics: remoteProblems } = await pinRemotes(resolved.pins.values(), remote, createManifestCache(), env, {
    scanLocked: true,
    remoteBases: fleet.kustomize.remoteBases,
  });
  const pins = [...resolved.pins.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const all = [...diagnostics, ...resolved.diagnostics, ...remoteProblems];
  const failed = all.some((d) => d.severity === "error");

  // 3. --explain: the candidates of each pin, now
  const explainer = opts.explain ? await explainPins(resolved.pins, clusters, env) : undefined;

  // 4. write braid.lock, unless a pin failed
  if (!failed) await writeLock(dir, pins, current);
  const before = new Map((current.lock?.pins ?? []).map((e) => [pinKey(e.source, e.ref), e]));
  return { pins, resolved: resolved.pins, diagnostics: all, failed, before, explainer };
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
  cache: ConfigCache | undefined,
): Promise<{ lock?: Lock; text?: string } | { diagnostics: Diagnostic[] }> {
  const text = await reader.read(LOCK_FILE);
  if (text === undefined) return {};
  const parsed = parseLockCached(text, cache);
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
export interface Explainer {
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
