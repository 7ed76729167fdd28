/**
 * `braid publish`: turns a rendered fleet into one commit on the deploy branch. The steps, in order:
 *  1. gate: refuse when the fleet failed (all or nothing), unless --partial holds failed clusters back;
 *  2. read the deploy tip (local ref, or fetched from the remote);
 *  3. plan the tree on that tip (new output, grafted held-back folders, inventory) and run the prune guard;
 *  4. --update: commit the changed braid.lock to the fleet repo (the deploy commit then names it);
 *  5. same tree as the tip → done, no deploy commit;
 *  6. write the missing objects and the commit, then move the ref (compare-and-swap) or push;
 *  7. lost the race (ref moved / non-fast-forward) → back off, and go to 2; after the last try, PUBLISH_RACE.
 */
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import { realpath } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import git from "../git/isogit.js";
import { BraidError, type Diagnostic } from "../diagnostics/diagnostic.js";
import { branchNameProblem } from "../git/ref-name.js";
import { checkedOutBranches, commonDirOf, readGitFile } from "../git/worktrees.js";
import type { FleetRun } from "../pipeline/render-fleet.js";
import { redactUrl } from "../diagnostics/redact-url.js";
import { fetchBranch, listRemoteRefs, pushBranch, type RemoteOptions } from "../git/git-remote.js";
import { withCacheLock } from "../git/cache-lock.js";
import { serializeLock } from "../sources/lock.js";
import { classifyRemote } from "../diagnostics/remote-url.js";
import { requireSshTransport } from "../git/system-git.js";
import { commitMessage, type ClusterChange, type HeldCluster } from "./commit-message.js";
import { commitLockFile, fleetHead } from "./commit-lock.js";
import { locateFleetRepo, type FleetRepo } from "../git/fleet-repo.js";
import { newDeployObjects } from "./deploy-tree.js";
import {
  commitObject,
  compareAndSwapRef,
  forgetListings,
  openStore,
  readRef,
  writeObjects,
  type ObjectStore,
} from "../git/git-store.js";
import type { Inventory } from "./inventory.js";
import { planDeploy, type DeployPlan } from "./plan-deploy.js";
import { mkdirp } from "../git/mkdirp.js";
import { PIN_CODES } from "../diagnostics/codes.js";

/** Where the deploy branch lives. */
export type PublishTarget =
  /** A repository on this machine (the fleet's own, or a local path given to --push): objects written into it. */
  | { kind: "local"; gitdir: string; label: string }
  /** An http(s) remote: built in a cache repository, then pushed. */
  | { kind: "remote"; url: string; cacheDir: string; env: Record<string, string | undefined>; timeoutMs?: number };

/** Options of {@link publish}. */
export interface PublishOptions {
  run: FleetRun;
  /** Folder holding braid.yaml (absolute). */
  fleetDir: string;
  /** Deploy branch (default: the fleet's output.branch). */
  branch?: string;
  /** Default: the fleet's own repository. */
  target?: PublishTarget;
  /** The fleet's repository when the caller has located it already (it is then not located again). */
  repo?: FleetRepo;
  partial?: boolean;
  allowPrune?: boolean;
  dryRun?: boolean;
  /** Replaces the summary line of the commit message. */
  message?: string;
  /** --update: commit braid.lock to the fleet repo when the run's lock changed. */
  writeLock?: boolean;
  /** Author and committer of the commits. */
  author: { name: string; email: string };
  /** Clock (unix seconds); default: now. */
  now?: () => number;
  /** Tries before giving up on a race (default 5). */
  maxAttempts?: number;
  /** First backoff in ms, doubled on each retry, with jitter (default 500). */
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Called right before the ref update or push of each attempt (tests use it to stage races). */
  beforeUpdate?: (attempt: number) => Promise<void>;
  /** The target, already opened by {@link openDeployTarget} (incremental publish reads its tip before rendering). */
  opened?: DeployTarget;
}

/** What a publish did. */
export interface PublishResult {
  status: "published" | "unchanged" | "dry-run" | "refused";
  branch: string;
  /** Where (repository path or URL without credentials). */
  target: string;
  /** The new deploy commit (published), or the tip (unchanged). */
  commit?: string;
  /** The tip the commit was built on. */
  parent?: string;
  tree?: string;
  message?: string;
  added: ClusterChange[];
  changed: ClusterChange[];
  removed: string[];
  held: HeldCluster[];
  unchangedCount: number;
  inventory?: Inventory;
  /** The braid.lock commit made in the fleet repo (--update). */
  lockCommit?: string;
  fleetCommit?: string;
  attempts: number;
  objectsWritten: number;
  /** Why it was refused, and prune-guard warnings. */
  diagnostics: Diagnostic[];
}

/** Source codes whose failure is already reflected in the failed clusters (tolerated by --partial). */

/** Step 1: the problems that stop a publish before anything is read or written. */
function gate(run: FleetRun, partial: boolean): Diagnostic[] {
  const fleetErrors = run.diagnostics.filter((d) => d.severity === "error" && (!partial || !PIN_CODES.has(d.code)));
  if (!run.fleet || fleetErrors.length)
    return [
      {
        code: "PUBLISH_CLUSTERS_FAILED",
        severity: "error",
        message: `the fleet has ${fleetErrors.length || "config"} error${fleetErrors.length === 1 ? "" : "s"} (above); nothing was published`,
      },
    ];
  const failed = run.clusters.filter((c) => !c.ok).map((c) => c.name);
  if (failed.length && !partial)
    return [
      {
        code: "PUBLISH_CLUSTERS_FAILED",
        severity: "error",
        message: `${failed.length} of ${run.clusters.length} clusters failed (${failed.slice(0, 20).join(", ")}${failed.length > 20 ? ", …" : ""}); nothing was published`,
        hint: "fix the errors above, or publish the clusters that passed with --partial (failed clusters keep their last good output)",
      },
    ];
  return [];
}

/** An opened deploy target: its object store, its tip, and how the branch moves. */
export interface DeployTarget {
  label: string;
  store: ObjectStore;
  tip(): Promise<string | undefined>;
  /** Moves the branch from `base` to `commit`: "ok", or "race" when someone else moved it first. */
  update(base: string | undefined, commit: string): Promise<"ok" | "race">;
}

function localTarget(store: ObjectStore, label: string, ref: string): DeployTarget {
  return {
    label,
    store,
    tip: () => {
      forgetListings(store); // on a retry: the objects of the publisher that won are there now
      return readRef(store.gitdir, ref);
    },
    update: async (base, commit) => ((await compareAndSwapRef(store.gitdir, ref, base, commit)) ? "ok" : "race"),
  };
}

/** The cache repository a remote deploy branch is built in: `<cacheDir>/publish/<digest>.git`. */
function publishCachePath(cacheDir: string, url: string): string {
  return join(cacheDir, "publish", `${createHash("sha256").update(redactUrl(url)).digest("hex").slice(0, 16)}.git`);
}

async function remoteTarget(
  t: Extract<PublishTarget, { kind: "remote" }>,
  branch: string,
  configFrom?: string,
): Promise<DeployTarget> {
  const gitdir = publishCachePath(t.cacheDir, t.url);
  if (!fs.existsSync(join(gitdir, "HEAD")))
    await withCacheLock(gitdir, async () => {
      if (fs.existsSync(join(gitdir, "HEAD"))) return; // another process made it meanwhile
      await mkdirp(gitdir);
      await git.init({ fs, gitdir, bare: true, defaultBranch: branch });
    });
  const store = await openStore(gitdir);
  const ropts = {
    url: t.url,
    cacheDir: t.cacheDir,
    env: t.env,
    ...(t.timeoutMs !== undefined ? { timeoutMs: t.timeoutMs } : {}),
    ...(configFrom ? { configFrom } : {}),
    gitdir,
  };
  const localRef = `refs/heads/${branch}`;
  return {
    label: redactUrl(t.url),
    store,
    async tip() {
      const oid = await fetchBranch({ ...ropts, remoteRef: localRef, localRef: `refs/remotes/braid/${branch}` }).catch(
        (e: unknown) => {
          // a push target that does not exist is a failed push (exit 3), not a missing source (exit 1)
          if (e instanceof BraidError && e.code === "SOURCE_NOT_FOUND")
            throw new BraidError({
              ...e.diagnostic,
              code: "PUBLISH_PUSH",
              hint: "check the --push URL; a private repository may also answer 404 without credentials. Nothing was published",
            });
          throw e;
        },
      );
      forgetListings(store); // the fetch stored a pack or loose objects
      return oid;
    },
    async update(base, commit) {
      // a ref of this process only: processes sharing the cache never push each other's commit
      const own = `refs/braid/push/${process.pid}-${randomBytes(4).toString("hex")}`;
      await git.writeRef({ fs, gitdir, ref: own, value: commit, force: true });
      let res;
      try {
        res = await pushBranch({ ...ropts, localRef: own, remoteRef: localRef });
      } finally {
        await git.deleteRef({ fs, gitdir, ref: own }).catch(() => undefined);
      }
      if (res.ok) {
        await verifyPushed(ropts, localRef, commit);
        return "ok";
      }
      if (res.reason === "non-fast-forward") return "race";
      // A concurrent push can also surface as a failed ref update ("cannot lock ref"): if the branch
      // moved away from the tip we built on, it was a race, whatever the words.
      const { refs } = await listRemoteRefs(ropts);
      if (refs.find((r) => r.ref === localRef)?.oid !== base) return "race";
      throw new BraidError({
        code: "PUBLISH_PUSH",
        message: res.message,
        hint: "the server refused the push (a hook or branch protection?); the deploy branch is unchanged",
      });
    },
  };
}

/**
 * After a push that reported success, the remote's branch must be the commit (or, when another publisher
 * pushed right after, a descendant of it); otherwise "published" would be a lie: PUBLISH_PUSH (exit 3).
 */
async function verifyPushed(ropts: RemoteOptions & { gitdir: string }, ref: string, commit: string): Promise<void> {
  const { refs } = await listRemoteRefs(ropts);
  const tip = refs.find((r) => r.ref === ref)?.oid;
  if (tip === commit) return;
  if (tip) {
    const check = `refs/braid/verify/${process.pid}-${randomBytes(4).toString("hex")}`;
    try {
      const got = await fetchBranch({ ...ropts, remoteRef: ref, localRef: check });
      if (
        got &&
        (await git.isDescendent({ fs, gitdir: ropts.gitdir, oid: got, ancestor: commit, depth: -1 }).catch(() => false))
      )
        return;
    } finally {
      await git.deleteRef({ fs, gitdir: ropts.gitdir, ref: check }).catch(() => undefined);
    }
  }
  throw new BraidError({
    code: "PUBLISH_PUSH",
    message: `the push of ${commit} to ${redactUrl(ropts.url)} was reported as done, but the remote's ${ref} is ${tip ?? "missing"}, which does not contain it`,
    hint: "run the publish again; if it repeats, check the server (a hook rewriting refs?)",
  });
}

/**
 * Resolves `--push REMOTE`: an http(s) URL, a local path, or the name of a remote configured in the fleet
 * repository (its URL is then taken, and resolved the same way).
 */
export async function resolvePushTarget(
  remote: string,
  ctx: { cwd: string; repo?: FleetRepo; cacheDir: string; env: Record<string, string | undefined>; timeoutMs?: number },
): Promise<PublishTarget> {
  let url = remote;
  let base = ctx.cwd;
  if (ctx.repo && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(remote)) {
    const configured = (await git.getConfig({ fs, gitdir: ctx.repo.gitdir, path: `remote.${remote}.url` })) as
      string | undefined;
    if (configured) {
      url = configured;
      base = ctx.repo.dir;
    }
  }
  const spec = classifyRemote(url);
  if (spec.kind === "invalid") throw pushUsage(remote, `${redactUrl(url)} is refused: ${spec.problem}`);
  if (spec.kind === "http" || spec.kind === "ssh") {
    if (spec.kind === "ssh") await requireSshTransport(ctx.env, redactUrl(url));
    return {
      kind: "remote",
      url,
      cacheDir: ctx.cacheDir,
      env: ctx.env,
      ...(ctx.timeoutMs !== undefined ? { timeoutMs: ctx.timeoutMs } : {}),
    };
  }
  const path = url.replace(/^file:\/\//i, "");
  const given = isAbsolute(path) ? path : resolve(base, path);
  // real paths: a symlink to the fleet repository is the fleet repository
  const abs = await realpath(given).catch(() => given);
  const dotGit = join(abs, ".git");
  const own = fs.statSync(dotGit, { throwIfNoEntry: false })?.isFile() ? await readGitFile(dotGit, abs) : dotGit;
  for (const candidate of [own, abs]) {
    if (!candidate) continue;
    const gitdir = await realpath(await commonDirOf(candidate)).catch(() => candidate);
    if (fs.existsSync(join(gitdir, "objects")) && fs.existsSync(join(gitdir, "refs")))
      return { kind: "local", gitdir, label: abs };
  }
  throw pushUsage(
    remote,
    `"${remote}" is neither an http(s) URL, a Git repository path, nor a remote of the fleet repository`,
  );
}

function pushUsage(remote: string, message: string): BraidError {
  return new BraidError({ code: "USAGE", message: `--push ${redactUrl(remote)}: ${message}` });
}

/** Whether a gitdir is a bare repository (`core.bare`; without it, a gitdir named `.git` is not bare). */
async function isBareRepo(gitdir: string): Promise<boolean> {
  const v = (await git.getConfig({ fs, gitdir, path: "core.bare" }).catch(() => undefined)) as unknown;
  if (typeof v === "boolean") return v;
  if (typeof v === "string") return v === "true";
  return !/[\\/]\.git$/.test(gitdir);
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The deploy branch of a publish: --branch, else the fleet's output.branch, else "deploy". */
function deployBranch(run: FleetRun, branch?: string): string {
  return branch ?? run.fleet?.output.branch ?? "deploy";
}

/**
 * Opens where the deploy branch lives: the fleet's own repository or a local path (refusing a checked-out
 * branch, as git's receive.denyCurrentBranch does), or a cache repository for an http(s)/SSH remote.
 */
export async function openDeployTarget(
  target: PublishTarget | undefined,
  branch: string,
  fleetDir: string,
  repo: FleetRepo | undefined,
): Promise<DeployTarget> {
  // a ref name is a path under the gitdir: never write one git would refuse (the CLI and config checks say it first)
  const branchProblem = branchNameProblem(branch);
  if (branchProblem)
    throw new BraidError({ code: "USAGE", message: `"${branch}" is not a valid Git branch name: ${branchProblem}` });
  if (target?.kind === "remote") return remoteTarget(target, branch, repo?.gitdir);
  const ref = `refs/heads/${branch}`;
  const gitdir = target?.gitdir ?? repo?.gitdir;
  if (!gitdir)
    throw new BraidError({
      code: "PUBLISH_NOT_A_REPO",
      message: `${fleetDir} is not inside a Git repository, so there is no deploy branch to write`,
      hint: "run `git init` in the fleet repo, or publish to another repository with --push URL",
    });
  // git's receive.denyCurrentBranch: never move a branch that a working tree (any worktree) has checked out
  const checkedOutIn = (await checkedOutBranches(gitdir, await isBareRepo(gitdir))).get(ref);
  if (checkedOutIn)
    throw new BraidError({
      code: "USAGE",
      message: `the deploy branch "${branch}" is checked out in ${checkedOutIn}; braid will not move a checked-out branch`,
      hint: "check out another branch there, publish to another branch with --branch, or push to a bare repository",
    });
  return localTarget(await openStore(gitdir), target?.label ?? repo?.dir ?? gitdir, ref);
}

/** A result that says nothing happened yet (status "refused" until a step says otherwise). */
function emptyResult(opts: PublishOptions, branch: string): PublishResult {
  return {
    status: "refused",
    branch,
    // named before the gate, so a refusal says where nothing was published
    target: opts.target ? (opts.target.kind === "remote" ? redactUrl(opts.target.url) : opts.target.label) : "",
    added: [],
    changed: [],
    removed: [],
    held: [],
    unchangedCount: 0,
    attempts: 0,
    objectsWritten: 0,
    diagnostics: [],
  };
}

/** What stays the same across the attempts of one publish. */
interface PublishContext {
  opts: PublishOptions;
  run: FleetRun;
  branch: string;
  target: DeployTarget;
  repo?: FleetRepo;
  /** --update with a changed, clean lock: braid.lock is committed once, before the deploy commit. */
  lockWanted: boolean;
  now: () => number;
  /** The fleet repository's HEAD, or the braid.lock commit once made. */
  fleetCommit?: string;
}

/** Step 4: commits braid.lock to the fleet repository once (also when the output is unchanged, e.g. a first lock). */
async function commitLockOnce(ctx: PublishContext, result: PublishResult): Promise<void> {
  if (!ctx.lockWanted || result.lockCommit || ctx.opts.dryRun) return;
  result.lockCommit = await commitLockFile(ctx.repo!, serializeLock(ctx.run.lock), {
    author: { ...ctx.opts.author, timestamp: ctx.now() },
  });
  ctx.fleetCommit = result.lockCommit;
}

/** Step 6: writes the missing objects and the commit, then moves the branch; "race" when another publisher won. */
async function writeAndMove(
  ctx: PublishContext,
  result: PublishResult,
  plan: DeployPlan,
  attempt: number,
): Promise<"ok" | "race"> {
  // the tree's new objects and the commit, hashed in memory, then written at once: loose below git's
  // unpack limit (100), else one packfile (see writeObjects); only then does the branch move
  const objects = await newDeployObjects(ctx.target.store, plan.tree);
  const commitObj = commitObject({
    tree: plan.treeOid,
    parents: plan.base ? [plan.base] : [],
    author: { ...ctx.opts.author, timestamp: ctx.now() },
    message: result.message!,
  });
  objects.push(commitObj);
  result.objectsWritten += await writeObjects(ctx.target.store, objects);
  const commit = commitObj.oid;
  await ctx.opts.beforeUpdate?.(attempt);
  if ((await ctx.target.update(plan.base, commit)) === "race") return "race";
  result.status = "published";
  result.commit = commit;
  return "ok";
}

/** Steps 2–6 on the current tip: "done" (published, unchanged, dry run or refused), or "race". */
async function attemptOnTip(ctx: PublishContext, result: PublishResult, attempt: number): Promise<"done" | "race"> {
  const { opts, run } = ctx;
  // 2–3. tip and plan
  const base = await ctx.target.tip();
  const plan = await planDeploy(ctx.target.store, base, run, {
    partial: Boolean(opts.partial),
    allowPrune: Boolean(opts.allowPrune),
    pruneThreshold: run.fleet!.publish.pruneThreshold,
  });
  fill(result, plan);
  result.diagnostics = plan.diagnostics;
  if (plan.diagnostics.some((d) => d.severity === "error")) {
    result.status = "refused";
    return "done";
  }
  // 4. lock commit
  await commitLockOnce(ctx, result);
  // 5. no-op
  if (plan.unchanged) {
    result.status = "unchanged";
    if (base) result.commit = base;
    return "done";
  }
  result.message = commitMessage({
    added: plan.added,
    changed: plan.changed,
    removed: plan.removed,
    held: plan.held,
    unchanged: plan.unchangedCount,
    ...(ctx.fleetCommit ? { fleetCommit: ctx.fleetCommit } : {}),
    sources: plan.sources,
    ...(opts.message ? { subject: opts.message } : {}),
  });
  if (opts.dryRun) {
    result.status = "dry-run";
    return "done";
  }
  // 6. objects, commit, ref
  return (await writeAndMove(ctx, result, plan, attempt)) === "ok" ? "done" : "race";
}

/** Publishes a rendered fleet to its deploy branch (see the steps at the top of this file). */
export async function publish(opts: PublishOptions): Promise<PublishResult> {
  const run = opts.run;
  const branch = deployBranch(run, opts.branch);
  const result = emptyResult(opts, branch);
  // 1. gate
  result.diagnostics = gate(run, Boolean(opts.partial));
  if (result.diagnostics.length) return result;
  const repo = opts.repo ?? (await locateFleetRepo(opts.fleetDir));
  const target = opts.opened ?? (await openDeployTarget(opts.target, branch, opts.fleetDir, repo));
  result.target = target.label;

  const fleetCommit = repo ? await fleetHead(repo) : undefined;
  const lockWanted = Boolean(opts.writeLock && run.lockChanged && !run.diagnostics.some((d) => d.severity === "error"));
  if (lockWanted && !repo)
    throw new BraidError({
      code: "PUBLISH_NOT_A_REPO",
      message: `${opts.fleetDir} is not inside a Git repository: braid.lock cannot be committed`,
    });
  const now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  const ctx: PublishContext = {
    opts,
    run,
    branch,
    target,
    ...(repo ? { repo } : {}),
    lockWanted,
    now,
    ...(fleetCommit ? { fleetCommit } : {}),
  };
  const maxAttempts = Math.max(1, opts.maxAttempts ?? 5);
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    result.attempts = attempt;
    if ((await attemptOnTip(ctx, result, attempt)) === "done") {
      if (result.status !== "refused" && ctx.fleetCommit) result.fleetCommit = ctx.fleetCommit;
      return result;
    }
    // 7. lost the race
    if (attempt === maxAttempts) break;
    await (opts.sleep ?? defaultSleep)(
      Math.round((opts.backoffMs ?? 500) * 2 ** (attempt - 1) * (0.5 + Math.random())),
    );
  }
  throw new BraidError({
    code: "PUBLISH_RACE",
    message: `the deploy branch "${branch}" of ${target.label} kept moving: ${maxAttempts} attempts lost to other publishers; nothing was published`,
    hint: "run the publish again; make scheduled jobs share a concurrency group so they do not overlap",
  });
}

function fill(result: PublishResult, plan: DeployPlan): void {
  result.added = plan.added;
  result.changed = plan.changed;
  result.removed = plan.removed;
  result.held = plan.held;
  result.unchangedCount = plan.unchangedCount;
  result.inventory = plan.inventory;
  result.tree = plan.treeOid;
  if (plan.base) result.parent = plan.base;
  else delete result.parent;
}
