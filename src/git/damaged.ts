/**
 * A Git repository braid reads that is damaged: an object that does not inflate, one whose content does not
 * hash to its id, or one that a tree names but the repository does not hold. git itself stops on each ("loose
 * object … is corrupt", "hash mismatch", "bad object"). braid reports it as `REPO_CORRUPT` (exit 3: the
 * repository on this machine is at fault, not the fleet's config), rather than as a bug of its own, or as a
 * missing folder or tag.
 */
import { existsSync } from "node:fs";
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
  // isomorphic-git does not read the objects a repository borrows (git-store.ts says so): not damage
  if (existsSync(join(gitdir, "objects", "info", "alternates"))) return undefined;
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

/** Throws `e` again when it is a damaged repository's error (for code that takes other failures as absence). */
export function rethrowDamaged(e: unknown): void {
  if (e instanceof DamagedRepositoryError) throw e;
}
