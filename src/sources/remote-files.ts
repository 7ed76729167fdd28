/**
 * Remote files of kustomizations (`resources: [https://…/x.yaml]`), as kustomize loads them — one HTTP GET of
 * the URL (fileloader.go `httpClientGetContent`: redirects followed, any 2xx status is the file) — but pinned:
 * what a URL gave is kept by the sha256 of its bytes, in braid.lock and under `$BRAID_CACHE/remote/`, so a
 * build never reads the network and the same lock renders the same bytes. A URL is fetched when a pin is
 * resolved (braid lock, --update, a pin not in braid.lock), and again only to fill an empty cache, when its
 * bytes must still have the pinned digest.
 *
 * Unlike kustomize's client (no timeout, no size limit), a fetch ends after the run's timeout and at 64 MiB.
 */
import { createHash } from "node:crypto";
import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { BraidError } from "../diagnostics/diagnostic.js";
import { redactUrl } from "../diagnostics/redact-url.js";
import { classifyRemote } from "../diagnostics/remote-url.js";
import { writeFileAtomic } from "../git/mkdirp.js";
import { MAX_YAML_BYTES } from "../model/yaml-file.js";
import { proxiedFetch } from "../model/http-proxy.js";
import {
  isMetadataAddress,
  MetadataAddressError,
  metadataHostProblem,
  metadataRefusal,
  refusingLookup,
} from "../model/metadata-address.js";

/**
 * A remote entry of a pin's kustomizations: a file pinned by the digest of its bytes, or a remote base (a
 * Git repository URL) pinned by the commit its ref resolved to.
 */
export type RemotePin = { url: string; sha256: string } | { url: string; commit: string };

/** What the pin stage made of one URL: its digest, why it could not be fetched, or that it is no file. */
export type RemoteOutcome =
  | { sha256: string }
  | { problem: RemoteProblem }
  /** 2xx with an HTML page, or a non-2xx status, at a URL shaped like a Git repository: a remote base. */
  | { gitBase: string };

/** Why a remote URL gave no file. */
interface RemoteProblem {
  code: "REMOTE_HTTP" | "REMOTE_FETCH" | "FILE_TOO_LARGE" | "KUSTOMIZE_UNSUPPORTED";
  message: string;
  hint: string;
}

/** The largest remote file read: as for YAML files in a repository. */
const MAX_BYTES = MAX_YAML_BYTES;
const DEFAULT_TIMEOUT_MS = 60_000;

/** Whether kustomize loads this entry over HTTP (fileloader.go `IsRemoteFile`: the http and https schemes). */
export function isRemoteFile(entry: string): boolean {
  return /^https?:\/\//i.test(entry);
}

/**
 * Whether kustomize would try an http(s) URL as a Git repository once the GET failed (repospec.go
 * `NewRepoSpecFromURL` succeeds): a `_git/`, `//` or `.git` marker, or at least two path segments.
 */
export function looksLikeGitRepo(url: string): boolean {
  const rest = url.replace(/^https?:\/\//i, "").split("?")[0]!;
  const slash = rest.indexOf("/");
  if (slash < 0) return false;
  const path = rest.slice(slash + 1);
  if (path.includes("_git/") || path.includes("//") || path.includes(".git")) return true;
  return path.split("/").filter((s) => s !== "").length >= 2;
}

/**
 * Whether an http(s) URL names a folder of a Git repository by a marker kustomize's repospec.go splits at
 * (`//` or `_git/` in its path): a remote base, never fetched as a file (kustomize's GET of it gets a web page).
 */
export function isGitBaseUrl(url: string): boolean {
  const path = url.replace(/^https?:\/\/[^/]*/i, "").split("?")[0]!;
  return path.includes("//") || path.includes("_git/");
}

/** The remote files of one run: fetched once per URL, kept by digest in memory and in the cache folder. */
export class RemoteFiles {
  private readonly fetched = new Map<string, Promise<RemoteOutcome>>();
  private readonly bytes = new Map<string, Uint8Array>();
  private readonly settled = new Map<string, RemoteOutcome>();

  constructor(
    private readonly cacheDir: string | undefined,
    private readonly timeoutMs: number = DEFAULT_TIMEOUT_MS,
    /** The run's environment: its proxy variables (model/http-proxy.ts). */
    private readonly env: Record<string, string | undefined> = process.env,
  ) {}

  /** Fetches a URL now (once per run) and keeps its bytes; the outcome says what it gave. */
  pin(url: string): Promise<RemoteOutcome> {
    let p = this.fetched.get(url);
    if (!p) {
      p = this.fetchOutcome(url).then((o) => (this.settled.set(url, o), o));
      this.fetched.set(url, p);
    }
    return p;
  }

  /** What this run's fetch of a URL gave, once it ended (undefined: not fetched in this run). */
  known(url: string): RemoteOutcome | undefined {
    return this.settled.get(url);
  }

  /**
   * The bytes pinned under `sha256`: from this run, the cache, or fetched again (they must have that digest:
   * a URL that now gives other bytes is an error, not a silent change; `source` lists the URL).
   */
  async content(url: string, sha256: string, source: string): Promise<Uint8Array> {
    const held = this.bytes.get(sha256) ?? (await this.readCached(sha256));
    if (held) return held;
    const outcome = await this.pin(url);
    if ("problem" in outcome) throw new BraidError(outcome.problem);
    if ("gitBase" in outcome || outcome.sha256 !== sha256)
      throw new BraidError({
        code: "REMOTE_CHANGED",
        message: `${redactUrl(url)} no longer gives the file braid.lock pinned (sha256 ${sha256.slice(0, 12)}; now ${"sha256" in outcome ? outcome.sha256.slice(0, 12) : "not a file"})`,
        hint: `review the change, then pin what the URL gives now with braid lock --update ${source} (or point at a versioned URL)`,
      });
    return this.bytes.get(sha256)!;
  }

  private async readCached(sha256: string): Promise<Uint8Array | undefined> {
    if (!this.cacheDir || !/^[0-9a-f]{64}$/.test(sha256)) return undefined;
    const data = await readFile(this.cachePath(sha256)).catch(() => undefined);
    // (a damaged cache entry is fetched again)
    if (!data || createHash("sha256").update(data).digest("hex") !== sha256) return undefined;
    this.bytes.set(sha256, data);
    return data;
  }

  private cachePath(sha256: string): string {
    return join(this.cacheDir!, "remote", sha256);
  }

  private async fetchOutcome(url: string): Promise<RemoteOutcome> {
    const credentials = withCredentials(url);
    if (credentials) return { problem: credentials };
    const got = await httpGet(url, this.timeoutMs, this.env);
    if ("problem" in got) return got;
    const { status, statusText, body, html } = got;
    const failed = status < 200 || status > 299;
    if (failed || html) {
      const what = failed ? `HTTP status ${status} (${statusText})` : "an HTML page, not YAML";
      // (a YAML file's URL that answers an error status is a missing file, though kustomize would then try a clone)
      const file = /\.(ya?ml|json)$/i.test(url.split("?")[0]!);
      if (looksLikeGitRepo(url) && !(failed && file)) return { gitBase: what };
      return {
        problem: {
          code: "REMOTE_HTTP",
          message: `${redactUrl(url)}: ${what}`,
          hint: "check the URL: kustomize reads a remote resource with one GET, and it must answer 2xx with YAML",
        },
      };
    }
    const sha256 = createHash("sha256").update(body).digest("hex");
    this.bytes.set(sha256, body);
    if (this.cacheDir) await writeFileAtomic(this.cachePath(sha256), body).catch(() => undefined);
    return { sha256 };
  }
}

/** The statuses Go's client follows. */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Host names are resolved refusing cloud metadata addresses (model/metadata-address.ts). */
const GUARDED_LOOKUP = refusingLookup();

/** One GET: its status and bytes (at most {@link MAX_BYTES}), or why there is none. */
async function httpGet(
  url: string,
  timeoutMs: number,
  env: Record<string, string | undefined>,
): Promise<
  { status: number; statusText: string; body: Uint8Array; html: boolean } | Extract<RemoteOutcome, { problem: unknown }>
> {
  const fail = (message: string): Extract<RemoteOutcome, { problem: unknown }> => ({
    problem: {
      code: "REMOTE_FETCH",
      message: `${redactUrl(url)}: ${message}`,
      hint: "check the URL and the network; the timeout is configurable (BRAID_GIT_TIMEOUT_MS)",
    },
  });
  const refuse = (why: string): Extract<RemoteOutcome, { problem: unknown }> => ({
    problem: {
      code: "KUSTOMIZE_UNSUPPORTED",
      message: `${redactUrl(url)}: ${why}`,
      hint: "a kustomization reads files from web servers and Git hosts; vendor what you need into a source repository",
    },
  });
  // redirects followed one by one (as Go's client: ten requests at most), each host checked before it is connected to
  const signal = AbortSignal.timeout(timeoutMs);
  const get = proxiedFetch(env, { lookup: GUARDED_LOOKUP });
  let res: Response;
  for (let current = url, hops = 0; ; hops++) {
    const refused = metadataHostProblem(new URL(current).hostname);
    if (refused) return refuse(current === url ? refused : `redirected to ${redactUrl(current)}: ${refused}`);
    try {
      res = await get(current, { redirect: "manual", signal });
    } catch (e) {
      const metadata = metadataRefusal(e);
      if (metadata)
        return refuse(current === url ? metadata.message : `redirected to ${redactUrl(current)}: ${metadata.message}`);
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      if ((e as Error).name === "TimeoutError") return fail(`no answer within ${timeoutMs / 1000} s`);
      return fail(cause?.message ?? cause?.code ?? (e as Error).message); // (e.g. "getaddrinfo ENOTFOUND host")
    }
    const location = REDIRECTS.has(res.status) ? res.headers.get("location") : null;
    if (location === null) break;
    await res.body?.cancel().catch(() => undefined);
    if (hops === 9) return fail("stopped after 10 redirects"); // (Go: ten requests at most)
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      return fail(`failed to parse the redirect's Location "${location}"`);
    }
    if (next.protocol !== "http:" && next.protocol !== "https:")
      return fail(`redirected to ${redactUrl(next.href)}: unsupported protocol scheme "${next.protocol.slice(0, -1)}"`);
    current = next.href;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body ?? []) {
      size += (chunk as Uint8Array).length;
      if (size > MAX_BYTES) {
        await res.body?.cancel().catch(() => undefined);
        return {
          problem: {
            code: "FILE_TOO_LARGE",
            message: `${redactUrl(url)} is larger than ${MAX_BYTES / 2 ** 20} MiB: braid reads YAML files of up to that size`,
            hint: "split the file, or vendor what you need into a source repository",
          },
        };
      }
      chunks.push(chunk as Uint8Array);
    }
  } catch (e) {
    if ((e as Error).name === "TimeoutError") return fail(`no answer within ${timeoutMs / 1000} s`);
    return fail((e as Error).message);
  }
  const body = Buffer.concat(chunks);
  // (an HTML page, such as a repository's web page, is not a YAML file: kustomize then tries a Git clone)
  const html = /^\s*</.test(body.subarray(0, 512).toString("latin1"));
  return { status: res.status, statusText: res.statusText, body, html };
}

/**
 * A remote base's clone URL whose host is a cloud metadata address (model/metadata-address.ts), written as one or
 * resolving to one (git connects by itself: its name is resolved here first; a name that does not resolve here is
 * left to git). `written`: the entry as the kustomization writes it.
 */
export async function metadataBaseProblem(cloneSpec: string, written: string): Promise<RemoteProblem | undefined> {
  const spec = classifyRemote(cloneSpec);
  let host: string | undefined;
  if (spec.kind === "http") host = spec.url.hostname;
  else if (spec.kind === "ssh") {
    const authority = /^[a-z+]+:\/\//i.test(cloneSpec) ? (cloneSpec.split("://")[1] ?? "").split("/")[0]! : cloneSpec;
    const afterUser = authority.slice(authority.lastIndexOf("@") + 1);
    host = /^\[([^\]]+)\]/.exec(afterUser)?.[1] ?? afterUser.split(":")[0];
  }
  if (!host) return undefined;
  let why = metadataHostProblem(host);
  if (!why && isIP(host) === 0) {
    // (at most 2 s: where only a proxy resolves names, git needs no answer here)
    const addresses = await Promise.race([
      dnsLookup(host, { all: true }).catch(() => []),
      new Promise<[]>((resolve) => setTimeout(() => resolve([]), 2000).unref()),
    ]);
    const refused = addresses.find((a) => isMetadataAddress(a.address));
    if (refused) why = new MetadataAddressError(host, refused.address).message;
  }
  if (!why) return undefined;
  return {
    code: "KUSTOMIZE_UNSUPPORTED",
    message: `remote base "${redactUrl(written)}": ${why}`,
    hint: "a kustomization reads files from web servers and Git hosts; vendor what you need into a source repository",
  };
}

/**
 * A remote URL that carries credentials in its user info (`https://user:token@host/…`) is refused, never fetched
 * (`written`: the entry as the kustomization writes it, shown without them):
 * braid takes no credentials from config (kustomize would send them as Basic auth, and braid.lock, the reports
 * and the origin annotations would hold them). Its messages show it without them.
 */
export function withCredentials(url: string, written = url): RemoteProblem | undefined {
  const spec = classifyRemote(url);
  if (!(spec.kind === "http" && spec.hasCredentials) && !(spec.kind === "ssh" && spec.hasPassword)) return undefined;
  return {
    code: "KUSTOMIZE_UNSUPPORTED",
    message: `remote "${redactUrl(written)}" carries credentials in its user info: braid takes no credentials from config`,
    hint: "drop them from the URL: give a Git repository's credentials to git (a credential helper, BRAID_GIT_TOKEN_<HOST>), or vendor the file into a source repository",
  };
}
