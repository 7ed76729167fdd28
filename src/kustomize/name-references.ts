/**
 * Name references (kustomize's nameReference transformer, api/filters/nameref): after objects were renamed
 * (namePrefix/nameSuffix, generator hashes, namespaces — each rename records the old id in `previous`),
 * every field that names another object (nameReference table: ConfigMap/Secret refs in env, envFrom,
 * volumes, projected volumes, imagePullSecrets; serviceAccountName; roleRef and subjects; scaleTargetRef;
 * Ingress backends; PVC claims; …) is updated to the new name. A reference is matched, as kustomize does,
 * against the earlier names of objects of the referred kind that the referrer can see (same namespace,
 * cluster-scoped, ServiceAccounts, or RoleBinding subjects' namespaces); a `{name, namespace}` reference
 * also gets the new namespace. Objects never renamed are never candidates. Several renamed candidates are
 * told apart, as kustomize does, by the name prefixes and suffixes they share with the referrer; a tie left is
 * an error (kustomize's "found multiple possible referrals").
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import {
  describeId,
  type Json,
  type JsonObject,
  type JsonPath,
  type Resource,
  type ResourceId,
} from "../model/resource.js";
import { isClusterScoped } from "../model/kustomize-scope.js";
import type { KustomizationContext, TransformResult, Transformer } from "./context.js";
import { isObject, specSelects, walkFieldSpec } from "./field-spec.js";
import { NAME_REFERENCE_SPECS, type NameReference } from "./field-specs-data.js";
import { entryLocation, withObject, WrittenFields } from "./resource-edit.js";

const nsEq = (a: string, b: string): boolean => (a || "default") === (b || "default");

/** Namespaces of a RoleBinding's ServiceAccount subjects (they may refer across namespaces). */
function subjectNamespaces(res: Resource): Set<string> {
  const out = new Set<string>();
  if (res.id.kind !== "RoleBinding" || !Array.isArray(res.object.subjects)) return out;
  for (const s of res.object.subjects) {
    if (isObject(s) && s.kind === "ServiceAccount" && typeof s.namespace === "string") out.add(s.namespace);
  }
  return out;
}

/** kustomize's effective namespace: "default" for "", none for cluster-scoped kinds. */
function effectiveNamespace(id: ResourceId): string | undefined {
  return isClusterScoped(id) ? undefined : id.namespace || "default";
}

/** What a referrer can see: kustomize's SubsetThatCouldBeReferencedByResource, with its namespaces. */
interface Visible {
  has(r: Resource): boolean;
  /** Effective original / current namespaces of the visible objects. */
  orgNamespaces: Set<string>;
  namespaces: Set<string>;
}

/** Visibility per referrer namespace (computed once per namespace and subject set, not per referrer). */
function visibilityCache(all: readonly Resource[]): (referrer: Resource) => Visible {
  const cache = new Map<string, Visible>();
  return (referrer) => {
    const cluster = isClusterScoped(referrer.id);
    const extra = subjectNamespaces(referrer);
    const key = cluster ? "\0cluster" : `${referrer.id.namespace || "default"}\0${[...extra].sort().join("\0")}`;
    let v = cache.get(key);
    if (!v) {
      const set = new Set(
        cluster
          ? all
          : all.filter(
              (r) => isClusterScoped(r.id) || nsEq(r.id.namespace, referrer.id.namespace) || extra.has(r.id.namespace),
            ),
      );
      const orgNamespaces = new Set<string>();
      const namespaces = new Set<string>();
      for (const r of set) {
        const o = effectiveNamespace(r.previous?.[0] ?? r.id);
        const c = effectiveNamespace(r.id);
        if (o !== undefined) orgNamespaces.add(o);
        if (c !== undefined) namespaces.add(c);
      }
      v = { has: (r) => set.has(r), orgNamespaces, namespaces };
      cache.set(key, v);
    }
    return v;
  };
}

/** Renamed objects by each name they had before. */
function byEarlierName(all: readonly Resource[]): Map<string, Resource[]> {
  const out = new Map<string, Resource[]>();
  for (const r of all) {
    for (const name of new Set((r.previous ?? []).map((p) => p.name))) {
      const list = out.get(name);
      if (list) list.push(r);
      else out.set(name, [r]);
    }
  }
  return out;
}

/** The kustomization entry that most likely renamed things (for positions of rewritten references). */
function renameEntry(ctx: KustomizationContext): JsonPath {
  for (const k of ["namePrefix", "nameSuffix", "configMapGenerator", "secretGenerator", "namespace"])
    if (ctx.kustomization[k] !== undefined) return [k];
  return [];
}

/** Chooses the renamed object a reference names, or reports a tie. */
function selectReferral(
  oldName: string,
  candidates: readonly Resource[],
  target: NameReference,
  referrer: Resource,
  fieldPath: string,
  identical: (rs: Resource[]) => boolean,
): Resource | { tie: Resource[] } | undefined {
  const roleRef =
    fieldPath.endsWith("roleRef/name") && isObject(referrer.object.roleRef) ? referrer.object.roleRef : undefined;
  const roleGvk =
    roleRef && typeof roleRef.apiGroup === "string" && typeof roleRef.kind === "string"
      ? { group: roleRef.apiGroup, kind: roleRef.kind }
      : undefined;
  const referrerNamespaced = !isClusterScoped(referrer.id);
  const list = candidates.filter((r) => {
    const prev = r.previous ?? [];
    if (!prev.some((p) => p.name === oldName)) return false;
    if (!prev.some((p) => specSelects(target, p))) return false;
    if (roleGvk && !prev.some((p) => p.group === roleGvk.group && p.kind === roleGvk.kind)) return false;
    if (
      referrerNamespaced &&
      !isClusterScoped(r.id) &&
      r.id.kind !== "ServiceAccount" &&
      !nsEq(r.id.namespace, referrer.id.namespace)
    )
      return false;
    return true;
  });
  if (list.length <= 1) return list[0];
  // kustomize's tie-break: candidates whose prefixes and suffixes end as the referrer's (an empty list matching
  // any), then, if still several, exactly so
  let tied = list.filter((r) => affixesEnd(r, referrer, true));
  if (tied.length > 1) tied = tied.filter((r) => affixesEnd(r, referrer, false));
  if (tied.length <= 1) return tied[0];
  return identical(tied) ? tied[0] : { tie: tied };
}

/** kustomize's PrefixesSuffixesEquals. */
function affixesEnd(a: Resource, b: Resource, allowEmpty: boolean): boolean {
  const ends = (x: readonly string[] = [], y: readonly string[] = []): boolean =>
    (allowEmpty && (x.length === 0 || y.length === 0)) || sameEnding(x, y);
  return ends(a.namePrefixes, b.namePrefixes) && ends(a.nameSuffixes, b.nameSuffixes);
}

/** kustomize's SameEndingSubSlice: the shorter list ends the longer one; an empty list only an empty one. */
function sameEnding(a: readonly string[], b: readonly string[]): boolean {
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (short.length === 0) return long.length === 0;
  const diff = long.length - short.length;
  return short.every((s, i) => long[i + diff] === s);
}

/** Updates references to renamed objects throughout `resources`. */
export const fixNameReferences: Transformer = (resources, _args, ctx): TransformResult => {
  const diagnostics: Diagnostic[] = [];
  if (!resources.some((r) => r.previous?.length)) return { resources: [...resources], diagnostics };
  const from = renameEntry(ctx);
  const visibility = visibilityCache(resources);
  const earlier = byEarlierName(resources);
  const out = resources.map((referrer) => {
    const orgId = referrer.previous?.[0] ?? referrer.id;
    let object: JsonObject | undefined;
    const written = new WrittenFields();
    let visible: Visible | undefined;
    for (const target of ctx.config?.nameReference ?? NAME_REFERENCE_SPECS) {
      for (const spec of target.referrers) {
        if (!specSelects(spec, orgId)) continue;
        object ??= structuredClone(referrer.object);
        visible ??= visibility(referrer);
        const seen = visible;
        const named = (name: string): Resource[] => (earlier.get(name) ?? []).filter((r) => seen.has(r));
        const tie = (rs: Resource[], name: string): void => {
          diagnostics.push({
            code: "KUSTOMIZE_INVALID",
            severity: "error",
            message: `${describeId(referrer.id)} refers to ${target.kind} ${name}, which several renamed objects were called: ${rs.map((r) => describeId(r.id)).join(", ")}`,
            hint: "give the objects distinct names, or a namespace that tells them apart",
            location: entryLocation(ctx, from),
            resource: describeId(referrer.id),
          });
        };
        const setScalar = (holder: JsonObject | Json[], key: string | number, path: JsonPath): void => {
          const v = (holder as Record<string | number, Json>)[key];
          if (typeof v !== "string") return;
          const r = selectReferral(v, named(v), target, referrer, spec.path, (rs) =>
            rs.every((x) => x.id.name === rs[0]!.id.name),
          );
          if (!r) return;
          if ("tie" in r) return tie(r.tie, v);
          if (r.id.name === v) return;
          (holder as Record<string | number, Json>)[key] = r.id.name;
          written.add(path, from);
        };
        const setMapping = (node: JsonObject, path: JsonPath): void => {
          if (typeof node.name !== "string") return;
          let pool = named(node.name);
          if (typeof node.namespace === "string") {
            // kustomize groups the visible objects by original namespace first, then by current namespace
            const ns = node.namespace;
            pool = seen.orgNamespaces.has(ns)
              ? pool.filter((r) => effectiveNamespace(r.previous?.[0] ?? r.id) === ns)
              : pool.filter((r) => effectiveNamespace(r.id) === ns);
          }
          const r = selectReferral(node.name, pool, target, referrer, spec.path, (rs) =>
            rs.every((x) => x.id.name === rs[0]!.id.name && x.id.namespace === rs[0]!.id.namespace),
          );
          if (!r) return;
          if ("tie" in r) return tie(r.tie, node.name);
          if (r.id.name === node.name && r.id.namespace === "") return;
          node.name = r.id.name;
          written.add([...path, "name"], from);
          if (r.id.namespace !== "") {
            node.namespace = r.id.namespace;
            written.add([...path, "namespace"], from);
          }
        };
        walkFieldSpec(object, { path: spec.path }, (parent, key, path) => {
          const v = parent[key];
          if (typeof v === "string") setScalar(parent, key, path);
          else if (isObject(v)) setMapping(v, path);
          else if (Array.isArray(v)) {
            v.forEach((item, n) => {
              if (typeof item === "string") setScalar(v, n, [...path, n]);
              else if (isObject(item)) setMapping(item, [...path, n]);
            });
          }
        });
      }
    }
    return object && written.size ? withObject(referrer, object, written, ctx) : referrer;
  });
  return { resources: out, diagnostics };
};
