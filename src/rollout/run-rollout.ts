/**
 * The I/O edge of rollouts: reads the fleet and braid.lock, resolves the target and each cluster's current
 * commit, looks up deploy commits and Flux's statuses, and writes braid.lock (only it) back, committed on its
 * own when the fleet is in a Git repository. The decisions are in plan.ts and advance.ts (pure).
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { BraidError, type Diagnostic } from "../diagnostics/diagnostic.js";
import { diskFleetReader } from "../config/fleet-files.js";
import { locateFleetRepo, type FleetRepo } from "../git/fleet-repo.js";
import { effectiveCluster } from "../config/layer.js";
import { loadFleet } from "../config/load-fleet.js";
import type { EffectiveCluster, Fleet } from "../config/types.js";
import { commitLockFile } from "../publish/commit-lock.js";
import type { Signature } from "../git/git-store.js";
import type { InventoryCluster } from "../publish/inventory.js";
import { LOCK_FILE, parseLock, serializeLock, type Lock } from "../sources/lock.js";
import { RemoteFiles } from "../sources/remote-files.js";
import { createManifestCache } from "../render/load-manifests.js";
import { pinRemotes } from "../pipeline/remote-pins.js";
import { openSource, type SourceEnv } from "../sources/open-source.js";
import { resolveRef } from "../sources/resolve-ref.js";
import { lockFromPins, resolvePins } from "../sources/resolve-pins.js";
import type { Deployed, RolloutFacts } from "./advance.js";
import { applyRollouts } from "../config/rollout-apply.js";
import { findDeployed } from "./deploy-history.js";
import { readFluxHealth, type GithubStatusTarget } from "./flux-health.js";
import { planRollout, type WavePlan } from "../config/rollout-plan.js";
import type { PinnedCommit, RolloutDef, RolloutState } from "../config/rollout-types.js";
import { pushAll } from "../model/append.js";

/** Everything a rollout command works on. */
export interface RolloutContext {
  fleet: Fleet;
  lock: Lock;
  senv: SourceEnv;
  repo?: FleetRepo;
}

/** Loads the fleet and its lock; config errors come back as diagnostics (no context). */
export async function loadRolloutContext(
  senv: SourceEnv,
): Promise<{ ctx?: RolloutContext; diagnostics: Diagnostic[] }> {
  const reader = diskFleetReader(senv.fleetDir);
  const loaded = await loadFleet(reader);
  const diagnostics = [...loaded.diagnostics];
  const text = await reader.read(LOCK_FILE);
  let lock: Lock = { pins: [] };
  if (text !== undefined) {
    const parsed = parseLock(text);
    pushAll(diagnostics, parsed.diagnostics);
    if (parsed.lock) lock = parsed.lock;
  }
  if (!loaded.fleet || diagnostics.some((d) => d.severity === "error")) return { diagnostics };
  return { ctx: { fleet: loaded.fleet, lock, senv, repo: await locateFleetRepo(senv.fleetDir) }, diagnostics };
}

/** The fleet's clusters layered, with the given rollout states applied. */
function layered(fleet: Fleet, states: readonly RolloutState[] | undefined): EffectiveCluster[] {
  const clusters = fleet.clusters.map((c) => effectiveCluster(fleet, c));
  applyRollouts(fleet, clusters, states);
  return clusters;
}

/** The rollouts a command acts on: the one named, or all. */
export function selectRollouts(fleet: Fleet, name: string | undefined): RolloutDef[] {
  const all = fleet.rollouts ?? [];
  if (!name) return all;
  const def = all.find((r) => r.name === name);
  if (!def)
    throw new BraidError({
      code: "USAGE",
      message: `no rollout named "${name}"`,
      hint: all.length ? `rollouts: ${all.map((r) => r.name).join(", ")}` : "define one in rollouts/<name>.yaml",
    });
  return [def];
}

/** The wave plan of a rollout over the fleet's clusters (throws on an uncovered cluster or unknown source). */
export function planOf(ctx: RolloutContext, def: RolloutDef): WavePlan[] {
  const { plan, diagnostics } = planRollout(ctx.fleet, def, layered(ctx.fleet, undefined));
  if (diagnostics.length) throw new RolloutProblems(diagnostics);
  return plan;
}

/** Content problems that stop a rollout command (exit 1). */
export class RolloutProblems extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => d.message).join("; "));
  }
}

const pinned = (r: { commit: string; tag?: string; branch?: string }): PinnedCommit => ({
  commit: r.commit,
  ...(r.tag ? { tag: r.tag } : {}),
  ...(!r.tag && r.branch ? { branch: r.branch } : {}),
});

/**
 * The state of a rollout, started when there is none (target resolved now; every cluster's current commit
 * recorded as where abort returns it) and kept in step with the plan (a cluster that joined the fleet starts on
 * its current commit; one that left is dropped).
 */
export async function currentState(
  ctx: RolloutContext,
  def: RolloutDef,
  plan: readonly WavePlan[],
): Promise<RolloutState> {
  const existing = ctx.lock.rollouts?.find((r) => r.name === def.name);
  const waveOf = new Map(plan.flatMap((w) => w.clusters.map((c) => [c, w.wave.name] as const)));
  const missing = [...waveOf.keys()].filter((c) => !existing?.clusters.some((s) => s.name === c));
  const previous = new Map<string, PinnedCommit>();
  if (missing.length && def.kubernetesVersion)
    for (const c of layered(ctx.fleet, ctx.lock.rollouts))
      if (missing.includes(c.name)) previous.set(c.name, { commit: "", version: c.kubernetesVersion });
  if (missing.length && !def.kubernetesVersion) {
    const clusters = layered(ctx.fleet, ctx.lock.rollouts).filter((c) => missing.includes(c.name));
    const { pins, diagnostics } = await resolvePins(clusters, ctx.senv, { lock: ctx.lock });
    if (diagnostics.some((d) => d.severity === "error"))
      throw new RolloutProblems(diagnostics.filter((d) => d.severity === "error"));
    for (const p of pins.values())
      if (p.source.name === def.source && p.resolution)
        for (const c of p.clusters) previous.set(c, pinned(p.resolution));
  }
  let target = existing?.target ?? (def.kubernetesVersion ? { commit: "", version: def.kubernetesVersion } : undefined);
  if (!target) {
    const source = ctx.fleet.sources.find((s) => s.name === def.source)!;
    const repo = await openSource(source, ctx.senv, { refresh: true });
    target = pinned(await resolveRef(repo, def.target));
  }
  const kept = (existing?.clusters ?? [])
    .filter((c) => waveOf.has(c.name))
    .map((c) => ({ ...c, wave: waveOf.get(c.name)! }));
  const added = missing
    .filter((c) => previous.has(c))
    .map((c) => ({ name: c, wave: waveOf.get(c)!, previous: previous.get(c)! }));
  return {
    name: def.name,
    source: def.source,
    phase: existing?.phase ?? "active",
    ...(existing?.reason ? { reason: existing.reason } : {}),
    target,
    clusters: [...kept, ...added].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    ...(existing?.approvals ? { approvals: existing.approvals } : {}),
  };
}

/** Options of fact gathering: the clock and, for health gates, where Flux's statuses are read. */
export interface FactOptions {
  now: number;
  github?: GithubStatusTarget;
  /** Without GitHub access, report health as pending instead of failing (status). */
  healthOptional?: boolean;
}

/** Deploy commits of the moved clusters and, for waves with a health gate, Flux's reports on them. */
export async function gatherFacts(
  ctx: RolloutContext,
  def: RolloutDef,
  plan: readonly WavePlan[],
  state: RolloutState,
  opts: FactOptions,
): Promise<RolloutFacts> {
  const moved = state.clusters.filter((c) => c.movedAt).map((c) => c.name);
  const runsTarget = def.kubernetesVersion
    ? (c: InventoryCluster) => c.kubernetesVersion === state.target.version
    : (c: InventoryCluster) => c.sources.some((s) => s.name === def.source && s.commit === state.target.commit);
  const deployed = ctx.repo
    ? await findDeployed(ctx.repo.gitdir, ctx.fleet.output.branch, runsTarget, moved)
    : new Map<string, Deployed>();
  const gated = new Set(plan.filter((w) => w.wave.gate.health).flatMap((w) => w.clusters));
  const wanted = [...deployed.entries()]
    .filter(([c]) => gated.has(c))
    .map(([cluster, d]) => ({
      cluster,
      commit: d.commit,
      kustomization: def.healthKustomization.replaceAll("{cluster}", cluster),
    }));
  let health = new Map<string, "success" | "failure" | "pending">();
  if (wanted.length && (opts.github || !opts.healthOptional)) {
    if (!opts.github)
      throw new BraidError({
        code: "GITHUB_CONTEXT",
        message: `rollout ${def.name} has a health gate: braid needs GITHUB_TOKEN and the deploy repository (--repo owner/name or GITHUB_REPOSITORY) to read Flux's commit statuses`,
        hint: "in a workflow: env: { GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }} } with permissions: statuses: read",
      });
    health = await readFluxHealth(opts.github, wanted);
  }
  return { now: opts.now, deployed, health };
}

/**
 * Writes braid.lock with the given rollout states and the pins they imply (locked commits kept; the target and
 * hold pins added), and commits it on its own when the fleet is in a Git repository. Returns the commit.
 */
export async function writeRolloutLock(
  ctx: RolloutContext,
  states: RolloutState[],
  opts: { message: string; author: Signature },
): Promise<string | undefined> {
  const defined = new Set((ctx.fleet.rollouts ?? []).map((r) => r.name));
  const rollouts = states.filter((s) => defined.has(s.name));
  const { pins, diagnostics } = await resolvePins(layered(ctx.fleet, rollouts), ctx.senv, { lock: ctx.lock });
  if (diagnostics.some((d) => d.severity === "error"))
    throw new RolloutProblems(diagnostics.filter((d) => d.severity === "error"));
  // (a pin the rollout moves pins its remote files as braid lock would)
  const remote = new RemoteFiles(ctx.senv.cacheDir, ctx.senv.timeoutMs, ctx.senv.env);
  await pinRemotes(pins.values(), remote, createManifestCache(), ctx.senv, {
    scanLocked: false,
    remoteBases: ctx.fleet.kustomize.remoteBases,
  });
  const lock: Lock = { ...lockFromPins(pins.values()), ...(rollouts.length ? { rollouts } : {}) };
  const text = serializeLock(lock);
  ctx.lock = lock;
  if (!ctx.repo) {
    await writeFile(join(ctx.senv.fleetDir, LOCK_FILE), text);
    return undefined;
  }
  return commitLockFile(ctx.repo, text, { author: opts.author, message: opts.message });
}
