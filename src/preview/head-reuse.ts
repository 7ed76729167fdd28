/**
 * A preview renders, at head, only the clusters whose input digest (render/cluster-digest.ts) differs from
 * base's, and at base only the clusters whose digest differs from head's:
 * - head takes a previous clean result (the local cache, or the deploy branch's tip) for a cluster whose
 *   digest is the same at base and at head, when one is at hand: it is unchanged, whatever it holds;
 * - base takes head's result for a cluster whose digest is the same as at head, where it rendered without
 *   errors (or was taken as above), so the comparison finds it unchanged. A cluster with errors at head is
 *   rendered at base too (only clean results are ever reused).
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
      if (!h?.ok || !h.output || h.inputDigest !== digests.digest) return Promise.resolve(undefined);
      if (h.reused) return Promise.resolve({ ...h.reused, from: FROM_HEAD });
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

/**
 * The reuse for head's run: `previous` (the local cache, the deploy tip), asked only for the clusters whose
 * input digest at base (`baseDigests`) is the one they have at head. Head's newly rendered clusters are
 * stored as `previous` stores them.
 */
export function unchangedReuse(baseDigests: ReadonlyMap<string, string>, previous: ClusterReuse): ClusterReuse {
  return {
    ...previous,
    lookup(cluster, digests) {
      if (baseDigests.get(cluster.name) !== digests.digest) return Promise.resolve(undefined);
      return previous.lookup(cluster, digests);
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
