import type { Diagnostic, SourceLocation } from "../diagnostics/diagnostic.js";
import { isClusterScoped } from "../model/kustomize-scope.js";
import type { PatchDef } from "../config/types.js";
import { pointerToPath } from "../model/yaml-file.js";
import type { KubeSchemaIndex } from "../model/kube-schema.js";
import {
  describeId,
  idKey,
  idOf,
  type Json,
  type JsonObject,
  type JsonPath,
  type PositionMap,
  type PrefixEntry,
  type Resource,
  type ResourceId,
} from "../model/resource.js";
import { applyJson6902 } from "./json6902.js";
import { applyMergePatch } from "./merge-patch.js";
import { NO_PLAIN, plainAfterMergePatch } from "../model/plain-scalars.js";
import { compileTarget, type TargetSelector } from "../model/select-targets.js";
import { applyStrategicPatch } from "./strategic-merge/strategic-merge.js";
import { targetFromPatchDocument } from "./strategic-merge/target-from-patch.js";
import { goFormatFloatG } from "../model/go-scalars.js";
import { setOwn } from "../model/own-keys.js";

/** Positions of fields a JSON6902 patch wrote: the value of the last op whose path covers the field. */
function opsPositionMap(patch: PatchDef): PositionMap {
  const ops = Array.isArray(patch.body) ? (patch.body as (JsonObject | null)[]) : [];
  const parsed = ops.map((op) =>
    typeof op?.path === "string" && op.path.startsWith("/")
      ? op.path
          .slice(1)
          .split("/")
          .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
      : undefined,
  );
  return {
    locate(path: JsonPath): SourceLocation | undefined {
      for (let j = ops.length - 1; j >= 0; j--) {
        const p = parsed[j];
        const op = ops[j]!;
        if (!p || !("value" in op) || p.length > path.length) continue;
        if (!p.every((seg, i) => seg === String(path[i]) || (seg === "-" && typeof path[i] === "number"))) continue;
        const inner = patch.positions.locate([j, "value", ...path.slice(p.length)]);
        if (inner) return inner;
        return patch.opLocations?.[j];
      }
      return undefined;
    },
    ...(patch.positions.all
      ? {
          *prefixes(): Iterable<PrefixEntry> {
            const all = [...patch.positions.all!()];
            for (let j = ops.length - 1; j >= 0; j--) {
              const p = parsed[j];
              if (!p || !("value" in ops[j]!)) continue;
              const head = `/${j}/value`;
              const inner: [string, SourceLocation][] = [];
              for (const [pointer, l] of all)
                if (pointer === head || pointer.startsWith(`${head}/`)) inner.push([pointer.slice(head.length), l]);
              yield { path: p, at: patch.opLocations?.[j], inner, dash: true };
            }
          },
        }
      : {}),
  };
}

/** A patch with a target applies to whatever it selects: its own identity fields are not merged. */
function stripIdentity(body: JsonObject, options: PatchDef["options"] = {}): JsonObject {
  const { apiVersion: _a, kind, ...rest } = body;
  if (options.allowKindChange && kind !== undefined) rest.kind = kind;
  const meta = rest.metadata;
  if (meta && typeof meta === "object" && !Array.isArray(meta)) {
    const { name, namespace: _ns, ...m } = meta;
    if (options.allowNameChange && name !== undefined) m.name = name;
    if (Object.keys(m).length) rest.metadata = m;
    else delete rest.metadata;
  }
  return rest;
}

/**
 * The target kustomize infers for a strategic/merge patch without one: the patch's own id, matched as
 * kustomize's `GetById` does, by effective namespace (a patch without namespace names the object in
 * `default`, not the name in every namespace).
 */
function inferredTarget(body: JsonObject): TargetSelector | undefined {
  const sel = targetFromPatchDocument(body);
  if (sel && sel.namespace === undefined) sel.namespace = "default";
  return sel;
}

/**
 * The object as selectors see it: kustomize matches a target's name and namespace against the object's
 * current id or the id it was loaded with (a JSON6902 patch may have renamed or moved it), each separately.
 */
function identities(res: Resource, first: ResourceId | undefined, earlier: readonly ResourceId[] = []): JsonObject[] {
  if (!first && earlier.length === 0) return [res.object];
  const meta = isObject(res.object.metadata) ? res.object.metadata : {};
  const out: JsonObject[] = [res.object];
  const ids = [...earlier, ...(first ? [first] : [])];
  for (const namespace of new Set([res.id.namespace, ...ids.map((i) => i.namespace)])) {
    for (const name of new Set([res.id.name, ...ids.map((i) => i.name)])) {
      if (namespace === res.id.namespace && name === res.id.name) continue;
      const { namespace: _ns, ...rest } = meta;
      out.push({ ...res.object, metadata: { ...rest, name, ...(namespace !== "" ? { namespace } : {}) } });
    }
  }
  // an earlier kind (a patch with allowKindChange): the object as it was then
  for (const id of ids)
    if (id.kind !== res.id.kind || id.group !== res.id.group || id.version !== res.id.version)
      out.push(underId(res.object, id));
  return out;
}

/** The object as it was under an earlier id: that id's apiVersion, kind, name and namespace. */
function underId(object: JsonObject, id: ResourceId): JsonObject {
  const meta = isObject(object.metadata) ? object.metadata : {};
  const { name: _n, namespace: _ns, ...rest } = meta;
  return {
    ...object,
    apiVersion: id.group ? `${id.group}/${id.version}` : id.version,
    kind: id.kind,
    metadata: { ...rest, name: id.name, ...(id.namespace !== "" ? { namespace: id.namespace } : {}) },
  };
}

/**
 * The object under each id it has had, whole (kustomize's `GetMatchingResourcesByAnyId`, which a patch
 * without target uses): the current one, then every earlier one with its own name, namespace and kind.
 */
function idsOf(res: Resource, first: ResourceId | undefined, earlier: readonly ResourceId[] = []): JsonObject[] {
  return [res.object, ...[...earlier, ...(first ? [first] : [])].map((id) => underId(res.object, id))];
}

/** How a target matches an object of a cluster-scoped kind, and any other (one of each for every object). */
const CLUSTER_SCOPED = Object.freeze({ clusterScoped: true });
const NOT_CLUSTER_SCOPED = Object.freeze({ clusterScoped: false });

/**
 * Applies a cluster's patches in layer order. Each patch selects its targets among the current resources
 * (by current or original name and namespace, as kustomize); a patch that matches nothing is an error
 * unless optional. Returns a new list (inputs are not mutated).
 */
export function applyPatches(
  resources: readonly Resource[],
  patches: readonly PatchDef[],
  schema: KubeSchemaIndex | undefined,
  cluster: string,
  /**
   * Inside a kustomize build: also select objects by the ids they had before earlier steps of the build
   * renamed them (`Resource.previous`), as kustomize's `Select` and `GetById` match original and previous ids.
   * braid's own patches apply to the built output, whose earlier ids Flux no longer knows.
   */
  opts: {
    previousIds?: boolean;
    /**
     * Inside a kustomize build: JSON6902 as kustomize's library (evanphx/json-patch v4) applies it — a
     * `replace` of a missing key adds it, a `copy` from one copies null. braid's own patches keep RFC 6902.
     */
    kustomizeJson6902?: boolean;
  } = {},
): { resources: Resource[]; diagnostics: Diagnostic[] } {
  let current = [...resources];
  const diagnostics: Diagnostic[] = [];
  /** Resources an earlier patch renamed or moved: their id as loaded. */
  const original = new Map<Resource, ResourceId>();
  for (const patch of patches) {
    const inferred = patch.target === undefined;
    const selector: TargetSelector | undefined =
      patch.target ?? (patch.type !== "json6902" ? inferredTarget(patch.body as JsonObject) : undefined);
    if (!selector) {
      diagnostics.push({
        code: "PATCH_INVALID",
        severity: "error",
        cluster,
        message: "the patch has no target",
        location: patch.location,
      });
      continue;
    }
    const compiled = compileTarget(selector);
    if ("error" in compiled) {
      diagnostics.push({
        code: "PATCH_INVALID",
        severity: "error",
        cluster,
        message: compiled.error,
        location: patch.location,
      });
      continue;
    }
    // kustomize compares an inferred id's namespace only for namespaced kinds (both sides have none otherwise)
    const { namespace: _ns, ...withoutNamespace } = selector;
    const anyNamespace = inferred ? compileTarget(withoutNamespace) : compiled;
    const selection = current.map((res) => {
      // (scopes as kustomize takes them: model/kustomize-scope.ts)
      const clusterScoped = selector.namespace !== undefined && isClusterScoped(res.id);
      const matcher = inferred && clusterScoped && !("error" in anyNamespace) ? anyNamespace : compiled;
      const options = clusterScoped && matcher === compiled ? CLUSTER_SCOPED : NOT_CLUSTER_SCOPED;
      const first = original.get(res);
      const previous = opts.previousIds ? res.previous : undefined;
      if (!first && !previous?.length) return matcher.matches(res.object, options);
      const seen = inferred ? idsOf(res, first, previous) : identities(res, first, previous);
      return seen.some((o) => matcher.matches(o, options));
    });
    // a patch without target names one object (kustomize's GetById): several with that id, now or before a
    // rename, fail the build
    const matches = inferred ? current.filter((_, i) => selection[i]) : [];
    if (matches.length > 1) {
      diagnostics.push({
        code: "PATCH_FAILED",
        severity: "error",
        cluster,
        message: `the ${patch.type} patch from ${patch.layer} has no target and its object ${describeSelector(selector)} matches ${matches.length} resources (${matches.map((r) => describeId(r.id)).join(", ")}); kustomize needs one`,
        location: patch.location,
        hint: "give the patch a target that selects the resources it is for",
      });
      continue;
    }
    let matched = 0;
    const next: Resource[] = [];
    for (let i = 0; i < current.length; i++) {
      const res = current[i]!;
      const first = original.get(res);
      if (!selection[i]) {
        next.push(res);
        continue;
      }
      matched++;
      const result = applyOne(res, patch, schema, opts.kustomizeJson6902 === true);
      if ("error" in result) {
        diagnostics.push({
          code: "PATCH_FAILED",
          severity: "error",
          cluster,
          resource: describeId(res.id),
          message: result.error,
          location: result.location ?? patch.location,
          related: [
            {
              message: "patched resource",
              location: {
                file: res.origin.file,
                line: res.origin.line,
                column: res.origin.column,
                source: res.origin.source,
                commit: res.origin.commit,
              },
            },
          ],
        });
        next.push(res);
        continue;
      }
      if (result.object === null) continue; // $patch: delete of the whole object
      const { plain: _old, emptyNulls: _empty, ...rest } = res;
      const patched: Resource = {
        ...rest,
        id: idOf(result.object),
        object: result.object,
        positions: [...res.positions, patch.type === "json6902" ? opsPositionMap(patch) : patch.positions],
        ...(result.plain.size ? { plain: result.plain } : {}),
        ...(result.emptyNulls ? { emptyNulls: result.emptyNulls } : {}),
      };
      // in a build, a renamed object remembers its old id (kustomize's StorePreviousId) for later selections and references
      if (opts.previousIds && idKey(patched.id) !== idKey(res.id)) patched.previous = [...(res.previous ?? []), res.id];
      const loadedAs = first ?? res.id;
      if (loadedAs.name !== patched.id.name || loadedAs.namespace !== patched.id.namespace)
        original.set(patched, loadedAs);
      next.push(patched);
    }
    if (matched === 0 && !patch.optional)
      diagnostics.push({
        code: "PATCH_NO_MATCH",
        severity: "error",
        cluster,
        message: `the ${patch.type} patch from ${patch.layer} matches no resource (target ${describeSelector(selector)})`,
        location: patch.location,
        hint: "fix the target, or set optional: true if the patch may legitimately match nothing",
      });
    current = next;
  }
  return { resources: current, diagnostics };
}

function applyOne(
  res: Resource,
  patch: PatchDef,
  schema: KubeSchemaIndex | undefined,
  kustomizeJson6902: boolean,
):
  | { object: JsonObject | null; plain: ReadonlySet<string>; emptyNulls?: ReadonlySet<string> }
  | { error: string; location?: SourceLocation } {
  // plain-scalar provenance travels with the values each patch moves (model/plain-scalars.ts); the empty nulls
  // are kyaml's only (a JSON6902 or merge patch goes through JSON, where every null is written)
  const plain = { target: res.plain ?? NO_PLAIN, patch: patch.plain ?? NO_PLAIN };
  try {
    if (patch.type === "json6902") {
      const paths = { target: plain.target, ops: plain.patch };
      const r = applyJson6902(withAnnotations(res.object), patch.body, paths, { kustomize: kustomizeJson6902 });
      if ("error" in r) return { error: r.error.message, location: patch.opLocations?.[r.error.opIndex] };
      return { object: annotationsAsGoText(dropEmptyAnnotations(r.object)), plain: r.plain ?? NO_PLAIN };
    }
    const body = patch.target ? stripIdentity(patch.body as JsonObject, patch.options) : (patch.body as JsonObject);
    if (patch.type === "merge") {
      const object = dropEmptyAnnotations(applyMergePatch(res.object, body) as JsonObject);
      return { object, plain: plainAfterMergePatch(plain.target, body, plain.patch, object) };
    }
    const inputs = res.emptyNulls ? { ...plain, emptyNulls: res.emptyNulls } : plain;
    const r = applyStrategicPatch(res.object, body, schema?.patchSchema(res.id), patch.options, inputs);
    if ("error" in r) return { error: r.error.message, location: patch.positions.locate(pointerToPath(r.error.path)) };
    return {
      object: r.object && dropEmptyAnnotations(r.object),
      plain: r.plain ?? NO_PLAIN,
      ...(r.emptyNulls?.size ? { emptyNulls: r.emptyNulls } : {}),
    };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * kustomize keeps build annotations on every object while it patches, so a JSON6902 `add` of
 * /metadata/annotations/<key> works on an object without annotations: give it an empty map to add to.
 */
function withAnnotations(object: JsonObject): JsonObject {
  const meta = object.metadata;
  if (!isObject(meta) || Object.hasOwn(meta, "annotations")) return object;
  return { ...object, metadata: { ...meta, annotations: {} } };
}

/**
 * Annotations as kustomize writes them after a JSON6902 patch: it applies the patch to the object as JSON and
 * reads the result back through go-yaml, so a value the patch set to a number, a boolean or null becomes that
 * YAML text once kustomize writes its annotations as strings: 16 → "16", 1000000 → "1e+06", true → "true",
 * null → "null" (model/go-scalars.ts goFormatFloatG).
 */
function annotationsAsGoText(object: JsonObject): JsonObject {
  const meta = object.metadata;
  const a = isObject(meta) ? meta.annotations : undefined;
  if (!isObject(a) || !isObject(meta)) return object;
  let out: JsonObject | undefined;
  for (const [k, v] of Object.entries(a)) {
    const text =
      typeof v === "number" ? goFormatFloatG(v) : typeof v === "boolean" || v === null ? String(v) : undefined;
    if (text === undefined) continue;
    out ??= { ...a };
    setOwn(out, k, text);
  }
  return out ? { ...object, metadata: { ...meta, annotations: out } } : object;
}

/** kustomize never writes an empty `metadata.annotations` map (it strips its build annotations from it). */
function dropEmptyAnnotations(object: JsonObject): JsonObject {
  const meta = object.metadata;
  if (!isObject(meta)) return object;
  const annotations = meta.annotations;
  if (!isObject(annotations) || Object.keys(annotations).length > 0) return object;
  const { annotations: _a, ...rest } = meta;
  return { ...object, metadata: rest };
}

function describeSelector(s: TargetSelector): string {
  return (
    Object.entries(s)
      .filter(([, v]) => v !== undefined && v !== "")
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(", ") || "(empty)"
  );
}
