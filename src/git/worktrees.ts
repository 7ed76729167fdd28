/**
 * Linked worktrees (`git worktree add`) as git lays them out: the checkout's `.git` is a file naming a
 * private gitdir (`<common>/worktrees/<id>`), whose `commondir` file names the shared repository. Objects,
 * refs, packed-refs and config live in the common dir; HEAD, the index and a few pseudo-refs are per
 * worktree (git's path.c `common_list`). isomorphic-git knows none of this, so a repository is opened on
 * its common dir with an fs that sends the per-worktree paths to the worktree's own gitdir.
 */
import fs from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { isAbsolute, join, resolve, sep } from "node:path";

/** Paths (relative to a gitdir) that belong to one worktree; everything else is shared. */
const PER_WORKTREE =
  /^(HEAD|index|ORIG_HEAD|FETCH_HEAD|MERGE_HEAD|CHERRY_PICK_HEAD|REVERT_HEAD|AUTO_MERGE|BISECT_[A-Z_]+|logs\/HEAD|refs\/(bisect|worktree|rewritten)(\/.*)?)(\.lock)?$/;

/** The gitdir a `.git` file points to (`gitdir: <path>`, relative to the file's folder), else undefined. */
export async function readGitFile(dotGit: string, dir: string): Promise<string | undefined> {
  const m = /^gitdir:\s*(.+?)\s*$/m.exec(await readFile(dotGit, "utf8").catch(() => ""));
  if (!m) return undefined;
  return isAbsolute(m[1]!) ? m[1]! : resolve(dir, m[1]!);
}

/** The common dir of a gitdir: `commondir`'s target (relative to the gitdir), else the gitdir itself. */
export async function commonDirOf(gitdir: string): Promise<string> {
  const text = (await readFile(join(gitdir, "commondir"), "utf8").catch(() => "")).trim();
  if (!text) return gitdir;
  return isAbsolute(text) ? text : resolve(gitdir, text);
}

/**
 * An fs for isomorphic-git that reads the repository at `commonDir` with the HEAD and index of the
 * worktree whose gitdir is `worktreeGitdir`. The plain fs when both are the same.
 */
export function worktreeFs(commonDir: string, worktreeGitdir: string): typeof fs {
  if (resolve(commonDir) === resolve(worktreeGitdir)) return fs;
  const root = resolve(commonDir) + sep;
  const map = (p: unknown): unknown => {
    if (typeof p !== "string") return p;
    const abs = resolve(p);
    if (!abs.startsWith(root)) return p;
    const rel = abs.slice(root.length).split(sep).join("/");
    return PER_WORKTREE.test(rel) ? join(worktreeGitdir, rel) : p;
  };
  const promises = new Proxy(fs.promises, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver) as unknown;
      if (typeof v !== "function") return v;
      return (...args: unknown[]) =>
        (v as (...a: unknown[]) => unknown).apply(target, [map(args[0]), ...args.slice(1)]);
    },
  });
  return { ...fs, promises };
}

/**
 * The branches (`refs/heads/...`) checked out in any worktree of the repository whose common dir is
 * given: its own HEAD (unless bare) and each `worktrees/<id>/HEAD`, as `git branch -f` checks them.
 */
export async function checkedOutBranches(commonDir: string, bare: boolean): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const heads: [string, string][] = bare ? [] : [[join(commonDir, "HEAD"), commonDir.replace(/[\\/]\.git$/, "")]];
  for (const id of await readdir(join(commonDir, "worktrees")).catch(() => [] as string[])) {
    const wt = join(commonDir, "worktrees", id);
    const where = (await readGitdirBack(wt)) ?? wt;
    heads.push([join(wt, "HEAD"), where]);
  }
  for (const [file, where] of heads) {
    const m = /^ref:\s*(refs\/heads\/\S+)/.exec(await readFile(file, "utf8").catch(() => ""));
    if (m && !out.has(m[1]!)) out.set(m[1]!, where);
  }
  return out;
}

/** A linked worktree's checkout folder (from `worktrees/<id>/gitdir`, which names its `.git` file). */
async function readGitdirBack(wt: string): Promise<string | undefined> {
  const text = (await readFile(join(wt, "gitdir"), "utf8").catch(() => "")).trim();
  return text ? text.replace(/[\\/]\.git$/, "") : undefined;
}
