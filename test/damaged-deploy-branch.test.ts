/**
 * A damaged object on the deploy branch or in the fleet repository (a tree that does not inflate, one whose
 * content does not hash to its id, one that is missing) is `REPO_CORRUPT`, exit 3, and nothing is written:
 * braid never takes it for an absent folder or inventory. Taken for absence, it published a commit without a
 * held cluster's last good output (`--partial`), published without the prune guard (no inventory read), and
 * committed braid.lock in a tree that dropped every other file of the fleet repository.
 */
import { chmod, copyFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { memoryIO } from "../src/cli/io.js";
import { findDeployed } from "../src/rollout/deploy-history.js";
import { git, makeFixtureRepo } from "./helpers/fixture-repo.js";
import { makeWorkspace, OPENAPI_ENV, testCluster, type Workspace } from "./helpers/publish-fleet.js";
import { openApiSkipReason } from "./helpers/openapi-fixture.js";

const NO_OPENAPI = openApiSkipReason("damaged-deploy-branch");

let spaces: Workspace[] = [];
afterEach(async () => {
  for (const ws of spaces) await ws.cleanup();
  spaces = [];
});

async function workspace(opts: { ref?: string } = {}): Promise<Workspace> {
  const ws = await makeWorkspace(
    {
      "prod-eu-1": testCluster("prod-eu-1", { replicas: 3 }),
      "dev-us-1": testCluster("dev-us-1", { region: "us" }),
    },
    opts,
  );
  spaces.push(ws);
  return ws;
}

function cli(ws: Workspace, args: string[]) {
  const io = memoryIO({ cwd: ws.fleet, env: { BRAID_KUBERNETES_OPENAPI: OPENAPI_ENV, BRAID_CACHE: ws.cache } });
  return main(args, io).then((code) => ({ code, out: io.out.join(""), err: io.err.join("") }));
}

type Damage = "garbage" | "other content" | "missing";

/** Damages the loose object `rev` names in the fleet repository ("other content": the object `donor` names). */
async function damage(ws: Workspace, rev: string, how: Damage, donor = "deploy:README.md"): Promise<void> {
  const path = async (r: string) => {
    const oid = await git(ws.fleet, ["rev-parse", r]);
    return join(ws.fleet, ".git", "objects", oid.slice(0, 2), oid.slice(2));
  };
  const file = await path(rev);
  await chmod(file, 0o644); // a loose object (a publish of under 100 objects writes them loose)
  if (how === "garbage") await writeFile(file, "not zlib");
  else if (how === "missing") await rm(file);
  else await copyFile(await path(donor), file);
}

const DAMAGES: Damage[] = ["garbage", "other content", "missing"];
const failing = testCluster("dev-us-1", {
  extra: "  patches:\n    - target: { kind: Deployment, name: nope }\n      patch: |\n        spec: { replicas: 2 }",
});

describe.skipIf(NO_OPENAPI)(
  "a damaged deploy branch or fleet repository is REPO_CORRUPT, and nothing is written",
  () => {
    it.each(DAMAGES)(
      "--partial with the clusters/ tree damaged (%s): the held cluster's output is not dropped",
      async (how) => {
        const ws = await workspace();
        expect((await cli(ws, ["publish", "--quiet"])).code).toBe(0);
        const tip = await git(ws.fleet, ["rev-parse", "deploy"]);
        await ws.commitFleet({
          "clusters/dev-us-1.yaml": failing,
          "clusters/prod-eu-1.yaml": testCluster("prod-eu-1"),
        });
        await damage(ws, "deploy:clusters", how);
        const r = await cli(ws, ["publish", "--partial"]);
        expect(r.err).toMatch(/REPO_CORRUPT/);
        expect(r.code).toBe(3);
        expect(await git(ws.fleet, ["rev-parse", "deploy"])).toBe(tip);
        expect(r.err).toContain(
          `the deploy branch's tip ${tip}: the Git repository ${join(ws.fleet, ".git")} is damaged`,
        );
      },
      60_000,
    );

    it.each(DAMAGES)(
      "the root tree damaged (%s), a cluster removed: no publish without the prune guard",
      async (how) => {
        const ws = await workspace();
        expect((await cli(ws, ["publish", "--quiet"])).code).toBe(0);
        const tip = await git(ws.fleet, ["rev-parse", "deploy"]);
        await ws.commitFleet({ "clusters/dev-us-1.yaml": null });
        await damage(ws, "deploy^{tree}", how);
        const r = await cli(ws, ["publish"]);
        expect(r.err).toMatch(
          /error REPO_CORRUPT: the deploy branch's tip [0-9a-f]{40}: the Git repository .* is damaged/,
        );
        expect(r.code).toBe(3);
        expect(await git(ws.fleet, ["rev-parse", "deploy"])).toBe(tip);
      },
      60_000,
    );

    it("a damaged inventory.json is REPO_CORRUPT, for publish and for preview", async () => {
      const ws = await workspace();
      expect((await cli(ws, ["publish", "--quiet"])).code).toBe(0);
      const tip = await git(ws.fleet, ["rev-parse", "deploy"]);
      await ws.commitFleet({ "clusters/prod-eu-1.yaml": testCluster("prod-eu-1", { replicas: 5 }) });
      await damage(ws, "deploy:inventory.json", "other content");
      const r = await cli(ws, ["publish"]);
      expect(r.err).toMatch(/error REPO_CORRUPT: the deploy branch's tip [0-9a-f]{40}: .* holds the content of/);
      expect(r.code).toBe(3);
      expect(await git(ws.fleet, ["rev-parse", "deploy"])).toBe(tip);
      const p = await cli(ws, ["preview", "--base", "HEAD~1", "--head", "HEAD", "--format", "json"]);
      expect(p.err).toMatch(/error REPO_CORRUPT: the deploy branch's tip [0-9a-f]{40}: .* holds the content of/);
      expect(p.code).toBe(3);
    }, 60_000);

    it.each(DAMAGES)(
      "publish --update with the fleet's root tree damaged (%s): braid.lock is not committed over it",
      async (how) => {
        const ws = await workspace({ ref: 'semver: ">=1.0.0 <2.0.0"' });
        const head = await git(ws.fleet, ["rev-parse", "HEAD"]);
        await damage(ws, "HEAD^{tree}", how, "HEAD:braid.yaml");
        const r = await cli(ws, ["publish", "--update"]);
        expect(r.err).toMatch(/REPO_CORRUPT/);
        expect(r.code).toBe(3);
        expect(await git(ws.fleet, ["rev-parse", "HEAD"])).toBe(head);
        await expect(git(ws.fleet, ["rev-parse", "deploy"])).rejects.toThrow();
      },
      60_000,
    );
  },
);

describe("a rollout's deploy history", () => {
  /** A deploy branch of four commits: cluster a runs the target in the last three (each inventory its own blob). */
  async function history() {
    const inventory = (n: number, running: boolean) =>
      JSON.stringify({ n, clusters: running ? [{ cluster: "a", name: "a" }] : [] });
    const { dir, commits } = await makeFixtureRepo(
      [0, 1, 2, 3].map((n) => ({ files: { "inventory.json": inventory(n, n > 0) }, message: `publish ${n}` })),
    );
    const find = () => findDeployed(join(dir, ".git"), "main", () => true, ["a"]);
    return { dir, commits, find };
  }

  it("finds the first commit of the run that ends at the tip", async () => {
    const { commits, find } = await history();
    expect((await find()).get("a")?.commit).toBe(commits[1]);
  });

  it("a damaged inventory in the run is REPO_CORRUPT, not the end of the run (the soak would start later)", async () => {
    const { dir, commits, find } = await history();
    const oid = await git(dir, ["rev-parse", `${commits[2]}:inventory.json`]);
    const file = join(dir, ".git", "objects", oid.slice(0, 2), oid.slice(2));
    await chmod(file, 0o644);
    await writeFile(file, "not zlib");
    await expect(find()).rejects.toThrow(
      `deploy commit ${commits[2]}: the Git repository ${join(dir, ".git")} is damaged: an object is not valid zlib data`,
    );
  });
});
