/**
 * Flux consumes the deploy branch with a Kustomization per cluster path. Where `kubectl` is on the machine,
 * check out the published branch and run `kubectl kustomize clusters/<name>` (what kustomize-controller
 * builds) for every cluster: it must succeed and yield exactly the rendered resources.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
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
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
          )
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
      const { stdout } = await run(kubectl!, ["kustomize", c.output!.dir], {
        cwd: checkout,
        maxBuffer: 64 * 1024 * 1024,
      });
      const built = parseAllDocuments(stdout)
        .map((d) => d.toJS() as unknown)
        .filter((o) => o !== null);
      expect(built.length).toBe(c.resources.length);
      expect(canonical(built)).toEqual(canonical(c.resources.map((r) => r.object)));
    }
    await git(ws.fleet, ["worktree", "remove", "--force", checkout]);
  });

  it("writes metadata.namespace into every namespaced object (server-side apply refuses one without)", async () => {
    const ws = await makeWorkspace({ "prod-eu-1": testCluster("prod-eu-1", { ref: "tag: v1.2.0" }) });
    spaces.push(ws);
    // v1.2.0 adds a ConfigMap and a Role written without a namespace
    await writeFile(
      join(ws.base, "manifests/unscoped.yaml"),
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: loose\ndata: { a: b }\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: loose\nrules: []\n",
    );
    await git(ws.base, ["add", "-A"]);
    await git(ws.base, ["commit", "-q", "-m", "unscoped"]);
    await git(ws.base, ["tag", "v1.2.0"]);
    const fleetRun = await ws.render();
    expect(fleetRun.clusters[0]!.diagnostics).toEqual([]);
    const res = await publish({ run: fleetRun, fleetDir: ws.fleet, author: { name: "t", email: "t@t" } });
    expect(res.status).toBe("published");
    const checkout = join(ws.root, "checkout");
    await mkdir(checkout);
    await git(ws.fleet, ["worktree", "add", "-q", "--detach", checkout, "deploy"]);
    const { stdout } = await run(kubectl!, ["kustomize", "clusters/prod-eu-1"], {
      cwd: checkout,
      maxBuffer: 64 * 1024 * 1024,
    });
    const built = parseAllDocuments(stdout).map(
      (d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string } },
    );
    const clusterScoped = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"]);
    const namespaced = built.filter((o) => !clusterScoped.has(o.kind));
    expect(namespaced.length).toBe(6);
    for (const o of namespaced)
      expect(`${o.kind}/${o.metadata.name}: ${o.metadata.namespace ?? "(none)"}`).toMatch(/: (web|default)$/);
    expect(
      namespaced
        .filter((o) => o.metadata.name === "loose")
        .map((o) => `${o.kind} ${o.metadata.namespace}`)
        .sort(),
    ).toEqual(["ConfigMap default", "Role default"]);
    for (const o of built.filter((o) => clusterScoped.has(o.kind))) expect(o.metadata.namespace).toBeUndefined();
    expect(existsSync(join(checkout, "clusters/prod-eu-1/default/configmap-loose.yaml"))).toBe(true);
    await git(ws.fleet, ["worktree", "remove", "--force", checkout]);
  });
});
