/**
 * The demo behind `npm run demo`: turns examples/base-repos into real Git repositories with tags, copies the
 * example fleet next to them, and runs braid on it the way a platform team would.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../src/cli/main.js";
import type { CliIO } from "../src/cli/io.js";
import { prepareExampleRepos } from "./prepare-repos.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function step(title: string): void {
  process.stdout.write(`\n\x1b[1m== ${title}\x1b[0m\n`);
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
  return 0;
}
