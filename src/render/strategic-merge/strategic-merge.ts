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
 *
 * The parts follow kyaml's seams: ./walk.ts (the walker: kinds, replaced lists, scalars), ./map.ts,
 * ./associative-list.ts with ./list-keys.ts (merge keys, primitive lists) and ./elements.ts (kyaml's
 * ElementMatcher/ElementSetter), ./directives.ts (`$patch`, `$retainKeys`, `$deleteFromPrimitiveList`,
 * `$setElementOrder`), ./plain-tags.ts (plain-scalar provenance), ./nodes.ts (the values walked).
 */
import { BraidError } from "../../diagnostics/diagnostic.js";
import type { PatchSchema } from "../../model/kube-schema.js";
import type { JsonObject } from "../../model/resource.js";
import type { PlainPaths } from "../../model/plain-scalars.js";
import { stripDirectives } from "./directives.js";
import { isMap, MergeFailure, pointer } from "./nodes.js";
import { tagPaths, taggedNulls, taggedPaths } from "./plain-tags.js";
import { mergeWalk } from "./walk.js";

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

/** Plain-scalar provenance of the target and the patch (see plain-scalars.ts), and the target's empty nulls. */
export interface PlainInputs {
  target: PlainPaths;
  patch: PlainPaths;
  /** The target's nulls written as nothing (model/empty-nulls.ts): the merge drops them, as kyaml's does. */
  emptyNulls?: ReadonlySet<string>;
}

/** Like {@link strategicMerge}, with failures as data and `null` when the patch deletes the object. */
export function tryStrategicMerge(
  target: JsonObject,
  patch: JsonObject,
  schema: PatchSchema | undefined,
  plain?: PlainInputs,
): { object: JsonObject | null; plain?: Set<string>; emptyNulls?: Set<string> } | { error: StrategicMergeError } {
  const dest = structuredClone(target);
  const origin = structuredClone(patch);
  const tags = plain ? new WeakMap<object, Set<string>>() : undefined;
  const empties = plain?.emptyNulls?.size ? new WeakMap<object, Set<string>>() : undefined;
  try {
    if (tags && plain) {
      tagPaths(tags, dest, plain.target);
      tagPaths(tags, origin, plain.patch);
    }
    if (empties && plain?.emptyNulls) tagPaths(empties, dest, plain.emptyNulls);
    const result = mergeWalk(tags, empties).walk(dest, origin, schema, []);
    if (!isMap(result)) return { object: null };
    stripDirectives(result);
    const left = empties ? { emptyNulls: taggedNulls(empties, result) } : {};
    return tags ? { object: result, plain: taggedPaths(tags, result), ...left } : { object: result, ...left };
  } catch (e) {
    if (e instanceof MergeFailure) return { error: { path: pointer(e.path), message: e.message } };
    throw e;
  }
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
): { object: JsonObject | null; plain?: Set<string>; emptyNulls?: Set<string> } | { error: StrategicMergeError } {
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
  return { object: out, ...(r.plain ? { plain: r.plain } : {}), ...(r.emptyNulls ? { emptyNulls: r.emptyNulls } : {}) };
}
