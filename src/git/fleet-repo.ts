import fs from "node:fs";
import { realpath } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import git from "./isogit.js";
import { commonDirOf, readGitFile, worktreeFs } from "./worktrees.js";

/** Where a fleet folder sits inside its Git repository. */
export interface FleetRepo {
  /** Working-tree root of the repository. */
  dir: string;
  gitdir: string;
  /** The folder holding braid.yaml (absolute). */
  fleetDir: string;
  /** The fleet folder relative to the root, posix, "" for the root itself. */
  subdir: string;
  /**
   * The fs to give isomorphic-git with `gitdir` (the common dir: objects, refs, config): in a linked
   * worktree it reads HEAD and the index from the worktree's own gitdir. The plain fs otherwise.
   */
  fs: typeof fs;
  /** The worktree's private gitdir (HEAD, index); equals `gitdir` outside a linked worktree. */
  worktreeGitdir: string;
}

/**
 * Finds the Git repository containing a fleet folder (which may be a subfolder of it); follows a `.git`
 * file (worktree, submodule) to its gitdir, and a worktree's `commondir` to the shared repository, as
 * git does. Undefined when the folder is not inside a repository.
 */
export async function locateFleetRepo(fleetDir: string): Promise<FleetRepo | undefined> {
  let real: string;
  let dir: string;
  try {
    real = await realpath(fleetDir);
    dir = await realpath(await git.findRoot({ fs, filepath: real }));
  } catch {
    return undefined;
  }
  let worktreeGitdir = join(dir, ".git");
  try {
    const st = await fs.promises.stat(worktreeGitdir);
    if (st.isFile()) worktreeGitdir = (await readGitFile(worktreeGitdir, dir)) ?? worktreeGitdir;
  } catch {
    return undefined;
  }
  const common = await commonDirOf(worktreeGitdir);
  const gitdir = await realpath(common).catch(() => common);
  return {
    dir,
    gitdir,
    fleetDir,
    subdir: relative(dir, real).split(sep).join("/"),
    fs: worktreeFs(gitdir, worktreeGitdir),
    worktreeGitdir,
  };
}

/**
 * Files of the fleet folder whose working-tree content differs from HEAD (modified, added, deleted), as
 * paths relative to the fleet folder. Ignored files do not count.
 */
export async function uncommittedFleetFiles(repo: FleetRepo): Promise<string[]> {
  const rows = await git.statusMatrix({
    fs: repo.fs,
    dir: repo.dir,
    gitdir: repo.gitdir,
    filepaths: repo.subdir ? [repo.subdir] : undefined,
  });
  const prefix = repo.subdir ? `${repo.subdir}/` : "";
  return rows
    .filter(([, head, workdir]) => !(head === 1 && workdir === 1) && !(head === 0 && workdir === 0))
    .map(([path]) => path.slice(prefix.length))
    .sort();
}
