import { formatText } from "../diagnostics/format.js";
import type { PreviewReport } from "./diff-runs.js";

const SIGN = { added: "+", changed: "~", removed: "-" } as const;

/**
 * Renders the preview as plain text: summary, diagnostics at head, a table (status, per-cluster +/~/- counts,
 * clusters), then one block per set of clusters in which every distinct resource change is shown once.
 */
export function formatPreviewText(r: PreviewReport): string {
  const t = r.totals;
  const side = (s: PreviewReport["base"]) => `${s.rev}${s.commit ? ` (${s.commit.slice(0, 7)})` : ""}`;
  let s = `braid preview ${side(r.base)} -> ${side(r.head)}\n`;
  s += `${t.clustersChanged} clusters change (+${t.added} ~${t.changed} -${t.removed} resources), ${t.clustersUnchanged} unchanged\n`;
  for (const n of r.notes) s += `note: ${n}\n`;
  if (r.diagnostics.length) {
    s += `\nDiagnostics at head:\n`;
    for (const d of r.diagnostics) s += formatText(d) + "\n";
  }
  if (r.rows.length) {
    s += `\nSTATUS       +     ~     -  CLUSTERS\n`;
    for (const row of r.rows)
      s += `${row.status.padEnd(9)} ${String(row.added).padStart(4)}  ${String(row.changed).padStart(4)}  ${String(row.removed).padStart(4)}  ${row.clusters.join(", ")}\n`;
  }
  for (const sec of r.sections) {
    const count = sec.clusters.length > 1 ? `${sec.clusters.length} clusters: ` : "";
    s += `\n=== ${count}${sec.clusters.join(", ")}${sec.status ? ` (${sec.status})` : ""} ===\n`;
    for (const c of sec.changes) {
      s += `${SIGN[c.change]} ${c.resource}  ${c.path}\n`;
      // whole new clusters are listed, not dumped
      if (c.diff && sec.status !== "added")
        s += c.diff.replace(/^/gm, "    ").replace(/ +$/gm, "") + (c.diff.endsWith("\n") ? "" : "\n");
    }
  }
  return s;
}
