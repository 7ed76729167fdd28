import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { FleetRun } from "../pipeline/render-fleet.js";
import type { ClusterChange, HeldCluster, SourceTrailer } from "./commit-message.js";
import { addFile, addFiles, createDeployTree, graftTree, subtreeOid, treeOid, type DeployTree } from "./deploy-tree.js";
import { DAMAGED_DEPLOY_BRANCH_HINT, damageIn } from "../git/damaged.js";
import { entryAt, listBlobs, readBlobText, readCommitInfo, type ObjectStore } from "../git/git-store.js";
import {
  buildInventory,
  INVENTORY_FILE,
  inventoryJson,
  inventoryReadme,
  parseInventory,
  README_FILE,
  type Inventory,
  type InventoryCluster,
} from "./inventory.js";
import { checkPrune, type ClusterFiles } from "./prune-guard.js";
import { resourceCount } from "../render/reuse.js";

/** What a publish would do against one deploy tip. */
export interface DeployPlan {
  /** The deploy tip the plan is built on (undefined: the branch does not exist yet). */
  base?: string;
  baseTree?: string;
  tree: DeployTree;
  /** Root tree oid of the new output. */
  treeOid: string;
  /** True when the new tree equals the tip's: nothing to commit. */
  unchanged: boolean;
  added: ClusterChange[];
  changed: ClusterChange[];
  removed: string[];
  held: HeldCluster[];
  unchangedCount: number;
  sources: SourceTrailer[];
  inventory: Inventory;
  /** Prune-guard findings (errors block the publish). */
  diagnostics: Diagnostic[];
}

/** Options of {@link planDeploy}. */
export interface PlanOptions {
  partial: boolean;
  allowPrune: boolean;
  pruneThreshold: number;
}

function firstError(ds: readonly Diagnostic[]): string {
  const d = ds.find((x) => x.severity === "error");
  if (!d) return "failed";
  const where = d.location ? ` (${d.location.file}${d.location.line ? `:${d.location.line}` : ""})` : "";
  return `${d.code} ${d.message}${where}`;
}

/**
 * Plans the deploy tree for a rendered fleet on top of a deploy tip: clusters that rendered take their new
 * output; with `partial`, failed clusters keep the tip's folder (grafted unchanged); clusters in the tip's
 * inventory but no longer in the fleet are dropped (prune guard). Adds inventory.json and README.md.
 * Nothing is written to the store.
 */
export async function planDeploy(
  store: ObjectStore,
  base: string | undefined,
  run: FleetRun,
  opts: PlanOptions,
): Promise<DeployPlan> {
  // a tree of the tip that cannot be read is never an absent folder: a held cluster would lose its last good
  // output, and a missing inventory would skip the prune guard
  return planOnTip(store, base, run, opts).catch((e: unknown) => {
    throw damageIn(e, `the deploy branch's tip ${base ?? ""}`, DAMAGED_DEPLOY_BRANCH_HINT);
  });
}

async function planOnTip(
  store: ObjectStore,
  base: string | undefined,
  run: FleetRun,
  opts: PlanOptions,
): Promise<DeployPlan> {
  const baseTree = base ? (await readCommitInfo(store, base)).tree : undefined;
  let baseInventory: Inventory | undefined;
  if (baseTree) {
    const inv = await entryAt(store, baseTree, INVENTORY_FILE);
    if (inv?.type === "blob") baseInventory = parseInventory(await readBlobText(store, inv.oid));
  }
  const before = new Map<string, InventoryCluster>((baseInventory?.clusters ?? []).map((c) => [c.name, c]));

  const tree = createDeployTree();
  const held: HeldCluster[] = [];
  const heldEntries = new Map<string, InventoryCluster | undefined>();
  const added: ClusterChange[] = [];
  const changed: ClusterChange[] = [];
  const pruneInput: ClusterFiles[] = [];
  const sources: SourceTrailer[] = [];
  let unchangedCount = 0;

  for (const c of run.clusters) {
    const prev = before.get(c.name);
    if (!c.ok || !c.output) {
      // Only reached with --partial (the caller refuses failed clusters otherwise).
      const prevTree = prev && baseTree ? await entryAt(store, baseTree, prev.path) : undefined;
      if (prev && prevTree?.type === "tree") graftTree(tree, prev.path, prevTree.oid);
      held.push({ name: c.name, reason: firstError(c.diagnostics), kept: Boolean(prev && prevTree?.type === "tree") });
      heldEntries.set(c.name, prevTree?.type === "tree" ? prev : undefined);
      // the kept folder was rendered from the previous sources: the trailers must name them too
      if (prev && prevTree?.type === "tree")
        for (const p of prev.sources)
          sources.push({ name: p.name, ref: p.tag ?? p.branch ?? undefined, commit: p.commit });
      continue;
    }
    // a reused cluster (same input digest as a published one) is its previous tree, grafted unread
    const reusedTree = c.reused?.tree;
    if (reusedTree) graftTree(tree, c.output.dir, reusedTree);
    else addFiles(tree, c.output.dir, c.output.files);
    for (const p of c.pins)
      if (p.resolution)
        sources.push({
          name: p.source.name,
          ref: p.resolution.tag ?? p.resolution.branch,
          commit: p.resolution.commit,
        });
    const change = { name: c.name, resources: resourceCount(c) };
    const prevEntry = prev && baseTree ? await entryAt(store, baseTree, prev.path) : undefined;
    if (!prev || prevEntry?.type !== "tree") {
      added.push(change);
      continue;
    }
    const newOid = subtreeOid(tree, c.output.dir);
    if (prev.path === c.output.dir && newOid === prevEntry.oid) {
      unchangedCount++;
      continue;
    }
    changed.push(change);
    const oldFiles = [...(await listBlobs(store, prevEntry.oid)).keys()];
    const after = reusedTree ? [...(await listBlobs(store, reusedTree)).keys()] : c.output.files.map((f) => f.path);
    pruneInput.push({ name: c.name, before: oldFiles, after });
  }

  const inRun = new Set(run.clusters.map((c) => c.name));
  const removed: string[] = [];
  for (const prev of before.values()) {
    if (inRun.has(prev.name)) continue;
    removed.push(prev.name);
    const entry = baseTree ? await entryAt(store, baseTree, prev.path) : undefined;
    pruneInput.push({
      name: prev.name,
      before: entry?.type === "tree" ? [...(await listBlobs(store, entry.oid)).keys()] : [],
      after: undefined,
    });
  }
  removed.sort();

  const inventory = buildInventory(run, heldEntries);
  addFile(tree, INVENTORY_FILE, inventoryJson(inventory));
  addFile(tree, README_FILE, inventoryReadme(inventory));
  const oid = treeOid(tree);
  return {
    ...(base ? { base } : {}),
    ...(baseTree ? { baseTree } : {}),
    tree,
    treeOid: oid,
    unchanged: oid === baseTree,
    added,
    changed,
    removed,
    held,
    unchangedCount,
    sources,
    inventory,
    diagnostics: checkPrune(pruneInput, opts.pruneThreshold, opts.allowPrune),
  };
}
