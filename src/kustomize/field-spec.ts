/**
 * kustomize's field specs: "which field of which kinds" a transformer writes (e.g. `spec/selector/matchLabels`
 * of Deployments). A path is `/`-separated; a list met on the way is walked element by element (with or
 * without a `[]` suffix on the segment, as kustomize's fieldspec filter does); `create` makes missing maps.
 */
import type { Json, JsonObject, JsonPath, ResourceId } from "../model/resource.js";

/** One field spec: a path and the kinds it applies to (unset selector fields match anything). */
export interface FieldSpec {
  path: string;
  kind?: string;
  group?: string;
  version?: string;
  create?: boolean;
}

/** True when a field spec applies to a resource of this id. */
export function specSelects(
  spec: Pick<FieldSpec, "kind" | "group" | "version">,
  id: Pick<ResourceId, "group" | "version" | "kind">,
): boolean {
  return (
    (spec.kind === undefined || spec.kind === id.kind) &&
    (spec.group === undefined || spec.group === id.group) &&
    (spec.version === undefined || spec.version === id.version)
  );
}

/** True for a JSON object (not a list, not null). */
export function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Calls `visit(parent, key, path)` for every place the spec's path reaches inside `object` (which the
 * caller owns: it is changed in place). The last segment need not exist; a missing map on the way is
 * created only when `create` is set. `path` is the JSON path of the field.
 */
export function walkFieldSpec(
  object: JsonObject,
  spec: Pick<FieldSpec, "path" | "create">,
  visit: (parent: JsonObject, key: string, path: JsonPath) => void,
): void {
  const segments = splitSpecPath(spec.path);
  const walk = (node: Json | undefined, i: number, path: (string | number)[]): void => {
    if (Array.isArray(node)) {
      node.forEach((item, n) => walk(item, i, [...path, n]));
      return;
    }
    if (!isObject(node)) return;
    const raw = segments[i]!;
    const list = raw.endsWith("[]");
    const key = list ? raw.slice(0, -2) : raw;
    if (i === segments.length - 1) {
      visit(node, key, [...path, key]);
      return;
    }
    let child = node[key];
    if ((child === undefined || child === null) && spec.create && !list) {
      child = {};
      node[key] = child;
    }
    if (child === undefined || child === null) return;
    if (list) {
      if (!Array.isArray(child)) return;
      child.forEach((item, n) => walk(item, i + 1, [...path, key, n]));
      return;
    }
    walk(child, i + 1, [...path, key]);
  };
  if (segments.length) walk(object, 0, []);
}

/** Splits a field spec path at `/`; `\\/` is a slash inside a key (annotation names). */
function splitSpecPath(path: string): string[] {
  return path
    .split(/(?<!\\)\//)
    .map((s) => s.replace(/\\\//g, "/"))
    .filter((s) => s !== "");
}

/** A deep copy of a JSON value (objects are only ever changed through copies). */
export function cloneJson<T extends Json>(value: T): T {
  return structuredClone(value);
}
