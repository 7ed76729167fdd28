import { formatText } from "../diagnostics/format.js";
import type { PreviewReport } from "./diff-runs.js";

const SIGN = { added: "+", changed: "~", removed: "-" } as const;

/** Renders the preview as plain text: summary, diagnostics at head, one block per set of clusters with identical changes. */
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
  if (r.groups.length) {
    s += "\n";
    const width = Math.max(8, ...r.groups.map((g) => g.clusters.join(", ").length));
    s += `${"CLUSTERS".padEnd(width)}  STATUS     +     ~     -\n`;
    for (const g of r.groups)
      s += `${g.clusters.join(", ").padEnd(width)}  ${g.status.padEnd(9)} ${String(g.added).padStart(2)}  ${String(g.changed).padStart(4)}  ${String(g.removed).padStart(4)}\n`;
  }
  for (const g of r.groups) {
    s += `\n=== ${g.clusters.join(", ")} (${g.status}) ===\n`;
    for (const c of g.changes) {
      s += `${SIGN[c.change]} ${c.resource}  ${c.path}\n`;
      if (c.diff && g.status !== "added") s += c.diff.replace(/^/gm, "    ").replace(/ +$/gm, "") + (c.diff.endsWith("\n") ? "" : "\n");
    }
  }
  return s;
}
