/**
 * kustomize's `openapi` field (kyaml openapi `SetSchema`, `parse`): `path` names a schema document whose
 * definitions replace the built-in Kubernetes schema for every strategic merge of the build — kinds it does
 * not define get no merge keys — and `version` picks one of the schemas built into kustomize (only v1.21.2,
 * its default). Argo Rollouts documents this for patching a Rollout's containers by name.
 */
import { compactCustomOpenApi } from "../kube/openapi-compact.js";
import type { KubeSchemaIndex } from "../model/kube-schema.js";
import { documentToJs, parseYamlFile } from "../model/yaml-file.js";
import { createKubeSchemaIndex } from "../validate/kube-schema-index.js";

/** The one schema version built into kustomize (kyaml/openapi/kubernetesapi): its default. */
export const BUILTIN_OPENAPI_VERSION = "v1.21.2";

/**
 * The schema strategic merges read once a custom document is chosen: its kinds' merge metadata, the build's
 * scopes (braid takes scopes from kustomize's own table). `problem` says why kustomize cannot read the document:
 * JSON when the text starts with `{`, else YAML; a mapping.
 */
export function customSchemaIndex(
  bytes: Uint8Array,
  base: KubeSchemaIndex | undefined,
  origin: string,
): KubeSchemaIndex | { problem: string } {
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
  return {
    kubernetesVersion: version,
    scope: (gvk) => base?.scope(gvk),
    patchSchema: (gvk) => custom.patchSchema(gvk),
  };
}
