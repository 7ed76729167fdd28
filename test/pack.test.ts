/**
 * The package as users get it: `npm pack`, install the tarball into an empty folder (no source tree, no dev
 * dependencies), then run the installed `braid` binary: `--version`, `--help`, and a render of a small fleet.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { OPENAPI, setupGoldenCase } from "./helpers/golden.js";
import { openApiSkipReason } from "./helpers/openapi-fixture.js";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "..");
const pkg = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as { version: string };

describe("the packed package, installed into an empty folder", () => {
  let bin: string;
  let prefix: string;
  beforeAll(async () => {
    const work = await mkdtemp(join(tmpdir(), "braid-pack-"));
    await run("npm", ["pack", "--pack-destination", work, "--silent"], { cwd: ROOT, timeout: 240_000 });
    const tarball = (await readdir(work)).find((f) => f.endsWith(".tgz"));
    if (!tarball) throw new Error(`npm pack wrote no tarball into ${work}`);
    prefix = await mkdtemp(join(work, "app-"));
    await run("npm", ["init", "-y"], { cwd: prefix });
    await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--omit=dev", join(work, tarball)], {
      cwd: prefix,
      timeout: 240_000,
    });
    bin = join(prefix, "node_modules", ".bin", "braid");
  }, 480_000);

  it("ships only the compiled package: dist, bin, schemas (no sources, no tests)", async () => {
    const installed = join(prefix, "node_modules", "braid");
    const top = (await readdir(installed)).sort();
    expect(top).toEqual(expect.arrayContaining(["bin", "dist", "package.json", "schemas"]));
    expect(top).not.toContain("src");
    expect(top).not.toContain("test");
    expect((await readdir(join(installed, "dist"))).some((f) => f.endsWith(".test.js"))).toBe(false);
  });

  it("prints its version and help", async () => {
    const { stdout } = await run(bin, ["--version"], { cwd: prefix });
    expect(stdout).toBe(`braid ${pkg.version}\n`);
    const help = await run(bin, ["render", "--help"], { cwd: prefix });
    expect(help.stdout).toContain("braid render");
  });

  it("exposes the library entry with its types", async () => {
    const { stdout } = await run(
      "node",
      [
        "--input-type=module",
        "-e",
        'const b = await import("braid"); console.log(typeof b.renderFleet, typeof b.diffFleetRuns, typeof b.CODES)',
      ],
      { cwd: prefix },
    );
    expect(stdout.trim()).toBe("function function object");
    const types = await readFile(join(prefix, "node_modules", "braid", "dist", "index.d.ts"), "utf8");
    expect(types).toContain("renderFleet");
  });

  it.skipIf(openApiSkipReason("pack"))("renders a fleet with the installed binary", async () => {
    const { root, fleetDir } = await setupGoldenCase(join(import.meta.dirname, "golden", "basic"));
    const out = join(root, "out");
    const env = { ...process.env, BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: join(root, "cache") };
    const { stdout } = await run(bin, ["render", "--out", out, "--format", "json", "--quiet"], { cwd: fleetDir, env });
    const report = JSON.parse(stdout) as { clusters: { name: string; ok: boolean }[] };
    expect(report.clusters.length).toBeGreaterThan(0);
    expect(report.clusters.every((c) => c.ok)).toBe(true);

    // the command's compiled code is kept for the next start, per command; a cache V8 refuses is written again
    const codeDir = join(root, "cache", "code");
    const [cached, ...more] = (await readdir(codeDir)).filter((f) => f.endsWith("-render.bin"));
    expect(more).toEqual([]);
    const garbage = Buffer.from("not V8's code cache");
    await writeFile(join(codeDir, cached!), garbage);
    const otherBuild = `${"0".repeat(32)}-render.bin`; // an earlier braid's: dropped when a new one is written
    await writeFile(join(codeDir, otherBuild), garbage);
    // the yaml package's debug switches, set for some other tool, never reach braid's output
    const again = await run(bin, ["render", "--out", out, "--format", "json", "--quiet", "--no-cache"], {
      cwd: fleetDir,
      env: { ...env, LOG_TOKENS: "1", LOG_STREAM: "1" },
    });
    expect(JSON.parse(again.stdout)).toEqual(report);
    expect((await readFile(join(codeDir, cached!))).equals(garbage)).toBe(false);
    expect(await readdir(codeDir)).not.toContain(otherBuild);
    const third = await run(bin, ["render", "--out", out, "--format", "json", "--quiet", "--no-cache"], {
      cwd: fleetDir,
      env,
    });
    expect(third.stdout).toBe(again.stdout);
  });
});
