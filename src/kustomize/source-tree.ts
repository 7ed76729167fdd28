/**
 * The files of a source repository at one commit, read straight from the Git object store (no checkout),
 * as the kustomize build driver needs them: is this a file, a folder, what does it hold. Symlinks resolve
 * inside the repository only; everything else is kustomize's load restrictor: a path that leaves the
 * repository is refused.
 */
import fs from "node:fs";
import { posix } from "node:path";
import git from "../git/isogit.js";
import { artifactIgnore, describeIgnorePattern } from "../model/sourceignore.js";
import { ignoreFilesIn } from "../sources/artifact-ignore.js";

/** One blob of the tree. */
export interface TreeBlob {
  path: string;
  oid: string;
}

/** The tree of one commit. */
export interface SourceTree {
  gitdir: string;
  commit: string;
  /** The blob at a repository path (symlinks followed inside the repository), or undefined. */
  file(path: string): TreeBlob | undefined;
  /** Every file path of the tree (symlinks included), sorted. */
  paths(): string[];
  /** Whether a folder exists at a repository path ("" is the root). */
  isDir(path: string): boolean;
  /** The content of a blob. */
  read(blob: TreeBlob): Promise<Uint8Array>;
  /**
   * Why a path the commit holds is not a file here (undefined when it is one, or when the commit has nothing
   * there): left out of the artifact by a `.sourceignore` pattern, or a link that leads out of the repository.
   */
  whyAbsent?(path: string): string | undefined;
  /**
   * A clone of a remote base: kustomize's loader there is RestrictionRootOnly, so a kustomization reads files
   * only in or below its own folder (folders of other kustomizations anywhere in the clone). `whole` is the
   * tree a folder's view ({@link rootOnlyView}) was made from.
   */
  rootOnly?: boolean;
  whole?: SourceTree;
}

/** What a kustomization at `dir` of a remote base's clone sees: files outside its folder are not there. */
export function rootOnlyView(tree: SourceTree, dir: string): SourceTree {
  const whole = tree.whole ?? tree;
  const inside = (path: string) => dir === "" || path === dir || path.startsWith(`${dir}/`);
  return {
    ...whole,
    whole,
    file: (path) => (inside(path) ? whole.file(path) : undefined),
    whyAbsent: (path) =>
      inside(path) || !whole.file(path)
        ? whole.whyAbsent?.(path)
        : `is not in or below "${dir}": in a remote base, kustomize reads a kustomization's files only from its own folder (security; RestrictionRootOnly)`,
  };
}

/** Joins a path relative to a folder; undefined when the result leaves the repository. */
export function joinInside(dir: string, rel: string): string | undefined {
  if (rel.startsWith("/")) return undefined;
  const norm = posix.normalize(posix.join(dir || ".", rel));
  if (norm === ".." || norm.startsWith("../")) return undefined;
  return norm === "." ? "" : norm.replace(/\/$/, "");
}

async function walk(
  gitCache: object,
  gitdir: string,
  oid: string,
  prefix: string,
  files: Map<string, { oid: string; mode: string }>,
  dirs: Set<string>,
): Promise<void> {
  dirs.add(prefix);
  const { tree } = await git.readTree({ fs, gitdir, oid, cache: gitCache });
  for (const e of tree) {
    const path = prefix ? `${prefix}/${e.path}` : e.path;
    if (e.type === "tree") await walk(gitCache, gitdir, e.oid, path, files, dirs);
    else if (e.type === "blob") files.set(path, { oid: e.oid, mode: e.mode });
  }
}

/** Lists a commit's tree once; later lookups are in memory. */
export async function openSourceTree(
  gitdir: string,
  commit: string,
  gitCache: object = {},
  /** The source's `ignore` (Flux's GitRepository `spec.ignore`). */
  specIgnore?: string,
  /** A clone of a remote base, as kustomize makes it: every file, nothing left out as from Flux's artifact. */
  clone = false,
): Promise<SourceTree> {
  const files = new Map<string, { oid: string; mode: string }>();
  const dirs = new Set<string>();
  const { oid } = await git.readTree({ fs, gitdir, oid: commit, cache: gitCache });
  await walk(gitCache, gitdir, oid, "", files, dirs);
  // what Flux's source-controller leaves out of the artifact (.sourceignore, its defaults) is not there
  const ignore = clone
    ? { excludedBy: () => undefined }
    : artifactIgnore(
        await ignoreFilesIn(
          gitdir,
          [...files].map(([path, f]) => ({ path, ...f })),
          gitCache,
        ),
        specIgnore === undefined ? undefined : { text: specIgnore },
      );
  const leftOut = new Map<string, string>();
  for (const path of files.keys()) {
    const by = ignore.excludedBy(path.split("/"), false);
    if (by)
      leftOut.set(
        path,
        `is left out of the source by ${describeIgnorePattern(by)}, as Flux's source-controller leaves it out of the artifact`,
      );
  }
  for (const path of leftOut.keys()) files.delete(path);
  if (leftOut.size) {
    // a folder is there while it holds a file, or while no pattern leaves it out itself
    const holding = new Set<string>([""]);
    for (const path of files.keys())
      for (let i = path.indexOf("/"); i > 0; i = path.indexOf("/", i + 1)) holding.add(path.slice(0, i));
    for (const d of [...dirs]) if (!holding.has(d) && ignore.excludedBy(d.split("/"), true)) dirs.delete(d);
  }
  const decoder = new TextDecoder();
  const links = new Map<string, string | undefined>();
  const linkOut = new Map<string, string>();
  async function resolveLinks(): Promise<void> {
    for (const [path, f] of files) {
      if (f.mode !== "120000") continue;
      const { blob } = await git.readBlob({ fs, gitdir, oid: f.oid, cache: gitCache });
      const target = decoder.decode(blob);
      const resolved = target.startsWith("/") ? undefined : joinInside(posix.dirname(path), target);
      const dest = resolved !== undefined ? files.get(resolved) : undefined;
      links.set(path, dest && dest.mode !== "120000" ? resolved : undefined);
      if (resolved === undefined) linkOut.set(path, `is a symbolic link to ${target}, outside the source repository`);
    }
  }
  await resolveLinks();
  return {
    gitdir,
    commit,
    file(path) {
      const f = files.get(path);
      if (!f) return undefined;
      if (f.mode !== "120000") return { path, oid: f.oid };
      const dest = links.get(path);
      const target = dest !== undefined ? files.get(dest) : undefined;
      return target ? { path, oid: target.oid } : undefined;
    },
    isDir: (path) => dirs.has(path),
    paths: () => [...files.keys()].sort(),
    async read(blob) {
      return (await git.readBlob({ fs, gitdir, oid: blob.oid, cache: gitCache })).blob;
    },
    whyAbsent: (path) => leftOut.get(path) ?? linkOut.get(path),
    ...(clone ? { rootOnly: true } : {}),
  };
}

/** A commit's tree from a run's listings (by gitdir, commit and `.sourceignore` spec), listed on first use. */
export function listedTree(
  trees: Map<string, Promise<unknown>>,
  gitdir: string,
  commit: string,
  gitCache: object,
  specIgnore?: string,
  clone = false,
): Promise<SourceTree> {
  const key = `${gitdir}\u0000${commit}\u0000${clone ? "\u0000clone" : (specIgnore ?? "")}`;
  let p = trees.get(key) as Promise<SourceTree> | undefined;
  if (!p) trees.set(key, (p = openSourceTree(gitdir, commit, gitCache, specIgnore, clone)));
  return p;
}
