import type { FleetRun } from "../pipeline/render-fleet.js";
import { batchSize } from "../config/rollout-def.js";
import { planRollout } from "../config/rollout-plan.js";
import type { RolloutDef } from "../config/rollout-types.js";

/** A rollout definition without its positions, to tell whether a PR changed it. */
function essence(def: RolloutDef): string {
  return JSON.stringify({
    s: def.source,
    t: def.target,
    h: def.healthKustomization,
    w: def.waves.map((w) => ({ ...w, location: undefined })),
  });
}

/**
 * Preview notes for rollouts a change adds or changes (pure): the wave plan at head — which clusters, in which
 * order, how many at a time, and the gate of each wave.
 */
export function rolloutPlanNotes(base: FleetRun | undefined, head: FleetRun): string[] {
  if (!head.fleet) return [];
  const before = new Map((base?.fleet?.rollouts ?? []).map((r) => [r.name, essence(r)]));
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- runs built without layering (tools, tests)
  const clusters = head.clusters.map((c) => c.cluster).filter((c) => c !== undefined);
  const notes: string[] = [];
  for (const def of head.fleet.rollouts ?? []) {
    const was = before.get(def.name);
    if (was === essence(def)) continue;
    const { plan } = planRollout(head.fleet, def, clusters);
    const target = def.kubernetesVersion
      ? `Kubernetes ${def.kubernetesVersion}`
      : (def.target.tag ?? `newest of ${def.target.semver}`);
    const waves = plan.map(({ wave, clusters: names }, i) => {
      const gate = [
        wave.gate.soak && `soak ${wave.gate.soak}`,
        wave.gate.approval && `approval "${wave.gate.approval}"`,
        wave.gate.health && `Flux health (timeout ${Math.round(wave.gate.healthTimeoutMs / 60000)}m)`,
      ]
        .filter(Boolean)
        .join(", ");
      return `${i + 1}. ${wave.name}: ${names.join(", ") || "no clusters"} (${batchSize(wave.maxParallel, names.length)} at a time${gate ? `; gate: ${gate}` : ""})`;
    });
    const what = def.kubernetesVersion ? "the Kubernetes version" : `source ${def.source}`;
    notes.push(
      `rollout ${def.name} ${was === undefined ? "added" : "changed"}: ${what} → ${target}, waves in order: ${waves.join("; ")}`,
    );
  }
  return notes;
}
