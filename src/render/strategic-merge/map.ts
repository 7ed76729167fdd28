/**
 * Maps (kyaml walk/map.go with merge2's VisitMap): the patch's `$patch` decides whether the target map is
 * kept, replaced or deleted; then every field of either side is walked, in sorted order.
 */
import type { PatchSchema } from "../../model/kube-schema.js";
import { setOwn } from "../../model/own-keys.js";
import { directive, takeExtensions, type Directive } from "./directives.js";
import { field, has, isMap, isMissingOrNull, KEEP_NULL, type MergeWalk, type Node, type Walked } from "./nodes.js";
import { hasTag, setTag } from "./plain-tags.js";

/** VisitMap of merge2. */
function visitMap(dest: Node, origin: Node, path: string[]): Walked {
  if (isMissingOrNull(dest)) {
    let ps: Directive = "merge";
    try {
      ps = directive(origin, path);
    } catch {
      // kyaml ignores directive errors when the target has nothing here
    }
    if (ps === "delete") return undefined;
    if (origin === undefined && dest !== undefined) return KEEP_NULL;
    return origin;
  }
  if (origin === null) return undefined;
  const ps = directive(origin, path);
  if (ps === "delete") return undefined;
  if (ps === "replace") return origin;
  return dest;
}

/** walkMap: merges the patch map `origin` into the target map `dest` (in place on `dest`). */
export function walkMap(
  w: MergeWalk,
  dest: Node,
  origin: Node,
  schema: PatchSchema | undefined,
  path: string[],
): Walked {
  const ext = isMap(origin) ? takeExtensions(origin, path) : undefined;
  const d = visitMap(dest, origin, path);
  if (d === undefined || d === null || d === KEEP_NULL) return d;
  if (!isMap(d)) return d;
  if (ext?.retainKeys && d !== origin) {
    for (const k of Object.keys(d)) if (!ext.retainKeys.includes(k)) delete d[k];
  }
  const names = new Set<string>(Object.keys(d));
  if (isMap(origin)) for (const k of Object.keys(origin)) names.add(k);
  for (const key of [...names].sort()) {
    // kyaml's VisitMap keeps a null of the target only when it was written ("null", "~"): one written as
    // nothing, with nothing in the patch, is dropped
    if (d[key] === null && !(isMap(origin) && has(origin, key)) && hasTag(w.empties, d, key)) {
      delete d[key];
      continue;
    }
    const child = schema ? (schema.property(key) ?? schema.elements()) : undefined;
    const val = w.walk(field(d, key), field(origin, key), child, [...path, key]);
    if (w.tags && d !== origin && isMap(origin) && has(origin, key) && typeof val === "string" && val === origin[key])
      setTag(w.tags, d, key, hasTag(w.tags, origin, key));
    if (val === KEEP_NULL) setOwn(d, key, null);
    else if (val === undefined || val === null) delete d[key];
    else setOwn(d, key, val);
  }
  for (const [name, remove] of ext?.deleteFromPrimitiveList ?? []) {
    const list = d[name];
    if (Array.isArray(list)) d[name] = list.filter((x) => !remove.some((r) => r === x));
  }
  return d;
}
