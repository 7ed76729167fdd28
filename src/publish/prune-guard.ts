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
 * (a share, 0–1) of its resources, is an error unless `allowPrune`. It counts objects, not files: a deleted
 * Namespace also counts every object of the cluster in that namespace (the API server deletes them with it). Each error lists the files that
 * would be deleted. With `allowPrune` the same findings come back as warnings.
 */
export function checkPrune(clusters: readonly ClusterFiles[], threshold: number, allowPrune: boolean): Diagnostic[] {
  const out: Diagnostic[] = [];
  const severity = allowPrune ? "warning" : "error";
  const hint =
    "if this is intended, publish again with --allow-prune (Flux will delete these objects from the cluster)";
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
    // deleting a Namespace deletes everything in it, including objects still rendered there
    const namespaces = new Set(deleted.map(deletedNamespace).filter((n): n is string => n !== undefined));
    const inside = before.filter((f) => after.has(f) && namespaces.has(f.slice(0, f.indexOf("/"))));
    const lost = [...deleted, ...inside];
    if (lost.length / before.length <= threshold) continue;
    const why = inside.length
      ? `; deleting Namespace ${[...namespaces].sort().join(", ")} also deletes the ${inside.length} object${inside.length === 1 ? "" : "s"} still rendered in ${namespaces.size === 1 ? "it" : "them"}`
      : "";
    out.push({
      code: "PUBLISH_PRUNE",
      severity,
      cluster: c.name,
      message: `cluster ${c.name} would lose ${lost.length} of its ${before.length} resources (${Math.round((100 * lost.length) / before.length)}%, more than the ${Math.round(threshold * 100)}% allowed by publish.pruneThreshold)${why}${listing(lost)}`,
      ...(allowPrune ? {} : { hint }),
    });
  }
  return out;
}

/** The namespace a deleted file held, when the file is a Namespace (`_cluster/namespace-<name>.yaml`). */
function deletedNamespace(file: string): string | undefined {
  return /^_cluster\/namespace-([a-z0-9-]+)\.yaml$/.exec(file)?.[1];
}

function listing(files: readonly string[], max = 50): string {
  if (files.length === 0) return "";
  const shown = files.slice(0, max).map((f) => `\n  - ${f}`);
  return `:${shown.join("")}${files.length > max ? `\n  … and ${files.length - max} more` : ""}`;
}
