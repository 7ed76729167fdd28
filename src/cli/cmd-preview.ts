import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { BraidError, exitCodeFor, toDiagnostic } from "../diagnostics/diagnostic.js";
import { gitFleetReader, requireFleetRepo, type FleetBlobs } from "../config/git-fleet-reader.js";
import { resolveRevision } from "../git/resolve-revision.js";
import { diffFleetRuns } from "../preview/diff-runs.js";
import { formatPreviewJson } from "../preview/format-json.js";
import { formatMarkdown } from "../preview/format-markdown.js";
import { formatPreviewText } from "../preview/format-text.js";
import { githubTarget, upsertStickyComment } from "../preview/github-comment.js";
import {
  prepareFleetRun,
  renderFleet,
  type FleetRun,
  type FleetRunOptions,
  type PreparedFleetRun,
} from "../pipeline/render-fleet.js";
import { headReuse, sameAsHead, unchangedReuse } from "../preview/head-reuse.js";
import { reusedSensitiveObjects } from "../preview/reused-objects.js";
import { rethrowDamaged } from "../git/damaged.js";
import { deployBranchReuse, type DeployBranchReuse } from "../publish/incremental.js";
import { chainReuse } from "../render/reuse.js";
import { cacheDir } from "./cache-dir.js";
import { fleetDir, pickFormat, progress, sourceEnv } from "./common.js";
import { configCache, incrementalOff, localReuse, manifestStore } from "./incremental.js";
import type { CliIO } from "./io.js";
import type { JsonObject } from "../model/resource.js";

/** Help text of `braid preview`. */
export const PREVIEW_HELP = `braid preview --base REV --head REV [--format markdown|json|text] [--out FILE]
              [--github-comment [--comment-optional]] [--repo owner/name] [--pr N] [--fleet DIR] [--no-cache]
              [--quiet]

Renders the fleet as it is at two revisions of the Git repository that contains it (read from the object
store, no checkout; each revision with its own braid.lock) and reports, per cluster, the resources added,
changed (with a unified YAML diff) and removed, and the errors and warnings at head. Clusters with identical
changes are shown once with the list of clusters. Secret data/stringData and preview.sensitivePaths are shown
as short hashes; SOPS documents by their cleartext metadata only.

REV: a commit id (full or abbreviated), a branch, a tag or a full ref, optionally with ~N / ^N.
--format markdown (default) stays under GitHub's 65,536-character comment limit, leaving out whole changes
  with a note; --out FILE gets the full, uncut report in the chosen format.
--github-comment creates or updates one sticky comment on the pull request (found by a hidden marker).
  Needs GITHUB_TOKEN; repository from --repo or GITHUB_REPOSITORY; PR from --pr or GITHUB_EVENT_PATH;
  API root from GITHUB_API_URL (GitHub Enterprise). A PR from a fork (read-only token): an HTTP 403 is a
  notice, not an error. --comment-optional: any GitHub API failure is a notice (the exit code is the preview's).
A cluster whose input digest is the same at base and at head is unchanged: at head it is taken from the local
cache ($BRAID_CACHE/render) or the deploy branch (refs/heads/<output.branch>, else refs/remotes/origin/...)
when either has it, else rendered; at base it is never rendered. Unchanged fleet files and sources are read
from the caches of $BRAID_CACHE (config/, manifests/); --no-cache (or BRAID_NO_INCREMENTAL=1) renders both
sides whole.
Exit: 0 ok; 1 errors at head (the preview is still printed) or unknown revision; 2 usage; 3 GitHub API,
network or environment.
`;

interface PreviewFlags {
  fleet?: string;
  format?: string;
  quiet?: boolean;
  base?: string;
  head?: string;
  out?: string;
  "github-comment"?: boolean;
  "comment-optional"?: boolean;
  repo?: string;
  pr?: string;
  "no-cache"?: boolean;
}

/** `braid preview`. */
export async function previewCommand(io: CliIO, values: PreviewFlags): Promise<number> {
  const format = pickFormat(values.format, ["markdown", "json", "text"], "markdown");
  if (!values.base || !values.head)
    throw new BraidError({
      code: "USAGE",
      message: "preview needs --base REV and --head REV",
      hint: "e.g. braid preview --base origin/main --head HEAD",
    });
  const dir = fleetDir(io, values.fleet);
  const repo = await requireFleetRepo(dir);
  const gitCache = {}; // this command's isomorphic-git cache (each render has its own)
  const baseCommit = await resolveRevision(repo.gitdir, values.base, gitCache, repo.fs);
  const headCommit = await resolveRevision(repo.gitdir, values.head, gitCache, repo.fs);
  // Resolve the GitHub target before the (slow) renders, so a missing token fails fast.
  const target = values["github-comment"]
    ? await githubTarget(io.env, { repo: values.repo, pr: values.pr }, (p) => readFile(p, "utf8"))
    : undefined;

  const bar = progress(io, !values.quiet);
  const incremental = !incrementalOff(io, values["no-cache"]);
  const blobs: FleetBlobs = new Map(); // base and head share most fleet files
  const options = async (rev: string, commit: string): Promise<FleetRunOptions> => ({
    reader: gitFleetReader({
      gitdir: repo.gitdir,
      commit,
      subdir: repo.subdir,
      label: `${rev}:${repo.subdir || "."}`,
      blobs,
    }),
    senv: sourceEnv(io, dir),
    openapiEnv: io.env.BRAID_KUBERNETES_OPENAPI,
    cwd: io.cwd,
    configCache: await configCache(io, values["no-cache"], dir),
    manifestStore: manifestStore(io, values["no-cache"]),
  });
  const onProgress = (side: string) => (done: number, total: number, name: string) =>
    bar.update(done, total, `${side}: rendered ${name}`);
  const baseRev = values.base;
  const headRev = values.head;
  /**
   * Renders head, then base. With `fromPrevious`, head takes the clusters whose digest is base's from the local
   * cache or the deploy branch (base's digests are computed first for that).
   */
  const renderBoth = async (fromPrevious: boolean) => {
    const notes: string[] = [];
    let base: FleetRun | undefined;
    // base's input digests first: head takes a previous result only for a cluster whose digest is base's
    let baseRun: { opts: FleetRunOptions; prepared: PreparedFleetRun } | Error | undefined;
    let baseDigests: Map<string, string> | undefined;
    if (baseCommit !== headCommit) {
      try {
        const opts = await options(baseRev, baseCommit);
        baseRun = { opts, prepared: await prepareFleetRun(opts) };
        if (fromPrevious) baseDigests = await baseRun.prepared.clusterDigests();
      } catch (e) {
        baseRun = e instanceof Error ? e : new Error(String(e));
      }
    }
    const tip: DeployBranchReuse | undefined =
      baseDigests && deployBranchReuse({ gitdir: repo.gitdir, fleetDir: dir, cacheDir: cacheDir(io) });
    const previous = baseDigests && chainReuse(tip, localReuse(io, values["no-cache"]));
    const head = await renderFleet({
      ...(await options(headRev, headCommit)),
      ...(previous && baseDigests ? { reuse: unchangedReuse(baseDigests, previous) } : {}),
      onProgress: onProgress("head"),
    });
    try {
      if (baseRun instanceof Error) throw baseRun;
      base = baseRun
        ? sameAsHead(
            head,
            await renderFleet(
              { ...baseRun.opts, ...(incremental ? { reuse: headReuse(head) } : {}), onProgress: onProgress("base") },
              baseRun.prepared,
            ),
          )
        : head;
    } catch (e) {
      notes.push(
        `the fleet could not be rendered at base (${toDiagnostic(e).message}); it is compared with an empty fleet`,
      );
    }
    return { head, base, notes, tip };
  };
  let runs: Awaited<ReturnType<typeof renderBoth>>;
  let reusedObjects: JsonObject[];
  try {
    runs = await renderBoth(incremental);
    try {
      reusedObjects = await reusedSensitiveObjects([runs.base, runs.head], runs.tip?.objects());
    } catch (e) {
      rethrowDamaged(e); // a damaged deploy branch is reported, not rendered around
      // a file of a cluster taken unrendered cannot be read back (e.g. a partial clone without its blobs): its
      // Secrets could not be scrubbed from the messages, so every cluster is rendered after all
      runs = await renderBoth(false);
      reusedObjects = [];
    }
  } finally {
    bar.end();
  }
  const { head, notes } = runs;
  let base = runs.base;
  if (base && !base.fleet) {
    notes.push("the fleet does not load at base (it may not exist there yet); every cluster is shown as added");
    base = undefined;
  } else if (base) {
    const errs = [...base.diagnostics, ...base.clusters.flatMap((c) => c.diagnostics)].filter(
      (d) => d.severity === "error",
    ).length;
    if (errs)
      notes.push(
        `the fleet had ${errs} error${errs === 1 ? "" : "s"} at base; clusters that failed there are compared with what rendered`,
      );
  }
  if (!head.fleet)
    notes.push("the fleet config does not load at head (see the errors); its clusters cannot be compared");

  const report = diffFleetRuns(base, head, {
    base: { rev: values.base, commit: baseCommit },
    head: { rev: values.head, commit: headCommit },
    notes,
    reusedObjects,
  });
  let outPath = values.out ? resolve(io.cwd, values.out) : undefined;
  let markdown = format === "markdown" || target ? formatMarkdown(report, { fullReport: values.out }) : undefined;
  if (markdown?.truncated && !outPath) {
    // SPEC: beyond one comment, the markdown is cut and the full diff goes to a file — a temp file unless --out
    outPath = join(
      await mkdtemp(join(tmpdir(), "braid-preview-")),
      format === "json" ? "preview.json" : format === "text" ? "preview.txt" : "preview.md",
    );
    markdown = formatMarkdown(report, { fullReport: outPath });
  }
  const full =
    format === "json"
      ? formatPreviewJson(report)
      : format === "text"
        ? formatPreviewText(report)
        : formatMarkdown(report, { limit: Infinity }).text;
  if (outPath) {
    try {
      await mkdir(dirname(outPath), { recursive: true });
      await writeFile(outPath, full);
    } catch (e) {
      throw new BraidError({ code: "IO", message: `cannot write ${outPath}: ${(e as Error).message}` });
    }
  }
  io.stdout(format === "markdown" ? markdown!.text : full);
  if (markdown?.truncated && !values.quiet)
    io.stderr(`note: the markdown preview was cut to fit GitHub's comment limit; full report: ${outPath}\n`);
  if (target) {
    try {
      const res = await upsertStickyComment(target, markdown!.text);
      if (!values.quiet)
        io.stderr(
          `preview comment ${res.action} on ${target.owner}/${target.repo}#${target.pr}${res.url ? `: ${res.url}` : ""}\n`,
        );
    } catch (e) {
      const why = commentSkippable(e, target.fork === true, Boolean(values["comment-optional"]));
      if (!why) throw e;
      const message = `${why}: the preview comment was not posted (${(e as BraidError).message}); the preview above${outPath ? ` and ${outPath}` : ""} hold the report`;
      io.stderr(
        io.env.GITHUB_ACTIONS === "true"
          ? `::notice title=braid preview::${message.replace(/%/g, "%25").replace(/\n/g, "%0A")}\n`
          : `notice: ${message}\n`,
      );
    }
  }
  return exitCodeFor(report.diagnostics);
}

/**
 * When a failed comment is a notice, not an error: a pull request from a fork gets a read-only token (HTTP 403),
 * and --comment-optional accepts any GitHub API failure. Returns the reason, or undefined to fail (exit 3).
 */
function commentSkippable(e: unknown, fork: boolean, optional: boolean): string | undefined {
  if (!(e instanceof BraidError) || e.code !== "GITHUB_API") return undefined;
  if (optional) return "--comment-optional";
  const status = (e.explain as { status?: number } | undefined)?.status;
  if (fork && status === 403 && !/rate limit/i.test(e.message))
    return "a pull request from a fork has a read-only token";
  return undefined;
}
