/**
 * The health gate: Flux's notification-controller (GitHub provider) posts a commit status on the deploy commit
 * per Kustomization, with the context `kustomization/<name>/<first part of the Provider's UID>` (lower case)
 * and the state `success` (info events) or `failure` (error events). braid reads the combined status of each
 * deploy commit through octokit and matches the cluster's Kustomization by that context prefix.
 */
import { proxiedFetch } from "../model/http-proxy.js";
import { BraidError } from "../diagnostics/diagnostic.js";

/** Where the deploy repository's statuses are read. */
export interface GithubStatusTarget {
  token: string;
  owner: string;
  repo: string;
  apiUrl: string;
  /** The run's environment: its proxy variables (model/http-proxy.ts). */
  env?: Record<string, string | undefined>;
}

/** The health of one cluster from the statuses of its deploy commit. */
export function healthFromStatuses(
  statuses: readonly { context: string; state: string }[],
  kustomization: string,
): "success" | "failure" | "pending" {
  const prefix = `kustomization/${kustomization.toLowerCase()}/`;
  const mine = statuses.filter((s) => s.context.toLowerCase().startsWith(prefix));
  if (mine.some((s) => s.state === "failure" || s.state === "error")) return "failure";
  if (mine.some((s) => s.state === "success")) return "success";
  return "pending";
}

/** Reads the combined status of each commit once; returns the health per cluster. */
export async function readFluxHealth(
  t: GithubStatusTarget,
  clusters: readonly { cluster: string; commit: string; kustomization: string }[],
): Promise<Map<string, "success" | "failure" | "pending">> {
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  const { Octokit } = await import("../github/client.js"); // loaded only when a health gate is read
  const octokit = new Octokit({
    auth: t.token,
    baseUrl: t.apiUrl,
    userAgent: "braid-rollout",
    log: silent,
    retry: { enabled: false },
    request: { fetch: proxiedFetch(t.env) },
  });
  const byCommit = new Map<string, { context: string; state: string }[]>();
  const out = new Map<string, "success" | "failure" | "pending">();
  for (const c of clusters) {
    let statuses = byCommit.get(c.commit);
    if (!statuses) {
      try {
        const res = await octokit.rest.repos.getCombinedStatusForRef({
          owner: t.owner,
          repo: t.repo,
          ref: c.commit,
          per_page: 100,
        });
        statuses = res.data.statuses.map((s) => ({ context: s.context, state: s.state }));
      } catch (e) {
        const status = (e as { status?: number }).status;
        throw new BraidError({
          code: "GITHUB_API",
          message: `reading the commit statuses of ${c.commit.slice(0, 12)} in ${t.owner}/${t.repo} failed${status ? ` (HTTP ${status})` : ""}`,
          hint: "the token needs read access to commit statuses of the deploy repository (permissions: statuses: read)",
        });
      }
      byCommit.set(c.commit, statuses);
    }
    out.set(c.cluster, healthFromStatuses(statuses, c.kustomization));
  }
  return out;
}
