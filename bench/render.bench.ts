/**
 * Render benchmark (issue 4): the generated 1,000-cluster fleet (3 sources × ~100 resources, a few patches
 * each) rendered and validated in memory, every resource serialized, as `braid validate`/`render` do; then
 * the same run writing the output tree to disk (`braid render --out`). Targets: render < 30 s, < 1 GiB.
 * Sizes can be overridden with BENCH_CLUSTERS / BENCH_RESOURCES.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { main } from "../src/cli/main.js";
import { diskFleetReader } from "../src/config/fleet-files.js";
import { renderFleet } from "../src/pipeline/render-fleet.js";
import { generateFleet } from "./gen-fleet.js";

const OPENAPI = process.env.BRAID_KUBERNETES_OPENAPI ?? resolve(import.meta.dirname, "../../shared/data/kubernetes-openapi");

/** Runs the benchmark; returns its figures. */
export async function run(): Promise<Record<string, number | string>> {
  const clusters = Number(process.env.BENCH_CLUSTERS ?? 1000);
  const resourcesPerSource = Number(process.env.BENCH_RESOURCES ?? 100);
  const dir = await mkdtemp(join(tmpdir(), "braid-bench-render-"));
  try {
    const gen = await generateFleet(dir, { clusters, resourcesPerSource });
    const cacheDir = join(dir, "cache");
    const t0 = performance.now();
    const result = await renderFleet({ reader: diskFleetReader(gen.fleetDir), senv: { fleetDir: gen.fleetDir, cacheDir, env: {} }, openapiEnv: OPENAPI });
    const t1 = performance.now();
    const failed = result.clusters.filter((c) => !c.ok);
    if (failed.length) throw new Error(`bench fleet failed to render: ${failed[0]!.name}: ${failed[0]!.diagnostics[0]?.message}`);
    const resources = result.clusters.reduce((n, c) => n + c.resources.length, 0);
    const bytes = result.clusters.reduce((n, c) => n + (c.output?.files.reduce((m, f) => m + f.content.length, 0) ?? 0), 0);
    const rssAfterRender = process.memoryUsage().rss;

    const out = join(dir, "out");
    const t2 = performance.now();
    const code = await main(["render", "--out", out, "--quiet", "--fleet", gen.fleetDir], {
      stdout: () => {},
      stderr: (t) => process.stderr.write(t),
      env: { BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: cacheDir },
      cwd: dir,
      isTTY: false,
    });
    const t3 = performance.now();
    if (code !== 0) throw new Error(`braid render exited ${code}`);

    // the same fleet with every source a kustomize base + overlay (issue 10: within 10% of plain sources)
    const kgen = await generateFleet(join(dir, "kustomize"), { clusters, resourcesPerSource, kustomize: true });
    const t4 = performance.now();
    const kresult = await renderFleet({ reader: diskFleetReader(kgen.fleetDir), senv: { fleetDir: kgen.fleetDir, cacheDir: join(dir, "kcache"), env: {} }, openapiEnv: OPENAPI });
    const t5 = performance.now();
    const kfailed = kresult.clusters.filter((c) => !c.ok);
    if (kfailed.length) throw new Error(`kustomize bench fleet failed: ${kfailed[0]!.name}: ${kfailed[0]!.diagnostics[0]?.message}`);
    return {
      clusters,
      resources,
      "output.mb": Math.round(bytes / 1e6),
      "render.s": round((t1 - t0) / 1000),
      "render.resources_per_s": Math.round(resources / ((t1 - t0) / 1000)),
      "render.kustomize_bases.s": round((t5 - t4) / 1000),
      "render.kustomize_bases.vs_plain": round((t5 - t4) / (t1 - t0)),
      "rss.after_render.mb": Math.round(rssAfterRender / 2 ** 20),
      "render_to_disk.s": round((t3 - t2) / 1000),
      "render_to_disk.files_per_s": Math.round((resources + clusters) / ((t3 - t2) / 1000)),
      "peak.rss.mb": Math.round(process.resourceUsage().maxRSS / 1024),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
