/**
 * The `.sourceignore` files of a source commit, read from the object store, for model/sourceignore.ts: what
 * Flux's source-controller leaves out of the artifact is left out of what braid reads (`folderIgnore` for a
 * plain folder; a kustomize build lists the whole commit and reads them from its listing, `ignoreFilesIn`).
 */
import fs from "node:fs";
import git from "../git/isogit.js";
import { rethrowDamaged } from "../git/damaged.js";
import { artifactIgnore, excludedByDefaults, SOURCEIGNORE_FILE, type ArtifactIgnore } from "../model/sourceignore.js";

/** A tree entry of a listing (path from the repository's root). */
interface ListedFile {
  path: string;
  oid: string;
  mode: string;
}

/** Whether a listed file is a `.sourceignore` Flux reads (a file, not a link or a submodule). */
function isIgnoreFile(f: ListedFile): boolean {
  return (f.path === SOURCEIGNORE_FILE || f.path.endsWith(`/${SOURCEIGNORE_FILE}`)) && f.mode.startsWith("100");
}

async function text(gitdir: string, oid: string, gitCache: object): Promise<string> {
  return new TextDecoder().decode((await git.readBlob({ fs, gitdir, oid, cache: gitCache })).blob);
}

/** The `.sourceignore` files among listed files, read. */
export async function ignoreFilesIn(
  gitdir: string,
  files: Iterable<ListedFile>,
  gitCache: object,
): Promise<{ path: string; text: string }[]> {
  const out: { path: string; text: string }[] = [];
  for (const f of files) if (isIgnoreFile(f)) out.push({ path: f.path, text: await text(gitdir, f.oid, gitCache) });
  return out;
}

/**
 * Every `.sourceignore` file of a commit (source-controller loads them all: one anywhere decides whether Flux's
 * default patterns apply), found by walking its trees.
 */
async function ignoreFilesOfCommit(
  gitdir: string,
  commit: string,
  gitCache: object,
): Promise<{ path: string; text: string }[]> {
  const found: ListedFile[] = [];
  const walk = async (oid: string, prefix: string): Promise<void> => {
    const { tree } = await git.readTree({ fs, gitdir, oid, cache: gitCache });
    for (const e of tree) {
      const path = prefix ? `${prefix}/${e.path}` : e.path;
      if (e.type === "tree") await walk(e.oid, path);
      else if (e.path === SOURCEIGNORE_FILE) found.push({ path, oid: e.oid, mode: e.mode });
    }
  };
  try {
    await walk(commit, "");
  } catch (e) {
    rethrowDamaged(e);
    return []; // a tree that cannot be listed is reported by the lister
  }
  return ignoreFilesIn(gitdir, found, gitCache);
}

/**
 * The `.sourceignore` files of the folders above `path` (the root included, `path` itself not): with those
 * listed under `path`, every file whose patterns can reach a path below it.
 */
async function ignoreFilesAbove(
  gitdir: string,
  commit: string,
  path: string,
  gitCache: object,
): Promise<{ path: string; text: string }[]> {
  const segments = path ? path.split("/") : [];
  const out: { path: string; text: string }[] = [];
  for (let depth = 0; depth < segments.length; depth++) {
    const dir = segments.slice(0, depth).join("/");
    let tree;
    try {
      ({ tree } = await git.readTree({ fs, gitdir, oid: commit, filepath: dir || undefined, cache: gitCache }));
    } catch (e) {
      rethrowDamaged(e);
      return out; // the folder is missing: the lister reports it
    }
    const entry = tree.find((e) => e.path === SOURCEIGNORE_FILE && e.type === "blob");
    if (entry?.mode.startsWith("100"))
      out.push({
        path: dir ? `${dir}/${SOURCEIGNORE_FILE}` : SOURCEIGNORE_FILE,
        text: await text(gitdir, entry.oid, gitCache),
      });
  }
  return out;
}

/**
 * What Flux's source-controller leaves out of a source's folder `path` (`listed`: its files; `spec`: the
 * source's ignore). Patterns reach it only from the `.sourceignore` files above it and in it, and the source's
 * ignore; a pattern anywhere else matters only by turning Flux's defaults off, so the commit's whole tree is
 * searched for one only when a default pattern would leave out a file of the folder (listing a large
 * repository's every folder takes seconds). `memo` keeps whole-commit answers for the run.
 */
export async function folderIgnore(
  gitdir: string,
  commit: string,
  path: string,
  spec: string | undefined,
  listed: readonly ListedFile[],
  gitCache: object,
  memo: Map<string, Promise<ArtifactIgnore>>,
): Promise<ArtifactIgnore> {
  const specPatterns = spec === undefined ? undefined : { text: spec };
  const near = artifactIgnore(
    [...(await ignoreFilesAbove(gitdir, commit, path, gitCache)), ...(await ignoreFilesIn(gitdir, listed, gitCache))],
    specPatterns,
  );
  if (near.own || !listed.some((f) => excludedByDefaults(f.path.split("/"), false))) return near;
  const key = `${gitdir}\u0000${commit}\u0000${spec ?? ""}`;
  let whole = memo.get(key);
  if (!whole)
    memo.set(
      key,
      (whole = ignoreFilesOfCommit(gitdir, commit, gitCache).then((files) => artifactIgnore(files, specPatterns))),
    );
  return whole;
}
