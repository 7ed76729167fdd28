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
 * each renamed one with its old id in `previous`.
 */
import type { SourceLocation } from "../diagnostics/diagnostic.js";
import type { KubeSchemaIndex } from "../model/kube-schema.js";
import { idOf, type Json, type JsonObject, type PositionMap, type Resource } from "../model/resource.js";

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

/** Applies kustomize's namespace transformer to every resource. `where` locates the namespace setting. */
export function transformNamespace(
  resources: readonly Resource[],
  namespace: string,
  schema: KubeSchemaIndex | undefined,
  where?: SourceLocation,
): Resource[] {
  if (!namespace) return [...resources];
  const positions: PositionMap = {
    locate: (path) =>
      where && path.length === 2 && path[0] === "metadata" && (path[1] === "namespace" || path[1] === "name")
        ? where
        : undefined,
  };
  return resources.map((r) => {
    let o = r.object;
    const kind = r.id.kind;
    const clusterScoped = schema?.scope(r.id) === "Cluster";
    if (!clusterScoped) o = setPath(o, ["metadata", "namespace"], namespace, true);
    if (kind === "Namespace" && o.apiVersion === "v1") o = setPath(o, ["metadata", "name"], namespace, true);
    if (kind === "RoleBinding" || kind === "ClusterRoleBinding") o = setSubjects(o, namespace);
    if (kind === "APIService" && r.id.group === "apiregistration.k8s.io")
      o = setPath(o, ["spec", "service", "namespace"], namespace, true);
    if (kind === "CustomResourceDefinition" && r.id.group === "apiextensions.k8s.io")
      o = setPath(o, ["spec", "conversion", "webhook", "clientConfig", "service", "namespace"], namespace, false);
    if (o === r.object) return r;
    const id = idOf(o);
    const renamed = id.name !== r.id.name || id.namespace !== r.id.namespace;
    return {
      ...r,
      object: o,
      id,
      positions: [...r.positions, positions],
      ...(renamed ? { previous: [...(r.previous ?? []), r.id] } : {}),
    };
  });
}
