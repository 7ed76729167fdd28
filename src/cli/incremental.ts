import { localCacheReuse, type LocalCacheOptions } from "../render/local-cache.js";
import type { ClusterReuse } from "../render/reuse.js";
import { cacheDir } from "./common.js";
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
