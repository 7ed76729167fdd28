/**
 * kustomize's output order (krusty `applySortOrder`, builtins SortOrderTransformer): without `sortOptions`
 * (and so for `kubectl kustomize` and kustomize-controller) the "legacy" order — kinds in a fixed priority
 * list first, webhook configurations last, the rest by group/version/kind, then by namespace and name;
 * `sortOptions.order: fifo` keeps the build order; `legacySortOptions` replaces the two kind lists.
 */
import type { Json, Resource, ResourceId } from "../model/resource.js";

/** kustomize's legacy order: these kinds first (kyaml resid `orderFirst`), in this order. */
export const KIND_ORDER_FIRST = [
  "Namespace",
  "ResourceQuota",
  "StorageClass",
  "CustomResourceDefinition",
  "ServiceAccount",
  "PodSecurityPolicy",
  "Role",
  "ClusterRole",
  "RoleBinding",
  "ClusterRoleBinding",
  "ConfigMap",
  "Secret",
  "Endpoints",
  "Service",
  "LimitRange",
  "PriorityClass",
  "PersistentVolume",
  "PersistentVolumeClaim",
  "Deployment",
  "StatefulSet",
  "CronJob",
  "PodDisruptionBudget",
];
/** …and these last (`orderLast`). */
export const KIND_ORDER_LAST = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];

/** `sortOptions` as written in a kustomization (already checked). */
export interface SortOptions {
  order: "legacy" | "fifo";
  orderFirst?: string[];
  orderLast?: string[];
}

function gvkString(id: ResourceId): string {
  return [id.group || "~G", id.version || "~V", id.kind || "~K"].join("_");
}

function idString(id: ResourceId): string {
  const gvk = [id.kind || "~K", id.version || "~V", id.group || "~G"].join(".");
  return [gvk, id.namespace || "~X", id.name || "~N"].join("|");
}

/** Reads `sortOptions`; an error string names the problem. */
export function parseSortOptions(v: Json | undefined): SortOptions | string {
  if (v === undefined || v === null) return { order: "legacy" };
  if (typeof v !== "object" || Array.isArray(v)) return "sortOptions must be a mapping";
  // kustomize's SortOrderTransformer: a sortOptions that is there needs its order (legacy is only the default
  // without sortOptions)
  const order = v.order;
  if (order !== "legacy" && order !== "fifo")
    return order === undefined || order === null || order === ""
      ? "sortOptions needs order: legacy or fifo (kustomize: the field 'sortOptions.order' must be one of [fifo, legacy])"
      : `sortOptions.order must be legacy or fifo, not ${JSON.stringify(order)}`;
  const legacy = v.legacySortOptions;
  if (legacy !== undefined && legacy !== null) {
    if (order !== "legacy") return "legacySortOptions needs order: legacy";
    if (typeof legacy !== "object" || Array.isArray(legacy)) return "sortOptions.legacySortOptions must be a mapping";
    const list = (x: Json | undefined) => (Array.isArray(x) ? x.filter((s): s is string => typeof s === "string") : []);
    return { order, orderFirst: list(legacy.orderFirst), orderLast: list(legacy.orderLast) };
  }
  return { order };
}

/** Sorts resources as kustomize outputs them (a stable sort; returns a new list). */
export function sortResources(resources: readonly Resource[], options: SortOptions): Resource[] {
  if (options.order === "fifo") return [...resources];
  const first = options.orderFirst ?? KIND_ORDER_FIRST;
  const last = options.orderLast ?? KIND_ORDER_LAST;
  const rank = new Map<string, number>();
  first.forEach((k, i) => rank.set(k, -first.length + i));
  last.forEach((k, i) => rank.set(k, 1 + i));
  const keyed = resources.map((r) => ({ r, rank: rank.get(r.id.kind) ?? 0, gvk: gvkString(r.id), id: idString(r.id) }));
  keyed.sort((a, b) => {
    if (a.gvk !== b.gvk) {
      if (a.rank !== b.rank) return a.rank - b.rank;
      return a.gvk < b.gvk ? -1 : 1;
    }
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
  return keyed.map((k) => k.r);
}
