import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { EffectiveCluster, Fleet } from "../config/types.js";
import type { Lock } from "../sources/lock.js";
import { applyRollouts } from "../config/rollout-apply.js";
import { planRollout } from "../config/rollout-plan.js";
import { pushAll } from "../model/append.js";

/**
 * The render's rollout stage (pure): checks every rollout's wave plan (a cluster in no wave is an error) and
 * applies the rollout state of braid.lock to the clusters' pins, recording each cluster's wave on it.
 */
export function rolloutStage(fleet: Fleet, clusters: EffectiveCluster[], lock: Lock | undefined): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const def of fleet.rollouts ?? []) pushAll(diagnostics, planRollout(fleet, def, clusters).diagnostics);
  const where = applyRollouts(fleet, clusters, lock?.rollouts);
  for (const c of clusters) {
    const w = where.get(c.name);
    if (w) c.rollouts = w;
  }
  return diagnostics;
}
