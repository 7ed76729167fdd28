import { BraidError } from "../diagnostics/diagnostic.js";
import type { KubeSchemaIndex } from "../model/kube-schema.js";
import { describeId, locateField, type Resource } from "../model/resource.js";
import { serializeResource, serializeYaml } from "./serialize-yaml.js";

/** One rendered file: path relative to the cluster folder, and its bytes as text. */
export interface OutputFile {
  path: string;
  content: string;
  resource?: Resource;
}

/** A cluster's rendered folder. */
export interface ClusterOutput {
  cluster: string;
  /** Folder of the cluster in the output tree (from output.path), e.g. clusters/prod-eu-1. */
  dir: string;
  files: OutputFile[];
}

const serialized = new WeakMap<object, string>();

/** Serializes an object once (objects shared by many clusters are written once per run). */
function serializeOnce(object: Resource["object"]): string {
  let s = serialized.get(object);
  if (s === undefined) {
    s = serializeResource(object);
    serialized.set(object, s);
  }
  return s;
}

/** The folder of a resource: its namespace, `_cluster` for cluster-scoped kinds, `default` for namespaced ones without one. */
export function folderOf(r: Resource, schema: KubeSchemaIndex | undefined): string {
  const scope = schema?.scope(r.id);
  if (scope === "Cluster") return "_cluster";
  if (r.id.namespace) return r.id.namespace;
  return scope === "Namespaced" ? "default" : "_cluster";
}

const namespaced = new WeakMap<object, Resource["object"]>();

/**
 * Every namespaced object without a namespace gets `metadata.namespace: default` written into it (a copy; the
 * copy is shared by every cluster that renders the same object). Flux's kustomize-controller applies with
 * server-side apply, which refuses a namespaced object that names no namespace. Objects of unknown scope are
 * left as they are.
 */
export function withDefaultNamespaces(resources: readonly Resource[], schema: KubeSchemaIndex | undefined): Resource[] {
  return resources.map((r) => {
    if (r.id.namespace || schema?.scope(r.id) !== "Namespaced") return r;
    let object = namespaced.get(r.object);
    if (!object) {
      const meta = r.object.metadata;
      const metadata = meta && typeof meta === "object" && !Array.isArray(meta) ? meta : {};
      object = { ...r.object, metadata: { ...metadata, namespace: "default" } };
      namespaced.set(r.object, object);
    }
    return { ...r, id: { ...r.id, namespace: "default" }, object };
  });
}

/**
 * Lays out a cluster's resources: `<namespace or _cluster>/<kind>-<name>.yaml` (lower case; the group is added
 * as `<kind>.<group>-<name>.yaml` only where two resources would otherwise share a file), plus a
 * kustomization.yaml listing every file. Files are sorted by path.
 */
export function layoutCluster(
  cluster: string,
  dirTemplate: string,
  resources: readonly Resource[],
  schema: KubeSchemaIndex | undefined,
): ClusterOutput {
  const plain = (r: Resource) => `${folderOf(r, schema)}/${r.id.kind}-${r.id.name}.yaml`.toLowerCase();
  const qualified = (r: Resource) =>
    `${folderOf(r, schema)}/${r.id.kind}${r.id.group ? `.${r.id.group}` : ""}-${r.id.name}.yaml`.toLowerCase();
  // resources of different API groups that would share a file get the group in their names
  const groupsAt = new Map<string, Set<string>>();
  for (const r of resources) groupsAt.set(plain(r), (groupsAt.get(plain(r)) ?? new Set()).add(r.id.group));
  const named = resources.map((r) => ({ r, path: groupsAt.get(plain(r))!.size > 1 ? qualified(r) : plain(r) }));
  // still equal (names differing only in case): number them in a stable order
  const byPath = new Map<string, { r: Resource; path: string }[]>();
  for (const n of named) byPath.set(n.path, [...(byPath.get(n.path) ?? []), n]);
  const taken = new Set(byPath.keys());
  for (const group of byPath.values()) {
    if (group.length < 2) continue;
    group.sort((a, b) => (a.r.id.name < b.r.id.name ? -1 : a.r.id.name > b.r.id.name ? 1 : 0));
    for (const n of group.slice(1)) {
      let i = 2;
      while (taken.has(n.path.replace(/\.yaml$/, `-${i}.yaml`))) i++;
      n.path = n.path.replace(/\.yaml$/, `-${i}.yaml`);
      taken.add(n.path);
    }
  }
  const files: OutputFile[] = named.map(({ r, path }) => ({ path, content: serializeOnce(r.object), resource: r }));
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const kustomization = serializeYaml({
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    resources: files.map((f) => f.path),
  });
  files.push({ path: "kustomization.yaml", content: kustomization });
  const dir = dirTemplate.replace(/\{cluster\}/g, cluster).replace(/\/+$/, "");
  // the last guard: names were checked before (object-identity.ts); nothing may leave the cluster folder
  if (!isContainedPath(dir))
    throw new BraidError({ code: "PATH_ESCAPE", message: `the output folder "${dir}" of cluster ${cluster} leaves the output tree`, cluster });
  for (const f of files)
    if (!isContainedPath(f.path) || f.path.split("/").length !== (f.resource ? 2 : 1))
      throw new BraidError({
        code: "PATH_ESCAPE",
        message: `the output file "${f.path}" would leave its folder`,
        cluster,
        resource: f.resource && describeId(f.resource.id),
        location: f.resource && locateField(f.resource, ["metadata", "name"]),
        hint: "give the object a name, namespace and kind that Kubernetes accepts",
      });
  return { cluster, dir, files };
}

/** A relative path whose segments are all plain names (no "", ".", "..", backslash or control character). */
function isContainedPath(path: string): boolean {
  // eslint-disable-next-line no-control-regex
  return path.split("/").every((s) => s !== "" && s !== "." && s !== ".." && !/[\\\x00-\x1f\x7f]/.test(s));
}
