/**
 * Incremental publish: before rendering, read the deploy branch's tip — its `inventory.json` (each cluster's
 * input digest and resource counts) and each cluster's folder as a Git tree — so that a cluster whose input
 * digest is unchanged is not rendered: its folder is grafted into the new tree unread. Its diagnostics (a
 * reused cluster reports its warnings again) come from the meta entry of that digest: in the record every
 * publish writes of its clusters' entries (one file per fleet folder, `render/published-*.json`), or else in
 * the local cache (render/local-cache.ts), or else from the tip's inventory entry, which records them (a fresh
 * `BRAID_CACHE`, as on a new CI runner). The inventory leaves out the lines of places in fleet files (they
 * move with a comment), so a cluster with such a diagnostic and no meta entry is rendered.
 *
 * Opening the target here is best-effort: when it fails (not a repository, a checked-out branch, an
 * unreachable remote) nothing is reused and `publish` reports the same problem in its own order, after the
 * render, as without reuse. A damaged tip is the exception: it is `REPO_CORRUPT` at once (git/damaged.ts), for
 * it is no tip to publish on either. The opened target is handed to `publish` so the tip is read from the
 * same store.
 */
import type { Fleet } from "../config/types.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { ClusterReuse, ReusedOutput } from "../render/reuse.js";
import type { ClusterDigests } from "../render/cluster-digest.js";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { metaOf, readCacheMeta, readJsonFile, storeJson, usableMeta, type CacheMeta } from "../render/local-cache.js";
import { locateFleetRepo } from "../git/fleet-repo.js";
import { DAMAGED_DEPLOY_BRANCH_HINT, damageIn, rethrowDamaged } from "../git/damaged.js";
import { entryAt, openStore, readBlobText, readCommitInfo, readRef, type ObjectStore } from "../git/git-store.js";
import { INVENTORY_FILE, parseInventory, recordedDiagnostics, type InventoryCluster } from "./inventory.js";
import { openDeployTarget, type DeployTarget, type PublishTarget } from "./publish.js";

/** Reuse from the deploy tip, and the target it opened (for `publish`). */
export interface DeployTipReuse extends ClusterReuse {
  /** The opened target, once `open` succeeded. */
  target(): DeployTarget | undefined;
}

/** Options of {@link deployTipReuse}. */
export interface DeployTipOptions {
  fleetDir: string;
  /** --branch (default: the fleet's output.branch). */
  branch?: string;
  target?: PublishTarget;
  /** braid's cache folder (the meta entries). */
  cacheDir: string;
}

/** Reuse of the clusters published on the deploy branch's tip whose input digest is unchanged. */
export function deployTipReuse(opts: DeployTipOptions): DeployTipReuse {
  let opened: DeployTarget | undefined;
  let previous = new Map<string, Published>();
  const record = metaRecordPath(opts.cacheDir, opts.fleetDir);
  let recorded = new Map<string, CacheMeta>();
  /** The meta entries of this run's clusters, reused or rendered: the next publish's record. */
  const kept = new Map<string, CacheMeta>();
  return {
    target: () => opened,
    async open(fleet: Fleet) {
      const read = readRecord(record);
      try {
        const target = await openDeployTarget(
          opts.target,
          opts.branch ?? fleet.output.branch,
          opts.fleetDir,
          await locateFleetRepo(opts.fleetDir),
        );
        opened = target;
        const tip = await target.tip();
        if (tip) previous = await publishedClusters(target.store, tip);
      } catch (e) {
        rethrowDamaged(e); // reported now: a damaged tip is no tip to publish on either
        previous = new Map(); // publish reports it (see the file header)
      }
      recorded = await read;
    },
    async lookup(cluster, digests) {
      const hit = await publishedLookup(previous, recorded, opts.cacheDir, cluster.name, digests);
      if (hit) kept.set(digests.digest, hit.meta);
      return hit?.reused;
    },
    store(rendered) {
      kept.set(rendered.digest, metaOf(rendered));
      return Promise.resolve();
    },
    async close() {
      // one file for the whole fleet (a thousand clusters are a thousand small files otherwise)
      await storeJson(record, { format: RECORD_FORMAT, metas: Object.fromEntries(kept) }).catch(() => undefined); // an unwritable cache is only slower
    },
  };
}

const RECORD_FORMAT = 1;

/** The meta entries recorded by a fleet folder's last publish (empty when none or unreadable). */
async function readRecord(path: string): Promise<Map<string, CacheMeta>> {
  const r = await readJsonFile<{ format?: number; metas?: Record<string, CacheMeta> }>(path);
  return r?.format === RECORD_FORMAT && r.metas && typeof r.metas === "object"
    ? new Map(Object.entries(r.metas))
    : new Map();
}

/**
 * A published cluster with these digests, and the meta entry its diagnostics come from: the last publish's
 * record, the local cache, or the tip's inventory (undefined: not published with this digest, or no exact
 * diagnostics for it).
 */
async function publishedLookup(
  previous: ReadonlyMap<string, Published>,
  recorded: ReadonlyMap<string, CacheMeta>,
  cacheDir: string,
  name: string,
  digests: ClusterDigests,
): Promise<{ reused: ReusedOutput; meta: CacheMeta } | undefined> {
  const p = previous.get(name);
  if (p?.digest !== digests.digest) return undefined;
  const meta =
    usableMeta(recorded.get(digests.digest), digests, name) ??
    (await readCacheMeta(cacheDir, digests, name)) ??
    (p.recorded && metaOf({ ...p, name, diagnostics: p.recorded, key: digests.key }));
  if (meta?.dir !== p.dir) return undefined;
  const { digest: _digest, recorded: _recorded, ...reused } = p;
  return { reused: { ...reused, diagnostics: meta.diagnostics }, meta };
}

/** Read-only reuse from the deploy branch as this repository has it, and the store its folders are in. */
export interface DeployBranchReuse extends ClusterReuse {
  /** The object store of the folders reused (after `open`; undefined when no deploy branch was found). */
  objects(): ObjectStore | undefined;
}

/**
 * Reuse of the clusters published on the deploy branch of the fleet's repository, for a preview: the local
 * branch `refs/heads/<output.branch>`, else the remote-tracking `refs/remotes/origin/<output.branch>`. The
 * diagnostics come as for publish (the last publish's record, the local cache, the tip's inventory). Nothing is
 * stored and nothing is written; no deploy branch is no reuse.
 */
export function deployBranchReuse(opts: { gitdir: string; fleetDir: string; cacheDir: string }): DeployBranchReuse {
  let previous = new Map<string, Published>();
  let recorded = new Map<string, CacheMeta>();
  let store: ObjectStore | undefined;
  return {
    objects: () => store,
    async open(fleet) {
      const read = readRecord(metaRecordPath(opts.cacheDir, opts.fleetDir));
      try {
        const branch = fleet.output.branch;
        const tip =
          (await readRef(opts.gitdir, `refs/heads/${branch}`)) ??
          (await readRef(opts.gitdir, `refs/remotes/origin/${branch}`));
        if (tip) {
          const opened = await openStore(opts.gitdir);
          previous = await publishedClusters(opened, tip);
          store = opened;
        }
      } catch (e) {
        rethrowDamaged(e); // a damaged one is reported, not rendered around
        previous = new Map(); // an unreadable deploy branch: every cluster is rendered
      }
      recorded = await read;
    },
    async lookup(cluster, digests) {
      return (await publishedLookup(previous, recorded, opts.cacheDir, cluster.name, digests))?.reused;
    },
  };
}

/** The meta entries of a fleet folder's last publish: `$BRAID_CACHE/render/published-<digest of the folder>.json`. */
function metaRecordPath(cacheDir: string, fleetDir: string): string {
  return join(cacheDir, "render", `published-${createHash("sha256").update(fleetDir).digest("hex").slice(0, 32)}.json`);
}

/** A cluster of the deploy tip: its folder, and the diagnostics its inventory entry records (when usable). */
type Published = ReusedOutput & { digest: string; recorded?: Diagnostic[] };

/** The clusters of a deploy commit that can be reused: name → their folder's tree, counts and diagnostics. */
async function publishedClusters(store: ObjectStore, commit: string): Promise<Map<string, Published>> {
  return readPublished(store, commit).catch((e: unknown) => {
    throw damageIn(e, `the deploy branch's tip ${commit}`, DAMAGED_DEPLOY_BRANCH_HINT);
  });
}

async function readPublished(store: ObjectStore, commit: string): Promise<Map<string, Published>> {
  const out = new Map<string, Published>();
  const { tree } = await readCommitInfo(store, commit);
  const inv = await entryAt(store, tree, INVENTORY_FILE);
  if (inv?.type !== "blob") return out;
  for (const c of parseInventory(await readBlobText(store, inv.oid))?.clusters ?? []) {
    if (!reusable(c)) continue;
    const folder = await entryAt(store, tree, c.path);
    if (folder?.type !== "tree") continue;
    out.set(c.name, {
      digest: c.inputDigest,
      dir: c.path,
      tree: folder.oid,
      resources: c.resources,
      kinds: c.kinds,
      diagnostics: [],
      from: "deploy branch",
      recorded: recordedDiagnostics(c),
    });
  }
  return out;
}

/** Held-back clusters hold an older output than their digest says; entries of another format are skipped. */
function reusable(c: InventoryCluster): boolean {
  return (
    !c.heldBack &&
    typeof c.inputDigest === "string" &&
    /^[0-9a-f]{64}$/.test(c.inputDigest) &&
    typeof c.path === "string" &&
    typeof c.resources === "number" &&
    typeof c.kinds === "object" &&
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- inventory.json is read back from the deploy branch
    c.kinds !== null
  );
}
