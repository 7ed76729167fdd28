/**
 * The example fleet and base repos: prepare-repos makes stable Git history, every config file matches braid's
 * schemas, and the whole fleet renders cleanly against the Kubernetes 1.34 OpenAPI.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Ajv, type ValidateFunction } from "ajv";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  prepareExampleRepos,
  readVersionsFile,
  type PreparedRepos,
  type VersionTag,
} from "../examples/prepare-repos.js";
import { OPENAPI_DIR, openApiSkipReason } from "./helpers/openapi-fixture.js";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const EXAMPLES = join(ROOT, "examples");
const FLEET_SRC = join(EXAMPLES, "fleet-repo");
const BASE_SRC = join(EXAMPLES, "base-repos");
const OPENAPI = OPENAPI_DIR;

async function git(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await run("git", args, { cwd, env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", LC_ALL: "C" } });
  return stdout.trim();
}

async function gitOk(cwd: string, args: string[]): Promise<boolean> {
  return git(cwd, args).then(
    () => true,
    () => false,
  );
}

/** Every ref of every prepared repository with the object it names (and the peeled commit for tags). */
async function refSnapshot(p: PreparedRepos): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, dir] of [...Object.entries(p.repos), ["fleet-repo", p.fleetDir] as const]) {
    const refs = await git(dir, ["for-each-ref", "--format=%(refname) %(objectname) %(*objectname)"]);
    for (const line of refs.split("\n")) {
      const [ref, oid, peeled] = line.split(" ");
      out[`${name} ${ref}`] = peeled ? `${oid} ${peeled}` : oid!;
    }
  }
  return out;
}

const tagName = (t: VersionTag) => (typeof t === "string" ? t : t.name);

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) out.push(relative(dir, join(e.parentPath, e.name)).split("\\").join("/"));
  return out.sort();
}

async function baseRepoNames(): Promise<string[]> {
  return (await readdir(BASE_SRC, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

describe("prepareExampleRepos", () => {
  let workA: string;
  let workB: string;
  let first: PreparedRepos;
  let refsFirst: Record<string, string>;
  let refsElsewhere: Record<string, string>;
  let refsAgain: Record<string, string>;

  beforeAll(async () => {
    workA = await mkdtemp(join(tmpdir(), "braid-examples-a-"));
    workB = await mkdtemp(join(tmpdir(), "braid-examples-b-"));
    first = await prepareExampleRepos(workA);
    refsFirst = await refSnapshot(first);
    refsElsewhere = await refSnapshot(await prepareExampleRepos(workB));
    refsAgain = await refSnapshot(await prepareExampleRepos(workA)); // idempotent: wipes and recreates
  });
  afterAll(async () => {
    await rm(workA, { recursive: true, force: true });
    await rm(workB, { recursive: true, force: true });
  });

  it("makes one repository per example folder, plus the fleet repo", async () => {
    expect(Object.keys(first.repos).sort()).toEqual(await baseRepoNames());
    expect(Object.keys(first.repos).length).toBeGreaterThanOrEqual(3);
    expect(first.fleetDir).toBe(join(resolve(workA), "fleet-repo"));
    for (const dir of [...Object.values(first.repos), first.fleetDir]) {
      expect(await git(dir, ["rev-parse", "--abbrev-ref", "HEAD"])).toBe("main");
      expect(await git(dir, ["status", "--porcelain"])).toBe("");
    }
  });

  it("gives the same commit ids every time and in every folder", () => {
    expect(Object.keys(refsFirst).length).toBeGreaterThan(20);
    expect(refsElsewhere).toEqual(refsFirst);
    expect(refsAgain).toEqual(refsFirst);
  });

  it("commits the fleet once, with every file of examples/fleet-repo", async () => {
    expect(await git(first.fleetDir, ["rev-list", "--count", "HEAD"])).toBe("1");
    const tracked = (await git(first.fleetDir, ["ls-files"])).split("\n").sort();
    expect(tracked).toEqual(await filesUnder(FLEET_SRC));
  });

  it("uses a fixed identity on every commit", async () => {
    for (const dir of [...Object.values(first.repos), first.fleetDir]) {
      const who = new Set((await git(dir, ["log", "--all", "--format=%an <%ae> %cn <%ce>"])).split("\n"));
      expect([...who]).toEqual([
        "Acme Platform Team <platform@acme.example> Acme Platform Team <platform@acme.example>",
      ]);
    }
  });

  describe.each(["platform-base", "monitoring", "rbac-policies"])("base repo %s", (name) => {
    it("has every commit, tag and branch of versions.yaml, with the snapshot's files", async () => {
      const dir = first.repos[name]!;
      const src = join(BASE_SRC, name);
      const { commits } = await readVersionsFile(src);
      const bySubject = new Map<string, string>();
      for (const line of (await git(dir, ["log", "--all", "--format=%H %at %s"])).split("\n")) {
        const [oid, at, ...subject] = line.split(" ");
        bySubject.set(`${at} ${subject.join(" ")}`, oid!);
      }
      expect(bySubject.size).toBe(commits.length);
      for (const c of commits) {
        const oid = bySubject.get(`${Date.parse(c.date) / 1000} ${c.message}`);
        expect(oid, `commit "${c.message}"`).toBeDefined();
        expect(
          await gitOk(dir, ["merge-base", "--is-ancestor", oid!, `refs/heads/${c.branch}`]),
          `${c.dir} on ${c.branch}`,
        ).toBe(true);
        for (const t of c.tags ?? []) {
          expect(await git(dir, ["rev-parse", `refs/tags/${tagName(t)}^{commit}`]), `tag ${tagName(t)}`).toBe(oid);
          const annotated = typeof t !== "string" && t.message !== undefined;
          expect(await git(dir, ["cat-file", "-t", `refs/tags/${tagName(t)}`])).toBe(annotated ? "tag" : "commit");
        }
        const snapshot = join(src, "versions", c.dir);
        for (const f of await filesUnder(snapshot)) {
          if (f === "DELETE") continue;
          expect(await git(dir, ["show", `${oid}:${f}`]), `${c.dir}/${f}`).toBe(
            (await readFile(join(snapshot, f), "utf8")).trim(),
          );
        }
        const del = existsSync(join(snapshot, "DELETE"))
          ? (await readFile(join(snapshot, "DELETE"), "utf8")).split("\n").filter((l) => l.trim())
          : [];
        for (const f of del)
          expect(await gitOk(dir, ["cat-file", "-e", `${oid}:${f.trim()}`]), `${f} deleted in ${c.dir}`).toBe(false);
      }
    });

    it("has at least four tags", async () => {
      const dir = first.repos[name]!;
      const tags = (await git(dir, ["tag", "-l"])).split("\n");
      expect(tags.length).toBeGreaterThanOrEqual(4);
    });
  });

  it("covers the tag shapes the resolver must handle", async () => {
    const all: string[] = [];
    for (const dir of Object.values(first.repos)) all.push(...(await git(dir, ["tag", "-l"])).split("\n"));
    expect(all).toEqual(
      expect.arrayContaining([
        "v1.0.0",
        "v1.1.0",
        "v1.2.0-rc.1",
        "v1.2.0",
        "v1.2",
        "latest-stable",
        "monitoring/v2.1.0",
      ]),
    );
    expect(await git(first.repos["platform-base"]!, ["cat-file", "-t", "refs/tags/v1.2.0"])).toBe("tag");
    expect(await gitOk(first.repos["platform-base"]!, ["rev-parse", "--verify", "refs/heads/next"])).toBe(true);
  });

  it("resolves the fleet's source URLs and commit/branch/name pins inside the prepared repos", async () => {
    const fleet = parse(await readFile(join(first.fleetDir, "braid.yaml"), "utf8")) as FleetYaml;
    const urlOf = new Map(fleet.spec.sources.map((s) => [s.name, s.url]));
    for (const [name, url] of urlOf) expect(resolve(first.fleetDir, url), name).toBe(first.repos[name]);
    const pins: { source: string; ref: Record<string, string>; file: string }[] = fleet.spec.sources
      .filter((s) => s.ref)
      .map((s) => ({ source: s.name, ref: s.ref!, file: "braid.yaml" }));
    for (const sub of ["groups", "clusters"]) {
      for (const f of await readdir(join(FLEET_SRC, sub))) {
        const doc = parse(await readFile(join(FLEET_SRC, sub, f), "utf8")) as {
          spec?: { sources?: { name: string; ref?: Record<string, string> }[] };
        };
        for (const s of doc.spec?.sources ?? [])
          if (s.ref) pins.push({ source: s.name, ref: s.ref, file: `${sub}/${f}` });
      }
    }
    const kinds = new Set(pins.flatMap((p) => Object.keys(p.ref)));
    for (const k of ["branch", "tag", "semver", "commit", "name", "tagPrefix"])
      expect(kinds, `a ${k} pin somewhere`).toContain(k);
    for (const p of pins) {
      const dir = first.repos[p.source]!;
      if (p.ref.commit)
        expect(
          await gitOk(dir, ["cat-file", "-e", `${p.ref.commit}^{commit}`]),
          `${p.file}: commit ${p.ref.commit}`,
        ).toBe(true);
      if (p.ref.commit && p.ref.branch)
        expect(
          await gitOk(dir, ["merge-base", "--is-ancestor", p.ref.commit, `refs/heads/${p.ref.branch}`]),
          `${p.file}: commit on ${p.ref.branch}`,
        ).toBe(true);
      if (p.ref.branch)
        expect(await gitOk(dir, ["rev-parse", "--verify", `refs/heads/${p.ref.branch}`]), `${p.file}: branch`).toBe(
          true,
        );
      if (p.ref.tag)
        expect(await gitOk(dir, ["rev-parse", "--verify", `refs/tags/${p.ref.tag}`]), `${p.file}: tag`).toBe(true);
      if (p.ref.name) expect(await gitOk(dir, ["rev-parse", "--verify", p.ref.name]), `${p.file}: name`).toBe(true);
    }
  });
});

interface FleetYaml {
  spec: { sources: { name: string; url: string; ref?: Record<string, string> }[] };
}

describe("readVersionsFile", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "braid-versions-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ["no commits", "commits: []\n", /non-empty list/],
    ["not a list", "commits: v1\n", /non-empty list/],
    ["missing date", "commits:\n  - { dir: a, branch: main, message: m }\n", /commits\[0\]\.date/],
    ["bad date", 'commits:\n  - { dir: a, branch: main, message: m, date: "soon" }\n', /not a date/],
    [
      "tags not a list",
      'commits:\n  - { dir: a, branch: main, message: m, date: "2024-01-01T00:00:00Z", tags: v1 }\n',
      /tags must be a list/,
    ],
  ])("rejects %s", async (_, text, message) => {
    await writeFile(join(dir, "versions.yaml"), text);
    await expect(readVersionsFile(dir)).rejects.toThrow(message);
  });

  it("reads a valid file", async () => {
    await writeFile(
      join(dir, "versions.yaml"),
      'commits:\n  - { dir: a, branch: main, message: m, date: "2024-01-01T00:00:00Z", tags: [v1.0.0] }\n',
    );
    expect((await readVersionsFile(dir)).commits).toHaveLength(1);
  });
});

describe("example fleet config", () => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validators = new Map<string, ValidateFunction>();
  beforeAll(async () => {
    const load = async (f: string) => JSON.parse(await readFile(join(ROOT, "schemas", f), "utf8")) as object;
    ajv.addSchema(await load("common.schema.json"));
    for (const kind of ["fleet", "cluster", "group", "policy"])
      validators.set(kind, ajv.compile(await load(`${kind}.schema.json`)));
  });

  async function configFiles(): Promise<{ file: string; kind: string }[]> {
    const out = [{ file: "braid.yaml", kind: "fleet" }];
    for (const [sub, kind] of [
      ["clusters", "cluster"],
      ["groups", "group"],
      ["schemas", "policy"],
    ] as const)
      for (const f of await readdir(join(FLEET_SRC, sub)))
        if (/\.ya?ml$/.test(f)) out.push({ file: `${sub}/${f}`, kind });
    return out;
  }

  it("has at least five clusters, across envs and regions, and at least two groups", async () => {
    const files = await configFiles();
    const clusters = await Promise.all(
      files
        .filter((f) => f.kind === "cluster")
        .map(
          async (f) =>
            parse(await readFile(join(FLEET_SRC, f.file), "utf8")) as {
              metadata: { labels: Record<string, string>; annotations: Record<string, string> };
            },
        ),
    );
    expect(clusters.length).toBeGreaterThanOrEqual(5);
    expect(new Set(clusters.map((c) => c.metadata.labels.env))).toEqual(new Set(["dev", "staging", "prod"]));
    expect(new Set(clusters.map((c) => c.metadata.labels.region)).size).toBeGreaterThanOrEqual(2);
    for (const c of clusters) expect(c.metadata.annotations["braid/owner"]).toMatch(/^team-/);
    expect(files.filter((f) => f.kind === "group").length).toBeGreaterThanOrEqual(2);
  });

  it("validates every config file against schemas/*.schema.json", async () => {
    for (const { file, kind } of await configFiles()) {
      const value = parse(await readFile(join(FLEET_SRC, file), "utf8")) as { metadata?: { name?: string } };
      const validate = validators.get(kind)!;
      expect(validate(value), `${file}: ${ajv.errorsText(validate.errors)}`).toBe(true);
      if (kind === "cluster" || kind === "group")
        expect(value.metadata?.name, file).toBe(basename(file).replace(/\.ya?ml$/, ""));
    }
  });

  it.each([
    [
      "an unknown cluster field",
      "cluster",
      { apiVersion: "braid/v1alpha1", kind: "Cluster", metadata: { name: "x" }, spec: { sorces: [] } },
    ],
    [
      "a bad commit",
      "cluster",
      {
        apiVersion: "braid/v1alpha1",
        kind: "Cluster",
        metadata: { name: "x" },
        spec: { sources: [{ name: "a", ref: { commit: "abc" } }] },
      },
    ],
    [
      "a group without selector",
      "group",
      { apiVersion: "braid/v1alpha1", kind: "Group", metadata: { name: "g" }, spec: {} },
    ],
    [
      "a policy without match",
      "policy",
      { apiVersion: "braid/v1alpha1", kind: "Policy", metadata: { name: "p" }, spec: { schema: {} } },
    ],
  ])("the schema check rejects %s (so the check above can fail)", (_, kind, value) => {
    expect(validators.get(kind)!(value)).toBe(false);
  });
});

type RenderFleet = (typeof import("../src/pipeline/render-fleet.js"))["renderFleet"];
let renderFleet: RenderFleet | undefined;
let skipReason = "";
try {
  const mod = await import("../src/pipeline/render-fleet.js");
  if (typeof mod.renderFleet === "function") renderFleet = mod.renderFleet;
  else skipReason = "src/pipeline/render-fleet.ts does not export renderFleet yet";
} catch (e) {
  skipReason = `src/pipeline/render-fleet.ts does not load: ${e instanceof Error ? e.message : String(e)}`;
}
if (!skipReason) skipReason = openApiSkipReason("examples") ?? "";

describe.skipIf(Boolean(skipReason))(
  `rendering the example fleet${skipReason ? ` (skipped: ${skipReason})` : ""}`,
  () => {
    let work: string;
    let result: Awaited<ReturnType<RenderFleet>>;
    let repos: Record<string, string>;
    beforeAll(async () => {
      const { diskFleetReader } = await import("../src/config/fleet-files.js");
      work = await mkdtemp(join(tmpdir(), "braid-examples-render-"));
      const prepared = await prepareExampleRepos(work);
      const fleetDir = prepared.fleetDir;
      repos = prepared.repos;
      result = await renderFleet!({
        reader: diskFleetReader(fleetDir),
        senv: { fleetDir, cacheDir: join(work, "cache"), env: {} },
        openapiEnv: OPENAPI,
      });
    });
    afterAll(async () => {
      await rm(work, { recursive: true, force: true });
    });

    const find = (cluster: string, kind: string, name: string) => {
      const c = result.clusters.find((x) => x.name === cluster);
      return c?.resources.find((r) => r.id.kind === kind && r.id.name === name)?.object as
        Record<string, any> | undefined;
    };

    it("renders every cluster with no errors, under 150 resources in all", async () => {
      const { formatText } = await import("../src/diagnostics/format.js");
      const show = (ds: { severity: string }[]) => ds.map((d) => formatText(d as never)).join("\n");
      expect(
        result.diagnostics.filter((d) => d.severity === "error"),
        show(result.diagnostics),
      ).toEqual([]);
      expect(result.clusters.map((c) => c.name)).toEqual([
        "dev-eu-1",
        "dev-us-1",
        "prod-eu-1",
        "prod-us-1",
        "staging-eu-1",
      ]);
      for (const c of result.clusters) expect(c.ok, `${c.name}:\n${show(c.diagnostics)}`).toBe(true);
      const total = result.clusters.reduce((n, c) => n + c.resources.length, 0);
      expect(total).toBeGreaterThan(100);
      expect(total).toBeLessThan(150);
    });

    it.each([
      ["dev-eu-1", "platform-base", "refs/heads/next", undefined],
      ["dev-eu-1", "monitoring", "refs/heads/next", undefined],
      ["dev-eu-1", "rbac-policies", "v1.0.0", "v1.0.0"],
      ["dev-us-1", "platform-base", "v1.2.0-rc.1", "v1.2.0-rc.1"],
      ["dev-us-1", "rbac-policies", "refs/heads/main", undefined],
      ["staging-eu-1", "platform-base", "v1.3.0-alpha.1", "v1.3.0-alpha.1"],
      ["staging-eu-1", "monitoring", "monitoring/v2.2.0-rc.1", "monitoring/v2.2.0-rc.1"],
      ["staging-eu-1", "rbac-policies", "v1.0.1", undefined],
      ["prod-eu-1", "platform-base", "v1.2.0", "v1.2.0"],
      ["prod-eu-1", "monitoring", "monitoring/v2.1.1", "monitoring/v2.1.1"],
      ["prod-eu-1", "rbac-policies", "v1.0.1", undefined],
      ["prod-us-1", "platform-base", "v1.1.0", "v1.1.0"],
      ["prod-us-1", "rbac-policies", "v1.0.0", "v1.0.0"],
    ])("%s pins %s to %s", async (cluster, source, rev, tag) => {
      const pin = result.clusters.find((c) => c.name === cluster)?.pins.find((p) => p.source.name === source);
      expect(pin?.resolution, `${cluster} ${source}`).toBeDefined();
      expect(pin!.resolution!.commit).toBe(await git(repos[source]!, ["rev-parse", `${rev}^{commit}`]));
      if (tag) expect(pin!.resolution!.tag).toBe(tag);
    });

    it("layers vars, patches and substitution as the fleet says", () => {
      const prodEu = find("prod-eu-1", "Deployment", "ingress-nginx-controller")!;
      expect(prodEu.spec.replicas).toBe(3); // group prod REPLICAS, plain scalar → number
      const env = Object.fromEntries(
        (prodEu.spec.template.spec.containers[0].env as { name: string; value?: string }[]).map((e) => [
          e.name,
          e.value,
        ]),
      );
      expect(env).toMatchObject({ LOG_LEVEL: "error", GEOIP_REGION: "eu-west-1", CLUSTER_NAME: "prod-eu-1" });
      expect(prodEu.spec.template.spec.containers[0].resources.requests).toEqual({ cpu: "500m", memory: "512Mi" });
      expect(prodEu.metadata.annotations["acme.example/rendered-by"]).toBe("braid");

      const prodUs = find("prod-us-1", "Deployment", "ingress-nginx-controller")!;
      expect(prodUs.spec.replicas).toBe(4);
      expect(prodUs.spec.template.spec.containers[0].args).toContain("--enable-ssl-passthrough");
      expect(find("prod-us-1", "PodDisruptionBudget", "ingress-nginx-controller")!.spec).not.toHaveProperty(
        "minAvailable",
      );

      const cm = find("staging-eu-1", "ConfigMap", "ingress-nginx-controller")!;
      expect(cm.data).toMatchObject({ "data-residency": "eu", "cluster-name": "staging-eu-1", region: "eu-central-1" });
      expect(cm.data).not.toHaveProperty("use-forwarded-headers");

      expect(
        find("prod-eu-1", "StatefulSet", "prometheus")!.spec.volumeClaimTemplates[0].spec.resources.requests.storage,
      ).toBe("200Gi");
      expect(
        find("dev-eu-1", "StatefulSet", "prometheus")!.spec.template.spec.containers[0].resources.limits.memory,
      ).toBe("1Gi");
      expect(
        find("dev-us-1", "Deployment", "ingress-nginx-controller")!.spec.template.spec.containers[0].env,
      ).toContainEqual({ name: "LOG_LEVEL", value: "trace" });
      expect(find("dev-us-1", "StatefulSet", "prometheus")).toBeUndefined();
    });

    it("builds the storefront kustomize overlay, then the source namespace, fleet patches and variables", () => {
      const eu = find("prod-eu-1", "Deployment", "storefront")!;
      expect(eu.metadata.namespace).toBe("storefront"); // the overlay's namespace
      expect(eu.spec.replicas).toBe(3); // the overlay's patch
      expect(eu.spec.template.spec.containers[0].resources.limits).toEqual({ memory: "1Gi" });
      expect(eu.metadata.annotations["acme.example/rendered-by"]).toBe("braid"); // braid's fleet patch, after the build
      expect(eu.spec.template.spec.containers[0].env).toContainEqual({ name: "CLUSTER", value: "prod-eu-1" }); // then variables
      expect(find("prod-eu-1", "Service", "storefront")!.metadata.annotations).toEqual({
        "acme.example/exposed": "internal",
      });
      expect(find("prod-us-1", "Deployment", "storefront")!.metadata.namespace).toBe("storefront-us"); // the cluster's namespace
      expect(find("dev-eu-1", "Deployment", "storefront")).toBeUndefined(); // only the prod group runs it
      const origin = result.clusters
        .find((c) => c.name === "prod-eu-1")!
        .resources.find((r) => r.id.name === "storefront" && r.id.kind === "Deployment")!.origin;
      expect([origin.source, origin.file, origin.line]).toEqual(["storefront", "base/deployment.yaml", 1]);
    });

    it("leaves substitute-disabled resources alone and honours include/exclude", () => {
      const script = find("dev-eu-1", "ConfigMap", "node-bootstrap-script")!.data["bootstrap.sh"] as string;
      expect(script).toContain('NODE="${NODE_NAME:-$(hostname)}"');
      for (const c of result.clusters) {
        expect(c.resources.some((r) => r.id.kind === "Pod")).toBe(false); // manifests/tests/*.test.yaml excluded
        expect(c.resources.some((r) => r.origin.file.startsWith("examples/"))).toBe(false);
      }
      expect(find("prod-eu-1", "ClusterPolicy", "require-team-label")!.spec.rules[0].message).toBe(
        "workloads in prod-eu-1 must carry a team label",
      );
    });
  },
);
