/**
 * `commonLabels`, `labels` and `commonAnnotations`: string pairs written into every field the field specs
 * name (kustomize's LabelTransformer and AnnotationsTransformer). `commonLabels` and `labels` with
 * `includeSelectors` also write selectors and pod templates; `labels` with `includeTemplates` writes pod
 * templates but no selectors; plain `labels` writes only `metadata/labels`. Keys are set in sorted order.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { Json, JsonPath, Resource } from "../model/resource.js";
import type { KustomizationContext, TransformResult, Transformer } from "./context.js";
import { cloneJson, type FieldSpec, isObject, specSelects, walkFieldSpec } from "./field-spec.js";
import { COMMON_ANNOTATION_SPECS, COMMON_LABEL_SPECS, TEMPLATE_LABEL_SPECS } from "./field-specs-data.js";
import { checkKeys, invalidField, stringHint, withObject, WrittenFields } from "./resource-edit.js";
import { pushAll } from "../model/append.js";

const METADATA_LABELS: FieldSpec = { path: "metadata/labels", create: true };

/** Reads a map of string pairs; non-string values are located errors (kustomize wants strings). */
function readPairs(
  args: Json,
  at: JsonPath,
  ctx: KustomizationContext,
  diagnostics: Diagnostic[],
): Record<string, string> | undefined {
  if (args === null) return {};
  if (!isObject(args)) {
    diagnostics.push(invalidField(ctx, at, `${at.join(".")} must be a map of strings`, "write key: value pairs"));
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(args)) {
    if (typeof v !== "string") {
      diagnostics.push(
        invalidField(ctx, [...at, k], `the value of ${k} in ${at.join(".")} is not a string`, stringHint(k, v)),
      );
      continue;
    }
    out[k] = v;
  }
  return out;
}

/** Writes `pairs` into the maps the specs name, for every resource a spec selects. */
function setPairs(
  resources: readonly Resource[],
  pairs: Record<string, string>,
  specs: readonly FieldSpec[],
  from: (key: string) => JsonPath,
  ctx: KustomizationContext,
): Resource[] {
  const keys = Object.keys(pairs).sort();
  if (!keys.length) return [...resources];
  return resources.map((res) => {
    const applicable = specs.filter((s) => specSelects(s, res.id));
    if (!applicable.length) return res;
    const object = cloneJson(res.object);
    const written = new WrittenFields();
    for (const spec of applicable) {
      walkFieldSpec(object, spec, (parent, key, path) => {
        let map = parent[key];
        if (map === undefined || map === null) {
          if (!spec.create) return;
          map = {};
          parent[key] = map;
        }
        if (!isObject(map)) return;
        for (const k of keys) {
          map[k] = pairs[k]!;
          written.add([...path, k], from(k));
        }
      });
    }
    return written.size ? withObject(res, object, written, ctx) : res;
  });
}

/**
 * A map of string pairs (the kustomization field or plugin setting at `at`) written into the fields `specs`
 * name (kustomize's LabelTransformer / AnnotationsTransformer configured with these field specs).
 */
export function writePairs(
  resources: readonly Resource[],
  args: Json,
  specs: readonly FieldSpec[],
  at: JsonPath,
  ctx: KustomizationContext,
): TransformResult {
  const diagnostics: Diagnostic[] = [];
  const pairs = readPairs(args, at, ctx, diagnostics);
  if (!pairs || diagnostics.length) return { resources: [...resources], diagnostics };
  return { resources: setPairs(resources, pairs, specs, (k) => [...at, k], ctx), diagnostics };
}

/** `commonLabels`: metadata, selectors and templates. */
export const commonLabels: Transformer = (resources, args, ctx): TransformResult => {
  const diagnostics: Diagnostic[] = [];
  const pairs = readPairs(args, ["commonLabels"], ctx, diagnostics);
  if (!pairs || diagnostics.length) return { resources: [...resources], diagnostics };
  const specs = ctx.config?.commonLabels ?? COMMON_LABEL_SPECS;
  return { resources: setPairs(resources, pairs, specs, (k) => ["commonLabels", k], ctx), diagnostics };
};

/** `commonAnnotations`: metadata and templates. */
export const commonAnnotations: Transformer = (resources, args, ctx): TransformResult => {
  const diagnostics: Diagnostic[] = [];
  const pairs = readPairs(args, ["commonAnnotations"], ctx, diagnostics);
  if (!pairs || diagnostics.length) return { resources: [...resources], diagnostics };
  return {
    resources: setPairs(
      resources,
      pairs,
      ctx.config?.commonAnnotations ?? COMMON_ANNOTATION_SPECS,
      (k) => ["commonAnnotations", k],
      ctx,
    ),
    diagnostics,
  };
};

/** Reads custom field specs (`labels[].fields`). */
function readFieldSpecs(
  v: Json | undefined,
  at: JsonPath,
  ctx: KustomizationContext,
  diagnostics: Diagnostic[],
): FieldSpec[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    diagnostics.push(
      invalidField(
        ctx,
        at,
        "fields must be a list of field specs",
        "write - path: spec/x/labels (with optional kind, group, version, create)",
      ),
    );
    return [];
  }
  const out: FieldSpec[] = [];
  v.forEach((item, i) => {
    if (
      isObject(item) &&
      !checkKeys(item, ["path", "group", "version", "kind", "create"], [...at, i], ctx, diagnostics)
    )
      return;
    if (!isObject(item) || typeof item.path !== "string" || item.path === "") {
      diagnostics.push(invalidField(ctx, [...at, i], "a field spec needs a path", "write - path: spec/x/labels"));
      return;
    }
    const spec: FieldSpec = { path: item.path };
    if (typeof item.kind === "string") spec.kind = item.kind;
    if (typeof item.group === "string") spec.group = item.group;
    if (typeof item.version === "string") spec.version = item.version;
    if (item.create === true) spec.create = true;
    out.push(spec);
  });
  return out;
}

/** `labels`: a list of `{pairs, includeSelectors, includeTemplates, fields}`, applied in order. */
export const labels: Transformer = (resources, args, ctx): TransformResult => {
  const diagnostics: Diagnostic[] = [];
  if (args === null) return { resources: [...resources], diagnostics };
  if (!Array.isArray(args)) {
    diagnostics.push(invalidField(ctx, ["labels"], "labels must be a list", "write - pairs: {app: web}"));
    return { resources: [...resources], diagnostics };
  }
  let out = [...resources];
  args.forEach((entry, i) => {
    if (!isObject(entry)) {
      diagnostics.push(invalidField(ctx, ["labels", i], "a labels entry must be a map", "write - pairs: {app: web}"));
      return;
    }
    if (!checkKeys(entry, ["pairs", "includeSelectors", "includeTemplates", "fields"], ["labels", i], ctx, diagnostics))
      return;
    const pairs = readPairs(entry.pairs ?? null, ["labels", i, "pairs"], ctx, diagnostics);
    const specs = readFieldSpecs(entry.fields, ["labels", i, "fields"], ctx, diagnostics);
    if (!pairs) return;
    // the `labels` specs of a configurations file apply to every entry
    pushAll(specs, ctx.config?.labels ?? []);
    if (entry.includeSelectors === true) pushAll(specs, ctx.config?.commonLabels ?? COMMON_LABEL_SPECS);
    else {
      if (entry.includeTemplates === true) pushAll(specs, ctx.config?.templateLabels ?? TEMPLATE_LABEL_SPECS);
      specs.push(METADATA_LABELS);
    }
    out = setPairs(out, pairs, specs, (k) => ["labels", i, "pairs", k], ctx);
  });
  return { resources: out, diagnostics };
};
