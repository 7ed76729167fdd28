/**
 * The local result cache (`$BRAID_CACHE/render/`), keyed by cluster input digest (render/cluster-digest.ts):
 * - `<digest>.meta.json`: the cluster's folder, resource counts and diagnostics — what a reused result must
 *   report again (a cluster with warnings shows the same warnings when reused) — and the `key` they were
 *   made under: diagnostics are reused only under the same key (their positions are in the fleet's texts);
 * - `<digest>.files.json`: its rendered files (written by `render` and `validate`, which have no deploy tree to
 *   take them from).
 * `publish` takes the folder from the deploy tip (a Git tree) and only the meta entry from here. Entries are
 * written to a temp file and renamed (a crash never leaves a truncated entry; processes sharing the cache
 * write the same bytes). An unreadable or foreign entry is a miss. The folder may be deleted at any time.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { writeFileAtomic } from "../git/mkdirp.js";
import type { ClusterReuse, RenderedCluster } from "./reuse.js";
import type { ClusterDigests } from "./cluster-digest.js";

const FORMAT = 1;

/** What a reused cluster reports besides its files. */
export interface CacheMeta {
  format: number;
  name: string;
  dir: string;
  resources: number;
  kinds: Record<string, number>;
  diagnostics: Diagnostic[];
  /** The key (digest + fleet texts) the diagnostics were made under. */
  key: string;
}

function entryPath(cacheDir: string, digest: string, part: "meta" | "files"): string {
  return join(cacheDir, "render", digest.slice(0, 2), `${digest}.${part}.json`);
}

/** A JSON file of the cache (undefined when missing or unreadable). */
export async function readJsonFile<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as T;
  } catch {
    return undefined;
  }
}

/**
 * The meta entry of a cluster's digests, when it can be reused: written for this cluster, and either without
 * diagnostics or under the same key (undefined: none, unreadable, another cluster's, or positions moved).
 */
export async function readCacheMeta(
  cacheDir: string,
  digests: ClusterDigests,
  name: string,
): Promise<CacheMeta | undefined> {
  return usableMeta(await readJsonFile<CacheMeta>(entryPath(cacheDir, digests.digest, "meta")), digests, name);
}

/** A meta entry, when it can be reused for this cluster and these digests (see {@link readCacheMeta}). */
export function usableMeta(meta: CacheMeta | undefined, digests: ClusterDigests, name: string): CacheMeta | undefined {
  if (
    meta?.format !== FORMAT ||
    meta.name !== name ||
    !Array.isArray(meta.diagnostics) ||
    typeof meta.resources !== "number"
  )
    return undefined;
  if (meta.diagnostics.length && meta.key !== digests.key) return undefined;
  return meta;
}

/**
 * The meta entry of a rendered cluster (what a reuse must report again besides its files), or of one recorded
 * elsewhere (the deploy tip's inventory) as if it had been rendered now.
 */
export function metaOf(
  r: Pick<RenderedCluster, "name" | "dir" | "resources" | "kinds" | "diagnostics" | "key">,
): CacheMeta {
  return {
    format: FORMAT,
    name: r.name,
    dir: r.dir,
    resources: r.resources,
    kinds: r.kinds,
    diagnostics: [...r.diagnostics],
    key: r.key,
  };
}

/** Options of {@link localCacheReuse}. */
export interface LocalCacheOptions {
  /** Reuse needs the files (render, validate) and stores them. Default true. */
  files?: boolean;
  /** Store newly rendered results. Default true. */
  store?: boolean;
}

/** How many entries are written at once (each holds a rendered cluster's files). */
const MAX_WRITES_IN_FLIGHT = 16;

/** Reuse from (and store into) the local result cache under `cacheDir`. */
export function localCacheReuse(cacheDir: string, opts: LocalCacheOptions = {}): ClusterReuse {
  const withFiles = opts.files !== false;
  const writes = new Set<Promise<void>>();
  // the fan-out folders there are, listed once: in a new cache (a fresh CI runner) a thousand lookups then
  // open no file at all, where each would fail to open one
  let folders: Promise<Set<string>> | undefined;
  const hasFolder = async (digest: string) =>
    (
      await (folders ??= readdir(join(cacheDir, "render")).then(
        (names) => new Set(names),
        () => new Set<string>(),
      ))
    ).has(digest.slice(0, 2));
  return {
    async lookup(cluster, digests) {
      if (!(await hasFolder(digests.digest))) return undefined;
      const meta = await readCacheMeta(cacheDir, digests, cluster.name);
      if (!meta) return undefined;
      const files = withFiles
        ? await readJsonFile<{ path: string; content: string }[]>(entryPath(cacheDir, digests.digest, "files"))
        : undefined;
      if (withFiles && !Array.isArray(files)) return undefined;
      return {
        dir: meta.dir,
        ...(files ? { files } : {}),
        resources: meta.resources,
        kinds: meta.kinds,
        diagnostics: meta.diagnostics,
        from: "cache",
      };
    },
    async store(rendered) {
      if (opts.store === false) return;
      // an entry holds a cluster's files as JSON: a render that outruns the disk would hold thousands of them
      while (writes.size >= MAX_WRITES_IN_FLIGHT) await Promise.race(writes);
      const write: Promise<void> = storeResult(cacheDir, rendered, withFiles)
        .catch(() => undefined) // an unwritable cache is only slower
        .finally(() => writes.delete(write));
      writes.add(write);
    },
    async close() {
      await Promise.all(writes);
    },
  };
}

/** Writes a rendered cluster's meta entry (and its files entry with `withFiles`). */
async function storeResult(cacheDir: string, r: RenderedCluster, withFiles: boolean): Promise<void> {
  const meta = metaOf(r);
  // files first: a meta entry is never without the files it announces
  if (withFiles)
    await writeAtomic(
      entryPath(cacheDir, r.digest, "files"),
      JSON.stringify(r.files.map((f) => ({ path: f.path, content: f.content }))),
    );
  await writeAtomic(entryPath(cacheDir, r.digest, "meta"), JSON.stringify(meta));
}

/** Writes a JSON file of the cache atomically. */
export async function storeJson(path: string, value: unknown): Promise<void> {
  await writeAtomic(path, JSON.stringify(value));
}

async function writeAtomic(path: string, text: string): Promise<void> {
  await writeFileAtomic(path, text, 0o600); // rendered Secrets are in it, as in the output
}
