/**
 * braid's compact form of a Kubernetes OpenAPI (swagger 2.0) document: what validation and strategic merge
 * need, nothing more. Built at run time from the upstream document and cached by content digest; never
 * committed to the project.
 */

/** A swagger 2.0 schema object, reduced to what braid reads. `$ref`s stay as "#/definitions/<name>". */
export type SwaggerSchema = { [key: string]: unknown };

/** One kind served by the API. */
export interface KindEntry {
  /** Name of its definition in `definitions`. */
  definition: string;
  /** From the document's paths: "Namespaced" when served under /namespaces/{namespace}/. */
  scope?: "Cluster" | "Namespaced";
}

/** The compact document. */
export interface KubeOpenApi {
  /** e.g. "1.34". */
  kubernetesVersion: string;
  /** sha256 of the upstream document's bytes. */
  digest: string;
  /** Where it was read from (file path or URL; never contains credentials). */
  origin: string;
  definitions: Record<string, SwaggerSchema>;
  /** Key: gvkKey(group, version, kind). */
  kinds: Record<string, KindEntry>;
}

/** "apps/v1/Deployment", "/v1/ConfigMap" for the core group. */
export function gvkKey(group: string, version: string, kind: string): string {
  return `${group}/${version}/${kind}`;
}
