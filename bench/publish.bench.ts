/**
 * Publish benchmark (issue 5): a 1,000-cluster fleet (3 sources × ~100 resources, a few patches each).
 * Measures a full publish (render + objects + commit) into the fleet's own repository, then a re-publish
 * after one cluster's file changed. Targets: full < 45 s, re-publish < 10 s, peak RSS < 1 GiB.
 * Sizes can be overridden with BENCH_CLUSTERS / BENCH_RESOURCES.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { diskFleetReader } from "../src/config/fleet-files.js";
import { publish } from "../src/publish/publish.js";
import { renderFleet } from "../src/pipeline/render-fleet.js";
import { commitAll, generateFleet } from "./gen-fleet.js";

const OPENAPI =
  process.env.BRAID_KUBERNETES_OPENAPI ?? resolve(import.meta.dirname, "../../shared/data/kubernetes-openapi");

async function renderAndPublish(fleetDir: string, cacheDir: string) {
  const t0 = performance.now();
  const run = await renderFleet({
    reader: diskFleetReader(fleetDir),
    senv: { fleetDir, cacheDir, env: {} },
    openapiEnv: OPENAPI,
    cwd: fleetDir,
  });
  const t1 = performance.now();
  const failed = run.clusters.filter((c) => !c.ok);
  if (failed.length)
    throw new Error(`bench fleet failed to render: ${failed[0]!.name}: ${failed[0]!.diagnostics[0]?.message}`);
  const result = await publish({ run, fleetDir, author: { name: "bench", email: "bench@example.com" } });
  const t2 = performance.now();
  return {
    result,
    renderMs: t1 - t0,
    publishMs: t2 - t1,
    resources: run.clusters.reduce((n, c) => n + c.resources.length, 0),
  };
}

/** Runs the benchmark; returns its figures. */
export async function run(): Promise<Record<string, number | string>> {
  const clusters = Number(process.env.BENCH_CLUSTERS ?? 1000);
  const resourcesPerSource = Number(process.env.BENCH_RESOURCES ?? 100);
  const dir = await mkdtemp(join(tmpdir(), "braid-bench-publish-"));
  try {
    const gen = await generateFleet(dir, { clusters, resourcesPerSource });
    const cache = join(dir, "cache");
    const full = await renderAndPublish(gen.fleetDir, cache);
    if (full.result.status !== "published") throw new Error(`full publish: ${full.result.status}`);
    await writeFile(join(gen.fleetDir, gen.clusterFile(gen.clusterNames[0]!)), gen.clusterText(0, 42));
    await commitAll(gen.fleetDir, "change one cluster");
    const again = await renderAndPublish(gen.fleetDir, cache);
    if (again.result.status !== "published" || again.result.changed.length !== 1)
      throw new Error(`re-publish: ${again.result.status}`);
    return {
      clusters,
      resources: full.resources,
      "publish.full.s": round((full.renderMs + full.publishMs) / 1000),
      "publish.full.render.s": round(full.renderMs / 1000),
      "publish.full.write.s": round(full.publishMs / 1000),
      "publish.full.objects": full.result.objectsWritten,
      "publish.republish.s": round((again.renderMs + again.publishMs) / 1000),
      "publish.republish.write.s": round(again.publishMs / 1000),
      "publish.republish.objects": again.result.objectsWritten,
      "peak.rss.mb": Math.round(process.resourceUsage().maxRSS / 1024),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  console.log(await run());
}
