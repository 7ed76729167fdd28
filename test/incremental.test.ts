/**
 * Incremental renders and publishes (issue 13 part 2), as a seeded property test: a small random fleet over
 * real Git sources (made with the git CLI), then a series of random changes — a var, a pin, a source commit
 * on a floating branch, a patch file, an org schema, the Kubernetes version, the OpenAPI document, a group
 * membership, a source turned off, comments that move positions, braid.lock added or removed — and after
 * each change:
 *  - the incremental publish (warm cache, the deploy branch of the previous steps) makes exactly the tree a
 *    cold publish makes (fresh cache, a fresh branch, BRAID_NO_INCREMENTAL), with the same diagnostics, and so
 *    does a second one (with braid.lock, the no-op shortcut), and so does one with an empty cache (a new CI
 *    runner: reuse from the deploy tip alone, diagnostics from its inventory);
 *  - the incremental render (warm cache) writes exactly the files of a cold `render --no-cache`, with the
 *    same report.
 * A cluster carries a warning (SOURCE_EMPTY, placed in braid.yaml) in every step, and every cluster a note
 * placed in a source (CEL_NOT_EVALUATED), so reused clusters must report them again.
 * Reproduce a failure with BRAID_PROPERTY_SEED=<seed printed in the failure>.
 */
import { mkdtemp, readdir, readFile, rename, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { memoryIO } from "../src/cli/io.js";
import { fixtureTime, git, makeFixtureRepo } from "./helpers/fixture-repo.js";
import { OPENAPI_DIR, openApiSkipReason } from "./helpers/openapi-fixture.js";

const SKIP = openApiSkipReason("incremental") ?? openApiSkipReason("incremental", "1.33");

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface ClusterState {
  name: string;
  env: "prod" | "dev";
  region: string;
  platformTag: "v1.0.0" | "v1.1.0";
  patchFile: boolean;
  kubernetesVersion?: "1.33" | "1.34";
  docs: boolean;
}

interface FleetState {
  /** braid.lock committed (`braid lock --update` after each change), or no lock (pins resolved live). */
  locked: boolean;
  /** Comment lines at the top of braid.yaml and of cluster a's file: they move the diagnostics' positions. */
  comments: number;
  clusterComments: number;
  /** BRAID_KUBERNETES_OPENAPI: the folder of documents, or one document for every version. */
  openapi: "folder" | "v1.33.json";
  kubernetesVersion: "1.33" | "1.34";
  replicas: number;
  policy: 0 | 1 | 2;
  clusters: ClusterState[];
}

const PLATFORM = (version: string): Record<string, string> => ({
  "manifests/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: web\n",
  "manifests/web.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: web
  labels: { app: web }
data:
  cluster: \${CLUSTER_NAME}
  region: \${REGION}
  tier: \${TIER:-none}
  version: "${version}"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: web
spec:
  replicas: 1
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: nginx:${version}
`,
});

function appsFiles(n: number, widgets = false): Record<string, string> {
  return {
    "deploy/apps.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: apps-${n % 3}
  namespace: web
data:
  build: "${n}"
`,
    // a CRD with a CEL rule and an object of it: every cluster reports CEL_NOT_EVALUATED, placed in the source
    ...(widgets
      ? {
          "deploy/widgets.yaml": `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: widgets.example.com }
spec:
  names: { kind: Widget, plural: widgets }
  group: example.com
  scope: Namespaced
  versions:
    - { name: v1, served: true, storage: true, schema: { openAPIV3Schema: { type: object, properties: { spec: {
        type: object,
        x-kubernetes-validations: [ { rule: "self.size <= 10" } ],
        properties: { size: { type: integer } } } } } } }
---
apiVersion: example.com/v1
kind: Widget
metadata: { name: w, namespace: web }
spec: { size: ${1 + (n % 5)} }
`,
        }
      : {}),
  };
}

function fleetFiles(s: FleetState): Record<string, string | null> {
  const files: Record<string, string | null> = {
    "braid.yaml": `${"# comment\n".repeat(s.comments)}apiVersion: braid/v1alpha1
kind: Fleet
metadata: { name: prop }
spec:
  kubernetesVersion: "${s.kubernetesVersion}"
  sources:
    - name: platform
      url: ../platform
      ref: { tag: v1.0.0 }
      path: manifests
    - name: apps
      url: ../apps
      ref: { branch: main }
      path: deploy
    - name: docs
      url: ../platform
      ref: { tag: v1.0.0 }
      path: docs
  output: { branch: deploy, path: "clusters/{cluster}" }
`,
    "groups/prod.yaml": `apiVersion: braid/v1alpha1
kind: Group
metadata: { name: prod }
spec:
  selector: { matchLabels: { env: prod } }
  vars: { TIER: gold }
  patches:
    - target: { kind: ConfigMap, name: web-config }
      type: merge
      patch: |
        data: { group: prod }
`,
    "patches/replicas.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: web }
spec: { replicas: ${s.replicas} }
`,
    ...(s.locked ? {} : { "braid.lock": null }),
    "schemas/policy.yaml":
      s.policy === 0
        ? null
        : `apiVersion: braid/v1alpha1
kind: Policy
metadata: { name: short-regions }
spec:
  description: regions are short codes
  match: { kinds: [ { kind: ConfigMap } ] }
  schema:
    type: object
    properties:
      data:
        properties:
          region: { type: string, maxLength: ${s.policy === 1 ? 20 : 2} }
`,
  };
  for (const c of s.clusters)
    files[`clusters/${c.name}.yaml`] =
      `${c.name === "a" ? "# comment\n".repeat(s.clusterComments) : ""}apiVersion: braid/v1alpha1
kind: Cluster
metadata:
  name: ${c.name}
  labels: { env: ${c.env} }
spec:
${c.kubernetesVersion ? `  kubernetesVersion: "${c.kubernetesVersion}"\n` : ""}  vars: { REGION: ${c.region} }
  sources:
    - { name: platform, ref: { tag: ${c.platformTag} } }
    - { name: docs, enabled: ${c.docs} }
${c.patchFile ? "  patches:\n    - path: patches/replicas.yaml\n" : ""}`;
  return files;
}

async function writeFiles(dir: string, files: Record<string, string | null>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    const full = join(dir, path);
    if (text === null) await rm(full, { force: true });
    else {
      await mkdir(dirname(full), { recursive: true });
      await writeFile(full, text);
    }
  }
}

/** Every file below a folder: relative path → content. */
async function readTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function go(rel: string): Promise<void> {
    for (const e of await readdir(join(dir, rel), { withFileTypes: true }).catch(() => [])) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await go(p);
      else out[p] = await readFile(join(dir, p), "utf8");
    }
  }
  await go("");
  return out;
}

type Change = { what: string; apply: (s: FleetState) => void | Promise<void> };

const roots: string[] = [];
afterAll(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

describe.skipIf(SKIP)("incremental publish and render", () => {
  it("after random changes, the incremental result equals a cold run's, byte for byte", async () => {
    const seed = Number(process.env.BRAID_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const rand = prng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const root = await mkdtemp(join(tmpdir(), "braid-incr-"));
    roots.push(root);
    await makeFixtureRepo(
      [
        { files: { ...PLATFORM("1.27"), "docs/README.md": "no manifests here\n" }, tags: ["v1.0.0"] },
        { files: PLATFORM("1.28"), tags: ["v1.1.0"] },
      ],
      { dir: join(root, "platform") },
    );
    let build = 0;
    await makeFixtureRepo([{ files: appsFiles(build, true) }], { dir: join(root, "apps") });
    const fleetDir = join(root, "fleet");
    const state: FleetState = {
      locked: true,
      comments: 0,
      clusterComments: 0,
      openapi: "folder",
      kubernetesVersion: "1.34",
      replicas: 2,
      policy: 0,
      clusters: ["a", "b", "c", "d"].map((name, i) => ({
        name,
        env: i % 2 ? "prod" : "dev",
        region: pick(["eu", "us", "ap"]),
        platformTag: "v1.0.0",
        patchFile: i < 2,
        docs: i === 0,
      })),
    };
    await mkdir(fleetDir, { recursive: true });
    await git(fleetDir, ["init", "-q", "-b", "main"]);
    let commits = 0;
    const commitFleet = async () => {
      await writeFiles(fleetDir, fleetFiles(state));
      if (state.locked) {
        const io = memoryIO({ cwd: fleetDir, env: { BRAID_CACHE: join(root, "cache-lock") } });
        await main(["lock", "--update"], io); // a pin that does not resolve is seen by the publishes below
      }
      await git(fleetDir, ["add", "-A"], fixtureTime(++commits));
      await git(fleetDir, ["commit", "-q", "--allow-empty", "-m", `step ${commits}`], fixtureTime(commits));
    };
    const cluster = () => pick(state.clusters);
    const changes: Change[] = [
      { what: "a var", apply: () => void (cluster().region = pick(["eu", "us", "ap", "emea-west"])) },
      {
        what: "a pin",
        apply: () => void ((c) => (c.platformTag = c.platformTag === "v1.0.0" ? "v1.1.0" : "v1.0.0"))(cluster()),
      },
      {
        what: "a source commit",
        apply: async () => {
          build++;
          await writeFiles(join(root, "apps"), appsFiles(build, true));
          await git(join(root, "apps"), ["add", "-A"], fixtureTime(100 + build));
          await git(join(root, "apps"), ["commit", "-q", "-m", `build ${build}`], fixtureTime(100 + build));
        },
      },
      { what: "a patch file", apply: (s) => void (s.replicas = 1 + Math.floor(rand() * 5)) },
      { what: "which clusters use the patch file", apply: () => void ((c) => (c.patchFile = !c.patchFile))(cluster()) },
      { what: "a fleet schema", apply: (s) => void (s.policy = pick([0, 1, 2] as const)) },
      {
        what: "the fleet's Kubernetes version",
        apply: (s) => void (s.kubernetesVersion = s.kubernetesVersion === "1.34" ? "1.33" : "1.34"),
      },
      {
        what: "a cluster's Kubernetes version",
        apply: () => void ((c) => (c.kubernetesVersion = pick([undefined, "1.33", "1.34"] as const)))(cluster()),
      },
      {
        what: "the OpenAPI document",
        apply: (s) => void (s.openapi = s.openapi === "folder" ? "v1.33.json" : "folder"),
      },
      { what: "a group membership", apply: () => void ((c) => (c.env = c.env === "prod" ? "dev" : "prod"))(cluster()) },
      // cluster a keeps its SOURCE_EMPTY warning throughout (so a comment moves a reused cluster's warning)
      { what: "a source on or off", apply: () => void ((c) => (c.docs = !c.docs))(pick(state.clusters.slice(1))) },
      { what: "braid.lock on or off", apply: (s) => void (s.locked = !s.locked) },
      { what: "a comment in braid.yaml", apply: (s) => void (s.comments = (s.comments + 1) % 3) },
      { what: "a comment in a cluster file", apply: (s) => void (s.clusterComments = (s.clusterComments + 1) % 3) },
      { what: "nothing", apply: () => undefined },
    ];

    const warmCache = join(root, "cache-warm");
    const env = (cache: string, cold = false) => ({
      BRAID_KUBERNETES_OPENAPI: state.openapi === "folder" ? OPENAPI_DIR : join(OPENAPI_DIR, state.openapi),
      BRAID_CACHE: cache,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@example.com",
      BRAID_NOW: "1700000000",
      ...(cold ? { BRAID_NO_INCREMENTAL: "1" } : {}),
    });
    const run = async (args: string[], cache: string, cold = false) => {
      const io = memoryIO({ cwd: fleetDir, env: env(cache, cold) });
      const code = await main([...args, "--format", "json"], io);
      const json = JSON.parse(io.out.join("")) as Record<string, unknown>;
      return { code, json, err: io.err.join("") };
    };
    const strip = (json: Record<string, unknown>) => ({
      ...json,
      out: undefined,
      reused: undefined,
      clusters: (json.clusters as Record<string, unknown>[] | undefined)?.map((c) => ({ ...c, reused: undefined })),
    });

    const log: string[] = [];
    let reusedInPublish = 0;
    let reusedFresh = 0;
    let reusedInRender = 0;
    let published = 0;
    try {
      await commitFleet();
      // every kind of change once per run, in a seeded order, two per step; a comment alone in its step (it
      // changes nothing but positions); step 0: the first publish
      const comments = changes.filter((c) => c.what.startsWith("a comment"));
      const others = changes.slice(0, -1).filter((c) => !comments.includes(c));
      const shuffle = <T>(xs: T[]): T[] => {
        for (let i = xs.length - 1; i > 0; i--) {
          const j = Math.floor(rand() * (i + 1));
          [xs[i], xs[j]] = [xs[j]!, xs[i]!];
        }
        return xs;
      };
      shuffle(others);
      const plan: Change[][] = [[changes[changes.length - 1]!]];
      for (let i = 0; i < others.length; i += 2) plan.push(others.slice(i, i + 2));
      for (const c of comments) plan.splice(1 + Math.floor(rand() * plan.length), 0, [c]);
      for (let step = 0; step < plan.length; step++) {
        const now = plan[step]!;
        for (const change of now) await change.apply(state);
        await commitFleet();
        log.push(`step ${step}: ${now.map((c) => c.what).join(", ")}`);

        const warm = await run(["publish"], warmCache);
        const cold = await run(["publish", "--branch", `cold-${step}`], join(root, `cache-cold-${step}`), true);
        expect(warm.code, warm.err).toBe(cold.code);
        expect(warm.json.diagnostics).toEqual(cold.json.diagnostics);
        if (step === 0)
          expect((cold.json.diagnostics as { code: string }[]).map((d) => d.code)).toContain("CEL_NOT_EVALUATED");
        if (cold.json.status === "refused") expect(warm.json.status).toBe("refused");
        else {
          expect(cold.json.status).toBe("published");
          published++;
          expect(["published", "unchanged"]).toContain(warm.json.status);
          expect(warm.json.tree).toBe(cold.json.tree);
          expect(await git(fleetDir, ["rev-parse", "deploy^{tree}"])).toBe(cold.json.tree);
        }
        reusedInPublish += warm.json.reused as number;
        // again, with nothing changed (with braid.lock: the shortcut that parses nothing)
        const again = await run(["publish"], warmCache);
        expect(again.code).toBe(cold.code);
        expect(again.json.diagnostics).toEqual(cold.json.diagnostics);
        expect(again.json.status).toBe(cold.json.status === "refused" ? "refused" : "unchanged");
        if (cold.json.status !== "refused") expect(again.json.tree).toBe(cold.json.tree);
        // a new CI runner: nothing in BRAID_CACHE, only the deploy branch (diagnostics from its inventory)
        const fresh = await run(["publish"], join(root, `cache-fresh-${step}`));
        expect(fresh.code, fresh.err).toBe(cold.code);
        expect(fresh.json.diagnostics).toEqual(cold.json.diagnostics);
        expect(fresh.json.status).toBe(cold.json.status === "refused" ? "refused" : "unchanged");
        if (cold.json.status !== "refused") expect(fresh.json.tree).toBe(cold.json.tree);
        reusedFresh += fresh.json.reused as number;

        const warmOut = join(root, `out-warm-${step}`);
        const coldOut = join(root, `out-cold-${step}`);
        const r1 = await run(["render", "--out", warmOut], warmCache);
        const r2 = await run(["render", "--out", coldOut, "--no-cache"], join(root, `cache-cold-${step}`));
        expect(r1.code).toBe(r2.code);
        expect(strip(r1.json)).toEqual(strip(r2.json));
        expect(await readTree(warmOut)).toEqual(await readTree(coldOut));
        reusedInRender += (r1.json.clusters as { reused?: string }[]).filter((c) => c.reused).length;
      }
      // the property is only worth something if results were reused on the way
      expect(reusedInPublish).toBeGreaterThan(0);
      expect(reusedFresh).toBeGreaterThan(0);
      expect(reusedInRender).toBeGreaterThan(0);
      expect(published).toBeGreaterThan(0);
    } catch (e) {
      throw new Error(
        `incremental property failed with BRAID_PROPERTY_SEED=${seed}\n${log.join("\n")}\n${(e as Error).message}`,
        { cause: e },
      );
    }
  }, 120_000);
});

describe.skipIf(SKIP)("incremental publish: what is reused, and the escape hatches", () => {
  it("a no-op publish renders nothing; a fresh cache reuses from the deploy tip; --no-cache and BRAID_NO_INCREMENTAL render every cluster", async () => {
    const root = await mkdtemp(join(tmpdir(), "braid-incr-"));
    roots.push(root);
    await makeFixtureRepo([{ files: { ...PLATFORM("1.27"), "docs/README.md": "none\n" }, tags: ["v1.0.0"] }], {
      dir: join(root, "platform"),
    });
    await makeFixtureRepo([{ files: appsFiles(0) }], { dir: join(root, "apps") });
    const fleetDir = join(root, "fleet");
    const state: FleetState = {
      locked: false,
      comments: 0,
      clusterComments: 0,
      openapi: "folder",
      kubernetesVersion: "1.34",
      replicas: 2,
      policy: 0,
      clusters: ["a", "b", "c"].map((name, i) => ({
        name,
        env: i ? "prod" : "dev",
        region: "eu",
        platformTag: "v1.0.0",
        patchFile: i === 1,
        docs: i === 0,
      })),
    };
    await mkdir(fleetDir, { recursive: true });
    await git(fleetDir, ["init", "-q", "-b", "main"]);
    await writeFiles(fleetDir, fleetFiles(state));
    await git(fleetDir, ["add", "-A"]);
    await git(fleetDir, ["commit", "-q", "-m", "fleet"]);
    const cache = join(root, "cache");
    const publish = async (extraEnv: Record<string, string> = {}, args: string[] = [], cacheDir = cache) => {
      const io = memoryIO({
        cwd: fleetDir,
        env: {
          BRAID_KUBERNETES_OPENAPI: OPENAPI_DIR,
          BRAID_CACHE: cacheDir,
          GIT_AUTHOR_NAME: "t",
          GIT_AUTHOR_EMAIL: "t@example.com",
          ...extraEnv,
        },
      });
      const code = await main(["publish", "--format", "json", ...args], io);
      const json = JSON.parse(io.out.join("")) as {
        status: string;
        reused: number;
        diagnostics: { code: string; cluster?: string; location?: { line?: number } }[];
      };
      return { code, ...json };
    };
    const first = await publish();
    expect([first.code, first.status, first.reused]).toEqual([0, "published", 0]);
    // a's warning is reported by every publish, reused or not
    const warnings = first.diagnostics.map((d) => `${d.code} ${d.cluster}`);
    expect(warnings).toEqual(["SOURCE_EMPTY a"]);

    // publish keeps its clusters' counts and diagnostics in one record for the fleet folder
    const records = (await readdir(join(cache, "render"))).filter((f) => f.startsWith("published-"));
    expect(records).toHaveLength(1);
    const record = JSON.parse(await readFile(join(cache, "render", records[0]!), "utf8")) as {
      metas: Record<string, { name: string; diagnostics: { code: string }[] }>;
    };
    expect(
      Object.values(record.metas)
        .map((m) => [m.name, m.diagnostics.map((d) => d.code)])
        .sort(),
    ).toEqual([
      ["a", ["SOURCE_EMPTY"]],
      ["b", []],
      ["c", []],
    ]);
    const noop = await publish();
    expect([noop.code, noop.status, noop.reused]).toEqual([0, "unchanged", 3]);
    expect(noop.diagnostics.map((d) => `${d.code} ${d.cluster}`)).toEqual(warnings);
    // the escape hatches render everything (and still find nothing to publish)
    for (const [env, args] of [
      [{ BRAID_NO_INCREMENTAL: "1" }, []],
      [{}, ["--no-cache"]],
    ] as const) {
      const r = await publish(env, [...args]);
      expect([r.status, r.reused]).toEqual(["unchanged", 0]);
      expect(r.diagnostics.map((d) => `${d.code} ${d.cluster}`)).toEqual(warnings);
    }
    // the inventory records each cluster's diagnostics; a place in a fleet file without its line
    const inventory = JSON.parse(await git(fleetDir, ["show", "deploy:inventory.json"])) as {
      clusters: { name: string; diagnostics?: { code: string; location?: Record<string, unknown> }[] }[];
    };
    expect(inventory.clusters.map((c) => [c.name, c.diagnostics?.map((d) => [d.code, d.location])])).toEqual([
      ["a", [["SOURCE_EMPTY", { file: "braid.yaml" }]]],
      ["b", undefined],
      ["c", undefined],
    ]);
    // a fresh cache (a new CI runner) reuses from the deploy tip the clusters whose recorded diagnostics are
    // exact: b and c (none); a's warning lost its line, so a is rendered. Then all three are reused.
    const freshCache = join(root, "fresh-cache");
    const fresh = await publish({}, [], freshCache);
    expect([fresh.status, fresh.reused]).toEqual(["unchanged", 2]);
    expect(fresh.diagnostics.map((d) => `${d.code} ${d.cluster}`)).toEqual(warnings);
    expect((await publish({}, [], freshCache)).reused).toBe(3);
    // the parsed-config cache is one file per fleet, and --no-cache neither reads nor writes it
    expect((await readdir(join(freshCache, "config"))).length).toBe(1);
    const untouched = join(root, "untouched-cache");
    await publish({}, ["--no-cache"], untouched);
    for (const folder of ["config", "manifests"])
      expect(await readdir(join(untouched, folder)).catch((e: unknown) => (e as NodeJS.ErrnoException).code)).toBe(
        "ENOENT",
      );
    expect((await readdir(join(freshCache, "manifests"))).length).toBeGreaterThan(0);
    // a comment in cluster b's file changes no digest: no commit, b reused (it has no diagnostics)
    await writeFile(join(fleetDir, "clusters/b.yaml"), "# a comment\n" + fleetFiles(state)["clusters/b.yaml"]!);
    await git(fleetDir, ["commit", "-qam", "comment"]);
    const comment = await publish();
    expect([comment.status, comment.reused]).toEqual(["unchanged", 3]);
    // a comment in braid.yaml moves a's warning down a line: the report says so, the inventory does not change
    const braidYaml = fleetFiles(state)["braid.yaml"]!;
    await writeFile(join(fleetDir, "braid.yaml"), "# a comment\n" + braidYaml);
    await git(fleetDir, ["commit", "-qam", "comment in braid.yaml"]);
    const moved = await publish();
    expect(moved.status).toBe("unchanged");
    const line = (r: { diagnostics: { location?: { line?: number } }[] }) => r.diagnostics[0]?.location?.line;
    expect(line(moved)).toBe(line(first)! + 1);
    await writeFile(join(fleetDir, "braid.yaml"), braidYaml);
    await git(fleetDir, ["commit", "-qam", "no comment"]);
    expect((await publish()).status).toBe("unchanged");

    // with every pin locked, a publish whose fleet folder did not change at all reads no source and parses
    // no config: it is unchanged even with the sources gone (a full run would fail on them)
    const lockIo = memoryIO({ cwd: fleetDir, env: { BRAID_KUBERNETES_OPENAPI: OPENAPI_DIR, BRAID_CACHE: cache } });
    expect(await main(["lock"], lockIo)).toBe(0);
    await git(fleetDir, ["add", "braid.lock"]);
    await git(fleetDir, ["commit", "-qm", "lock"]);
    expect((await publish()).status).toBe("unchanged"); // recorded
    await rename(join(root, "platform"), join(root, "platform-away"));
    await rename(join(root, "apps"), join(root, "apps-away"));
    try {
      const shortcut = await publish();
      expect([shortcut.code, shortcut.status, shortcut.reused]).toEqual([0, "unchanged", 3]);
      expect(shortcut.diagnostics.map((d) => `${d.code} ${d.cluster}`)).toEqual(warnings);
      // any change to the fleet folder (here a comment) takes the full path, which needs the sources
      await writeFile(join(fleetDir, "clusters/c.yaml"), "# another\n" + fleetFiles(state)["clusters/c.yaml"]!);
      expect((await publish()).code).not.toBe(0);
      // and so does --no-cache
      await writeFile(join(fleetDir, "clusters/c.yaml"), fleetFiles(state)["clusters/c.yaml"]!);
      expect((await publish({}, ["--no-cache"])).code).not.toBe(0);
      expect((await publish()).status).toBe("unchanged");
    } finally {
      await rename(join(root, "platform-away"), join(root, "platform"));
      await rename(join(root, "apps-away"), join(root, "apps"));
    }
  }, 120_000);
});
