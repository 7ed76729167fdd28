/**
 * Rollouts end to end on real Git: a fleet repo, a source repo tagged v1.0.0 and v2.0.0, repeated
 * `braid rollout advance` + `braid publish` on a fake clock (BRAID_NOW), Flux's commit statuses served by a local
 * HTTP server speaking GitHub's combined-status endpoint, and every deploy commit built by `kubectl kustomize`.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryIO } from "../src/cli/io.js";
import { main } from "../src/cli/main.js";
import { git, makeFixtureRepo } from "./helpers/fixture-repo.js";
import { clusterYaml, fleetYaml, writeFleet } from "./helpers/fleet-dir.js";
import { OPENAPI } from "./helpers/golden.js";
import { kubectl } from "./helpers/kubectl.js";
import { openApiSkipReason } from "./helpers/openapi-fixture.js";

const NO_OPENAPI = openApiSkipReason("rollout");

const run = promisify(execFile);

const app = (version: string) => `apiVersion: v1
kind: Namespace
metadata: { name: app }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: app, namespace: app }
data: { version: "${version}", cluster: "\${CLUSTER_NAME}" }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: app, namespace: app }
spec:
  selector: { matchLabels: { app: app } }
  template:
    metadata: { labels: { app: app } }
    spec: { containers: [ { name: app, image: "example/app:${version}" } ] }
`;

/** A fake GitHub serving commit statuses of acme/deploy; logs every request. */
class StatusServer {
  statuses = new Map<string, { context: string; state: string }[]>();
  log: { method: string; path: string; auth?: string }[] = [];
  server: Server = createServer((req, res) => {
    this.log.push({
      method: req.method!,
      path: req.url!,
      ...(req.headers.authorization ? { auth: req.headers.authorization } : {}),
    });
    const m = /^\/api\/v3\/repos\/acme\/deploy\/commits\/([0-9a-f]{40})\/status(\?.*)?$/.exec(req.url ?? "");
    if (req.method !== "GET" || !m) {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ message: "Not Found" }));
      return;
    }
    const statuses = this.statuses.get(m[1]!) ?? [];
    const state = statuses.some((s) => s.state === "failure")
      ? "failure"
      : statuses.length && statuses.every((s) => s.state === "success")
        ? "success"
        : "pending";
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ state, sha: m[1], total_count: statuses.length, statuses }));
  });
  url = "";
  async start() {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/v3`;
  }
  /** What notification-controller posts for a Kustomization (context kustomization/<name>/<provider uid part>). */
  report(commit: string, kustomization: string, state: "success" | "failure") {
    const list = (this.statuses.get(commit) ?? []).filter(
      (s) => !s.context.startsWith(`kustomization/${kustomization}/`),
    );
    list.push({ context: `kustomization/${kustomization}/1f2e3d4c`, state });
    this.statuses.set(commit, list);
  }
}

const T0 = Date.parse("2030-01-01T00:00:00Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

interface Fleet {
  dir: string;
  gh: StatusServer;
  cli(args: string[], minutes: number): Promise<{ code: number; out: string; err: string }>;
  inventory(): Promise<{
    clusters: { cluster: string; sources: { commit: string; tag: string | null }[]; rollouts?: unknown[] }[];
  }>;
  lock(): Promise<string>;
  buildTip(clusters: string[]): Promise<void>;
  v1: string;
  v2: string;
}

async function makeFleet(gh: StatusServer, names: Record<string, string>, rollout: string): Promise<Fleet> {
  const src = await makeFixtureRepo([
    { files: { "app.yaml": app("1") }, tags: ["v1.0.0"] },
    { files: { "app.yaml": app("2") }, tags: ["v2.0.0"] },
  ]);
  const files: Record<string, string> = {
    "braid.yaml": fleetYaml(`    - name: app\n      url: ${src.dir}\n      ref: { tag: v1.0.0 }`),
    "rollouts/app-v2.yaml": rollout,
  };
  for (const [name, ring] of Object.entries(names))
    files[`clusters/${name}.yaml`] = clusterYaml(name, "", `{ ring: ${ring} }`);
  const dir = await writeFleet(files);
  await git(dir, ["init", "-q", "-b", "main"]);
  await git(dir, ["add", "-A"]);
  await git(dir, ["commit", "-q", "-m", "fleet"]);
  const cli = async (args: string[], minutes: number) => {
    const io = memoryIO({
      cwd: dir,
      env: {
        BRAID_KUBERNETES_OPENAPI: OPENAPI,
        BRAID_CACHE: join(dir, ".cache"),
        BRAID_NOW: at(minutes),
        GITHUB_TOKEN: "ghs_statusreader",
        GITHUB_REPOSITORY: "acme/deploy",
        GITHUB_API_URL: gh.url,
        GIT_AUTHOR_NAME: "braid-bot",
        GIT_AUTHOR_EMAIL: "bot@example.com",
      },
    });
    const code = await main(args, io);
    return { code, out: io.out.join(""), err: io.err.join("") };
  };
  const work = await mkdtemp(join(tmpdir(), "braid-rollout-build-"));
  let builds = 0;
  return {
    dir,
    gh,
    cli,
    v1: src.commits[0]!,
    v2: src.commits[1]!,
    inventory: async () => JSON.parse(await git(dir, ["show", "deploy:inventory.json"])),
    lock: () => readFile(join(dir, "braid.lock"), "utf8"),
    // builds the named clusters' folders of the deploy tip with kubectl kustomize (the ones the commit changed)
    async buildTip(clusters) {
      if (!kubectl) return;
      const out = join(work, String(++builds));
      await run("mkdir", ["-p", out]);
      await run("sh", ["-c", `git -C "${dir}" archive deploy | tar -x -C "${out}"`]);
      for (const c of clusters) {
        const { stdout } = await run("kubectl", ["kustomize", join(out, "clusters", c)]);
        expect(stdout).toContain("kind: Deployment");
      }
    },
  };
}

const versionOf = (inv: Awaited<ReturnType<Fleet["inventory"]>>, f: Fleet) =>
  Object.fromEntries(
    inv.clusters.map((c) => [
      c.cluster,
      c.sources[0]!.commit === f.v2 ? "v2" : c.sources[0]!.commit === f.v1 ? "v1" : "?",
    ]),
  );

const RING = (n: number) => (n <= 2 ? "canary" : n <= 8 ? "early" : "prod");
const TWENTY = Object.fromEntries(
  Array.from({ length: 20 }, (_, i) => [`c${String(i + 1).padStart(2, "0")}`, RING(i + 1)]),
);

const ROLLOUT = `apiVersion: braid/v1alpha1
kind: Rollout
metadata: { name: app-v2 }
spec:
  source: app
  target: { semver: ">=2.0.0 <3.0.0" }
  healthKustomization: "braid-{cluster}"
  waves:
    - name: canary
      selector: { matchLabels: { ring: canary } }
      maxParallel: 1
      gate: { soak: 1h }
    - name: early
      selector: { matchLabels: { ring: early } }
      maxParallel: "50%"
      gate: { approval: go-prod }
    - name: prod
      selector: { matchLabels: { ring: prod } }
      maxParallel: 6
      gate: { health: flux-commit-status, healthTimeout: 30m }
`;

let gh: StatusServer;
beforeAll(async () => {
  gh = new StatusServer();
  await gh.start();
});
afterAll(() => new Promise<void>((r) => gh.server.close(() => r())));

const moved = (s: string) => /rollout app-v2: moved (.*) \(wave/.exec(s)?.[1]?.split(", ") ?? [];

describe.skipIf(NO_OPENAPI)("braid rollout", () => {
  it("rolls 20 clusters in three waves from v1 to v2 by advance + publish, through soak, approval and health gates", async () => {
    const f = await makeFleet(gh, TWENTY, ROLLOUT);
    let t = 0;
    const publish = async (changed: string[]) => {
      const p = await f.cli(["publish"], ++t);
      expect(p.code, p.err + p.out).toBe(0);
      await f.buildTip(changed);
    };
    const advance = async () => {
      const a = await f.cli(["rollout", "advance"], ++t);
      expect(a.code, a.err + a.out).toBe(0);
      return a;
    };
    await publish(Object.keys(TWENTY));
    expect(Object.values(versionOf(await f.inventory(), f)).every((v) => v === "v1")).toBe(true);

    // canary, one at a time
    let a = await advance();
    expect(moved(a.out)).toEqual(["c01"]);
    const head = await git(f.dir, ["rev-parse", "HEAD"]);
    // only braid.lock changes, in a commit of its own
    expect(await git(f.dir, ["show", "--name-only", "--format=%B", "HEAD"])).toBe(
      "braid: rollout advance\n\napp-v2: move c01 (wave canary) to v2.0.0 (" + f.v2.slice(0, 7) + ")\n\n\nbraid.lock",
    );
    // idempotent: nothing new until the moved cluster is published
    a = await advance();
    expect(a.out).toBe("rollout app-v2: nothing to move: wave canary: waiting for braid publish of c01\n");
    expect(await git(f.dir, ["rev-parse", "HEAD"])).toBe(head);
    expect(await f.cli(["rollout", "advance", "--dry-run"], t)).toMatchObject({ code: 0 });
    await publish(["c01"]);
    expect(versionOf(await f.inventory(), f)).toMatchObject({ c01: "v2", c02: "v1", c03: "v1" });
    // braid lock keeps the rollout's state and pins
    const lockBefore = await f.lock();
    expect((await f.cli(["lock"], t)).code).toBe(0);
    expect(await f.lock()).toBe(lockBefore);
    expect(moved((await advance()).out)).toEqual(["c02"]);
    await publish(["c02"]);
    const soakStart = T0 + t * 60_000;

    // soak: 1h after the wave's last deploy commit
    a = await advance();
    expect(a.out).toBe(
      `rollout app-v2: nothing to move: wave canary: soaking until ${new Date(soakStart + 3_600_000).toISOString()}\n`,
    );
    t += 60;
    expect(moved((await advance()).out)).toEqual(["c03", "c04", "c05"]);
    await publish(["c03", "c04", "c05"]);
    expect(moved((await advance()).out)).toEqual(["c06", "c07", "c08"]);
    await publish(["c06", "c07", "c08"]);

    // approval
    a = await advance();
    expect(a.out).toBe('rollout app-v2: nothing to move: wave early: needs approval "go-prod"\n');
    const ap = await f.cli(["rollout", "approve", "app-v2", "--by", "alice"], ++t);
    expect(ap.code, ap.err).toBe(0);
    expect(await f.lock()).toContain(`approvals:\n      - name: go-prod\n        at: ${at(t)}\n        by: alice\n`);
    expect(moved((await advance()).out)).toEqual(["c09", "c10", "c11", "c12", "c13", "c14"]);
    await publish(["c09", "c10", "c11", "c12", "c13", "c14"]);
    const deploy1 = await git(f.dir, ["rev-parse", "deploy"]);

    // health: Flux has not reported yet
    gh.log = [];
    a = await advance();
    expect(a.out).toBe(
      "rollout app-v2: nothing to move: wave prod: waiting for Flux to report on c09, c10, c11, c12, c13, c14\n",
    );
    expect(gh.log).toEqual([
      {
        method: "GET",
        path: `/api/v3/repos/acme/deploy/commits/${deploy1}/status?per_page=100`,
        auth: "token ghs_statusreader",
      },
    ]);
    for (const c of ["c09", "c10", "c11", "c12", "c13", "c14"]) gh.report(deploy1, `braid-${c}`, "success");
    gh.report(deploy1, "braid-c15", "failure"); // another cluster's report on the same commit does not count
    expect(moved((await advance()).out)).toEqual(["c15", "c16", "c17", "c18", "c19", "c20"]);
    await publish(["c15", "c16", "c17", "c18", "c19", "c20"]);
    const deploy2 = await git(f.dir, ["rev-parse", "deploy"]);
    for (const c of ["c15", "c16", "c17", "c18", "c19", "c20"]) gh.report(deploy2, `braid-${c}`, "success");
    a = await advance();
    expect(a.out).toMatch(
      /^rollout app-v2: nothing to move: every wave has passed\nbraid\.lock committed: [0-9a-f]{12}\n$/,
    );
    expect(await f.lock()).toContain("phase: complete");

    const inv = await f.inventory();
    expect(Object.values(versionOf(inv, f)).every((v) => v === "v2")).toBe(true);
    expect(inv.clusters.find((c) => c.cluster === "c10")!.rollouts).toEqual([
      { rollout: "app-v2", wave: "prod", moved: true },
    ]);
    expect(await git(f.dir, ["show", "deploy:README.md"])).toContain(
      `| app@v2.0.0 (${f.v2.slice(0, 7)}) [rollout app-v2: wave prod, moved] | 3 |`,
    );

    const st = await f.cli(["rollout", "status", "app-v2", "--format", "json"], ++t);
    const report = JSON.parse(st.out).rollouts[0];
    expect(report.phase).toBe("complete");
    expect(report.target).toEqual({ commit: f.v2, tag: "v2.0.0" });
    expect(
      report.waves.map((w: { wave: string; passed: boolean; clusters: unknown[] }) => [
        w.wave,
        w.passed,
        w.clusters.length,
      ]),
    ).toEqual([
      ["canary", true, 2],
      ["early", true, 6],
      ["prod", true, 12],
    ]);
  }, 180_000);

  it("a failed health report pauses the rollout (exit 1); abort returns every moved cluster to v1 in one commit", async () => {
    const four = { a1: "canary", a2: "canary", b1: "prod", b2: "prod" };
    const rollout = ROLLOUT.replace(/    - name: early[\s\S]*?approval: go-prod \}\n/, "").replace(
      "maxParallel: 1\n      gate: { soak: 1h }",
      "gate: { health: flux-commit-status, healthTimeout: 30m }",
    );
    const f = await makeFleet(gh, four, rollout);
    expect((await f.cli(["publish"], 0)).code).toBe(0);
    const adv = await f.cli(["rollout", "advance"], 1);
    expect(moved(adv.out)).toEqual(["a1", "a2"]);
    expect((await f.cli(["publish"], 2)).code).toBe(0);
    const d = await git(f.dir, ["rev-parse", "deploy"]);
    gh.report(d, "braid-a1", "success");
    gh.report(d, "braid-a2", "failure");
    const failed = await f.cli(["rollout", "advance"], 3);
    expect(failed.code).toBe(1);
    expect(failed.err).toContain("error ROLLOUT_HEALTH");
    expect(failed.err).toContain("rollout app-v2 paused: Flux reported a failure for a2 in wave canary");
    expect(await f.lock()).toContain("phase: paused");
    // paused: nothing moves, even after the report turns green
    gh.report(d, "braid-a2", "success");
    expect((await f.cli(["rollout", "advance"], 4)).out).toBe(
      "rollout app-v2: nothing to move: the rollout is paused (Flux reported a failure for a2 in wave canary)\n",
    );

    const before = await git(f.dir, ["rev-parse", "deploy"]);
    const ab = await f.cli(["rollout", "abort", "app-v2"], 5);
    expect(ab.code, ab.err).toBe(0);
    expect((await f.cli(["publish"], 6)).code).toBe(0);
    expect(await git(f.dir, ["rev-list", "--count", `${before}..deploy`])).toBe("1");
    expect(versionOf(await f.inventory(), f)).toEqual({ a1: "v1", a2: "v1", b1: "v1", b2: "v1" });
    await f.buildTip(["a1", "a2"]);
    expect((await f.cli(["rollout", "resume", "app-v2"], 7)).code).toBe(1);
  }, 120_000);

  it("pause stops advance until resume; status prints a table per wave", async () => {
    const f = await makeFleet(gh, { a1: "canary", a2: "canary", b1: "early" }, ROLLOUT);
    expect((await f.cli(["publish"], 0)).code).toBe(0);
    const p = await f.cli(["rollout", "pause", "app-v2"], 1); // a rollout not started yet starts paused
    expect([p.code, p.out.replace(/[0-9a-f]{12}/, "X")]).toEqual([
      0,
      "rollout app-v2: paused (braid.lock committed: X)\n",
    ]);
    expect((await f.cli(["rollout", "advance"], 2)).out).toBe(
      "rollout app-v2: nothing to move: the rollout is paused (paused by hand)\n",
    );
    expect((await f.cli(["rollout", "pause", "app-v2"], 2)).err).toContain("error ROLLOUT_STATE");
    expect((await f.cli(["rollout", "resume", "app-v2"], 3)).code).toBe(0);
    expect(moved((await f.cli(["rollout", "advance"], 4)).out)).toEqual(["a1"]);
    expect((await f.cli(["publish"], 5)).code).toBe(0);
    const deploy = (await git(f.dir, ["rev-parse", "deploy"])).slice(0, 7);
    const st = await f.cli(["rollout", "status"], 6);
    expect(st.code).toBe(0);
    expect(st.out).toBe(
      [
        `rollout app-v2: source app → v2.0.0 (${f.v2.slice(0, 7)}), active`,
        "",
        "wave canary: 1/2 on the target — 1 to move",
        "  CLUSTER  COMMIT       SINCE                     DEPLOY COMMIT",
        `  a1       new ${f.v2.slice(0, 7)}  ${at(4).replace(".000Z", ".000Z")}  ${deploy}`,
        `  a2       old ${f.v1.slice(0, 7)}  -                         -`,
        "",
        'wave early: 0/1 on the target — 1 to move; needs approval "go-prod"',
        "  CLUSTER  COMMIT       SINCE  DEPLOY COMMIT",
        `  b1       old ${f.v1.slice(0, 7)}  -      -`,
        "",
        "wave prod: 0/0 on the target — no clusters — passed",
        "  CLUSTER  COMMIT  SINCE  DEPLOY COMMIT",
        "",
        "",
      ].join("\n"),
    );
  }, 60_000);

  it("times out a health gate after healthTimeout", async () => {
    const rollout = ROLLOUT.replace(/    - name: early[\s\S]*$/, "")
      .replace("maxParallel: 1\n      gate: { soak: 1h }", "gate: { health: flux-commit-status, healthTimeout: 30m }")
      .concat("    - name: prod\n      selector: { matchLabels: { ring: prod } }\n");
    const f = await makeFleet(gh, { a1: "canary", b1: "prod" }, rollout);
    await f.cli(["publish"], 0);
    await f.cli(["rollout", "advance"], 1);
    await f.cli(["publish"], 2);
    expect((await f.cli(["rollout", "advance"], 30)).code).toBe(0);
    const late = await f.cli(["rollout", "advance"], 33);
    expect(late.code).toBe(1);
    expect(late.err).toContain("rollout app-v2 paused: no success from Flux for a1 in wave canary within 30m");
  }, 60_000);

  it("a cluster running the source outside every wave is an error of render and of advance", async () => {
    const f = await makeFleet(gh, { a1: "canary", z1: "lab" }, ROLLOUT);
    const r = await f.cli(["validate", "--format", "json"], 0);
    expect(r.code).toBe(1);
    const d = JSON.parse(r.out).diagnostics.find((x: { code: string }) => x.code === "ROLLOUT_UNCOVERED");
    expect([d.message, d.location.file, d.location.line]).toEqual([
      'rollout app-v2: 1 cluster running source "app" is in no wave: z1',
      "rollouts/app-v2.yaml",
      3,
    ]);
    const a = await f.cli(["rollout", "advance"], 0);
    expect(a.code).toBe(1);
    expect(a.err).toContain("error ROLLOUT_UNCOVERED");
  }, 60_000);
});
