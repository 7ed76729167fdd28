import { writeFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import git from "../git/isogit.js";
import { BraidError } from "../diagnostics/diagnostic.js";
import { LOCK_FILE } from "../sources/lock.js";
import {
  compareAndSwapRef,
  hashObject,
  openStore,
  readCommitInfo,
  readRef,
  readTreeEntries,
  writeCommitObject,
  writeObject,
  writeTreeEntries,
  type ObjectStore,
  type Signature,
} from "../git/git-store.js";

import type { FleetRepo } from "../git/fleet-repo.js";

/** The commit HEAD points to in the fleet repo (undefined in an empty repository). */
export async function fleetHead(repo: FleetRepo): Promise<string | undefined> {
  return git.resolveRef({ fs: repo.fs, gitdir: repo.gitdir, ref: "HEAD" }).catch(() => undefined);
}

async function replaceBlob(
  store: ObjectStore,
  treeOid: string | undefined,
  parts: string[],
  blobOid: string,
): Promise<string> {
  const entries = treeOid ? await readTreeEntries(store, treeOid) : [];
  const [name, ...rest] = parts;
  const others = entries.filter((e) => e.name !== name);
  if (rest.length === 0)
    return writeTreeEntries(store, [...others, { name: name!, mode: "100644", oid: blobOid, type: "blob" }]);
  const current = entries.find((e) => e.name === name && e.type === "tree");
  const sub = await replaceBlob(store, current?.oid, rest, blobOid);
  return writeTreeEntries(store, [...others, { name: name!, mode: "040000", oid: sub, type: "tree" }]);
}

/**
 * Commits braid.lock to the fleet repository as its own commit on the current branch (or on a detached
 * HEAD): the commit changes only that file, whatever else is staged; the branch moves by compare-and-swap;
 * then the working-tree file and its index entry are updated. Returns the new commit.
 */
export async function commitLockFile(
  repo: FleetRepo,
  text: string,
  opts: { author: Signature; message?: string },
): Promise<string> {
  const store = await openStore(repo.gitdir);
  const headRef = await git.resolveRef({ fs: repo.fs, gitdir: repo.gitdir, ref: "HEAD", depth: 2 }).catch(() => "HEAD");
  const ref = headRef.startsWith("refs/") ? headRef : "HEAD";
  // a detached HEAD is per worktree: in a linked worktree it lives in the worktree's gitdir
  const refDir = ref === "HEAD" ? repo.worktreeGitdir : repo.gitdir;
  const parent = await readRef(refDir, ref);
  const baseTree = parent ? (await readCommitInfo(store, parent)).tree : undefined;
  const rel = relative(repo.dir, join(repo.fleetDir, LOCK_FILE)).split(sep).join("/");
  const blob = Buffer.from(text, "utf8");
  const blobOid = await writeObject(store, "blob", blob, hashObject("blob", blob));
  const tree = await replaceBlob(store, baseTree, rel.split("/"), blobOid);
  const commit = await writeCommitObject(store, {
    tree,
    parents: parent ? [parent] : [],
    author: opts.author,
    message: opts.message ?? "braid: update braid.lock\n\nResolved floating pins again (braid publish --update).\n",
  });
  const moved = await compareAndSwapRef(refDir, ref, parent, commit);
  if (!moved)
    throw new BraidError({
      code: "PUBLISH_RACE",
      message: `the fleet repository's ${ref} moved while braid.lock was being committed`,
      hint: "run the publish again",
    });
  await writeFile(join(repo.fleetDir, LOCK_FILE), text);
  await git.add({ fs: repo.fs, dir: repo.dir, gitdir: repo.gitdir, filepath: rel });
  return commit;
}
