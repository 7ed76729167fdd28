/**
 * kustomize's `openapi` field (kyaml openapi `SetSchema`, `parse`): `path` names a schema document whose
 * definitions replace the built-in Kubernetes schema for every strategic merge of the build — kinds it does
 * not define get no merge keys — and `version` picks one of the schemas built into kustomize (only v1.21.2,
 * its default). Argo Rollouts documents this for patching a Rollout's containers by name.
 */
import type { Diagnostic, SourceLocation } from "../diagnostics/diagnostic.js";
import { compactCustomOpenApi, scopesFromPaths } from "../kube/openapi-compact.js";
import { gvkKey } from "../model/kube-openapi.js";
import type { KubeSchemaIndex } from "../model/kube-schema.js";
import { isClusterScoped } from "../model/kustomize-scope.js";
import type { Resource } from "../model/resource.js";
import { documentToJs, parseYamlFile } from "../model/yaml-file.js";
import { createKubeSchemaIndex } from "../validate/kube-schema-index.js";

/** The one schema version built into kustomize (kyaml/openapi/kubernetesapi): its default. */
export const BUILTIN_OPENAPI_VERSION = "v1.21.2";

/**
 * The schema strategic merges read once a custom document is chosen: its kinds' merge metadata, the build's
 * scopes. `clusterKinds` are the kinds (gvk keys) the document's paths serve without a namespace and kustomize's
 * own table does not hold as cluster-scoped: kustomize then takes them as cluster-scoped, braid does not (yet).
 * `problem` says why kustomize cannot read the document: JSON when the text starts with `{`, else YAML; a mapping.
 */
export function customSchemaIndex(
  bytes: Uint8Array,
  base: KubeSchemaIndex | undefined,
  origin: string,
): (KubeSchemaIndex & { clusterKinds: ReadonlySet<string> }) | { problem: string } {
  const text = new TextDecoder().decode(bytes);
  let doc: unknown;
  if (text.startsWith("{")) {
    try {
      doc = JSON.parse(text);
    } catch (e) {
      return { problem: (e as Error).message };
    }
  } else {
    const yaml = parseYamlFile(text, origin);
    const first = yaml.docs[0];
    if (yaml.diagnostics.length) return { problem: yaml.diagnostics[0]!.message };
    if (!first?.contents) return { problem: "it is empty" };
    const js = documentToJs(first, origin, yaml.lineCounter);
    if (js.diagnostic) return { problem: js.diagnostic.message };
    doc = js.value;
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc))
    return { problem: "it is not a mapping (an OpenAPI document with definitions)" };
  const version = base?.kubernetesVersion ?? "";
  const custom = createKubeSchemaIndex(
    compactCustomOpenApi(doc as Record<string, unknown>, { kubernetesVersion: version, digest: "", origin }),
    [],
  );
  const clusterKinds = new Set<string>();
  for (const [key, scope] of scopesFromPaths((doc as Record<string, unknown>).paths)) {
    const [group = "", v = "", kind = ""] = key.split("/");
    if (scope === "Cluster" && !isClusterScoped({ group, version: v, kind })) clusterKinds.add(key);
  }
  return {
    kubernetesVersion: version,
    scope: (gvk) => base?.scope(gvk),
    patchSchema: (gvk) => custom.patchSchema(gvk),
    clusterKinds,
  };
}

/**
 * kustomize's global OpenAPI schema during one build (kyaml openapi `SetSchema`), shared by every folder it
 * builds: chosen once — by the top kustomization's `openapi`, else by the first folder built that has one, when
 * that folder starts — and read by every strategic merge from then on. `index` is a custom document's; none is
 * the build's own schema.
 */
export interface OpenApiChoice {
  chosen: boolean;
  index?: KubeSchemaIndex;
  /** Kinds the custom document makes cluster-scoped that kustomize's table does not, and where it was named. */
  clusterKinds?: { kinds: ReadonlySet<string>; at: SourceLocation };
}

/**
 * A custom schema whose paths make a kind of the build's objects cluster-scoped where kustomize's own table
 * does not: kustomize then places and references those objects as cluster-scoped (no namespace from the
 * namespace transformer…); braid does not take scopes from a custom schema, so it refuses the build rather
 * than write it otherwise.
 */
export function customScopeProblems(choice: OpenApiChoice | undefined, resources: readonly Resource[]): Diagnostic[] {
  const custom = choice?.clusterKinds;
  if (!custom) return [];
  const found = new Set<string>();
  for (const r of resources) {
    const key = gvkKey(r.id.group, r.id.version, r.id.kind);
    if (custom.kinds.has(key)) found.add(`${r.id.kind} (${r.id.group ? `${r.id.group}/` : ""}${r.id.version})`);
  }
  if (!found.size) return [];
  return [
    {
      code: "KUSTOMIZE_UNSUPPORTED",
      severity: "error",
      message: `the openapi schema's paths make ${[...found].sort().join(", ")} cluster-scoped, where kustomize's own table does not: kustomize then gives those objects no namespace and references them as cluster-scoped; braid takes scopes from kustomize's table only`,
      location: custom.at,
      hint: "remove the paths of those kinds from the schema document (strategic merges read only its definitions)",
    },
  ];
}
