/**
 * Issue 14, diagnostics: config errors get "did you mean" from the one ajv-error translator, and `--format text`
 * prints a code frame under each located error (fleet files and source files at their pinned commit); json and
 * github output carry none.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { memoryIO } from "../src/cli/io.js";
import { makeFixtureRepo } from "./helpers/fixture-repo.js";
import { clusterYaml, fleetYaml, writeFleet } from "./helpers/fleet-dir.js";
import { OPENAPI } from "./helpers/golden.js";
import { openApiSkipReason } from "./helpers/openapi-fixture.js";

const NO_OPENAPI = openApiSkipReason("diagnostics-text");

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function fleet(files: Record<string, string>): Promise<string> {
  const dir = await writeFleet(files);
  dirs.push(dir);
  return dir;
}

async function cli(dir: string, args: string[]) {
  const io = memoryIO({ cwd: dir, env: { BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: join(dir, ".cache") } });
  const code = await main(args, io);
  return { code, out: io.out.join(""), err: io.err.join("") };
}

const SOURCE = `    - name: base
      url: ../base
      ref: { tag: v1.0.0 }`;

const TYPO_FLEET = `apiVersion: braid/v1alpha1
kind: Fleet
metadata: { name: test }
spec:
  kubernetesVersion: "1.34"
  sorces:
${SOURCE}
`;

const TYPO_CLUSTER = `apiVersion: braid/v1alpha1
kind: Cluster
metadata:
  name: dev-1
spec:
  kubernetesVerison: "1.34"
  patches:
    - target: { kind: Deployment }
      type: strategc
      patch: "spec: {}"
`;

describe("config errors: did you mean, located, with a code frame", () => {
  it("a typo'd key in braid.yaml is one error (not also a missing `sources`), with the frame", async () => {
    const dir = await fleet({ "braid.yaml": TYPO_FLEET, "clusters/dev-1.yaml": clusterYaml("dev-1") });
    const r = await cli(dir, ["validate", "--quiet"]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      [
        'braid.yaml:6:3: error CONFIG_SCHEMA: [/spec/sorces] unknown field "sorces" (did you mean "sources"?)',
        "  > 6 |   sorces:",
        "      |   ^",
        "  hint: the fields here are: sources, kubernetesVersion, vars, patches, validation, output, publish, kustomize, preview",
        "",
      ].join("\n"),
    );
  });

  // the other cluster still renders, so the run loads the Kubernetes OpenAPI
  it.skipIf(NO_OPENAPI)(
    "a cluster file: an unknown key and an enum value get did you mean, each at its line:col",
    async () => {
      const dir = await fleet({ "braid.yaml": fleetYaml(SOURCE), "clusters/dev-1.yaml": TYPO_CLUSTER });
      const r = await cli(dir, ["validate", "--quiet"]);
      expect(r.code).toBe(1);
      expect(r.err).toBe(
        [
          'clusters/dev-1.yaml:6:3: error CONFIG_SCHEMA: [/spec/kubernetesVerison] unknown field "kubernetesVerison" (did you mean "kubernetesVersion"?)',
          "    5 | spec:",
          '  > 6 |   kubernetesVerison: "1.34"',
          "      |   ^",
          "  hint: the fields here are: kubernetesVersion, sources, vars, patches",
          'clusters/dev-1.yaml:9:13: error CONFIG_SCHEMA: [/spec/patches/0/type] "strategc" is not one of "strategic", "merge", "json6902" (did you mean "strategic"?)',
          "  > 9 |       type: strategc",
          "      |             ^",
          "  hint: see schemas/cluster.schema.json",
          "",
        ].join("\n"),
      );
    },
  );

  it.skipIf(NO_OPENAPI)("--format json and --format github carry the same diagnostics without frames", async () => {
    const dir = await fleet({ "braid.yaml": fleetYaml(SOURCE), "clusters/dev-1.yaml": TYPO_CLUSTER });
    const json = await cli(dir, ["validate", "--format", "json"]);
    expect(json.code).toBe(1);
    const ds = (JSON.parse(json.out) as { diagnostics: { code: string; message: string; location: unknown }[] })
      .diagnostics;
    expect(ds.map((d) => [d.code, d.message, d.location])).toEqual([
      [
        "CONFIG_SCHEMA",
        'unknown field "kubernetesVerison" (did you mean "kubernetesVersion"?)',
        { file: "clusters/dev-1.yaml", line: 6, column: 3 },
      ],
      [
        "CONFIG_SCHEMA",
        '"strategc" is not one of "strategic", "merge", "json6902" (did you mean "strategic"?)',
        { file: "clusters/dev-1.yaml", line: 9, column: 13 },
      ],
    ]);
    expect(json.err).toBe("");
    const github = await cli(dir, ["validate", "--format", "github", "--quiet"]);
    expect(github.err.split("\n").filter((l) => l.startsWith("::error")).length).toBe(2);
    expect(github.err).not.toContain(" | ");
  });
});

describe.skipIf(NO_OPENAPI)("code frames of errors in source files", () => {
  it("a schema error in a source manifest shows the line of the file at the pinned commit", async () => {
    const dir = await fleet({ "braid.yaml": fleetYaml(SOURCE), "clusters/dev-1.yaml": clusterYaml("dev-1") });
    const base = join(dir, "..", `${dir.split("/").pop()}-base`);
    dirs.push(base);
    await makeFixtureRepo(
      [
        {
          files: {
            "deploy.yaml":
              "apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web, namespace: apps }\nspec:\n  replicaz: 2\n  selector: { matchLabels: { app: web } }\n  template:\n    metadata: { labels: { app: web } }\n    spec: { containers: [ { name: web, image: nginx } ] }\n",
          },
          tags: ["v1.0.0"],
        },
        // the working tree moves on: the frame must come from the pinned commit, not from a checkout
        { files: { "deploy.yaml": "changed: after the tag\n" } },
      ],
      { dir: base },
    );
    await rm(join(dir, "braid.yaml"));
    await writeFleet({ "braid.yaml": fleetYaml(SOURCE.replace("../base", base)) }, dir);
    const r = await cli(dir, ["validate", "--quiet"]);
    expect(r.code, r.err).toBe(1);
    expect(r.err).toMatch(
      new RegExp(
        [
          String.raw`^base@[0-9a-f]{7}:deploy\.yaml:5:13: error SCHEMA_VIOLATION: \[cluster dev-1 Deployment apps/web /spec/replicaz\] unknown field "replicaz" \(did you mean "replicas"\?\)`,
          String.raw`    4 \| spec:`,
          String.raw`  > 5 \|   replicaz: 2`,
          String.raw`      \|             \^`,
          "$",
        ].join("\n"),
      ),
    );
  });
});
