import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** One commit of a fixture repository. */
export interface FixtureCommit {
  /** Files to write (path → content); `null` deletes the file. */
  files: Record<string, string | Uint8Array | null>;
  message?: string;
  /** Tags to put on this commit: a string is lightweight, `{ name, annotated: true }` annotated. */
  tags?: (string | { name: string; annotated?: boolean; message?: string })[];
  /** Branch to commit on (created from the current HEAD when new). Default: the current branch. */
  branch?: string;
}

/** Seconds since epoch for the n-th commit: fixed, so commit ids are stable. */
export function fixtureTime(n: number): number {
  return 1_700_000_000 + n * 3600;
}

/** Runs git with fixed identity and dates (async: never blocks a server running in this process). */
export async function git(cwd: string, args: string[], time = fixtureTime(0)): Promise<string> {
  const date = `${time} +0000`;
  const { stdout } = await run("git", args, {
    cwd,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "Fixture",
      GIT_AUTHOR_EMAIL: "fixture@example.com",
      GIT_COMMITTER_NAME: "Fixture",
      GIT_COMMITTER_EMAIL: "fixture@example.com",
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_DATE: date,
      GIT_CONFIG_NOSYSTEM: "1",
      HOME: cwd,
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout.trim();
}

/**
 * Creates a real Git repository (working tree, branch `main`) from a list of commits with fixed dates.
 * Returns its path and the commit id of every commit in order.
 */
export async function makeFixtureRepo(
  commits: FixtureCommit[],
  opts: { dir?: string; bare?: boolean } = {},
): Promise<{ dir: string; commits: string[] }> {
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), "braid-fixture-")));
  await mkdir(dir, { recursive: true });
  await git(dir, ["init", "-q", "-b", "main"]);
  const ids: string[] = [];
  let n = 0;
  for (const c of commits) {
    n++;
    const t = fixtureTime(n);
    if (c.branch) {
      const exists = await git(dir, ["branch", "--list", c.branch]);
      await git(dir, exists ? ["checkout", "-q", c.branch] : ["checkout", "-q", "-b", c.branch]);
    }
    for (const [path, content] of Object.entries(c.files)) {
      const full = join(dir, path);
      if (content === null) await rm(full, { force: true });
      else {
        await mkdir(dirname(full), { recursive: true });
        await writeFile(full, content);
      }
    }
    await git(dir, ["add", "-A"], t);
    await git(dir, ["commit", "-q", "--allow-empty", "-m", c.message ?? `commit ${n}`], t);
    const id = await git(dir, ["rev-parse", "HEAD"], t);
    ids.push(id);
    for (const tag of c.tags ?? []) {
      const spec = typeof tag === "string" ? { name: tag } : tag;
      if (spec.annotated) await git(dir, ["tag", "-a", spec.name, "-m", spec.message ?? spec.name], t);
      else await git(dir, ["tag", spec.name], t);
    }
  }
  if (opts.bare) {
    const bareDir = `${dir}.git`;
    await run("git", ["clone", "-q", "--bare", dir, bareDir]);
    return { dir: bareDir, commits: ids };
  }
  return { dir, commits: ids };
}
