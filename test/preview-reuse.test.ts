/**
 * `braid preview` takes, at head, a previous result (the local cache, or the deploy branch as the repository
 * has it) for each cluster whose input digest is the same at base and at head (preview/head-reuse.ts). The
 * report must be byte-identical to one where both sides are rendered whole, and a Secret value of a cluster
 * taken unrendered is still scrubbed from the diagnostics (preview/reused-objects.ts).
 */
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { memoryIO } from "../src/cli/io.js";
import { fixtureTime, git, makeFixtureRepo } from "./helpers/fixture-repo.js";
import { deploymentYaml } from "./helpers/deployment-yaml.js";
import { clusterYaml, fleetYaml } from "./helpers/fleet-dir.js";
import { OPENAPI_DIR } from "./helpers/openapi-fixture.js";
import { reusedSensitiveObjects } from "../src/preview/reused-objects.js";
import type { ClusterResult, FleetRun } from "../src/pipeline/render-fleet.js";
import type { Fleet } from "../src/config/types.js";
import type { Diagnostic } from "../src/diagnostics/diagnostic.js";
import type { JsonObject } from "../src/model/resource.js";

const haveOpenApi = existsSync(join(OPENAPI_DIR, "v1.34.json"));
if (!haveOpenApi) console.warn(`[preview-reuse] no Kubernetes OpenAPI at ${OPENAPI_DIR}: these cases are skipped`);

/** The value c1 patches into the shared Secret, and that c2's broken patch quotes at head. */
const SECRET = "s3cr3t-value-one";

const replicas = (n: number) => `    - target: { kind: Deployment, name: web }
      patch: |
        spec: { replicas: ${n} }
`;
const secretPatch = `    - target: { kind: Secret, name: db }
      patch: |
        stringData: { password: ${SECRET} }
`;
// a patch whose target quotes c1's Secret value: its error message must not show it
const quotingPatch = `    - target: { kind: ConfigMap, name: ${SECRET} }
      patch: |
        data: { a: b }
`;

describe("reusedSensitiveObjects", () => {
  const file = (path: string, content: string) => ({ path, content });
  const secret = (v: string) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  p: ${v}\n`;
  const config = (v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  p: ${v}\n`;
  function fleetRun(sensitivePaths: string[], diagnostics: Diagnostic[]): FleetRun {
    const reused = {
      dir: "clusters/a",
      files: [
        file("kustomization.yaml", "resources: []\n"),
        file("apps/secret-s.yaml", secret("one")),
        file("apps/secret.example.com-s.yaml", secret("two")),
        file("apps/configmap-c.yaml", config("three")),
        file("apps/secretstore-x.yaml", secret("four")),
      ],
      resources: 4,
      kinds: {},
      diagnostics: [],
      from: "cache",
    };
    return {
      fleet: { preview: { sensitivePaths } } as unknown as Fleet,
      diagnostics,
      clusters: [{ name: "a", reused, resources: [], diagnostics: [] } as unknown as ClusterResult],
      pins: new Map(),
      lock: { pins: [] },
      lockChanged: false,
    };
  }
  const warning: Diagnostic = { code: "SOURCE_EMPTY", severity: "warning", message: "w" };
  const values = (objects: JsonObject[]) => objects.map((o) => JSON.stringify(o.stringData ?? o.data));

  it("reads the files of kinds that may hold a sensitive value, only when a diagnostic is shown", async () => {
    expect(await reusedSensitiveObjects([fleetRun([], [])], undefined)).toEqual([]);
    expect(values(await reusedSensitiveObjects([fleetRun([], [warning])], undefined))).toEqual([
      '{"p":"one"}',
      '{"p":"two"}',
    ]);
    expect(values(await reusedSensitiveObjects([fleetRun(["ConfigMap:/data/p"], [warning])], undefined))).toEqual([
      '{"p":"one"}',
      '{"p":"two"}',
      '{"p":"three"}',
    ]);
    // a path of every kind: every file but the kustomization
    expect(await reusedSensitiveObjects([fleetRun(["/data/p"], [warning])], undefined)).toHaveLength(4);
  });
});

describe.skipIf(!haveOpenApi)("braid preview reuses unchanged clusters at head", () => {
  let fleetDir: string;

  beforeAll(async () => {
    const source = await makeFixtureRepo([
      {
        files: {
          "manifests/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n",
          "manifests/deployment.yaml": deploymentYaml({ name: "web", namespace: "apps", image: "web:1.0" }),
          "manifests/secret.yaml":
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: apps\nstringData:\n  password: placeholder\n",
        },
        tags: ["v1.0.0"],
      },
    ]);
    const sources = `    - name: base\n      url: ${source.dir}\n      ref: { tag: v1.0.0 }\n      path: manifests`;
    const repo = await makeFixtureRepo([
      {
        files: {
          "fleet/braid.yaml": fleetYaml(sources),
          "fleet/clusters/c1.yaml": clusterYaml("c1", `  patches:\n${replicas(2)}${secretPatch}`),
          "fleet/clusters/c2.yaml": clusterYaml("c2", `  patches:\n${replicas(2)}`),
          "fleet/clusters/c3.yaml": clusterYaml("c3", `  patches:\n${replicas(3)}`),
        },
        message: "base",
      },
    ]);
    fleetDir = join(repo.dir, "fleet");
    // the deploy branch as the base commit publishes it
    expect((await braid(["publish", "--quiet"], await newCache())).code).toBe(0);
    // head: c2 changes, with a patch that matches nothing and quotes c1's Secret value
    await writeFile(join(fleetDir, "clusters/c2.yaml"), clusterYaml("c2", `  patches:\n${replicas(4)}${quotingPatch}`));
    await git(repo.dir, ["commit", "-qam", "head"], fixtureTime(5));
  }, 60_000);

  const newCache = () => mkdtemp(join(tmpdir(), "braid-preview-reuse-"));

  async function braid(args: string[], cache: string, env: Record<string, string> = {}, cwd = fleetDir) {
    const io = memoryIO({ cwd, env: { BRAID_KUBERNETES_OPENAPI: OPENAPI_DIR, BRAID_CACHE: cache, ...env } });
    const code = await main(args, io);
    return { code, out: io.out.join(""), err: io.err.join("") };
  }

  const preview = (cache: string, format: string, env: Record<string, string> = {}, cwd = fleetDir) =>
    braid(["preview", "--base", "HEAD~1", "--head", "HEAD", "--format", format], cache, env, cwd);

  /** The preview with both sides rendered whole. */
  const whole = async (format: string) => preview(await newCache(), format, { BRAID_NO_INCREMENTAL: "1" });

  /** Adds a warning to the meta entry that `file` holds for `cluster` (a reused cluster reports it). */
  async function plantWarning(file: string, cluster: string): Promise<void> {
    const json = JSON.parse(await readFile(file, "utf8")) as {
      name?: string;
      diagnostics?: unknown[];
      metas?: Record<string, { name: string; diagnostics: unknown[] }>;
    };
    const metas = json.metas ? Object.values(json.metas) : [json];
    const meta = metas.find((m) => m.name === cluster);
    expect(meta, `no entry of ${cluster} in ${file}`).toBeDefined();
    meta!.diagnostics = [{ code: "SOURCE_EMPTY", severity: "warning", message: `planted in ${cluster}'s entry` }];
    await writeFile(file, JSON.stringify(json));
  }

  async function metaFiles(cache: string): Promise<string[]> {
    const out: string[] = [];
    for (const sub of await readdir(join(cache, "render"), { withFileTypes: true }))
      if (sub.isDirectory())
        for (const f of await readdir(join(cache, "render", sub.name)))
          if (f.endsWith(".meta.json")) out.push(join(cache, "render", sub.name, f));
    return out;
  }

  it("from the local cache: the same report as rendering whole, the Secret value scrubbed", async () => {
    const cache = await newCache();
    // a render of the working tree (head) leaves c1 and c3 in the local cache (c2 fails)
    expect((await braid(["render", "--quiet", "--out", join(cache, "out")], cache)).code).toBe(1);
    for (const format of ["markdown", "json", "text"]) {
      const expected = await whole(format);
      expect(expected.out).toContain("PATCH_NO_MATCH");
      expect(expected.out).not.toContain(SECRET);
      const got = await preview(cache, format);
      expect(got.code).toBe(1);
      expect(got.out).toBe(expected.out);
      expect(got.err).toBe(expected.err);
    }
    // c3 was taken from the cache: a warning planted in its entry is reported
    for (const file of await metaFiles(cache)) {
      const meta = JSON.parse(await readFile(file, "utf8")) as { name: string };
      if (meta.name === "c3") await plantWarning(file, "c3");
    }
    const planted = await preview(cache, "json");
    expect(planted.out).toContain("planted in c3's entry");
  }, 60_000);

  it("from the deploy branch of a clone (origin/deploy), with an empty cache", async () => {
    const clone = await mkdtemp(join(tmpdir(), "braid-preview-clone-"));
    const repo = join(clone, "repo");
    await git(clone, ["clone", "-q", join(fleetDir, ".."), "repo"]);
    const cloned = join(repo, "fleet");
    expect(await git(repo, ["branch", "-r"])).toContain("origin/deploy");
    for (const format of ["markdown", "json", "text"]) {
      const expected = await whole(format);
      const got = await preview(await newCache(), format, {}, cloned);
      expect(got.code).toBe(1);
      expect(got.out).toBe(expected.out);
      expect(got.out).not.toContain(SECRET);
    }
    // c3 was taken from origin/deploy: a warning planted in its inventory entry there is reported
    const work = join(clone, "deploy");
    await git(repo, ["worktree", "add", "-q", "--detach", work, "origin/deploy"]);
    const inventory = JSON.parse(await readFile(join(work, "inventory.json"), "utf8")) as {
      clusters: { name: string; diagnostics?: unknown[] }[];
    };
    const c3 = inventory.clusters.find((c) => c.name === "c3")!;
    c3.diagnostics = [{ code: "SOURCE_EMPTY", severity: "warning", message: "planted in c3's inventory entry" }];
    await writeFile(join(work, "inventory.json"), JSON.stringify(inventory, null, 2) + "\n");
    await git(work, ["commit", "-qam", "plant"], fixtureTime(9));
    await git(work, ["update-ref", "refs/remotes/origin/deploy", "HEAD"]);
    const planted = await preview(await newCache(), "json", {}, cloned);
    expect(planted.out).toContain("planted in c3's inventory entry");
  }, 60_000);

  it.each([
    ["git fetches it from the promisor remote, as git checkout would", "git"],
    ["without git (BRAID_GIT_TRANSPORT=embedded) every cluster is rendered after all", "embedded"],
  ])(
    "a reused cluster's Secret left out of a partial clone: %s",
    async (_, transport) => {
      const clone = await mkdtemp(join(tmpdir(), "braid-preview-partial-"));
      const origin = join(fleetDir, "..");
      await git(origin, ["config", "uploadpack.allowFilter", "true"]);
      await git(clone, ["clone", "-q", "--filter=blob:none", `file://${origin}`, "repo"]);
      const repo = join(clone, "repo");
      // without git, the fleet at base and the deploy branch's inventory must be there (git fetches them when
      // asked); through git, braid's reads fetch them; c1's Secret is left out either way
      if (transport === "embedded") {
        await git(repo, ["checkout", "-q", "HEAD~1"]);
        await git(repo, ["checkout", "-q", "main"]);
        await git(repo, ["cat-file", "-p", "origin/deploy:inventory.json"]);
      }
      const missing = await git(repo, ["rev-parse", "origin/deploy:clusters/c1/apps/secret-db.yaml"]);
      const leftOut = () => git(repo, ["rev-list", "--objects", "--missing=print", "origin/deploy"]);
      expect(await leftOut()).toContain(`?${missing}`);
      const expected = await whole("json");
      // git objects are read through the process's environment (git/cat-file.ts)
      const before = process.env.BRAID_GIT_TRANSPORT;
      if (transport === "embedded") process.env.BRAID_GIT_TRANSPORT = "embedded";
      const got = await preview(await newCache(), "json", {}, join(repo, "fleet")).finally(() => {
        if (before === undefined) delete process.env.BRAID_GIT_TRANSPORT;
        else process.env.BRAID_GIT_TRANSPORT = before;
      });
      expect(got.code).toBe(1);
      expect(got.out).toBe(expected.out);
      expect(got.out).not.toContain(SECRET);
      // read back through git (which fetched it), or not read at all
      if (transport === "git") {
        expect(await leftOut()).not.toContain(`?${missing}`);
        expect(await git(repo, ["rev-list", "--objects", "--missing=print", "HEAD~1"])).not.toContain("?");
      } else expect(await leftOut()).toContain(`?${missing}`);
    },
    60_000,
  );

  it("from the deploy branch: a reused cluster reports what the last publish recorded for it", async () => {
    const cache = await newCache();
    // a publish from this folder records each cluster's meta entry (c2 fails at head and is left out)
    await braid(["publish", "--quiet", "--partial", "--branch", "deploy2"], cache);
    const record = (await readdir(join(cache, "render"))).filter((f) => f.startsWith("published-"));
    expect(record).toHaveLength(1);
    await plantWarning(join(cache, "render", record[0]!), "c3");
    // publish wrote no files to the local cache: c3 can only come from the deploy branch, with that entry
    const planted = await preview(cache, "json");
    expect(planted.out).toContain("planted in c3's entry");
  }, 60_000);

  it("--no-cache renders both sides whole", async () => {
    const cache = await newCache();
    expect((await braid(["render", "--quiet", "--out", join(cache, "out")], cache)).code).toBe(1);
    for (const file of await metaFiles(cache)) {
      const meta = JSON.parse(await readFile(file, "utf8")) as { name: string };
      if (meta.name === "c3") await plantWarning(file, "c3");
    }
    const got = await braid(["preview", "--base", "HEAD~1", "--head", "HEAD", "--format", "json", "--no-cache"], cache);
    expect(got.out).not.toContain("planted");
    expect(got.out).toBe((await whole("json")).out);
  }, 60_000);
});
