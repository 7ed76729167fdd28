/**
 * The on-disk cache of compact OpenAPI documents (`<cacheDir>/openapi/<sha256>.json`) and of downloaded
 * upstream documents. Writes are atomic (temp file + rename); an unreadable or stale entry is ignored.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { KubeOpenApi } from "../model/kube-openapi.js";
import { writeFileAtomic } from "../git/mkdirp.js";

/** Bumped whenever the compact form changes, so old cache entries are rebuilt. */
const COMPACT_FORMAT = 1;

/** sha256 (hex) of a document's bytes. */
export function digestOf(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Path of the compact cache entry of a digest. */
export function compactCachePath(cacheDir: string, digest: string): string {
  return join(cacheDir, "openapi", `${digest}.json`);
}

/** Path of a cached download of a URL. */
function downloadCachePath(cacheDir: string, url: string): string {
  return join(cacheDir, "openapi", "download", `${digestOf(Buffer.from(url))}.json`);
}

/** Reads a compact entry; undefined when absent, corrupt, of another format, or of another digest. */
export async function readCompactCache(cacheDir: string, digest: string): Promise<KubeOpenApi | undefined> {
  let text: string;
  try {
    text = await readFile(compactCachePath(cacheDir, digest), "utf8");
  } catch {
    return undefined;
  }
  try {
    const v = JSON.parse(text) as Partial<KubeOpenApi> & { braidCompactFormat?: number };
    if (v.braidCompactFormat !== COMPACT_FORMAT || v.digest !== digest) return undefined;
    if (typeof v.definitions !== "object" || typeof v.kinds !== "object") return undefined;
    delete v.braidCompactFormat;
    return v as KubeOpenApi;
  } catch {
    return undefined;
  }
}

/** Writes a compact entry. Failing to write the cache never fails the run. */
export async function writeCompactCache(cacheDir: string, openapi: KubeOpenApi): Promise<void> {
  await writeAtomic(
    compactCachePath(cacheDir, openapi.digest),
    JSON.stringify({ braidCompactFormat: COMPACT_FORMAT, ...openapi }),
  );
}

/** Reads a cached download, if any. */
export async function readDownloadCache(cacheDir: string, url: string): Promise<Buffer | undefined> {
  try {
    return await readFile(downloadCachePath(cacheDir, url));
  } catch {
    return undefined;
  }
}

/** Stores a download. */
export async function writeDownloadCache(cacheDir: string, url: string, bytes: Uint8Array): Promise<void> {
  await writeAtomic(downloadCachePath(cacheDir, url), bytes);
}

/** Writes a cache file atomically; a cache that cannot be written is only slower. */
async function writeAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await writeFileAtomic(file, data).catch(() => undefined);
}
