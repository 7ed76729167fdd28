import type { SourceLocation } from "../diagnostics/diagnostic.js";
import type { LabelSelector } from "./types.js";
import type { JsonPath } from "../model/resource.js";
import { KUBERNETES_VERSION, parseDuration, type RolloutDef } from "./rollout-types.js";

const DEFAULT_HEALTH_TIMEOUT = "1h";

/** Turns a schema-checked Rollout document into a definition; `loc` maps a JSON path to file:line:col. */
export function toRolloutDef(
  value: Record<string, unknown>,
  file: string,
  loc: (path: JsonPath) => SourceLocation,
): RolloutDef {
  const spec = value.spec as Record<string, unknown>;
  const meta = value.metadata as { name: string };
  const waves = (spec.waves as Record<string, unknown>[]).map((w, i) => {
    const gate = (w.gate as Record<string, string> | undefined) ?? {};
    return {
      name: w.name as string,
      selector: w.selector as LabelSelector,
      ...(w.maxParallel !== undefined ? { maxParallel: w.maxParallel as number | string } : {}),
      gate: {
        ...(gate.soak ? { soak: gate.soak, soakMs: parseDuration(gate.soak) } : {}),
        ...(gate.approval ? { approval: gate.approval } : {}),
        ...(gate.health ? { health: gate.health as "flux-commit-status" } : {}),
        healthTimeoutMs: parseDuration(gate.healthTimeout ?? DEFAULT_HEALTH_TIMEOUT),
      },
      location: loc(["spec", "waves", i, "name"]),
    };
  });
  return {
    name: meta.name,
    file,
    source: (spec.source as string | undefined) ?? KUBERNETES_VERSION,
    target: (spec.target as RolloutDef["target"] | undefined) ?? {},
    ...(typeof spec.kubernetesVersion === "string" ? { kubernetesVersion: spec.kubernetesVersion } : {}),
    healthKustomization: (spec.healthKustomization as string | undefined) ?? "{cluster}",
    waves,
    location: loc(["metadata", "name"]),
    sourceLocation: loc(["spec", spec.source === undefined ? "kubernetesVersion" : "source"]),
  };
}

/** How many clusters of a wave of `size` move per step. */
export function batchSize(maxParallel: number | string | undefined, size: number): number {
  if (maxParallel === undefined) return Math.max(size, 1);
  if (typeof maxParallel === "number") return maxParallel;
  return Math.max(1, Math.ceil((size * Number(maxParallel.slice(0, -1))) / 100));
}
