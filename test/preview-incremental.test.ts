/**
 * `braid preview` renders at base only the clusters whose input digest differs from head's
 * (preview/head-reuse.ts): the report must be byte-identical to one where base is rendered whole.
 */
import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { memoryIO } from "../src/cli/io.js";
import type { ClusterResult, FleetRun } from "../src/pipeline/render-fleet.js";
import { headReuse, sameAsHead, unchangedReuse } from "../src/preview/head-reuse.js";
import type { EffectiveCluster } from "../src/config/types.js";
import { serializeLock } from "../src/sources/lock.js";
import { makeFixtureRepo } from "./helpers/fixture-repo.js";
import { deploymentYaml } from "./helpers/deployment-yaml.js";
import { clusterYaml, fleetYaml } from "./helpers/fleet-dir.js";
import { OPENAPI_DIR } from "./helpers/openapi-fixture.js";

const haveOpenApi = existsSync(join(OPENAPI_DIR, "v1.34.json"));
if (!haveOpenApi)
  console.warn(`[preview-incremental] no Kubernetes OpenAPI at ${OPENAPI_DIR}: the end-to-end cases are skipped`);

function result(name: string, digest: string, ok = true): ClusterResult {
  return {
    name,
    cluster: { name } as EffectiveCluster,
    pins: [],
    resources: [],
    output: ok
      ? { cluster: name, dir: `clusters/${name}`, files: [{ path: "kustomization.yaml", content: name }] }
      : undefined,
    diagnostics: [],
    ok,
    inputDigest: digest,
  };
}

function run(clusters: ClusterResult[]): FleetRun {
  return { diagnostics: [], clusters, pins: new Map(), lock: { pins: [] }, lockChanged: false };
}

describe("head-reuse", () => {
  const head = run([result("same", "d1"), result("changed", "d2"), result("failed", "d3", false)]);
  const reuse = headReuse(head);
  const lookup = (name: string, digest: string) =>
    reuse.lookup({ name } as EffectiveCluster, { digest, key: `${digest}-key` });

  it("takes head's result only for a clean cluster with the same input digest", async () => {
    expect((await lookup("same", "d1"))?.from).toBe("head");
    expect(await lookup("changed", "d2-at-base")).toBeUndefined();
    expect(await lookup("failed", "d3")).toBeUndefined(); // errors are always found again
    expect(await lookup("only-at-base", "d1")).toBeUndefined();
  });

  it("passes on a result head itself took from a previous run (its tree or files, counts, diagnostics)", async () => {
    const reused = {
      dir: "clusters/r",
      tree: "ab".repeat(20),
      resources: 7,
      kinds: { Secret: 7 },
      diagnostics: [],
      from: "deploy branch",
    };
    const r = headReuse(run([{ ...result("r", "d4"), reused }]));
    expect(await r.lookup({ name: "r" } as EffectiveCluster, { digest: "d4", key: "k" })).toEqual({
      ...reused,
      from: "head",
    });
  });

  it("asks a previous run at head only for clusters whose digest is base's", async () => {
    const asked: string[] = [];
    const previous = {
      lookup: (c: EffectiveCluster) => {
        asked.push(c.name);
        return Promise.resolve({ dir: "x", resources: 0, kinds: {}, diagnostics: [], from: "cache" });
      },
    };
    const r = unchangedReuse(
      new Map([
        ["same", "d1"],
        ["changed", "d2"],
      ]),
      previous,
    );
    expect(await r.lookup({ name: "same" } as EffectiveCluster, { digest: "d1", key: "k" })).toBeDefined();
    expect(await r.lookup({ name: "changed" } as EffectiveCluster, { digest: "d2-at-head", key: "k" })).toBeUndefined();
    expect(await r.lookup({ name: "new" } as EffectiveCluster, { digest: "d9", key: "k" })).toBeUndefined();
    expect(asked).toEqual(["same"]);
  });

  it("puts head's own result in base's place, and leaves what base rendered", async () => {
    const reused = await lookup("same", "d1");
    const baseChanged = result("changed", "d2-at-base");
    const base = run([{ ...result("same", "d1"), reused }, baseChanged]);
    const merged = sameAsHead(head, base);
    expect(merged.clusters[0]).toBe(head.clusters[0]);
    expect(merged.clusters[1]).toBe(baseChanged);
  });
});

const deployment = (image: string) => deploymentYaml({ name: "web", namespace: "apps", image });

const patch = (replicas: number) => `  patches:
    - target: { kind: Deployment, name: web }
      patch: |
        spec: { replicas: ${replicas} }
`;
const brokenPatch = `  patches:
    - target: { kind: Deployment, name: no-such-deployment }
      patch: |
        spec: { replicas: 2 }
`;

describe.skipIf(!haveOpenApi)("braid preview renders at base only what may differ", () => {
  let source: { dir: string; commits: string[] };
  let fleetDir: string;
  beforeAll(async () => {
    source = await makeFixtureRepo([
      {
        files: {
          "manifests/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n",
          "manifests/deployment.yaml": deployment("web:1.0"),
        },
        tags: ["v1.0.0"],
      },
      { files: { "manifests/deployment.yaml": deployment("web:1.1") }, tags: ["v1.1.0"] },
    ]);
    const lock = (i: number) =>
      serializeLock({
        pins: [
          {
            source: "base",
            url: source.dir,
            ref: { semver: ">=1.0.0" },
            commit: source.commits[i]!,
            tag: `v1.${i}.0`,
            version: `1.${i}.0`,
          },
        ],
      });
    const sources = `    - name: base\n      url: ${source.dir}\n      ref: { semver: ">=1.0.0" }\n      path: manifests`;
    const base: Record<string, string> = {
      "fleet/braid.yaml": fleetYaml(sources),
      "fleet/braid.lock": lock(0),
      "fleet/clusters/broken.yaml": clusterYaml("broken", brokenPatch),
    };
    for (const c of ["c1", "c2", "c3", "c4"]) base[`fleet/clusters/${c}.yaml`] = clusterYaml(c, patch(2));
    const repo = await makeFixtureRepo([
      { files: base, message: "base" },
      // head: one cluster's patch changed; the others (and the broken one) unchanged
      { files: { "fleet/clusters/c2.yaml": clusterYaml("c2", patch(5)) }, message: "one cluster" },
      // later: every cluster's source bumped
      { files: { "fleet/braid.lock": lock(1) }, message: "bump" },
    ]);
    fleetDir = join(repo.dir, "fleet");
  }, 60_000);

  async function preview(args: string[], env: Record<string, string> = {}) {
    const cache = await mkdtemp(join(tmpdir(), "braid-preview-incr-"));
    const io = memoryIO({
      cwd: fleetDir,
      env: { BRAID_KUBERNETES_OPENAPI: OPENAPI_DIR, BRAID_CACHE: cache, ...env },
    });
    const code = await main(["preview", ...args], io);
    return { code, out: io.out.join(""), err: io.err.join("") };
  }

  it.each([
    ["one cluster changed", "HEAD~2", "HEAD~1"],
    ["every cluster's source bumped", "HEAD~1", "HEAD"],
    ["both", "HEAD~2", "HEAD"],
  ])(
    "%s: the report is byte-identical to rendering base whole, in every format",
    async (_what, base, head) => {
      for (const format of ["markdown", "json", "text"]) {
        const args = ["--base", base, "--head", head, "--format", format];
        const partial = await preview(args);
        const whole = await preview(args, { BRAID_NO_INCREMENTAL: "1" });
        const flag = await preview([...args, "--no-cache"]);
        expect(partial.code).toBe(1); // the broken cluster's error at head
        expect(partial.out).toContain("PATCH_NO_MATCH");
        expect(partial.out).toBe(whole.out);
        expect(partial.err).toBe(whole.err);
        expect(flag.out).toBe(whole.out);
      }
    },
    120_000,
  );

  it("one cluster changed: only it is reported, with its diff", async () => {
    const { out } = await preview(["--base", "HEAD~2", "--head", "HEAD~1", "--format", "json"]);
    const report = JSON.parse(out) as { clusters: { cluster: string; status: string }[]; unchanged: string[] };
    const status = Object.fromEntries(report.clusters.map((c) => [c.cluster, c.status]));
    expect(status).toEqual({ broken: "failed", c2: "changed" });
    expect(report.unchanged).toEqual(["c1", "c3", "c4"]);
    expect(out).toContain("+  replicas: 5");
  }, 60_000);
});
