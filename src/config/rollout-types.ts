/**
 * Rollouts: a source's new version moving through ordered waves of clusters. The definition lives in
 * `rollouts/<name>.yaml`; the state (which cluster moved when, approvals, phase) lives in braid.lock, so the
 * fleet repository is the database and every step is a reviewable commit.
 */
import type { SourceLocation } from "../diagnostics/diagnostic.js";
import type { LabelSelector } from "./types.js";

/** A wave's gate: what must hold before the rollout goes on. */
interface WaveGate {
  /** Milliseconds after the wave's last deploy commit. */
  soakMs?: number;
  soak?: string;
  approval?: string;
  health?: "flux-commit-status";
  healthTimeoutMs: number;
}

/** One wave of a rollout definition. */
export interface WaveDef {
  name: string;
  selector: LabelSelector;
  /** Count, or a percentage ("25%") of the wave's clusters. Undefined: all at once. */
  maxParallel?: number | string;
  gate: WaveGate;
  location: SourceLocation;
}

/** A rollout definition (rollouts/<name>.yaml). */
export interface RolloutDef {
  name: string;
  file: string;
  /** The source rolled out; "kubernetesVersion" for a rollout of the Kubernetes version. */
  source: string;
  target: { tag?: string; semver?: string; tagPrefix?: string };
  /** Set for a rollout of the clusters' Kubernetes API version instead of a source. */
  kubernetesVersion?: string;
  /** Name of each cluster's Flux Kustomization; `{cluster}` is replaced. */
  healthKustomization: string;
  waves: WaveDef[];
  location: SourceLocation;
  sourceLocation: SourceLocation;
}

/** A commit a cluster is pinned to by a rollout (with the tag or branch it came from, for people). */
export interface PinnedCommit {
  /** "" in a rollout of the Kubernetes version. */
  commit: string;
  /** The Kubernetes version, in a rollout of it. */
  version?: string;
  tag?: string;
  branch?: string;
}

/** One cluster's place in a rollout. */
interface RolloutClusterState {
  name: string;
  wave: string;
  /** The commit the cluster ran before the rollout (where abort returns it). */
  previous: PinnedCommit;
  /** When `braid rollout advance` moved it to the target (ISO time); absent: not moved. */
  movedAt?: string;
}

/** The state of one rollout in braid.lock. */
export interface RolloutState {
  name: string;
  source: string;
  phase: "active" | "paused" | "aborted" | "complete";
  /** Why it is paused (e.g. a failed health check). */
  reason?: string;
  target: PinnedCommit;
  clusters: RolloutClusterState[];
  approvals?: { name: string; at: string; by?: string }[];
}

/** The `source` of a rollout of the Kubernetes version (never a source name: those are DNS labels). */
export const KUBERNETES_VERSION = "kubernetesVersion";

/** Parses a duration such as 30m, 1h30m, 2d, 45s into milliseconds. */
export function parseDuration(text: string): number {
  const unit: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  let ms = 0;
  for (const m of text.matchAll(/(\d+)([smhd])/g)) ms += Number(m[1]) * unit[m[2]!]!;
  return ms;
}
