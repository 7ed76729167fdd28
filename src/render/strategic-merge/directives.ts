/**
 * Strategic-merge directives in a patch. `$patch` (merge, replace, delete) is read as kyaml's merge2
 * reads it (smpdirective.go: on a map, a key; on a list, an element holding only `$patch`). Beyond
 * kustomize, which copies the other directive keys into its output verbatim: `$retainKeys` clears the
 * target map's other keys, `$deleteFromPrimitiveList/<field>` removes scalars, `$setElementOrder/<field>`
 * is dropped; and no directive key ever reaches the result ({@link stripDirectives}).
 */
import type { Json, JsonObject } from "../../model/resource.js";
import { elementSetter } from "./elements.js";
import { has, isMap, MergeFailure, text, type Node } from "./nodes.js";

/** The value of `$patch`. */
export type Directive = "merge" | "replace" | "delete";

/** determineSmpDirective: reads and removes `$patch` from the patch node. */
export function directive(origin: Node, path: string[]): Directive {
  if (origin === undefined) return "merge";
  if (Array.isArray(origin)) {
    const el = origin.find((e) => isMap(e) && has(e, "$patch"));
    if (!isMap(el) || Object.keys(el).length > 1) return "merge";
    const v = text(el.$patch);
    if (v === "delete" || v === "replace" || v === "merge") {
      elementSetter(origin, { keys: ["$patch"], values: [v] }, path);
      return v;
    }
    throw new MergeFailure(path, `unknown patch strategy '${v}' (expected delete, replace or merge)`);
  }
  if (isMap(origin)) {
    if (!has(origin, "$patch")) return "merge";
    const v = text(origin.$patch);
    if (v === "delete" || v === "replace" || v === "merge") {
      delete origin.$patch;
      return v;
    }
    throw new MergeFailure(path, `unknown patch strategy '${v}' (expected delete, replace or merge)`);
  }
  throw new MergeFailure(path, `a strategic merge directive cannot apply to the scalar ${JSON.stringify(origin)}`);
}

/** The map-level directives braid adds to kustomize's, taken out of one patch map. */
export interface MapExtensions {
  retainKeys?: string[];
  deleteFromPrimitiveList: [string, Json[]][];
}

/** braid's additions: pulls `$retainKeys`, `$deleteFromPrimitiveList/…`, `$setElementOrder/…` out of a patch map. */
export function takeExtensions(origin: JsonObject, path: string[]): MapExtensions {
  const ext: MapExtensions = { deleteFromPrimitiveList: [] };
  for (const key of Object.keys(origin)) {
    const value = origin[key];
    if (key === "$retainKeys") {
      if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
        throw new MergeFailure([...path, key], "$retainKeys must be a list of field names");
      }
      ext.retainKeys = value;
      for (const k of Object.keys(origin)) {
        if (!k.startsWith("$") && !ext.retainKeys.includes(k)) {
          throw new MergeFailure([...path, k], `the patch sets '${k}', which its $retainKeys list does not keep`);
        }
      }
      delete origin[key];
    } else if (key.startsWith("$deleteFromPrimitiveList/")) {
      if (!Array.isArray(value)) throw new MergeFailure([...path, key], `${key} must be a list`);
      ext.deleteFromPrimitiveList.push([key.slice("$deleteFromPrimitiveList/".length), value]);
      delete origin[key];
    } else if (key.startsWith("$setElementOrder/")) {
      delete origin[key];
    }
  }
  return ext;
}

/** Removes every directive key, and list elements that are only a `$patch` directive. */
export function stripDirectives(n: Json): void {
  if (Array.isArray(n)) {
    for (let i = n.length - 1; i >= 0; i--) {
      const el = n[i];
      if (isMap(el) && Object.keys(el).length === 1 && has(el, "$patch")) n.splice(i, 1);
      else if (el !== undefined) stripDirectives(el);
    }
  } else if (isMap(n)) {
    for (const k of Object.keys(n)) {
      if (
        k === "$patch" ||
        k === "$retainKeys" ||
        k.startsWith("$setElementOrder/") ||
        k.startsWith("$deleteFromPrimitiveList/")
      ) {
        delete n[k];
      } else stripDirectives(n[k]!);
    }
  }
}
