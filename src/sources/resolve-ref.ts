import { BraidError } from "../diagnostics/diagnostic.js";
import type { RefSpec } from "../config/types.js";
import { hasObject, headBranch, isAncestor, listRefsPeeled, peelToCommit } from "../git/git-objects.js";
import { rethrowDamaged } from "../git/damaged.js";
import { selectSemverTag, type CandidateVerdict } from "./semver.js";
import fs from "node:fs";
import git from "../git/isogit.js";

/** What a pin resolved to, and why. */
export interface Resolution {
  commit: string;
  tag?: string;
  version?: string;
  branch?: string;
  /** One line per candidate or step, for `braid lock --explain`. */
  explain: CandidateVerdict[];
}

/** A repository to resolve in (a local repo's gitdir, or the cache mirror of a remote). */
export interface RepoHandle {
  source: string;
  gitdir: string;
  /** For messages (credentials already removed). */
  displayUrl: string;
  /** The run's isomorphic-git cache (RunContext.git); one per resolution when absent. */
  cache?: object;
}

function short(list: string[], max = 20): string {
  if (list.length === 0) return "none";
  return list.length > max ? `${list.slice(0, max).join(", ")}, … (${list.length} in all)` : list.join(", ");
}

/**
 * The commit a ref leads to; undefined when there is no such ref. A ref that is there but leads to no commit
 * (it points at a tree or a blob, or at an object the repository does not hold) is REF_NOT_FOUND saying so:
 * Flux's checkout of it fails too, and "no such tag" would send the user looking for the wrong thing.
 */
async function resolveNamed(repo: RepoHandle, ref: string, what: string): Promise<string | undefined> {
  let oid: string;
  try {
    oid = await git.resolveRef({ fs, gitdir: repo.gitdir, ref });
  } catch (e) {
    rethrowDamaged(e);
    return undefined;
  }
  try {
    return await peelToCommit(repo.gitdir, oid, repo.cache);
  } catch (e) {
    rethrowDamaged(e);
    const missing = !(await hasObject(repo.gitdir, oid, repo.cache));
    throw new BraidError({
      code: "REF_NOT_FOUND",
      message: `${what} of source "${repo.source}" is there but leads to no commit: ${
        missing
          ? `it points at ${oid}, an object the repository does not hold`
          : e instanceof BraidError
            ? e.message
            : `it points at ${oid}, which cannot be read as a commit`
      } (${repo.displayUrl})`,
      hint: missing
        ? "`git fsck` in the source repository reports it: re-point or delete the ref there (or push the missing commit)"
        : "re-point the ref at a commit in the source repository, or pin another ref",
    });
  }
}

async function branchCommit(repo: RepoHandle, branch: string): Promise<string> {
  const commit = await resolveNamed(repo, `refs/heads/${branch}`, `branch "${branch}"`);
  if (commit) return commit;
  const branches = (await listRefsPeeled(repo.gitdir, "refs/heads/", repo.cache)).map((r) => r.ref.slice(11));
  throw new BraidError({
    code: "REF_NOT_FOUND",
    message: branches.length
      ? `source "${repo.source}" has no branch "${branch}" (${repo.displayUrl})`
      : `source "${repo.source}" has no branches at all: the repository is empty (${repo.displayUrl})`,
    hint: branches.length ? `branches: ${short(branches)}` : "push the manifests to the repository, or fix the url",
  });
}

/**
 * Resolves a pin to a commit with Flux's GitRepository.spec.ref precedence: commit (optionally checked against
 * branch), name, semver, tag, branch; no ref means the repository's default branch (its HEAD).
 */
export async function resolveRef(handle: RepoHandle, ref: RefSpec | undefined): Promise<Resolution> {
  const repo = handle.cache ? handle : { ...handle, cache: {} };
  const r = ref ?? {};
  if (r.commit) {
    if (!(await hasObject(repo.gitdir, r.commit, repo.cache)))
      throw new BraidError({
        code: "COMMIT_NOT_FOUND",
        message: `source "${repo.source}" has no commit ${r.commit} (${repo.displayUrl})`,
        hint: "check the SHA; braid needs the full 40-character commit id",
      });
    const commit = await peelToCommit(repo.gitdir, r.commit, repo.cache);
    if (r.branch) {
      const tip = await branchCommit(repo, r.branch);
      if (!(await isAncestor(repo.gitdir, commit, tip, repo.cache)))
        throw new BraidError({
          code: "REF_NOT_REACHABLE",
          message: `commit ${r.commit.slice(0, 12)} is not reachable from branch "${r.branch}" of source "${repo.source}"`,
          hint: `the branch tip is ${tip.slice(0, 12)}; pin a commit of that branch, or drop "branch"`,
        });
      return {
        commit,
        branch: r.branch,
        explain: [{ tag: `commit ${r.commit}`, taken: true, reason: `on branch ${r.branch}` }],
      };
    }
    return { commit, explain: [{ tag: `commit ${r.commit}`, taken: true, reason: "pinned commit" }] };
  }
  if (r.name) {
    const commit = await resolveNamed(repo, r.name, `ref "${r.name}"`);
    if (!commit)
      throw new BraidError({
        code: "REF_NOT_FOUND",
        message: `source "${repo.source}" has no ref "${r.name}" (${repo.displayUrl})`,
        hint: "name takes a full ref such as refs/heads/main, refs/tags/v1.0.0 or refs/pull/42/head",
      });
    const tag = r.name.startsWith("refs/tags/") ? r.name.slice(10) : undefined;
    const branch = r.name.startsWith("refs/heads/") ? r.name.slice(11) : undefined;
    return { commit, tag, branch, explain: [{ tag: r.name, taken: true, reason: "named ref" }] };
  }
  if (r.semver) {
    const unpeelable: string[] = [];
    const tags = await listRefsPeeled(repo.gitdir, "refs/tags/", repo.cache, unpeelable);
    // Flux resolves every tag to its commit before it looks at versions (fluxcd/pkg git/gogit/clone.go,
    // cloneSemVer), and one tag that does not lead to a commit fails the whole checkout, whatever the range
    if (unpeelable.length)
      throw new BraidError({
        code: "REF_NOT_FOUND",
        message: `${unpeelable.length === 1 ? "tag" : "tags"} ${short(unpeelable.map((t) => `"${t.slice(10)}"`))} of source "${repo.source}" ${unpeelable.length === 1 ? "does" : "do"} not point at a commit (a tree, a blob or a missing object), and Flux's semver checkout fails on any such tag, whatever the range (${repo.displayUrl})`,
        hint: "delete or re-point the tag in the source repository, or pin a tag or commit instead of a semver range",
      });
    const candidates = [];
    for (const t of tags)
      candidates.push({
        tag: t.ref.slice(10),
        commit: t.commit,
        commitTime: t.commitTime, // read while peeling: one object read per tag
      });
    const sel = selectSemverTag(candidates, r.semver, r.tagPrefix);
    if (!sel.selected) {
      const considered = sel.verdicts.map((v) => v.tag);
      throw new BraidError(
        {
          code: "SEMVER_NO_MATCH",
          message: `no tag of source "${repo.source}" satisfies semver "${r.semver}"${r.tagPrefix ? ` with tagPrefix "${r.tagPrefix}"` : ""} (${repo.displayUrl})`,
          hint: `tags considered: ${short(considered)}; run "braid lock --explain" for why each was skipped`,
        },
        sel.verdicts,
      );
    }
    return { commit: sel.selected.commit, tag: sel.selected.tag, version: sel.selected.version, explain: sel.verdicts };
  }
  if (r.tag) {
    const commit = await resolveNamed(repo, `refs/tags/${r.tag}`, `tag "${r.tag}"`);
    if (!commit) {
      const tags = (await listRefsPeeled(repo.gitdir, "refs/tags/", repo.cache)).map((t) => t.ref.slice(10));
      throw new BraidError({
        code: "REF_NOT_FOUND",
        message: `source "${repo.source}" has no tag "${r.tag}" (${repo.displayUrl})`,
        hint: `tags: ${short(tags)}`,
      });
    }
    return { commit, tag: r.tag, explain: [{ tag: r.tag, taken: true, reason: "pinned tag" }] };
  }
  const branch = r.branch ?? (await headBranch(repo.gitdir));
  if (!branch)
    throw new BraidError({
      code: "REF_NOT_FOUND",
      message: `source "${repo.source}" has no default branch (HEAD is not a branch) (${repo.displayUrl})`,
      hint: "pin a ref: branch, tag, semver, name or commit",
    });
  const commit = await branchCommit(repo, branch);
  return {
    commit,
    branch,
    explain: [{ tag: `branch ${branch}`, taken: true, reason: r.branch ? "branch tip" : "default branch tip" }],
  };
}
