/**
 * Turns the example folders into real Git repositories:
 *  - `examples/base-repos/<name>/` (a `versions.yaml` plus `versions/<dir>/` snapshots) becomes
 *    `<workDir>/base-repos/<name>`, one commit per entry of versions.yaml, with its tags and branches;
 *  - `examples/fleet-repo/` is copied to `<workDir>/fleet-repo` and committed once on `main`.
 * Identities, dates and config are fixed, so commit ids are the same on every machine.
 *
 * Usage: node --import tsx examples/prepare-repos.ts <workDir>
 */
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { parse } from "yaml";

const run = promisify(execFile);

/** The folder holding this script (examples/). */
const EXAMPLES_DIR = fileURLToPath(new URL(".", import.meta.url));

/** The commit author, committer and tagger of every example commit. */
const IDENTITY = { name: "Acme Platform Team", email: "platform@acme.example" };

/** Fixed date of the fleet repo's single commit. */
const FLEET_COMMIT_DATE = "2024-04-10T08:00:00Z";

/** A tag in versions.yaml: a string is lightweight, an object with a message is annotated. */
export type VersionTag = string | { name: string; message?: string };

/** One commit in versions.yaml. */
interface VersionCommit {
  /** Folder under versions/ copied over the branch's tree. */
  dir: string;
  /** Branch the commit lands on (created from `from`, or from the previous commit, when new). */
  branch: string;
  /** Where a new branch starts (a branch or tag); default: the previous commit. */
  from?: string;
  /** ISO 8601 date used as author, committer and tagger date. */
  date: string;
  message: string;
  tags?: VersionTag[];
}

/** The parsed versions.yaml of a base repo. */
export interface VersionsFile {
  commits: VersionCommit[];
}

/** What prepareExampleRepos made. */
export interface PreparedRepos {
  /** `<workDir>/fleet-repo`, a Git repository holding braid.yaml. */
  fleetDir: string;
  /** Base repo name → path of its Git repository (`<workDir>/base-repos/<name>`). */
  repos: Record<string, string>;
}

/** Reads and checks a base repo's versions.yaml. */
export async function readVersionsFile(repoDir: string): Promise<VersionsFile> {
  const file = join(repoDir, "versions.yaml");
  const value = parse(await readFile(file, "utf8")) as unknown;
  const commits = (value as { commits?: unknown } | null)?.commits;
  if (!Array.isArray(commits) || commits.length === 0) throw new Error(`${file}: "commits" must be a non-empty list`);
  commits.forEach((c: Record<string, unknown>, i) => {
    for (const key of ["dir", "branch", "date", "message"] as const)
      if (typeof c[key] !== "string" || !c[key])
        throw new Error(`${file}: commits[${i}].${key} must be a non-empty string`);
    if (Number.isNaN(Date.parse(c.date as string))) throw new Error(`${file}: commits[${i}].date is not a date`);
    if (c.tags !== undefined && !Array.isArray(c.tags)) throw new Error(`${file}: commits[${i}].tags must be a list`);
  });
  return { commits: commits as VersionCommit[] };
}

/** Environment for git: no system or user config, fixed identity, no signing, no pager, UTC. */
function gitEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    XDG_CONFIG_HOME: home,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: join(home, ".gitconfig"),
    GIT_TERMINAL_PROMPT: "0",
    GIT_AUTHOR_NAME: IDENTITY.name,
    GIT_AUTHOR_EMAIL: IDENTITY.email,
    GIT_COMMITTER_NAME: IDENTITY.name,
    GIT_COMMITTER_EMAIL: IDENTITY.email,
    LANG: "C",
    LC_ALL: "C",
    TZ: "UTC",
  };
}

/** An ISO date in git's internal "<seconds> +0000" form (unambiguous for every git version). */
function gitDate(iso: string): string {
  return `${Math.floor(Date.parse(iso) / 1000)} +0000`;
}

/** Runs git asynchronously (never blocks an HTTP server living in the same process). */
async function git(cwd: string, env: NodeJS.ProcessEnv, args: string[], date?: string): Promise<string> {
  const dated = date ? { ...env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : env;
  try {
    const { stdout } = await run("git", args, { cwd, env: dated, maxBuffer: 16 * 1024 * 1024 });
    return stdout.trim();
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`git ${args.join(" ")} (in ${cwd}) failed: ${err.stderr?.trim() || err.message}`);
  }
}

/** git init -b main with the settings that keep commits reproducible. */
async function initRepo(dir: string, env: NodeJS.ProcessEnv): Promise<void> {
  await mkdir(dir, { recursive: true });
  await git(dir, env, ["init", "-q", "-b", "main"]);
  for (const [k, v] of [
    ["commit.gpgsign", "false"],
    ["tag.gpgsign", "false"],
    ["core.autocrlf", "false"],
    ["core.fileMode", "true"],
    ["user.name", IDENTITY.name],
    ["user.email", IDENTITY.email],
  ])
    await git(dir, env, ["config", k!, v!]);
}

/** Paths listed in a DELETE file (one per line; blank lines and # comments skipped). */
async function deletions(versionDir: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(join(versionDir, "DELETE"), "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
}

/** A path from a DELETE file, resolved inside the work tree (refuses absolute paths, `..` and .git). */
function insideWorkTree(workTree: string, rel: string): string {
  const n = normalize(rel);
  if (isAbsolute(n) || n.startsWith("..") || n.split(sep)[0] === ".git")
    throw new Error(`DELETE lists "${rel}", outside the work tree`);
  return join(workTree, n);
}

/** Makes one base repo from its versions.yaml; returns the repository path. */
async function buildBaseRepo(srcDir: string, destDir: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { commits } = await readVersionsFile(srcDir);
  await initRepo(destDir, env);
  const branches = new Set<string>();
  for (const [i, c] of commits.entries()) {
    const date = gitDate(c.date);
    if (i > 0) {
      if (branches.has(c.branch)) await git(destDir, env, ["checkout", "-q", c.branch]);
      else await git(destDir, env, ["checkout", "-q", "-b", c.branch, ...(c.from ? [c.from] : [])]);
    } else if (c.branch !== "main") {
      await git(destDir, env, ["checkout", "-q", "-b", c.branch]);
    }
    branches.add(c.branch);
    const versionDir = join(srcDir, "versions", c.dir);
    if (!(await stat(versionDir).catch(() => undefined))?.isDirectory())
      throw new Error(`${versionDir} does not exist`);
    await cp(versionDir, destDir, { recursive: true, filter: (src) => src !== join(versionDir, "DELETE") });
    for (const rel of await deletions(versionDir)) {
      const target = insideWorkTree(destDir, rel);
      if (!(await stat(target).catch(() => undefined)))
        throw new Error(`${versionDir}/DELETE: "${rel}" does not exist`);
      await rm(target, { recursive: true });
    }
    await git(destDir, env, ["add", "-A"]);
    await git(destDir, env, ["commit", "-q", "--no-verify", "-m", c.message], date);
    for (const t of c.tags ?? []) {
      if (typeof t === "string") await git(destDir, env, ["tag", t], date);
      else if (t.message) await git(destDir, env, ["tag", "-a", t.name, "-m", t.message], date);
      else await git(destDir, env, ["tag", t.name], date);
    }
  }
  await git(destDir, env, ["checkout", "-q", "main"]);
  return destDir;
}

/**
 * (Re)creates `<workDir>/base-repos/<name>` for every example base repo and `<workDir>/fleet-repo`, as Git
 * repositories with fixed identities and dates (stable commit ids). Removes what a previous run made there.
 */
export async function prepareExampleRepos(workDir: string): Promise<PreparedRepos> {
  const root = resolve(workDir);
  const baseOut = join(root, "base-repos");
  const fleetDir = join(root, "fleet-repo");
  await rm(baseOut, { recursive: true, force: true });
  await rm(fleetDir, { recursive: true, force: true });
  await mkdir(baseOut, { recursive: true });
  const home = await mkdtemp(join(tmpdir(), "braid-examples-home-"));
  try {
    const env = gitEnv(home);
    const repos: Record<string, string> = {};
    const baseSrc = join(EXAMPLES_DIR, "base-repos");
    const names = (await readdir(baseSrc, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    for (const name of names) repos[name] = await buildBaseRepo(join(baseSrc, name), join(baseOut, name), env);

    await cp(join(EXAMPLES_DIR, "fleet-repo"), fleetDir, { recursive: true });
    await initRepo(fleetDir, env);
    await git(fleetDir, env, ["add", "-A"]);
    await git(
      fleetDir,
      env,
      ["commit", "-q", "--no-verify", "-m", "acme fleet: clusters, groups, patches, policies"],
      gitDate(FLEET_COMMIT_DATE),
    );
    return { fleetDir, repos };
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

const invoked = process.argv[1] ? resolve(process.argv[1]) : "";
if (invoked === fileURLToPath(import.meta.url)) {
  const workDir = process.argv[2];
  if (!workDir) {
    process.stderr.write("usage: node --import tsx examples/prepare-repos.ts <workDir>\n");
    process.exit(2);
  }
  prepareExampleRepos(workDir).then(
    (r) => {
      process.stdout.write(`fleet repo: ${r.fleetDir}\n`);
      for (const [name, path] of Object.entries(r.repos)) process.stdout.write(`base repo ${name}: ${path}\n`);
    },
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
