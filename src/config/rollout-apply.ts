import type { EffectiveCluster, Fleet, RefSpec } from "./types.js";
import { KUBERNETES_VERSION, type PinnedCommit, type RolloutState } from "./rollout-types.js";

/** The ref a rollout pins a cluster with: the tag when there is one (readable), else the commit. */
function refOf(p: PinnedCommit): RefSpec {
  if (p.tag) return { tag: p.tag };
  if (p.branch) return { branch: p.branch, commit: p.commit };
  return { commit: p.commit };
}

/** Where a cluster stands in a rollout, for the inventory and `rollout status`. */
export interface ClusterRollout {
  rollout: string;
  wave: string;
  moved: boolean;
}

/**
 * Applies the rollouts' state from braid.lock to the layered clusters (pure): a moved cluster runs the
 * target commit, every other cluster of the rollout stays on the commit it ran when the rollout started (so a
 * floating pin cannot overtake the waves); an aborted rollout returns every cluster to that commit. States of
 * rollouts no longer defined in the fleet are ignored.
 */
export function applyRollouts(
  fleet: Fleet,
  clusters: EffectiveCluster[],
  states: readonly RolloutState[] | undefined,
): Map<string, ClusterRollout[]> {
  const where = new Map<string, ClusterRollout[]>();
  const defined = new Set((fleet.rollouts ?? []).map((r) => r.name));
  const byName = new Map(clusters.map((c) => [c.name, c]));
  for (const state of states ?? []) {
    if (!defined.has(state.name)) continue;
    for (const cs of state.clusters) {
      const cluster = byName.get(cs.name);
      if (cluster && state.source === KUBERNETES_VERSION) {
        const moved = !!cs.movedAt && state.phase !== "aborted";
        const version = (moved ? state.target : cs.previous).version;
        if (version) cluster.kubernetesVersion = version;
        where.set(cs.name, [...(where.get(cs.name) ?? []), { rollout: state.name, wave: cs.wave, moved }]);
        continue;
      }
      const i = cluster?.pins.findIndex((p) => p.source.name === state.source) ?? -1;
      if (!cluster || i < 0) continue;
      const moved = !!cs.movedAt && state.phase !== "aborted";
      const pin = cluster.pins[i]!;
      cluster.pins[i] = { ...pin, ref: refOf(moved ? state.target : cs.previous) };
      where.set(cs.name, [...(where.get(cs.name) ?? []), { rollout: state.name, wave: cs.wave, moved }]);
    }
  }
  return where;
}
