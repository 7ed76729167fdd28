/**
 * A revision of the fleet's repository resolved to a commit, as `git rev-parse` reads the forms preview
 * accepts: a full or abbreviated commit id, a branch, tag or full ref name, then `~N`, `^` or `^N` steps.
 */
import fs from "node:fs";
import { expandThroughGit } from "./cat-file.js";
import git from "./isogit.js";
import { BraidError } from "../diagnostics/diagnostic.js";

async function expandName(gitdir: string, name: string, gfs: typeof fs, cache: object): Promise<string | undefined> {
  try {
    return await git.resolveRef({ fs: gfs, gitdir, ref: name });
  } catch {
    // not a ref name: maybe an (abbreviated) object id
  }
  // a full id needs no expanding (the caller reads it: a missing object is REV_NOT_FOUND); isomorphic-git's
  // expandOid loads every pack index of the repository, so git expands an abbreviated one where it reads
  if (/^[0-9a-f]{40}$/i.test(name)) return name.toLowerCase();
  if (/^[0-9a-f]{4,39}$/i.test(name)) {
    const viaGit = await expandThroughGit(gitdir, name);
    if (viaGit !== undefined) return viaGit || undefined;
    try {
      return await git.expandOid({ fs, gitdir, oid: name.toLowerCase(), cache });
    } catch {
      return undefined;
    }
  }
  return undefined;
}

async function peel(gitdir: string, oid: string, cache: object): Promise<string | undefined> {
  let current = oid;
  for (let i = 0; i < 10; i++) {
    let obj;
    try {
      obj = await git.readObject({ fs, gitdir, oid: current, format: "parsed", cache });
    } catch {
      return undefined;
    }
    if (obj.type === "commit") return current;
    if (obj.type !== "tag") return undefined;
    current = (obj.object as { object: string }).object;
  }
  return undefined;
}

/**
 * Resolves a revision to a commit id: a full or abbreviated commit id, a branch, tag or full ref name
 * (as `git rev-parse` expands them), optionally followed by `~N`, `^` or `^N` steps. Unknown → REV_NOT_FOUND.
 * `cache`: isomorphic-git's cache of the caller's run (never shared between runs); `gfs`: the repository's fs (a
 * linked worktree's HEAD is its own: see FleetRepo.fs).
 */
export async function resolveRevision(
  gitdir: string,
  rev: string,
  cache: object,
  gfs: typeof fs = fs,
): Promise<string> {
  const notFound = (why: string) =>
    new BraidError({
      code: "REV_NOT_FOUND",
      message: `revision "${rev}" ${why} in the fleet repository`,
      hint: "give a commit id, a branch or a tag of the repository that contains the fleet (fetch it first in CI: actions/checkout with fetch-depth: 0)",
    });
  const m = /^(.+?)((?:~\d*|\^\d*)*)$/.exec(rev.trim());
  if (!m?.[1]) throw notFound("is not a revision");
  const start = await expandName(gitdir, m[1], gfs, cache);
  let commit = start && (await peel(gitdir, start, cache));
  if (!commit) throw notFound("does not exist");
  for (const step of m[2]!.match(/[~^]\d*/g) ?? []) {
    const n = step.length > 1 ? Number(step.slice(1)) : 1;
    const { commit: c } = await git.readCommit({ fs, gitdir, oid: commit, cache });
    if (step[0] === "^") {
      if (n === 0) continue;
      const parent = c.parent[n - 1];
      if (!parent) throw notFound(`has no parent ${n}`);
      commit = parent;
    } else {
      for (let i = 0; i < n; i++) {
        const { commit: cc } = await git.readCommit({ fs, gitdir, oid: commit, cache });
        const parent = cc.parent[0];
        if (!parent) throw notFound("goes past the first commit");
        commit = parent;
      }
    }
  }
  return commit;
}
