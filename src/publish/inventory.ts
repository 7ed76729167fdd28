/**
 * The inventory at the deploy-branch root: `inventory.json` (machine-readable) and `README.md` (a table a
 * person reads on the Git host). Both are a pure function of the rendered clusters — no dates, no fleet
 * commit — so an unchanged fleet gives byte-identical files and publish stays a no-op.
 */
import type { ClusterResult, FleetRun } from "../pipeline/render-fleet.js";
import { kindCounts, resourceCount } from "../render/reuse.js";
import { redactUrl } from "../diagnostics/redact-url.js";
import type { Diagnostic, SourceLocation } from "../diagnostics/diagnostic.js";

/** Inventory file name at the deploy-branch root. */
export const INVENTORY_FILE = "inventory.json";
/** README file name at the deploy-branch root. */
export const README_FILE = "README.md";
/** Annotation naming a cluster's owner. */
const OWNER_ANNOTATION = "braid/owner";

/** One source as a cluster uses it. */
interface InventorySource {
  name: string;
  url: string;
  tag: string | null;
  branch: string | null;
  commit: string;
}

/** One cluster in the inventory. */
export interface InventoryCluster {
  /** The cluster's name (SPEC: "cluster"). */
  cluster: string;
  /** Same as `cluster` (kept for tools that read `name`). */
  name: string;
  /** Folder of the cluster on the deploy branch (Flux Kustomization `path`). */
  path: string;
  labels: Record<string, string>;
  owner: string | null;
  /** The Kubernetes API version the cluster was validated against. */
  kubernetesVersion?: string;
  /** The rollouts the cluster is in: which wave, and whether it has moved to the target. */
  rollouts?: { rollout: string; wave: string; moved: boolean }[];
  sources: InventorySource[];
  /** Number of resources. */
  resources: number;
  /** Resource count by kind (sorted by kind). */
  kinds: Record<string, number>;
  /** sha256 over everything that decides the cluster's output and diagnostics (render/cluster-digest.ts). */
  inputDigest: string;
  /**
   * The warnings and notes the cluster was rendered with (absent when none). A place in a fleet file keeps
   * only the file's name: lines move with every comment, and the inventory must not (see {@link stableDiagnostic}).
   */
  diagnostics?: Diagnostic[];
  /** Set when the cluster failed and its previous output was kept (publish --partial). */
  heldBack?: true;
}

/** The whole inventory. */
export interface Inventory {
  apiVersion: "braid/v1alpha1";
  kind: "Inventory";
  fleet: string;
  clusters: InventoryCluster[];
}

function sortedRecord(r: Record<string, string | number>): Record<string, never> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) as Record<
    string,
    never
  >;
}

/** The inventory entry of one rendered cluster (undefined when it has no output). */
function inventoryCluster(c: ClusterResult): InventoryCluster | undefined {
  if (!c.output) return undefined;
  const kinds = kindCounts(c);
  return {
    cluster: c.name,
    name: c.name,
    path: c.output.dir,
    labels: sortedRecord(c.cluster.labels),
    owner: c.cluster.annotations[OWNER_ANNOTATION] ?? null,
    kubernetesVersion: c.cluster.kubernetesVersion,
    ...(c.cluster.rollouts?.length ? { rollouts: c.cluster.rollouts } : {}),
    sources: c.pins
      .filter((p) => p.resolution)
      .map((p) => ({
        name: p.source.name,
        url: redactUrl(p.source.url),
        tag: p.resolution!.tag ?? null,
        branch: p.resolution!.branch ?? null,
        commit: p.resolution!.commit,
      })),
    resources: resourceCount(c),
    kinds: sortedRecord(kinds),
    inputDigest: c.inputDigest,
    ...(c.diagnostics.length ? { diagnostics: c.diagnostics.map(stableDiagnostic) } : {}),
  };
}

/** A place in a fleet file (not in a source at a commit): its line depends on the file's formatting. */
function inFleetFile(location: SourceLocation | undefined): boolean {
  return location?.file !== undefined && location.source === undefined;
}

/** The location without line and column when it is in a fleet file. */
function stableLocation(location: SourceLocation): SourceLocation {
  if (!inFleetFile(location)) return location;
  const { line: _line, column: _column, ...rest } = location;
  return rest;
}

/**
 * A diagnostic as the inventory records it: as reported, except that places in fleet files lose line and
 * column (a comment added to a cluster file changes no input digest, so it must not change the inventory
 * and make a publish that is otherwise a no-op). Places in sources are at a commit and never move.
 */
function stableDiagnostic(d: Diagnostic): Diagnostic {
  return {
    ...d,
    ...(d.location ? { location: stableLocation(d.location) } : {}),
    ...(d.related ? { related: d.related.map((r) => ({ ...r, location: stableLocation(r.location) })) } : {}),
  };
}

/**
 * The diagnostics an inventory entry records, when they are exactly what rendering the cluster again would
 * report: none, or only diagnostics without a place in a fleet file. Undefined when the entry records
 * none that can be trusted (not a list of diagnostics) or one whose line it left out.
 */
export function recordedDiagnostics(c: InventoryCluster): Diagnostic[] | undefined {
  const list: unknown = c.diagnostics ?? [];
  if (!Array.isArray(list)) return undefined;
  for (const d of list as unknown[]) {
    if (typeof d !== "object" || d === null) return undefined;
    const { code, severity, message, location, related } = d as Partial<Diagnostic>;
    if (typeof code !== "string" || typeof message !== "string") return undefined;
    if (severity !== "warning" && severity !== "info") return undefined; // errors are never published
    if (location !== undefined && (typeof location !== "object" || inFleetFile(location))) return undefined;
    if (
      related !== undefined &&
      (!Array.isArray(related) ||
        (related as unknown[]).some(
          (r) => typeof r !== "object" || r === null || inFleetFile((r as { location?: SourceLocation }).location),
        ))
    )
      return undefined;
  }
  return list as Diagnostic[];
}

/**
 * Builds the inventory of a run. `held` gives, for clusters that failed and were held back, their
 * previous entry (from the deploy tip's inventory); a failed cluster without one is left out.
 */
export function buildInventory(
  run: FleetRun,
  held: ReadonlyMap<string, InventoryCluster | undefined> = new Map(),
): Inventory {
  const clusters: InventoryCluster[] = [];
  for (const c of run.clusters) {
    if (held.has(c.name)) {
      const prev = held.get(c.name);
      if (prev) clusters.push({ ...prev, heldBack: true });
      continue;
    }
    const entry = inventoryCluster(c);
    if (entry) clusters.push(entry);
  }
  clusters.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { apiVersion: "braid/v1alpha1", kind: "Inventory", fleet: run.fleet?.name ?? "", clusters };
}

/** inventory.json text (2-space indent, trailing newline). */
export function inventoryJson(inv: Inventory): string {
  return JSON.stringify(inv, null, 2) + "\n";
}

/** Parses an inventory.json; undefined when it is not one. */
export function parseInventory(text: string): Inventory | undefined {
  try {
    const v = JSON.parse(text) as Partial<Inventory> | null;
    if (v?.kind === "Inventory" && Array.isArray(v.clusters)) return v as Inventory;
  } catch {
    // not JSON
  }
  return undefined;
}

/** "platform-base@v1.4.2 (abc1234)" */
function describeSource(s: InventorySource): string {
  return `${s.name}@${s.tag ?? s.branch ?? s.commit.slice(0, 12)} (${s.commit.slice(0, 7)})`;
}

/** " [rollout app-v2: wave prod, moved]" when the cluster is in rollouts, else "". */
function rolloutText(c: InventoryCluster): string {
  return (c.rollouts ?? []).map((r) => ` [rollout ${r.rollout}: wave ${r.wave}${r.moved ? ", moved" : ""}]`).join("");
}

function labelsText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
}

function cell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** The README.md of the deploy branch: what it is, how Flux uses it, and a table of clusters. */
export function inventoryReadme(inv: Inventory): string {
  const lines = [
    `# Deploy branch${inv.fleet ? ` of fleet \`${cell(inv.fleet)}\`` : ""}`,
    "",
    "Written by `braid publish`; do not edit by hand (the next publish replaces everything).",
    "Each cluster's folder holds its rendered manifests and a `kustomization.yaml`; Flux applies",
    "it with a `Kustomization` whose `path` is that folder. `inventory.json` holds the same data as the table.",
    "",
    "| Cluster | Owner | Labels | Sources | Resources |",
    "| --- | --- | --- | --- | ---: |",
  ];
  for (const c of inv.clusters) {
    const name = `[${cell(c.name)}](${c.path.split("/").map(encodeURIComponent).join("/")})${c.heldBack ? " (held back)" : ""}`;
    lines.push(
      `| ${name} | ${cell(c.owner ?? "—")} | ${cell(labelsText(c.labels)) || "—"} | ${cell(c.sources.map(describeSource).join(", ") + rolloutText(c)) || "—"} | ${c.resources} |`,
    );
  }
  lines.push("", `${inv.clusters.length} cluster${inv.clusters.length === 1 ? "" : "s"}.`, "");
  return lines.join("\n");
}

/** Rows of the `braid inventory --format table` output (header first). */
export function inventoryRows(inv: Inventory): string[][] {
  const rows = [["CLUSTER", "OWNER", "LABELS", "RESOURCES", "SOURCES"]];
  for (const c of inv.clusters)
    rows.push([
      c.name + (c.heldBack ? " (held back)" : ""),
      c.owner ?? "-",
      labelsText(c.labels) || "-",
      String(c.resources),
      c.sources.map(describeSource).join(" ") + rolloutText(c) || "-",
    ]);
  return rows;
}
