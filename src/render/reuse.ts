/**
 * Reusing a cluster's previous result (issue 13, incremental renders). A cluster whose input digest
 * (render/cluster-digest.ts) equals that of a previous result is not rendered again: its output (a Git tree
 * of the deploy branch, or the files of the local cache) and its diagnostics are taken as they were.
 * Only results of clusters that rendered without errors are ever reused.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { EffectiveCluster, Fleet } from "../config/types.js";
import type { OutputFile } from "./output-tree.js";
import type { ClusterDigests } from "./cluster-digest.js";

/** A previous result of one cluster, with the same input digest. */
export interface ReusedOutput {
  /** The cluster's folder in the output tree (from output.path). */
  dir: string;
  /** The folder as a Git tree in the deploy repository's object store (deploy-tip reuse). */
  tree?: string;
  /** The files (local-cache reuse); either `tree` or `files` is set. */
  files?: OutputFile[];
  /** Number of resources, and their count by kind. */
  resources: number;
  kinds: Record<string, number>;
  /** The cluster's diagnostics as they were (warnings and notes: only clean results are reused). */
  diagnostics: Diagnostic[];
  /** Where it came from, for messages: "deploy branch" or "cache". */
  from: string;
}

/** A freshly rendered cluster, as given to {@link ClusterReuse.store}. */
export interface RenderedCluster {
  name: string;
  digest: string;
  /** The digest with the fleet files' texts (render/cluster-digest.ts). */
  key: string;
  dir: string;
  files: readonly OutputFile[];
  resources: number;
  kinds: Record<string, number>;
  diagnostics: readonly Diagnostic[];
}

/** Where previous results come from (the deploy tip, the local cache, or both in turn). */
export interface ClusterReuse {
  /** Called once the fleet config is loaded, before any lookup. */
  open?(fleet: Fleet): Promise<void>;
  /** The previous result of this cluster with these digests, or undefined to render it. */
  lookup(cluster: EffectiveCluster, digests: ClusterDigests): Promise<ReusedOutput | undefined>;
  /** Keeps a freshly rendered clean result for later runs. */
  store?(rendered: RenderedCluster): Promise<void>;
  /** Called at the end of the run (flush pending writes). */
  close?(): Promise<void>;
}

/** Tries each reuse in turn; stores into all of them. */
export function chainReuse(...list: (ClusterReuse | undefined)[]): ClusterReuse | undefined {
  const all = list.filter((r): r is ClusterReuse => r !== undefined);
  if (all.length <= 1) return all[0];
  return {
    async open(fleet) {
      for (const r of all) await r.open?.(fleet);
    },
    async lookup(cluster, digests) {
      for (const r of all) {
        const hit = await r.lookup(cluster, digests);
        if (hit) return hit;
      }
      return undefined;
    },
    async store(rendered) {
      for (const r of all) await r.store?.(rendered);
    },
    async close() {
      for (const r of all) await r.close?.();
    },
  };
}

/** Resource count by kind, sorted by kind. */
export function countKinds(kinds: readonly string[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const k of kinds) counts.set(k, (counts.get(k) ?? 0) + 1);
  const out: Record<string, number> = {};
  for (const k of [...counts.keys()].sort()) out[k] = counts.get(k)!;
  return out;
}

/** A cluster result as far as counting goes (its resources, or what a reused result recorded). */
interface Counted {
  resources: readonly { id: { kind: string } }[];
  reused?: ReusedOutput;
}

/** The number of resources of a cluster, rendered or reused. */
export function resourceCount(c: Counted): number {
  return c.reused ? c.reused.resources : c.resources.length;
}

/** A cluster's resource count by kind, sorted by kind, rendered or reused. */
export function kindCounts(c: Counted): Record<string, number> {
  return c.reused ? c.reused.kinds : countKinds(c.resources.map((r) => r.id.kind));
}
