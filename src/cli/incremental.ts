import { openConfigCache, type ConfigCache } from "../config/config-cache.js";
import { braidDigest } from "../render/cluster-digest.js";
import { localCacheReuse, type LocalCacheOptions } from "../render/local-cache.js";
import { openManifestStore, type ManifestStore } from "../render/manifest-store.js";
import type { ClusterReuse } from "../render/reuse.js";
import { cacheDir } from "./cache-dir.js";
import type { CliIO } from "./io.js";

/** True when incremental reuse is off: `--no-cache`, or BRAID_NO_INCREMENTAL set (to anything but "", "0", "false"). */
export function incrementalOff(io: CliIO, noCache: boolean | undefined): boolean {
  const env = io.env.BRAID_NO_INCREMENTAL;
  return Boolean(noCache) || (env !== undefined && env !== "" && env !== "0" && env.toLowerCase() !== "false");
}

/** The local result cache (`$BRAID_CACHE/render/`), unless incremental reuse is off. */
export function localReuse(
  io: CliIO,
  noCache: boolean | undefined,
  opts: LocalCacheOptions = {},
): ClusterReuse | undefined {
  return incrementalOff(io, noCache) ? undefined : localCacheReuse(cacheDir(io), opts);
}

/** The parsed-config cache of the fleet in `dir` (`$BRAID_CACHE/config/`), unless incremental reuse is off. */
export async function configCache(
  io: CliIO,
  noCache: boolean | undefined,
  dir: string,
): Promise<ConfigCache | undefined> {
  return incrementalOff(io, noCache) ? undefined : openConfigCache(cacheDir(io), dir, braidDigest());
}

/** The parsed-manifest cache (`$BRAID_CACHE/manifests/`), unless incremental reuse is off. */
export function manifestStore(io: CliIO, noCache: boolean | undefined): ManifestStore | undefined {
  return incrementalOff(io, noCache) ? undefined : openManifestStore(cacheDir(io), braidDigest());
}
