/**
 * `braid render --explain-source SOURCE --cluster NAME`: what one source yields for one cluster before
 * braid's own patches and variables — its kustomize build (or its plain manifests), with the source's
 * target namespace — as YAML, each object preceded by `# file:line` of where it came from. What a user runs
 * when an overlay surprises them.
 */
import { BraidError, exitCodeFor, type Diagnostic } from "../diagnostics/diagnostic.js";
import { diskFleetReader } from "../config/fleet-files.js";
import type { Resource } from "../model/resource.js";
import { renderFleet } from "../pipeline/render-fleet.js";
import { serializeResource } from "../render/serialize-yaml.js";
import { fleetDir, pickFormat, printDiagnostics, sourceEnv } from "./common.js";
import { runFrames } from "./cmd-render.js";
import type { CliIO } from "./io.js";

/** Flags of `braid render --explain-source`. */
export interface ExplainSourceFlags {
  fleet?: string;
  cluster?: string[];
  update?: boolean;
  quiet?: boolean;
  format?: string;
  "explain-source": string;
}

/** The YAML stream of what a source yielded, with origins as comments. */
export function explainYaml(resources: readonly Resource[]): string {
  return resources
    .map((r) => {
      const o = r.origin;
      return `---\n# ${o.file}:${o.line}\n${serializeResource(r.object)}`;
    })
    .join("");
}

/** Runs the explanation; prints YAML on stdout and the source's diagnostics on stderr. */
export async function explainSourceCommand(io: CliIO, values: ExplainSourceFlags): Promise<number> {
  const name = values["explain-source"];
  const format = pickFormat(values.format, ["text", "json"], "text");
  const clusters = (values.cluster ?? [])
    .flatMap((c) => c.split(","))
    .map((c) => c.trim())
    .filter(Boolean);
  if (clusters.length !== 1)
    throw new BraidError({
      code: "USAGE",
      message: "--explain-source needs exactly one --cluster",
      hint: "e.g. braid render --explain-source apps --cluster prod-eu-1",
    });
  const dir = fleetDir(io, values.fleet);
  const run = await renderFleet({
    reader: diskFleetReader(dir),
    senv: sourceEnv(io, dir),
    openapiEnv: io.env.BRAID_KUBERNETES_OPENAPI,
    cwd: io.cwd,
    only: clusters,
    update: values.update,
    skipValidation: true,
    explainSource: name,
  });
  const cluster = run.clusters[0];
  if (run.fleet && !run.fleet.sources.some((s) => s.name === name))
    throw new BraidError({
      code: "USAGE",
      message: `no source named "${name}" in braid.yaml`,
      hint: `sources: ${run.fleet.sources.map((s) => s.name).join(", ")}`,
    });
  if (cluster && !cluster.cluster.pins.some((p) => p.source.name === name))
    throw new BraidError({
      code: "USAGE",
      message: `cluster "${cluster.name}" does not run source "${name}"`,
      hint: `its sources: ${cluster.cluster.pins.map((p) => p.source.name).join(", ")}`,
    });
  // problems of the fleet, those located in the source (its build, its files), and those of the source's entry
  // in braid.yaml (its folder is missing, or left out of Flux's artifact)
  const entry = run.fleet?.sources.find((s) => s.name === name)?.location;
  const atEntry = (d: Diagnostic) =>
    entry !== undefined && d.location?.file === entry.file && d.location.line === entry.line && !d.location.source;
  const diagnostics: Diagnostic[] = [
    ...run.diagnostics,
    ...(cluster?.diagnostics ?? []).filter(
      (d) => d.location?.source === name || d.code === "SOURCE_EMPTY" || atEntry(d),
    ),
  ];
  const explained = cluster?.explained ?? [];
  if (format === "json") {
    const objects = explained.map((r) => ({
      origin: { file: r.origin.file, line: r.origin.line, commit: r.origin.commit },
      object: r.object,
    }));
    io.stdout(JSON.stringify({ source: name, cluster: clusters[0], objects, diagnostics }, null, 2) + "\n");
    return exitCodeFor(diagnostics);
  }
  printDiagnostics(io, diagnostics, "text", values.quiet, await runFrames(io, values.fleet, run, diagnostics));
  io.stdout(explainYaml(explained));
  if (!values.quiet)
    io.stderr(
      `# ${name} yields ${explained.length} object${explained.length === 1 ? "" : "s"} for ${clusters[0]} (before braid's patches and variables)\n`,
    );
  return exitCodeFor(diagnostics);
}
