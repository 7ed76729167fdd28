import { link, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve, sep } from "node:path";
import { BraidError, exitCodeFor, type Diagnostic } from "../diagnostics/diagnostic.js";
import { diskFleetReader } from "../config/fleet-files.js";
import { renderFleet, type FleetRun } from "../pipeline/render-fleet.js";
import { PIN_CODES } from "../diagnostics/codes.js";
import { fleetDir, pickFormat, printDiagnostics, progress, sourceEnv, table, type Format } from "./common.js";
import type { CliIO } from "./io.js";
import { resultHeader } from "./json-document.js";
import { printGithubAnnotations } from "./github-output.js";
import { checkOutDir } from "./out-dir.js";
import { configCache, localReuse, manifestStore } from "./incremental.js";
import type { ClusterReuse } from "../render/reuse.js";
import { resourceCount } from "../render/reuse.js";
import { codeFrames } from "./code-frames.js";
import { mapPool } from "../model/map-pool.js";

/** Help text of `braid render`. */
export const RENDER_HELP = `braid render [--fleet DIR] [--cluster NAME…] [--out DIR] [--update] [--no-cache] [--format text|json|github] [--quiet]
       braid render --explain-source SOURCE --cluster NAME [--fleet DIR] [--update] [--format text|json]

Renders clusters to a folder (default: a new temp dir, printed): per cluster, one file per resource at
<output.path>/<namespace or _cluster>/<kind>-<name>.yaml and a kustomization.yaml listing them. Uses braid.lock
when present; --update re-resolves floating pins. Clusters that fail are reported and not written; exit 1.
--explain-source prints (YAML, each object after a "# file:line" comment) what SOURCE yields for the cluster
before braid's own patches and variables: its kustomize build, or its manifests. Writes nothing.
A cluster whose input digest is unchanged is taken from the local cache ($BRAID_CACHE/render) unrendered;
--no-cache (or BRAID_NO_INCREMENTAL=1) renders every cluster.
`;

/** Help text of `braid validate`. */
export const VALIDATE_HELP = `braid validate [--fleet DIR] [--cluster NAME…] [--update] [--no-cache] [--format text|json|github] [--quiet]

Checks the config, renders every cluster in memory and validates the result against the Kubernetes OpenAPI
of kubernetesVersion, CRD schemas and the fleet's org policies. Writes nothing. Exit 1 on any error.
--format github prints GitHub Actions annotations (::error file=…,line=…::): paths relative to the repository
root (GITHUB_WORKSPACE, else the Git top level), one annotation per problem however many clusters repeat it,
and beyond GitHub's 10 per type and step, the full list in $GITHUB_STEP_SUMMARY.
A cluster whose input digest is unchanged is taken from the local cache ($BRAID_CACHE/render) unrendered;
--no-cache (or BRAID_NO_INCREMENTAL=1) renders every cluster.
`;

interface RunFlags {
  fleet?: string;
  format?: string;
  quiet?: boolean;
  cluster?: string[];
  update?: boolean;
  "no-cache"?: boolean;
}

/** Runs the fleet with progress on a TTY; shared by render, validate, publish and inventory. */
export async function runWithProgress(
  io: CliIO,
  values: RunFlags,
  format: Format,
  reuse?: ClusterReuse,
  /** Fleet files the command has read already (see diskFleetReader). */
  preread?: ReadonlyMap<string, Buffer>,
): Promise<FleetRun> {
  const dir = fleetDir(io, values.fleet);
  const bar = progress(io, !values.quiet && format === "text");
  try {
    return await renderFleet({
      reader: diskFleetReader(dir, preread),
      senv: sourceEnv(io, dir),
      openapiEnv: io.env.BRAID_KUBERNETES_OPENAPI,
      cwd: io.cwd,
      only: values.cluster
        ?.flatMap((c) => c.split(","))
        .map((c) => c.trim())
        .filter(Boolean),
      update: values.update,
      ...(reuse ? { reuse } : {}),
      configCache: await configCache(io, values["no-cache"], dir),
      manifestStore: manifestStore(io, values["no-cache"]),
      onProgress: (done, total, name) => bar.update(done, total, `rendered ${name}`),
    });
  } finally {
    bar.end();
  }
}

/** The code frames of a run's located errors in text output (fleet files from the fleet folder, source files at their pins). */
export function runFrames(
  io: CliIO,
  fleet: string | undefined,
  run: FleetRun,
  diagnostics: readonly Diagnostic[],
): Promise<(d: Diagnostic) => string | undefined> {
  return codeFrames(diagnostics, {
    reader: diskFleetReader(fleetDir(io, fleet)),
    pins: run.pins,
    ...(run.remoteBases ? { bases: run.remoteBases } : {}),
  });
}

/** All diagnostics of a run: fleet-level first, then per cluster. */
export function allDiagnostics(run: FleetRun): Diagnostic[] {
  return [...run.diagnostics, ...run.clusters.flatMap((c) => c.diagnostics)];
}

/**
 * Per-cluster summary rows (text). `withheld`: clusters that rendered but were not written, for an error in
 * the fleet config that may have left something out of them (WITHHELD).
 */
function summaryTable(run: FleetRun, withheld: ReadonlySet<string> = new Set()): string {
  const rows = [["CLUSTER", "STATUS", "RESOURCES", "SOURCES"]];
  for (const c of run.clusters)
    rows.push([
      c.name,
      !c.ok ? "FAILED" : withheld.has(c.name) ? "WITHHELD" : "ok",
      String(resourceCount(c)),
      c.pins
        .map(
          (p) =>
            `${p.source.name}@${p.resolution?.tag ?? p.resolution?.branch ?? "commit"}(${p.resolution?.commit.slice(0, 7)})`,
        )
        .join(" "),
    ]);
  return table(rows);
}

/** JSON summary of a run (`withheld`: as for {@link summaryTable}: not ok, no files). */
function summaryJson(
  run: FleetRun,
  kind: "RenderResult" | "ValidationResult",
  extra: Record<string, unknown> = {},
  withheld: ReadonlySet<string> = new Set(),
): string {
  return (
    JSON.stringify(
      {
        ...resultHeader(kind),
        ...extra,
        ok: run.clusters.every((c) => c.ok) && !run.diagnostics.some((d) => d.severity === "error"),
        clusters: run.clusters.map((c) => ({
          name: c.name,
          ok: c.ok && !withheld.has(c.name),
          ...(withheld.has(c.name) ? { withheld: true } : {}),
          resources: resourceCount(c),
          files: withheld.has(c.name) ? 0 : (c.output?.files.length ?? 0),
          sources: c.pins.map((p) => ({
            name: p.source.name,
            tag: p.resolution?.tag ?? null,
            branch: p.resolution?.branch ?? null,
            commit: p.resolution?.commit ?? null,
          })),
          inputDigest: c.inputDigest,
          ...(c.reused ? { reused: c.reused.from } : {}),
        })),
        diagnostics: allDiagnostics(run),
      },
      null,
      2,
    ) + "\n"
  );
}

/**
 * Writes the output tree: each cluster folder is replaced whole (no stale files survive), folders are created
 * once, and a file whose content was already written in this run is a hard link to that first copy (most
 * files are identical across clusters; linking is ~15× faster than writing). Falls back to writing where the
 * file system refuses links.
 */
async function writeFiles(
  clusterDirs: readonly string[],
  files: readonly { path: string; content: string }[],
  concurrency = 64,
): Promise<void> {
  for (const d of clusterDirs) await rm(d, { recursive: true, force: true });
  const dirs = [...new Set(files.map((f) => dirname(f.path)))].sort();
  for (const d of dirs) await mkdir(d, { recursive: true });
  const first = new Map<string, string>();
  const originals: { path: string; content: string }[] = [];
  const copies: { path: string; content: string; from: string }[] = [];
  for (const f of files) {
    const from = first.get(f.content);
    if (from === undefined) {
      first.set(f.content, f.path);
      originals.push(f);
    } else copies.push({ ...f, from });
  }
  let canLink = true;
  await mapPool(originals, concurrency, (f) => writeFile(f.path, f.content));
  await mapPool(copies, concurrency, async (f) => {
    if (canLink) {
      try {
        await link(f.from, f.path);
        return;
      } catch {
        canLink = false;
      }
    }
    await writeFile(f.path, f.content);
  });
}

/**
 * The clusters not to write: a fleet-config error (a patch file refused or missing, a bad group…) may have
 * left something out of a cluster that rendered "ok". An error in a cluster's own file withholds that
 * cluster; any other config error (braid.yaml, a group, a shared patch file) withholds every cluster
 * (`fleetWide`), as publish then publishes nothing.
 */
function withheldClusters(run: FleetRun): { withheld: Set<string>; fleetWide: boolean } {
  const configErrors = run.diagnostics.filter((d) => d.severity === "error" && !PIN_CODES.has(d.code));
  const clusterFiles = new Set(run.clusters.map((c) => c.cluster.location.file));
  const fleetWide = configErrors.some((d) => !d.location || !clusterFiles.has(d.location.file));
  const withheld = new Set(
    run.clusters
      .filter((c) => fleetWide || configErrors.some((d) => d.location?.file === c.cluster.location.file))
      .map((c) => c.name),
  );
  return { withheld, fleetWide };
}

/** `braid render`. */
export async function renderCommand(io: CliIO, values: RunFlags & { out?: string }): Promise<number> {
  const format = pickFormat(values.format, ["text", "json", "github"], "text");
  const given = values.out ? resolve(io.cwd, values.out) : undefined;
  const fleet = fleetDir(io, values.fleet);
  if (given !== undefined) {
    if (fleet === given || fleet.startsWith(given.endsWith(sep) ? given : given + sep))
      throw new BraidError({
        code: "USAGE",
        message: `--out ${given} holds the fleet folder; choose a folder outside it`,
      });
    await checkOutDir(given);
  }
  const run = await runWithProgress(io, values, format, localReuse(io, values["no-cache"]));
  const { withheld, fleetWide } = withheldClusters(run);
  const written = run.clusters.filter((c) => c.output && !withheld.has(c.name));
  const diagnostics = allDiagnostics(run);
  // without --out, a run that failed and has nothing to write makes no temp folder (none is left behind)
  const out =
    given ?? (written.length || exitCodeFor(diagnostics) === 0 ? await mkdtemp(join(tmpdir(), "braid-render-")) : "");
  const writes: { path: string; content: string }[] = [];
  for (const c of written)
    for (const f of c.output?.files ?? []) {
      const path = join(out, c.output!.dir, f.path);
      if (!path.startsWith(out + sep))
        throw new BraidError({ code: "PATH_ESCAPE", message: `output path ${c.output!.dir}/${f.path} leaves ${out}` });
      writes.push({ path, content: f.content });
    }
  await writeFiles(
    written.map((c) => join(out, c.output!.dir)),
    writes,
  );
  const files = writes.length;
  if (format === "json") io.stdout(summaryJson(run, "RenderResult", { out: out || null, files }, withheld));
  else {
    if (format === "github") await printGithubAnnotations(io, diagnostics, fleet, values.quiet);
    else printDiagnostics(io, diagnostics, format, values.quiet, await runFrames(io, values.fleet, run, diagnostics));
    if (values.quiet && !values.out && out) io.stdout(`${out}\n`);
    if (!values.quiet) {
      io.stdout(summaryTable(run, withheld));
      const failed = run.clusters.filter((c) => !c.ok || withheld.has(c.name)).length;
      io.stdout(
        `rendered ${run.clusters.length - failed}/${run.clusters.length} clusters, ${out ? `${files} files to ${out}` : "nothing written"}\n`,
      );
      if (withheld.size)
        io.stdout(
          fleetWide
            ? "the fleet config has errors (above): no cluster folder was written\n"
            : `config errors (above) in their files: not written: ${[...withheld].sort().join(", ")}\n`,
        );
    }
  }
  return exitCodeFor(diagnostics);
}

/** `braid validate`. */
export async function validateCommand(io: CliIO, values: RunFlags): Promise<number> {
  const format = pickFormat(values.format, ["text", "json", "github"], "text");
  const run = await runWithProgress(io, values, format, localReuse(io, values["no-cache"]));
  const diagnostics = allDiagnostics(run);
  // a cluster whose config has an error was checked without what the error left out: not ok
  if (format === "json") io.stdout(summaryJson(run, "ValidationResult", {}, withheldClusters(run).withheld));
  else {
    if (format === "github") await printGithubAnnotations(io, diagnostics, fleetDir(io, values.fleet), values.quiet);
    else printDiagnostics(io, diagnostics, format, values.quiet, await runFrames(io, values.fleet, run, diagnostics));
    const errors = diagnostics.filter((d) => d.severity === "error").length;
    const warnings = diagnostics.filter((d) => d.severity === "warning").length;
    if (!values.quiet)
      io.stdout(
        `${run.clusters.length} clusters, ${run.clusters.reduce((n, c) => n + resourceCount(c), 0)} resources: ${errors} errors, ${warnings} warnings\n`,
      );
  }
  return exitCodeFor(diagnostics);
}
