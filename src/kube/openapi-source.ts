/**
 * Finds and reads the Kubernetes OpenAPI document for one version: a file, a folder of `v<version>.json`, or a
 * URL template with `{version}`. Returns the raw bytes and a credential-free description of where they came from.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import { redactUrl } from "../diagnostics/redact-url.js";
import { BraidError } from "../diagnostics/diagnostic.js";
import { proxiedFetch } from "../model/http-proxy.js";

/** The upstream release document (downloaded once into the cache when nothing else is configured). */
export const DEFAULT_OPENAPI_URL =
  "https://raw.githubusercontent.com/kubernetes/kubernetes/v{version}.0/api/openapi-spec/swagger.json";

/** How to provide a document: the hint of every `OPENAPI_UNAVAILABLE` error. */
const OPENAPI_HINT =
  "provide the Kubernetes OpenAPI (swagger 2.0) document in one of three ways: set BRAID_KUBERNETES_OPENAPI, or " +
  "validation.kubernetesOpenAPI in braid.yaml, to a file (e.g. `kubectl get --raw /openapi/v2 > api.json`), a folder " +
  "of v<version>.json files, or a URL template with {version}; or let braid download the upstream release's " +
  "api/openapi-spec/swagger.json (needs network access once; it is then cached)";

/** Raw bytes of a document and where they were read from. */
export interface OpenApiBytes {
  bytes: Buffer;
  /** File path or URL (credentials removed). */
  origin: string;
}

/** Where a configured value points. */
export type OpenApiLocation = { type: "url"; url: string } | { type: "path"; path: string };

/** Substitutes `{version}` and decides between URL and path (relative paths resolve against `baseDir`). */
export function locateOpenApi(value: string, version: string, baseDir: string): OpenApiLocation {
  const v = value.replaceAll("{version}", version);
  if (/^https?:\/\//i.test(v)) return { type: "url", url: v };
  const p = v.startsWith("file://") ? new URL(v).pathname : v;
  return { type: "path", path: isAbsolute(p) ? p : resolve(baseDir, p) };
}

/** fetch refuses URLs with user:password; they become a Basic Authorization header instead. */
function withBasicAuth(url: string): { href: string; headers: Record<string, string> } {
  const u = new URL(url);
  if (!u.username && !u.password) return { href: url, headers: {} };
  const token = Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString("base64");
  u.username = "";
  u.password = "";
  return { href: u.toString(), headers: { authorization: `Basic ${token}` } };
}

/** Reads a document from a file or a folder of `v<version>.json` files. */
export async function readOpenApiPath(path: string, version: string, setting: string): Promise<OpenApiBytes> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw unavailable(`${setting} points to ${path}, which does not exist`);
  }
  if (!info.isDirectory()) return { bytes: await readOrThrow(path, setting), origin: path };
  const names = await readdir(path);
  for (const candidate of fileNamesFor(version)) {
    if (names.includes(candidate)) {
      const file = join(path, candidate);
      return { bytes: await readOrThrow(file, setting), origin: file };
    }
  }
  const known = versionsIn(names);
  throw new BraidError({
    code: "OPENAPI_UNKNOWN_VERSION",
    message:
      `no OpenAPI document for Kubernetes ${version} in ${path}; ` +
      (known.length ? `it holds ${known.join(", ")}` : "it holds no v<version>.json files"),
    location: { file: path },
    hint: `set kubernetesVersion to one of the versions the folder holds, or add v${version}.json to it`,
  });
}

/** Downloads a document with a bounded time. A 404 means the version does not exist there. */
export async function readOpenApiUrl(
  url: string,
  version: string,
  timeoutMs: number,
  setting: string,
  env: Record<string, string | undefined> = process.env,
): Promise<OpenApiBytes> {
  const origin = redactUrl(url);
  let res: Response;
  try {
    const { href, headers } = withBasicAuth(url);
    res = await proxiedFetch(env)(href, { signal: AbortSignal.timeout(timeoutMs), redirect: "follow", headers });
  } catch (e) {
    const why = e instanceof Error && e.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : errText(e);
    throw unavailable(`cannot download the Kubernetes OpenAPI document from ${origin} (${setting}): ${why}`);
  }
  if (res.status === 404) {
    throw new BraidError({
      code: "OPENAPI_UNKNOWN_VERSION",
      message: `no OpenAPI document for Kubernetes ${version} at ${origin} (HTTP 404)`,
      location: { file: origin },
      hint: 'check kubernetesVersion (e.g. "1.34"), or point BRAID_KUBERNETES_OPENAPI at a document you have',
    });
  }
  if (!res.ok) {
    throw unavailable(
      `cannot download the Kubernetes OpenAPI document from ${origin} (${setting}): HTTP ${res.status}`,
    );
  }
  try {
    return { bytes: Buffer.from(await res.arrayBuffer()), origin };
  } catch (e) {
    throw unavailable(`the download of ${origin} broke off: ${errText(e)}`);
  }
}

/** File names tried in a folder: v1.34.json, then v1.34.0.json (or the short form for "1.34.0"). */
function fileNamesFor(version: string): string[] {
  const v = version.replace(/^v/, "");
  const names = [`v${v}.json`];
  if (/^\d+\.\d+$/.test(v)) names.push(`v${v}.0.json`);
  const short = /^(\d+\.\d+)\.0$/.exec(v);
  if (short) names.push(`v${short[1]}.json`);
  return names;
}

/** The versions a folder holds, sorted numerically. */
function versionsIn(names: readonly string[]): string[] {
  const out: string[] = [];
  for (const n of names) {
    const m = /^v(\d+\.\d+(?:\.\d+)?)\.json$/.exec(n);
    if (m) out.push(m[1]!);
  }
  return out.sort((a, b) => {
    const pa = a.split(".").map(Number);
    const pb = b.split(".").map(Number);
    for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
    return 0;
  });
}

/** An `OPENAPI_UNAVAILABLE` error (exit 3) with the three ways to provide a document. */
function unavailable(message: string): BraidError {
  return new BraidError({ code: "OPENAPI_UNAVAILABLE", message, hint: OPENAPI_HINT });
}

async function readOrThrow(file: string, setting: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (e) {
    throw unavailable(`cannot read ${file} (${setting}): ${errText(e)}`);
  }
}

function errText(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause;
    return cause instanceof Error ? `${e.message}: ${cause.message}` : e.message;
  }
  return String(e);
}
