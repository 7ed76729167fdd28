/**
 * isomorphic-git's cache (parsed pack indexes, pack contents, their checksum checks) belongs to one run:
 * two `main()` runs in one process never share it. A repository whose pack was broken during the first run
 * (half copied, being rewritten) and is whole again by the second is read right by the second: with a
 * shared cache, the first run's failed pack check stayed cached and failed every later run of the process.
 */
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { memoryIO } from "../src/cli/io.js";
import { git } from "./helpers/fixture-repo.js";
import { makeWorkspace, OPENAPI_ENV, testCluster, type Workspace } from "./helpers/publish-fleet.js";
import { openApiSkipReason } from "./helpers/openapi-fixture.js";

const NO_OPENAPI = openApiSkipReason("git-cache-per-run");
let spaces: Workspace[] = [];
afterEach(async () => {
  for (const ws of spaces) await ws.cleanup();
  spaces = [];
});

async function cli(ws: Workspace, args: string[]) {
  const io = memoryIO({ cwd: ws.fleet, env: { BRAID_KUBERNETES_OPENAPI: OPENAPI_ENV, BRAID_CACHE: ws.cache } });
  const code = await main(args, io);
  return { code, out: io.out.join(""), err: io.err.join("") };
}

/** Cuts a pack file short (its index stays whole); returns a function that puts it back. */
async function breakPack(file: string): Promise<() => Promise<void>> {
  const whole = await readFile(file);
  await writeFile(file, whole.subarray(0, whole.length - 20));
  return () => writeFile(file, whole);
}

const packFiles = async (gitdir: string) =>
  (await readdir(join(gitdir, "objects", "pack")))
    .filter((n) => n.endsWith(".pack"))
    .map((n) => join(gitdir, "objects", "pack", n));

describe.skipIf(NO_OPENAPI)("isomorphic-git's cache is per run", () => {
  it("preview: a fleet repository repaired between two runs in one process is read by the second", async () => {
    const ws = await makeWorkspace({ "prod-eu-1": testCluster("prod-eu-1", { replicas: 2 }) });
    spaces.push(ws);
    await ws.commitFleet({ "clusters/prod-eu-1.yaml": testCluster("prod-eu-1", { replicas: 5 }) });
    await git(ws.fleet, ["gc", "-q"]); // every commit and file of the fleet in one pack
    const [pack] = await packFiles(join(ws.fleet, ".git"));
    const repair = await breakPack(pack!);

    const broken = await cli(ws, ["preview", "--base", "HEAD~1", "--head", "HEAD", "--format", "json"]);
    expect([broken.code, broken.err]).toEqual([
      1,
      expect.stringContaining('error REV_NOT_FOUND: revision "HEAD~1" does not exist'),
    ]);

    await repair();
    const again = await cli(ws, ["preview", "--base", "HEAD~1", "--head", "HEAD", "--format", "json"]);
    expect(again.code, again.err).toBe(0);
    const report = JSON.parse(again.out) as { clusters: { cluster: string; status: string; changed: number }[] };
    expect(report.clusters.map((c) => [c.cluster, c.status, c.changed])).toEqual([["prod-eu-1", "changed", 1]]);
  });

  it("publish: a deploy branch whose pack was broken during one run is published on by the next", async () => {
    const clusters: Record<string, string> = {};
    for (let i = 0; i < 30; i++) clusters[`prod-eu-${i}`] = testCluster(`prod-eu-${i}`, { replicas: i + 1 });
    const ws = await makeWorkspace(clusters);
    spaces.push(ws);
    const before = new Set(await packFiles(join(ws.fleet, ".git")));
    const first = await cli(ws, ["publish", "--format", "json"]);
    expect(first.code, first.err).toBe(0);
    // the deploy commit and its tree are in the pack the publish wrote
    const deployPack = (await packFiles(join(ws.fleet, ".git"))).find((p) => !before.has(p))!;
    const repair = await breakPack(deployPack);
    await ws.commitFleet({ "clusters/prod-eu-3.yaml": testCluster("prod-eu-3", { replicas: 42 }) });

    const broken = await cli(ws, ["publish"]);
    expect([broken.code, broken.err]).toEqual([3, expect.stringContaining("error IO: cannot read object ")]);
    expect(broken.err).toContain("Packfile trailer mismatch");
    expect(await git(ws.fleet, ["rev-parse", "deploy"])).toBe(JSON.parse(first.out).commit);

    await repair();
    const again = await cli(ws, ["publish", "--format", "json"]);
    expect(again.code, again.err).toBe(0);
    const out = JSON.parse(again.out) as { status: string; changed: { name: string }[]; parent: string };
    expect([out.status, out.changed.map((c) => c.name), out.parent]).toEqual([
      "published",
      ["prod-eu-3"],
      JSON.parse(first.out).commit,
    ]);
    await git(ws.fleet, ["fsck", "--strict", "--no-dangling"]);
  });
});
