import { homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";

/**
 * The cache folder: BRAID_CACHE, else $XDG_CACHE_HOME/braid, else ~/.cache/braid (falls back to the temp dir).
 * Its own small module: the `braid` command finds its code cache here before loading anything else.
 */
export function cacheDir(io: { env: Record<string, string | undefined>; cwd: string }): string {
  if (io.env.BRAID_CACHE) return resolve(io.cwd, io.env.BRAID_CACHE);
  if (io.env.XDG_CACHE_HOME) return join(io.env.XDG_CACHE_HOME, "braid");
  const home = io.env.HOME || homedir();
  return home ? join(home, ".cache", "braid") : join(tmpdir(), "braid-cache");
}
