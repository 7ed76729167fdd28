/**
 * Finds, per cluster, the deploy commit that first carried the cluster's new output: walking the deploy branch
 * back from its tip (first parents), the oldest commit of the unbroken run whose inventory.json shows the
 * cluster running the target (commit of the source, or Kubernetes version). Its commit time starts the soak; Flux's commit status on it
 * is the health gate.
 */
import fs from "node:fs";
import git from "../git/isogit.js";
import { DAMAGED_DEPLOY_BRANCH_HINT, DamagedRepositoryError, damageIn } from "../git/damaged.js";
import type { Inventory, InventoryCluster } from "../publish/inventory.js";
import { INVENTORY_FILE } from "../publish/inventory.js";
import type { Deployed } from "./advance.js";

const MAX_DEPTH = 500;

/** The tip of the deploy branch in the fleet repository: the local branch, else origin's. */
async function deployTip(gitdir: string, branch: string): Promise<string | undefined> {
  for (const ref of [`refs/heads/${branch}`, `refs/remotes/origin/${branch}`]) {
    try {
      return await git.resolveRef({ fs, gitdir, ref });
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** The inventory of a deploy commit (undefined when it has none, or not as JSON); a damaged one throws. */
async function inventoryAt(gitdir: string, oid: string): Promise<Inventory | undefined> {
  try {
    const { blob } = await git.readBlob({ fs, gitdir, oid, filepath: INVENTORY_FILE });
    return JSON.parse(Buffer.from(blob).toString("utf8")) as Inventory;
  } catch (e) {
    // taken for absence, a damaged commit would end a cluster's run there: its soak would start later
    if (e instanceof DamagedRepositoryError) throw damageIn(e, `deploy commit ${oid}`, DAMAGED_DEPLOY_BRANCH_HINT);
    return undefined;
  }
}

/** For each of `clusters`, the first deploy commit (of the run ending at the tip) whose inventory entry `runsTarget`. */
export async function findDeployed(
  gitdir: string,
  branch: string,
  runsTarget: (c: InventoryCluster) => boolean,
  clusters: readonly string[],
): Promise<Map<string, Deployed>> {
  const out = new Map<string, Deployed>();
  const tip = await deployTip(gitdir, branch);
  if (!tip || clusters.length === 0) return out;
  const open = new Set(clusters);
  const log = await git.log({ fs, gitdir, ref: tip, depth: MAX_DEPTH });
  for (const entry of log) {
    if (open.size === 0) break;
    const inv = await inventoryAt(gitdir, entry.oid);
    const running = new Set((inv?.clusters ?? []).filter(runsTarget).map((c) => c.cluster));
    for (const c of [...open]) {
      if (running.has(c)) out.set(c, { commit: entry.oid, at: entry.commit.committer.timestamp * 1000 });
      else if (out.has(c)) open.delete(c); // the run ended: the newer commit found is the first of the run
    }
  }
  return out;
}
