/**
 * What the rest of braid needs from the Kubernetes OpenAPI: scopes (for output paths) and the strategic
 * merge metadata of each kind. Implemented by src/validate/kube-schema-index.ts over
 * what src/kube/ loads; consumed by render.
 */

/** Group/version/kind. `group` is "" for the core group. */
export interface Gvk {
  group: string;
  version: string;
  kind: string;
}

/** Strategic-merge navigation of one schema node. */
export interface PatchSchema {
  /** Schema of an object property (undefined when the schema does not know it). */
  property(name: string): PatchSchema | undefined;
  /** Schema of list items, or of map values (additionalProperties). */
  elements(): PatchSchema | undefined;
  /** `x-kubernetes-patch-merge-key` on a list field. */
  readonly patchMergeKey?: string;
  /** `x-kubernetes-patch-strategy`, split on commas (e.g. ["merge", "retainKeys"]). */
  readonly patchStrategy?: readonly string[];
  /** `x-kubernetes-list-type`: atomic | set | map. */
  readonly listType?: string;
  /** `x-kubernetes-list-map-keys`. */
  readonly listMapKeys?: readonly string[];
}

/** Index over one Kubernetes OpenAPI document (plus CRDs). */
export interface KubeSchemaIndex {
  /** Kubernetes version, e.g. "1.34". */
  readonly kubernetesVersion: string;
  /** Scope of a kind; undefined when the kind is unknown. */
  scope(gvk: Gvk): "Cluster" | "Namespaced" | undefined;
  /** Strategic-merge schema for a kind; undefined for kinds without one (lists are then replaced). */
  patchSchema(gvk: Gvk): PatchSchema | undefined;
}
