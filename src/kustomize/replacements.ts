/**
 * `replacements` (kustomize's ReplacementTransformer, api/filters/replacement): copies one field of a
 * source object into fields of target objects. Entries are inline or `path:` files (one replacement or a
 * list). Source and targets are selected by group/version/kind/name/namespace, matching current or earlier
 * ids (before prefixes, suffixes and hashes); targets may also `reject` ids. Field paths are dot-separated
 * with `[key=value]` list selectors (the value is a regular expression, unanchored, as in kustomize), list
 * indexes and `*`. `options.delimiter`/`index` take one part of the source and write one part of the target
 * (a negative index prefixes, an index past the end appends); `options.create` creates missing fields.
 * Like kustomize, a scalar written over a scalar keeps the target's type (a string "3" over `replicas: 1`
 * stays a number); a created field reads the text back as a plain YAML scalar (`"3"` becomes 3), except
 * annotations, which kustomize always writes as strings.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { parseYamlFile, documentToJs, yamlText } from "../model/yaml-file.js";
import { BraidError } from "../diagnostics/diagnostic.js";
import type { Json, JsonObject, JsonPath, Resource, ResourceId } from "../model/resource.js";
import type { AsyncTransformer, KustomizationContext, TransformResult } from "./context.js";
import { isObject } from "./field-spec.js";
import { keepType, lookup, matchPath, plainScalar, scalarText, splitFieldPath } from "./field-path.js";
import { entryLocation, invalidField, stringHint, withObject, WrittenFields } from "./resource-edit.js";
import { isClusterScoped } from "../model/kustomize-scope.js";
import { matchesLabelSelector, parseSelectorString } from "../model/select-targets.js";
import { pushAll } from "../model/append.js";

/** A selector of objects (kustomize's ResId selector plus label/annotation selectors for targets). */
interface Selector {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

interface Options {
  delimiter?: string;
  index: number;
  create: boolean;
}

class ReplacementError extends Error {
  constructor(
    message: string,
    readonly at: JsonPath,
    readonly hint: string,
  ) {
    super(message);
  }
}

function ids(res: Resource): ResourceId[] {
  return [res.id, ...(res.previous ?? [])];
}

function effectiveNs(id: ResourceId): string {
  return isClusterScoped(id) ? "" : id.namespace || "default";
}

function selectedBy(id: ResourceId, sel: Selector): boolean {
  return (
    (!sel.name || sel.name === id.name) &&
    (!sel.namespace || effectiveNs({ ...id, namespace: sel.namespace }) === effectiveNs(id)) &&
    (!sel.group || sel.group === id.group) &&
    (!sel.version || sel.version === id.version) &&
    (!sel.kind || sel.kind === id.kind)
  );
}

function metaMap(res: Resource, key: "labels" | "annotations"): Record<string, string> {
  const meta = isObject(res.object.metadata) ? res.object.metadata : {};
  const m = meta[key];
  return isObject(m)
    ? (Object.fromEntries(Object.entries(m).filter(([, v]) => typeof v === "string")) as Record<string, string>)
    : {};
}

function matchesMeta(res: Resource, sel: Selector, at: JsonPath): boolean {
  for (const [field, key] of [
    ["labelSelector", "labels"],
    ["annotationSelector", "annotations"],
  ] as const) {
    const s = sel[field];
    if (!s) continue;
    const req = parseSelectorString(s);
    if ("error" in req)
      throw new ReplacementError(
        `${field}: ${req.error}`,
        [...at, field],
        "write a Kubernetes label selector, e.g. app=web,tier!=db",
      );
    if (!matchesLabelSelector(metaMap(res, key), req)) return false;
  }
  return true;
}

/** Unknown keys are errors, as in kustomize's strict reading. */
function onlyKeys(v: JsonObject, allowed: readonly string[], at: JsonPath): void {
  const bad = Object.keys(v).find((k) => !allowed.includes(k));
  if (bad !== undefined)
    throw new ReplacementError(
      `unknown field ${JSON.stringify(bad)} in a replacement`,
      [...at, bad],
      `the fields here are: ${allowed.join(", ")}`,
    );
}

const ID_KEYS = ["group", "version", "kind", "name", "namespace"];

function readSelector(
  v: Json | undefined,
  at: JsonPath,
  extra: readonly string[] = ["labelSelector", "annotationSelector"],
): Selector {
  if (v === undefined || v === null) return {};
  if (!isObject(v))
    throw new ReplacementError("a selector must be a map", at, "write kind, name, namespace, group or version");
  onlyKeys(v, [...ID_KEYS, ...extra], at);
  const out: Selector = {};
  for (const k of ["group", "version", "kind", "name", "namespace", "labelSelector", "annotationSelector"] as const) {
    const x = v[k];
    if (x === undefined || x === null) continue;
    if (typeof x !== "string") throw new ReplacementError(`${k} must be a string`, [...at, k], stringHint(k, x));
    out[k] = x;
  }
  return out;
}

function readOptions(v: Json | undefined, at: JsonPath): Options {
  const out: Options = { index: 0, create: false };
  if (v === undefined || v === null) return out;
  if (!isObject(v)) throw new ReplacementError("options must be a map", at, "write delimiter, index or create");
  onlyKeys(v, ["delimiter", "index", "encoding", "create"], at);
  if (v.delimiter !== undefined && v.delimiter !== null) {
    if (typeof v.delimiter !== "string")
      throw new ReplacementError("delimiter must be a string", [...at, "delimiter"], 'quote it: delimiter: "."');
    if (v.delimiter !== "") out.delimiter = v.delimiter;
  }
  if (v.index !== undefined && v.index !== null) {
    if (typeof v.index !== "number" || !Number.isInteger(v.index))
      throw new ReplacementError("index must be an integer", [...at, "index"], "write index: 0");
    out.index = v.index;
  }
  if (v.create === true) out.create = true;
  return out;
}

interface Replacement {
  at: JsonPath;
  source: { select: Selector; fieldPath: string; options: Options; at: JsonPath };
  targets: { select: Selector; reject: Selector[]; fieldPaths: string[]; options: Options; at: JsonPath }[];
}

function readReplacement(v: Json, at: JsonPath): Replacement {
  if (!isObject(v))
    throw new ReplacementError(
      "a replacement must be a map with source and targets",
      at,
      "write source: {kind: …, name: …} and targets: [...]",
    );
  if (!isObject(v.source) || !Array.isArray(v.targets) || v.targets.length === 0)
    throw new ReplacementError(
      "a replacement needs a source and at least one target",
      at,
      "write source: {kind: …, name: …, fieldPath: …} and targets: [{select: …, fieldPaths: […]}]",
    );
  onlyKeys(v, ["source", "targets"], at);
  const s = v.source;
  onlyKeys(s, [...ID_KEYS, "fieldPath", "options"], [...at, "source"]);
  const fieldPath = s.fieldPath ?? "metadata.name";
  if (typeof fieldPath !== "string")
    throw new ReplacementError(
      "fieldPath must be a string",
      [...at, "source", "fieldPath"],
      "write fieldPath: data.key",
    );
  const targets = v.targets.map((t, i) => {
    const tat = [...at, "targets", i];
    if (!isObject(t) || !isObject(t.select))
      throw new ReplacementError("a target must select objects", tat, "write select: {kind: …}");
    onlyKeys(t, ["select", "reject", "fieldPaths", "options"], tat);
    const fps = t.fieldPaths ?? ["metadata.name"];
    if (!Array.isArray(fps) || !fps.every((f) => typeof f === "string"))
      throw new ReplacementError(
        "fieldPaths must be a list of strings",
        [...tat, "fieldPaths"],
        "write fieldPaths: [spec.x]",
      );
    const reject = t.reject ?? [];
    if (!Array.isArray(reject))
      throw new ReplacementError("reject must be a list of selectors", [...tat, "reject"], "write reject: [{name: …}]");
    return {
      select: readSelector(t.select, [...tat, "select"]),
      reject: reject.map((r, j) => readSelector(r, [...tat, "reject", j])),
      fieldPaths: fps.length ? fps : ["metadata.name"],
      options: readOptions(t.options, [...tat, "options"]),
      at: tat,
    };
  });
  return {
    at,
    source: {
      select: readSelector({ ...s, fieldPath: null, options: null }, [...at, "source"], ["fieldPath", "options"]),
      fieldPath,
      options: readOptions(s.options, [...at, "source", "options"]),
      at: [...at, "source"],
    },
    targets,
  };
}

/** Applies one replacement to the list (copies what it changes). */
function apply(list: Resource[], r: Replacement, ctx: KustomizationContext): Resource[] {
  const sources = list.filter((res) => ids(res).some((id) => selectedBy(id, r.source.select)));
  if (sources.length === 0)
    throw new ReplacementError(
      "the replacement source selects nothing",
      r.source.at,
      "select an object of this kustomization by kind and name",
    );
  if (sources.length > 1)
    throw new ReplacementError(
      `the replacement source selects ${sources.length} objects`,
      r.source.at,
      "add kind, name or namespace until one object is selected",
    );
  const segs = splitFieldPath(r.source.fieldPath);
  let value = lookup(sources[0]!.object, segs);
  // kyaml's IsNilOrEmpty: absent, null, an empty list or mapping — an empty string is a value (a generated
  // ConfigMap's `KEY=` entry)
  if (
    value === undefined ||
    value === null ||
    (Array.isArray(value) && !value.length) ||
    (isObject(value) && !Object.keys(value).length)
  )
    throw new ReplacementError(
      `fieldPath ${r.source.fieldPath} is missing in the replacement source`,
      [...r.source.at, "fieldPath"],
      "name a field the source object has",
    );
  if (r.source.options.delimiter !== undefined) {
    const text = scalarText(value);
    if (text === undefined)
      throw new ReplacementError(
        "delimiter can only be used with scalar fields",
        [...r.source.at, "options", "delimiter"],
        "point fieldPath at a string",
      );
    const parts = text.split(r.source.options.delimiter);
    const i = r.source.options.index;
    if (i < 0 || i >= parts.length)
      throw new ReplacementError(
        `options.index ${i} is out of bounds for ${JSON.stringify(text)}`,
        [...r.source.at, "options", "index"],
        `use an index below ${parts.length}`,
      );
    value = typeof value === "string" ? parts[i]! : plainScalar(parts[i]!);
  }
  const valueText = scalarText(value) ?? "";
  const valueIsScalar = scalarText(value) !== undefined;
  return list.map((res) => {
    const chosen = r.targets.filter((t) => targets(res, t));
    if (!chosen.length) return res;
    let object = structuredClone(res.object);
    const written = new WrittenFields();
    for (const t of chosen) {
      t.fieldPaths.forEach((fp, k) => {
        const slots = matchPath(object, splitFieldPath(fp), t.options.create, valueIsScalar);
        if (!slots.length)
          throw new ReplacementError(
            `${t.options.create ? "unable to find or create" : "unable to find"} field ${fp} in ${res.id.kind} ${res.id.name}`,
            [...t.at, "fieldPaths", k],
            "add options: {create: true}, or fix the path",
          );
        for (const slot of slots) {
          const old = (slot.holder as Record<string | number, Json>)[slot.key] as Json;
          let text = valueText;
          let next: Json;
          if (t.options.delimiter !== undefined) {
            const oldText = scalarText(old);
            if (oldText === undefined)
              throw new ReplacementError(
                "delimiter can only be used with scalar fields",
                [...t.at, "options", "delimiter"],
                "point the field path at a string",
              );
            const parts = oldText.split(t.options.delimiter);
            if (t.options.index < 0) parts.unshift(text);
            else if (t.options.index >= parts.length) parts.push(text);
            else parts[t.options.index] = text;
            text = parts.join(t.options.delimiter);
            next = scalarText(old) !== undefined && !Array.isArray(old) && !isObject(old) ? keepType(old, text) : text;
          } else if (!Array.isArray(old) && !isObject(old)) {
            // a created (or null) field is an untagged node: its text reads back as YAML reads a plain scalar
            next = old === null ? (valueIsScalar ? plainScalar(text) : structuredClone(value)) : keepType(old, text);
            // kustomize rewrites annotations as strings when it drops its build annotations
            if (
              slot.path.length === 3 &&
              slot.path[0] === "metadata" &&
              slot.path[1] === "annotations" &&
              next !== null
            )
              next = scalarText(next) ?? next;
          } else next = structuredClone(value);
          (slot.holder as Record<string | number, Json>)[slot.key] = next;
          if (slot.path.length === 0 && isObject(next)) object = next;
          written.add(slot.path, t.at);
        }
      });
    }
    return written.size ? withObject(res, object, written, ctx) : res;
  });
}

/** True when a target entry selects the object (by any of its ids and its labels) and rejects none of it. */
function targets(res: Resource, t: Replacement["targets"][number]): boolean {
  const all = ids(res);
  if (!all.some((id) => selectedBy(id, t.select)) || !matchesMeta(res, t.select, [...t.at, "select"])) return false;
  return !t.reject.some(
    (rej) => (hasId(rej) && all.some((id) => selectedBy(id, rej))) || (hasMeta(rej) && matchesMeta(res, rej, t.at)),
  );
}

const hasId = (s: Selector): boolean => Boolean(s.group || s.version || s.kind || s.name || s.namespace);
const hasMeta = (s: Selector): boolean => Boolean(s.labelSelector || s.annotationSelector);

/** Reads `path:` entries (a file holding one replacement or a list). */
async function expand(args: Json[], ctx: KustomizationContext, diagnostics: Diagnostic[]): Promise<Replacement[]> {
  const out: Replacement[] = [];
  for (const [i, entry] of args.entries()) {
    const at: JsonPath = ["replacements", i];
    try {
      if (isObject(entry) && typeof entry.path === "string") {
        let bytes: Uint8Array;
        try {
          bytes = await ctx.readFile(entry.path);
        } catch (e) {
          if (e instanceof BraidError) {
            diagnostics.push({ ...e.diagnostic, location: entryLocation(ctx, [...at, "path"]) });
            continue;
          }
          throw new ReplacementError(
            `cannot read ${entry.path}`,
            [...at, "path"],
            "name a file inside the kustomization's folder",
          );
        }
        const file = ctx.dir ? `${ctx.dir}/${entry.path}` : entry.path;
        const text = yamlText(bytes, file, { source: ctx.source, commit: ctx.commit });
        if ("diagnostic" in text) {
          diagnostics.push(text.diagnostic);
          continue;
        }
        const yaml = parseYamlFile(text.text, file, { source: ctx.source, commit: ctx.commit });
        if (yaml.diagnostics.length) {
          pushAll(diagnostics, yaml.diagnostics);
          continue;
        }
        const doc = yaml.docs[0];
        const value = doc ? documentToJs(doc, file, yaml.lineCounter).value : null;
        const list = Array.isArray(value) ? (value as Json[]) : [value as Json];
        list.forEach((r, j) =>
          out.push(readReplacement(r, Array.isArray(value) ? [...at, "path", j] : [...at, "path"])),
        );
      } else out.push(readReplacement(entry, at));
    } catch (e) {
      if (!(e instanceof ReplacementError)) throw e;
      diagnostics.push(invalidField(ctx, e.at, e.message, e.hint));
    }
  }
  return out;
}

/** `replacements`: each applied in order; the first failing one stops the field (as in kustomize). */
export const replacements: AsyncTransformer = async (resources, args, ctx): Promise<TransformResult> => {
  const diagnostics: Diagnostic[] = [];
  if (args === null) return { resources: [...resources], diagnostics };
  if (!Array.isArray(args)) {
    diagnostics.push(
      invalidField(ctx, ["replacements"], "replacements must be a list", "write - source: {…}\n  targets: [...]"),
    );
    return { resources: [...resources], diagnostics };
  }
  const list = await expand(args, ctx, diagnostics);
  if (diagnostics.length) return { resources: [...resources], diagnostics };
  let out = [...resources];
  for (const r of list) {
    try {
      out = apply(out, r, ctx);
    } catch (e) {
      if (!(e instanceof ReplacementError)) throw e;
      diagnostics.push(invalidField(ctx, e.at, e.message, e.hint));
      return { resources: [...resources], diagnostics };
    }
  }
  return { resources: out, diagnostics };
};
