/** braid publish into the fleet's own repository: real Git repos, real renders. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { memoryIO } from "../src/cli/io.js";
import { BraidError } from "../src/diagnostics/diagnostic.js";
import { locateFleetRepo } from "../src/git/fleet-repo.js";
import { parseTrailers } from "../src/publish/commit-message.js";
import { publish, type PublishOptions } from "../src/publish/publish.js";
import { git } from "./helpers/fixture-repo.js";
import { makeWorkspace, OPENAPI_ENV, testCluster, type Workspace } from "./helpers/publish-fleet.js";
import { openApiSkipReason } from "./helpers/openapi-fixture.js";

const NO_OPENAPI = openApiSkipReason("publish");

const AUTHOR = { name: "Braid Test", email: "braid@test" };
let spaces: Workspace[] = [];

async function workspace(
  clusters: Record<string, string>,
  opts: { ref?: string; extra?: string } = {},
): Promise<Workspace> {
  const ws = await makeWorkspace(clusters, opts);
  spaces.push(ws);
  return ws;
}

afterEach(async () => {
  for (const ws of spaces) await ws.cleanup();
  spaces = [];
});

async function publishWs(ws: Workspace, extra: Partial<PublishOptions> = {}, update = false) {
  return publish({
    run: await ws.render({ update }),
    fleetDir: ws.fleet,
    author: AUTHOR,
    now: () => 1_800_000_000,
    ...extra,
  });
}

const tip = (ws: Workspace, branch = "deploy") =>
  git(ws.fleet, ["rev-parse", `refs/heads/${branch}`]).catch(() => undefined);
const show = (ws: Workspace, spec: string) => git(ws.fleet, ["show", spec]);
const treeOf = (ws: Workspace, spec: string) => git(ws.fleet, ["rev-parse", spec]);

function cli(ws: Workspace, args: string[], env: Record<string, string> = {}) {
  const io = memoryIO({ cwd: ws.fleet, env: { BRAID_KUBERNETES_OPENAPI: OPENAPI_ENV, BRAID_CACHE: ws.cache, ...env } });
  return main(args, io).then((code) => ({ code, out: io.out.join(""), err: io.err.join("") }));
}

const TWO = () => ({
  "prod-eu-1": testCluster("prod-eu-1", { replicas: 3 }),
  "dev-us-1": testCluster("dev-us-1", { region: "us" }),
});

describe.skipIf(NO_OPENAPI)("publish to the fleet's own repository", () => {
  it("commits the rendered tree with inventory, README and trailers; a clean repository results", async () => {
    const ws = await workspace(TWO());
    const fleetHead = await git(ws.fleet, ["rev-parse", "HEAD"]);
    const r = await publishWs(ws);
    expect(r.status).toBe("published");
    expect(await tip(ws)).toBe(r.commit);
    expect(r.added.map((c) => c.name)).toEqual(["dev-us-1", "prod-eu-1"]);
    // the commit has no parent (new branch), and git itself finds the repository sound
    expect(await git(ws.fleet, ["rev-list", "--parents", "-n1", "deploy"])).toBe(r.commit);
    await git(ws.fleet, ["fsck", "--strict", "--no-dangling"]);
    // files
    const files = (await git(ws.fleet, ["ls-tree", "-r", "--name-only", "deploy"])).split("\n");
    expect(files).toContain("clusters/prod-eu-1/web/deployment-web.yaml");
    expect(files).toContain("clusters/prod-eu-1/_cluster/clusterrole-reader.yaml");
    expect(files).toContain("clusters/dev-us-1/kustomization.yaml");
    expect(files).toContain("inventory.json");
    expect(files).toContain("README.md");
    expect(await show(ws, "deploy:clusters/prod-eu-1/web/deployment-web.yaml")).toContain("replicas: 3");
    expect(await show(ws, "deploy:clusters/dev-us-1/web/configmap-web-config.yaml")).toContain("region: us");
    // identical files across clusters are one blob
    const a = await treeOf(ws, "deploy:clusters/prod-eu-1/_cluster/clusterrole-reader.yaml");
    const b = await treeOf(ws, "deploy:clusters/dev-us-1/_cluster/clusterrole-reader.yaml");
    expect(a).toBe(b);
    // message and trailers
    const message = await git(ws.fleet, ["log", "-1", "--format=%B", "deploy"]);
    expect(message.split("\n")[0]).toBe("braid: 2 clusters added");
    expect(message).toContain("  - prod-eu-1 (5 resources)");
    const trailers = parseTrailers(message);
    expect(trailers.fleetCommit).toBe(fleetHead);
    expect(trailers.sources).toEqual([`base@v1.0.0 ${ws.baseCommits[0]}`]);
    // git's own trailer parser agrees
    expect(await git(ws.fleet, ["log", "-1", "--format=%(trailers:key=Braid-Source,valueonly)", "deploy"])).toBe(
      `base@v1.0.0 ${ws.baseCommits[0]}`,
    );
    // inventory
    const inv = JSON.parse(await show(ws, "deploy:inventory.json"));
    expect(inv).toMatchObject({ apiVersion: "braid/v1alpha1", kind: "Inventory", fleet: "test" });
    expect(inv.clusters.map((c: { name: string }) => c.name)).toEqual(["dev-us-1", "prod-eu-1"]);
    expect(inv.clusters[1]).toEqual({
      cluster: "prod-eu-1",
      name: "prod-eu-1",
      path: "clusters/prod-eu-1",
      labels: { env: "prod", region: "eu" },
      owner: "team-prod",
      kubernetesVersion: "1.34",
      sources: [{ name: "base", url: ws.base, tag: "v1.0.0", branch: null, commit: ws.baseCommits[0] }],
      resources: 5,
      kinds: { ClusterRole: 1, ConfigMap: 1, Deployment: 1, Namespace: 1, Service: 1 },
      inputDigest: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const readme = await show(ws, "deploy:README.md");
    expect(readme).toContain(
      "| [prod-eu-1](clusters/prod-eu-1) | team-prod | env=prod, region=eu | base@v1.0.0 (" +
        ws.baseCommits[0]!.slice(0, 7) +
        ") | 5 |",
    );
    // the fleet's own branch and working tree are untouched
    expect(await git(ws.fleet, ["rev-parse", "HEAD"])).toBe(fleetHead);
    expect(await git(ws.fleet, ["status", "--porcelain"])).toBe("");
  });

  it("makes no commit when nothing changed, and is deterministic", async () => {
    const ws = await workspace(TWO());
    const first = await publishWs(ws);
    const second = await publishWs(ws);
    expect(second.status).toBe("unchanged");
    expect(second.commit).toBe(first.commit);
    expect(second.objectsWritten).toBe(0);
    expect(await tip(ws)).toBe(first.commit);
    // a fleet commit that does not change output (a comment) is still a no-op
    await ws.commitFleet({ "clusters/dev-us-1.yaml": testCluster("dev-us-1", { region: "us" }) + "\n# comment\n" });
    expect((await publishWs(ws)).status).toBe("unchanged");
    // the CLI says so and exits 0
    const res = await cli(ws, ["publish"]);
    expect(res.code).toBe(0);
    expect(res.out).toMatch(/no change/);
  });

  it("builds the next commit on the tip: summary of changed clusters, unchanged subtrees reused", async () => {
    const ws = await workspace(TWO());
    const first = await publishWs(ws);
    const devTree = await treeOf(ws, "deploy:clusters/dev-us-1");
    await ws.commitFleet({ "clusters/prod-eu-1.yaml": testCluster("prod-eu-1", { replicas: 5 }) });
    const second = await publishWs(ws);
    expect(second.status).toBe("published");
    expect(second.parent).toBe(first.commit);
    expect(second.changed.map((c) => c.name)).toEqual(["prod-eu-1"]);
    expect(second.unchangedCount).toBe(1);
    // only the changed file, its folders, the root files and the commit are new
    expect(second.objectsWritten).toBeLessThanOrEqual(8);
    expect(await treeOf(ws, "deploy:clusters/dev-us-1")).toBe(devTree);
    // the inventory changes too: the cluster's input digest covers its patches
    expect(await git(ws.fleet, ["diff", "--name-only", first.commit!, second.commit!])).toBe(
      "clusters/prod-eu-1/web/deployment-web.yaml\ninventory.json",
    );
    const message = await git(ws.fleet, ["log", "-1", "--format=%B", "deploy"]);
    expect(message).toMatch(
      /^braid: 1 cluster changed\n\nChanged:\n {2}- prod-eu-1 \(5 resources\)\n\nUnchanged: 1 cluster\n\nBraid-Fleet-Commit: /,
    );
  });

  it("all or nothing: a render error or a validation error in one cluster publishes nothing (exit 1)", async () => {
    const ws = await workspace(TWO());
    const first = await publishWs(ws);
    // render error: a patch whose target matches nothing
    await ws.commitFleet({
      "clusters/dev-us-1.yaml": testCluster("dev-us-1", {
        extra:
          "  patches:\n    - target: { kind: Deployment, name: nope }\n      patch: |\n        spec: { replicas: 2 }",
      }),
      "clusters/prod-eu-1.yaml": testCluster("prod-eu-1", { replicas: 4 }),
    });
    const refused = await publishWs(ws);
    expect(refused.status).toBe("refused");
    expect(refused.diagnostics.map((d) => d.code)).toEqual(["PUBLISH_CLUSTERS_FAILED"]);
    expect(refused.diagnostics[0]!.message).toContain("dev-us-1");
    expect(await tip(ws)).toBe(first.commit);
    const res = await cli(ws, ["publish"]);
    expect(res.code).toBe(1);
    expect(res.err).toContain("PATCH_NO_MATCH");
    expect(res.err).toContain("PUBLISH_CLUSTERS_FAILED");
    // validation error: replicas is not an integer
    await ws.commitFleet({
      "clusters/dev-us-1.yaml": testCluster("dev-us-1", {
        extra:
          "  patches:\n    - target: { kind: Deployment, name: web }\n      patch: |\n        spec: { replicas: many }",
      }),
    });
    const invalid = await cli(ws, ["publish"]);
    expect(invalid.code).toBe(1);
    expect(invalid.err).toContain("SCHEMA_VIOLATION");
    expect(await tip(ws)).toBe(first.commit);
  });

  it("--partial: a failing cluster keeps its folder byte-identical; the message says why", async () => {
    const ws = await workspace(TWO());
    const first = await publishWs(ws);
    const devBefore = await treeOf(ws, "deploy:clusters/dev-us-1");
    await ws.commitFleet({
      "clusters/dev-us-1.yaml": testCluster("dev-us-1", {
        extra:
          "  patches:\n    - target: { kind: Deployment, name: nope }\n      patch: |\n        spec: { replicas: 2 }",
      }),
      "clusters/prod-eu-1.yaml": testCluster("prod-eu-1", { replicas: 4 }),
      "clusters/new-1.yaml": testCluster("new-1", {
        extra: "  patches:\n    - target: { kind: Secret }\n      patch: |\n        data: {}",
      }),
    });
    const r = await publishWs(ws, { partial: true });
    expect(r.status).toBe("published");
    expect(r.parent).toBe(first.commit);
    expect(r.changed.map((c) => c.name)).toEqual(["prod-eu-1"]);
    expect(r.held.map((h) => [h.name, h.kept])).toEqual([
      ["dev-us-1", true],
      ["new-1", false],
    ]);
    expect(await treeOf(ws, "deploy:clusters/dev-us-1")).toBe(devBefore);
    const diff = await git(ws.fleet, ["diff", "--name-only", first.commit!, r.commit!, "--", "clusters/dev-us-1"]);
    expect(diff).toBe("");
    expect(await show(ws, "deploy:clusters/prod-eu-1/web/deployment-web.yaml")).toContain("replicas: 4");
    const files = await git(ws.fleet, ["ls-tree", "-r", "--name-only", "deploy"]);
    expect(files).not.toContain("clusters/new-1/");
    const message = await git(ws.fleet, ["log", "-1", "--format=%B", "deploy"]);
    expect(message).toContain("Held back (failed to render; last good output kept):");
    expect(message).toMatch(/- dev-us-1: PATCH_NO_MATCH /);
    expect(message).toMatch(/- new-1 \(new, not published\): /);
    const inv = JSON.parse(await show(ws, "deploy:inventory.json"));
    const dev = inv.clusters.find((c: { name: string }) => c.name === "dev-us-1");
    expect(dev).toMatchObject({ heldBack: true, resources: 5 });
    expect(inv.clusters.map((c: { name: string }) => c.name)).toEqual(["dev-us-1", "prod-eu-1"]);
    // the CLI exits 1 (content errors), though it published
    await ws.commitFleet({ "clusters/prod-eu-1.yaml": testCluster("prod-eu-1", { replicas: 6 }) });
    const res = await cli(ws, ["publish", "--partial"]);
    expect(res.code).toBe(1);
    expect(res.out).toMatch(/published [0-9a-f]{40}/);
  });

  it("--partial: the trailers also name the sources of the output kept for a held-back cluster", async () => {
    const ws = await workspace(TWO());
    await publishWs(ws);
    await ws.commitFleet({
      "clusters/prod-eu-1.yaml": testCluster("prod-eu-1", { replicas: 3, ref: "tag: v1.1.0" }),
      "clusters/dev-us-1.yaml": testCluster("dev-us-1", {
        ref: "tag: v1.1.0",
        extra:
          "  patches:\n    - target: { kind: Deployment, name: nope }\n      patch: |\n        spec: { replicas: 2 }",
      }),
    });
    const r = await publishWs(ws, { partial: true });
    expect(r.status).toBe("published");
    const trailers = parseTrailers(await git(ws.fleet, ["log", "-1", "--format=%B", "deploy"]));
    const sources = trailers.sources.map((t) => t.replace(/ [0-9a-f]{40}$/, ""));
    expect(sources.sort()).toEqual(["base@v1.0.0", "base@v1.1.0"]);
  });

  it("prune guard: losing more than half of a cluster's resources needs --allow-prune", async () => {
    const ws = await workspace(TWO());
    const first = await publishWs(ws);
    // a patch deleting 3 of 5 resources of prod-eu-1
    const del = (kind: string, name: string, ns = "") =>
      `    - patch: |\n        apiVersion: ${kind === "Deployment" ? "apps/v1" : "v1"}\n        kind: ${kind}\n        metadata: { name: ${name}${ns ? `, namespace: ${ns}` : ""} }\n        $patch: delete`;
    await ws.commitFleet({
      "clusters/prod-eu-1.yaml": testCluster("prod-eu-1", {
        extra: `  patches:\n${del("Deployment", "web", "web")}\n${del("Service", "web", "web")}\n${del("ConfigMap", "web-config", "web")}`,
      }),
    });
    const run = await ws.render();
    const prodRun = run.clusters.find((c) => c.name === "prod-eu-1")!;
    expect(prodRun.diagnostics).toEqual([]);
    expect(prodRun.resources.length).toBe(2);
    const refused = await publish({ run, fleetDir: ws.fleet, author: AUTHOR });
    expect(refused.status).toBe("refused");
    expect(refused.diagnostics[0]).toMatchObject({ code: "PUBLISH_PRUNE", severity: "error", cluster: "prod-eu-1" });
    expect(refused.diagnostics[0]!.message).toContain("lose 3 of its 5 resources");
    expect(refused.diagnostics[0]!.message).toContain("web/deployment-web.yaml");
    expect(await tip(ws)).toBe(first.commit);
    const res = await cli(ws, ["publish"]);
    expect(res.code).toBe(1);
    expect(res.err).toContain("--allow-prune");
    const allowed = await publish({ run, fleetDir: ws.fleet, author: AUTHOR, allowPrune: true });
    expect(allowed.status).toBe("published");
    expect(allowed.diagnostics[0]).toMatchObject({ code: "PUBLISH_PRUNE", severity: "warning" });
  });

  it("a configurable threshold: pruneThreshold 0.1 trips on losing 1 of 5", async () => {
    const ws = await workspace(TWO(), { extra: "  publish: { pruneThreshold: 0.1 }" });
    await publishWs(ws);
    await ws.commitFleet({
      "clusters/prod-eu-1.yaml": testCluster("prod-eu-1", {
        extra: `  patches:\n    - patch: |\n        apiVersion: v1\n        kind: Service\n        metadata: { name: web, namespace: web }\n        $patch: delete`,
      }),
    });
    const r = await publishWs(ws);
    expect(r.status).toBe("refused");
    expect(r.diagnostics[0]!.message).toContain("lose 1 of its 5 resources (20%, more than the 10% allowed");
  });

  it("removing a cluster from the fleet needs --allow-prune", async () => {
    const ws = await workspace(TWO());
    const first = await publishWs(ws);
    await ws.commitFleet({ "clusters/dev-us-1.yaml": null });
    const refused = await publishWs(ws);
    expect(refused.status).toBe("refused");
    expect(refused.diagnostics[0]).toMatchObject({ code: "PUBLISH_PRUNE", cluster: "dev-us-1" });
    expect(refused.diagnostics[0]!.message).toContain("removed from the fleet");
    expect(await tip(ws)).toBe(first.commit);
    const res = await cli(ws, ["publish", "--allow-prune"]);
    expect(res.code).toBe(0);
    const files = await git(ws.fleet, ["ls-tree", "-r", "--name-only", "deploy"]);
    expect(files).not.toContain("dev-us-1");
    expect(await git(ws.fleet, ["log", "-1", "--format=%B", "deploy"])).toContain("Removed:\n  - dev-us-1");
  });

  it("warns when the fleet has uncommitted changes (Braid-Fleet-Commit would not reproduce the output)", async () => {
    const ws = await workspace(TWO());
    const clean = await cli(ws, ["publish"]);
    expect(clean.code).toBe(0);
    expect(clean.err).not.toContain("FLEET_DIRTY");
    const { writeFile } = await import("node:fs/promises");
    await writeFile(join(ws.fleet, "clusters", "prod-eu-1.yaml"), testCluster("prod-eu-1", { replicas: 5 }));
    const dirty = await cli(ws, ["publish"]);
    expect(dirty.code).toBe(0);
    expect(dirty.err).toMatch(/FLEET_DIRTY.*clusters\/prod-eu-1\.yaml/);
  });

  it("--dry-run prints the commit it would make and writes nothing", async () => {
    const ws = await workspace(TWO());
    const objects = async () => (await git(ws.fleet, ["count-objects", "-v"])).split("\n")[0];
    const before = await objects();
    const res = await cli(ws, ["publish", "--dry-run"]);
    expect(res.code).toBe(0);
    expect(res.out).toContain("dry run: would commit to branch deploy");
    expect(res.out).toContain("Braid-Source: base@v1.0.0");
    expect(await tip(ws)).toBeUndefined();
    expect(await objects()).toBe(before);
  });

  it("--branch and --message; JSON output", async () => {
    const ws = await workspace(TWO());
    const res = await cli(ws, ["publish", "--branch", "rendered", "--message", "custom summary", "--format", "json"]);
    expect(res.code).toBe(0);
    const out = JSON.parse(res.out);
    expect(out).toMatchObject({ status: "published", branch: "rendered", parent: null });
    expect(await tip(ws, "rendered")).toBe(out.commit);
    expect(await git(ws.fleet, ["log", "-1", "--format=%s", "rendered"])).toBe("custom summary");
  });

  it("refuses to move a checked-out deploy branch, and a fleet outside Git", async () => {
    const ws = await workspace(TWO());
    const res = await cli(ws, ["publish", "--branch", "main"]);
    expect(res.code).toBe(2);
    expect(res.err).toContain("checked out");
    const outside = await makeWorkspace({}).then(async (other) => {
      spaces.push(other);
      return other.root; // a temp folder that is not a Git repository
    });
    const err = await publish({ run: await ws.render(), fleetDir: outside, author: AUTHOR }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BraidError);
    expect((err as BraidError).code).toBe("PUBLISH_NOT_A_REPO");
  });

  it("uses the fleet repository the caller located (cmd-publish locates it once) instead of locating it again", async () => {
    const ws = await workspace(TWO());
    const outside = await makeWorkspace({}).then((other) => {
      spaces.push(other);
      return other.root; // not a Git repository: locating from here would fail with PUBLISH_NOT_A_REPO
    });
    const repo = await locateFleetRepo(ws.fleet);
    expect(repo).toBeDefined();
    const res = await publish({
      run: await ws.render(),
      fleetDir: outside,
      repo: repo!,
      author: AUTHOR,
      now: () => 1_800_000_000,
    });
    expect(res.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(await tip(ws)).toBe(res.commit);
  });

  it("--update: a new tag in a semver range is published and braid.lock is committed first; run again: nothing", async () => {
    const ws = await workspace(TWO(), { ref: 'semver: ">=1.0.0 <2.0.0"' });
    // lock at v1.0.0 by publishing once from a lock that only knows v1.0.0
    const lockRun = await ws.render();
    expect(lockRun.clusters[0]!.pins[0]!.resolution!.tag).toBe("v1.1.0");
    // pretend the lock was written when only v1.0.0 existed
    const lockText = (await import("../src/sources/lock.js")).serializeLock({
      pins: lockRun.lock.pins.map((p) => ({ ...p, commit: ws.baseCommits[0]!, tag: "v1.0.0", version: "1.0.0" })),
    });
    await ws.commitFleet({ "braid.lock": lockText }, "lock");
    const locked = await publishWs(ws);
    expect(locked.status).toBe("published");
    expect(parseTrailers(locked.message!).sources).toEqual([`base@v1.0.0 ${ws.baseCommits[0]}`]);
    const fleetHeadBefore = await git(ws.fleet, ["rev-parse", "HEAD"]);

    const res = await cli(ws, ["publish", "--update"]);
    expect(res.code).toBe(0);
    const lockCommit = await git(ws.fleet, ["rev-parse", "HEAD"]);
    expect(lockCommit).not.toBe(fleetHeadBefore);
    expect(await git(ws.fleet, ["rev-parse", "HEAD^"])).toBe(fleetHeadBefore);
    expect(await git(ws.fleet, ["diff", "--name-only", "HEAD^", "HEAD"])).toBe("braid.lock");
    expect(await git(ws.fleet, ["status", "--porcelain"])).toBe("");
    expect(await readFile(join(ws.fleet, "braid.lock"), "utf8")).toContain(ws.baseCommits[1]!);
    const message = await git(ws.fleet, ["log", "-1", "--format=%B", "deploy"]);
    expect(parseTrailers(message)).toEqual({ fleetCommit: lockCommit, sources: [`base@v1.1.0 ${ws.baseCommits[1]}`] });
    expect(await git(ws.fleet, ["ls-tree", "-r", "--name-only", "deploy"])).toContain(
      "clusters/prod-eu-1/web/configmap-extra.yaml",
    );
    expect(res.out).toContain(`committed braid.lock to the fleet repository: ${lockCommit}`);

    const deployTip = await tip(ws);
    const again = await cli(ws, ["publish", "--update"]);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/no change/);
    expect(await tip(ws)).toBe(deployTip);
    expect(await git(ws.fleet, ["rev-parse", "HEAD"])).toBe(lockCommit);
  });

  it("--update with unchanged output still commits a missing braid.lock, once", async () => {
    const ws = await workspace(TWO());
    const first = await publishWs(ws);
    const head = await git(ws.fleet, ["rev-parse", "HEAD"]);
    const res = await cli(ws, ["publish", "--update"]);
    expect(res.code, res.err).toBe(0);
    expect(res.out).toMatch(/committed braid.lock[^\n]*\nno change/);
    expect(await git(ws.fleet, ["rev-parse", "HEAD^"])).toBe(head);
    expect(await git(ws.fleet, ["show", "--name-only", "--format=", "HEAD"])).toBe("braid.lock");
    expect(await tip(ws)).toBe(first.commit);
    const again = await cli(ws, ["publish", "--update"]);
    expect(again.out).not.toContain("committed braid.lock");
    expect(await git(ws.fleet, ["rev-parse", "HEAD^"])).toBe(head);
  });

  it("a local ref that moves during the publish is detected and the commit rebuilt on it", async () => {
    const ws = await workspace(TWO());
    const first = await publishWs(ws);
    await ws.commitFleet({ "clusters/prod-eu-1.yaml": testCluster("prod-eu-1", { replicas: 7 }) });
    let moved = "";
    const r = await publishWs(ws, {
      sleep: async () => undefined,
      beforeUpdate: async (attempt) => {
        if (attempt !== 1) return;
        // another publisher commits on deploy first (same tree as the first tip, new commit)
        moved = await git(ws.fleet, [
          "commit-tree",
          `${first.commit}^{tree}`,
          "-p",
          first.commit!,
          "-m",
          "other publisher",
        ]);
        await git(ws.fleet, ["update-ref", "refs/heads/deploy", moved, first.commit!]);
      },
    });
    expect(r.status).toBe("published");
    expect(r.attempts).toBe(2);
    expect(r.parent).toBe(moved);
    expect(await git(ws.fleet, ["rev-parse", "deploy^"])).toBe(moved);
  });
});

describe.skipIf(NO_OPENAPI)("braid inventory", () => {
  it("prints the inventory from the fleet as a table and as json equal to inventory.json", async () => {
    const ws = await workspace(TWO());
    await publishWs(ws);
    const table = await cli(ws, ["inventory"]);
    expect(table.code).toBe(0);
    expect(table.out.split("\n")[0]).toMatch(/^CLUSTER\s+OWNER\s+LABELS\s+RESOURCES\s+SOURCES$/);
    expect(table.out).toMatch(/prod-eu-1\s+team-prod\s+env=prod, region=eu\s+5\s+base@v1\.0\.0 \([0-9a-f]{7}\)/);
    const json = await cli(ws, ["inventory", "--format", "json"]);
    expect(json.code).toBe(0);
    expect(json.out).toBe((await show(ws, "deploy:inventory.json")) + "\n");
    const bad = await cli(ws, ["inventory", "--format", "yaml"]);
    expect(bad.code).toBe(2);
  });
});
