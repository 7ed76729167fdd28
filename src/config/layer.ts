import { setOwn } from "../model/own-keys.js";
import { matchesLabelSelectorObject } from "../model/select-targets.js";
import type { ClusterDef, EffectiveCluster, EffectivePin, Fleet, LayerDef } from "./types.js";
import { pushAll } from "../model/append.js";

/** Variable name for a label key: CLUSTER_LABEL_<key with every char outside [A-Za-z0-9_] as _>. */
function labelVarName(key: string): string {
  return `CLUSTER_LABEL_${key.replace(/[^A-Za-z0-9_]/g, "_")}`;
}

/** Built-in variables of a cluster: CLUSTER_NAME and one CLUSTER_LABEL_<key> per label. */
function builtinVars(cluster: Pick<ClusterDef, "name" | "labels">): Record<string, string> {
  const vars: Record<string, string> = { CLUSTER_NAME: cluster.name };
  for (const k of Object.keys(cluster.labels).sort()) vars[labelVarName(k)] = cluster.labels[k]!;
  return vars;
}

/**
 * Layers fleet defaults → matching groups (priority, then name) → the cluster. Later layers override pins and
 * vars and append patches. Which sources run is separate from pins: every fleet source runs unless it is
 * `enabled: false` (in braid.yaml as the default, or in a group or the cluster); the last layer that sets
 * `enabled` decides. Listing a source with only a `ref` overrides its pin and never changes the source set.
 */
export function effectiveCluster(fleet: Fleet, cluster: ClusterDef): EffectiveCluster {
  const groups = fleet.groups.filter((g) => matchesLabelSelectorObject(cluster.labels, g.selector));
  const layers: LayerDef[] = [...groups, cluster];
  const sourceByName = new Map(fleet.sources.map((s) => [s.name, s]));

  const enabled = new Map(fleet.sources.map((s) => [s.name, s.enabled !== false]));
  const substitute = new Map(fleet.sources.map((s) => [s.name, s.substitute !== false]));
  const pins = new Map<string, EffectivePin>();
  for (const p of fleet.defaults.sources) {
    const source = sourceByName.get(p.source);
    if (source)
      pins.set(p.source, {
        source,
        ref: p.ref,
        location: p.location,
        ...(p.namespace ? { namespace: p.namespace } : {}),
      });
  }
  for (const layer of layers)
    for (const p of layer.sources) {
      const source = sourceByName.get(p.source);
      if (!source) continue;
      if (p.enabled !== undefined) enabled.set(p.source, p.enabled);
      if (p.substitute !== undefined) substitute.set(p.source, p.substitute);
      const prev = pins.get(p.source);
      const next: EffectivePin = p.ref
        ? { source, ref: p.ref, location: p.location }
        : { ...(prev ?? { source, ref: source.ref, location: p.location }) };
      // the namespace layers on its own: a layer that sets only a namespace keeps the ref, and vice versa
      const namespace = p.namespace ?? prev?.namespace;
      if (namespace) next.namespace = namespace;
      else delete next.namespace;
      pins.set(p.source, next);
    }
  const running = [...pins.values()]
    .filter((p) => enabled.get(p.source.name))
    .map((p) => ({ ...p, substitute: substitute.get(p.source.name) ?? true }));

  const vars: Record<string, string> = { ...builtinVars(cluster) };
  const patches = [...fleet.defaults.patches];
  for (const layer of [fleet.defaults, ...layers]) for (const [k, v] of Object.entries(layer.vars)) setOwn(vars, k, v); // `__proto__` too
  for (const layer of layers) pushAll(patches, layer.patches);

  return {
    name: cluster.name,
    labels: cluster.labels,
    annotations: cluster.annotations,
    pins: running.sort((a, b) => fleet.sources.indexOf(a.source) - fleet.sources.indexOf(b.source)),
    vars,
    patches,
    groups: groups.map((g) => g.name),
    kubernetesVersion: layers.reduce((v, l) => l.kubernetesVersion ?? v, fleet.kubernetesVersion),
    disabledSources: fleet.sources.filter((s) => !enabled.get(s.name)).map((s) => s.name),
    location: cluster.location,
  };
}
