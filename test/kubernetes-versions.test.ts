import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { memoryIO } from "../src/cli/io.js";
import { main } from "../src/cli/main.js";
import { makeFixtureRepo } from "./helpers/fixture-repo.js";
import { clusterYaml, fleetYaml, writeFleet } from "./helpers/fleet-dir.js";
import { OPENAPI } from "./helpers/golden.js";
import { openApiSkipReason } from "./helpers/openapi-fixture.js";

const NO_OPENAPI = openApiSkipReason("kubernetes-versions", "1.33") ?? openApiSkipReason("kubernetes-versions", "1.35");

// Real differences between the two upstream documents: PodSpec.hostnameOverride is new in 1.35, and
// admissionregistration.k8s.io/v1beta1 ValidatingAdmissionPolicy is no longer served by 1.35.
const POD = `apiVersion: v1
kind: Pod
metadata: { name: web, namespace: apps }
spec:
  hostnameOverride: web-0
  containers: [ { name: web, image: "nginx:1" } ]
`;
const VAP = `apiVersion: admissionregistration.k8s.io/v1beta1
kind: ValidatingAdmissionPolicy
metadata: { name: replicas }
spec:
  validations: [ { expression: "object.spec.replicas <= 5" } ]
`;

describe.skipIf(NO_OPENAPI)("kubernetesVersion per group and cluster", () => {
  it("validates each cluster against its own API: a field or API of one version is an error only there", async () => {
    const src = await makeFixtureRepo([{ files: { "pod.yaml": POD, "vap.yaml": VAP }, tags: ["v1.0.0"] }]);
    const fleetDir = await writeFleet({
      "braid.yaml": fleetYaml(`    - name: s\n      url: ${src.dir}\n      ref: { tag: v1.0.0 }`).replace(
        '"1.34"',
        '"1.33"',
      ),
      "groups/next.yaml": `apiVersion: braid/v1alpha1\nkind: Group\nmetadata: { name: next }\nspec:\n  selector: { matchLabels: { k8s: next } }\n  kubernetesVersion: "1.35"\n`,
      "clusters/old.yaml": clusterYaml("old"),
      "clusters/new.yaml": clusterYaml("new", "", "{ k8s: next }"),
      // the cluster's own setting wins over its group's
      "clusters/pinned.yaml": clusterYaml("pinned", '  kubernetesVersion: "1.33"', "{ k8s: next }"),
    });
    const io = memoryIO({
      cwd: fleetDir,
      env: { BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: join(fleetDir, ".cache") },
    });
    expect(await main(["validate", "--format", "json"], io)).toBe(1);
    const report = JSON.parse(io.out.join(""));
    const errors = report.diagnostics
      .filter((d: { severity: string }) => d.severity === "error")
      .map((d: { cluster: string; code: string; message: string; location?: { file: string; line: number } }) => [
        d.cluster,
        d.code,
        d.location?.file,
        d.location?.line,
      ]);
    expect(errors).toEqual([
      ["new", "SCHEMA_MISSING", "vap.yaml", 1],
      ["old", "SCHEMA_VIOLATION", "pod.yaml", 5],
      ["pinned", "SCHEMA_VIOLATION", "pod.yaml", 5],
    ]);
    const newVap = report.diagnostics.find((d: { cluster: string }) => d.cluster === "new");
    expect(newVap.message).toContain("Kubernetes 1.35");
  });
});
