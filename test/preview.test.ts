/**
 * `braid preview` end to end: a real source repo with tags, a real fleet repo (fleet in a subfolder) with a
 * base and a head commit, each with its own braid.lock; the CLI renders both from the object store and diffs.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { memoryIO } from "../src/cli/io.js";
import { serializeLock } from "../src/sources/lock.js";
import { makeFixtureRepo } from "./helpers/fixture-repo.js";
import { deploymentYaml } from "./helpers/deployment-yaml.js";
import { clusterYaml, fleetYaml } from "./helpers/fleet-dir.js";
import { OPENAPI_DIR } from "./helpers/openapi-fixture.js";

const OPENAPI = OPENAPI_DIR;
const haveOpenApi = existsSync(join(OPENAPI, "v1.34.json"));
if (!haveOpenApi) console.warn(`[preview] no Kubernetes OpenAPI at ${OPENAPI}: preview end-to-end tests are skipped`);

const BASE_PASSWORD = "hunter2-base-password";
const HEAD_PASSWORD = "hunter2-head-password";
const TOKEN = "s3cr3t-token-value";
const API_KEY = "apikey-0123456789";

function manifests(image: string, password: string) {
  return {
    "manifests/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n",
    "manifests/deployment.yaml": deploymentYaml({ name: "web", namespace: "apps", image }),
    "manifests/secret.yaml": `apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: apps
stringData:
  password: ${password}
data:
  token: ${Buffer.from(TOKEN).toString("base64")}
`,
    "manifests/configmap.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: apps
data:
  apiKey: ${API_KEY}
  mode: fast
`,
  };
}

let source: { dir: string; commits: string[] };
beforeAll(async () => {
  source = await makeFixtureRepo([
    { files: manifests("web:1.0", BASE_PASSWORD), tags: ["v1.0.0"] },
    { files: manifests("web:1.1", HEAD_PASSWORD), tags: ["v1.1.0"] },
    { files: manifests("web:9.9", "never-used"), tags: ["v1.2.0"] },
  ]);
});

function lockFor(commit: string, tag: string): string {
  return serializeLock({
    pins: [{ source: "base", url: source.dir, ref: { semver: ">=1.0.0 <2.0.0" }, commit, tag, version: tag.slice(1) }],
  });
}

function fleetFiles(extra = ""): string {
  return fleetYaml(
    `    - name: base
      url: ${source.dir}
      ref: { semver: ">=1.0.0 <2.0.0" }
      path: manifests`,
    extra,
  );
}

const PREVIEW = `  preview:
    sensitivePaths: ["ConfigMap:/data/apiKey"]`;

const patch = (replicas: number) => `  patches:
    - target: { kind: Deployment, name: web }
      patch: |
        spec: { replicas: ${replicas} }`;

/** Fleet repo: fleet in fleet/, commit 1 = base, commit 2 = head. */
async function fleetRepo(base: Record<string, string | null>, head: Record<string, string | null>) {
  const prefix = (files: Record<string, string | null>) =>
    Object.fromEntries(Object.entries(files).map(([k, v]) => [`fleet/${k}`, v]));
  const repo = await makeFixtureRepo([
    { files: { "README.md": "fleet repo\n", ...prefix(base) }, message: "base" },
    { files: prefix(head), message: "head" },
  ]);
  return { ...repo, fleetDir: join(repo.dir, "fleet") };
}

async function preview(fleetDir: string, args: string[]) {
  const cache = await mkdtemp(join(tmpdir(), "braid-preview-cache-"));
  const io = memoryIO({ cwd: fleetDir, env: { BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: cache } });
  const code = await main(["preview", ...args], io);
  return { code, out: io.out.join(""), err: io.err.join("") };
}

const CLUSTERS = ["c1", "c2", "c3", "c4", "c5", "c6"];

describe.skipIf(!haveOpenApi)("braid preview (end to end)", () => {
  let repo: Awaited<ReturnType<typeof fleetRepo>>;
  beforeAll(async () => {
    const base: Record<string, string | null> = {
      "braid.yaml": fleetFiles(PREVIEW),
      "braid.lock": lockFor(source.commits[0]!, "v1.0.0"),
      "clusters/old.yaml": clusterYaml("old"),
    };
    for (const c of CLUSTERS) base[`clusters/${c}.yaml`] = clusterYaml(c, c === "c2" ? patch(3) : "");
    const head: Record<string, string | null> = {
      "braid.lock": lockFor(source.commits[1]!, "v1.1.0"),
      "clusters/c2.yaml": clusterYaml("c2", patch(4)),
      "clusters/old.yaml": null,
      "clusters/new.yaml": clusterYaml("new"),
    };
    repo = await fleetRepo(base, head);
  }, 60_000);

  it("markdown: shared pin bump shown once with every cluster, cluster-only patch, cluster added and removed", async () => {
    const { code, out, err } = await preview(repo.fleetDir, ["--base", "HEAD~1", "--head", "main"]);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out.startsWith("<!-- braid-preview -->")).toBe(true);
    expect(out.length).toBeLessThan(65_536);
    // each revision used its own lock: v1.1.0 at head, never v1.2.0 (the newest tag in range)
    expect(out).toContain("+      - image: web:1.1");
    expect(out).toContain("-      - image: web:1.0");
    expect(out).not.toContain("web:9.9");
    // each distinct change is shown once: the Secret change in one section for c1..c6, the image bump of the
    // Deployment in one section for c1, c3..c6, and c2's own Deployment change (image and replicas) apart
    const sections = out.split("<details><summary>").slice(1);
    const six = sections.filter((s) => s.startsWith("<b>6 clusters</b>"));
    expect(six).toHaveLength(1);
    expect(six[0]).toContain("Applies to: `c1`, `c2`, `c3`, `c4`, `c5`, `c6`");
    expect(six[0]).toContain("`Secret apps/db`");
    expect(out.split("`Secret apps/db` — `apps/secret-db.yaml`\n\n```diff").length - 1).toBe(1);
    const five = sections.filter((s) => s.startsWith("<b>5 clusters</b>"));
    expect(five).toHaveLength(1);
    expect(five[0]).toContain("Applies to: `c1`, `c3`, `c4`, `c5`, `c6`");
    expect(five[0]).toContain("+      - image: web:1.1");
    expect(out.split("+      - image: web:1.1").length - 1).toBe(2); // shared section + c2
    // c2: image and replicas
    const c2 = sections.filter((s) => s.startsWith("<b>c2</b>"));
    expect(c2).toHaveLength(1);
    expect(c2[0]).toContain("-  replicas: 3");
    expect(c2[0]).toContain("+  replicas: 4");
    expect(c2[0]).not.toContain("Secret");
    // added and removed clusters
    expect(out).toMatch(/<b>new<\/b> — 🆕 added: \+4/);
    expect(out).toMatch(/<b>old<\/b> — 🗑️ removed: -4/);
    // summary table first, before any details; per-cluster counts (c2 has ~2 like the others)
    expect(out.indexOf("| Clusters | Status |")).toBeLessThan(out.indexOf("<details>"));
    expect(out).toMatch(/\| c1, c2, c3, c4, c5, c6 \| ✏️ changed \| 0 \| 2 \| 0 \|/);
    expect(out).toMatch(/\| new \| 🆕 added \| 4 \| 0 \| 0 \|/);
    expect(out).toMatch(/\| old \| 🗑️ removed \| 0 \| 0 \| 4 \|/);
  }, 60_000);

  it("secrets: only hash changes, no cleartext in markdown, json or text (stdout and --out)", async () => {
    for (const format of ["markdown", "json", "text"]) {
      const outFile = join(await mkdtemp(join(tmpdir(), "braid-preview-out-")), `report.${format}`);
      const { code, out } = await preview(repo.fleetDir, [
        "--base",
        "HEAD~1",
        "--head",
        "HEAD",
        "--format",
        format,
        "--out",
        outFile,
      ]);
      expect(code).toBe(0);
      const full = await readFile(outFile, "utf8");
      for (const text of [out, full]) {
        for (const secret of [BASE_PASSWORD, HEAD_PASSWORD, TOKEN, Buffer.from(TOKEN).toString("base64"), API_KEY])
          expect(text, `${format} leaks ${secret}`).not.toContain(secret);
        expect(text).toMatch(/password: sha256:[0-9a-f]{12}/);
      }
    }
    const { out } = await preview(repo.fleetDir, ["--base", "HEAD~1", "--head", "HEAD", "--format", "json"]);
    const report = JSON.parse(out);
    const secretChanges = report.changes.filter(
      (c: { resource: string; change: string }) => c.resource === "Secret apps/db" && c.change === "changed",
    );
    expect(secretChanges).toHaveLength(1);
    const secretChange = secretChanges[0];
    expect(secretChange.clusters).toEqual(["c1", "c2", "c3", "c4", "c5", "c6"]);
    // the password changed → one hashed line out, one in; the token did not change
    expect(secretChange.diff).toMatch(/-  password: sha256:[0-9a-f]{12}\n\+  password: sha256:[0-9a-f]{12}/);
    expect(secretChange.diff).not.toMatch(/[-+]  token:/);
    expect(report.totals).toMatchObject({ clustersChanged: 8, clustersUnchanged: 0 });
    const deployments = report.changes.filter(
      (c: { resource: string; change: string }) => c.resource === "Deployment apps/web" && c.change === "changed",
    );
    expect(deployments.map((c: { clusters: string[] }) => c.clusters)).toEqual([
      ["c1", "c3", "c4", "c5", "c6"],
      ["c2"],
    ]);
    expect(report.clusters.find((c: { cluster: string }) => c.cluster === "c2")).toEqual({
      cluster: "c2",
      status: "changed",
      added: 0,
      changed: 2,
      removed: 0,
      errors: false,
    });
  }, 60_000);

  it("text format lists sections of shared changes and diffs", async () => {
    const { code, out } = await preview(repo.fleetDir, ["--base", "HEAD~1", "--head", "HEAD", "--format", "text"]);
    expect(code).toBe(0);
    expect(out).toContain("=== 6 clusters: c1, c2, c3, c4, c5, c6 (changed) ===");
    expect(out).toContain("=== 5 clusters: c1, c3, c4, c5, c6 (changed) ===");
    expect(out).toContain("=== c2 (changed) ===");
    expect(out).toMatch(/changed {6}0 {5}2 {5}0 {2}c1, c2, c3, c4, c5, c6\n/);
    expect(out.split("    +  password: sha256:").length - 1).toBe(1);
    expect(out).toContain("+ Namespace apps  _cluster/namespace-apps.yaml");
  }, 60_000);

  it("identical revisions: no changes, every cluster unchanged", async () => {
    const { code, out } = await preview(repo.fleetDir, [
      "--base",
      "HEAD",
      "--head",
      repo.commits[1]!.slice(0, 10),
      "--format",
      "json",
    ]);
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.changes).toEqual([]);
    expect(report.unchanged).toEqual(["c1", "c2", "c3", "c4", "c5", "c6", "new"]);
  }, 60_000);

  it.each([["nope"], ["HEAD~5"], ["0123456789abcdef0123456789abcdef01234567"]])(
    "unknown revision %s → REV_NOT_FOUND, exit 1",
    async (rev) => {
      const { code, err } = await preview(repo.fleetDir, ["--base", rev, "--head", "HEAD"]);
      expect(code).toBe(1);
      expect(err).toContain("REV_NOT_FOUND");
    },
  );

  it("bad usage → exit 2", async () => {
    expect((await preview(repo.fleetDir, ["--head", "HEAD"])).code).toBe(2);
    expect((await preview(repo.fleetDir, ["--base", "HEAD", "--head", "HEAD", "--format", "yaml"])).code).toBe(2);
  });
});

describe.skipIf(!haveOpenApi)("braid preview: errors at head, fleet missing at base", () => {
  it("lists validation errors at head with file:line, still prints the preview, exits 1", async () => {
    const base: Record<string, string | null> = {
      "braid.yaml": fleetFiles(),
      "braid.lock": lockFor(source.commits[0]!, "v1.0.0"),
      "clusters/a.yaml": clusterYaml("a"),
      "clusters/b.yaml": clusterYaml("b"),
    };
    const bad = clusterYaml(
      "b",
      `  patches:
    - target: { kind: Deployment, name: web }
      patch: |
        spec: { replicaz: 2 }`,
    );
    const repo = await fleetRepo(base, { "clusters/b.yaml": bad, "clusters/a.yaml": clusterYaml("a", patch(2)) });
    const { code, out } = await preview(repo.fleetDir, ["--base", "HEAD^", "--head", "HEAD"]);
    expect(code).toBe(1);
    expect(out).toMatch(/❌ 1 error/);
    expect(out).toMatch(/`clusters\/b\.yaml:\d+(:\d+)?` \*\*SCHEMA_VIOLATION\*\*/);
    expect(out).toContain("+  replicas: 2"); // the preview of a is still there
    expect(out).toMatch(/\| b \| ❌ failed \|/);
  }, 60_000);

  it("a cluster whose file does not load at head failed (exit 1); it is not shown removed, nor are its objects", async () => {
    const base: Record<string, string | null> = {
      "braid.yaml": fleetFiles(),
      "braid.lock": lockFor(source.commits[0]!, "v1.0.0"),
      "clusters/a.yaml": clusterYaml("a"),
      "clusters/b.yaml": clusterYaml("b"),
      "clusters/gone.yaml": clusterYaml("gone"),
    };
    const repo = await fleetRepo(base, {
      "clusters/b.yaml": "apiVersion: braid/v1alpha1\nkind: Cluster\nmetadata: { name: b }\nspec:\n  vars: { X: [ }\n",
      "clusters/gone.yaml": null,
    });
    const { code, out } = await preview(repo.fleetDir, ["--base", "HEAD^", "--head", "HEAD", "--format", "json"]);
    expect(code).toBe(1);
    const report = JSON.parse(out) as { clusters: { cluster: string; status: string; removed: number }[] };
    // (unchanged clusters are not listed)
    expect(report.clusters.map((c) => [c.cluster, c.status, c.removed])).toEqual([
      ["b", "failed", 0],
      ["gone", "removed", 4],
    ]);
    // braid.yaml itself broken at head: every cluster failed
    const broken = await fleetRepo(base, { "braid.yaml": "apiVersion: braid/v1alpha1\nkind: Fleet\nspec: [\n" });
    const all = await preview(broken.fleetDir, ["--base", "HEAD^", "--head", "HEAD", "--format", "json"]);
    expect(all.code).toBe(1);
    expect((JSON.parse(all.out) as { clusters: { status: string }[] }).clusters.map((c) => c.status)).toEqual([
      "failed",
      "failed",
      "failed",
    ]);
  }, 60_000);

  it("a fleet that does not exist at base: every cluster added, with a note", async () => {
    const repo = await makeFixtureRepo([
      { files: { "README.md": "x\n" } },
      {
        files: {
          "braid.yaml": fleetFiles(),
          "braid.lock": lockFor(source.commits[0]!, "v1.0.0"),
          "clusters/a.yaml": clusterYaml("a"),
        },
      },
    ]);
    const { code, out } = await preview(repo.dir, ["--base", repo.commits[0]!, "--head", "HEAD", "--format", "json"]);
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.notes.join(" ")).toMatch(/does not load at base/);
    expect(report.clusters).toEqual([
      { cluster: "a", status: "added", added: 4, changed: 0, removed: 0, errors: false },
    ]);
  }, 60_000);
});
