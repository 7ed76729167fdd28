import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { diskFleetReader } from "../src/config/fleet-files.js";
import { renderFleet, type FleetRun } from "../src/pipeline/render-fleet.js";
import { makeFixtureRepo } from "./helpers/fixture-repo.js";
import { clusterYaml, fleetYaml, writeFleet } from "./helpers/fleet-dir.js";
import { OPENAPI } from "./helpers/golden.js";
import { openApiSkipReason } from "./helpers/openapi-fixture.js";

const NO_OPENAPI = openApiSkipReason("run-context");

const configMap = (value: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings, namespace: apps }\ndata: { region: "\${REGION}", value: "${value}" }\n`;

/** A source repository and a fleet at fixed paths under `dir` (made again from scratch each time). */
async function writeInputs(
  dir: string,
  value: string,
  regions: Record<string, string>,
): Promise<{ fleetDir: string; commit: string }> {
  await rm(join(dir, "source"), { recursive: true, force: true });
  await rm(join(dir, "fleet"), { recursive: true, force: true });
  const { commits } = await makeFixtureRepo([{ files: { "cm.yaml": configMap(value) }, tags: ["v1.0.0"] }], {
    dir: join(dir, "source"),
  });
  const clusters = Object.fromEntries(
    Object.entries(regions).map(([name, region]) => [
      `clusters/${name}.yaml`,
      clusterYaml(name, region ? `  vars: { REGION: ${region} }\n` : ""),
    ]),
  );
  const fleetDir = await writeFleet(
    {
      "braid.yaml": fleetYaml(`    - name: s\n      url: ${join(dir, "source")}\n      ref: { tag: v1.0.0 }`),
      ...clusters,
    },
    join(dir, "fleet"),
  );
  return { fleetDir, commit: commits[0]! };
}

async function render(dir: string, fleetDir: string): Promise<FleetRun> {
  return renderFleet({
    reader: diskFleetReader(fleetDir),
    senv: { fleetDir, cacheDir: join(dir, "cache"), env: {} },
    openapiEnv: OPENAPI,
    cwd: fleetDir,
  });
}

function fileOf(run: FleetRun, cluster: string): string | undefined {
  return run.clusters
    .find((c) => c.name === cluster)
    ?.output?.files.find((f) => f.path === "apps/configmap-settings.yaml")?.content;
}

const expected = (region: string, value: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: apps\ndata:\n  region: ${region}\n  value: "${value}"\n`;

describe.skipIf(NO_OPENAPI)("one process, several runs (each run has its own caches)", () => {
  it("renders each run's inputs, at the same paths and the same commit id, with no answer carried over", async () => {
    const dir = await mkdtemp(join(tmpdir(), "braid-runs-"));
    try {
      const first = await writeInputs(dir, "1", { a: "eu", b: "us" });
      const run1 = await render(dir, first.fleetDir);
      expect([fileOf(run1, "a"), fileOf(run1, "b")]).toEqual([expected("eu", "1"), expected("us", "1")]);

      // made again from scratch: the same commit id (fixed dates), other variables
      const second = await writeInputs(dir, "1", { a: "us", b: "ap" });
      expect(second.commit).toBe(first.commit);
      const run2 = await render(dir, second.fleetDir);
      expect([fileOf(run2, "a"), fileOf(run2, "b")]).toEqual([expected("us", "1"), expected("ap", "1")]);

      // other content at the same paths (a new commit under the same tag)
      const third = await writeInputs(dir, "2", { a: "eu", b: "us" });
      expect(third.commit).not.toBe(first.commit);
      const run3 = await render(dir, third.fleetDir);
      expect([fileOf(run3, "a"), fileOf(run3, "b")]).toEqual([expected("eu", "2"), expected("us", "2")]);
      expect(run3.clusters.every((c) => c.ok)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("shares a substituted object between clusters with the same values only, and reports a shared problem for every cluster", async () => {
    const dir = await mkdtemp(join(tmpdir(), "braid-runs-"));
    try {
      const { fleetDir } = await writeInputs(dir, "1", { a: "eu", b: "eu", c: "us", d: "", e: "" });
      const run = await render(dir, fleetDir);
      const objectOf = (name: string) =>
        run.clusters.find((c) => c.name === name)!.resources.find((r) => r.id.kind === "ConfigMap")!.object;
      // one substitution for a and b: the very same object, serialized and validated once
      expect(objectOf("a")).toBe(objectOf("b"));
      expect(objectOf("c")).not.toBe(objectOf("a"));
      expect([fileOf(run, "a"), fileOf(run, "b"), fileOf(run, "c")]).toEqual([
        expected("eu", "1"),
        expected("eu", "1"),
        expected("us", "1"),
      ]);
      // d and e read the same (undefined) variable: each gets its own located error
      const errors = run.clusters
        .filter((c) => !c.ok)
        .map((c) => c.diagnostics.map((x) => [x.cluster, x.code, x.location?.file, x.location?.line, x.path]))
        .flat();
      expect(errors).toEqual([
        ["d", "SUBST_UNDEFINED", "cm.yaml", 4, "/data/region"],
        ["e", "SUBST_UNDEFINED", "cm.yaml", 4, "/data/region"],
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("reports a validation problem of an object shared by clusters in each of them", async () => {
    const dir = await mkdtemp(join(tmpdir(), "braid-runs-"));
    try {
      const service =
        "apiVersion: v1\nkind: Service\nmetadata: { name: web, namespace: apps }\nspec:\n  ports: [ { port: 80, targetPort: Bad_Name } ]\n  type: 7\n";
      const { dir: source } = await makeFixtureRepo([{ files: { "svc.yaml": service }, tags: ["v1.0.0"] }]);
      const fleetDir = await writeFleet({
        "braid.yaml": fleetYaml(`    - name: s\n      url: ${source}\n      ref: { tag: v1.0.0 }`),
        "clusters/a.yaml": clusterYaml("a"),
        "clusters/b.yaml": clusterYaml("b"),
      });
      const run = await render(dir, fleetDir);
      const found = run.clusters.map((c) => c.diagnostics.map((x) => [x.cluster, x.code, x.path, x.location?.line]));
      const one = (cluster: string) => [
        [cluster, "SCHEMA_VIOLATION", "/spec/type", 6],
        [cluster, "SCHEMA_VIOLATION", "/spec/ports/0/targetPort", 5],
      ];
      expect(found).toEqual([one("a"), one("b")]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
