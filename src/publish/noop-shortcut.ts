/**
 * The no-op shortcut of `publish`: when not one file of the fleet folder changed since a publish whose output is
 * still the deploy tip, nothing can have changed, so the fleet config is not even parsed.
 *
 * After a publish (or a no-op) that used only locked pins (every pin from braid.lock, none re-resolved,
 * braid.lock unchanged), rendered every cluster cleanly and held none back, a record is written to
 * `$BRAID_CACHE/render/fleet-<key>.json`: the deploy tree it produced, the OpenAPI documents' digests, and the
 * run's diagnostics. The key is sha256 over braid's own digest, the fleet folder's path, the working
 * directory and BRAID_KUBERNETES_OPENAPI (relative paths resolve against them), and the path and text of every
 * file in the fleet folder (`.git` aside) — braid.yaml, braid.lock, clusters, groups, patches, schemas,
 * rollouts, all of it. A later publish with the same key, the same OpenAPI documents and that very tree at
 * the deploy tip is "unchanged" with the same diagnostics, and reads nothing else. Locked pins name commits,
 * and commits never change, so the sources need not be read.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync, type Stats } from "node:fs";
import { join } from "node:path";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { braidDigest } from "../render/cluster-digest.js";
import { storeJson, readJsonFile } from "../render/local-cache.js";
import type { FleetRun } from "../pipeline/render-fleet.js";
import { kubeOpenApiDigest } from "../kube/openapi-load.js";
import { fleetHead } from "./commit-lock.js";
import { locateFleetRepo } from "../git/fleet-repo.js";
import { readCommitInfo } from "../git/git-store.js";
import { openDeployTarget, type PublishResult, type PublishTarget } from "./publish.js";

const FORMAT = 1;

interface NoopRecord {
  format: number;
  /** output.branch of braid.yaml (the default deploy branch). */
  branch: string;
  /** The deploy tree the run produced. */
  tree: string;
  /** validation.kubernetesOpenAPI, and the digest of the OpenAPI document of each Kubernetes version used. */
  openapi: { configValue?: string; versions: Record<string, string> };
  diagnostics: Diagnostic[];
  clusters: number;
}

/** Where the fleet is and how its paths resolve. */
export interface NoopContext {
  fleetDir: string;
  cwd: string;
  cacheDir: string;
  /** BRAID_KUBERNETES_OPENAPI. */
  envValue?: string;
  /** The run's environment (a download's proxy). */
  env?: Record<string, string | undefined>;
  /** --branch. */
  branch?: string;
  target?: PublishTarget;
}

const sha = (data: string | Uint8Array): string => createHash("sha256").update(data).digest("hex");

/**
 * The key of the fleet folder's whole input (see the file header). The bytes of the regular files read for it
 * go into `read` when given (by path relative to the fleet): the run that follows need not read them again.
 */
export function fleetInputKey(ctx: NoopContext, read?: Map<string, Buffer>): string {
  const found: { path: string; link: boolean }[] = [];
  function walk(rel: string): void {
    const entries = readdirSync(join(ctx.fleetDir, rel), { withFileTypes: true });
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (e.name !== ".git") walk(p);
      } else if (e.isFile() || e.isSymbolicLink()) found.push({ path: p, link: !e.isFile() });
    }
  }
  walk("");
  // read one after another, synchronously: a fleet's files are small, and a thousand reads through the file
  // system's thread pool cost five times as long (open, fstat, read and close, each a round trip). A link is
  // followed to a regular file only (never block on a FIFO); a link to anything else is named
  const files = found.map(({ path, link }) => {
    const full = join(ctx.fleetDir, path);
    const isFile = !link || Boolean(statOrUndefined(full)?.isFile());
    const bytes = isFile ? readOrUndefined(full) : undefined;
    if (bytes && !link) read?.set(path, bytes);
    return [path, bytes ? sha(bytes) : "not a file"];
  });
  return sha(JSON.stringify([braidDigest(), ctx.fleetDir, ctx.cwd, ctx.envValue ?? null, files]));
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function readOrUndefined(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

function recordPath(cacheDir: string, key: string): string {
  return join(cacheDir, "render", `fleet-${key}.json`);
}

/** The "unchanged" result of a publish whose whole input equals a recorded one's, or undefined to run it. */
export async function tryNoop(
  ctx: NoopContext,
  key: string,
): Promise<{ result: PublishResult; diagnostics: Diagnostic[] } | undefined> {
  const record = await readJsonFile<NoopRecord>(recordPath(ctx.cacheDir, key));
  if (record?.format !== FORMAT || !Array.isArray(record.diagnostics)) return undefined;
  try {
    for (const [version, digest] of Object.entries(record.openapi.versions)) {
      const now = await kubeOpenApiDigest({
        kubernetesVersion: version,
        envValue: ctx.envValue,
        configValue: record.openapi.configValue,
        fleetDir: ctx.fleetDir,
        cwd: ctx.cwd,
        cacheDir: ctx.cacheDir,
        env: ctx.env,
      });
      if (now !== digest) return undefined;
    }
    const branch = ctx.branch ?? record.branch;
    const repo = await locateFleetRepo(ctx.fleetDir);
    const target = await openDeployTarget(ctx.target, branch, ctx.fleetDir, repo);
    const tip = await target.tip();
    if (!tip || (await readCommitInfo(target.store, tip)).tree !== record.tree) return undefined;
    const fleetCommit = repo ? await fleetHead(repo) : undefined;
    const result: PublishResult = {
      status: "unchanged",
      branch,
      target: target.label,
      commit: tip,
      parent: tip,
      tree: record.tree,
      added: [],
      changed: [],
      removed: [],
      held: [],
      unchangedCount: record.clusters,
      ...(fleetCommit ? { fleetCommit } : {}),
      attempts: 1,
      objectsWritten: 0,
      diagnostics: [],
    };
    return { result, diagnostics: record.diagnostics };
  } catch {
    return undefined; // the full publish reports whatever this was
  }
}

/** Records a publish for the shortcut, when it qualifies (see the file header). */
export async function recordNoop(ctx: NoopContext, key: string, run: FleetRun, result: PublishResult): Promise<void> {
  // what a no-op run reports: the run's own diagnostics (a no-op has no prune findings)
  const diagnostics = [...run.diagnostics, ...run.clusters.flatMap((c) => c.diagnostics)];
  const fleet = run.fleet;
  const qualifies =
    fleet &&
    result.tree &&
    (result.status === "published" || result.status === "unchanged") &&
    !result.held.length &&
    !run.lockChanged &&
    [...run.pins.values()].every((p) => p.status === "locked") &&
    run.clusters.every((c) => c.ok) &&
    !diagnostics.some((d) => d.severity === "error");
  if (!qualifies) return;
  const versions: Record<string, string> = {};
  try {
    for (const v of new Set([fleet.kubernetesVersion, ...run.clusters.map((c) => c.cluster.kubernetesVersion)]))
      versions[v] = await kubeOpenApiDigest({
        kubernetesVersion: v,
        envValue: ctx.envValue,
        configValue: fleet.validation.kubernetesOpenAPI,
        fleetDir: ctx.fleetDir,
        cwd: ctx.cwd,
        cacheDir: ctx.cacheDir,
        env: ctx.env,
      });
    const record: NoopRecord = {
      format: FORMAT,
      branch: fleet.output.branch,
      tree: result.tree!,
      openapi: {
        ...(fleet.validation.kubernetesOpenAPI ? { configValue: fleet.validation.kubernetesOpenAPI } : {}),
        versions,
      },
      diagnostics,
      clusters: run.clusters.length,
    };
    await storeJson(recordPath(ctx.cacheDir, key), record);
  } catch {
    // an unwritable cache is only slower
  }
}
