import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { exitCodeFor, type Diagnostic } from "../diagnostics/diagnostic.js";
import { diskFleetReader } from "../config/fleet-files.js";
import { renderFleet, type FleetRun } from "../render/render-fleet.js";
import { fleetDir, pickFormat, printDiagnostics, progress, sourceEnv, table, type Format } from "./common.js";
import type { CliIO } from "./io.js";

/** Help text of `braid render`. */
export const RENDER_HELP = `braid render [--fleet DIR] [--cluster NAME…] [--out DIR] [--update] [--format text|json] [--quiet]

Renders clusters to a folder (default: a new temp dir, printed): per cluster, one file per resource at
<output.path>/<namespace or _cluster>/<kind>-<name>.yaml and a kustomization.yaml listing them. Uses braid.lock
when present; --update re-resolves floating pins. Clusters that fail are reported and not written; exit 1.
`;

/** Help text of `braid validate`. */
export const VALIDATE_HELP = `braid validate [--fleet DIR] [--cluster NAME…] [--update] [--format text|json|github] [--quiet]

Checks the config, renders every cluster in memory and validates the result against the Kubernetes OpenAPI
of kubernetesVersion, CRD schemas and the fleet's org policies. Writes nothing. Exit 1 on any error.
--format github prints GitHub Actions annotations (::error file=…,line=…::).
`;

interface RunFlags {
  fleet?: string;
  format?: string;
  quiet?: boolean;
  cluster?: string[];
  update?: boolean;
}

/** Runs the fleet with progress on a TTY; shared by render and validate. */
export async function runWithProgress(io: CliIO, values: RunFlags, format: Format, skipValidation = false): Promise<FleetRun> {
  const dir = fleetDir(io, values.fleet);
  const bar = progress(io, !values.quiet && format === "text");
  try {
    return await renderFleet({
      reader: diskFleetReader(dir),
      senv: sourceEnv(io, dir),
      openapiEnv: io.env.BRAID_KUBERNETES_OPENAPI,
      cwd: io.cwd,
      only: values.cluster,
      update: values.update,
      skipValidation,
      onProgress: (done, total, name) => bar.update(done, total, `rendered ${name}`),
    });
  } finally {
    bar.end();
  }
}

/** All diagnostics of a run: fleet-level first, then per cluster. */
export function allDiagnostics(run: FleetRun): Diagnostic[] {
  return [...run.diagnostics, ...run.clusters.flatMap((c) => c.diagnostics)];
}

/** Per-cluster summary rows (text). */
export function summaryTable(run: FleetRun): string {
  const rows = [["CLUSTER", "STATUS", "RESOURCES", "SOURCES"]];
  for (const c of run.clusters)
    rows.push([
      c.name,
      c.ok ? "ok" : "FAILED",
      String(c.resources.length),
      c.pins.map((p) => `${p.source.name}@${p.resolution?.tag ?? p.resolution?.branch ?? "commit"}(${p.resolution?.commit.slice(0, 7)})`).join(" "),
    ]);
  return table(rows);
}

/** JSON summary of a run. */
export function summaryJson(run: FleetRun, extra: Record<string, unknown> = {}): string {
  return (
    JSON.stringify(
      {
        ...extra,
        ok: run.clusters.every((c) => c.ok) && !run.diagnostics.some((d) => d.severity === "error"),
        clusters: run.clusters.map((c) => ({
          name: c.name,
          ok: c.ok,
          resources: c.resources.length,
          files: c.output?.files.length ?? 0,
          sources: c.pins.map((p) => ({
            name: p.source.name,
            tag: p.resolution?.tag ?? null,
            branch: p.resolution?.branch ?? null,
            commit: p.resolution?.commit ?? null,
          })),
          inputDigest: c.inputDigest,
        })),
        diagnostics: allDiagnostics(run),
      },
      null,
      2,
    ) + "\n"
  );
}

/** Writes files with bounded concurrency, creating each folder once. */
async function writeFiles(files: readonly { path: string; content: string }[], concurrency = 64): Promise<void> {
  const dirs = [...new Set(files.map((f) => dirname(f.path)))].sort();
  for (const d of dirs) await mkdir(d, { recursive: true });
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const f = files[next++]!;
      await writeFile(f.path, f.content);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
}

/** `braid render`. */
export async function renderCommand(io: CliIO, values: RunFlags & { out?: string }): Promise<number> {
  const format = pickFormat(values.format, ["text", "json"], "text");
  const run = await runWithProgress(io, values, format);
  const out = values.out ? resolve(io.cwd, values.out) : await mkdtemp(join(tmpdir(), "braid-render-"));
  const writes: { path: string; content: string }[] = [];
  for (const c of run.clusters)
    for (const f of c.output?.files ?? []) writes.push({ path: join(out, c.output!.dir, f.path), content: f.content });
  await writeFiles(writes);
  const files = writes.length;
  const diagnostics = allDiagnostics(run);
  if (format === "json") io.stdout(summaryJson(run, { out, files }));
  else {
    printDiagnostics(io, diagnostics, format, values.quiet);
    if (!values.quiet) {
      io.stdout(summaryTable(run));
      const failed = run.clusters.filter((c) => !c.ok).length;
      io.stdout(`rendered ${run.clusters.length - failed}/${run.clusters.length} clusters, ${files} files to ${out}\n`);
    }
  }
  return exitCodeFor(diagnostics);
}

/** `braid validate`. */
export async function validateCommand(io: CliIO, values: RunFlags): Promise<number> {
  const format = pickFormat(values.format, ["text", "json", "github"], "text");
  const run = await runWithProgress(io, values, format);
  const diagnostics = allDiagnostics(run);
  if (format === "json") io.stdout(summaryJson(run));
  else {
    printDiagnostics(io, diagnostics, format, values.quiet);
    const errors = diagnostics.filter((d) => d.severity === "error").length;
    const warnings = diagnostics.filter((d) => d.severity === "warning").length;
    if (!values.quiet)
      io.stdout(
        `${run.clusters.length} clusters, ${run.clusters.reduce((n, c) => n + c.resources.length, 0)} resources: ${errors} errors, ${warnings} warnings\n`,
      );
  }
  return exitCodeFor(diagnostics);
}
