/**
 * Associative lists (kyaml walk/associative_sequence.go with merge2's VisitList): lists whose schema has
 * `x-kubernetes-patch-strategy: merge`, merged element by element by `x-kubernetes-list-map-keys`, else
 * by `x-kubernetes-patch-merge-key`, else as a set of scalars. Elements named in the patch come first (in
 * patch order), then the target's other elements; lists keyed by several keys (container ports) put new
 * patch elements first and then the target's elements; `$patch: replace` on a single list element leaves
 * that element unchanged, as kustomize does.
 */
import type { PatchSchema } from "../../model/kube-schema.js";
import type { Json } from "../../model/resource.js";
import { directive, type Directive } from "./directives.js";
import { elementList, elementSetter } from "./elements.js";
import { elementValues, mergeValues, primitiveValues, scalarFromText, validateKeys } from "./list-keys.js";
import {
  has,
  isEmptyMap,
  isMap,
  isMissingOrNull,
  KEEP_NULL,
  kindName,
  MergeFailure,
  text,
  type MergeWalk,
  type Node,
  type Walked,
} from "./nodes.js";
import { plainTexts, setTag } from "./plain-tags.js";

/** VisitList of merge2 for associative lists. */
function visitAssociativeList(dest: Node, origin: Node, path: string[]): Node {
  if (isMissingOrNull(dest)) {
    // kustomize writes `[{$patch: …}]` here and loses the patch's elements; braid applies the directive
    if (!Array.isArray(origin)) return origin;
    let ps: Directive = "merge";
    try {
      ps = directive(origin, path);
    } catch {
      // as for maps: kyaml ignores directive errors when the target has nothing here
    }
    return ps === "delete" ? undefined : origin;
  }
  if (origin === null) return undefined;
  const ps = directive(origin, path);
  if (ps === "delete") return undefined;
  if (ps === "replace") return origin;
  return dest;
}

/** walkAssociativeSequence: merges the patch list `origin` into the target list `dest`. */
export function walkAssociativeList(
  w: MergeWalk,
  dest: Node,
  origin: Node,
  schema: PatchSchema,
  path: string[],
): Walked {
  const d = visitAssociativeList(dest, origin, path);
  if (!Array.isArray(d)) return d;
  const keys = schema.listMapKeys?.length
    ? [...schema.listMapKeys]
    : schema.patchMergeKey
      ? [schema.patchMergeKey]
      : [];
  const values = elementValues(keys, [origin, d]);
  if (values.length !== 0 || keys.length > 0) return setAssociativeElements(w, values, keys, d, origin, schema, path);
  // a set of scalars: a `${` text is plain when the side it is taken from wrote it plain (patch first)
  const tags = w.tags;
  const fromPatch = tags ? plainTexts(tags, origin) : undefined;
  const fromTarget = tags ? plainTexts(tags, d) : undefined;
  const patchTexts = new Set(Array.isArray(origin) ? origin : []);
  const result = setAssociativeElements(w, primitiveValues([origin, d]), [""], d, origin, schema, path);
  if (tags && Array.isArray(result))
    result.forEach((v, i) => {
      if (typeof v === "string") setTag(tags, result, i, patchTexts.has(v) ? fromPatch!.has(v) : fromTarget!.has(v));
    });
  return result;
}

/** setAssociativeSequenceElements: walks each keyed element of both sides and sets the results. */
function setAssociativeElements(
  w: MergeWalk,
  valuesList: string[][],
  keys: string[],
  dest: Json[],
  origin: Node,
  schema: PatchSchema,
  path: string[],
): Walked {
  const items: Json[] = [];
  const elemSchema = schema.elements();
  if (keys.length > 1) mergeValues(valuesList);
  let validKeys: string[] = keys;
  let validValues: string[] = [];
  for (const values of valuesList) {
    if (values.length === 0) continue;
    [validKeys, validValues] = validateKeys(valuesList, values, keys);
    const [k2, v2] = validateKeys([validValues], validValues, validKeys);
    const label = validKeys.map((k, i) => (k === "" ? validValues[i] : `${k}=${validValues[i]}`)).join(",");
    const d = elementList(dest, k2, v2);
    const o = Array.isArray(origin) ? elementList(origin, k2, v2) : undefined;
    let val = w.walk(d, o, elemSchema, [...path, `[${label}]`]);
    if (val === KEEP_NULL) val = null;
    let exit = false;
    validKeys.forEach((key, i) => {
      if (isMissingOrNull(val) || isEmptyMap(val)) {
        elementSetter(dest, { keys: validKeys, values: validValues }, path);
        exit = true;
      } else if (isMap(val) && !has(val, key) && validValues[i] !== "" && validValues[i] !== undefined) {
        val[key] = scalarFromText(validValues[i]);
      }
    });
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set inside the forEach callback
    if (exit) continue;
    elementSetter(items, { element: val, keys: validKeys, values: validValues }, path);
  }
  const result = valuesList.length > 0 ? appendListNode(items, dest, validKeys, path) : dest;
  return result;
}

/** appendListNode with the target's elements as src: keeps merged elements, re-adds target elements. */
function appendListNode(dst: Json[], src: Json[], keys: string[], path: string[]): Json[] {
  for (const el of [...src]) {
    if (keys[0] === "" || keys.length === 0) {
      elementSetter(dst, { element: el, keys: [""], values: [text(el)] }, path);
      continue;
    }
    const v: string[] = [];
    for (const key of keys) {
      if (el !== null && !isMap(el)) throw new MergeFailure(path, `a list merged by '${key}' holds a ${kindName(el)}`);
      if (el === null || !has(el, key)) {
        dst.push(el);
        continue;
      }
      v.push(text(el[key]));
    }
    if (keys.length > 1) elementSetter(dst, { keys, values: v }, path);
    elementSetter(dst, { element: el, keys, values: v }, path);
  }
  return dst;
}
