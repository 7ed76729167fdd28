/**
 * `namePrefix` / `nameSuffix` (kustomize's PrefixTransformer / SuffixTransformer): every object's
 * `metadata.name` gets the prefix or suffix, except CustomResourceDefinitions, APIServices and Namespaces,
 * whose names are fixed by the API. The old id goes to `previous` so NAME_REFERENCES.fix can update the
 * references (env, volumes, roleRef, …) to the new names.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { Resource, ResourceId } from "../model/resource.js";
import type { KustomizationContext, TransformResult, Transformer } from "./context.js";
import { isObject } from "./field-spec.js";
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
    const out = resources.map((res) => {
      if (keepsName(res)) return res;
      const object = structuredClone(res.object);
      const meta = isObject(object.metadata) ? object.metadata : (object.metadata = {});
      const name = typeof meta.name === "string" ? meta.name : "";
      meta.name = field === "namePrefix" ? args + name : name + args;
      const written = new WrittenFields();
      written.add(["metadata", "name"], [field]);
      const previous: ResourceId[] = [...(res.previous ?? []), res.id];
      return { ...withObject(res, object, written, ctx), previous };
    });
    return { resources: out, diagnostics };
  };
}

/** `namePrefix`. */
export const namePrefix: Transformer = affix("namePrefix");
/** `nameSuffix`. */
export const nameSuffix: Transformer = affix("nameSuffix");
