/**
 * The `KubeSchemaIndex` render uses: scopes of kinds (from the OpenAPI document's paths and from CRDs'
 * spec.scope) and strategic-merge schemas of built-in kinds (CRD kinds have none: lists are replaced).
 */
import { gvkKey, type KubeOpenApi } from "../model/kube-openapi.js";
import type { Gvk, KubeSchemaIndex, PatchSchema } from "../model/kube-schema.js";
import type { Resource } from "../model/resource.js";
import { indexCrds } from "./crd.js";
import { createPatchSchema } from "./patch-schema.js";

/** Builds the index; CRDs win over the OpenAPI document for kinds both know (the render's CRD is newer). */
export function createKubeSchemaIndex(openapi: KubeOpenApi, crds: Resource[]): KubeSchemaIndex {
  const crdVersions = indexCrds(crds).versions;
  const crdScopeByGroupKind = new Map<string, "Cluster" | "Namespaced">();
  for (const v of crdVersions.values()) crdScopeByGroupKind.set(`${v.group}/${v.kind}`, v.scope);
  const patchSchemas = new Map<string, PatchSchema | undefined>();
  const scopes = new Map<string, "Cluster" | "Namespaced" | undefined>();
  const scopeOf = (gvk: Gvk, key: string): "Cluster" | "Namespaced" | undefined => {
    const crd = crdVersions.get(key);
    if (crd) return crd.scope;
    const entry = openapi.kinds[key];
    if (entry?.scope) return entry.scope;
    // scope does not depend on the version: another version of the same kind, or a CRD serving another one
    const groupKind = crdScopeByGroupKind.get(`${gvk.group}/${gvk.kind}`);
    if (groupKind) return groupKind;
    for (const [k, e] of Object.entries(openapi.kinds)) {
      if (e.scope && k.startsWith(`${gvk.group}/`) && k.endsWith(`/${gvk.kind}`) && k.split("/").length === 3)
        return e.scope;
    }
    return undefined;
  };
  return {
    kubernetesVersion: openapi.kubernetesVersion,
    scope(gvk: Gvk) {
      const key = gvkKey(gvk.group, gvk.version, gvk.kind);
      if (!scopes.has(key)) scopes.set(key, scopeOf(gvk, key));
      return scopes.get(key);
    },
    patchSchema(gvk: Gvk) {
      const key = gvkKey(gvk.group, gvk.version, gvk.kind);
      if (patchSchemas.has(key)) return patchSchemas.get(key);
      const entry = crdVersions.has(key) ? undefined : openapi.kinds[key];
      const schema = entry ? createPatchSchema(openapi, entry.definition) : undefined;
      patchSchemas.set(key, schema);
      return schema;
    },
  };
}
