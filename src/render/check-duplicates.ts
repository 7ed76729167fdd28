import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { KubeSchemaIndex } from "../model/kube-schema.js";
import { describeId, idKey, type Resource, type ResourceId } from "../model/resource.js";

function originLocation(r: Resource) {
  const o = r.origin;
  return { file: o.file, line: o.line, column: o.column, source: o.source, commit: o.commit };
}

/** Duplicate keys of the ids seen in a run, with the schema index they were made with (ids are shared across clusters). */
export type DuplicateKeys = WeakMap<ResourceId, { schema: KubeSchemaIndex | undefined; key: string }>;

function keyOf(r: Resource, schema: KubeSchemaIndex | undefined, keys: DuplicateKeys | undefined): string {
  const known = keys?.get(r.id);
  if (known && known.schema === schema) return known.key;
  // a cluster-scoped object is one whatever namespace it carries (kustomize gives kinds newer than its schema one)
  const namespace = schema?.scope(r.id) === "Cluster" ? "" : r.id.namespace || "default";
  const key = idKey({ ...r.id, namespace });
  keys?.set(r.id, { schema, key });
  return key;
}

/**
 * Two documents with the same group/kind/namespace/name in one cluster: an error naming both origins. Keeps
 * the first. As for kustomize and the API server, a namespaced object without a namespace is in `default`,
 * and a cluster-scoped one is in none (a `metadata.namespace` it carries is dropped by the API server).
 */
export function checkDuplicates(
  resources: readonly Resource[],
  cluster: string,
  schema?: KubeSchemaIndex,
  keys?: DuplicateKeys,
): { resources: Resource[]; diagnostics: Diagnostic[] } {
  const seen = new Map<string, Resource>();
  const out: Resource[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const r of resources) {
    const key = keyOf(r, schema, keys);
    const first = seen.get(key);
    if (first) {
      diagnostics.push({
        code: "DUPLICATE_RESOURCE",
        severity: "error",
        cluster,
        resource: describeId(r.id),
        message:
          `${describeId(r.id)}${r.id.group ? ` (${r.id.group})` : ""} is defined twice` +
          // two versions of one object: kustomize keeps both (its ids hold the version); the API server holds one
          (first.id.version !== r.id.version
            ? `, as ${first.id.version} and ${r.id.version}: the API server holds one object for both versions, and the deploy folder one file`
            : ""),
        location: originLocation(r),
        related: [{ message: "first defined", location: originLocation(first) }],
        hint:
          first.id.version !== r.id.version
            ? "keep the version you deploy: remove the other, or exclude its file from the source (exclude: [...])"
            : "remove one of them, or exclude one file from its source (exclude: [...])",
      });
      continue;
    }
    seen.set(key, r);
    out.push(r);
  }
  return { resources: out, diagnostics };
}
