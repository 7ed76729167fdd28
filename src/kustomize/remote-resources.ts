/**
 * The remote files a source's kustomizations list (`resources: [https://…/crds.yaml]`, and `bases`; patch files,
 * an `openapi` schema and generator files at URLs), found
 * before any build: the pin stage (pipeline/remote-pins.ts) fetches and pins them, so the build itself reads
 * no network. The walk follows what kustomize would build from the source's folder — its kustomization, or
 * for a plain folder every kustomization folder Flux's generated kustomization lists — through local
 * `resources`, `bases` and `components` folders, each folder once.
 */
import { posix } from "node:path";
import type { Diagnostic, SourceLocation } from "../diagnostics/diagnostic.js";
import { isGitBaseUrl, isRemoteFile, type RemoteFiles } from "../sources/remote-files.js";
import { findKustomization, readKustomization } from "./kustomization-file.js";
import { goJoin, type FolderOrigin } from "./build-metadata.js";
import { fileSource } from "./generators.js";
import { joinInside, type SourceTree } from "./source-tree.js";

/** The remote entries a build may read: file digests and base commits by URL, and where their bytes are. */
export interface RemoteEnv {
  pins: ReadonlyMap<string, string>;
  bases: ReadonlyMap<string, { gitdir: string; commit: string }>;
  /** Why a remote base could not be pinned in this run, by URL. */
  problems: ReadonlyMap<string, Diagnostic>;
  /** `spec.kustomize.remoteBases: false` (kustomize-controller's --no-remote-bases): remote bases are refused. */
  basesOff?: boolean;
  files: RemoteFiles;
}

/** One remote entry and the first place that lists it. */
interface ListedRemote {
  url: string;
  location: SourceLocation;
}

/**
 * A tree's remote entries by how they are read: files (GET first), Git repository bases, and files that are
 * only ever GET (patch files, an `openapi` schema, generator files).
 */
export interface ListedRemotes {
  files: ListedRemote[];
  bases: ListedRemote[];
  patches: ListedRemote[];
}

const LISTS = ["resources", "bases", "components"] as const;

/**
 * The remote entries the kustomizations under `roots` (folders of the tree) list, by URL, sorted: `files` are
 * fetched with a GET first (http(s) URLs in `resources`/`bases`), `bases` are Git repositories (repospec.go
 * parses them: a `//` or `_git/` URL, `github.com/…`, `git@…`, `ssh://…`; a component URL). Local folders are
 * followed; remote bases are not (the pin stage walks them once it has their commit).
 */
export async function listedRemotes(
  tree: SourceTree,
  roots: readonly string[],
  base: { source: string; commit: string },
): Promise<ListedRemotes> {
  const files = new Map<string, SourceLocation>();
  const bases = new Map<string, SourceLocation>();
  const patches = new Map<string, SourceLocation>();
  const seen = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    if (seen.has(dir)) return;
    seen.add(dir);
    const { blob } = findKustomization(tree, dir);
    if (!blob) return;
    const { kustomization: k } = await readKustomization(tree, blob, base);
    if (!k) return; // (the build reports it)
    for (const field of LISTS) {
      const list = k.value[field];
      if (!Array.isArray(list)) continue;
      for (const [i, entry] of list.entries()) {
        if (typeof entry !== "string" || entry === "") continue;
        const kind = remoteKind(tree, dir, entry, field === "components");
        if (kind === "file") {
          if (!files.has(entry)) files.set(entry, k.locate([field, i]));
        } else if (kind === "base") {
          if (!bases.has(entry)) bases.set(entry, k.locate([field, i]));
        } else {
          const path = joinInside(dir, entry);
          if (path !== undefined && tree.isDir(path)) await walk(path);
        }
      }
    }
    // patch files at http(s) URLs (kustomize loads a patch path as it loads a resource file)
    for (const field of ["patches", "patchesJson6902", "patchesStrategicMerge"] as const) {
      const list = k.value[field];
      if (!Array.isArray(list)) continue;
      for (const [i, item] of list.entries()) {
        const path = typeof item === "string" ? item.trim() : isObjectWithPath(item) ? item.path : undefined;
        if (path === undefined || !isRemoteFile(path) || isGitBaseUrl(path) || path.includes("\n")) continue;
        if (!patches.has(path)) patches.set(path, k.locate(typeof item === "string" ? [field, i] : [field, i, "path"]));
      }
    }
    // the files of configMapGenerator and secretGenerator entries (kustomize's loader GETs a URL there too)
    for (const field of ["configMapGenerator", "secretGenerator"] as const) {
      const list = k.value[field];
      if (!Array.isArray(list)) continue;
      for (const [i, item] of list.entries()) {
        if (typeof item !== "object" || item === null || Array.isArray(item)) continue;
        const entry = item as Record<string, unknown>;
        const named: [string, (string | number)[]][] = [];
        for (const key of ["files", "envs"] as const) {
          const values = entry[key];
          if (!Array.isArray(values)) continue;
          values.forEach((v, j) => {
            if (typeof v !== "string") return;
            const src = key === "files" ? fileSource(v) : { path: v };
            if ("path" in src) named.push([src.path, [field, i, key, j]]);
          });
        }
        if (typeof entry.env === "string") named.push([entry.env, [field, i, "env"]]);
        for (const [path, at] of named)
          if (isRemoteFile(path) && !isGitBaseUrl(path) && !patches.has(path)) patches.set(path, k.locate(at));
      }
    }
    // a schema for strategic merges at an http(s) URL (kustomize loads it as a patch file)
    const schema = isObjectWithPath(k.value.openapi) ? k.value.openapi.path : undefined;
    if (schema !== undefined && isRemoteFile(schema) && !isGitBaseUrl(schema) && !patches.has(schema))
      patches.set(schema, k.locate(["openapi", "path"]));
  };
  for (const root of roots) await walk(root);
  const sorted = (m: Map<string, SourceLocation>) =>
    [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([url, location]) => ({ url, location }));
  return { files: sorted(files), bases: sorted(bases), patches: sorted(patches) };
}

function isObjectWithPath(v: unknown): v is { path: string } {
  return typeof v === "object" && v !== null && typeof (v as { path?: unknown }).path === "string";
}

/**
 * What kustomize makes of a `resources` (or `components`) entry: a remote file (http(s), loaded first; never
 * for a component), a remote base (repospec.go parses it, and no local file has that path), or local.
 */
export function remoteKind(
  tree: SourceTree,
  dir: string,
  entry: string,
  component: boolean,
): "file" | "base" | "local" {
  if (isRemoteFile(entry)) return component || isGitBaseUrl(entry) ? "base" : "file";
  const local = joinInside(dir, entry);
  if (local !== undefined && tree.file(local)) return "local";
  return parseRepoSpec(entry) ? "base" : "local";
}

/**
 * kustomize's `Origin.Append`: the origin of `entry` (a path or URL as written) listed where `origin` is. An
 * entry that parses as a Git repository (repospec.go) starts a new origin: `repo` (its clone URL), `ref` and
 * `path` inside the repository — `notCloned` for its root, as kustomize writes it; any other is joined to the
 * path as Go's filepath.Join joins it, keeping the repository it is in.
 */
export function originAppend(origin: FolderOrigin, entry: string): FolderOrigin {
  const spec = parseRepoSpec(entry);
  if (!spec) return { ...origin, path: goJoin(origin.path, entry) };
  const abs = goClean(`/notCloned/${spec.root}`);
  const tail = abs.slice(1);
  const path = abs.slice(tail.indexOf("/") + 1).slice(1);
  return { path: goJoin(path), repo: spec.cloneSpec, ...(spec.ref ? { ref: spec.ref } : {}) };
}

/** A Git repository URL as kustomize's repospec.go reads it. */
export interface RepoSpec {
  /** The URL as written (kustomize's cycle check compares these). */
  raw: string;
  /** What `git fetch` is given: host and repository path. */
  cloneSpec: string;
  /** The kustomization's folder inside the repository ("" for its root). */
  root: string;
  /** `?ref=` (else `?version=`): "" for the remote's default branch. */
  ref: string;
}

/**
 * repospec.go `NewRepoSpecFromURL`: undefined where kustomize's parse fails (an absolute path, no accepted
 * scheme, no host, fewer than two path segments, a root that leaves the repository) — for kustomize the entry
 * is then a local path.
 */
export function parseRepoSpec(raw: string): RepoSpec | undefined {
  if (raw.startsWith("/")) return undefined;
  const q = raw.indexOf("?");
  const ref = q < 0 ? "" : goQueryRef(raw.slice(q + 1));
  let n = q < 0 ? raw : raw.slice(0, q);
  if (n.slice(0, 5).toLowerCase() === "git::") n = n.slice(5);
  let scheme = "";
  for (const prefix of ["ssh://", "https://", "http://", "file://"])
    if (n.slice(0, prefix.length).toLowerCase() === prefix) {
      scheme = prefix;
      n = n.slice(prefix.length);
      break;
    }
  const user = /^([a-zA-Z][a-zA-Z0-9-]*)@/.exec(n);
  let username = user ? user[0] : "";
  n = n.slice(username.length);
  const github = /^github\.com[/:]/i.test(n);
  const scp = scheme === "" && (username !== "" || github);
  if (scheme === "" && !scp) return undefined;
  let host: string;
  let rest: string;
  if (scheme === "file://") {
    host = "";
    rest = username + n;
    username = "";
  } else {
    let sep = n.indexOf("/");
    if (scp) {
      const colon = n.indexOf(":");
      if (sep === -1 || (colon > 0 && colon < sep)) sep = colon;
    }
    [host, rest] = sep >= 0 ? [n.slice(0, sep + 1), n.slice(sep + 1)] : [n, ""];
    if (github) [scheme, host] = scheme === "ssh://" || username ? ["", "github.com:"] : ["https://", "github.com/"];
    if (host === "") return undefined;
  }
  const split = markerSplit(rest) ?? (scheme === "file://" ? { repo: rest, root: "" } : defaultSplit(rest));
  if (!split || split.repo === "") return undefined;
  if (goClean(split.root.replace(/^\//, "")).split("/")[0] === "..") return undefined;
  return { raw, cloneSpec: scheme + username + host + split.repo, root: split.root.replace(/^\//, ""), ref };
}

function markerSplit(n: string): { repo: string; root: string } | undefined {
  const g = n.indexOf("_git/");
  if (g >= 0) {
    const segments = n.slice(g + 5).split("/");
    return { repo: `${n.slice(0, g + 5)}${segments[0]!}`, root: segments.slice(1).join("/") };
  }
  const d = n.indexOf("//");
  if (d >= 0) return { repo: n.slice(0, d), root: n.slice(d + 2) };
  const s = n.indexOf(".git");
  if (s >= 0) return { repo: n.slice(0, s + 4), root: n.slice(s + 4) };
  return undefined;
}

function defaultSplit(n: string): { repo: string; root: string } | undefined {
  const segments = n.split("/");
  if (segments.length < 2) return undefined;
  return { repo: segments.slice(0, 2).join("/"), root: segments.slice(2).join("/") };
}

/** Go's url.ParseQuery then `ref`, else `version` (any parse error: no ref at all). */
function goQueryRef(query: string): string {
  const values = new Map<string, string>();
  for (const part of query.split("&")) {
    if (part === "") continue;
    if (part.includes(";")) return "";
    const eq = part.indexOf("=");
    const key = goUnescape(eq < 0 ? part : part.slice(0, eq));
    const value = goUnescape(eq < 0 ? "" : part.slice(eq + 1));
    if (key === undefined || value === undefined) return "";
    if (!values.has(key)) values.set(key, value);
  }
  return values.get("ref") || values.get("version") || "";
}

function goUnescape(s: string): string | undefined {
  if (/%(?![0-9a-fA-F]{2})/.test(s)) return undefined;
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    // (bytes that are not UTF-8 stay as Go keeps them; rare enough to give them as written)
    return s.replace(/\+/g, " ");
  }
}

/** Go's path/filepath.Clean on a slash path ("" is "."). */
function goClean(p: string): string {
  return p === "" ? "." : posix.normalize(p).replace(/(.)\/$/, "$1");
}
