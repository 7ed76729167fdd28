/**
 * Incremental publish benchmark (issue 13 part 2) on the bench fleet (1,000 clusters × 3 sources × ~100
 * resources, a few patches each), through the CLI in this process (`braid publish`, as the scheduled job runs
 * it, braid.lock committed): a cold publish (empty cache, no deploy branch), a no-op publish (nothing changed:
 * the fleet folder's key matches the last publish, nothing parsed), and a publish after one cluster's file
 * changed (one cluster rendered, the others reused from the deploy tip); and a cold publish of the fleet to a new
 * branch with `--no-cache` on a machine that has run braid before (only the validator cache warm). Each with wall
 * and CPU time (user + system: the machine may be shared), beside `kubectl kustomize` of a sample of the
 * published cluster folders in the same run, extrapolated to the fleet (labelled as such).
 * Also the preview of that one-cluster change (`braid preview --base HEAD~1 --head HEAD`).
 * Then what a user waits for on a fresh CI runner: the compiled CLI (`node bin/braid.js publish`, built
 * first) as a new process in a new clone of the fleet, with an empty BRAID_CACHE — cold in every way, module
 * loading, source clones and JIT warm-up included (BENCH_COLD_RUNS times, default 3, each in its own clone: the
 * figure is the median; the kubectl sample is timed half before and half after them); and, on a new clone that has the deploy branch that
 * publish made, a no-op publish and one after one cluster's file changed, each with an empty BRAID_CACHE (what
 * the scheduled job on a hosted runner pays: everything reused from the deploy tip, the fleet config parsed).
 * Targets: no-op ≤ 0.5 s, one-cluster change ≤ 1 s, cold render+publish ≤ 3 s.
 * Sizes can be overridden with BENCH_CLUSTERS / BENCH_RESOURCES (resources per source: a cluster has three
 * sources, so the default 100 gives 301 files per cluster; issue 13 states its 1,000-cluster targets on a
 * 109-resource fleet, BENCH_RESOURCES=37, and its 10,000-cluster target at 100 resources, BENCH_RESOURCES=34);
 * BENCH_KUSTOMIZE_SAMPLE (default 20).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { main } from "../src/cli/main.js";
import { childrenCpu } from "./children-cpu.js";
import { commitAll, generateFleet } from "./gen-fleet.js";

const exec = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "..");
const OPENAPI = process.env.BRAID_KUBERNETES_OPENAPI ?? resolve(ROOT, "../shared/data/kubernetes-openapi");
/** How many cold publishes as a new process (BENCH_COLD_RUNS, default 3): the figure is their median. */
const COLD_RUNS = Math.max(1, Number(process.env.BENCH_COLD_RUNS ?? 3));

interface Timed {
  wall: number;
  cpu: number;
  json: Record<string, unknown>;
}

async function braid(args: string[], cwd: string, cache: string): Promise<Timed> {
  let out = "";
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const code = await main([...args, "--format", "json", "--quiet"], {
    stdout: (t) => void (out += t),
    stderr: (t) => process.stderr.write(t),
    env: {
      PATH: process.env.PATH, // as a user's shell has it (the system git serves the fleet's status)
      BRAID_KUBERNETES_OPENAPI: OPENAPI,
      BRAID_CACHE: cache,
      GIT_AUTHOR_NAME: "bench",
      GIT_AUTHOR_EMAIL: "bench@example.com",
    },
    cwd,
    isTTY: false,
  });
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  if (code !== 0) throw new Error(`braid ${args.join(" ")} exited ${code}: ${out.slice(0, 2000)}`);
  return { wall, cpu: (c.user + c.system) / 1e6, json: JSON.parse(out) as Record<string, unknown> };
}

/** Runs the benchmark; returns its figures. */
export async function run(): Promise<Record<string, number | string>> {
  const clusters = Number(process.env.BENCH_CLUSTERS ?? 1000);
  const resourcesPerSource = Number(process.env.BENCH_RESOURCES ?? 100);
  const sample = Math.min(clusters, Number(process.env.BENCH_KUSTOMIZE_SAMPLE ?? 20));
  const dir = await mkdtemp(join(tmpdir(), "braid-bench-incr-"));
  try {
    const gen = await generateFleet(dir, { clusters, resourcesPerSource });
    const cache = join(dir, "cache");
    // a fleet commits its braid.lock (every pin locked: a no-op publish then parses nothing)
    await main(["lock", "--quiet", "--fleet", gen.fleetDir], {
      stdout: () => {},
      stderr: (t) => process.stderr.write(t),
      env: { BRAID_CACHE: cache },
      cwd: dir,
      isTTY: false,
    });
    await commitAll(gen.fleetDir, "lock");
    const cold = await braid(["publish"], gen.fleetDir, cache);
    const coldRss = peakRssMb(); // the cold render+publish's peak (the process's peak only grows)
    if (cold.json.status !== "published") throw new Error(`cold publish: ${String(cold.json.status)}`);
    const noop = await braid(["publish"], gen.fleetDir, cache);
    if (noop.json.status !== "unchanged" || noop.json.unchanged !== clusters)
      throw new Error(`no-op publish: ${String(noop.json.status)}, ${String(noop.json.reused)} reused`);
    await writeFile(join(gen.fleetDir, gen.clusterFile(gen.clusterNames[0]!)), gen.clusterText(0, 42));
    await commitAll(gen.fleetDir, "change one cluster");
    const one = await braid(["publish"], gen.fleetDir, cache);
    if (
      one.json.status !== "published" ||
      (one.json.changed as unknown[]).length !== 1 ||
      one.json.reused !== clusters - 1
    )
      throw new Error(`one-cluster publish: ${String(one.json.status)}, ${String(one.json.reused)} reused`);
    // the pull-request preview of that change: each side renders only the clusters whose digest differs (head takes
    // the others from the deploy branch the publishes left)
    const preview = await braid(["preview", "--base", "HEAD~1", "--head", "HEAD"], gen.fleetDir, cache);
    const previewed = preview.json.totals as { clustersChanged: number } | undefined;
    if (previewed?.clustersChanged !== 1) throw new Error(`preview: ${JSON.stringify(preview.json.totals)}`);

    // a cold fleet on a machine that has run braid before: a new branch, nothing reused (--no-cache), only
    // the validators of built-in kinds from $BRAID_CACHE (compiled by the first publish)
    const coldWarm = await braid(["publish", "--branch", "deploy-cold", "--no-cache"], gen.fleetDir, cache);
    if (coldWarm.json.status !== "published") throw new Error(`cold publish: ${String(coldWarm.json.status)}`);

    // kubectl kustomize of a sample of the published folders (checked out by a warm render), extrapolated: half
    // the sample before the cold new-process publishes and half after, so that both see the machine alike
    const out = join(dir, "out");
    await braid(["render", "--out", out], gen.fleetDir, cache);
    const kubectl = await hasKubectl();
    const sampled = gen.clusterNames.slice(0, sample);
    const half = Math.ceil(sampled.length / 2);
    let kubectlSeconds = kubectl ? await kustomizeEach(out, sampled.slice(0, half)) : 0;

    // the compiled CLI as a new process in a new clone of the fleet (no deploy branch, no objects), nothing
    // cached; COLD_RUNS times, each in its own clone and cache (the figure is the median)
    await exec("npm", ["run", "build", "--silent"], { cwd: ROOT });
    const colds: { wall: number; cpu: number; rss: number | string; clone: string }[] = [];
    for (let i = 0; i < COLD_RUNS; i++) {
      const clone = join(dir, `clone-${i}`);
      await exec("git", ["clone", "-q", "--single-branch", "-b", "main", gen.fleetDir, clone]);
      // its peak RSS through GNU time where there is one (Node reports only its own)
      const rssFile = join(dir, `fresh-rss-${i}`);
      const timed = existsSync("/usr/bin/time") ? ["/usr/bin/time", "-f", "%M", "-o", rssFile] : [];
      const run = await newProcess(["publish", "--quiet"], clone, join(dir, `fresh-cache-${i}`), timed);
      const rss = timed.length ? Math.round(Number(await readFile(rssFile, "utf8")) / 1024) : "no /usr/bin/time";
      colds.push({ ...run, rss, clone });
    }
    if (kubectl) kubectlSeconds += await kustomizeEach(out, sampled.slice(half));
    const fresh = [...colds].sort((a, b) => a.wall - b.wall)[Math.floor(colds.length / 2)]!;
    const clone = colds[0]!.clone;

    // a new CI runner on a fleet that has been published: a new clone with the deploy branch that publish made,
    // an empty BRAID_CACHE; nothing changed, then one cluster's file changed
    const runner = join(dir, "runner");
    await exec("git", ["clone", "-q", "--no-local", clone, runner]);
    await exec("git", ["branch", "deploy", "origin/deploy"], { cwd: runner });
    const runnerNoop = await newProcess(["publish", "--format", "json"], runner, join(dir, "runner-cache-1"));
    const noopJson = JSON.parse(runnerNoop.out) as { status?: string; reused?: number };
    if (noopJson.status !== "unchanged" || noopJson.reused !== clusters)
      throw new Error(`new runner no-op: ${String(noopJson.status)}, ${String(noopJson.reused)} reused`);
    await writeFile(join(runner, gen.clusterFile(gen.clusterNames[0]!)), gen.clusterText(0, 43)); // 42 is in the clone already
    await commitAll(runner, "change one cluster");
    const runnerOne = await newProcess(["publish", "--format", "json"], runner, join(dir, "runner-cache-2"));
    const oneJson = JSON.parse(runnerOne.out) as { status?: string; reused?: number };
    if (oneJson.status !== "published" || oneJson.reused !== clusters - 1)
      throw new Error(`new runner one-cluster: ${String(oneJson.status)}, ${String(oneJson.reused)} reused`);

    const kustomize: number | string = kubectl ? kubectlSeconds * (clusters / sample) : "kubectl not on PATH";
    const k = typeof kustomize === "number" ? kustomize : undefined;
    return {
      clusters,
      "publish.cold.wall.s": round(cold.wall),
      "publish.cold.cpu.s": round(cold.cpu),
      "publish.cold_warm_validators.wall.s": round(coldWarm.wall),
      "publish.cold_warm_validators.cpu.s": round(coldWarm.cpu),
      "publish.cold_new_process.wall.s": round(fresh.wall),
      "publish.cold_new_process.cpu.s": round(fresh.cpu),
      "publish.cold_new_process.peak_rss.mb": fresh.rss,
      [`publish.cold_new_process.runs (${COLD_RUNS})`]: colds.map((c) => round(c.wall)).join(" "),
      "publish.new_runner.noop.wall.s": round(runnerNoop.wall),
      "publish.new_runner.noop.cpu.s": round(runnerNoop.cpu),
      "publish.new_runner.one_cluster.wall.s": round(runnerOne.wall),
      "publish.new_runner.one_cluster.cpu.s": round(runnerOne.cpu),
      "publish.noop.wall.s": round(noop.wall),
      "publish.noop.cpu.s": round(noop.cpu),
      "publish.one_cluster.wall.s": round(one.wall),
      "publish.one_cluster.cpu.s": round(one.cpu),
      "preview.one_cluster.wall.s": round(preview.wall),
      "preview.one_cluster.cpu.s": round(preview.cpu),
      [`kubectl_kustomize.per_cluster_x${clusters}.s (from ${sample})`]: k !== undefined ? round(k) : String(kustomize),
      "ratio.kustomize_over_cold": k !== undefined ? round(k / cold.wall) : "-",
      "ratio.kustomize_over_cold_new_process": k !== undefined ? round(k / fresh.wall) : "-",
      "ratio.kustomize_over_noop": k !== undefined ? round(k / noop.wall) : "-",
      "ratio.kustomize_over_one_cluster": k !== undefined ? round(k / one.wall) : "-",
      "peak.rss.mb.after_cold_publish": coldRss,
      "peak.rss.mb": peakRssMb(),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function hasKubectl(): Promise<boolean> {
  try {
    await exec("kubectl", ["version", "--client"]);
    return true;
  } catch {
    return false;
  }
}

/** Seconds `kubectl kustomize` takes for each of these cluster folders of a rendered tree, one after another. */
async function kustomizeEach(out: string, names: string[]): Promise<number> {
  const t0 = performance.now();
  for (const name of names)
    await exec("kubectl", ["kustomize", join(out, "clusters", name)], { maxBuffer: 64 * 1024 * 1024 });
  return (performance.now() - t0) / 1000;
}

/** The compiled CLI as a new process (`timed`: a GNU time prefix), with its wall and CPU time and stdout. */
async function newProcess(
  args: string[],
  cwd: string,
  cache: string,
  timed: string[] = [],
): Promise<{ wall: number; cpu: number; out: string }> {
  const command = [...timed, "node", join(ROOT, "bin", "braid.js"), ...args];
  const c0 = await childrenCpu();
  const t0 = performance.now();
  const { stdout } = await exec(command[0]!, command.slice(1), {
    cwd,
    env: {
      PATH: process.env.PATH,
      BRAID_KUBERNETES_OPENAPI: OPENAPI,
      BRAID_CACHE: cache,
      GIT_AUTHOR_NAME: "bench",
      GIT_AUTHOR_EMAIL: "bench@example.com",
    },
    maxBuffer: 256 * 1024 * 1024,
  });
  return { wall: (performance.now() - t0) / 1000, cpu: (await childrenCpu()) - c0, out: stdout };
}

function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
