/**
 * Loads the Kubernetes OpenAPI of a `kubernetesVersion` at run time (SPEC: Rendering): from the explicit
 * environment value, else `validation.kubernetesOpenAPI`, else the upstream release downloaded once into the
 * cache. The first setting given is authoritative: if it cannot be read, that is the error (no silent fallback).
 */
import { BraidError } from "../diagnostics/diagnostic.js";
import type { KubeOpenApi } from "../model/kube-openapi.js";
import {
  digestOf,
  readCompactCache,
  readDownloadCache,
  writeCompactCache,
  writeDownloadCache,
} from "./openapi-cache.js";
import { compactOpenApi } from "./openapi-compact.js";
import {
  DEFAULT_OPENAPI_URL,
  locateOpenApi,
  readOpenApiPath,
  readOpenApiUrl,
  type OpenApiBytes,
} from "./openapi-source.js";

/** Inputs of `loadKubeOpenApi`; the CLI passes the environment and directories in. */
export interface OpenApiLoadOptions {
  /** e.g. "1.34". */
  kubernetesVersion: string;
  /** The value of BRAID_KUBERNETES_OPENAPI (relative paths resolve against `cwd`). */
  envValue?: string;
  /** `validation.kubernetesOpenAPI` (relative paths resolve against `fleetDir`). */
  configValue?: string;
  /** The folder holding braid.yaml. */
  fleetDir: string;
  /** Working directory for relative env paths (default: fleetDir). */
  cwd?: string;
  /** braid's cache folder (BRAID_CACHE or the user cache dir). */
  cacheDir: string;
  /** Download time limit in ms (default 60 s). */
  timeoutMs?: number;
  /** Replaces the upstream URL template (tests). */
  defaultUrlTemplate?: string;
  /** The run's environment, for a download's proxy (model/http-proxy.ts); default process.env. */
  env?: Record<string, string | undefined>;
}

/** The compact document and how it was obtained. */
export interface LoadedOpenApi {
  openapi: KubeOpenApi;
  /** True when the compact form came from the cache (no conversion ran). */
  fromCache: boolean;
}

/** Loads (and caches) the compact Kubernetes OpenAPI; throws `BraidError` with an OPENAPI_* code. */
export async function loadKubeOpenApi(opts: OpenApiLoadOptions, read?: Promise<ReadOpenApi>): Promise<KubeOpenApi> {
  return (await loadKubeOpenApiWithInfo(opts, read)).openapi;
}

/** The document `loadKubeOpenApi` reads for these options, and its content digest. */
export interface ReadOpenApi {
  raw: OpenApiBytes;
  digest: string;
}

/** Reads the document for these options (a render reads it once for its digests and its schemas). */
export async function readKubeOpenApi(opts: OpenApiLoadOptions): Promise<ReadOpenApi> {
  checkVersion(opts.kubernetesVersion);
  const raw = await readDocument(opts);
  return { raw, digest: digestOf(raw.bytes) };
}

/** As `loadKubeOpenApi`, also telling whether the cache was used; `read` is the document when already read. */
export async function loadKubeOpenApiWithInfo(
  opts: OpenApiLoadOptions,
  read?: Promise<ReadOpenApi>,
): Promise<LoadedOpenApi> {
  const version = opts.kubernetesVersion;
  const { raw, digest } = await (read ?? readKubeOpenApi(opts));
  const cached = await readCompactCache(opts.cacheDir, digest);
  if (cached) return { openapi: { ...cached, kubernetesVersion: version, origin: raw.origin }, fromCache: true };
  const doc = parseJson(raw);
  const openapi = compactOpenApi(doc, { kubernetesVersion: version, digest, origin: raw.origin });
  await writeCompactCache(opts.cacheDir, openapi);
  return { openapi, fromCache: false };
}

/**
 * The content digest of the document `loadKubeOpenApi` reads for these options, without converting it (the
 * incremental render keys clusters by it).
 */
export async function kubeOpenApiDigest(opts: OpenApiLoadOptions): Promise<string> {
  return (await readKubeOpenApi(opts)).digest;
}

function checkVersion(version: string): void {
  if (!/^v?\d+\.\d+(\.\d+)?$/.test(version))
    throw new BraidError({
      code: "OPENAPI_UNKNOWN_VERSION",
      message: `kubernetesVersion "${version}" is not a Kubernetes version`,
      hint: 'write it as major.minor, e.g. "1.34"',
    });
}

async function readDocument(opts: OpenApiLoadOptions): Promise<OpenApiBytes> {
  const version = opts.kubernetesVersion.replace(/^v/, "");
  const timeout = opts.timeoutMs ?? 60_000;
  const settings: { value: string | undefined; name: string; base: string }[] = [
    { value: opts.envValue, name: "BRAID_KUBERNETES_OPENAPI", base: opts.cwd ?? opts.fleetDir },
    { value: opts.configValue, name: "validation.kubernetesOpenAPI", base: opts.fleetDir },
  ];
  for (const s of settings) {
    if (!s.value?.trim()) continue;
    const loc = locateOpenApi(s.value.trim(), version, s.base);
    return loc.type === "url"
      ? readOpenApiUrl(loc.url, version, timeout, s.name, opts.env)
      : readOpenApiPath(loc.path, version, s.name);
  }
  // the upstream release: downloaded once, then read from the cache
  const url = (opts.defaultUrlTemplate ?? DEFAULT_OPENAPI_URL).replaceAll("{version}", version);
  const hit = await readDownloadCache(opts.cacheDir, url);
  if (hit) return { bytes: hit, origin: url };
  const got = await readOpenApiUrl(url, version, timeout, "the upstream release", opts.env);
  parseJson(got); // never cache a truncated download
  await writeDownloadCache(opts.cacheDir, url, got.bytes);
  return got;
}

function parseJson(raw: OpenApiBytes): unknown {
  try {
    return JSON.parse(raw.bytes.toString("utf8"));
  } catch (e) {
    throw new BraidError({
      code: "OPENAPI_INVALID",
      message: `the Kubernetes OpenAPI document ${raw.origin} is not valid JSON (truncated?): ${e instanceof Error ? e.message : String(e)}`,
      location: { file: raw.origin },
      hint: "download it again, or point BRAID_KUBERNETES_OPENAPI at a complete swagger 2.0 document",
    });
  }
}
