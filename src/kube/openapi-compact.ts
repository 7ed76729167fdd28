/**
 * Converts an upstream Kubernetes OpenAPI (swagger 2.0) document into braid's compact form: schemas reduced to
 * the keywords validation and strategic merge read (all `x-kubernetes-*` extensions kept), duplicate enum
 * values removed, and an index from group/version/kind to definition and scope.
 */
import { BraidError } from "../diagnostics/diagnostic.js";
import { gvkKey, type KindEntry, type KubeOpenApi, type SwaggerSchema } from "../model/kube-openapi.js";

/** Schema keywords kept in the compact form (besides every `x-kubernetes-*` key). */
const KEPT = new Set([
  "type",
  "format",
  "$ref",
  "required",
  "enum",
  "nullable",
  "pattern",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "uniqueItems",
  "minProperties",
  "maxProperties",
]);
/** Keywords whose value is a schema. */
const SUBSCHEMA = new Set(["additionalProperties", "items", "not"]);
/** Keywords whose value is a list of schemas. */
const SUBSCHEMA_LIST = new Set(["allOf", "anyOf", "oneOf"]);

const HINT =
  "give a Kubernetes OpenAPI v2 (swagger 2.0) document, e.g. the release's api/openapi-spec/swagger.json or `kubectl get --raw /openapi/v2`";

/** Reduces one schema node; recursion follows the schema structure only, so a property named "description" survives. */
function compactSchema(node: unknown): SwaggerSchema {
  if (!isObject(node)) return {};
  const out: SwaggerSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "properties" && isObject(value)) {
      const props: SwaggerSchema = {};
      for (const [name, sub] of Object.entries(value)) props[name] = compactSchema(sub);
      out.properties = props;
    } else if (SUBSCHEMA.has(key)) {
      if (typeof value === "boolean") out[key] = value;
      else if (Array.isArray(value)) out[key] = value.map(compactSchema);
      else if (isObject(value)) out[key] = compactSchema(value);
    } else if (SUBSCHEMA_LIST.has(key) && Array.isArray(value)) {
      out[key] = value.map(compactSchema);
    } else if (key === "enum" && Array.isArray(value)) {
      out.enum = dedupe(value);
    } else if (KEPT.has(key) || key.startsWith("x-kubernetes-")) {
      out[key] = value;
    }
  }
  return out;
}

/** Removes repeated enum values (some documents carry them; ajv rejects such schemas). */
function dedupe(values: readonly unknown[]): unknown[] {
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (const v of values) {
    const k = JSON.stringify(v);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(v);
    }
  }
  return out;
}

/** Builds the compact form. Throws `OPENAPI_INVALID` when the document is not a swagger 2.0 Kubernetes API. */
export function compactOpenApi(
  doc: unknown,
  meta: { kubernetesVersion: string; digest: string; origin: string },
): KubeOpenApi {
  if (!isObject(doc)) invalid(meta.origin, "it is not a JSON object");
  if (typeof doc.openapi === "string") {
    invalid(meta.origin, `it is an OpenAPI ${doc.openapi} document; braid reads the v2 (swagger 2.0) form`);
  }
  if (doc.swagger !== "2.0") invalid(meta.origin, 'it has no "swagger": "2.0" field');
  const defs = doc.definitions;
  if (!isObject(defs) || Object.keys(defs).length === 0) invalid(meta.origin, "it has no definitions");
  const compact = compactDocument(defs, doc.paths);
  if (Object.keys(compact.kinds).length === 0) {
    invalid(meta.origin, "no definition carries x-kubernetes-group-version-kind");
  }
  return { kubernetesVersion: meta.kubernetesVersion, digest: meta.digest, origin: meta.origin, ...compact };
}

/**
 * The compact form of a custom schema document, as kustomize's `openapi: {path: …}` reads one (kyaml openapi
 * `parse`): whatever `definitions` it has (no `swagger` field needed; none is an empty schema), kinds from
 * their x-kubernetes-group-version-kind, scopes from its paths. Its version is the build's.
 */
export function compactCustomOpenApi(
  doc: Record<string, unknown>,
  meta: { kubernetesVersion: string; digest: string; origin: string },
): KubeOpenApi {
  const compact = compactDocument(isObject(doc.definitions) ? doc.definitions : {}, doc.paths);
  return { kubernetesVersion: meta.kubernetesVersion, digest: meta.digest, origin: meta.origin, ...compact };
}

function compactDocument(defs: Record<string, unknown>, paths: unknown): Pick<KubeOpenApi, "definitions" | "kinds"> {
  const definitions: Record<string, SwaggerSchema> = {};
  const kinds: Record<string, KindEntry> = {};
  for (const [name, schema] of Object.entries(defs)) {
    definitions[name] = compactSchema(schema);
    for (const g of gvkList(isObject(schema) ? schema["x-kubernetes-group-version-kind"] : undefined)) {
      const key = gvkKey(g.group, g.version, g.kind);
      kinds[key] ??= { definition: name };
    }
  }
  const scopes = scopesFromPaths(paths);
  for (const [key, entry] of Object.entries(kinds)) {
    const scope = scopes.get(key);
    if (scope) entry.scope = scope;
  }
  return { definitions, kinds };
}

/** Scope of each kind: "Namespaced" when some operation on it is served under /namespaces/{namespace}/. */
export function scopesFromPaths(paths: unknown): Map<string, "Cluster" | "Namespaced"> {
  const scopes = new Map<string, "Cluster" | "Namespaced">();
  if (!isObject(paths)) return scopes;
  for (const [path, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    const namespaced = path.includes("/namespaces/{namespace}/");
    for (const op of Object.values(item)) {
      if (!isObject(op)) continue;
      for (const g of gvkList(op["x-kubernetes-group-version-kind"])) {
        const key = gvkKey(g.group, g.version, g.kind);
        if (namespaced) scopes.set(key, "Namespaced");
        else if (!scopes.has(key)) scopes.set(key, "Cluster");
      }
    }
  }
  return scopes;
}

/** Reads `x-kubernetes-group-version-kind`, which is a list on definitions and an object on operations. */
export function gvkList(value: unknown): { group: string; version: string; kind: string }[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  const out: { group: string; version: string; kind: string }[] = [];
  for (const g of list) {
    if (isObject(g) && typeof g.version === "string" && typeof g.kind === "string") {
      out.push({ group: typeof g.group === "string" ? g.group : "", version: g.version, kind: g.kind });
    }
  }
  return out;
}

function invalid(origin: string, why: string): never {
  throw new BraidError({
    code: "OPENAPI_INVALID",
    message: `the Kubernetes OpenAPI document ${origin} is unusable: ${why}`,
    location: { file: origin },
    hint: HINT,
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
