import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { memoryIO } from "../src/cli/io.js";
import { makeFixtureRepo } from "./helpers/fixture-repo.js";
import { clusterYaml, fleetYaml, writeFleet } from "./helpers/fleet-dir.js";
import { OPENAPI } from "./helpers/golden.js";
import { openApiSkipReason } from "./helpers/openapi-fixture.js";

const NO_OPENAPI = openApiSkipReason("bad-input");

/**
 * Bad inputs of every kind: braid must answer each with exit 1 and diagnostics that carry a code and a
 * location — never a crash (exit 4) and never a message without a file.
 */
let repo: string;
beforeAll(async () => {
  const made = await makeFixtureRepo([
    {
      files: {
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: cm, namespace: default }\ndata: { a: b }\n",
        "dep.yaml":
          "apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: d, namespace: default }\nspec:\n  selector: { matchLabels: { a: b } }\n  template:\n    metadata: { labels: { a: b } }\n    spec: { containers: [ { name: c, image: i } ] }\n",
      },
      tags: ["v1.0.0"],
    },
  ]);
  repo = made.dir;
});

const SRC = () => `    - name: s\n      url: ${repo}\n      ref: { tag: v1.0.0 }`;

const cases: [string, string, () => Record<string, string>][] = [
  ["braid.yaml is a list", "CONFIG_SCHEMA", () => ({ "braid.yaml": "- a\n- b\n" })],
  ["braid.yaml is empty", "CONFIG_SCHEMA", () => ({ "braid.yaml": "" })],
  ["two documents in braid.yaml", "CONFIG_SCHEMA", () => ({ "braid.yaml": fleetYaml(SRC()) + "\n---\nkind: Fleet\n" })],
  [
    "wrong apiVersion",
    "CONFIG_SCHEMA",
    () => ({
      "braid.yaml": fleetYaml(SRC()).replace("braid/v1alpha1", "braid/v2"),
      "clusters/a.yaml": clusterYaml("a"),
    }),
  ],
  [
    "duplicate keys",
    "YAML_SYNTAX",
    () => ({ "braid.yaml": fleetYaml(SRC()), "clusters/a.yaml": clusterYaml("a", "  vars: { A: x, A: y }") }),
  ],
  [
    "tab indentation",
    "YAML_SYNTAX",
    () => ({
      "braid.yaml": fleetYaml(SRC()),
      "clusters/a.yaml": "apiVersion: braid/v1alpha1\nkind: Cluster\nmetadata:\n\tname: a\n",
    }),
  ],
  [
    "patch text is not YAML",
    "PATCH_INVALID",
    () => ({
      "braid.yaml": fleetYaml(SRC()),
      "clusters/a.yaml": clusterYaml("a", '  patches:\n    - target: { kind: ConfigMap }\n      patch: "{ unclosed"'),
    }),
  ],
  [
    "patch is a scalar",
    "PATCH_INVALID",
    () => ({
      "braid.yaml": fleetYaml(SRC()),
      "clusters/a.yaml": clusterYaml("a", '  patches:\n    - target: { kind: ConfigMap }\n      patch: "just text"'),
    }),
  ],
  [
    "json6902 op without path",
    "PATCH_FAILED",
    () => ({
      "braid.yaml": fleetYaml(SRC()),
      "clusters/a.yaml": clusterYaml(
        "a",
        "  patches:\n    - target: { kind: ConfigMap }\n      type: json6902\n      patch: [ { op: add, value: 1 } ]",
      ),
    }),
  ],
  [
    "json6902 op is a string",
    "PATCH_FAILED",
    () => ({
      "braid.yaml": fleetYaml(SRC()),
      "clusters/a.yaml": clusterYaml(
        "a",
        "  patches:\n    - target: { kind: ConfigMap }\n      type: json6902\n      patch: [ remove ]",
      ),
    }),
  ],
  [
    "bad target regex",
    "PATCH_INVALID",
    () => ({
      "braid.yaml": fleetYaml(SRC()),
      "clusters/a.yaml": clusterYaml(
        "a",
        '  patches:\n    - target: { kind: "Config(Map" }\n      patch: { data: { x: y } }',
      ),
    }),
  ],
  [
    "bad label selector",
    "PATCH_INVALID",
    () => ({
      "braid.yaml": fleetYaml(SRC()),
      "clusters/a.yaml": clusterYaml(
        "a",
        '  patches:\n    - target: { labelSelector: "a in (" }\n      patch: { data: { x: y } }',
      ),
    }),
  ],
  [
    "strategic patch turns a map into a list",
    "PATCH_FAILED",
    () => ({
      "braid.yaml": fleetYaml(SRC()),
      "clusters/a.yaml": clusterYaml(
        "a",
        "  patches:\n    - target: { kind: Deployment }\n      patch: { spec: { template: [1, 2] } }",
      ),
    }),
  ],
  [
    "strategic patch with a bad directive",
    "PATCH_FAILED",
    () => ({
      "braid.yaml": fleetYaml(SRC()),
      "clusters/a.yaml": clusterYaml(
        "a",
        "  patches:\n    - target: { kind: Deployment }\n      patch: { spec: { template: { spec: { containers: [ { name: c, $patch: explode } ] } } } }",
      ),
    }),
  ],
  [
    "malformed substitution",
    "SUBST_SYNTAX",
    () => ({
      "braid.yaml": fleetYaml(SRC()),
      "clusters/a.yaml": clusterYaml(
        "a",
        '  patches:\n    - target: { kind: ConfigMap }\n      patch: { data: { x: "${A:}" } }',
      ),
    }),
  ],
  [
    "unknown OpenAPI version",
    "OPENAPI_UNKNOWN_VERSION",
    () => ({ "braid.yaml": fleetYaml(SRC()).replace('"1.34"', '"1.99"'), "clusters/a.yaml": clusterYaml("a") }),
  ],
  [
    "source is not a repository",
    "SOURCE_NOT_FOUND",
    () => ({ "braid.yaml": fleetYaml("    - name: s\n      url: ./nowhere"), "clusters/a.yaml": clusterYaml("a") }),
  ],
  [
    "broken lock file",
    "LOCK_INVALID",
    () => ({ "braid.yaml": fleetYaml(SRC()), "clusters/a.yaml": clusterYaml("a"), "braid.lock": "pins: {" }),
  ],
  [
    "broken org policy",
    "ORG_SCHEMA_INVALID",
    () => ({
      "braid.yaml": fleetYaml(SRC()),
      "clusters/a.yaml": clusterYaml("a"),
      "schemas/p.yaml": "apiVersion: braid/v1alpha1\nkind: Policy\nmetadata: { name: p }\nspec: { schema: 7 }\n",
    }),
  ],
];

describe.skipIf(NO_OPENAPI)("bad input never crashes", () => {
  it.each(cases)("%s → exit 1 with %s at a file position", async (_name, code, files) => {
    const dir = await writeFleet(files());
    for (const cmd of [
      ["validate", "--format", "json"],
      ["render", "--out", join(dir, ".out"), "--format", "json"],
    ]) {
      const io = memoryIO({ cwd: dir, env: { BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: join(dir, ".cache") } });
      const exit = await main(cmd, io);
      const text = io.out.join("") + io.err.join("");
      expect(text).not.toContain("INTERNAL");
      expect(exit, text).toBe(1);
      if (io.out.length) {
        const report = JSON.parse(io.out.join(""));
        const d = report.diagnostics.find((x: { code: string }) => x.code === code);
        expect(d, text).toBeDefined();
        expect(d.location?.file, text).toBeTruthy();
      } else expect(io.err.join("")).toContain(code);
    }
  });
});
