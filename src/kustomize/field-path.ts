/**
 * kustomize's replacement field paths (kyaml PathGetter / PathMatcher): dot-separated, with `[key=value]`
 * list selectors (an unanchored regular expression when matching targets, exact when reading the source),
 * list indexes and `*`; plus how a copied scalar reads back (the target keeps its type; a created field is
 * an untagged YAML scalar).
 */
import type { Json, JsonObject, JsonPath } from "../model/resource.js";
import { isObject } from "./field-spec.js";

/**
 * Splits a field path as kyaml's `SmarterPathSplitter`: at dots (`\\.` is a dot inside a key; a leading dot is
 * dropped); a bracketed element holding dots is one element, kept with its brackets when it is a `[key=value]`
 * selector and without them otherwise (`data.[limits.memory]` is the key `limits.memory` of `data`).
 */
export function splitFieldPath(path: string): string[] {
  let parts = path.split(".");
  if (parts.length > 1 && parts[0] === "") parts = parts.slice(1);
  const joined: string[] = [parts[0]!];
  for (const part of parts.slice(1)) {
    const last = joined[joined.length - 1]!;
    if (last.endsWith("\\")) joined[joined.length - 1] = `${last.slice(0, -1)}.${part}`;
    else joined.push(part);
  }
  const out: string[] = [];
  for (let i = 0; i < joined.length; i++) {
    const elem = joined[i]!;
    if (!elem.startsWith("[") || elem.endsWith("]")) {
      out.push(elem);
      continue;
    }
    const bracketed = [elem];
    while (i < joined.length - 1) {
      i++;
      bracketed.push(joined[i]!);
      if (joined[i]!.endsWith("]")) break;
    }
    const text = bracketed.join(".");
    out.push(text.includes("=") ? text : text.replace(/^[[\]]+|[[\]]+$/g, ""));
  }
  return out;
}

/** A list index segment. */
const isIndex = (s: string): boolean => /^\d+$/.test(s);
/** A `[key=value]` segment. */
const isListSelector = (s: string): boolean => s.startsWith("[") && s.endsWith("]");

/** The text of a scalar (undefined for maps and lists). */
export function scalarText(v: Json): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (v === null) return "";
  return undefined;
}

/** A field lookup with kustomize's PathGetter (exact `[key=value]`, indexes). */
export function lookup(node: Json, segs: readonly string[]): Json | undefined {
  let cur: Json | undefined = node;
  for (const seg of segs) {
    if (cur === undefined) return undefined;
    if (isListSelector(seg)) {
      if (!Array.isArray(cur)) return undefined;
      const [k, v] = splitSelector(seg);
      cur = cur.find((el) =>
        k === "" ? scalarText(el) === v : isObject(el) && scalarText(el[k] ?? null) === v && el[k] !== undefined,
      );
    } else if (isIndex(seg) && Array.isArray(cur)) cur = cur[Number(seg)];
    else if (isObject(cur)) cur = cur[seg];
    else return undefined;
  }
  return cur;
}

/** `[key=value]` → [key, value] (`[value]` selects scalars). */
function splitSelector(seg: string): [string, string] {
  const inner = seg.slice(1, -1);
  const eq = inner.indexOf("=");
  return eq < 0 ? ["", inner] : [inner.slice(0, eq), inner.slice(eq + 1)];
}

/** kustomize matches list selectors as unanchored regular expressions. */
function regexMatch(pattern: string, s: string): boolean {
  try {
    return new RegExp(pattern).test(s);
  } catch {
    return s === pattern;
  }
}

/** A place a field path reaches: its holder and key, and its JSON path. */
export type Slot = { holder: JsonObject | Json[]; key: string | number; path: JsonPath };

/** kustomize's PathMatcher: every place a field path reaches (creating it when asked). */
export function matchPath(
  object: JsonObject,
  segs: readonly string[],
  create: boolean,
  valueIsScalar: boolean,
): Slot[] {
  const out: Slot[] = [];
  const kindFor = (next: string | undefined): Json =>
    next === undefined ? (valueIsScalar ? null : {}) : isIndex(next) || isListSelector(next) ? [] : {};
  const walk = (slot: Slot, i: number): void => {
    if (i === segs.length) {
      out.push(slot);
      return;
    }
    const node = (slot.holder as Record<string | number, Json>)[slot.key];
    const seg = segs[i]!;
    const next = segs[i + 1];
    if (isIndex(seg)) {
      if (!Array.isArray(node)) return;
      const idx = Number(seg);
      if (idx === node.length && create) node.push(kindFor(next));
      if (idx < node.length) walk({ holder: node, key: idx, path: [...slot.path, idx] }, i + 1);
      return;
    }
    if (isListSelector(seg)) {
      if (!Array.isArray(node)) return;
      const [k, pattern] = splitSelector(seg);
      const hits: number[] = [];
      node.forEach((el, n) => {
        const text = k === "" ? scalarText(el) : isObject(el) && el[k] !== undefined ? scalarText(el[k]) : undefined;
        if (text !== undefined && regexMatch(pattern, text.trim())) hits.push(n);
      });
      if (!hits.length && create) {
        node.push(k === "" ? pattern : { [k]: pattern });
        hits.push(node.length - 1);
      }
      for (const n of hits) walk({ holder: node, key: n, path: [...slot.path, n] }, i + 1);
      return;
    }
    if (seg === "*") {
      if (Array.isArray(node)) node.forEach((_, n) => walk({ holder: node, key: n, path: [...slot.path, n] }, i + 1));
      return;
    }
    if (!isObject(node)) return;
    if (node[seg] === undefined && create) node[seg] = kindFor(next);
    if (node[seg] === undefined) return;
    walk({ holder: node, key: seg, path: [...slot.path, seg] }, i + 1);
  };
  walk({ holder: { root: object }, key: "root", path: [] }, 0);
  return out;
}

/** A scalar's text read back as YAML reads a plain scalar (for fields without a type yet). */
export function plainScalar(text: string): Json {
  if (/^[-+]?(0|[1-9][0-9]*)$/.test(text)) return Number(text);
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(text)) return Number(text);
  if (text === "true" || text === "True" || text === "TRUE") return true;
  if (text === "false" || text === "False" || text === "FALSE") return false;
  if (text === "" || text === "~" || text === "null" || text === "Null" || text === "NULL") return null;
  return text;
}

/** The text written over an existing scalar, in the target's own type. */
export function keepType(old: Json, text: string): Json {
  if (typeof old === "number")
    return /^[-+]?[0-9.eE+-]+$/.test(text) && Number.isFinite(Number(text)) ? Number(text) : text;
  if (typeof old === "boolean") return text === "true" ? true : text === "false" ? false : text;
  return text;
}
