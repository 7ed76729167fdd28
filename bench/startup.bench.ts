/**
 * Start-up benchmark (issue 13, part 1): what a user waits for on small fleets. Runs the compiled CLI
 * (`bin/braid.js` → dist/, built first with `npm run build`) as a new process each time and reports the median
 * wall time of: `braid --help`; `braid render` of a 3-cluster fleet; `braid render` of one cluster with one
 * source of 20 objects, beside `kubectl kustomize` of the same 20 files measured in the same run (a ratio).
 * Targets: --help ≤ 0.25 s, 3-cluster render ≤ 0.6 s, 20-object render within 3× of kubectl kustomize.
 * Each render is timed three ways: run again on an unchanged fleet (every cluster is then reused from the
 * local cache, as a user re-running braid sees it); after the cluster's file changed (a new var value before
 * each run: the cluster is rendered, its source's build comes from the parsed-manifest cache); and with
 * --no-cache (every cluster rendered from its sources; only the OpenAPI and validator caches warm). Beside them, the floor of any Node.js CLI on the machine: `node -e 0` (a
 * process that loads nothing), and its ratio to kubectl kustomize: the 20-object ratio cannot go below it.
 * Each figure also as CPU seconds (user + sys of the child, from /proc on Linux): on a loaded machine wall
 * time says more about the load than about braid.
 * Reproduce: `npm run bench -- startup` (BENCH_REPEAT sets the number of runs, default 7).
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { childrenCpu } from "./children-cpu.js";
import { generateFleet } from "./gen-fleet.js";

const exec = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "..");
const BIN = join(ROOT, "bin", "braid.js");
const OPENAPI = process.env.BRAID_KUBERNETES_OPENAPI ?? resolve(ROOT, "../shared/data/kubernetes-openapi");
const REPEAT = Number(process.env.BENCH_REPEAT ?? 7);

const cpuMedians = new Map<string, number>();

/** The median wall seconds of REPEAT runs; the median CPU seconds go to `cpuMedians` under `name`. */
async function median(fn: () => Promise<unknown>, name?: string, before?: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    await before?.();
    const c0 = await childrenCpu();
    const t0 = performance.now();
    await fn();
    times.push((performance.now() - t0) / 1000);
    cpus.push((await childrenCpu()) - c0);
  }
  times.sort((a, b) => a - b);
  cpus.sort((a, b) => a - b);
  if (name) cpuMedians.set(name, cpus[Math.floor(cpus.length / 2)]!);
  return times[Math.floor(times.length / 2)]!;
}

function object(i: number): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: cm-${i}
  namespace: apps
data:
  index: "${i}"
`;
}

/** Runs the benchmark; returns its figures. */
export async function run(): Promise<Record<string, number | string>> {
  await exec("npm", ["run", "build", "--silent"], { cwd: ROOT });
  const dir = await mkdtemp(join(tmpdir(), "braid-bench-startup-"));
  try {
    const env = { ...process.env, BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: join(dir, "cache") };
    const bare = await median(() => exec("node", ["-e", "0"]), "node");
    const help = await median(() => exec("node", [BIN, "--help"]), "help");

    const small = await generateFleet(join(dir, "three"), { clusters: 3, resourcesPerSource: 20 });
    const out3 = join(dir, "out3");
    await exec("node", [BIN, "render", "--quiet", "--out", out3], { cwd: small.fleetDir, env }); // warm the OpenAPI cache
    const render3 = await median(
      () => exec("node", [BIN, "render", "--quiet", "--out", out3], { cwd: small.fleetDir, env }),
      "render3",
    );
    const render3NoCache = await median(
      () => exec("node", [BIN, "render", "--quiet", "--no-cache", "--out", out3], { cwd: small.fleetDir, env }),
      "render3NoCache",
    );

    // one source of 20 objects: braid render of one cluster vs kubectl kustomize of the same files
    const src = join(dir, "twenty-src");
    await mkdir(join(src, "manifests"), { recursive: true });
    const files = Array.from({ length: 20 }, (_, i) => `cm-${i}.yaml`);
    for (const [i, f] of files.entries()) await writeFile(join(src, "manifests", f), object(i));
    await writeFile(
      join(src, "manifests", "kustomization.yaml"),
      `resources:\n${files.map((f) => `  - ${f}`).join("\n")}\n`,
    );
    const gitEnv = {
      ...process.env,
      GIT_AUTHOR_NAME: "b",
      GIT_AUTHOR_EMAIL: "b@x",
      GIT_COMMITTER_NAME: "b",
      GIT_COMMITTER_EMAIL: "b@x",
    };
    await exec("git", ["init", "-q", "-b", "main"], { cwd: src });
    await exec("git", ["add", "-A"], { cwd: src, env: gitEnv });
    await exec("git", ["commit", "-q", "-m", "twenty"], { cwd: src, env: gitEnv });
    await exec("git", ["tag", "v1.0.0"], { cwd: src });
    const fleet = join(dir, "twenty-fleet");
    await mkdir(join(fleet, "clusters"), { recursive: true });
    await writeFile(
      join(fleet, "braid.yaml"),
      `apiVersion: braid/v1alpha1\nkind: Fleet\nmetadata: { name: twenty }\nspec:\n  kubernetesVersion: "1.34"\n  sources:\n    - { name: apps, url: ${src}, ref: { tag: v1.0.0 }, path: manifests, exclude: [kustomization.yaml] }\n`,
    );
    await writeFile(
      join(fleet, "clusters", "one.yaml"),
      "apiVersion: braid/v1alpha1\nkind: Cluster\nmetadata: { name: one }\nspec: {}\n",
    );
    const out1 = join(dir, "out1");
    await exec("node", [BIN, "render", "--quiet", "--out", out1], { cwd: fleet, env });
    const render20 = await median(
      () => exec("node", [BIN, "render", "--quiet", "--out", out1], { cwd: fleet, env }),
      "render20",
    );
    const render20NoCache = await median(
      () => exec("node", [BIN, "render", "--quiet", "--no-cache", "--out", out1], { cwd: fleet, env }),
      "render20NoCache",
    );
    let stamp = 0;
    const render20Changed = await median(
      () => exec("node", [BIN, "render", "--quiet", "--out", out1], { cwd: fleet, env }),
      "render20Changed",
      () =>
        writeFile(
          join(fleet, "clusters", "one.yaml"),
          `apiVersion: braid/v1alpha1\nkind: Cluster\nmetadata: { name: one }\nspec:\n  vars: { stamp: "${++stamp}" }\n`,
        ),
    );
    let kustomize: number | string = "kubectl not on PATH";
    try {
      await exec("kubectl", ["kustomize", join(src, "manifests")]);
      kustomize = await median(() => exec("kubectl", ["kustomize", join(src, "manifests")]), "kustomize");
    } catch {
      /* no kubectl: reported as such */
    }
    return {
      "help.s": round(help),
      "render.3_clusters.s": round(render3),
      "render.3_clusters.no_cache.s": round(render3NoCache),
      "render.20_objects.s": round(render20),
      "render.20_objects.changed.s": round(render20Changed),
      "render.20_objects.no_cache.s": round(render20NoCache),
      "kubectl_kustomize.20_objects.s": typeof kustomize === "number" ? round(kustomize) : kustomize,
      "ratio.render_vs_kustomize": typeof kustomize === "number" ? round(render20 / kustomize) : "n/a",
      "ratio.render_changed_vs_kustomize": typeof kustomize === "number" ? round(render20Changed / kustomize) : "n/a",
      "ratio.render_no_cache_vs_kustomize": typeof kustomize === "number" ? round(render20NoCache / kustomize) : "n/a",
      "node_e_0.s": round(bare),
      "ratio.node_e_0_vs_kustomize": typeof kustomize === "number" ? round(bare / kustomize) : "n/a",
      "help.cpu.s": round(cpuMedians.get("help")!),
      "render.3_clusters.cpu.s": round(cpuMedians.get("render3")!),
      "render.3_clusters.no_cache.cpu.s": round(cpuMedians.get("render3NoCache")!),
      "render.20_objects.cpu.s": round(cpuMedians.get("render20")!),
      ...(cpuMedians.has("kustomize")
        ? {
            "kubectl_kustomize.20_objects.cpu.s": round(cpuMedians.get("kustomize")!),
            "ratio.render_cpu_vs_kustomize_cpu": round(cpuMedians.get("render20")! / cpuMedians.get("kustomize")!),
          }
        : {}),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
