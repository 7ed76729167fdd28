/**
 * Flux consumes the deploy branch with a Kustomization per cluster path. Where `kubectl` is on the machine,
 * check out the published branch and run `kubectl kustomize clusters/<name>` (what kustomize-controller
 * builds) for every cluster: it must succeed and yield exactly the rendered resources.
 */
import { execFile } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { parseAllDocuments } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { publish } from "../src/publish/publish.js";
import { git } from "./helpers/fixture-repo.js";
import { kubectl, kubectlSkipReason } from "./helpers/kubectl.js";
import { makeWorkspace, testCluster, type Workspace } from "./helpers/publish-fleet.js";

const run = promisify(execFile);
const SKIP = kubectlSkipReason("flux-conformance");

const spaces: Workspace[] = [];
afterAll(async () => {
  for (const ws of spaces) await ws.cleanup();
});

function canonical(objects: unknown[]): string[] {
  const sortKeys = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sortKeys)
      : v && typeof v === "object"
        ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]))
        : v;
  return objects.map((o) => JSON.stringify(sortKeys(o))).sort();
}

describe.skipIf(SKIP)("Flux conformance: kubectl kustomize on the published branch", () => {
  it("builds every cluster folder to exactly the rendered resources", async () => {
    const ws = await makeWorkspace({
      "prod-eu-1": testCluster("prod-eu-1", { replicas: 3 }),
      "dev-us-1": testCluster("dev-us-1", { region: "us", ref: "tag: v1.1.0" }),
    });
    spaces.push(ws);
    const fleetRun = await ws.render();
    expect(fleetRun.clusters.every((c) => c.ok)).toBe(true);
    const res = await publish({ run: fleetRun, fleetDir: ws.fleet, author: { name: "t", email: "t@t" } });
    expect(res.status).toBe("published");
    // a checkout of the branch, as Flux's source-controller makes it
    const checkout = join(ws.root, "checkout");
    await mkdir(checkout);
    await git(ws.fleet, ["worktree", "add", "-q", "--detach", checkout, "deploy"]);
    for (const c of fleetRun.clusters) {
      const { stdout } = await run(kubectl!, ["kustomize", c.output!.dir], { cwd: checkout, maxBuffer: 64 * 1024 * 1024 });
      const built = parseAllDocuments(stdout).map((d) => d.toJS() as unknown).filter((o) => o !== null);
      expect(built.length).toBe(c.resources.length);
      expect(canonical(built)).toEqual(canonical(c.resources.map((r) => r.object)));
    }
    await git(ws.fleet, ["worktree", "remove", "--force", checkout]);
  });
});
