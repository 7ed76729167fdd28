import fs from "node:fs";
import { realpath } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import git from "./isogit.js";
import { runGit, transportFor } from "./system-git.js";
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
 * Files of the fleet folder whose working-tree content differs from HEAD (modified, added, deleted,
 * untracked), as paths relative to the fleet folder. Ignored files do not count. Asked of the system `git`
 * when braid uses it (`git status`: a few milliseconds where isomorphic-git's status of a 1,000-cluster fleet
 * takes 0.2–0.3 s), else of isomorphic-git.
 */
export async function uncommittedFleetFiles(
  repo: FleetRepo,
  env: Record<string, string | undefined> = {},
): Promise<string[]> {
  let system: string | undefined;
  try {
    system = transportFor(env).git;
  } catch {
    system = undefined; // a bad BRAID_GIT_TRANSPORT is reported where remotes are used
  }
  const prefix = repo.subdir ? `${repo.subdir}/` : "";
  if (system) {
    const r = await runGit({
      git: system,
      args: [
        "--no-optional-locks",
        "status",
        "--porcelain=v1",
        "-z",
        "--untracked-files=all",
        "--no-renames",
        "--",
        repo.subdir || ".",
      ],
      env,
      cwd: repo.dir,
    });
    // `XY path` entries, NUL-terminated, paths from the repository's root
    if (r.code === 0)
      return r.stdout
        .split("\0")
        .filter((e) => e.length > 3)
        .map((e) => e.slice(3))
        .filter((path) => path.startsWith(prefix))
        .map((path) => path.slice(prefix.length))
        .sort();
  }
  const rows = await git.statusMatrix({
    fs: repo.fs,
    dir: repo.dir,
    gitdir: repo.gitdir,
    filepaths: repo.subdir ? [repo.subdir] : undefined,
  });
  return rows
    .filter(([, head, workdir]) => !(head === 1 && workdir === 1) && !(head === 0 && workdir === 0))
    .map(([path]) => path.slice(prefix.length))
    .sort();
}
