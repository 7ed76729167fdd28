/**
 * Strategic-merge navigation over the compact Kubernetes OpenAPI: follows `$ref`s lazily and reads the
 * `x-kubernetes-patch-*` and `x-kubernetes-list-*` extensions of each field.
 */
import type { KubeOpenApi, SwaggerSchema } from "../model/kube-openapi.js";
import type { PatchSchema } from "../model/kube-schema.js";

const REF_PREFIX = "#/definitions/";

/**
 * Builds the `PatchSchema` of one definition (e.g. "io.k8s.api.apps.v1.Deployment"). Children are
 * created on first use and memoized per schema node, so a whole document costs nothing until navigated.
 */
export function createPatchSchema(openapi: KubeOpenApi, definition: string): PatchSchema {
  let cache = caches.get(openapi);
  if (!cache) {
    cache = new WeakMap();
    caches.set(openapi, cache);
  }
  const root = openapi.definitions[definition];
  return nodeFor(openapi, root ?? {}, cache);
}

/** One node cache per document, shared by every kind built from it. */
const caches = new WeakMap<KubeOpenApi, WeakMap<SwaggerSchema, PatchSchema>>();

/** Follows `$ref` (and single-entry `allOf` wrappers) to the schema that holds properties/items. */
function resolve(openapi: KubeOpenApi, schema: SwaggerSchema, depth = 0): SwaggerSchema {
  if (depth > 32) return schema;
  const ref = schema.$ref;
  if (typeof ref === "string" && ref.startsWith(REF_PREFIX)) {
    const target = openapi.definitions[ref.slice(REF_PREFIX.length)];
    return target ? resolve(openapi, target, depth + 1) : schema;
  }
  const allOf = schema.allOf;
  if (Array.isArray(allOf) && allOf.length === 1 && isSchema(allOf[0])) {
    return resolve(openapi, allOf[0], depth + 1);
  }
  return schema;
}

function isSchema(v: unknown): v is SwaggerSchema {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function stringList(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === "string") ? v : undefined;
}

/** Extensions may sit on the field (beside its `$ref`) or on the referenced definition; the field wins. */
function extension(field: SwaggerSchema, resolved: SwaggerSchema, name: string): unknown {
  return field[name] !== undefined ? field[name] : resolved[name];
}

function nodeFor(openapi: KubeOpenApi, field: SwaggerSchema, cache: WeakMap<SwaggerSchema, PatchSchema>): PatchSchema {
  const hit = cache.get(field);
  if (hit) return hit;
  const resolved = resolve(openapi, field);
  const mergeKey = extension(field, resolved, "x-kubernetes-patch-merge-key");
  const strategy = extension(field, resolved, "x-kubernetes-patch-strategy");
  const listType = extension(field, resolved, "x-kubernetes-list-type");
  const mapKeys = stringList(extension(field, resolved, "x-kubernetes-list-map-keys"));
  const children = new Map<string, PatchSchema | undefined>();
  let elements: PatchSchema | undefined | null = null;
  const node: PatchSchema = {
    ...(typeof mergeKey === "string" ? { patchMergeKey: mergeKey } : {}),
    ...(typeof strategy === "string"
      ? {
          patchStrategy: strategy
            .split(",")
            .map((s) => s.trim())
            .filter((s) => s !== ""),
        }
      : {}),
    ...(typeof listType === "string" ? { listType } : {}),
    ...(mapKeys ? { listMapKeys: mapKeys } : {}),
    property(name: string): PatchSchema | undefined {
      if (children.has(name)) return children.get(name);
      const props = resolved.properties;
      const child =
        isSchema(props) && Object.hasOwn(props, name) && isSchema(props[name])
          ? nodeFor(openapi, props[name], cache)
          : undefined;
      children.set(name, child);
      return child;
    },
    elements(): PatchSchema | undefined {
      if (elements !== null) return elements;
      const items = resolved.items;
      const extra = resolved.additionalProperties;
      elements = isSchema(items)
        ? nodeFor(openapi, items, cache)
        : isSchema(extra)
          ? nodeFor(openapi, extra, cache)
          : undefined;
      return elements;
    },
  };
  cache.set(field, node);
  return node;
}
