/**
 * A Git repository braid reads that is damaged: an object that does not inflate, one whose content does not
 * hash to its id, or one that a tree names but the repository does not hold. git itself stops on each ("loose
 * object … is corrupt", "hash mismatch", "bad object"). braid reports it as `REPO_CORRUPT` (exit 3: the
 * repository on this machine is at fault, not the fleet's config), rather than as a bug of its own, or as a
 * missing folder or tag.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BraidError } from "../diagnostics/diagnostic.js";

/** The error of a damaged repository. */
export class DamagedRepositoryError extends BraidError {}

/** isomorphic-git's calls that read an object named by another object (so a missing one is damage). */
const READS_LISTED_OBJECTS = new Set(["readBlob", "readTree"]);

/**
 * The `REPO_CORRUPT` error of what isomorphic-git threw from `method` on the repository at `gitdir`, when it
 * says the repository is damaged; undefined for any other failure.
 */
export function damagedRepository(e: unknown, gitdir: unknown, method: string): DamagedRepositoryError | undefined {
  if (e instanceof DamagedRepositoryError || typeof gitdir !== "string") return undefined;
  // objects a repository borrows, or leaves to its promisor remote, are not damage (git-store.ts says so)
  if (objectsElsewhere(gitdir)) return undefined;
  const { code, message } = (e ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === "string" ? message : "";
  let what: string | undefined;
  const mismatch = /SHA check failed! Expected ([0-9a-f]{40}), computed ([0-9a-f]{40})/.exec(text);
  if (code === "DecompressionError")
    what = `an object is not valid zlib data (${text.replace(/^Invalid compressed buffer: /, "")})`;
  else if (mismatch)
    what = `object ${mismatch[1]} holds the content of ${mismatch[2]} (its hash does not match its id)`;
  else if (code === "NotFoundError" && READS_LISTED_OBJECTS.has(method)) {
    const missing = /^Could not find ([0-9a-f]{40})\.$/.exec(text);
    if (missing) what = `object ${missing[1]} is missing (another object names it)`;
  }
  if (!what) return undefined;
  return new DamagedRepositoryError({
    code: "REPO_CORRUPT",
    message: `the Git repository ${gitdir} is damaged: ${what}`,
    hint: "`git fsck` there shows the damage; a copy braid keeps under its cache (BRAID_CACHE) can be deleted, and braid fetches it again",
  });
}

/**
 * Why a repository may lack objects without being damaged, which isomorphic-git cannot read: it borrows them
 * (`objects/info/alternates`: a clone made with `--shared` or `--reference`), or it is a partial clone
 * (`extensions.partialClone`, a promisor remote: `git clone --filter`), whose missing objects git fetches on
 * demand. Undefined for a repository that should hold every object it names.
 */
export function objectsElsewhere(gitdir: string): "alternates" | "partial clone" | undefined {
  if (existsSync(join(gitdir, "objects", "info", "alternates"))) return "alternates";
  let config: string;
  try {
    config = readFileSync(join(gitdir, "config"), "utf8");
  } catch {
    return undefined;
  }
  return /^\s*(?:partialclone\s*=|promisor\s*=\s*true\s*$)/im.test(config) ? "partial clone" : undefined;
}

/**
 * The same damage, said of what braid was reading (`context`, e.g. the deploy branch's tip): a new error
 * whose message starts with it (and with `hint`, when given). Any other error is returned as it is.
 */
export function damageIn(e: unknown, context: string, hint?: string): unknown {
  if (!(e instanceof DamagedRepositoryError)) return e;
  const { severity: _severity, ...d } = e.diagnostic;
  return new DamagedRepositoryError({ ...d, message: `${context}: ${d.message}`, ...(hint ? { hint } : {}) });
}

/** What to do about a damaged deploy branch (the hint of {@link damageIn} for it). */
export const DAMAGED_DEPLOY_BRANCH_HINT =
  "`git fsck` there shows the damage; nothing was published. A deploy branch that a remote also holds is repaired by deleting the damaged local copy (the local branch, or braid's clone of the remote under BRAID_CACHE) and fetching it again";

/** Throws `e` again when it is a damaged repository's error (for code that takes other failures as absence). */
export function rethrowDamaged(e: unknown): void {
  if (e instanceof DamagedRepositoryError) throw e;
}
