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

/** What laying out learned in one run, by object (objects are shared by the clusters that leave them unchanged). */
export interface OutputMemo {
  /** Each object's YAML (an object shared by many clusters is serialized once per run). */
  readonly serialized: WeakMap<object, string>;
  /** Each namespaced object without a namespace, and its copy in `default`. */
  readonly namespaced: WeakMap<object, Resource["object"]>;
  /** Each object's file names, with the id and schema index they were made from. */
  readonly names: WeakMap<object, FileNames>;
  /** Paths already checked to stay inside their folder, and their line in kustomization.yaml. */
  readonly lines: Map<string, string>;
  /** Each distinct kustomization.yaml text, once. */
  readonly kustomizations: Map<string, string>;
}

interface FileNames {
  schema: KubeSchemaIndex | undefined;
  id: Resource["id"];
  /** `<folder>/<kind>-<name>.yaml`, lower case. */
  plain: string;
  /** `<folder>/<kind>.<group>-<name>.yaml`, lower case (the plain name for the core group). */
  qualified: string;
}

/** A fresh memo (one per run: pipeline/run-context.ts). */
export function createOutputMemo(): OutputMemo {
  return {
    serialized: new WeakMap(),
    namespaced: new WeakMap(),
    names: new WeakMap(),
    lines: new Map(),
    kustomizations: new Map(),
  };
}

/** Serializes an object once per run. */
function serializeOnce(memo: OutputMemo, object: Resource["object"]): string {
  let s = memo.serialized.get(object);
  if (s === undefined) {
    s = serializeResource(object);
    memo.serialized.set(object, s);
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

function sameId(a: Resource["id"], b: Resource["id"]): boolean {
  return (
    a.group === b.group &&
    a.version === b.version &&
    a.kind === b.kind &&
    a.namespace === b.namespace &&
    a.name === b.name
  );
}

function fileNames(memo: OutputMemo, r: Resource, schema: KubeSchemaIndex | undefined): FileNames {
  const known = memo.names.get(r.object);
  if (known && known.schema === schema && sameId(known.id, r.id)) return known;
  const folder = folderOf(r, schema);
  const plain = `${folder}/${r.id.kind}-${r.id.name}.yaml`.toLowerCase();
  const qualified = r.id.group ? `${folder}/${r.id.kind}.${r.id.group}-${r.id.name}.yaml`.toLowerCase() : plain;
  const names = { schema, id: r.id, plain, qualified };
  memo.names.set(r.object, names);
  return names;
}

/**
 * Every namespaced object without a namespace gets `metadata.namespace: default` written into it (a copy; the
 * copy is shared by every cluster that renders the same object). Flux's kustomize-controller applies with
 * server-side apply, which refuses a namespaced object that names no namespace. Objects of unknown scope are
 * left as they are.
 */
export function withDefaultNamespaces(
  resources: readonly Resource[],
  schema: KubeSchemaIndex | undefined,
  memo: OutputMemo = createOutputMemo(),
): Resource[] {
  return resources.map((r) => {
    if (r.id.namespace || schema?.scope(r.id) !== "Namespaced") return r;
    let object = memo.namespaced.get(r.object);
    if (!object) {
      const meta = r.object.metadata;
      const metadata = meta && typeof meta === "object" && !Array.isArray(meta) ? meta : {};
      object = { ...r.object, metadata: { ...metadata, namespace: "default" } };
      memo.namespaced.set(r.object, object);
    }
    return { ...r, id: { ...r.id, namespace: "default" }, object };
  });
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

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
  memo: OutputMemo = createOutputMemo(),
): ClusterOutput {
  const names = resources.map((r) => fileNames(memo, r, schema));
  // the common case: every plain name differs (one set here; the maps of disambiguated() only when two share one)
  const plainNames = new Set<string>();
  for (const n of names) plainNames.add(n.plain);
  const named =
    plainNames.size === names.length
      ? resources.map((r, i) => ({ r, path: names[i]!.plain }))
      : disambiguated(resources, names);
  const files: OutputFile[] = named.map(({ r, path }) => ({
    path,
    content: serializeOnce(memo, r.object),
    resource: r,
  }));
  files.sort((a, b) => byString(a.path, b.path));
  const dir = dirTemplate.replace(/\{cluster\}/g, cluster).replace(/\/+$/, "");
  // the last guard: names were checked before (object-identity.ts); nothing may leave the cluster folder
  if (!isContainedPath(dir))
    throw new BraidError({
      code: "PATH_ESCAPE",
      message: `the output folder "${dir}" of cluster ${cluster} leaves the output tree`,
      cluster,
    });
  const list: string[] = [];
  for (const f of files) {
    let line = memo.lines.get(f.path);
    if (line === undefined) {
      if (!isContainedPath(f.path) || f.path.split("/").length !== 2)
        throw new BraidError({
          code: "PATH_ESCAPE",
          message: `the output file "${f.path}" would leave its folder`,
          cluster,
          resource: describeId(f.resource!.id),
          location: locateField(f.resource!, ["metadata", "name"]),
          hint: "give the object a name, namespace and kind that Kubernetes accepts",
        });
      memo.lines.set(f.path, (line = serializeYaml([f.path])));
    }
    list.push(line);
  }
  const text = files.length
    ? `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${list.join("")}`
    : serializeYaml({ apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources: [] });
  // clusters with the same files share one string (a thousand clusters' lists are a thousand copies otherwise)
  let kustomization = memo.kustomizations.get(text);
  if (kustomization === undefined) memo.kustomizations.set(text, (kustomization = text));
  files.push({ path: "kustomization.yaml", content: kustomization });
  return { cluster, dir, files };
}

/**
 * The paths of resources some of which share a plain file name: resources of different API groups that would
 * share a file get the group in their names; names still equal (differing only in case) are numbered in a
 * stable order.
 */
function disambiguated(
  resources: readonly Resource[],
  names: readonly { plain: string; qualified: string }[],
): { r: Resource; path: string }[] {
  const groupAt = new Map<string, string>();
  const mixed = new Set<string>();
  for (let i = 0; i < resources.length; i++) {
    const { plain } = names[i]!;
    const group = resources[i]!.id.group;
    const first = groupAt.get(plain);
    if (first === undefined) groupAt.set(plain, group);
    else if (first !== group) mixed.add(plain);
  }
  const named = resources.map((r, i) => ({
    r,
    path: mixed.has(names[i]!.plain) ? names[i]!.qualified : names[i]!.plain,
  }));
  // still equal (names differing only in case): number them in a stable order
  const firstAt = new Map<string, number>();
  const shared = new Map<number, { r: Resource; path: string }[]>();
  named.forEach((n, i) => {
    const first = firstAt.get(n.path);
    if (first === undefined) firstAt.set(n.path, i);
    else {
      const group = shared.get(first);
      if (group) group.push(n);
      else shared.set(first, [named[first]!, n]);
    }
  });
  if (shared.size) {
    const taken = new Set(firstAt.keys());
    for (const first of [...shared.keys()].sort((a, b) => a - b)) {
      const group = shared.get(first)!;
      group.sort((a, b) => byString(a.r.id.name, b.r.id.name));
      for (const n of group.slice(1)) {
        let i = 2;
        while (taken.has(n.path.replace(/\.yaml$/, `-${i}.yaml`))) i++;
        n.path = n.path.replace(/\.yaml$/, `-${i}.yaml`);
        taken.add(n.path);
      }
    }
  }
  return named;
}

// eslint-disable-next-line no-control-regex
const UNSAFE_IN_SEGMENT = /[\\\x00-\x1f\x7f]/;

/** A relative path whose segments are all plain names (no "", ".", "..", backslash or control character). */
function isContainedPath(path: string): boolean {
  return path.split("/").every((s) => s !== "" && s !== "." && s !== ".." && !UNSAFE_IN_SEGMENT.test(s));
}
