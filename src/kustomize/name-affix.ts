/**
 * `namePrefix` / `nameSuffix` (kustomize's PrefixTransformer / SuffixTransformer): every object's
 * `metadata.name` gets the prefix or suffix, except CustomResourceDefinitions, APIServices and Namespaces,
 * whose names are fixed by the API. The old id goes to `previous` so NAME_REFERENCES.fix can update the
 * references (env, volumes, roleRef, …) to the new names.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { JsonObject, JsonPath, Resource, ResourceId } from "../model/resource.js";
import type { KustomizationContext, TransformResult, Transformer } from "./context.js";
import { cloneJson, type FieldSpec, isObject, specSelects, walkFieldSpec } from "./field-spec.js";
import { invalidField, stringHint, withObject, WrittenFields } from "./resource-edit.js";

/** Kinds kustomize never renames (matched on the original id). */
function keepsName(res: Resource): boolean {
  const org = res.previous?.[0] ?? res.id;
  return (
    org.kind === "CustomResourceDefinition" ||
    org.kind === "Namespace" ||
    (org.kind === "APIService" && org.group === "apiregistration.k8s.io")
  );
}

function affix(field: "namePrefix" | "nameSuffix"): Transformer {
  return (resources, args, ctx: KustomizationContext): TransformResult => {
    const diagnostics: Diagnostic[] = [];
    if (args === null || args === "") return { resources: [...resources], diagnostics };
    if (typeof args !== "string") {
      diagnostics.push(invalidField(ctx, [field], `${field} must be a string`, stringHint(field, args)));
      return { resources: [...resources], diagnostics };
    }
    // field specs of a `configurations` file: kustomize's transformer with them
    const specs = ctx.config?.[field];
    if (specs && !(specs.length === 1 && specs[0]!.path === "metadata/name" && !specs[0]!.kind && !specs[0]!.group))
      return {
        resources: resources.map((r) =>
          affixOne(r, field === "namePrefix" ? "prefix" : "suffix", args, specs, ctx, [field]),
        ),
        diagnostics,
      };
    const out = resources.map((res) => {
      if (keepsName(res)) return res;
      const object = structuredClone(res.object);
      const meta = isObject(object.metadata) ? object.metadata : (object.metadata = {});
      const name = typeof meta.name === "string" ? meta.name : "";
      meta.name = field === "namePrefix" ? args + name : name + args;
      const written = new WrittenFields();
      written.add(["metadata", "name"], [field]);
      const previous: ResourceId[] = [...(res.previous ?? []), res.id];
      return {
        ...withObject(res, object, written, ctx),
        previous,
        ...addedAffix(res, field === "namePrefix" ? "prefix" : "suffix", args),
      };
    });
    return { resources: out, diagnostics };
  };
}

/** `namePrefix`. */
export const namePrefix: Transformer = affix("namePrefix");
/** `nameSuffix`. */
export const nameSuffix: Transformer = affix("nameSuffix");

/** The resource's prefixes or suffixes with one more (kustomize's AddNamePrefix / AddNameSuffix). */
function addedAffix(
  res: Resource,
  which: "prefix" | "suffix",
  value: string,
): { namePrefixes: readonly string[] } | { nameSuffixes: readonly string[] } {
  return which === "prefix"
    ? { namePrefixes: [...(res.namePrefixes ?? []), value] }
    : { nameSuffixes: [...(res.nameSuffixes ?? []), value] };
}

/** The id a resource was first read with (kustomize's OrgId). */
function orgId(res: Resource): ResourceId {
  return res.previous?.[0] ?? res.id;
}

/**
 * The prefix or suffix added at each field spec's path of a resource the spec selects (kustomize's
 * PrefixTransformer / SuffixTransformer with these field specs; `metadata/name` renames and keeps the old id),
 * except CustomResourceDefinitions, Namespaces and APIServices (by original id).
 */
export function affixOne(
  res: Resource,
  which: "prefix" | "suffix",
  value: string,
  specs: readonly FieldSpec[],
  ctx: KustomizationContext,
  from: JsonPath = [which],
): Resource {
  const org = orgId(res);
  if (
    org.kind === "CustomResourceDefinition" ||
    org.kind === "Namespace" ||
    (org.kind === "APIService" && org.group === "apiregistration.k8s.io")
  )
    return res;
  let object: JsonObject | undefined;
  const written = new WrittenFields();
  const previous: ResourceId[] = [...(res.previous ?? [])];
  let affixes: ReturnType<typeof addedAffix> | undefined;
  for (const spec of specs) {
    if (!specSelects(spec, org) || !specSelects(spec, res.id)) continue;
    object ??= cloneJson(res.object);
    if (spec.path === "metadata/name" && value !== "") {
      previous.push(res.id);
      affixes = addedAffix({ ...res, ...affixes }, which, value);
    }
    walkFieldSpec(object, spec, (parent, key, path) => {
      const cur = parent[key];
      if ((cur === undefined || cur === null) && !spec.create) return;
      if (cur !== null && typeof cur === "object") return;
      const s = cur === undefined || cur === null ? "" : String(cur);
      parent[key] = which === "prefix" ? value + s : s + value;
      written.add(path, from);
    });
  }
  if (!object) return res;
  const changed = { ...withObject(res, object, written, ctx), ...affixes };
  return previous.length ? { ...changed, previous } : changed;
}
