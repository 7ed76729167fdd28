import { setOwn } from "../model/own-keys.js";
import { matchesLabelSelectorObject } from "../render/select-targets.js";
import type { ClusterDef, EffectiveCluster, EffectivePin, Fleet, LayerDef } from "./types.js";

/** Variable name for a label key: CLUSTER_LABEL_<key with every char outside [A-Za-z0-9_] as _>. */
export function labelVarName(key: string): string {
  return `CLUSTER_LABEL_${key.replace(/[^A-Za-z0-9_]/g, "_")}`;
}

/** Built-in variables of a cluster: CLUSTER_NAME and one CLUSTER_LABEL_<key> per label. */
export function builtinVars(cluster: Pick<ClusterDef, "name" | "labels">): Record<string, string> {
  const vars: Record<string, string> = { CLUSTER_NAME: cluster.name };
  for (const k of Object.keys(cluster.labels).sort()) vars[labelVarName(k)] = cluster.labels[k]!;
  return vars;
}

/**
 * Layers fleet defaults → matching groups (priority, then name) → the cluster. Later layers override pins and
 * vars and append patches. The cluster runs the sources its groups and itself list; when no layer lists any,
 * it runs every source of the fleet.
 */
export function effectiveCluster(fleet: Fleet, cluster: ClusterDef): EffectiveCluster {
  const groups = fleet.groups.filter((g) => matchesLabelSelectorObject(cluster.labels, g.selector));
  const layers: LayerDef[] = [...groups, cluster];
  const named = new Set(layers.flatMap((l) => l.sources.map((p) => p.source)));
  const sourceByName = new Map(fleet.sources.map((s) => [s.name, s]));

  const pins = new Map<string, EffectivePin>();
  for (const p of fleet.defaults.sources) {
    const source = sourceByName.get(p.source);
    if (source && (named.size === 0 || named.has(p.source))) pins.set(p.source, { source, ref: p.ref, location: p.location });
  }
  for (const layer of layers)
    for (const p of layer.sources) {
      const source = sourceByName.get(p.source);
      if (!source) continue;
      const prev = pins.get(p.source);
      pins.set(p.source, p.ref ? { source, ref: p.ref, location: p.location } : (prev ?? { source, ref: source.ref, location: p.location }));
    }

  const vars: Record<string, string> = { ...builtinVars(cluster) };
  const patches = [...fleet.defaults.patches];
  for (const layer of [fleet.defaults, ...layers]) for (const [k, v] of Object.entries(layer.vars)) setOwn(vars, k, v); // `__proto__` too
  for (const layer of layers) patches.push(...layer.patches);

  return {
    name: cluster.name,
    labels: cluster.labels,
    annotations: cluster.annotations,
    pins: [...pins.values()].sort((a, b) => fleet.sources.indexOf(a.source) - fleet.sources.indexOf(b.source)),
    vars,
    patches,
    groups: groups.map((g) => g.name),
    location: cluster.location,
  };
}
