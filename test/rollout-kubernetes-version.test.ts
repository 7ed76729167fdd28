/** A rollout of kubernetesVersion itself: each wave is validated against the version it runs, on real Git. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { memoryIO } from "../src/cli/io.js";
import { main } from "../src/cli/main.js";
import { git, makeFixtureRepo } from "./helpers/fixture-repo.js";
import { clusterYaml, fleetYaml, writeFleet } from "./helpers/fleet-dir.js";
import { OPENAPI } from "./helpers/golden.js";
import { openApiSkipReason } from "./helpers/openapi-fixture.js";

const NO_OPENAPI = openApiSkipReason("rollout-kubernetes-version");

const CM = `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: app, namespace: app }\ndata: { k: v }\n`;
// served by 1.33, no longer by 1.35
const VAP = `apiVersion: admissionregistration.k8s.io/v1beta1
kind: ValidatingAdmissionPolicy
metadata: { name: replicas }
spec:
  validations: [ { expression: "object.spec.replicas <= 5" } ]
`;
const ROLLOUT = `apiVersion: braid/v1alpha1
kind: Rollout
metadata: { name: k8s-135 }
spec:
  kubernetesVersion: "1.35"
  waves:
    - { name: canary, selector: { matchLabels: { ring: canary } } }
    - { name: rest, selector: {} }
`;

async function fleet(files: Record<string, string>) {
  const src = await makeFixtureRepo([{ files, tags: ["v1.0.0"] }]);
  const dir = await writeFleet({
    "braid.yaml": fleetYaml(`    - name: app\n      url: ${src.dir}\n      ref: { tag: v1.0.0 }`).replace(
      '"1.34"',
      '"1.33"',
    ),
    "clusters/a1.yaml": clusterYaml("a1", "", "{ ring: canary }"),
    "clusters/b1.yaml": clusterYaml("b1", "", "{ ring: main }"),
    "clusters/b2.yaml": clusterYaml("b2", "", "{ ring: main }"),
    "rollouts/k8s-135.yaml": ROLLOUT,
  });
  await git(dir, ["init", "-q", "-b", "main"]);
  await git(dir, ["add", "-A"]);
  await git(dir, ["commit", "-q", "-m", "fleet"]);
  return async (args: string[], minute: number) => {
    const io = memoryIO({
      cwd: dir,
      env: {
        BRAID_KUBERNETES_OPENAPI: OPENAPI,
        BRAID_CACHE: join(dir, ".cache"),
        BRAID_NOW: String(1_900_000_000 + minute * 60),
      },
    });
    const code = await main(args, io);
    return { code, out: io.out.join(""), err: io.err.join(""), dir };
  };
}

describe.skipIf(NO_OPENAPI)("a rollout of kubernetesVersion", () => {
  it("moves the clusters' Kubernetes version wave by wave; the inventory shows each cluster's version", async () => {
    const cli = await fleet({ "cm.yaml": CM });
    expect((await cli(["publish"], 0)).code).toBe(0);
    expect((await cli(["rollout", "advance"], 1)).out).toMatch(/^rollout k8s-135: moved a1 \(wave canary\)\n/);
    const p = await cli(["publish"], 2);
    expect(p.code, p.err).toBe(0);
    const versions = async () =>
      Object.fromEntries(
        (
          JSON.parse(await git(p.dir, ["show", "deploy:inventory.json"])) as {
            clusters: { cluster: string; kubernetesVersion: string }[];
          }
        ).clusters.map((c) => [c.cluster, c.kubernetesVersion]),
      );
    expect(await versions()).toEqual({ a1: "1.35", b1: "1.33", b2: "1.33" });
    expect((await cli(["rollout", "advance"], 3)).out).toMatch(/^rollout k8s-135: moved b1, b2 \(wave rest\)\n/);
    expect((await cli(["publish"], 4)).code).toBe(0);
    expect(await versions()).toEqual({ a1: "1.35", b1: "1.35", b2: "1.35" });
    expect((await cli(["rollout", "advance"], 5)).out).toMatch(/every wave has passed/);
  }, 60_000);

  it("validates each wave against the version it runs: an API removed in 1.35 fails only the moved cluster", async () => {
    const cli = await fleet({ "cm.yaml": CM, "vap.yaml": VAP });
    expect((await cli(["validate"], 0)).code).toBe(0);
    expect((await cli(["rollout", "advance"], 1)).code).toBe(0);
    const v = await cli(["validate", "--format", "json"], 2);
    expect(v.code).toBe(1);
    const errors = JSON.parse(v.out).diagnostics.filter((d: { severity: string }) => d.severity === "error");
    expect(errors.map((d: { cluster: string; code: string }) => [d.cluster, d.code])).toEqual([
      ["a1", "SCHEMA_MISSING"],
    ]);
    expect(errors[0].message).toContain("Kubernetes 1.35");
  }, 60_000);
});
