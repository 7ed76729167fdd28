import type { PreviewReport } from "./diff-runs.js";

/** Renders the preview as JSON (the whole report; unchanged clusters listed by name only). */
export function formatPreviewJson(r: PreviewReport): string {
  return (
    JSON.stringify(
      {
        base: r.base,
        head: r.head,
        ok: !r.diagnostics.some((d) => d.severity === "error"),
        totals: r.totals,
        notes: r.notes,
        clusters: r.clusters
          .filter((c) => c.status !== "unchanged")
          .map(({ cluster, status, added, changed, removed, errors }) => ({ cluster, status, added, changed, removed, errors })),
        unchanged: r.unchanged,
        groups: r.groups,
        diagnostics: r.diagnostics,
      },
      null,
      2,
    ) + "\n"
  );
}
