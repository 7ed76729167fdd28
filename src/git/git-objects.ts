import fs from "node:fs";
import { join } from "node:path";
import git from "./isogit.js";
import { rethrowDamaged } from "./damaged.js";
import { BraidError } from "../diagnostics/diagnostic.js";
import { mapPool } from "../model/map-pool.js";

/*
 * isomorphic-git's `cache` (parsed packfile indexes, pack contents) is never module state: a render passes its
 * run's own (`RunContext.git`), a publish its store's (`ObjectStore.cache`), a Git fleet reader its own; each
 * function here takes the cache to use, a fresh one when none is given. Two runs in one process share none.
 */

/** A ref of a repository with the commit it points to (annotated tags peeled). */
export interface RefEntry {
  ref: string;
  /** Object the ref points to (a tag object for annotated tags). */
  oid: string;
  /** The commit, after peeling. */
  commit: string;
  /** The commit's committer time (unix seconds). */
  commitTime: number;
}

/** Peels an object id to a commit (annotated tags → their target, recursively). */
export async function peelToCommit(gitdir: string, oid: string, cache: object = {}): Promise<string> {
  return (await peel(gitdir, oid, cache)).commit;
}

/** Peels an object id to a commit, with the commit's committer time (unix seconds) read on the way. */
async function peel(gitdir: string, oid: string, cache: object): Promise<{ commit: string; time: number }> {
  let current = oid;
  for (let i = 0; i < 10; i++) {
    const obj = await git.readObject({ fs, gitdir, oid: current, format: "parsed", cache });
    if (obj.type === "commit")
      return { commit: current, time: (obj.object as { committer: { timestamp: number } }).committer.timestamp };
    if (obj.type === "tag") {
      current = (obj.object as { object: string }).object;
      continue;
    }
    throw new BraidError({ code: "REF_NOT_FOUND", message: `object ${oid} is a ${obj.type}, not a commit` });
  }
  throw new BraidError({ code: "REF_NOT_FOUND", message: `tag chain at ${oid} is too deep` });
}

/** How many refs are resolved at once. */
const REFS_IN_FLIGHT = 32;

/**
 * Lists refs under a prefix (e.g. "refs/tags/") with their peeled commits; sorted by name. A ref that does not
 * lead to a commit (a tag of a tree or blob, a dangling ref) is left out, and its name added to `unpeelable`.
 */
export async function listRefsPeeled(
  gitdir: string,
  prefix: string,
  cache: object = {},
  unpeelable: string[] = [],
): Promise<RefEntry[]> {
  const names = await git.listRefs({ fs, gitdir, filepath: prefix.replace(/\/$/, "") });
  const packed = await packedRefs(gitdir);
  // isomorphic-git lists the peeled lines of packed-refs as refs of their own (`v1.0.0^{}`): git has no such ref
  const refs = names.filter((n) => !n.endsWith("^{}")).sort();
  // several at a time: the object reads of a large repository queue up in one `git cat-file`
  const entries = await mapPool(refs, REFS_IN_FLIGHT, async (name): Promise<RefEntry | undefined> => {
    const ref = `${prefix.replace(/\/$/, "")}/${name}`;
    try {
      const loose = await looseRef(gitdir, ref);
      const oid = loose || (loose === undefined && packed.get(ref)) || (await git.resolveRef({ fs, gitdir, ref }));
      const { commit, time } = await peel(gitdir, oid, cache);
      return { ref, oid, commit, commitTime: time };
    } catch (e) {
      rethrowDamaged(e);
      unpeelable.push(ref); // a ref to a tree or blob, or a dangling ref: not a candidate
      return undefined;
    }
  });
  unpeelable.sort();
  return entries.filter((e) => e !== undefined);
}

/**
 * The refs of `packed-refs` (name → object id), read once: isomorphic-git's `resolveRef` reads and parses the
 * whole file for every ref, which on a repository with a thousand tags made listing them quadratic.
 */
async function packedRefs(gitdir: string): Promise<Map<string, string>> {
  const refs = new Map<string, string>();
  let text: string;
  try {
    text = await fs.promises.readFile(join(gitdir, "packed-refs"), "utf8");
  } catch {
    return refs;
  }
  for (const line of text.split("\n")) {
    const m = /^([0-9a-f]{40}) (\S+)$/.exec(line.trimEnd()); // `#` header and `^` peeled lines are skipped
    if (m) refs.set(m[2]!, m[1]!);
  }
  return refs;
}

/**
 * The object id a loose ref file holds (which wins over `packed-refs`, as in git): undefined when there is no
 * such file, "" when it holds something else (a symbolic ref: isomorphic-git resolves it).
 */
async function looseRef(gitdir: string, ref: string): Promise<string | undefined> {
  try {
    const text = (await fs.promises.readFile(join(gitdir, ref), "utf8")).trim();
    return /^[0-9a-f]{40}$/.test(text) ? text : "";
  } catch {
    return undefined;
  }
}

/** True when the object exists in the repository. */
export async function hasObject(gitdir: string, oid: string, cache: object = {}): Promise<boolean> {
  try {
    await git.readObject({ fs, gitdir, oid, format: "deflated", cache });
    return true;
  } catch {
    return false;
  }
}

/** The branch HEAD points to (e.g. "main"), if HEAD is symbolic. */
export async function headBranch(gitdir: string): Promise<string | undefined> {
  try {
    const ref = await git.resolveRef({ fs, gitdir, ref: "HEAD", depth: 2 });
    return ref.startsWith("refs/heads/") ? ref.slice("refs/heads/".length) : undefined;
  } catch {
    return undefined;
  }
}

/** True when `ancestor` is `commit` or one of its ancestors. */
export async function isAncestor(
  gitdir: string,
  ancestor: string,
  commit: string,
  cache: object = {},
): Promise<boolean> {
  if (ancestor === commit) return true;
  return git.isDescendent({ fs, gitdir, oid: commit, ancestor, depth: -1, cache });
}
