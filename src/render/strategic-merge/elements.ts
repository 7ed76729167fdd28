/**
 * kyaml's list element helpers (yaml/fns.go): find the element whose merge keys have given values
 * (ElementMatcher), and replace or remove the elements that match (ElementSetter), quirks included.
 */
import type { Json } from "../../model/resource.js";
import { has, isEmptyMap, isMap, isMissingOrNull, kindName, MergeFailure, text, type Node } from "./nodes.js";
import { pushAll } from "../../model/append.js";

/** ElementMatcher / MatchElementList: the first element whose keys have exactly these values. */
export function elementList(list: Json[], keys: string[], values: string[]): Node {
  const ks = keys.length ? keys : [""];
  const vs = values.length ? values : [""];
  if (ks[0] === "") return list.find((e) => text(e) === vs[0]);
  for (const el of list) {
    if (!isMap(el)) continue;
    if (ks.every((k, i) => has(el, k) && text(el[k]) === vs[i])) return el;
  }
  return undefined;
}

/** FieldMatcher as ElementSetter uses it: an empty value matches any element that has the field. */
function fieldMatches(el: Json, name: string, value: string, path: string[]): boolean {
  if (el === null) return false;
  if (name === "") {
    if (typeof el === "object") throw new MergeFailure(path, "a list of scalars holds a map or list");
    return text(el) === value;
  }
  if (!isMap(el)) throw new MergeFailure(path, `a list merged by '${name}' holds a ${kindName(el)}`);
  if (!has(el, name)) return false;
  return value === "" || text(el[name]) === value;
}

/** ElementSetter: replaces (or with no element, removes) the elements matching keys/values; in place. */
export function elementSetter(
  list: Json[],
  s: { element?: Json; keys: string[]; values: string[] },
  path: string[],
): void {
  const keys = s.keys.length ? s.keys : [""];
  const mappingSetter = keys[0] !== "" && s.values.length > 0 && s.values[0] !== "";
  const out: Json[] = [];
  let found = false;
  for (const el of list) {
    if (isEmptyMap(el)) continue;
    if (!isMap(el) && mappingSetter) {
      out.push(el);
      continue;
    }
    let match = false;
    for (let j = 0; j < keys.length; j++) {
      if (j < s.values.length) match = fieldMatches(el, keys[j]!, s.values[j]!, path);
      if (!match) break;
    }
    if (!match) {
      if (s.values.length > 0) out.push(el);
      continue;
    }
    found = true;
    if (s.element === undefined) continue;
    out.push(s.element);
  }
  list.length = 0;
  pushAll(list, out);
  if (isMissingOrNull(s.element)) return;
  if (!found) list.push(s.element!);
}
