/**
 * kustomize's namespace transformer (api/filters/namespace, builtin NamespaceTransformer with the default
 * field specs of konfig/builtinpluginconsts/namespace.go), as `kubectl kustomize` v5.5 applies it:
 * - every namespaced object gets `metadata.namespace` (created or overwritten); cluster-scoped kinds are
 *   left alone (scope from braid's Kubernetes OpenAPI; a kind it does not know is namespaced, as kustomize
 *   treats kinds outside its own list);
 * - a `v1` Namespace object is renamed to the namespace;
 * - RoleBinding/ClusterRoleBinding subjects named `default` get the namespace (kustomize's
 *   `DefaultSubjectsOnly` mode: whatever the subject's kind; other subjects keep theirs — their
 *   ServiceAccounts are followed by name references);
 * - APIService `spec.service.namespace` (created) and a CRD's conversion webhook service namespace (when set).
 * Also used for a braid source's own `namespace` (Flux's `targetNamespace`). Pure: returns new resources,
 * each with its id before in `previous` (kustomize keeps it for every object, moved or not).
 */
import type { SourceLocation } from "../diagnostics/diagnostic.js";
import { idOf, type Json, type JsonObject, type JsonPath, type PositionMap, type Resource } from "../model/resource.js";
import { pointerOf } from "../model/plain-scalars.js";
import { cloneJson, type FieldSpec, specSelects, walkFieldSpec } from "./field-spec.js";
import { isClusterScoped } from "../model/kustomize-scope.js";

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Sets `path` to `value` in a copy of `o`; with `create` missing parents are made, else the leaf must exist. */
function setPath(o: JsonObject, path: readonly string[], value: string, create: boolean): JsonObject {
  const [head, ...rest] = path;
  if (head === undefined) return o;
  if (rest.length === 0) return !create && !(head in o) ? o : { ...o, [head]: value };
  const child = o[head];
  if (!isObject(child))
    return create && (child === undefined || child === null) ? { ...o, [head]: setPath({}, rest, value, true) } : o;
  const next = setPath(child, rest, value, create);
  return next === child ? o : { ...o, [head]: next };
}

function setSubjects(o: JsonObject, namespace: string): JsonObject {
  const subjects = o.subjects;
  if (!Array.isArray(subjects)) return o;
  let changed = false;
  const next = subjects.map((s) => {
    if (!isObject(s) || s.name !== "default" || s.namespace === namespace) return s;
    changed = true;
    return { ...s, namespace };
  });
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set inside the map callback
  return changed ? { ...o, subjects: next } : o;
}

/** How RoleBinding/ClusterRoleBinding subjects get the namespace (kustomize's `setRoleBindingSubjects`). */
type SubjectMode = "defaultOnly" | "allServiceAccounts" | "none";

/** A NamespaceTransformer configured by hand (a builtin plugin configuration): its field specs and modes. */
export interface NamespaceOptions {
  /** Field specs besides `metadata/namespace` (always set on namespaced objects). */
  specs: readonly FieldSpec[];
  /** Set only where the field is missing or empty. */
  unsetOnly: boolean;
  subjects: SubjectMode;
}

/**
 * kustomize's namespace filter with its own field specs (api/filters/namespace at v5.5.0): every namespaced
 * object gets `metadata.namespace`; then each field spec that selects the object (a `metadata/name` spec only
 * for a `v1` object; `metadata/namespace` specs and RoleBinding `subjects/namespace` specs are the two steps
 * that always run); RoleBinding and ClusterRoleBinding subjects as `subjects` says. With `unsetOnly`, a field
 * that holds a value keeps it.
 */
export function transformNamespaceWith(
  resources: readonly Resource[],
  namespace: string,
  opts: NamespaceOptions,
  where?: SourceLocation,
): Resource[] {
  if (!namespace) return [...resources];
  const settable = (v: Json | undefined) => !opts.unsetOnly || v === undefined || v === null || v === "";
  return resources.map((r) => {
    const o = cloneJson(r.object);
    const written: JsonPath[] = [];
    const set = (parent: JsonObject, key: string, create: boolean, path: JsonPath) => {
      const v = parent[key];
      if ((v === undefined && !create) || (v !== undefined && v !== null && typeof v === "object")) return;
      if (!settable(v) || v === namespace) return;
      parent[key] = namespace;
      written.push(path);
    };
    if (!isClusterScoped(r.id)) {
      const meta = isObject(o.metadata) ? o.metadata : (o.metadata = {});
      set(meta, "namespace", true, ["metadata", "namespace"]);
    }
    const binding = r.id.kind === "RoleBinding" || r.id.kind === "ClusterRoleBinding";
    for (const spec of opts.specs) {
      if (!specSelects(spec, r.id) || spec.path === "metadata/namespace") continue;
      if (spec.path === "metadata/name" && o.apiVersion !== "v1") continue;
      if (
        binding &&
        spec.path === "subjects/namespace" &&
        (spec.kind === "RoleBinding" || spec.kind === "ClusterRoleBinding")
      )
        continue;
      walkFieldSpec(o, spec, (parent, key, path) => set(parent, key, spec.create === true, path));
    }
    if (binding && opts.subjects !== "none" && Array.isArray(o.subjects))
      o.subjects.forEach((subject, i) => {
        if (!isObject(subject)) return;
        const pick = opts.subjects === "defaultOnly" ? subject.name === "default" : subject.kind === "ServiceAccount";
        if (pick) set(subject, "namespace", true, ["subjects", i, "namespace"]);
      });
    if (!written.length) return { ...r, previous: [...(r.previous ?? []), r.id] };
    const at = (path: JsonPath) =>
      where && written.some((w) => w.length === path.length && w.every((seg, i) => String(seg) === String(path[i])))
        ? where
        : undefined;
    return moved(r, o, {
      locate: at,
      *all() {
        if (where) for (const w of written) yield [pointerOf(w), where];
      },
    });
  });
}

/**
 * The resource with its namespaced object: a new id, the written fields' positions, and its id before, which
 * kustomize's NamespaceTransformer keeps for every object, moved or not (StorePreviousId): name references then
 * see an object that kept a name beside one renamed from it, and tell them apart by prefixes and suffixes.
 */
function moved(r: Resource, o: JsonObject, positions: PositionMap): Resource {
  return {
    ...r,
    object: o,
    id: idOf(o),
    positions: [...r.positions, positions],
    previous: [...(r.previous ?? []), r.id],
  };
}

/** Applies kustomize's namespace transformer to every resource. `where` locates the namespace setting. */
export function transformNamespace(
  resources: readonly Resource[],
  namespace: string,
  where?: SourceLocation,
): Resource[] {
  if (!namespace) return [...resources];
  const positions: PositionMap = {
    locate: (path) =>
      where && path.length === 2 && path[0] === "metadata" && (path[1] === "namespace" || path[1] === "name")
        ? where
        : undefined,
    *all() {
      if (where) yield* [["/metadata/namespace", where] as [string, SourceLocation], ["/metadata/name", where]];
    },
  };
  return resources.map((r) => {
    let o = r.object;
    const kind = r.id.kind;
    if (!isClusterScoped(r.id)) o = setPath(o, ["metadata", "namespace"], namespace, true);
    if (kind === "Namespace" && o.apiVersion === "v1") o = setPath(o, ["metadata", "name"], namespace, true);
    if (kind === "RoleBinding" || kind === "ClusterRoleBinding") o = setSubjects(o, namespace);
    if (kind === "APIService" && r.id.group === "apiregistration.k8s.io")
      o = setPath(o, ["spec", "service", "namespace"], namespace, true);
    if (kind === "CustomResourceDefinition" && r.id.group === "apiextensions.k8s.io")
      o = setPath(o, ["spec", "conversion", "webhook", "clientConfig", "service", "namespace"], namespace, false);
    return o === r.object ? { ...r, previous: [...(r.previous ?? []), r.id] } : moved(r, o, positions);
  });
}
