import type { Diagnostic, SourceLocation } from "../diagnostics/diagnostic.js";
import type { EffectiveCluster } from "../config/types.js";
import type { KubeSchemaIndex } from "../model/kube-schema.js";
import { describeId, locateField, type Json, type Resource } from "../model/resource.js";
import { applyPatches } from "./apply-patches.js";
import { checkDuplicates, type DuplicateKeys } from "./check-duplicates.js";
import { createSubstitutionMemo, substituteShared, withSubstituted, type SubstitutionMemo } from "./substitute-memo.js";

function valueAt(object: Json, path: readonly (string | number)[]): Json | undefined {
  let v: Json | undefined = object;
  for (const seg of path)
    v = v !== null && typeof v === "object" ? (v as Record<string, Json>)[seg as string] : undefined;
  return v;
}

/**
 * For an expression inside a multi-line value (a block scalar such as a ConfigMap script), the line of the
 * expression itself: the block's content starts on the line after its `|` or `>` indicator.
 */
function lineInValue(loc: SourceLocation, value: Json | undefined, offset: number | undefined): SourceLocation {
  if (typeof value !== "string" || offset === undefined || loc.line === undefined) return loc;
  if (!value.includes("\n")) return loc;
  const before = value.slice(0, offset);
  const lines = before.split("\n").length - 1;
  const { column: _c, ...rest } = loc;
  return { ...rest, line: loc.line + 1 + lines };
}

/**
 * Substitutes the cluster's variables into every resource (Flux post-build semantics, strict), except the
 * resources of sources set to `substitute: false` for this cluster, which stay as written (`$$` included).
 */
function substituteAll(
  resources: readonly Resource[],
  vars: Record<string, string>,
  cluster: string,
  unsubstituted: ReadonlySet<string> = new Set(),
  memo: SubstitutionMemo = createSubstitutionMemo(),
): { resources: Resource[]; diagnostics: Diagnostic[]; failed: Set<Resource> } {
  const diagnostics: Diagnostic[] = [];
  const failed = new Set<Resource>();
  const out = resources.map((r) => {
    if (unsubstituted.has(r.origin.source)) return r;
    const { object, errors, changed } = substituteShared(memo, r.object, vars, { strict: true }, r.plain);
    for (const e of errors)
      diagnostics.push({
        code: e.code,
        severity: "error",
        cluster,
        resource: describeId(r.id),
        path: "/" + e.path.join("/"),
        message: e.message,
        location: lineInValue(locateField(r, e.path), valueAt(r.object, e.path), e.offset),
        hint:
          e.code === "MANIFEST_INVALID"
            ? "quote the value (a string is exact), or keep it within ±9007199254740991: braid holds numbers as doubles"
            : substHint(e.code, e.variable, r.origin.source),
      });
    const result = changed ? withSubstituted(memo, r, object) : r;
    if (errors.length) failed.add(result);
    return result;
  });
  return { resources: out, diagnostics, failed };
}

/** kustomize's mark of an object kept for the build only (replacement sources, values): it is not emitted. */
const LOCAL_CONFIG = "config.kubernetes.io/local-config";

const isMapping = (v: Json | undefined): v is Record<string, Json> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

const typed = (v: Json | undefined): v is number | boolean => typeof v === "number" || typeof v === "boolean";

/** Whether a mapping holds a number or a boolean (without allocating: this runs for every object of every cluster). */
function hasTypedValue(a: Record<string, Json>): boolean {
  for (const k in a) if (typed(a[k])) return true;
  return false;
}

/**
 * What kustomize does last in a build — Flux builds every source with kustomize, its patches included — before
 * Flux substitutes variables: objects annotated `config.kubernetes.io/local-config` (with any value but
 * "false") are left out, and every annotation value is written as a string. Values read from a source already
 * are strings, as written (render/load-manifests.ts); this turns the numbers and booleans a patch wrote into
 * strings. An object that needs neither is passed on as it is (objects are shared across clusters).
 */
function finishBuild(resources: readonly Resource[]): Resource[] {
  const out: Resource[] = [];
  for (const r of resources) {
    const meta = r.object.metadata;
    const a = isMapping(meta) ? meta.annotations : undefined;
    if (!isMapping(a)) {
      out.push(r);
      continue;
    }
    if (Object.hasOwn(a, LOCAL_CONFIG) && a[LOCAL_CONFIG] !== "false") continue;
    if (!hasTypedValue(a)) {
      out.push(r);
      continue;
    }
    const annotations = Object.fromEntries(Object.entries(a).map(([k, v]) => [k, typed(v) ? String(v) : v]));
    out.push({ ...r, object: { ...r.object, metadata: { ...(meta as Record<string, Json>), annotations } } });
  }
  return out;
}

/**
 * kustomize's name-reference step (in every build, so every Flux build) reads the namespaces of each
 * RoleBinding's ServiceAccount subjects and fails the build on one that is present but not a string
 * (`namespace:` left blank): "Invalid Input: namespace is blank for resource …".
 */
function blankSubjectNamespaces(resources: readonly Resource[], cluster: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const r of resources) {
    if (r.id.kind !== "RoleBinding" || r.id.group !== "rbac.authorization.k8s.io") continue;
    const subjects = r.object.subjects;
    if (!Array.isArray(subjects)) continue;
    subjects.forEach((s, i) => {
      if (!isMapping(s) || s.kind !== "ServiceAccount" || !Object.hasOwn(s, "namespace")) return;
      if (typeof s.namespace === "string") return;
      out.push({
        code: "MANIFEST_INVALID",
        severity: "error",
        cluster,
        resource: describeId(r.id),
        path: `/subjects/${i}/namespace`,
        message: `subject ${i} of ${describeId(r.id)} is a ServiceAccount with a blank namespace (kustomize, and so Flux, fails the build: "namespace is blank")`,
        location: locateField(r, ["subjects", i, "namespace"]),
        hint: "give the subject its namespace, or remove the namespace key",
      });
    });
  }
  return out;
}

/**
 * A patch that wrote NaN or an infinity (`.nan`, `.inf`): braid would write it, and kustomize — Flux's build of
 * the deploy folder — cannot write it as JSON ("json: unsupported value"). Sources are checked as they are
 * read (model/yaml-file.ts goJsonProblems); only the objects patches changed are walked here.
 */
function nonFiniteNumbers(resources: readonly Resource[], read: readonly Resource[], cluster: string): Diagnostic[] {
  const unchanged = new Set(read.map((r) => r.object));
  const out: Diagnostic[] = [];
  /** (one path, grown and shrunk as the walk goes: copied only for a report) */
  const path: (string | number)[] = [];
  const walk = (r: Resource, v: Json): void => {
    if (typeof v === "number" && !Number.isFinite(v))
      out.push({
        code: "PATCH_INVALID",
        severity: "error",
        cluster,
        resource: describeId(r.id),
        path: "/" + path.join("/"),
        message: `${describeId(r.id)} holds ${String(v)} at /${path.join("/")} after its patches: kustomize cannot write it as JSON, so Flux's build of the cluster's folder would fail ("json: unsupported value")`,
        location: locateField(r, [...path]),
        hint: 'quote the value in the patch if it is meant as text (".nan")',
      });
    else if (Array.isArray(v))
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        walk(r, v[i]!);
        path.pop();
      }
    else if (isMapping(v))
      for (const k in v) {
        path.push(k);
        walk(r, v[k]!);
        path.pop();
      }
  };
  for (const r of resources) if (!unchanged.has(r.object)) walk(r, r.object);
  return out;
}

/**
 * Renders one cluster from the manifests of its pinned sources (in pin order). The stages, in order:
 * 1. patches, in layer order (fleet, groups, cluster), then what kustomize does last ({@link finishBuild});
 * 2. variable substitution;
 * 3. duplicate check.
 * Validation and output happen after (they need the whole fleet's schemas). `substitutionFailed` holds the
 * resources whose substitution failed: their text is not what the cluster would get (an undefined variable
 * reads as empty), so they take no part in the duplicate check, and the caller does not validate them — their
 * SUBST_* error is the one message about them, not a "missing name" or a clash of two emptied names after it.
 */
export function renderCluster(
  cluster: EffectiveCluster,
  manifests: readonly Resource[],
  schema: KubeSchemaIndex | undefined,
  /** The run's memos (pipeline/run-context.ts), shared across its clusters. */
  memo?: { substitutions: SubstitutionMemo; duplicateKeys: DuplicateKeys },
): { resources: Resource[]; diagnostics: Diagnostic[]; substitutionFailed: ReadonlySet<Resource> } {
  const patched = applyPatches(manifests, cluster.patches, schema, cluster.name);
  const unsubstituted = new Set(cluster.pins.filter((p) => p.substitute === false).map((p) => p.source.name));
  const built = finishBuild(patched.resources);
  const substituted = substituteAll(built, cluster.vars, cluster.name, unsubstituted, memo?.substitutions);
  const { failed } = substituted;
  const checked = failed.size ? substituted.resources.filter((r) => !failed.has(r)) : substituted.resources;
  const unique = checkDuplicates(checked, cluster.name, schema, memo?.duplicateKeys);
  return {
    resources: failed.size ? [...unique.resources, ...failed] : unique.resources,
    substitutionFailed: failed,
    diagnostics: [
      ...patched.diagnostics,
      ...blankSubjectNamespaces(patched.resources, cluster.name),
      ...(cluster.patches.length ? nonFiniteNumbers(built, manifests, cluster.name) : []),
      ...substituted.diagnostics,
      ...unique.diagnostics,
    ],
  };
}

/**
 * The hint of a SUBST_* error: every way out — define the variable (or give a default), fix the
 * expression, or keep the text as written: `substitute: false` on its source, the Flux annotation on the
 * resource, or `$${` for a literal `${`.
 */
function substHint(code: "SUBST_UNDEFINED" | "SUBST_SYNTAX", variable: string | undefined, source: string): string {
  const keep =
    `set substitute: false on source "${source}" (braid.yaml, or a group or cluster), ` +
    "annotate the resource kustomize.toolkit.fluxcd.io/substitute: disabled, " +
    "or write $${ for a literal ${";
  if (code === "SUBST_UNDEFINED") {
    const v = variable ?? "VAR";
    const define = /^[_a-zA-Z][_a-zA-Z0-9]*$/.test(v)
      ? `define ${v} under spec.vars (fleet, group or cluster)`
      : `${v} cannot be defined (variable names match ^[_a-zA-Z][_a-zA-Z0-9]*$)`;
    return `${define}, or give a default: \${${v}:-value}; if the text is not meant for substitution, ${keep}`;
  }
  return `fix the expression (Flux's envsubst syntax); if the text is not meant for substitution (a shell or template expression), ${keep}`;
}
