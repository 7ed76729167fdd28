/**
 * The cache of bare mirror repositories under `<BRAID_CACHE>/git/`, one per remote URL, fetched only when
 * needed.
 *
 * The cache is a mirror: the remote's `refs/heads/*` and `refs/tags/*` are kept under the same names
 * (not `refs/remotes/origin/*`), so the cache reads like the remote itself; annotated tags stay
 * annotated; branches and tags deleted on the remote are deleted in the cache; `HEAD` follows the
 * remote's default branch. Other refs (e.g. `refs/pull/42/head`) are fetched only when asked for.
 *
 * A fleet whose pins are all in braid.lock needs only those commits: where the system git fetches, a new
 * cache gets just them, by id and without history (`git fetch --depth=1 <url> <commit>…`, as Flux clones a
 * pinned commit shallowly), instead of the whole repository. A cache made that way is shallow and has no
 * refs until a run needs the refs (an unlocked pin, `lock --update`): that sync fetches the rest of the
 * history (`--unshallow`), so the cache is a whole mirror again. A whole mirror that lacks a commit is
 * synced as before (only what is new comes), and so is any cache of a server that will not give a commit
 * by id.
 */
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import { rename, rm } from "node:fs/promises";
import { join } from "node:path";
import git from "./isogit.js";
import { BraidError } from "../diagnostics/diagnostic.js";
import { redactUrl } from "../diagnostics/redact-url.js";
import { processAlive, withCacheLock } from "./cache-lock.js";
import { hasObject } from "./git-objects.js";
import { readRef } from "./git-store.js";
import { mkdirp } from "./mkdirp.js";
import { pathExists } from "./path-exists.js";
import { classify } from "./remote-errors.js";
import {
  connect,
  listWith,
  systemFetch,
  type Connection,
  type RemoteOptions,
  type RemoteRef,
} from "./remote-connection.js";

/** Bare-repo cache dir for a URL: `<cacheDir>/git/<sha256(redacted url) first 16 hex>.git`. */
export function cachePathFor(cacheDir: string, url: string): string {
  const digest = createHash("sha256").update(redactUrl(url)).digest("hex").slice(0, 16);
  return join(cacheDir, "git", `${digest}.git`);
}

const inflight = new Map<string, Promise<{ gitdir: string; fetched: boolean }>>();
const queues = new Map<string, Promise<unknown>>();

/** Runs jobs on one cache dir one after another (identical concurrent syncs share one promise). */
function serialized<T>(key: string, job: () => Promise<T>): Promise<T> {
  const prev = queues.get(key) ?? Promise.resolve();
  const next = prev.catch(() => undefined).then(job);
  queues.set(key, next);
  void next.then(
    () => queues.get(key) === next && queues.delete(key),
    () => queues.get(key) === next && queues.delete(key),
  );
  return next;
}

/**
 * Makes sure the cache holds the remote's current refs (tags + branches + HEAD, plus `extraRefs` such
 * as `refs/pull/42/head` when the remote has them); fetches only when objects are missing, or clones
 * into a new bare repo. `fetched` tells whether objects were downloaded. Returns the gitdir.
 * Concurrent calls for the same URL and refs in one process share one in-flight promise.
 */
export async function syncRemote(
  opts: RemoteOptions & { extraRefs?: string[] },
): Promise<{ gitdir: string; fetched: boolean }> {
  const gitdir = cachePathFor(opts.cacheDir, opts.url);
  const extra = [...new Set(opts.extraRefs ?? [])].sort();
  const key = `${gitdir}\0${extra.join("\0")}`;
  const running = inflight.get(key);
  if (running) return running;
  const job = serialized(gitdir, () => withCacheLock(gitdir, () => syncInto(connect(opts), gitdir, extra)));
  inflight.set(key, job);
  try {
    return await job;
  } finally {
    inflight.delete(key);
  }
}

/**
 * Makes sure the cache holds these commits; fetches only when one is missing (so a locked fleet works
 * offline once cached), or when there is no cache yet. Does not throw for commits still missing after
 * the fetch: they are listed in `missing` and the caller reports them with its own context.
 */
export async function ensureCommits(
  opts: RemoteOptions,
  commits: string[],
): Promise<{ gitdir: string; fetched: boolean; missing: string[] }> {
  const gitdir = cachePathFor(opts.cacheDir, opts.url);
  const exists = await pathExists(gitdir);
  const missing = exists ? await missingObjects(gitdir, commits) : [...new Set(commits)];
  if (exists && missing.length === 0) return { gitdir, fetched: false, missing };
  // by id into a new cache or one made that way; a whole mirror stays whole (an incremental fetch)
  const byId = !exists || (await pathExists(join(gitdir, "shallow")));
  if (byId && missing.length && (await fetchCommits(opts, gitdir, missing)))
    if ((await missingObjects(gitdir, commits)).length === 0) return { gitdir, fetched: true, missing: [] };
  const { fetched } = await syncRemote(opts);
  return { gitdir, fetched, missing: await missingObjects(gitdir, commits) };
}

/**
 * Fetches commits by id, each with its tree and without its history, where the system git fetches (see the
 * file header); a new cache is made in a temp folder and moved into place. False when it could not (the
 * embedded transport, or a server that refuses: an unknown or unreachable commit, an old protocol); the
 * caller then syncs the whole mirror. A timeout, refused credentials or a missing repository are thrown
 * (the sync would meet them too).
 */
async function fetchCommits(opts: RemoteOptions, gitdir: string, commits: string[]): Promise<boolean> {
  let conn: Connection;
  try {
    conn = connect(opts);
  } catch {
    return false; // the sync reports it
  }
  if (conn.transport !== "system") return false;
  return serialized(gitdir, () =>
    withCacheLock(gitdir, async () => {
      await removeDeadClones(gitdir);
      const isNew = !(await pathExists(gitdir));
      const workdir = isNew ? tempSibling(gitdir) : gitdir;
      try {
        if (isNew) await initMirror(workdir, conn.url);
        await systemFetch(conn, workdir, commits, false, ["--depth=1"]);
        if (isNew) await publishMirror(workdir, gitdir);
        return true;
      } catch (e) {
        if (isNew) await rm(workdir, { recursive: true, force: true });
        // a server that did not answer, or wants other credentials, would do the same to the whole sync (and a
        // second timeout would double the wait): reported as it is
        if (givesUp(e)) throw e;
        return false;
      }
    }),
  );
}

const MIRRORED = /^refs\/(heads|tags)\//;

/** One sync: list, fetch what is missing, then make the cache's refs equal the remote's. */
async function syncInto(
  conn: Connection,
  gitdir: string,
  extraRefs: string[],
): Promise<{ gitdir: string; fetched: boolean }> {
  await removeDeadClones(gitdir);
  const remote = await listWith(conn);
  const isNew = !(await pathExists(gitdir));
  // a cache of locked commits only (see the file header): the system git fetches the rest of the history;
  // isomorphic-git cannot, so it clones anew and the new mirror replaces the shallow one
  const shallow = !isNew && (await pathExists(join(gitdir, "shallow")));
  const rebuild = shallow && conn.transport !== "system";
  const workdir = isNew || rebuild ? tempSibling(gitdir) : gitdir;
  try {
    if (isNew || rebuild) await initMirror(workdir, conn.url);
    const mirrored = remote.refs.filter((r) => MIRRORED.test(r.ref));
    let fetched = false;
    if (
      shallow ||
      (
        await missingObjects(
          workdir,
          mirrored.map((r) => r.oid),
        )
      ).length > 0
    ) {
      const start = remote.head && mirrored.some((r) => r.ref === remote.head) ? remote.head : mirrored[0]?.ref;
      await fetchWith(conn, workdir, {
        ref: start ?? "HEAD",
        remoteRef: start ?? "HEAD",
        singleBranch: false,
        tags: true,
        prune: true,
        unshallow: shallow && !rebuild,
      });
      fetched = true;
    }
    await reconcileRefs(workdir, mirrored, remote.head);
    for (const name of extraRefs) {
      if (MIRRORED.test(name)) continue;
      const want = remote.refs.find((r) => r.ref === name);
      if (!want) continue; // the ref resolver reports it, listing what exists
      if (!(await hasObject(workdir, want.oid))) {
        await fetchWith(conn, workdir, { ref: "HEAD", remoteRef: name, singleBranch: true, tags: false, prune: false });
        fetched = true;
      }
      if (await hasObject(workdir, want.oid))
        await git.writeRef({ fs, gitdir: workdir, ref: name, value: want.oid, force: true });
    }
    if (isNew) await publishMirror(workdir, gitdir);
    if (rebuild) await replaceMirror(workdir, gitdir);
    return { gitdir, fetched };
  } catch (e) {
    if (isNew || rebuild) await rm(workdir, { recursive: true, force: true });
    throw e;
  }
}

/** A failure the whole sync would meet too: a timeout, refused credentials, no such repository. */
function givesUp(e: unknown): boolean {
  if (!(e instanceof BraidError)) return false;
  const timedOut = (e.explain as { timedOut?: boolean } | undefined)?.timedOut === true;
  return timedOut || e.code === "SOURCE_AUTH" || e.code === "SOURCE_NOT_FOUND";
}

/**
 * Puts a new mirror in place of an old one (we hold the lock). A reader of the old one in another process
 * keeps the files it opened; the old folder is named like a dead clone, so a crash between the renames
 * leaves it to be removed by the next sync.
 */
async function replaceMirror(tmp: string, gitdir: string): Promise<void> {
  const old = tempSibling(gitdir);
  await rename(gitdir, old);
  await rename(tmp, gitdir);
  await rm(old, { recursive: true, force: true });
}

/** A new folder name beside the cache, `<gitdir>.tmp-<pid>-<hex>`: a clone being made, or an old one going. */
function tempSibling(gitdir: string): string {
  return `${gitdir}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
}

/** Removes `<gitdir>.tmp-<pid>-<hex>` clones left by processes that died mid-clone (we hold the lock). */
async function removeDeadClones(gitdir: string): Promise<void> {
  const dir = join(gitdir, "..");
  const prefix = `${gitdir.slice(dir.length + 1)}.tmp-`;
  for (const name of await fs.promises.readdir(dir).catch(() => [] as string[])) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split("-")[0]);
    if (pid !== process.pid && !processAlive(pid)) await rm(join(dir, name), { recursive: true, force: true });
  }
}

async function initMirror(gitdir: string, url: string): Promise<void> {
  await git.init({ fs, gitdir, bare: true, defaultBranch: "main" });
  await git.setConfig({ fs, gitdir, path: "remote.origin.url", value: redactUrl(url) });
  // Tags are not in a refspec: isomorphic-git would write the advertised `^{}` lines as refs. They are
  // fetched with `tags: true` and set by reconcileRefs.
  await git.setConfig({ fs, gitdir, path: "remote.origin.fetch", value: "+refs/heads/*:refs/heads/*" });
}

/** Moves a freshly cloned mirror into place; if another process won the race, keeps theirs. */
async function publishMirror(tmp: string, gitdir: string): Promise<void> {
  await mkdirp(join(gitdir, ".."));
  try {
    await rename(tmp, gitdir);
  } catch (e) {
    if (!(await pathExists(gitdir))) throw e;
    await rm(tmp, { recursive: true, force: true });
  }
}

async function fetchWith(
  conn: Connection,
  gitdir: string,
  {
    unshallow,
    ...o
  }: { ref: string; remoteRef: string; singleBranch: boolean; tags: boolean; prune: boolean; unshallow?: boolean },
): Promise<void> {
  if (conn.transport === "system") {
    const specs = o.singleBranch
      ? [`+${o.remoteRef}:${o.remoteRef}`]
      : ["+refs/heads/*:refs/heads/*", ...(o.tags ? ["+refs/tags/*:refs/tags/*"] : [])];
    return systemFetch(conn, gitdir, specs, o.prune && !o.singleBranch, unshallow ? ["--unshallow"] : []);
  }
  try {
    await git.fetch({ fs, http: conn.http, gitdir, url: conn.url, headers: { ...conn.headers }, ...o });
  } catch (e) {
    throw classify(e, conn);
  }
}

/** Sets every branch and tag to the remote's value (objects present), deletes the ones the remote lost. */
async function reconcileRefs(gitdir: string, mirrored: RemoteRef[], head: string | undefined): Promise<void> {
  const want = new Map(mirrored.map((r) => [r.ref, r.oid]));
  for (const prefix of ["refs/heads", "refs/tags"]) {
    for (const name of await git.listRefs({ fs, gitdir, filepath: prefix })) {
      // the peeled line of a packed annotated tag, which isomorphic-git lists as `<tag>^{}`, is not a ref (deleting
      // it failed the sync: an invalid ref name)
      if (name.endsWith("^{}")) continue;
      const ref = `${prefix}/${name}`;
      if (!want.has(ref)) await git.deleteRef({ fs, gitdir, ref });
    }
  }
  for (const [ref, oid] of want) {
    if ((await readRef(gitdir, ref)) === oid) continue;
    if (await hasObject(gitdir, oid)) await git.writeRef({ fs, gitdir, ref, value: oid, force: true });
  }
  if (head && want.has(head)) await git.writeRef({ fs, gitdir, ref: "HEAD", value: head, symbolic: true, force: true });
}

async function missingObjects(gitdir: string, oids: string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const oid of new Set(oids)) if (!(await hasObject(gitdir, oid))) missing.push(oid);
  return missing;
}
