/**
 * A preview renders head whole and, at base, only the clusters that may differ: a cluster whose input digest
 * (render/cluster-digest.ts) is the same at base as at head, where it rendered without errors, renders the
 * same objects, so base takes head's result for it and the comparison finds it unchanged. A cluster with
 * errors at head is rendered at base too (only clean results are ever reused).
 */
import type { FleetRun } from "../pipeline/render-fleet.js";
import type { ClusterReuse } from "../render/reuse.js";

/** How base marks a cluster it took from head. */
const FROM_HEAD = "head";

/** The reuse for base's run: head's clean result of each cluster with the same input digest. */
export function headReuse(head: FleetRun): ClusterReuse {
  const byName = new Map(head.clusters.map((c) => [c.name, c]));
  return {
    lookup(cluster, digests) {
      const h = byName.get(cluster.name);
      if (!h?.ok || !h.output || h.reused || h.inputDigest !== digests.digest) return Promise.resolve(undefined);
      return Promise.resolve({
        dir: h.output.dir,
        files: h.output.files,
        resources: h.resources.length,
        kinds: {},
        diagnostics: h.diagnostics,
        from: FROM_HEAD,
      });
    },
  };
}

/** Base's run with each cluster it took from head replaced by head's result itself (the same objects). */
export function sameAsHead(head: FleetRun, base: FleetRun): FleetRun {
  const byName = new Map(head.clusters.map((c) => [c.name, c]));
  return {
    ...base,
    clusters: base.clusters.map((c) => (c.reused?.from === FROM_HEAD ? (byName.get(c.name) ?? c) : c)),
  };
}
