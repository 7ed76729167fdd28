import { describe, expect, it } from "vitest";
import { diskFleetReader } from "../src/config/fleet-files.js";
import { effectiveCluster } from "../src/config/layer.js";
import { loadFleet } from "../src/config/load-fleet.js";
import { clusterYaml, fleetYaml, writeFleet } from "./helpers/fleet-dir.js";

const SOURCES = `    - name: base
      url: ../base
      ref: { tag: v1.0.0 }
    - name: mon
      url: https://git.example.com/mon.git
      ref: { semver: ">=1.0.0" }`;

async function load(files: Record<string, string>) {
  const dir = await writeFleet(files);
  return loadFleet(diskFleetReader(dir));
}

function codes(ds: { code: string; severity: string }[]) {
  return ds.map((d) => d.code);
}

describe("fleet config", () => {
  it("loads a valid fleet and layers fleet → groups (priority, name) → cluster", async () => {
    const { fleet, diagnostics } = await load({
      "braid.yaml": fleetYaml(SOURCES, "  vars: { A: fleet, B: fleet, C: fleet }"),
      "groups/prod.yaml": `apiVersion: braid/v1alpha1
kind: Group
metadata: { name: prod }
spec:
  priority: 10
  selector: { matchLabels: { env: prod } }
  vars: { B: prod, C: prod }
  sources: [ { name: base, ref: { tag: v2.0.0 } } ]
`,
      "groups/eu.yaml": `apiVersion: braid/v1alpha1
kind: Group
metadata: { name: eu }
spec:
  priority: 5
  selector:
    matchExpressions: [ { key: region, operator: In, values: [eu-west-1, eu-central-1] } ]
  vars: { B: eu, C: eu }
`,
      "clusters/prod-eu-1.yaml": clusterYaml(
        "prod-eu-1",
        "  vars: { C: cluster, REPLICAS: 3 }\n  sources: [ { name: base }, { name: mon } ]",
        "{ env: prod, region: eu-west-1 }",
      ),
      "clusters/dev-us-1.yaml": clusterYaml("dev-us-1", "", "{ env: dev, region: us-east-1 }"),
    });
    expect(diagnostics).toEqual([]);
    const prod = effectiveCluster(
      fleet!,
      fleet!.clusters.find((c) => c.name === "prod-eu-1")!,
    );
    expect(prod.groups).toEqual(["eu", "prod"]);
    expect(prod.vars).toMatchObject({
      A: "fleet",
      B: "prod",
      C: "cluster",
      REPLICAS: "3",
      CLUSTER_NAME: "prod-eu-1",
      CLUSTER_LABEL_env: "prod",
    });
    expect(prod.pins.map((p) => [p.source.name, p.ref])).toEqual([
      ["base", { tag: "v2.0.0" }],
      ["mon", { semver: ">=1.0.0" }],
    ]);
    const dev = effectiveCluster(
      fleet!,
      fleet!.clusters.find((c) => c.name === "dev-us-1")!,
    );
    expect(dev.groups).toEqual([]);
    expect(dev.pins.map((p) => p.source.name)).toEqual(["base", "mon"]);
  });

  it("reads a source's path as kustomize-controller does (securejoin): . ./ / are the root, .. never leaves it", async () => {
    const paths = [
      ".",
      "./",
      "/",
      "",
      "./manifests/",
      "manifests//x/.",
      "a/../manifests",
      "../manifests",
      "./a/b/../../c",
    ];
    const { fleet, diagnostics } = await load({
      "braid.yaml": fleetYaml(
        paths.map((p, i) => `    - { name: s${i}, url: ../s${i}, ref: { tag: v1 }, path: "${p}" }`).join("\n"),
      ),
      "clusters/one.yaml": clusterYaml("one"),
    });
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(fleet!.sources.map((s) => s.path)).toEqual([
      "",
      "",
      "",
      "",
      "manifests",
      "manifests/x",
      "manifests",
      "manifests",
      "c",
    ]);
  });

  it("reports schema violations with code, line and column", async () => {
    const { diagnostics } = await load({
      "braid.yaml": fleetYaml(SOURCES),
      "clusters/a.yaml": `apiVersion: braid/v1alpha1
kind: Cluster
metadata:
  name: a
spec:
  sourcez: []
  vars: { "bad-name": x }
`,
    });
    const unknown = diagnostics.find((d) => d.message.includes('"sourcez"'))!;
    expect(unknown.code).toBe("CONFIG_SCHEMA");
    expect(unknown.location).toMatchObject({ file: "clusters/a.yaml", line: 6, column: 3 });
    expect(unknown.hint).toContain("sources");
    const badVar = diagnostics.find((d) => d.path?.includes("vars"))!;
    expect(badVar.location?.line).toBe(7);
  });

  it("reports a wrong type and a missing field at the right line", async () => {
    const { diagnostics } = await load({
      "braid.yaml": `apiVersion: braid/v1alpha1
kind: Fleet
metadata: { name: t }
spec:
  sources:
    - name: base
      ref: { tag: 1 }
`,
    });
    expect(codes(diagnostics)).toEqual(["CONFIG_SCHEMA", "CONFIG_SCHEMA", "CONFIG_SCHEMA"]);
    const missingUrl = diagnostics.find((d) => d.message.includes('"url"'))!;
    expect(missingUrl.location).toMatchObject({ file: "braid.yaml", line: 6, column: 7 });
    const missingVersion = diagnostics.find((d) => d.message.includes("kubernetesVersion"))!;
    expect(missingVersion.location?.line).toBe(5);
    const tag = diagnostics.find((d) => d.path === "/spec/sources/0/ref/tag")!;
    expect(tag.message).toContain("string");
    expect(tag.location).toMatchObject({ line: 7, column: 19 });
  });

  it("reports malformed YAML with its position", async () => {
    const { fleet, diagnostics } = await load({ "braid.yaml": "apiVersion: braid/v1alpha1\nkind: [Fleet\nspec: {}\n" });
    expect(fleet).toBeUndefined();
    expect(diagnostics[0]!.code).toBe("YAML_SYNTAX");
    expect(diagnostics[0]!.location?.file).toBe("braid.yaml");
    expect(diagnostics[0]!.location?.line).toBeGreaterThanOrEqual(2);
  });

  it("refuses a YAML alias bomb", async () => {
    // ten levels of ten: 10^10 nodes, were it expanded
    const bomb = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 10; i++)
      bomb.push(
        `l${i}: &l${i} [${Array(10)
          .fill(`*l${i - 1}`)
          .join(", ")}]`,
      );
    const { diagnostics } = await load({ "braid.yaml": bomb.join("\n") });
    expect(codes(diagnostics)).toEqual(["YAML_ALIAS_LIMIT"]);
  });

  it("says where braid.yaml is missing", async () => {
    const { diagnostics } = await load({ "README.md": "x" });
    expect(codes(diagnostics)).toEqual(["CONFIG_NOT_FOUND"]);
    expect(diagnostics[0]!.hint).toContain("--fleet");
  });

  it("rejects an empty fleet", async () => {
    const { diagnostics } = await load({ "braid.yaml": fleetYaml(SOURCES) });
    expect(codes(diagnostics)).toEqual(["FLEET_EMPTY"]);
  });

  it("rejects a cluster whose name differs from its file name", async () => {
    const { diagnostics } = await load({
      "braid.yaml": fleetYaml(SOURCES),
      "clusters/prod-1.yaml": clusterYaml("prod-2"),
    });
    expect(codes(diagnostics)).toEqual(["CONFIG_NAME_MISMATCH"]);
    expect(diagnostics[0]!.location).toMatchObject({ file: "clusters/prod-1.yaml", line: 4 });
  });

  it("rejects duplicate clusters, unknown sources and duplicate source definitions", async () => {
    const { diagnostics } = await load({
      "braid.yaml": fleetYaml(`${SOURCES}\n    - name: base\n      url: ../other`),
      "clusters/a.yaml": clusterYaml("a", "  sources: [ { name: nope } ]"),
      "clusters/a.yml": clusterYaml("a"),
    });
    expect(codes(diagnostics).sort()).toEqual(["CONFIG_DUPLICATE", "CONFIG_DUPLICATE", "CONFIG_UNKNOWN_SOURCE"]);
    const unknown = diagnostics.find((d) => d.code === "CONFIG_UNKNOWN_SOURCE")!;
    expect(unknown.hint).toContain("base, mon");
    expect(unknown.location?.file).toBe("clusters/a.yaml");
  });

  it("rejects tag + semver together (Flux would let the tag win silently)", async () => {
    const { diagnostics } = await load({
      "braid.yaml": fleetYaml(SOURCES),
      "clusters/a.yaml": clusterYaml("a", '  sources: [ { name: base, ref: { tag: v1.0.0, semver: ">=1" } } ]'),
    });
    expect(codes(diagnostics)).toEqual(["CONFIG_REF_CONFLICT"]);
    expect(diagnostics[0]!.message).toContain("tag and semver");
    expect(diagnostics[0]!.location).toMatchObject({ file: "clusters/a.yaml", line: 7 });
  });

  it("accepts commit with branch but not commit with tag", async () => {
    const sha = "a".repeat(40);
    const ok = await load({
      "braid.yaml": fleetYaml(SOURCES),
      "clusters/a.yaml": clusterYaml("a", `  sources: [ { name: base, ref: { commit: ${sha}, branch: main } } ]`),
    });
    expect(ok.diagnostics).toEqual([]);
    const bad = await load({
      "braid.yaml": fleetYaml(SOURCES),
      "clusters/a.yaml": clusterYaml("a", `  sources: [ { name: base, ref: { commit: ${sha}, tag: v1 } } ]`),
    });
    expect(codes(bad.diagnostics)).toEqual(["CONFIG_REF_CONFLICT"]);
  });

  it("warns about a group that matches no cluster", async () => {
    const { diagnostics } = await load({
      "braid.yaml": fleetYaml(SOURCES),
      "clusters/a.yaml": clusterYaml("a", "", "{ env: dev }"),
      "groups/prod.yaml":
        "apiVersion: braid/v1alpha1\nkind: Group\nmetadata: { name: prod }\nspec:\n  selector: { matchLabels: { env: prod } }\n",
    });
    expect(diagnostics.map((d) => [d.code, d.severity])).toEqual([["GROUP_MATCHES_NOTHING", "warning"]]);
  });

  it("normalizes inline, text and file patches with positions", async () => {
    const { fleet, diagnostics } = await load({
      "braid.yaml": fleetYaml(SOURCES),
      "patches/two.yaml":
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec: { replicas: 2 }\n---\napiVersion: v1\nkind: Service\nmetadata: { name: web }\nspec: { type: NodePort }\n",
      "clusters/a.yaml": clusterYaml(
        "a",
        `  patches:
    - target: { kind: Deployment, name: web }
      patch: |
        spec:
          replicas: 3
    - target: { kind: ConfigMap }
      type: json6902
      patch: [ { op: replace, path: /data/x, value: y } ]
    - path: patches/two.yaml
`,
      ),
    });
    expect(diagnostics).toEqual([]);
    const patches = fleet!.clusters[0]!.patches;
    expect(patches.map((p) => p.type)).toEqual(["strategic", "json6902", "strategic", "strategic"]);
    expect(patches[0]!.positions.locate(["spec", "replicas"])).toMatchObject({
      file: "clusters/a.yaml",
      line: 11,
      column: 21,
    });
    expect(patches[1]!.opLocations?.[0]).toMatchObject({ file: "clusters/a.yaml", line: 14 });
    expect(patches[3]!.positions.locate(["spec", "type"])).toMatchObject({ file: "patches/two.yaml", line: 9 });
  });

  it("rejects patch files outside the fleet and json6902 without target", async () => {
    const { diagnostics } = await load({
      "braid.yaml": fleetYaml(SOURCES),
      "clusters/a.yaml": clusterYaml(
        "a",
        `  patches:
    - path: ../../etc/passwd
    - type: json6902
      patch: [ { op: remove, path: /x } ]
    - patch: { spec: { replicas: 1 } }
`,
      ),
    });
    expect(codes(diagnostics)).toEqual(["PATH_ESCAPE", "PATCH_INVALID", "PATCH_INVALID"]);
  });
});
