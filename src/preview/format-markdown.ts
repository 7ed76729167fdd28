import { formatLocation } from "../diagnostics/format.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { ChangeGroup, PreviewReport, ResourceChange } from "./diff-runs.js";

/** Hidden marker that identifies braid's sticky PR comment. */
export const PREVIEW_MARKER = "<!-- braid-preview -->";

/** GitHub's limit for a comment body, in characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** Options of formatMarkdown. */
export interface MarkdownOptions {
  /** Maximum length (exclusive); default GITHUB_COMMENT_LIMIT. `Infinity` renders everything. */
  limit?: number;
  /** Where the full report is written (named in the cut note). */
  fullReport?: string;
  /** Maximum diagnostics listed (default 50). */
  maxDiagnostics?: number;
}

/** A markdown preview and what was left out of it. */
export interface MarkdownResult {
  text: string;
  truncated: boolean;
  /** Change groups (one per set of clusters with identical changes) whose details were left out. */
  omittedGroups: number;
  /** Clusters in those groups. */
  omittedClusters: number;
  /** Resource changes not shown (in omitted groups and in a group cut part-way). */
  omittedChanges: number;
}

const SIGN: Record<ResourceChange["change"], string> = { added: "+", changed: "~", removed: "-" };
const STATUS: Record<ChangeGroup["status"], string> = {
  added: "🆕 added",
  removed: "🗑️ removed",
  changed: "✏️ changed",
  unchanged: "unchanged",
  failed: "❌ failed",
};

/** Escapes text for markdown table cells and inline HTML. */
function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function fence(body: string, lang: string): string {
  let ticks = "```";
  while (body.includes(ticks)) ticks += "`";
  return `${ticks}${lang}\n${body.endsWith("\n") ? body : body + "\n"}${ticks}\n`;
}

function short(commit: string | undefined): string {
  return commit ? ` (\`${commit.slice(0, 7)}\`)` : "";
}

function counts(g: { added: number; changed: number; removed: number }): string {
  return [g.added && `+${g.added}`, g.changed && `~${g.changed}`, g.removed && `-${g.removed}`].filter(Boolean).join(" ") || "no resource changes";
}

/** One diagnostic as a markdown list item with file:line. */
export function diagnosticLine(d: Diagnostic): string {
  const where = d.location ? `\`${formatLocation(d.location)}\` ` : "";
  const ctx = [d.cluster && `cluster ${d.cluster}`, d.resource, d.path].filter(Boolean).join(" · ");
  const icon = d.severity === "error" ? "❌" : "⚠️";
  return `- ${icon} ${where}**${d.code}**${ctx ? ` [${esc(ctx)}]` : ""}: ${esc(d.message)}${d.hint ? ` — _${esc(d.hint.split("\n")[0]!)}_` : ""}\n`;
}

function header(r: PreviewReport, maxDiagnostics: number): string {
  const t = r.totals;
  let s = `${PREVIEW_MARKER}\n## braid preview\n\n`;
  s += `\`${esc(r.base.rev)}\`${short(r.base.commit)} → \`${esc(r.head.rev)}\`${short(r.head.commit)}: `;
  s +=
    t.clustersChanged === 0
      ? `**no cluster changes**`
      : `**${t.clustersChanged} cluster${t.clustersChanged === 1 ? "" : "s"} change** (+${t.added} ~${t.changed} -${t.removed} resources)`;
  s += `, ${t.clustersUnchanged} unchanged.\n\n`;
  for (const n of r.notes) s += `> **Note:** ${esc(n)}\n\n`;
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  const warnings = r.diagnostics.filter((d) => d.severity === "warning");
  if (r.diagnostics.length) {
    s += `### ${errors.length ? "❌" : "⚠️"} ${errors.length} error${errors.length === 1 ? "" : "s"}, ${warnings.length} warning${warnings.length === 1 ? "" : "s"} at head\n\n`;
    const shown = [...errors, ...warnings].slice(0, maxDiagnostics);
    for (const d of shown) s += diagnosticLine(d);
    if (r.diagnostics.length > shown.length) s += `- … and ${r.diagnostics.length - shown.length} more (see the full report)\n`;
    s += "\n";
  }
  return s;
}

function tableRow(g: ChangeGroup): string {
  return `| ${esc(g.clusters.join(", "))} | ${STATUS[g.status]} | ${g.added} | ${g.changed} | ${g.removed} |\n`;
}

const TABLE_HEAD = "| Clusters | Status | + | ~ | - |\n|---|---|--:|--:|--:|\n";

function sectionOpen(g: ChangeGroup): string {
  const who = g.clusters.length === 1 ? g.clusters[0]! : `${g.clusters.length} clusters`;
  let s = `<details><summary><b>${esc(who)}</b> — ${STATUS[g.status]}: ${counts(g)}</summary>\n\n`;
  if (g.clusters.length > 1) s += `Applies to: ${g.clusters.map((c) => `\`${c}\``).join(", ")}\n\n`;
  return s;
}

const SECTION_CLOSE = "</details>\n\n";

function item(g: ChangeGroup, c: ResourceChange): string {
  let s = `- ${SIGN[c.change]} \`${esc(c.resource)}\` — \`${c.path}\`\n`;
  // a whole new cluster is listed, not dumped; removed resources have nothing to show
  if (c.diff && g.status !== "added") s += "\n" + fence(c.diff, "diff") + "\n";
  return s;
}

/**
 * Renders the preview as GitHub markdown: marker, summary line, notes, diagnostics at head (file:line), a table
 * (one row per set of clusters with identical changes → +/~/- counts), then a collapsible section per set with
 * a unified diff per changed resource. Stays under `limit` characters: sections are cut group by group (the
 * last one resource by resource) and a note says how much was left out and where the full report is.
 */
export function formatMarkdown(r: PreviewReport, opts: MarkdownOptions = {}): MarkdownResult {
  const limit = opts.limit ?? GITHUB_COMMENT_LIMIT;
  const reserve = 700;
  const budget = limit - 1 - reserve;
  let out = header(r, opts.maxDiagnostics ?? 50);
  let omittedGroups = 0;
  let omittedClusters = 0;
  let omittedChanges = 0;
  let cutRows = 0;
  if (r.groups.length) {
    out += TABLE_HEAD;
    for (let i = 0; i < r.groups.length; i++) {
      const row = tableRow(r.groups[i]!);
      if (out.length + row.length > budget / 2) {
        cutRows = r.groups.length - i;
        out += `| … ${cutRows} more row${cutRows === 1 ? "" : "s"} in the full report | | | | |\n`;
        break;
      }
      out += row;
    }
    out += "\n";
  }
  if (r.unchanged.length) out += `Unchanged: ${r.unchanged.length} cluster${r.unchanged.length === 1 ? "" : "s"}.\n\n`;

  for (let i = 0; i < r.groups.length; i++) {
    const g = r.groups[i]!;
    const open = sectionOpen(g);
    const items = g.changes.map((c) => item(g, c));
    const whole = open + items.join("") + SECTION_CLOSE;
    if (out.length + whole.length <= budget) {
      out += whole;
      continue;
    }
    // cut: fit what we can of this section, then leave out the rest
    let part = "";
    let shown = 0;
    const tail = (n: number) => `\n_… ${n} more resource change${n === 1 ? "" : "s"} of ${g.clusters.length === 1 ? "this cluster" : "these clusters"} not shown._\n\n`;
    if (out.length + open.length + SECTION_CLOSE.length + 120 <= budget) {
      for (const it of items) {
        if (out.length + open.length + part.length + it.length + SECTION_CLOSE.length + 120 > budget) break;
        part += it;
        shown++;
      }
    }
    if (shown > 0) {
      out += open + part + tail(items.length - shown) + SECTION_CLOSE;
      omittedChanges += items.length - shown;
    } else {
      omittedGroups++;
      omittedClusters += g.clusters.length;
      omittedChanges += g.changes.length;
    }
    for (const rest of r.groups.slice(i + 1)) {
      omittedGroups++;
      omittedClusters += rest.clusters.length;
      omittedChanges += rest.changes.length;
    }
    break;
  }
  const truncated = omittedGroups > 0 || omittedChanges > 0 || cutRows > 0;
  if (truncated) {
    const where = opts.fullReport ? `the full report is in \`${esc(opts.fullReport)}\`` : "run `braid preview --out FILE` for the full report";
    const what =
      omittedGroups > 0
        ? `details of ${omittedGroups} section${omittedGroups === 1 ? "" : "s"} (${omittedClusters} cluster${omittedClusters === 1 ? "" : "s"}, ${omittedChanges} resource change${omittedChanges === 1 ? "" : "s"}) were left out`
        : `${omittedChanges} resource change${omittedChanges === 1 ? "" : "s"} were left out`;
    out += `> ✂️ **Preview cut to fit one GitHub comment:** ${what}${cutRows ? `, and ${cutRows} table row${cutRows === 1 ? "" : "s"}` : ""}; ${where}.\n`;
  }
  return { text: out, truncated, omittedGroups, omittedClusters, omittedChanges };
}
