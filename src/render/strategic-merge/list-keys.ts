/**
 * The merge-key values of associative lists (kyaml walk/associative_sequence.go): the values of every
 * element's keys, patch first; secondary keys that no element sets are dropped (validateKeys); and
 * elements keyed by several keys whose values differ only where one is empty are the same element
 * (mergeValues: a container port with and without `protocol`).
 */
import type { Json } from "../../model/resource.js";
import { field, isNilOrEmpty, text, type Node } from "./nodes.js";

/** Key values of every element, patch first (kustomize's "prepend" direction), without repeats. */
export function elementValues(keys: string[], sources: Node[]): string[][] {
  const out: string[][] = [];
  const seen = new Set<string>();
  for (const src of sources) {
    if (!Array.isArray(src)) continue;
    for (const el of src) {
      const vals = keys.map((k) => {
        const f = field(el, k);
        return isNilOrEmpty(f) ? "" : text(f);
      });
      const id = JSON.stringify(vals);
      if (vals.length === 0 || seen.has(id)) continue;
      out.push(vals);
      seen.add(id);
    }
  }
  return out;
}

/** elementPrimitiveValues: the scalars of a set-like list (finalizers), patch first, without repeats. */
export function primitiveValues(sources: Node[]): string[][] {
  const out: string[][] = [];
  const seen = new Set<string>();
  for (const src of sources) {
    if (!Array.isArray(src)) continue;
    for (const el of src) {
      const v = text(el);
      if (seen.has(v)) continue;
      out.push([v]);
      seen.add(v);
    }
  }
  return out;
}

/** The keys some element sets, and `values` without the empty values of keys none sets. */
export function validateKeys(valuesList: string[][], values: string[], keys: string[]): [string[], string[]] {
  const valid = new Set<string>();
  for (const vs of valuesList) vs.forEach((v, i) => v !== "" && keys[i] !== undefined && valid.add(keys[i]));
  if (valid.size === 0) return [keys, values];
  return [keys.filter((k) => valid.has(k)), values.filter((v, i) => v !== "" || valid.has(keys[i] ?? ""))];
}

/** Makes matching key values (see {@link matchValues}) one, in place. */
export function mergeValues(valuesList: string[][]): void {
  for (let i = 0; i < valuesList.length; i++) {
    const a = valuesList[i]!;
    for (let j = 0; j < valuesList.length; j++) {
      const m = matchValues(a, valuesList[j]!);
      if (m) {
        valuesList[i] = m;
        valuesList[j] = m;
      }
    }
  }
}

/** Two key-value lists match when they share a value and differ only where one is empty; the union. */
function matchValues(a: string[], b: string[]): string[] | undefined {
  if (a.length !== b.length) return undefined;
  let common = false;
  const res: string[] = [];
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) {
      common = true;
      res.push(x);
      continue;
    }
    if (x !== "" && y !== "") return undefined;
    res.push(x !== "" ? x : y);
  }
  return common ? res : undefined;
}

/** kyaml typed scalars it creates from key text: plain YAML, so numbers and booleans come back typed. */
export function scalarFromText(s: string): Json {
  if (/^-?(0|[1-9]\d*)$/.test(s)) return Number(s);
  if (s === "true" || s === "false") return s === "true";
  return s;
}
