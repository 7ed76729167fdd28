import fs from "node:fs";
import { realpath } from "node:fs/promises";
import { isAbsolute, join, relative, sep } from "node:path";
import git from "../sources/isogit.js";

/** Where a fleet folder sits inside its Git repository. */
export interface FleetRepo {
  /** Working-tree root of the repository. */
  dir: string;
  gitdir: string;
  /** The folder holding braid.yaml (absolute). */
  fleetDir: string;
  /** The fleet folder relative to the root, posix, "" for the root itself. */
  subdir: string;
}

/**
 * Finds the Git repository containing a fleet folder (which may be a subfolder of it); follows a `.git`
 * file (worktree, submodule) to its gitdir. Undefined when the folder is not inside a repository.
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
  let gitdir = join(dir, ".git");
  try {
    const st = await fs.promises.stat(gitdir);
    if (st.isFile()) {
      const m = /^gitdir:\s*(.+)$/m.exec(await fs.promises.readFile(gitdir, "utf8"));
      if (m) gitdir = isAbsolute(m[1]!.trim()) ? m[1]!.trim() : join(dir, m[1]!.trim());
    }
  } catch {
    return undefined;
  }
  return { dir, gitdir, fleetDir, subdir: relative(dir, real).split(sep).join("/") };
}

/**
 * Files of the fleet folder whose working-tree content differs from HEAD (modified, added, deleted), as
 * paths relative to the fleet folder. Ignored files do not count.
 */
export async function uncommittedFleetFiles(repo: FleetRepo): Promise<string[]> {
  const rows = await git.statusMatrix({ fs, dir: repo.dir, gitdir: repo.gitdir, filepaths: repo.subdir ? [repo.subdir] : undefined });
  const prefix = repo.subdir ? `${repo.subdir}/` : "";
  return rows
    .filter(([, head, workdir]) => !(head === 1 && workdir === 1) && !(head === 0 && workdir === 0))
    .map(([path]) => path.slice(prefix.length))
    .sort();
}
