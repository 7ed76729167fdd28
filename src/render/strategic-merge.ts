/**
 * Strategic merge patch exactly as `kubectl kustomize` (kustomize v5, kyaml merge2 + walk) applies a
 * `patches:` entry: the patch walks the target field by field; lists whose schema has
 * `x-kubernetes-patch-strategy: merge` are associative (merged by `x-kubernetes-list-map-keys`, else by
 * `x-kubernetes-patch-merge-key`, else as a set of scalars), every other list is replaced.
 *
 * The list algorithm is a port of kyaml's, quirks included, because users compare braid's output with
 * kustomize's: elements named in the patch come first (in patch order), then the target's other elements;
 * lists keyed by several keys (container ports) put new patch elements first and then the target's
 * elements; `$patch: replace` on a single list element leaves that element unchanged, as kustomize does.
 *
 * Beyond kustomize (which copies these keys into its output verbatim): `$patch: delete` as the element of
 * a replaced list (no merge strategy, or no schema) removes the list; a list directive in a merge list the
 * target lacks is applied (kustomize outputs only `[{$patch: …}]`); `$retainKeys` clears the target
 * map's other keys, `$deleteFromPrimitiveList/<field>` removes scalars, `$setElementOrder/<field>` is
 * dropped. No directive key ever reaches the result.
 */
import { BraidError } from "../diagnostics/diagnostic.js";
import type { PatchSchema } from "../model/kube-schema.js";
import { setOwn } from "../model/own-keys.js";
import type { Json, JsonObject } from "../model/resource.js";
import { splitApiVersion } from "../model/resource.js";
import type { TargetSelector } from "../model/select-targets.js";
import type { PlainPaths } from "../model/plain-scalars.js";
import { escapeSegment } from "../model/plain-scalars.js";

/** A strategic-merge failure: where in the object, and why. */
export interface StrategicMergeError {
  /** JSON pointer of the field (list elements are shown by index in the target or patch). */
  path: string;
  message: string;
}

/** Kustomize's knobs on a `patches:` entry (`options.allowNameChange`, `options.allowKindChange`). */
export interface StrategicPatchOptions {
  allowNameChange?: boolean;
  allowKindChange?: boolean;
}

type Node = Json | undefined;
/** kyaml's "persistent null": a null the target had and the patch did not touch. */
const KEEP_NULL = Symbol("keep-null");
type Walked = Node | typeof KEEP_NULL;

class MergeFailure extends Error {
  constructor(readonly path: readonly string[], message: string) {
    super(message);
  }
}

/**
 * Merges `patch` into `target` and returns a NEW object (inputs are never mutated). Returns `{}` when the
 * patch deletes the whole object (`$patch: delete` at the top). Throws a BraidError (PATCH_FAILED) when
 * kustomize would fail (a map patched with a scalar, an unknown `$patch` value). Does not restore the
 * target's identity; use {@link applyStrategicPatch} for kustomize's resource-level behaviour.
 */
export function strategicMerge(target: JsonObject, patch: JsonObject, schema: PatchSchema | undefined): JsonObject {
  const r = tryStrategicMerge(target, patch, schema);
  if ("error" in r) {
    throw new BraidError({ code: "PATCH_FAILED", message: r.error.message, path: r.error.path });
  }
  return r.object ?? {};
}

/** Plain-scalar provenance of the target and the patch (see plain-scalars.ts). */
export interface PlainInputs {
  target: PlainPaths;
  patch: PlainPaths;
}

/** Like {@link strategicMerge}, with failures as data and `null` when the patch deletes the object. */
export function tryStrategicMerge(
  target: JsonObject,
  patch: JsonObject,
  schema: PatchSchema | undefined,
  plain?: PlainInputs,
): { object: JsonObject | null; plain?: Set<string> } | { error: StrategicMergeError } {
  const dest = structuredClone(target);
  const origin = structuredClone(patch);
  const previous = tags;
  tags = plain ? new WeakMap() : undefined;
  try {
    if (plain) {
      tagPaths(dest, plain.target);
      tagPaths(origin, plain.patch);
    }
    const result = walk(dest, origin, schema, []);
    if (!isMap(result)) return { object: null };
    stripDirectives(result);
    return plain ? { object: result, plain: taggedPaths(result) } : { object: result };
  } catch (e) {
    if (e instanceof MergeFailure) return { error: { path: pointer(e.path), message: e.message } };
    throw e;
  } finally {
    tags = previous;
  }
}

// ---- plain-scalar provenance while merging: tags on the (cloned) containers, by key or index ----

/** Containers of the merge in progress → keys of their plain `${` strings (undefined: not tracked). */
let tags: WeakMap<object, Set<string>> | undefined;

function tagPaths(root: Json, paths: PlainPaths): void {
  for (const p of paths) {
    const segs = p.slice(1).split("/").map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
    let node: Json | undefined = root;
    for (const seg of segs.slice(0, -1)) node = node !== null && typeof node === "object" ? (node as Record<string, Json>)[seg] : undefined;
    if (node !== null && typeof node === "object") setTag(node, segs[segs.length - 1]!, true);
  }
}

function setTag(container: object, key: string | number, plain: boolean): void {
  if (!tags) return;
  let set = tags.get(container);
  if (!set) {
    if (!plain) return;
    tags.set(container, (set = new Set()));
  }
  if (plain) set.add(String(key));
  else set.delete(String(key));
}

function hasTag(container: object, key: string | number): boolean {
  return tags?.get(container)?.has(String(key)) ?? false;
}

function taggedPaths(root: Json): Set<string> {
  const out = new Set<string>();
  const visit = (node: Json, at: string): void => {
    if (node === null || typeof node !== "object") return;
    const entries: [string, Json][] = Array.isArray(node) ? node.map((v, i) => [String(i), v]) : Object.entries(node);
    for (const [k, v] of entries) {
      const here = `${at}/${escapeSegment(k)}`;
      if (typeof v === "string") {
        if (v.includes("${") && hasTag(node, k)) out.add(here);
      } else visit(v, here);
    }
  };
  visit(root, "");
  return out;
}

/** The `${` strings of a list of scalars that were written plain. */
function plainTexts(list: Node): Set<string> {
  const out = new Set<string>();
  if (Array.isArray(list)) list.forEach((v, i) => typeof v === "string" && hasTag(list, i) && out.add(v));
  return out;
}

/**
 * What kustomize does to one selected resource: strategic merge, then the target keeps its apiVersion,
 * kind, name and namespace (unless the options allow a change). `object: null` means the resource is
 * removed (`$patch: delete` at the top, or nothing left).
 */
export function applyStrategicPatch(
  target: JsonObject,
  patch: JsonObject,
  schema: PatchSchema | undefined,
  options: StrategicPatchOptions = {},
  plain?: PlainInputs,
): { object: JsonObject | null; plain?: Set<string> } | { error: StrategicMergeError } {
  const r = tryStrategicMerge(target, patch, schema, plain);
  if ("error" in r || r.object === null) return r;
  const out = r.object;
  if (r.plain && plain) {
    // the identity fields kustomize restores from the target keep the target's provenance
    const restored = ["/apiVersion", "/metadata/namespace"];
    if (!options.allowKindChange) restored.push("/kind");
    if (!options.allowNameChange) restored.push("/metadata/name");
    for (const p of restored) {
      if (plain.target.has(p)) r.plain.add(p);
      else r.plain.delete(p);
    }
  }
  if (Object.keys(out).length === 0) return { object: null };
  if (typeof target.apiVersion === "string") out.apiVersion = target.apiVersion;
  if (!options.allowKindChange && target.kind !== undefined) out.kind = target.kind;
  const tmeta = isMap(target.metadata) ? target.metadata : {};
  let meta = isMap(out.metadata) ? out.metadata : undefined;
  const ensureMeta = (): JsonObject => (meta ??= out.metadata = {});
  if (!options.allowNameChange && tmeta.name !== undefined) ensureMeta().name = tmeta.name;
  if (typeof tmeta.namespace === "string" && tmeta.namespace !== "") ensureMeta().namespace = tmeta.namespace;
  else if (meta) delete meta.namespace;
  return r.plain ? { object: out, plain: r.plain } : { object: out };
}

/**
 * The target kustomize infers for a strategic-merge patch that has none: its group/version, kind, name
 * and namespace (each matched exactly: regex characters are escaped). Undefined when the patch names no
 * kind and no name. The namespace is left out when the patch has none (`applyPatches` then matches
 * `default`, as kustomize does).
 */
export function targetFromPatchDocument(patch: JsonObject): TargetSelector | undefined {
  const sel: TargetSelector = {};
  if (typeof patch.apiVersion === "string" && patch.apiVersion !== "") {
    const { group, version } = splitApiVersion(patch.apiVersion);
    sel.group = group === "" ? "" : escapeRegex(group);
    sel.version = escapeRegex(version);
  }
  if (typeof patch.kind === "string" && patch.kind !== "") sel.kind = escapeRegex(patch.kind);
  const meta = isMap(patch.metadata) ? patch.metadata : {};
  if (typeof meta.name === "string" && meta.name !== "") sel.name = escapeRegex(meta.name);
  if (typeof meta.namespace === "string" && meta.namespace !== "") sel.namespace = escapeRegex(meta.namespace);
  if (sel.kind === undefined && sel.name === undefined) return undefined;
  return sel;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// ---- the walker (kyaml/yaml/walk + merge2), on JSON values; dest = target, origin = patch ----

function isMap(n: unknown): n is JsonObject {
  return typeof n === "object" && n !== null && !Array.isArray(n);
}
function isMissingOrNull(n: Walked): boolean {
  return n === undefined || n === null || n === KEEP_NULL;
}
function isEmptyMap(n: Walked): boolean {
  return isMissingOrNull(n) || (isMap(n) && Object.keys(n).length === 0);
}
function isNilOrEmpty(n: Node): boolean {
  return isEmptyMap(n) || (Array.isArray(n) && n.length === 0);
}
function has(m: JsonObject, k: string): boolean {
  return Object.hasOwn(m, k);
}
function field(n: Node, k: string): Node {
  return isMap(n) && has(n, k) ? n[k] : undefined;
}
/** The YAML scalar text kyaml compares (maps and lists have none). */
function text(n: Node): string {
  if (n === undefined || n === null || typeof n === "object") return "";
  return String(n);
}
function kindName(n: Node): string {
  return isMap(n) ? "map" : Array.isArray(n) ? "list" : "scalar";
}
function pointer(path: readonly string[]): string {
  return path.map((p) => "/" + p.replace(/~/g, "~0").replace(/\//g, "~1")).join("");
}

function walk(dest: Node, origin: Node, schema: PatchSchema | undefined, path: string[]): Walked {
  const first = !isMissingOrNull(dest) ? dest : !isMissingOrNull(origin) ? origin : undefined;
  if (first === undefined) return walkMap(dest, origin, schema, path);
  const kind = kindName(first);
  for (const n of [dest, origin]) {
    if (!isMissingOrNull(n) && kindName(n) !== kind) {
      throw new MergeFailure(path, `the patch has a ${kindName(origin)} where the target has a ${kindName(dest)}`);
    }
  }
  if (kind === "map") return walkMap(dest, origin, schema, path);
  if (kind === "list") {
    if (schema?.patchStrategy?.includes("merge")) return walkAssociativeList(dest, origin, schema, path);
    // kustomize copies list directives of replaced lists verbatim (an invalid list); braid honours them
    if (Array.isArray(origin) && directive(origin, path) === "delete") return undefined;
    return origin !== undefined ? origin : dest;
  }
  return origin !== undefined ? origin : dest;
}

type Directive = "merge" | "replace" | "delete";

/** determineSmpDirective: reads and removes `$patch` from the patch node. */
function directive(origin: Node, path: string[]): Directive {
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

interface MapExtensions {
  retainKeys?: string[];
  deleteFromPrimitiveList: [string, Json[]][];
}

/** braid's additions: pulls `$retainKeys`, `$deleteFromPrimitiveList/…`, `$setElementOrder/…` out of a patch map. */
function takeExtensions(origin: JsonObject, path: string[]): MapExtensions {
  const ext: MapExtensions = { deleteFromPrimitiveList: [] };
  for (const key of Object.keys(origin)) {
    const value = origin[key];
    if (key === "$retainKeys") {
      if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
        throw new MergeFailure([...path, key], "$retainKeys must be a list of field names");
      }
      ext.retainKeys = value as string[];
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

function walkMap(dest: Node, origin: Node, schema: PatchSchema | undefined, path: string[]): Walked {
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
    const child = schema ? (schema.property(key) ?? schema.elements()) : undefined;
    const val = walk(field(d, key), field(origin, key), child, [...path, key]);
    if (tags && d !== origin && isMap(origin) && has(origin, key) && typeof val === "string" && val === origin[key])
      setTag(d, key, hasTag(origin, key));
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

function walkAssociativeList(dest: Node, origin: Node, schema: PatchSchema, path: string[]): Walked {
  const d = visitAssociativeList(dest, origin, path);
  if (!Array.isArray(d)) return d;
  const keys = schema.listMapKeys?.length
    ? [...schema.listMapKeys]
    : schema.patchMergeKey
      ? [schema.patchMergeKey]
      : [];
  const values = elementValues(keys, [origin, d]);
  if (values.length !== 0 || keys.length > 0) return setAssociativeElements(values, keys, d, origin, schema, path);
  // a set of scalars: a `${` text is plain when the side it is taken from wrote it plain (patch first)
  const fromPatch = tags ? plainTexts(origin) : undefined;
  const fromTarget = tags ? plainTexts(d) : undefined;
  const patchTexts = new Set(Array.isArray(origin) ? origin : []);
  const result = setAssociativeElements(primitiveValues([origin, d]), [""], d, origin, schema, path);
  if (tags && Array.isArray(result))
    result.forEach((v, i) => {
      if (typeof v === "string") setTag(result, i, patchTexts.has(v) ? fromPatch!.has(v) : fromTarget!.has(v));
    });
  return result;
}

/** Key values of every element, patch first (kustomize's "prepend" direction), without repeats. */
function elementValues(keys: string[], sources: Node[]): string[][] {
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

function primitiveValues(sources: Node[]): string[][] {
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

function validateKeys(valuesList: string[][], values: string[], keys: string[]): [string[], string[]] {
  const valid = new Set<string>();
  for (const vs of valuesList) vs.forEach((v, i) => v !== "" && keys[i] !== undefined && valid.add(keys[i]));
  if (valid.size === 0) return [keys, values];
  return [keys.filter((k) => valid.has(k)), values.filter((v, i) => v !== "" || valid.has(keys[i] ?? ""))];
}

function mergeValues(valuesList: string[][]): void {
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
function scalarFromText(s: string): Json {
  if (/^-?(0|[1-9]\d*)$/.test(s)) return Number(s);
  if (s === "true" || s === "false") return s === "true";
  return s;
}

function setAssociativeElements(
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
    let val = walk(d, o, elemSchema, [...path, `[${label}]`]);
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
    if (exit) continue;
    elementSetter(items, { element: val as Json, keys: validKeys, values: validValues }, path);
  }
  const result = valuesList.length > 0 ? appendListNode(items, dest, validKeys, path) : dest;
  return result;
}

/** ElementMatcher / MatchElementList: the first element whose keys have exactly these values. */
function elementList(list: Json[], keys: string[], values: string[]): Node {
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
function elementSetter(list: Json[], s: { element?: Json; keys: string[]; values: string[] }, path: string[]): void {
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
  list.splice(0, list.length, ...out);
  if (isMissingOrNull(s.element)) return;
  if (!found) list.push(s.element!);
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

/** Removes every directive key, and list elements that are only a `$patch` directive. */
function stripDirectives(n: Json): void {
  if (Array.isArray(n)) {
    for (let i = n.length - 1; i >= 0; i--) {
      const el = n[i];
      if (isMap(el) && Object.keys(el).length === 1 && has(el, "$patch")) n.splice(i, 1);
      else if (el !== undefined) stripDirectives(el);
    }
  } else if (isMap(n)) {
    for (const k of Object.keys(n)) {
      if (k === "$patch" || k === "$retainKeys" || k.startsWith("$setElementOrder/") || k.startsWith("$deleteFromPrimitiveList/")) {
        delete n[k];
      } else stripDirectives(n[k]!);
    }
  }
}
