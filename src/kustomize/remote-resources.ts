/**
 * The remote files a source's kustomizations list (`resources: [https://…/crds.yaml]`, and `bases`), found
 * before any build: the pin stage (pipeline/remote-pins.ts) fetches and pins them, so the build itself reads
 * no network. The walk follows what kustomize would build from the source's folder — its kustomization, or
 * for a plain folder every kustomization folder Flux's generated kustomization lists — through local
 * `resources`, `bases` and `components` folders, each folder once.
 */
import { posix } from "node:path";
import type { SourceLocation } from "../diagnostics/diagnostic.js";
import { isGitBaseUrl, isRemoteFile, type RemoteFiles } from "../sources/remote-files.js";
import { findKustomization, readKustomization } from "./kustomization-file.js";
import { isRemote } from "./kustomize-patches.js";
import { joinInside, type SourceTree } from "./source-tree.js";

/** The remote files a build may read: the pin's digests by URL, and where the bytes are. */
export interface RemoteEnv {
  pins: ReadonlyMap<string, string>;
  files: RemoteFiles;
}

/** One remote file and the first place that lists it. */
export interface ListedRemote {
  url: string;
  location: SourceLocation;
}

const LISTS = ["resources", "bases", "components"] as const;

/** Remote files listed by the kustomizations under `roots` (folders of the tree), by URL, sorted. */
export async function listedRemoteFiles(
  tree: SourceTree,
  roots: readonly string[],
  base: { source: string; commit: string },
): Promise<ListedRemote[]> {
  const found = new Map<string, SourceLocation>();
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
        if (isRemoteFile(entry)) {
          // (a remote component is a Git repository to kustomize, never a file: the build refuses it)
          if (field !== "components" && !isGitBaseUrl(entry) && !found.has(entry))
            found.set(entry, k.locate([field, i]));
        } else if (!isRemote(entry)) {
          const path = joinInside(dir, entry);
          if (path !== undefined && tree.isDir(path)) await walk(path);
        }
      }
    }
  };
  for (const root of roots) await walk(root);
  return [...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([url, location]) => ({ url, location }));
}

/**
 * The `config.kubernetes.io/origin` of an object from a remote file (kustomize's `Origin.Append`): a URL that
 * parses as a Git repository (repospec.go) gives `repo` (its clone URL), `ref` and `path` (inside the
 * repository); any other gives `path` as filepath.Join writes the URL.
 */
export function remoteOrigin(url: string): { path: string; repo?: string; ref?: string } {
  const spec = httpRepoSpec(url);
  if (!spec) return { path: goClean(url) };
  const abs = goClean(`/notCloned/${spec.root}`);
  const tail = abs.slice(1);
  const path = abs.slice(tail.indexOf("/") + 1).slice(1);
  return { path: goClean(path), repo: spec.cloneSpec, ...(spec.ref ? { ref: spec.ref } : {}) };
}

/** repospec.go `NewRepoSpecFromURL` for an http(s) URL: clone URL, root inside the repository, ref. */
function httpRepoSpec(url: string): { cloneSpec: string; root: string; ref: string } | undefined {
  const q = url.indexOf("?");
  const ref = q < 0 ? "" : goQueryRef(url.slice(q + 1));
  let n = q < 0 ? url : url.slice(0, q);
  const scheme = /^https?:\/\//i.exec(n)![0];
  n = n.slice(scheme.length);
  const user = /^([a-zA-Z][a-zA-Z0-9-]*)@/.exec(n);
  const username = user ? user[0] : "";
  n = n.slice(username.length);
  const github = /^github\.com[/:]/i.test(n);
  const sep = n.indexOf("/");
  if (sep < 0) return undefined;
  let host = n.slice(0, sep + 1);
  n = n.slice(sep + 1);
  if (/^github\.com[/:]$/i.test(host) && github) host = username ? `${username}github.com:` : "https://github.com/";
  else host = scheme + username + host;
  if (host === "") return undefined;
  const split = markerSplit(n) ?? defaultSplit(n);
  if (!split || split.repo === "") return undefined;
  const rootClean = goClean(split.root.replace(/^\//, ""));
  if (rootClean.split("/")[0] === "..") return undefined;
  return { cloneSpec: host + split.repo, root: split.root.replace(/^\//, ""), ref };
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
