/**
 * CustomResourceDefinitions as schema sources: every served version of every CRD (from the render or from
 * the fleet's schemas/) gives the schema, scope and CEL rule count of one group/version/kind.
 */
import { gvkKey } from "../model/kube-openapi.js";
import type { Json, JsonObject, Resource } from "../model/resource.js";

/** One served version of a CRD. */
export interface CrdVersion {
  /** The CRD's metadata.name, e.g. "widgets.example.com". */
  crd: string;
  group: string;
  version: string;
  kind: string;
  scope: "Cluster" | "Namespaced";
  /** The version's openAPIV3Schema; undefined when the CRD gives none (anything is accepted). */
  schema?: JsonObject;
  /** Number of `x-kubernetes-validations` rules in the schema (CEL, not evaluated by braid). */
  celRules: number;
  /** The CRD resource it came from. */
  source: Resource;
}

/** All CRD versions, by gvkKey, and the served versions of each group/kind (for "wrong version" messages). */
export interface CrdIndex {
  versions: Map<string, CrdVersion>;
  servedByGroupKind: Map<string, string[]>;
}

/** True for an apiextensions.k8s.io CustomResourceDefinition. */
export function isCrd(r: Resource): boolean {
  return r.id.group === "apiextensions.k8s.io" && r.id.kind === "CustomResourceDefinition";
}

/** Indexes the served versions of CRDs; a later CRD for the same group/version/kind wins (render over schemas/). */
export function indexCrds(crds: readonly Resource[]): CrdIndex {
  const versions = new Map<string, CrdVersion>();
  const servedByGroupKind = new Map<string, string[]>();
  for (const r of crds) {
    if (!isCrd(r)) continue;
    for (const v of crdVersions(r)) {
      versions.set(gvkKey(v.group, v.version, v.kind), v);
      const gk = `${v.group}/${v.kind}`;
      const list = servedByGroupKind.get(gk) ?? [];
      if (!list.includes(v.version)) list.push(v.version);
      servedByGroupKind.set(gk, list);
    }
  }
  return { versions, servedByGroupKind };
}

/** The served versions of one CRD (apiextensions v1, and the v1beta1 top-level `validation` form). */
function crdVersions(r: Resource): CrdVersion[] {
  const spec = obj(r.object.spec);
  const names = obj(spec?.names);
  const group = str(spec?.group);
  const kind = str(names?.kind);
  if (!spec || !group || !kind) return [];
  const scope = spec.scope === "Cluster" ? "Cluster" : "Namespaced";
  const topSchema = obj(obj(spec.validation)?.openAPIV3Schema);
  const out: CrdVersion[] = [];
  const list = Array.isArray(spec.versions) ? spec.versions : [];
  const single = str(spec.version);
  const entries: Json[] = list.length ? list : single ? [{ name: single, served: true }] : [];
  for (const entry of entries) {
    const v = obj(entry);
    const version = str(v?.name);
    if (!v || !version || v.served === false) continue;
    const schema = obj(obj(v.schema)?.openAPIV3Schema) ?? topSchema;
    out.push({ crd: r.id.name, group, version, kind, scope, schema, celRules: countCel(schema), source: r });
  }
  return out;
}

/** Counts CEL rules (`x-kubernetes-validations` entries) anywhere in a schema. */
function countCel(schema: Json | undefined): number {
  if (schema === null || typeof schema !== "object") return 0;
  if (Array.isArray(schema)) return schema.reduce((n: number, s) => n + countCel(s), 0);
  let n = 0;
  for (const [k, v] of Object.entries(schema)) {
    if (k === "x-kubernetes-validations" && Array.isArray(v)) n += v.length;
    else n += countCel(v);
  }
  return n;
}

function obj(v: Json | undefined): JsonObject | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? v : undefined;
}

function str(v: Json | undefined): string | undefined {
  return typeof v === "string" && v ? v : undefined;
}
