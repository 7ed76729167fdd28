import type { Diagnostic } from "../diagnostics/diagnostic.js";

/** A cluster folder before and after: file paths relative to the cluster folder. */
export interface ClusterFiles {
  name: string;
  before: readonly string[];
  /** undefined: the cluster was removed from the fleet. */
  after: readonly string[] | undefined;
}

const KUSTOMIZATION = "kustomization.yaml";

function resourcesOf(files: readonly string[]): string[] {
  return files.filter((f) => f !== KUSTOMIZATION);
}

/**
 * The prune guard: a cluster removed from the fleet, or one that would lose more than `threshold`
 * (a share, 0–1) of its resources, is an error unless `allowPrune`. Each error lists the files that
 * would be deleted. With `allowPrune` the same findings come back as warnings.
 */
export function checkPrune(clusters: readonly ClusterFiles[], threshold: number, allowPrune: boolean): Diagnostic[] {
  const out: Diagnostic[] = [];
  const severity = allowPrune ? "warning" : "error";
  const hint = "if this is intended, publish again with --allow-prune (Flux will delete these objects from the cluster)";
  for (const c of clusters) {
    const before = resourcesOf(c.before);
    if (c.after === undefined) {
      out.push({
        code: "PUBLISH_PRUNE",
        severity,
        cluster: c.name,
        message: `cluster ${c.name} was removed from the fleet: its folder and all ${before.length} resources would be deleted${listing(before)}`,
        ...(allowPrune ? {} : { hint }),
      });
      continue;
    }
    if (before.length === 0) continue;
    const after = new Set(c.after);
    const deleted = before.filter((f) => !after.has(f));
    if (deleted.length / before.length <= threshold) continue;
    out.push({
      code: "PUBLISH_PRUNE",
      severity,
      cluster: c.name,
      message: `cluster ${c.name} would lose ${deleted.length} of its ${before.length} resources (${Math.round((100 * deleted.length) / before.length)}%, more than the ${Math.round(threshold * 100)}% allowed by publish.pruneThreshold)${listing(deleted)}`,
      ...(allowPrune ? {} : { hint }),
    });
  }
  return out;
}

function listing(files: readonly string[], max = 50): string {
  if (files.length === 0) return "";
  const shown = files.slice(0, max).map((f) => `\n  - ${f}`);
  return `:${shown.join("")}${files.length > max ? `\n  … and ${files.length - max} more` : ""}`;
}
