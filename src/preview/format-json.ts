import type { PreviewReport } from "./diff-runs.js";

/**
 * Renders the preview as JSON: totals, per-cluster status and +/~/- counts (unchanged clusters by name only),
 * then `changes`: every distinct resource change once with the clusters it applies to, in section order.
 */
export function formatPreviewJson(r: PreviewReport): string {
  return (
    JSON.stringify(
      {
        apiVersion: "braid/v1alpha1",
        kind: "PreviewResult",
        base: r.base,
        head: r.head,
        ok: !r.diagnostics.some((d) => d.severity === "error"),
        totals: r.totals,
        notes: r.notes,
        clusters: r.clusters
          .filter((c) => c.status !== "unchanged")
          .map(({ cluster, status, added, changed, removed, errors }) => ({
            cluster,
            status,
            added,
            changed,
            removed,
            errors,
          })),
        unchanged: r.unchanged,
        changes: r.sections.flatMap((sec) =>
          sec.changes.map(({ change, resource, path, clusters, diff }) => ({ change, resource, path, clusters, diff })),
        ),
        diagnostics: r.diagnostics,
      },
      null,
      2,
    ) + "\n"
  );
}
