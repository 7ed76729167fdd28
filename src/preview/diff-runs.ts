import { createTwoFilesPatch, FILE_HEADERS_ONLY } from "diff";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { ClusterResult, FleetRun } from "../pipeline/render-fleet.js";
import { folderOf } from "../render/output-tree.js";
import { serializeResource } from "../render/serialize-yaml.js";
import { describeId, idKey, type JsonObject, type Resource } from "../model/resource.js";
import { groupChanges, summaryRows, type ChangeSection, type SummaryRow } from "./group-changes.js";
import { rolloutPlanNotes } from "../rollout/preview-plan.js";
import {
  parseSensitivePaths,
  redactObject,
  scrubText,
  sensitiveValues,
  type SensitivePath,
} from "../model/secret-redaction.js";
import { pushAll } from "../model/append.js";

/** What happened to one resource. */
type ChangeKind = "added" | "removed" | "changed";

/** One resource change of a cluster. */
export interface ResourceChange {
  change: ChangeKind;
  /** "Deployment ingress/nginx". */
  resource: string;
  /** File of the resource inside the cluster folder, e.g. ingress/deployment-nginx.yaml. */
  path: string;
  /** Unified diff of the redacted YAML (file headers `a/<path>`, `b/<path>`); empty for removed resources. */
  diff: string;
}

/** What happened to a cluster. `failed`: it has errors at head and rendered nothing to compare. */
export type ClusterStatus = "added" | "removed" | "changed" | "unchanged" | "failed";

/** The changes of one cluster. */
export interface ClusterDiff {
  cluster: string;
  status: ClusterStatus;
  added: number;
  changed: number;
  removed: number;
  /** True when the cluster has errors at head. */
  errors: boolean;
  changes: ResourceChange[];
  /** Sources the cluster starts or stops running (set only when its source set changed). */
  sources?: { added: string[]; removed: string[] };
}

/** One side of the comparison. */
interface PreviewSide {
  rev: string;
  commit?: string;
}

/** The whole preview, as data (every format is rendered from this). */
export interface PreviewReport {
  base: PreviewSide;
  head: PreviewSide;
  /** Every cluster of base ∪ head, by name. */
  clusters: ClusterDiff[];
  /** Summary table: changed or failed clusters with the same status and +/~/- counts share a row. */
  rows: SummaryRow[];
  /**
   * Every distinct resource change once, with the clusters it applies to; changes that apply to exactly the
   * same clusters share a section. Most clusters first.
   */
  sections: ChangeSection[];
  unchanged: string[];
  /** Errors and warnings at head, secret values scrubbed. */
  diagnostics: Diagnostic[];
  /** Remarks such as "the fleet did not render at base". */
  notes: string[];
  totals: { added: number; changed: number; removed: number; clustersChanged: number; clustersUnchanged: number };
}

/** Inputs of diffFleetRuns. */
export interface DiffOptions {
  base: PreviewSide;
  head: PreviewSide;
  notes?: string[];
  /**
   * Objects of clusters taken unrendered from a previous result (not in the runs): their sensitive values are
   * scrubbed from the diagnostics too (preview/reused-objects.ts).
   */
  reusedObjects?: readonly JsonObject[];
}

interface Entry {
  resource: Resource;
  path: string;
}

function entriesOf(c: ClusterResult | undefined): Map<string, Entry> {
  const out = new Map<string, Entry>();
  if (!c) return out;
  const paths = new Map<Resource, string>();
  for (const f of c.output?.files ?? []) if (f.resource) paths.set(f.resource, f.path);
  for (const r of c.resources) {
    const path = paths.get(r) ?? `${folderOf(r, undefined)}/${r.id.kind}-${r.id.name}.yaml`.toLowerCase();
    out.set(idKey(r.id), { resource: r, path });
  }
  return out;
}

const byName =
  <T>(f: (x: T) => string) =>
  (a: T, b: T) =>
    f(a) < f(b) ? -1 : f(a) > f(b) ? 1 : 0;

/**
 * Compares two fleet runs cluster by cluster and resource by resource (pure). Objects are redacted first
 * (Secret data, sensitive paths of either side, SOPS documents), so no diff can carry a secret value.
 * `base` undefined means an empty fleet (e.g. it did not exist or did not render at base).
 */
export function diffFleetRuns(base: FleetRun | undefined, head: FleetRun, opts: DiffOptions): PreviewReport {
  // 1. what is redacted: the sensitive paths of either side
  const sensitive: SensitivePath[] = parseSensitivePaths([
    ...(base?.fleet?.preview.sensitivePaths ?? []),
    ...(head.fleet?.preview.sensitivePaths ?? []),
  ]);

  // 2. every cluster of base ∪ head, by name, resource by resource
  const differ = resourceDiffer(sensitive);
  const baseClusters = new Map((base?.clusters ?? []).map((c) => [c.name, c]));
  const headClusters = new Map(head.clusters.map((c) => [c.name, c]));
  const names = [...new Set([...baseClusters.keys(), ...headClusters.keys()])].sort();
  // a base cluster whose file has an error at head (or all of them, when braid.yaml does not load there)
  // did not load: it failed, it was not removed (a publish of head would write nothing)
  const headErrors = head.diagnostics.filter((d) => d.severity === "error");
  const unloaded = new Set(headErrors.flatMap((d) => (d.location?.file ? [d.location.file] : [])));
  const noFleet = !head.fleet && headErrors.length > 0;
  const clusters = names.map((name) => {
    const b = baseClusters.get(name);
    const h = headClusters.get(name);
    if (b && !h && (noFleet || (unloaded.size > 0 && unloaded.has(b.cluster.location.file))))
      return { cluster: name, status: "failed" as const, added: 0, changed: 0, removed: 0, errors: true, changes: [] };
    return diffCluster(name, b, h, differ);
  });

  // 3. notes: the caller's, the rollout plans', the clusters whose source set changes
  const notes = [...(opts.notes ?? []), ...rolloutPlanNotes(base, head)];
  for (const c of clusters)
    if (c.sources)
      notes.push(
        `cluster ${c.cluster} changes which sources it runs: ${[...c.sources.added.map((s) => `+${s}`), ...c.sources.removed.map((s) => `-${s}`)].join(" ")}`,
      );

  // 4. head's errors and warnings, every secret value of either side scrubbed
  const diagnostics = scrubbedDiagnostics(base, head, sensitive, opts.reusedObjects ?? []);

  // 5. the report: summary rows, shared change sections, totals
  const unchanged = clusters.filter((c) => c.status === "unchanged").map((c) => c.cluster);
  const sum = (k: "added" | "changed" | "removed") => clusters.reduce((n, c) => n + c[k], 0);
  return {
    base: opts.base,
    head: opts.head,
    clusters,
    rows: summaryRows(clusters),
    sections: groupChanges(clusters),
    unchanged,
    diagnostics,
    notes,
    totals: {
      added: sum("added"),
      changed: sum("changed"),
      removed: sum("removed"),
      clustersChanged: clusters.length - unchanged.length,
      clustersUnchanged: unchanged.length,
    },
  };
}

/** Redacted YAML of an object and unified diffs of two texts, both memoized for one comparison. */
interface ResourceDiffer {
  yamlOf(o: JsonObject): string;
  diffOf(path: string, a: string, b: string, added: boolean): string;
}

function resourceDiffer(sensitive: SensitivePath[]): ResourceDiffer {
  const yamlCache = new WeakMap<JsonObject, string>();
  // diffs are memoized by (path, interned texts): clusters sharing objects share one diff string
  const textIds = new Map<string, number>();
  const idOfText = (t: string) => {
    let id = textIds.get(t);
    if (id === undefined) textIds.set(t, (id = textIds.size));
    return id;
  };
  const diffCache = new Map<string, string>();
  return {
    yamlOf(o) {
      let y = yamlCache.get(o);
      if (y === undefined) {
        y = serializeResource(redactObject(o, sensitive));
        yamlCache.set(o, y);
      }
      return y;
    },
    diffOf(path, a, b, added) {
      const key = `${path}\0${idOfText(a)}\0${idOfText(b)}`;
      let d = diffCache.get(key);
      if (d === undefined) {
        d = createTwoFilesPatch(added ? "/dev/null" : `a/${path}`, `b/${path}`, a, b, undefined, undefined, {
          context: 3,
          headerOptions: FILE_HEADERS_ONLY,
        });
        diffCache.set(key, d);
      }
      return d;
    },
  };
}

/** One cluster: its resources added, changed and removed between base (`b`) and head (`h`), and its status. */
function diffCluster(
  name: string,
  b: ClusterResult | undefined,
  h: ClusterResult | undefined,
  differ: ResourceDiffer,
): ClusterDiff {
  const errors = !!h && !h.ok;
  if (h && errors && h.resources.length === 0)
    return { cluster: name, status: "failed", added: 0, changed: 0, removed: 0, errors, changes: [] };
  const before = entriesOf(b);
  const after = entriesOf(h);
  const changes: ResourceChange[] = [];
  for (const [key, e] of after) {
    const old = before.get(key);
    const now = differ.yamlOf(e.resource.object);
    if (!old)
      changes.push({
        change: "added",
        resource: describeId(e.resource.id),
        path: e.path,
        diff: differ.diffOf(e.path, "", now, true),
      });
    else if (old.resource.object !== e.resource.object || old.path !== e.path) {
      const was = differ.yamlOf(old.resource.object);
      if (was !== now || old.path !== e.path)
        changes.push({
          change: "changed",
          resource: describeId(e.resource.id),
          path: e.path,
          diff: differ.diffOf(e.path, was, now, false),
        });
    }
  }
  for (const [key, e] of before)
    if (!after.has(key))
      changes.push({ change: "removed", resource: describeId(e.resource.id), path: e.path, diff: "" });
  changes.sort(byName((c) => `${c.path}\0${c.resource}`));
  const count = (k: ChangeKind) => changes.filter((c) => c.change === k).length;
  const status: ClusterStatus = !b
    ? "added"
    : !h
      ? "removed"
      : errors
        ? "failed"
        : changes.length
          ? "changed"
          : "unchanged";
  const sources = b && h ? sourceSetChange(b, h) : undefined;
  return {
    cluster: name,
    status,
    added: count("added"),
    changed: count("changed"),
    removed: count("removed"),
    errors,
    changes,
    ...(sources ? { sources } : {}),
  };
}

/** Head's errors and warnings with every sensitive value of either side's objects scrubbed from their text. */
function scrubbedDiagnostics(
  base: FleetRun | undefined,
  head: FleetRun,
  sensitive: SensitivePath[],
  reused: readonly JsonObject[],
): Diagnostic[] {
  const seen = new WeakSet<JsonObject>();
  const secrets: string[] = [];
  const objects = [...(base?.clusters ?? []), ...head.clusters].flatMap((c) => c.resources.map((r) => r.object));
  for (const object of [...objects, ...reused])
    if (!seen.has(object)) {
      seen.add(object);
      pushAll(secrets, sensitiveValues(object, sensitive));
    }
  const scrub = (s: string | undefined) => (s === undefined ? s : scrubText(s, secrets));
  return [...head.diagnostics, ...head.clusters.flatMap((c) => c.diagnostics)]
    .filter((d) => d.severity === "error" || d.severity === "warning")
    .map((d) => ({
      ...d,
      message: scrub(d.message)!,
      hint: scrub(d.hint),
      related: d.related?.map((r) => ({ ...r, message: scrub(r.message)! })),
    }));
}

/** The sources a cluster starts and stops running between two runs, or undefined when its set is the same. */
function sourceSetChange(b: ClusterResult, h: ClusterResult): { added: string[]; removed: string[] } | undefined {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- runs built without layering (tools, tests)
  if (!b.cluster?.pins || !h.cluster?.pins) return undefined;
  const before = new Set(b.cluster.pins.map((p) => p.source.name));
  const after = new Set(h.cluster.pins.map((p) => p.source.name));
  const added = [...after].filter((s) => !before.has(s));
  const removed = [...before].filter((s) => !after.has(s));
  return added.length || removed.length ? { added, removed } : undefined;
}
