import { changeKey, mergeDiffs } from "./change-key.js";
import type { ClusterDiff, ClusterStatus, ResourceChange } from "./diff-runs.js";

/**
 * One distinct resource change (same resource, path, change type and changed lines of the redacted diff) and
 * every cluster it applies to. When the clusters' diffs differ only in context lines, `diff` shows the
 * context values that differ as "‹differs per cluster›".
 */
export interface SharedChange extends ResourceChange {
  /** Sorted cluster names. */
  clusters: string[];
}

/** Distinct changes that apply to exactly the same clusters: one section of the preview. */
export interface ChangeSection {
  /** Sorted cluster names. */
  clusters: string[];
  /** The status all these clusters share (e.g. "added" for whole new clusters); undefined when they differ. */
  status?: ClusterStatus;
  /** Counts of this section's distinct changes. */
  added: number;
  changed: number;
  removed: number;
  changes: SharedChange[];
}

/** A row of the summary table: clusters with the same status, error flag and per-cluster +/~/- counts. */
export interface SummaryRow {
  clusters: string[];
  status: ClusterStatus;
  errors: boolean;
  added: number;
  changed: number;
  removed: number;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Orders cluster sets: the most clusters first, then by their sorted names. */
function bySize(a: { clusters: string[] }, b: { clusters: string[] }): number {
  return b.clusters.length - a.clusters.length || cmp(a.clusters.join("\0"), b.clusters.join("\0"));
}

/**
 * Groups the resource changes of every cluster into distinct changes (identical resource, path, change type and
 * diff text), each with the clusters it applies to, and bundles distinct changes with exactly the same clusters
 * into sections. Order: sections with the most clusters first, then by cluster names; inside a section by path,
 * resource and change type. Each distinct change is in exactly one section.
 */
export function groupChanges(clusters: readonly ClusterDiff[]): ChangeSection[] {
  const diffIds = new Map<string, number>();
  const diffId = (d: string) => {
    let id = diffIds.get(d);
    if (id === undefined) diffIds.set(d, (id = diffIds.size));
    return id;
  };
  const distinct = new Map<string, SharedChange>();
  const variants = new Map<SharedChange, Set<string>>();
  const keys = new Map<string, string>();
  const keyOf = (diff: string) => {
    let k = keys.get(diff);
    if (k === undefined) keys.set(diff, (k = String(diffId(changeKey(diff)))));
    return k;
  };
  const status = new Map<string, ClusterStatus>();
  for (const c of [...clusters].sort((a, b) => cmp(a.cluster, b.cluster))) {
    status.set(c.cluster, c.status);
    for (const x of c.changes) {
      // grouped by the change itself (its changed lines), not by context lines holding per-cluster values
      const key = JSON.stringify([
        x.change,
        x.resource,
        x.path,
        x.change === "changed" ? keyOf(x.diff) : diffId(x.diff),
      ]);
      const shared = distinct.get(key);
      if (shared) {
        if (shared.clusters[shared.clusters.length - 1] !== c.cluster) shared.clusters.push(c.cluster);
        variants.get(shared)!.add(x.diff);
      } else {
        const change = { change: x.change, resource: x.resource, path: x.path, diff: x.diff, clusters: [c.cluster] };
        distinct.set(key, change);
        variants.set(change, new Set([x.diff]));
      }
    }
  }
  for (const [change, diffs] of variants) if (diffs.size > 1) change.diff = mergeDiffs([...diffs]);
  const sections = new Map<string, ChangeSection>();
  for (const x of distinct.values()) {
    const key = x.clusters.join("\0");
    let s = sections.get(key);
    if (!s) {
      const statuses = new Set(x.clusters.map((c) => status.get(c)!));
      s = {
        clusters: x.clusters,
        status: statuses.size === 1 ? [...statuses][0] : undefined,
        added: 0,
        changed: 0,
        removed: 0,
        changes: [],
      };
      sections.set(key, s);
    }
    s[x.change]++;
    s.changes.push(x);
  }
  const order = (x: SharedChange) => `${x.path}\0${x.resource}\0${x.change}`;
  for (const s of sections.values()) s.changes.sort((a, b) => cmp(order(a), order(b)));
  return [...sections.values()].sort(bySize);
}

/**
 * Rows of the summary table for the clusters that changed or failed: clusters with the same status, error flag
 * and +/~/- counts share a row (the counts are per cluster). Order: the most clusters first, then by names.
 */
export function summaryRows(clusters: readonly ClusterDiff[]): SummaryRow[] {
  const rows = new Map<string, SummaryRow>();
  for (const c of [...clusters].sort((a, b) => cmp(a.cluster, b.cluster))) {
    if (c.status === "unchanged") continue;
    const key = JSON.stringify([c.status, c.errors, c.added, c.changed, c.removed]);
    const row = rows.get(key);
    if (row) row.clusters.push(c.cluster);
    else
      rows.set(key, {
        clusters: [c.cluster],
        status: c.status,
        errors: c.errors,
        added: c.added,
        changed: c.changed,
        removed: c.removed,
      });
  }
  return [...rows.values()].sort(bySize);
}
