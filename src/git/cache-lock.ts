/**
 * A lock per cache repository, so that processes sharing one `BRAID_CACHE` (a CI runner cache, parallel
 * jobs) never fetch into or push from the same repository at once. The lock is a file created
 * exclusively next to the repository (`<gitdir>.braid-lock`) holding the owner's pid and host; a lock
 * whose owner is a dead process on this host is stale and taken over. Waiting is bounded: past the
 * timeout the run fails (CACHE_LOCKED, exit 3) instead of spinning.
 */
import { hostname } from "node:os";
import { dirname } from "node:path";
import { open, readFile, rm, stat } from "node:fs/promises";
import { BraidError } from "../diagnostics/diagnostic.js";
import { mkdirp } from "./mkdirp.js";

/** Default longest wait for a cache lock: 10 minutes (a slow fetch of a large repository by another job). */
const DEFAULT_LOCK_WAIT_MS = 600_000;

const held = new Map<string, Promise<unknown>>();

/** Runs `job` holding the lock of `gitdir`; calls in one process queue up (not re-entrant: never nest them). */
export async function withCacheLock<T>(
  gitdir: string,
  job: () => Promise<T>,
  opts: { waitMs?: number } = {},
): Promise<T> {
  const prev = held.get(gitdir) ?? Promise.resolve();
  const next = prev
    .catch(() => undefined)
    .then(async () => {
      const release = await acquire(`${gitdir}.braid-lock`, opts.waitMs ?? DEFAULT_LOCK_WAIT_MS);
      try {
        return await job();
      } finally {
        await release();
      }
    });
  held.set(gitdir, next);
  void next.finally(() => held.get(gitdir) === next && held.delete(gitdir)).catch(() => undefined);
  return next;
}

/** Whether a pid names a live process on this machine. */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function acquire(path: string, waitMs: number): Promise<() => Promise<void>> {
  try {
    await mkdirp(dirname(path));
  } catch (e) {
    throw new BraidError({
      code: "IO",
      message: `cannot create the cache folder ${dirname(path)}: ${(e as Error).message}`,
      hint: "set BRAID_CACHE to a writable folder",
    });
  }
  const me = `${process.pid} ${hostname()}\n`;
  const deadline = Date.now() + waitMs;
  for (let round = 0; ; round++) {
    try {
      const h = await open(path, "wx");
      try {
        await h.writeFile(me);
      } finally {
        await h.close();
      }
      return async () => {
        // release only our own lock (a stale-lock takeover by another process must not be undone)
        if ((await readFile(path, "utf8").catch(() => "")) === me) await rm(path, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST")
        throw new BraidError({
          code: "IO",
          message: `cannot lock the cache repository (${path}): ${(e as Error).message}`,
          hint: "set BRAID_CACHE to a writable folder",
        });
    }
    const owner = await readFile(path, "utf8").catch(() => undefined);
    if (owner === undefined) continue; // released meanwhile
    const [pid, host] = owner.trim().split(" ");
    const unfinished =
      !owner.endsWith("\n") &&
      (await stat(path).then(
        (st) => Date.now() - st.mtimeMs > 30_000,
        () => false,
      ));
    if (unfinished || (owner.endsWith("\n") && host === hostname() && !processAlive(Number(pid)))) {
      // stale: its owner died (kill -9) without releasing it
      await rm(path, { force: true });
      continue;
    }
    if (Date.now() >= deadline)
      throw new BraidError({
        code: "CACHE_LOCKED",
        message: `the cache repository is locked by process ${pid ?? "?"}${host && host !== hostname() ? ` on ${host}` : ""} (${path}) and was not released within ${Math.round(waitMs / 1000)} s`,
        hint: "wait for the other braid run; if none is running, delete the lock file",
      });
    await new Promise((r) => setTimeout(r, Math.min(250, 20 + round * 10) * (0.5 + Math.random())));
  }
}
