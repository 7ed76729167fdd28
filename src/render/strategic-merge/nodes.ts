/**
 * The JSON values the strategic merge walks, seen as kyaml sees its YAML nodes: what kind a node is, when
 * it counts as missing or empty, the text kyaml compares, and how a failure names its place.
 */
import type { PatchSchema } from "../../model/kube-schema.js";
import type { Json, JsonObject } from "../../model/resource.js";
import type { Tags } from "./plain-tags.js";

/** A value in the target or the patch; `undefined` when the field is absent. */
export type Node = Json | undefined;
/** kyaml's "persistent null": a null the target had and the patch did not touch. */
export const KEEP_NULL = Symbol("keep-null");
/** What walking a field yields: a value, absence, or a null kept from the target. */
export type Walked = Node | typeof KEEP_NULL;

/** A merge that cannot go on (kustomize fails here): the path of the field and why. */
export class MergeFailure extends Error {
  constructor(
    readonly path: readonly string[],
    message: string,
  ) {
    super(message);
  }
}

/** A mapping (not null, not a list). */
export function isMap(n: unknown): n is JsonObject {
  return typeof n === "object" && n !== null && !Array.isArray(n);
}
/** Absent, null, or a null kept from the target. */
export function isMissingOrNull(n: Walked): boolean {
  return n === undefined || n === null || n === KEEP_NULL;
}
/** Missing, null, or a mapping without keys. */
export function isEmptyMap(n: Walked): boolean {
  return isMissingOrNull(n) || (isMap(n) && Object.keys(n).length === 0);
}
/** kyaml's IsNilOrEmpty: missing, null, an empty mapping or an empty list. */
export function isNilOrEmpty(n: Node): boolean {
  return isEmptyMap(n) || (Array.isArray(n) && n.length === 0);
}
/** An own key of the mapping (never an inherited member such as `toString`). */
export function has(m: JsonObject, k: string): boolean {
  return Object.hasOwn(m, k);
}
/** The value of a mapping's field; undefined for anything else or an absent field. */
export function field(n: Node, k: string): Node {
  return isMap(n) && has(n, k) ? n[k] : undefined;
}
/** The YAML scalar text kyaml compares (maps and lists have none). */
export function text(n: Node): string {
  if (n === undefined || n === null || typeof n === "object") return "";
  return String(n);
}
/** "map", "list" or "scalar", as a failure names it. */
export function kindName(n: Node): string {
  return isMap(n) ? "map" : Array.isArray(n) ? "list" : "scalar";
}
/** The JSON pointer of a walk path. */
export function pointer(path: readonly string[]): string {
  return path.map((p) => "/" + p.replace(/~/g, "~0").replace(/\//g, "~1")).join("");
}

/**
 * One merge in progress (kyaml's Walker): the plain-scalar tags when they are tracked, and the walk that
 * map and list visitors call for each field or element.
 */
export interface MergeWalk {
  tags: Tags | undefined;
  /** The target's nulls written as nothing, by container and key (model/empty-nulls.ts): the walk drops them. */
  empties?: Tags;
  walk(dest: Node, origin: Node, schema: PatchSchema | undefined, path: string[]): Walked;
}
