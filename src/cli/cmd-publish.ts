import fs from "node:fs";
import git from "../git/isogit.js";
import { BraidError, exitCodeFor } from "../diagnostics/diagnostic.js";
import { branchNameProblem } from "../git/ref-name.js";
import { locateFleetRepo, uncommittedFleetFiles, type FleetRepo } from "../git/fleet-repo.js";
import { LOCK_FILE } from "../sources/lock.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { publish, resolvePushTarget, type PublishResult } from "../publish/publish.js";
import { allDiagnostics, runFrames, runWithProgress } from "./cmd-render.js";
import { fleetDir, pickFormat, printDiagnostics, sourceEnv } from "./common.js";
import { braidNow } from "./clock.js";
import type { CliIO } from "./io.js";
import { resultHeader } from "./json-document.js";
import { defaultSeverityOf } from "../diagnostics/codes.js";
import { deployTipReuse } from "../publish/incremental.js";
import { fleetInputKey, recordNoop, tryNoop, type NoopContext } from "../publish/noop-shortcut.js";
import { chainReuse } from "../render/reuse.js";
import { incrementalOff, localReuse } from "./incremental.js";

/** Help text of `braid publish`. */
export const PUBLISH_HELP = `braid publish [--branch NAME] [--push REMOTE] [--update] [--partial] [--allow-prune] [--dry-run] [--no-cache]
              [--message TEXT] [--fleet DIR] [--format text|json] [--quiet]

Renders every cluster and commits the output to the deploy branch (default: output.branch of braid.yaml),
built straight in the Git object store, with inventory.json and README.md at its root and the trailers
Braid-Fleet-Commit and Braid-Source. Without --push the branch is written in the fleet's own repository;
--push REMOTE (an http(s) URL, a local repository path, or a remote of the fleet repo) fetches that
remote's branch, builds on it and pushes (through the system git when on PATH, which also brings SSH and
git's credentials; token from BRAID_GIT_TOKEN[_<HOST>]); a push that loses a race is rebuilt on the new tip
and retried, never forced; after the push the remote branch is read back and must hold the commit.

  --update       re-resolve floating pins; when braid.lock changes it is committed to the fleet repo first
  --partial      publish the clusters that passed; failed clusters keep their last good output (exit 1)
  --allow-prune  allow removing clusters, or losing more than publish.pruneThreshold of a cluster's resources
  --dry-run      print what would be committed; write nothing
  --message      the commit's summary line
  --no-cache     render every cluster (default: a cluster whose input digest equals the deploy tip's, or an
                 entry's in $BRAID_CACHE/render, is reused unrendered; also BRAID_NO_INCREMENTAL=1)

No change in the output: no commit, exit 0. Exit 1 content errors, 3 push/network failure or a lost race.
`;

interface PublishFlags {
  fleet?: string;
  format?: string;
  quiet?: boolean;
  branch?: string;
  push?: string;
  update?: boolean;
  partial?: boolean;
  "allow-prune"?: boolean;
  "dry-run"?: boolean;
  message?: string;
  "no-cache"?: boolean;
}

/** Author of braid's commits: GIT_AUTHOR_NAME/EMAIL, else the fleet repo's user.name/email, else braid. */
export async function commitAuthor(io: CliIO, repo: FleetRepo | undefined): Promise<{ name: string; email: string }> {
  const config = async (path: string): Promise<string | undefined> => {
    if (!repo) return undefined;
    const v = (await git.getConfig({ fs, gitdir: repo.gitdir, path }).catch(() => undefined)) as unknown;
    return typeof v === "string" && v ? v : undefined;
  };
  return {
    name: io.env.GIT_AUTHOR_NAME || (await config("user.name")) || "braid",
    email: io.env.GIT_AUTHOR_EMAIL || (await config("user.email")) || "braid@localhost",
  };
}

/** `braid publish`. */
export async function publishCommand(io: CliIO, values: PublishFlags): Promise<number> {
  const format = pickFormat(values.format, ["text", "json"], "text");
  if (values.branch !== undefined) checkBranchFlag(values.branch);
  const dir = fleetDir(io, values.fleet);
  const senv = sourceEnv(io, dir);
  const repo = await locateFleetRepo(dir);
  // the working tree's status is read while the fleet renders (it waits on the file system, not the CPU)
  const dirty = dirtyWarning(repo, Boolean(values.update), io.env);
  // resolve --push before rendering, so a bad flag fails fast
  const target = values.push
    ? await resolvePushTarget(values.push, {
        cwd: io.cwd,
        ...(repo ? { repo } : {}),
        cacheDir: senv.cacheDir,
        env: io.env,
        ...(senv.timeoutMs ? { timeoutMs: senv.timeoutMs } : {}),
      })
    : undefined;
  // incremental: not one fleet file changed since a publish that is still the tip → unchanged, nothing parsed
  const noopCtx: NoopContext = {
    fleetDir: dir,
    cwd: io.cwd,
    cacheDir: senv.cacheDir,
    envValue: io.env.BRAID_KUBERNETES_OPENAPI,
    env: io.env,
    ...(values.branch ? { branch: values.branch } : {}),
    ...(target ? { target } : {}),
  };
  const shortcut = !incrementalOff(io, values["no-cache"]) && !values.update && !values.partial && !values["dry-run"];
  const preread = new Map<string, Buffer>();
  const key = shortcut ? keyOrUndefined(noopCtx, preread) : undefined;
  const hit = key ? await tryNoop(noopCtx, key) : undefined;
  if (hit)
    return report(
      io,
      format,
      values.quiet,
      hit.result,
      [...hit.diagnostics, ...(await dirty)],
      hit.result.unchangedCount,
    );
  // incremental: clusters whose input digest equals the deploy tip's (or the local cache's) are not rendered
  const tip = incrementalOff(io, values["no-cache"])
    ? undefined
    : deployTipReuse({
        fleetDir: dir,
        cacheDir: senv.cacheDir,
        ...(values.branch ? { branch: values.branch } : {}),
        ...(target ? { target } : {}),
      });
  // a cluster not on the tip may still have its files in the local cache (a render made them)
  const reuse = chainReuse(tip, localReuse(io, values["no-cache"], { store: false }));
  const run = await runWithProgress(
    io,
    { fleet: values.fleet, quiet: values.quiet, update: values.update, "no-cache": values["no-cache"] },
    format,
    reuse,
    preread,
  );
  const opened = tip?.target();
  const result = await publish({
    run,
    ...(opened ? { opened } : {}),
    fleetDir: dir,
    ...(values.branch ? { branch: values.branch } : {}),
    ...(target ? { target } : {}),
    ...(repo ? { repo } : {}),
    partial: Boolean(values.partial),
    allowPrune: Boolean(values["allow-prune"]),
    dryRun: Boolean(values["dry-run"]),
    ...(values.message ? { message: values.message } : {}),
    writeLock: Boolean(values.update),
    author: await commitAuthor(io, repo),
    now: () => Math.floor(braidNow(io) / 1000),
  });
  const diagnostics = [...allDiagnostics(run), ...(await dirty), ...result.diagnostics];
  if (key) await recordNoop(noopCtx, key, run, result);
  const frames = format === "json" ? undefined : await runFrames(io, values.fleet, run, diagnostics);
  return report(io, format, values.quiet, result, diagnostics, run.clusters.filter((c) => c.reused).length, frames);
}

/** Prints a publish's result and diagnostics (with the code frames of located errors); returns the exit code. */
function report(
  io: CliIO,
  format: string,
  quiet: boolean | undefined,
  result: PublishResult,
  diagnostics: Diagnostic[],
  reused: number,
  frames?: (d: Diagnostic) => string | undefined,
): number {
  if (format === "json") io.stdout(JSON.stringify({ ...resultJson(result, diagnostics), reused }, null, 2) + "\n");
  else {
    printDiagnostics(io, diagnostics, "text", quiet, frames);
    if (!quiet || result.status === "refused") io.stdout(resultText(result));
  }
  if (result.status === "refused") return exitCodeFor(diagnostics) || 1;
  return result.held.length ? Math.max(1, exitCodeFor(diagnostics)) : 0;
}

/** `--branch` must be a name git accepts: it becomes a path under the gitdir (exit 2, before anything is read). */
function checkBranchFlag(branch: string): void {
  const problem = branchNameProblem(branch);
  if (problem)
    throw new BraidError({
      code: "USAGE",
      message: `--branch ${JSON.stringify(branch)} is not a valid Git branch name: ${problem}`,
      hint: "use a branch name git accepts (git check-ref-format --branch), e.g. deploy",
    });
}

/** Rendered from uncommitted files, the deploy commit's Braid-Fleet-Commit (HEAD) would not reproduce it: say so. */
async function dirtyWarning(
  repo: FleetRepo | undefined,
  update: boolean,
  env: Record<string, string | undefined>,
): Promise<Diagnostic[]> {
  if (!repo) return [];
  const files = (await uncommittedFleetFiles(repo, env).catch(() => [])).filter((f) => !(update && f === LOCK_FILE));
  if (!files.length) return [];
  return [
    {
      code: "FLEET_DIRTY",
      severity: defaultSeverityOf("FLEET_DIRTY"),
      message: `the fleet folder has uncommitted changes (${files.slice(0, 5).join(", ")}${files.length > 5 ? `, … ${files.length} in all` : ""}): the output was rendered from them, but Braid-Fleet-Commit names HEAD, which does not hold them`,
      location: { file: files[0]! },
      hint: "commit the fleet changes first, so the deploy commit's provenance reproduces it",
    },
  ];
}

function counts(r: PublishResult): string {
  const parts = [
    `${r.added.length} added`,
    `${r.changed.length} changed`,
    `${r.removed.length} removed`,
    `${r.unchangedCount} unchanged`,
  ];
  if (r.held.length) parts.push(`${r.held.length} held back`);
  return parts.join(", ");
}

/** Text report of a publish. */
function resultText(r: PublishResult): string {
  const where = `branch ${r.branch} of ${r.target || "the fleet repository"}`;
  const lock = r.lockCommit ? `committed braid.lock to the fleet repository: ${r.lockCommit}\n` : "";
  switch (r.status) {
    case "refused":
      return `nothing published to ${where}\n`;
    case "unchanged":
      return `${lock}no change: the rendered output equals the tip of ${where}${r.commit ? ` (${r.commit.slice(0, 12)})` : ""}; nothing committed\n`;
    case "dry-run":
      return `dry run: would commit to ${where}${r.parent ? ` on top of ${r.parent.slice(0, 12)}` : " (new branch)"} (${counts(r)}):\n\n${indent(r.message ?? "")}`;
    case "published":
      return `${lock}published ${r.commit} to ${where} (${counts(r)}; ${r.objectsWritten} objects written${r.attempts > 1 ? `, ${r.attempts} attempts` : ""})\n\n${indent(r.message ?? "")}`;
  }
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => (l ? `    ${l}` : l))
    .join("\n")
    .replace(/\n*$/, "\n");
}

function resultJson(r: PublishResult, diagnostics: unknown[]): Record<string, unknown> {
  return {
    ...resultHeader("PublishResult"),
    ok: r.status !== "refused" && r.held.length === 0,
    status: r.status,
    branch: r.branch,
    target: r.target,
    commit: r.commit ?? null,
    parent: r.parent ?? null,
    tree: r.tree ?? null,
    fleetCommit: r.fleetCommit ?? null,
    lockCommit: r.lockCommit ?? null,
    message: r.message ?? null,
    added: r.added,
    changed: r.changed,
    removed: r.removed,
    heldBack: r.held,
    unchanged: r.unchangedCount,
    attempts: r.attempts,
    objectsWritten: r.objectsWritten,
    diagnostics,
  };
}

/** The fleet folder's input key, or undefined when the folder cannot be walked (the run then reports why). */
function keyOrUndefined(ctx: NoopContext, read: Map<string, Buffer>): string | undefined {
  try {
    return fleetInputKey(ctx, read);
  } catch {
    return undefined;
  }
}
