/**
 * GitHub Actions annotations for a list of diagnostics, as a CI run wants them:
 * - file paths relative to the repository root (GitHub resolves `file=` against the checkout), so a fleet in
 *   `infra/` annotates `infra/groups/prod.yaml`;
 * - one problem repeated by many clusters (a group's patch, a shared source) is one annotation naming them;
 * - GitHub shows only 10 annotations of each type (error, warning, notice) per step: the first ones are
 *   annotated and the full list goes to a markdown table for `$GITHUB_STEP_SUMMARY`.
 */
import type { Diagnostic } from "./diagnostic.js";
import { formatGithub, formatLocation } from "./format.js";

/** GitHub's per-step display limit for each annotation type. */
const GITHUB_ANNOTATION_LIMIT = 10;

/** A diagnostic with every cluster that reported it. */
interface GroupedDiagnostic {
  diagnostic: Diagnostic;
  clusters: string[];
}

/** Diagnostics equal but for their cluster become one, listing the clusters (in first-seen order). */
function groupByCluster(diagnostics: readonly Diagnostic[]): GroupedDiagnostic[] {
  const groups = new Map<string, GroupedDiagnostic>();
  for (const d of diagnostics) {
    const { cluster, ...rest } = d;
    const key = JSON.stringify(rest);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { diagnostic: rest, clusters: [] }));
    if (cluster && !g.clusters.includes(cluster)) g.clusters.push(cluster);
  }
  return [...groups.values()];
}

/** The diagnostic to print for a group: its own cluster when one, a "clusters a, b, c" note when more. */
function merged(g: GroupedDiagnostic, prefix: string): Diagnostic {
  const d: Diagnostic = { ...g.diagnostic };
  if (g.clusters.length === 1) d.cluster = g.clusters[0]!;
  if (g.clusters.length > 1) d.message = `${d.message} (${g.clusters.length} clusters: ${g.clusters.join(", ")})`;
  if (d.location && !d.location.source && prefix) d.location = { ...d.location, file: `${prefix}/${d.location.file}` };
  return d;
}

/** What to print: annotation lines, a log line about what was left out, and the summary table (when cut). */
export interface GithubAnnotations {
  lines: string[];
  /** Markdown for $GITHUB_STEP_SUMMARY: every annotation; undefined when nothing was left out. */
  summary?: string;
  omitted: number;
}

const kindOf = (d: Diagnostic) => (d.severity === "error" ? "error" : d.severity === "warning" ? "warning" : "notice");

/**
 * Annotations for the diagnostics. `prefix` is the fleet folder relative to the repository root ("" at the
 * root), put in front of fleet file paths; files of source repositories are named in the text only.
 */
export function githubAnnotations(
  diagnostics: readonly Diagnostic[],
  prefix: string,
  limit = GITHUB_ANNOTATION_LIMIT,
): GithubAnnotations {
  const all = groupByCluster(diagnostics).map((g) => merged(g, prefix.replace(/\/+$/, "")));
  const shown = new Map<string, number>();
  const lines: string[] = [];
  let omitted = 0;
  for (const d of all) {
    const n = shown.get(kindOf(d)) ?? 0;
    if (n >= limit) {
      omitted++;
      continue;
    }
    shown.set(kindOf(d), n + 1);
    lines.push(formatGithub(d));
  }
  if (!omitted) return { lines, omitted };
  lines.push(
    `braid: ${omitted} more problem${omitted === 1 ? "" : "s"} than GitHub shows per step; every one is in the step summary`,
  );
  return { lines, omitted, summary: summaryTable(all) };
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>");

/** Every annotation as a markdown table (for the step summary). */
function summaryTable(diagnostics: readonly Diagnostic[]): string {
  const rows = diagnostics.map((d) =>
    [
      kindOf(d),
      `\`${d.code}\``,
      d.location ? `\`${formatLocation(d.location)}\`` : "",
      d.cluster ?? "",
      d.message + (d.hint ? `<br>hint: ${d.hint}` : ""),
    ]
      .map(cell)
      .join(" | "),
  );
  return `### braid: ${diagnostics.length} problem${diagnostics.length === 1 ? "" : "s"}\n\n| | code | where | cluster | message |\n|---|---|---|---|---|\n${rows.map((r) => `| ${r} |`).join("\n")}\n`;
}
