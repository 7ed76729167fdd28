/**
 * What a source yields at a commit, as kustomize-controller decides it: when the source's `path` holds a
 * kustomization file, its kustomize build; otherwise every manifest under `path` (render/load-manifests.ts,
 * like Flux's generated kustomization). A build runs once per (source, commit, path, Kubernetes version)
 * per run and is shared by every cluster that pins that commit.
 */
import fs from "node:fs";
import git from "../git/isogit.js";
import { rethrowDamaged } from "../git/damaged.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { SourceDef } from "../config/types.js";
import type { KubeSchemaIndex } from "../model/kube-schema.js";
import type { Resource } from "../model/resource.js";
import { loadSourceManifests, selectedBySource, type ManifestCache } from "../render/load-manifests.js";
import { KUSTOMIZATION_FILE_NAMES } from "./kustomization-file.js";
import { listedTree, type SourceTree } from "./source-tree.js";
import { finishBuildMetadata } from "./build-metadata.js";
import { hasErrors, type SourceLocation } from "../diagnostics/diagnostic.js";
import type { NestedBuild } from "./build-kustomization.js";
import { customScopeProblems, type OpenApiChoice } from "./custom-openapi.js";
import { pushAll } from "../model/append.js";
import { listedRemotes, type ListedRemotes, type RemoteEnv } from "./remote-resources.js";

/**
 * The kustomize build, loaded on first use: its twenty modules cost a fresh process about 0.1 s, and a fleet of
 * plain manifests never needs them.
 */
async function buildKustomization(
  ...args: Parameters<typeof import("./build-kustomization.js").buildKustomization>
): ReturnType<typeof import("./build-kustomization.js").buildKustomization> {
  return (await import("./build-kustomization.js")).buildKustomization(...args);
}

/** The top of Flux's generated kustomization over a plain folder (build-kustomization.ts), loaded on first use. */
async function generatedRoot(
  ...args: Parameters<typeof import("./build-kustomization.js").generatedRoot>
): Promise<ReturnType<typeof import("./build-kustomization.js").generatedRoot>> {
  return (await import("./build-kustomization.js")).generatedRoot(...args);
}

/** A commit's tree, listed once per run (a listing serves every path and cluster). */
function treeOf(cache: ManifestCache, gitdir: string, commit: string, specIgnore?: string): Promise<SourceTree> {
  return listedTree(cache.trees, gitdir, commit, cache.git, specIgnore);
}

/**
 * Whether the source's folder at the commit holds a kustomization file that Flux's artifact keeps (one tree
 * read; the commit's listing, which the build needs anyway, only when the folder holds one: a kustomization
 * file `.sourceignore` leaves out is not there, and Flux generates one over the folder).
 */
async function isKustomizeSource(
  cache: ManifestCache,
  gitdir: string,
  commit: string,
  path: string,
  specIgnore?: string,
): Promise<boolean> {
  try {
    const { tree } = await git.readTree({ fs, gitdir, oid: commit, filepath: path || undefined, cache: cache.git });
    const names = tree.filter(
      (e) => e.type === "blob" && (KUSTOMIZATION_FILE_NAMES as readonly string[]).includes(e.path),
    );
    if (!names.length) return false;
    const listed = await treeOf(cache, gitdir, commit, specIgnore);
    return names.some((e) => listed.file(path ? `${path}/${e.path}` : e.path) !== undefined);
  } catch (e) {
    rethrowDamaged(e);
    return false; // a missing folder is reported by the plain loader
  }
}

/**
 * The objects a source yields at a commit (kustomize build or plain manifests), cached per run. A target
 * `namespace` (the source's, layered) is built in as kustomize-controller builds it: it replaces the top
 * kustomization's `namespace`, or is the `namespace` of the kustomization Flux generates for a plain folder —
 * either way name references follow it (a RoleBinding subject naming a moved ServiceAccount moves with it).
 *
 * `schemaDigest` names what `schema` was made from (the OpenAPI document and the fleet's CRDs): given, a
 * kustomize build is also kept in the run's manifest store (`cache.store`, render/manifest-store.ts) under
 * it, and a later run takes it from there, neither reading the commit's files nor building again.
 */
export function loadSource(
  cache: ManifestCache,
  gitdir: string,
  commit: string,
  source: SourceDef,
  schema: KubeSchemaIndex | undefined,
  namespace?: { value: string; location: SourceLocation },
  schemaDigest?: string,
  remote?: RemoteEnv,
): Promise<{ resources: Resource[]; diagnostics: Diagnostic[]; kustomization: boolean }> {
  const remotes =
    remote && (remote.pins.size || remote.bases.size)
      ? JSON.stringify([[...remote.pins].sort(), [...remote.bases].map(([u, b]) => [u, b.commit]).sort()])
      : "";
  const key = `kustomize\u0000${source.name}\u0000${source.url}\u0000${commit}\u0000${source.path}\u0000${schema?.kubernetesVersion ?? ""}\u0000${namespace?.value ?? ""}\u0000${source.ignore ?? ""}\u0000${remotes}`;
  let p = cache.loads.get(key) as
    Promise<{ resources: Resource[]; diagnostics: Diagnostic[]; kustomization: boolean }> | undefined;
  if (!p) {
    p = (async () => {
      // (the namespace's place in the fleet's files: the build's objects point at it)
      const at = namespace ? `${namespace.location.file}:${namespace.location.line}:${namespace.location.column}` : "";
      const stored = cache.store && schemaDigest !== undefined ? `${key}\u0000${at}\u0000${schemaDigest}` : undefined;
      const kept = stored ? await cache.store?.get(stored) : undefined;
      if (kept) return { resources: kept, diagnostics: [], kustomization: true }; // (only builds are kept here)
      if (!(await isKustomizeSource(cache, gitdir, commit, source.path, source.ignore)))
        return loadPlain(cache, gitdir, commit, source, schema, namespace, remote);
      const tree = await treeOf(cache, gitdir, commit, source.ignore);
      const env = {
        tree,
        source: source.name,
        cache,
        schema,
        ...(namespace ? { targetNamespace: namespace } : {}),
        ...(remote ? { remote } : {}),
      };
      const built = await buildKustomization(env, source.path);
      if (stored && !built.diagnostics.length) cache.store?.set(stored, built.resources);
      return { resources: built.resources, diagnostics: built.diagnostics, kustomization: true };
    })();
    cache.loads.set(key, p);
  }
  return p;
}

/**
 * Folders below `path` (not `path` itself) holding a kustomization file, outermost only: Flux's generated
 * kustomization (fluxcd/pkg kustomize `scanManifests`) lists such a folder as a resource and does not
 * descend into it. `selected` says whether braid's include/exclude keep a folder (asked with the path of a
 * `kustomization.yaml` in it, relative to `path`): a folder the globs leave out is not built.
 */
function kustomizationFolders(
  tree: SourceTree,
  path: string,
  selected: (rel: string) => boolean = () => true,
): string[] {
  const prefix = path ? `${path}/` : "";
  const names = KUSTOMIZATION_FILE_NAMES as readonly string[];
  const dirs: string[] = [];
  for (const p of tree.paths()) {
    if (!p.startsWith(prefix)) continue;
    const slash = p.lastIndexOf("/");
    const dir = slash < 0 ? "" : p.slice(0, slash);
    if (dir === path || !names.includes(p.slice(slash + 1))) continue;
    if (dirs.some((d) => dir === d || dir.startsWith(`${d}/`))) continue;
    if (!selected(`${path ? dir.slice(path.length + 1) : dir}/kustomization.yaml`)) continue;
    dirs.push(dir);
  }
  return dirs;
}

/**
 * A source without a kustomization in its folder, as Flux's generated kustomization reads it: every
 * manifest matching include/exclude, except that a sub-folder holding a kustomization is built as one.
 */
async function loadPlain(
  cache: ManifestCache,
  gitdir: string,
  commit: string,
  source: SourceDef,
  schema: KubeSchemaIndex | undefined,
  namespace: { value: string; location: SourceLocation } | undefined,
  remote: RemoteEnv | undefined,
): Promise<{ resources: Resource[]; diagnostics: Diagnostic[]; kustomization: boolean }> {
  const tree = await treeOf(cache, gitdir, commit, source.ignore).catch((e: unknown) => rethrowDamaged(e));
  const selected = (rel: string) => selectedBySource(rel, source);
  const folders = tree ? kustomizationFolders(tree, source.path, selected) : [];
  if (!tree || folders.length === 0) {
    const loaded = await loadSourceManifests(cache, gitdir, commit, source);
    const resources = finishBuildMetadata(loaded.resources, undefined);
    if (!namespace) return { ...loaded, resources, kustomization: false };
    const root = await generatedRoot(source, commit, resources, schema, namespace);
    return {
      resources: root.resources,
      diagnostics: [...loaded.diagnostics, ...root.diagnostics],
      kustomization: false,
    };
  }
  const rel = (d: string) => (source.path ? d.slice(source.path.length + 1) : d);
  const plain = await loadSourceManifests(cache, gitdir, commit, {
    ...source,
    exclude: [...source.exclude, ...folders.map((d) => `${rel(d)}/**`)],
  });
  const resources = finishBuildMetadata(plain.resources, undefined);
  const diagnostics = [...plain.diagnostics];
  const nested: NestedBuild[] = [];
  // (one build to kustomize: the first folder with an `openapi` chooses the schema of the folders after it)
  const openapi: OpenApiChoice = { chosen: false };
  for (const dir of folders) {
    const env = { tree, source: source.name, cache, schema, openapi, ...(remote ? { remote } : {}) };
    const built = await buildKustomization(env, dir, { nested: true });
    pushAll(resources, built.resources);
    pushAll(diagnostics, built.diagnostics);
    if (built.nested) nested.push(built.nested);
  }
  pushAll(diagnostics, customScopeProblems(openapi, resources));
  if (hasErrors(diagnostics)) return { resources, diagnostics, kustomization: false };
  const root = await generatedRoot(source, commit, resources, schema, namespace, nested);
  return { resources: root.resources, diagnostics: [...diagnostics, ...root.diagnostics], kustomization: false };
}

/**
 * The remote entries the source's kustomizations list at a commit (kustomize/remote-resources.ts): from its
 * kustomization, or from the kustomization folders Flux's generated kustomization would list.
 */
export async function remotesOfSource(
  cache: ManifestCache,
  gitdir: string,
  commit: string,
  source: SourceDef,
): Promise<ListedRemotes> {
  const tree = await treeOf(cache, gitdir, commit, source.ignore);
  const roots = (await isKustomizeSource(cache, gitdir, commit, source.path, source.ignore))
    ? [source.path]
    : kustomizationFolders(tree, source.path, (rel) => selectedBySource(rel, source));
  return listedRemotes(tree, roots, { source: source.name, commit });
}

/** The remote entries of the kustomization at `root` of a remote base's commit (no .sourceignore: a clone). */
export async function remotesOfBase(
  cache: ManifestCache,
  gitdir: string,
  commit: string,
  root: string,
  source: string,
): Promise<ListedRemotes> {
  const tree = await listedTree(cache.trees, gitdir, commit, cache.git, undefined, true);
  return listedRemotes(tree, [root], { source, commit });
}
