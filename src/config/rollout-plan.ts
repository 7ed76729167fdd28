import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { EffectiveCluster, Fleet } from "./types.js";
import { matchesLabelSelectorObject } from "../model/select-targets.js";
import type { RolloutDef, WaveDef } from "./rollout-types.js";

/** A rollout's waves with the clusters each holds (by name), in order. */
export interface WavePlan {
  wave: WaveDef;
  clusters: string[];
}

/**
 * The wave plan of a rollout (pure): every cluster that runs the rollout's source (every cluster, for a rollout of
 * the Kubernetes version) is in the first wave whose selector matches it. A cluster that runs the source and matches no wave is an error, never skipped.
 */
export function planRollout(
  fleet: Fleet,
  def: RolloutDef,
  clusters: readonly EffectiveCluster[],
): { plan: WavePlan[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  if (!def.kubernetesVersion && !fleet.sources.some((s) => s.name === def.source)) {
    diagnostics.push({
      code: "CONFIG_UNKNOWN_SOURCE",
      severity: "error",
      message: `rollout ${def.name}: source "${def.source}" is not defined in braid.yaml`,
      location: def.sourceLocation,
      hint: `defined sources: ${fleet.sources.map((s) => s.name).join(", ")}`,
    });
    return { plan: [], diagnostics };
  }
  const plan: WavePlan[] = def.waves.map((wave) => ({ wave, clusters: [] }));
  const uncovered: string[] = [];
  for (const c of [...clusters].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (!def.kubernetesVersion && !c.pins.some((p) => p.source.name === def.source)) continue;
    const w = plan.find((p) => matchesLabelSelectorObject(c.labels, p.wave.selector));
    if (w) w.clusters.push(c.name);
    else uncovered.push(c.name);
  }
  if (uncovered.length)
    diagnostics.push({
      code: "ROLLOUT_UNCOVERED",
      severity: "error",
      message: `rollout ${def.name}: ${uncovered.length} cluster${uncovered.length === 1 ? "" : "s"} ${def.kubernetesVersion ? "of the fleet" : `running source "${def.source}"`} ${uncovered.length === 1 ? "is" : "are"} in no wave: ${uncovered.join(", ")}`,
      location: def.location,
      hint: "add a wave whose selector matches them (an empty selector matches every cluster), or disable the source there",
    });
  return { plan, diagnostics };
}
