/**
 * The deploy commit's message: a summary line, what changed per cluster, the clusters held back and why,
 * then the provenance trailers `Braid-Fleet-Commit` and one `Braid-Source` per source pin used.
 */
import { pushAll } from "../model/append.js";

/** A cluster in the change summary. */
export interface ClusterChange {
  name: string;
  resources: number;
}

/** A cluster held back by --partial. */
export interface HeldCluster {
  name: string;
  /** First error, as "CODE message". */
  reason: string;
  /** Whether a previous folder was kept (false: a new cluster that failed, not published). */
  kept: boolean;
}

/** One distinct source pin used by the published clusters. */
export interface SourceTrailer {
  name: string;
  /** Tag, else branch, else undefined (a commit pin). */
  ref?: string;
  commit: string;
}

/** Everything the message says. */
export interface CommitSummary {
  added: ClusterChange[];
  changed: ClusterChange[];
  removed: string[];
  held: HeldCluster[];
  unchanged: number;
  /** The fleet repo commit the output was rendered from (omitted when the fleet is not in Git). */
  fleetCommit?: string;
  sources: SourceTrailer[];
  /** Overrides the summary line (--message). */
  subject?: string;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** The summary line, e.g. "braid: 1 cluster added, 2 changed, 1 held back". */
export function subjectLine(s: CommitSummary): string {
  const parts: string[] = [];
  if (s.added.length) parts.push(`${plural(s.added.length, "cluster")} added`);
  if (s.changed.length)
    parts.push(`${s.added.length ? s.changed.length : plural(s.changed.length, "cluster")} changed`);
  if (s.removed.length)
    parts.push(
      `${s.added.length || s.changed.length ? s.removed.length : plural(s.removed.length, "cluster")} removed`,
    );
  if (s.held.length) parts.push(`${s.held.length} held back`);
  return `braid: ${parts.length ? parts.join(", ") : "update inventory"}`;
}

/** The `Braid-…` trailer lines. */
export function trailerLines(s: Pick<CommitSummary, "fleetCommit" | "sources">): string[] {
  const lines: string[] = [];
  if (s.fleetCommit) lines.push(`Braid-Fleet-Commit: ${s.fleetCommit}`);
  const seen = new Set<string>();
  const sorted = [...s.sources].sort((a, b) => {
    const ka = `${a.name}\0${a.ref ?? ""}\0${a.commit}`;
    const kb = `${b.name}\0${b.ref ?? ""}\0${b.commit}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  for (const src of sorted) {
    const line = `Braid-Source: ${src.name}@${src.ref ?? src.commit} ${src.commit}`;
    if (!seen.has(line)) lines.push(line);
    seen.add(line);
  }
  return lines;
}

/** The full commit message (ends with a newline). */
export function commitMessage(s: CommitSummary): string {
  const out = [(s.subject?.trim() || subjectLine(s)).split("\n")[0]!, ""];
  const section = (title: string, items: string[]) => {
    if (!items.length) return;
    out.push(`${title}:`, ...items.map((i) => `  - ${i}`), "");
  };
  const withCount = (c: ClusterChange) => `${c.name} (${plural(c.resources, "resource")})`;
  section("Added", s.added.map(withCount));
  section("Changed", s.changed.map(withCount));
  section("Removed", s.removed);
  section(
    "Held back (failed to render; last good output kept)",
    s.held.map(
      (h) => `${h.name}${h.kept ? "" : " (new, not published)"}: ${h.reason.replace(/\s+/g, " ").slice(0, 300)}`,
    ),
  );
  if (s.unchanged) out.push(`Unchanged: ${plural(s.unchanged, "cluster")}`, "");
  pushAll(out, trailerLines(s));
  return out.join("\n").replace(/\n+$/, "") + "\n";
}

/** Reads the `Braid-…` trailers back from a message (for tests and `braid inventory`). */
export function parseTrailers(message: string): { fleetCommit?: string; sources: string[] } {
  const paragraphs = message.trimEnd().split(/\n\s*\n/);
  const last = paragraphs[paragraphs.length - 1] ?? "";
  let fleetCommit: string | undefined;
  const sources: string[] = [];
  for (const line of last.split("\n")) {
    const m = /^(Braid-Fleet-Commit|Braid-Source): (.+)$/.exec(line.trim());
    if (!m) continue;
    if (m[1] === "Braid-Fleet-Commit") fleetCommit = m[2];
    else sources.push(m[2]!);
  }
  return { ...(fleetCommit ? { fleetCommit } : {}), sources };
}
