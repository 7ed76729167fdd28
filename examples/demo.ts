/**
 * The demo behind `npm run demo`: turns examples/base-repos into real Git repositories with tags, copies the
 * example fleet next to them, and runs braid on it the way a platform team would.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { promisify } from "node:util";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../src/cli/main.js";
import type { CliIO } from "../src/cli/io.js";
import { bold, colorEnabled } from "../src/cli/color.js";
import { prepareExampleRepos } from "./prepare-repos.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const exec = promisify(execFile);

/** git in the demo's fleet repo, with a fixed identity so the demo is repeatable. */
async function git(cwd: string, args: string[]): Promise<string> {
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: "Demo",
    GIT_AUTHOR_EMAIL: "demo@example.com",
    GIT_COMMITTER_NAME: "Demo",
    GIT_COMMITTER_EMAIL: "demo@example.com",
    GIT_AUTHOR_DATE: "1700000000 +0000",
    GIT_COMMITTER_DATE: "1700000000 +0000",
    GIT_CONFIG_NOSYSTEM: "1",
  };
  return (await exec("git", ["-c", "commit.gpgsign=false", ...args], { cwd, env })).stdout.trim();
}

/** Headings are bold on a terminal; plain with NO_COLOR or when stdout is a pipe or a file. */
const color = colorEnabled(process.env, Boolean(process.stdout.isTTY));

function step(title: string): void {
  process.stdout.write(`\n${bold(`== ${title}`, color)}\n`);
}

/** Runs the demo; returns the exit code. */
export async function runDemo(): Promise<number> {
  const work = join(root, ".braid-demo");
  const env: Record<string, string | undefined> = { ...process.env, BRAID_CACHE: join(work, "cache") };
  const shared = resolve(root, "..", "shared", "data", "kubernetes-openapi");
  if (!env.BRAID_KUBERNETES_OPENAPI && existsSync(shared)) env.BRAID_KUBERNETES_OPENAPI = shared;

  step("Preparing example source repositories (real Git repos with tags)");
  const { fleetDir, repos } = await prepareExampleRepos(work);
  for (const [name, path] of Object.entries(repos)) process.stdout.write(`  ${name}: ${path}\n`);
  process.stdout.write(`  fleet: ${fleetDir}\n`);

  const io: CliIO = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env,
    cwd: fleetDir,
    isTTY: Boolean(process.stderr.isTTY),
  };
  const run = async (title: string, args: string[], okCodes = [0]): Promise<boolean> => {
    step(`${title}\n   $ braid ${args.join(" ")}`);
    const code = await main(args, io);
    if (!okCodes.includes(code)) {
      process.stderr.write(`demo: braid ${args[0]} exited with ${code}\n`);
      return false;
    }
    return true;
  };

  if (!(await run("Resolving every pin (writes braid.lock)", ["lock"]))) return 1;
  if (!(await run("Why each semver pin took its tag", ["lock", "--explain"]))) return 1;
  if (!(await run("Rendering every cluster", ["render", "--out", join(work, "rendered")]))) return 1;
  if (
    !(await run("What the storefront source (a kustomize overlay) builds for prod-us-1, before braid's patches", [
      "render",
      "--explain-source",
      "storefront",
      "--cluster",
      "prod-us-1",
    ]))
  )
    return 1;
  await git(fleetDir, ["add", "braid.lock"]);
  await git(fleetDir, ["commit", "-q", "-m", "Lock source pins"]);

  if (!(await run("Publishing to the deploy branch of the fleet repo", ["publish"]))) return 1;
  step("The deploy commit\n   $ git log -1 deploy");
  process.stdout.write((await git(fleetDir, ["log", "-1", "--format=commit %H%n%n%B", "deploy"])) + "\n");
  if (!(await run("Publishing again: nothing changed, so no commit", ["publish"]))) return 1;
  if (!(await run("Inventory", ["inventory"]))) return 1;

  step("A pull request: prod-us-1 moves platform-base from ~1.1 to ~1.2 (branch bump-prod-us-1)");
  await git(fleetDir, ["checkout", "-q", "-b", "bump-prod-us-1"]);
  const file = join(fleetDir, "clusters", "prod-us-1.yaml");
  await writeFile(file, (await readFile(file, "utf8")).replace('semver: "~1.1"', 'semver: "~1.2"'));
  if (!(await run("Re-locking on the branch", ["lock", "--quiet"]))) return 1;
  await git(fleetDir, ["commit", "-q", "-am", "prod-us-1: platform-base ~1.2"]);
  await git(fleetDir, ["checkout", "-q", "main"]);
  if (!(await run("Previewing the pull request", ["preview", "--base", "main", "--head", "bump-prod-us-1"]))) return 1;
  return 0;
}
