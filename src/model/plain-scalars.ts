/**
 * Which string values of an object were written as plain (unquoted) YAML scalars holding `${`.
 *
 * Flux substitutes on the YAML text, so an unquoted `${PORT}` becomes whatever YAML type its substituted
 * text resolves to; braid substitutes value by value and needs to know, for each string, whether it was
 * written plain. That is provenance, so it lives beside the object (a set of JSON pointers on the
 * Resource and on each patch), never inside its data: merge keys compare and serialize as written.
 * Patches carry the set along with the values they move (strategic merge: strategic-merge/plain-tags.ts;
 * merge and JSON6902: below).
 */
import { isAlias, isMap, isScalar, isSeq, Scalar, type Document } from "yaml";
import type { Json, JsonObject, JsonPath } from "./resource.js";

/** JSON pointers (RFC 6901) of the strings that came from plain scalars holding `${`. */
export type PlainPaths = ReadonlySet<string>;

/** The empty set, shared. */
export const NO_PLAIN: PlainPaths = new Set();

/** One pointer segment, escaped. */
export function escapeSegment(seg: string | number): string {
  return String(seg).replace(/~/g, "~0").replace(/\//g, "~1");
}

/** The JSON pointer of a path. */
export function pointerOf(path: JsonPath): string {
  let out = "";
  for (const seg of path) out += "/" + escapeSegment(seg);
  return out;
}

/**
 * Pointers of the plain scalars holding `${` in a parsed YAML document, below the node at `basePath`
 * (pointers are relative to it). Aliases are followed and `<<` merge keys contribute the keys the map does
 * not set itself, as the document converts to JSON.
 */
export function plainVarPaths(doc: Document.Parsed, basePath: JsonPath = []): Set<string> {
  const out = new Set<string>();
  let node: unknown = doc.contents;
  for (const seg of basePath) {
    node = deref(doc, node);
    if (isMap(node) || isSeq(node))
      node = (node as { get(k: unknown, keep: boolean): unknown }).get(isMap(node) ? String(seg) : seg, true);
    else return out;
  }
  collect(doc, node, "", out, 0);
  return out;
}

function deref(doc: Document.Parsed, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

function keyText(key: unknown): string {
  if (isScalar(key) && typeof key.value === "symbol") return "<<"; // the yaml package's merge key
  if (isScalar(key)) return key.value === null || key.value === undefined ? "" : key.toString();
  return String(key);
}

function collect(doc: Document.Parsed, raw: unknown, at: string, out: Set<string>, depth: number): void {
  if (depth > 200) return; // deep or cyclic: the JSON conversion refuses those first
  const node = deref(doc, raw);
  if (isScalar(node)) {
    if (node.type === Scalar.PLAIN && typeof node.value === "string" && node.value.includes("${")) out.add(at);
    return;
  }
  if (isSeq(node)) {
    node.items.forEach((item, i) => collect(doc, item, `${at}/${i}`, out, depth + 1));
    return;
  }
  if (!isMap(node)) return;
  const own = new Set<string>();
  for (const pair of node.items) if (keyText(pair.key) !== "<<") own.add(keyText(pair.key));
  for (const pair of node.items) {
    const key = keyText(pair.key);
    if (key !== "<<") {
      collect(doc, pair.value, `${at}/${escapeSegment(key)}`, out, depth + 1);
      continue;
    }
    const value = deref(doc, pair.value);
    const sources = isSeq(value) ? value.items.map((i) => deref(doc, i)) : [value];
    for (const src of sources) {
      if (!isMap(src)) continue;
      for (const p of src.items) {
        const k = keyText(p.key);
        if (own.has(k)) continue;
        own.add(k);
        collect(doc, p.value, `${at}/${escapeSegment(k)}`, out, depth + 1);
      }
    }
  }
}

/** The pointers of `paths` below `prefix`, re-rooted at it. */
export function below(paths: PlainPaths, prefix: string): Set<string> {
  const out = new Set<string>();
  for (const p of paths) {
    if (p === prefix) out.add("");
    else if (p.startsWith(prefix + "/")) out.add(p.slice(prefix.length));
  }
  return out;
}

/** Drops the pointers that do not name a string holding `${` in `object` (values a patch replaced). */
export function prune(paths: Iterable<string>, object: Json): Set<string> {
  const out = new Set<string>();
  for (const p of paths) {
    const v = valueAt(object, p);
    if (typeof v === "string" && v.includes("${")) out.add(p);
  }
  return out;
}

function valueAt(object: Json, pointer: string): Json | undefined {
  if (pointer === "") return object;
  let v: Json | undefined = object;
  for (const raw of pointer.slice(1).split("/")) {
    const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(v)) v = /^(0|[1-9]\d*)$/.test(seg) ? v[Number(seg)] : undefined;
    else if (v !== null && typeof v === "object") v = Object.hasOwn(v, seg) ? v[seg] : undefined;
    else return undefined;
  }
  return v;
}

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * After an RFC 7386 merge patch: a field the patch sets comes from the patch (its plain pointers),
 * every other field keeps the target's.
 */
export function plainAfterMergePatch(
  targetPlain: PlainPaths,
  patch: Json,
  patchPlain: PlainPaths,
  result: Json,
): Set<string> {
  const out = new Set<string>();
  for (const p of targetPlain) if (!setByMergePatch(patch, p)) out.add(p);
  for (const p of patchPlain) out.add(p);
  return prune(out, result);
}

/** Whether a merge patch sets (or removes) the field at pointer or one of its parents. */
function setByMergePatch(patch: Json, pointer: string): boolean {
  let v: Json = patch;
  for (const raw of pointer.slice(1).split("/")) {
    if (!isObject(v)) return true; // the patch replaces this whole value
    const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (!Object.hasOwn(v, seg)) return false;
    v = v[seg]!;
  }
  return true;
}

function splitPointer(p: string): string[] {
  return p === "" ? [] : p.slice(1).split("/");
}

/**
 * Moves plain pointers through one JSON6902 operation applied to `before` (the document the operation
 * ran on, with negative indices already resolved). `valuePlain` holds the pointers inside the
 * operation's `value`, relative to it.
 */
export function plainAfterJson6902Op(
  plain: ReadonlySet<string>,
  op: { op: string; path: string; from?: string },
  before: Json,
  valuePlain: PlainPaths,
): Set<string> {
  const remove = (set: Set<string>, at: string, list: boolean): Set<string> => {
    const out = new Set<string>();
    const segs = splitPointer(at);
    const idx = Number(segs[segs.length - 1]);
    const parent = "/" + segs.slice(0, -1).join("/");
    for (const p of set) {
      if (p === at || p.startsWith(at + "/")) continue;
      out.add(list ? shiftIndex(p, parent === "/" ? "" : parent, idx, -1) : p);
    }
    return out;
  };
  const insert = (set: Set<string>, at: string, sub: Iterable<string>, list: boolean): Set<string> => {
    const segs = splitPointer(at);
    const idx = Number(segs[segs.length - 1]);
    const parent = segs.length > 1 ? "/" + segs.slice(0, -1).join("/") : "";
    const out = new Set<string>();
    for (const p of set) out.add(list ? shiftIndex(p, parent, idx, 1) : p);
    for (const s of sub) out.add(at + s);
    return out;
  };
  const parentIsList = (path: string): boolean => {
    const segs = splitPointer(path);
    return Array.isArray(valueAt(before, segs.length > 1 ? "/" + segs.slice(0, -1).join("/") : ""));
  };
  /** `-` appends: name the new last index (after a move out of the same list, one less). */
  const concrete = (path: string): string => {
    if (!path.endsWith("/-")) return path;
    const parent = path.slice(0, -2);
    const list = valueAt(before, parent);
    const movedOut = op.op === "move" && op.from?.slice(0, op.from.lastIndexOf("/")) === parent ? 1 : 0;
    return `${parent}/${Array.isArray(list) ? list.length - movedOut : 0}`;
  };
  const current = new Set(plain);
  switch (op.op) {
    case "add": {
      const at = concrete(op.path);
      if (at === "") return new Set(valuePlain);
      const list = parentIsList(at);
      return insert(list ? current : remove(current, at, false), at, valuePlain, list);
    }
    case "replace":
      if (op.path === "") return new Set(valuePlain);
      return insert(remove(current, op.path, false), op.path, valuePlain, false);
    case "remove":
      return remove(current, op.path, parentIsList(op.path));
    case "copy":
    case "move": {
      const from = op.from ?? "";
      const moved = below(current, from);
      let out = op.op === "move" ? remove(current, from, parentIsList(from)) : current;
      // after a move, the target path is read in the document without the moved value
      const at = concrete(op.path);
      if (at === "") return moved;
      const list = parentIsList(at);
      if (!list) out = remove(out, at, false);
      return insert(out, at, moved, list);
    }
    default:
      return current;
  }
}

/** Shifts the index right below `parent` by `delta` for pointers at or after `from`. */
function shiftIndex(p: string, parent: string, from: number, delta: number): string {
  if (!p.startsWith(parent + "/")) return p;
  const rest = p.slice(parent.length + 1);
  const slash = rest.indexOf("/");
  const head = slash < 0 ? rest : rest.slice(0, slash);
  if (!/^(0|[1-9]\d*)$/.test(head)) return p;
  const i = Number(head);
  if (delta > 0 ? i < from : i <= from) return p;
  return `${parent}/${i + delta}${slash < 0 ? "" : rest.slice(slash)}`;
}
