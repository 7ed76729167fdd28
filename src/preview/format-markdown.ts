import { formatLocation } from "../diagnostics/format.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { ClusterStatus, PreviewReport, ResourceChange } from "./diff-runs.js";
import type { ChangeSection, SharedChange, SummaryRow } from "./group-changes.js";

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
  /** Distinct resource changes (each shown once with its clusters) whose details were left out. */
  omittedChanges: number;
  /** Sections (sets of clusters sharing changes) left out entirely. */
  omittedSections: number;
  /** Clusters with at least one resource change left out. */
  omittedClusters: number;
  /** Cluster lists shortened to "… and N more". */
  shortenedLists: number;
  /** Summary table rows left out. */
  omittedRows: number;
}

/** Cluster lists up to this many names are written inline; longer ones are collapsed to a count plus `<details>`. */
const INLINE_CLUSTERS = 10;

const SIGN: Record<ResourceChange["change"], string> = { added: "+", changed: "~", removed: "-" };
const STATUS: Record<ClusterStatus, string> = {
  added: "🆕 added",
  removed: "🗑️ removed",
  changed: "✏️ changed",
  unchanged: "unchanged",
  failed: "❌ failed",
};

/** Escapes text for markdown table cells and inline HTML. */
function esc(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\|/g, "\\|")
    .replace(/\r?\n/g, " ");
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
  return (
    [g.added && `+${g.added}`, g.changed && `~${g.changed}`, g.removed && `-${g.removed}`].filter(Boolean).join(" ") ||
    "no resource changes"
  );
}

/** One diagnostic as a markdown list item with file:line. */
function diagnosticLine(d: Diagnostic): string {
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
    if (r.diagnostics.length > shown.length)
      s += `- … and ${r.diagnostics.length - shown.length} more (see the full report)\n`;
    s += "\n";
  }
  return s;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** A cluster list: names as given by `name`, comma-separated, cut to about `maxChars` with "… and N more". */
function nameList(
  clusters: readonly string[],
  maxChars: number,
  name: (c: string) => string,
): { text: string; shortened: boolean } {
  let text = "";
  for (let i = 0; i < clusters.length; i++) {
    const next = (i ? ", " : "") + name(clusters[i]!);
    if (text.length + next.length > maxChars && i > 0)
      return { text: `${text}, … and ${clusters.length - i} more (see the full report)`, shortened: true };
    text += next;
  }
  return { text, shortened: false };
}

function tableRow(row: SummaryRow, maxChars: number): { text: string; shortened: boolean } {
  const list = nameList(row.clusters, maxChars, esc);
  const cell =
    row.clusters.length <= INLINE_CLUSTERS
      ? list.text
      : `<details><summary>${plural(row.clusters.length, "cluster")}</summary>${list.text}</details>`;
  return {
    text: `| ${cell} | ${STATUS[row.status]} | ${row.added} | ${row.changed} | ${row.removed} |\n`,
    shortened: list.shortened,
  };
}

const TABLE_HEAD = "| Clusters | Status | + | ~ | - |\n|---|---|--:|--:|--:|\n";

function sectionOpen(s: ChangeSection, maxChars: number): { text: string; shortened: boolean } {
  const who = s.clusters.length === 1 ? s.clusters[0]! : plural(s.clusters.length, "cluster");
  let text = `<details><summary><b>${esc(who)}</b> — ${s.status ? `${STATUS[s.status]}: ` : ""}${counts(s)}</summary>\n\n`;
  if (s.clusters.length === 1) return { text, shortened: false };
  const list = nameList(s.clusters, maxChars, (c) => `\`${esc(c)}\``);
  text +=
    s.clusters.length <= INLINE_CLUSTERS
      ? `Applies to: ${list.text}\n\n`
      : `<details><summary>Applies to ${plural(s.clusters.length, "cluster")}</summary>\n\n${list.text}\n\n</details>\n\n`;
  return { text, shortened: list.shortened };
}

const SECTION_CLOSE = "\n</details>\n\n";

/** Closes a section, with the blank line that ends a list or a fence before `</details>`. */
const close = (body: string) => (body.endsWith("\n\n") ? SECTION_CLOSE.slice(1) : SECTION_CLOSE);

function item(s: ChangeSection, c: SharedChange): string {
  let out = `- ${SIGN[c.change]} \`${esc(c.resource)}\` — \`${c.path}\`\n`;
  // whole new clusters are listed, not dumped; removed resources have nothing to show
  if (c.diff && s.status !== "added") out += "\n" + fence(c.diff, "diff") + "\n";
  return out;
}

/**
 * Renders the preview as GitHub markdown: marker, summary line, notes, diagnostics at head (file:line), a table
 * (clusters with the same status and per-cluster +/~/- counts share a row), then one collapsible section per
 * set of clusters: every distinct resource change is shown once, with a unified diff and the list of clusters
 * it applies to (a count plus a `<details>` list when longer than INLINE_CLUSTERS).
 *
 * Stays under `limit` characters. Sections are written in their report order (most clusters first) and each
 * distinct change is kept or left out whole: a change that does not fit is left out and later (smaller) ones
 * may still be shown; a section with no change left is left out entirely. Very long cluster lists are cut to
 * "… and N more". A note says what was left out and where the full report is.
 */
export function formatMarkdown(r: PreviewReport, opts: MarkdownOptions = {}): MarkdownResult {
  const limit = opts.limit ?? GITHUB_COMMENT_LIMIT;
  const reserve = 800;
  const budget = limit - 1 - reserve;
  const listChars = Number.isFinite(budget) ? Math.max(200, Math.min(8000, Math.floor(budget / 8))) : Infinity;
  // 1. marker, summary line, notes, diagnostics
  let out = header(r, opts.maxDiagnostics ?? 50);
  // 2. the summary table, in at most half the budget
  const table = summaryTable(r, out.length, budget, listChars);
  out += table.text;
  if (r.unchanged.length) out += `Unchanged: ${plural(r.unchanged.length, "cluster")}.\n\n`;
  // 3. the change sections, each change kept or left out whole
  const sections = changeSections(r, out.length, budget, listChars);
  out += sections.text;
  // 4. what was cut, and where the full report is
  const omitted = {
    ...sections,
    shortenedLists: table.shortenedLists + sections.shortenedLists,
    omittedRows: table.omittedRows,
  };
  const truncated = omitted.omittedChanges > 0 || omitted.omittedRows > 0 || omitted.shortenedLists > 0;
  if (truncated) out += cutNote(omitted, opts.fullReport);
  return {
    text: out,
    truncated,
    omittedChanges: omitted.omittedChanges,
    omittedSections: omitted.omittedSections,
    omittedClusters: omitted.omittedClusters.size,
    shortenedLists: omitted.shortenedLists,
    omittedRows: omitted.omittedRows,
  };
}

/** The summary table, its rows cut to "… N more rows" past half the budget (`used`: characters written before it). */
function summaryTable(
  r: PreviewReport,
  used: number,
  budget: number,
  listChars: number,
): { text: string; omittedRows: number; shortenedLists: number } {
  let text = "";
  let omittedRows = 0;
  let shortenedLists = 0;
  if (!r.rows.length) return { text, omittedRows, shortenedLists };
  text += TABLE_HEAD;
  for (let i = 0; i < r.rows.length; i++) {
    const row = tableRow(r.rows[i]!, listChars);
    if (used + text.length + row.text.length > budget / 2) {
      omittedRows = r.rows.length - i;
      text += `| … ${plural(omittedRows, "more row")} in the full report | | | | |\n`;
      break;
    }
    text += row.text;
    if (row.shortened) shortenedLists++;
  }
  text += "\n";
  return { text, omittedRows, shortenedLists };
}

/** What the change sections left out. */
interface SectionsCut {
  omittedChanges: number;
  omittedSections: number;
  omittedClusters: Set<string>;
  shortenedLists: number;
}

/**
 * The change sections in report order within the budget (`used`: characters written before them): a section
 * that does not fit keeps the changes that do, or is left out entirely when none does.
 */
function changeSections(
  r: PreviewReport,
  used: number,
  budget: number,
  listChars: number,
): SectionsCut & { text: string } {
  const cut: SectionsCut = {
    omittedChanges: 0,
    omittedSections: 0,
    omittedClusters: new Set<string>(),
    shortenedLists: 0,
  };
  let text = "";
  const tailReserve = 160;
  for (const s of r.sections) {
    const open = sectionOpen(s, listChars);
    const items = s.changes.map((c) => item(s, c));
    const whole = open.text + items.join("") + close(items.join(""));
    let left: SharedChange[] = [];
    if (used + text.length + whole.length <= budget) text += whole;
    else {
      let body = "";
      const room = () =>
        budget - (used + text.length) - open.text.length - SECTION_CLOSE.length - tailReserve - body.length;
      items.forEach((it, i) => {
        if (it.length <= room()) body += it;
        else left.push(s.changes[i]!);
      });
      if (left.length === items.length) {
        cut.omittedSections++;
        left = s.changes;
      } else {
        const n = left.length;
        text += `${open.text}${body}\n_… ${plural(n, "more resource change")} of ${s.clusters.length === 1 ? "this cluster" : "these clusters"} left out (see the full report)._\n\n</details>\n\n`;
      }
    }
    if (left.length < items.length && open.shortened) cut.shortenedLists++;
    cut.omittedChanges += left.length;
    if (left.length) for (const c of s.clusters) cut.omittedClusters.add(c);
  }
  return { ...cut, text };
}

/** The closing note of a cut preview: what was left out, and where the full report is. */
function cutNote(o: SectionsCut & { omittedRows: number }, fullReport: string | undefined): string {
  const where = fullReport
    ? `the full report is in \`${esc(fullReport)}\``
    : "run `braid preview --out FILE` for the full report";
  const what: string[] = [];
  if (o.omittedChanges)
    what.push(
      `${plural(o.omittedChanges, "resource change")} left out (${o.omittedSections ? `${plural(o.omittedSections, "whole section")}, ` : ""}${plural(o.omittedClusters.size, "cluster")} affected)`,
    );
  if (o.shortenedLists) what.push(`${plural(o.shortenedLists, "cluster list")} shortened`);
  if (o.omittedRows) what.push(`${plural(o.omittedRows, "table row")} left out`);
  return `> ✂️ **Preview cut to fit one GitHub comment:** ${what.join(", ")}; ${where}.\n`;
}
