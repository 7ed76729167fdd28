/**
 * braid's HTTP client for isomorphic-git. Node's `http`, `https` (with `tls`) and isomorphic-git's node client
 * are loaded on the first request: a render of local or cached sources never loads them (a few ms of every
 * start).
 */
import type { Agent as HttpAgent } from "node:http";
import { createRequire } from "node:module";
import type { Duplex } from "node:stream";
import type { GitHttpRequest, GitHttpResponse, HttpClient } from "isomorphic-git";
import { BraidError } from "../diagnostics/diagnostic.js";
import { redactSecrets, redactUrl } from "../diagnostics/redact-url.js";
import { proxiedFetch, proxyForUrl } from "../model/http-proxy.js";

/** Default idle timeout of Git HTTP requests: 30 s without any byte sent or received. */
export const DEFAULT_GIT_TIMEOUT_MS = 30_000;

/** Options of {@link timedHttpClient}. */
export interface TimedHttpOptions {
  /** Idle timeout in ms (connect, then no byte in either direction). Default {@link DEFAULT_GIT_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Values to scrub from error messages (tokens). */
  secrets?: readonly string[];
  /** The run's environment: a request its proxy variables send through a proxy goes there (model/http-proxy.ts). */
  env?: Record<string, string | undefined>;
}

/**
 * An isomorphic-git HTTP client (wrapping `isomorphic-git/http/node`) with a bounded time: the socket
 * times out when connecting, or once connected when no byte moves either way, for `timeoutMs`. A
 * timeout aborts the request and throws a `BraidError` `SOURCE_UNREACHABLE` naming the repository URL
 * (without credentials) and the timeout. Each request gets its own agent, so no socket outlives it.
 * Known limit: a redirect from http to https (or back) is not followed. A request for which the environment names
 * a proxy goes through it with `fetch` (model/http-proxy.ts), under the same idle timeout.
 */
export function timedHttpClient(opts: TimedHttpOptions = {}): HttpClient {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS;
  const secrets = opts.secrets ?? [];
  return {
    async request(req: GitHttpRequest): Promise<GitHttpResponse> {
      if (opts.env && proxyForUrl(req.url, opts.env)) return viaProxy(req, opts.env, timeoutMs, secrets);
      const { nodeHttp, Agent } = await httpModules(req.url);
      const watch = idleWatch(req.url, timeoutMs, secrets, Agent);
      try {
        const res = await watch.race(nodeHttp.request({ ...req, agent: watch.agent }));
        return { ...res, body: res.body ? watchBody(res.body, watch) : res.body };
      } catch (e) {
        throw watch.timedOut() ? watch.error() : e;
      }
    },
  };
}

/**
 * isomorphic-git's node client and the agent class for a URL's scheme, loaded when first needed (Node's
 * modules through `require`: the bundled command runs where `import()` of a built-in is not available).
 */
async function httpModules(url: string) {
  const { default: nodeHttp } = await import("isomorphic-git/http/node");
  const { Agent } = createRequire(import.meta.url)(url.startsWith("https:") ? "node:https" : "node:http") as {
    Agent: typeof HttpAgent;
  };
  return { nodeHttp, Agent };
}

/** The repository URL of a smart-HTTP request URL (drops `/info/refs?...`, `/git-upload-pack`...). */
function repoUrlOf(requestUrl: string): string {
  return requestUrl.replace(/\/(info\/refs(\?.*)?|git-upload-pack|git-receive-pack)$/, "");
}

interface IdleWatch {
  agent: HttpAgent;
  timedOut(): boolean;
  error(): BraidError;
  race<T>(p: Promise<T>): Promise<T>;
}

function idleWatch(url: string, timeoutMs: number, secrets: readonly string[], Agent: typeof HttpAgent): IdleWatch {
  let fired = false;
  let fire: () => void = () => undefined;
  const firedPromise = new Promise<never>((_, reject) => {
    fire = () => reject(new Error("timeout"));
  });
  firedPromise.catch(() => undefined); // observed through race()
  const agent = new Agent({ keepAlive: false });
  const create = agent.createConnection.bind(agent);
  agent.createConnection = (options, callback) => {
    const socket = create(options, callback) as (Duplex & { setTimeout?(ms: number): void }) | undefined;
    socket?.setTimeout?.(timeoutMs);
    socket?.once("timeout", () => {
      fired = true;
      socket.destroy();
      fire();
    });
    return socket;
  };
  const error = (): BraidError => unanswered(url, timeoutMs, secrets);
  return {
    agent,
    timedOut: () => fired,
    error,
    race: async <T>(p: Promise<T>): Promise<T> => {
      if (fired) throw error();
      p.catch(() => undefined); // a loser of the race must not become an unhandled rejection
      return Promise.race([p, firedPromise]);
    },
  };
}

/** SOURCE_UNREACHABLE: no byte moved for the idle timeout. */
function unanswered(url: string, timeoutMs: number, secrets: readonly string[]): BraidError {
  const where = redactSecrets(redactUrl(repoUrlOf(url)), secrets);
  return new BraidError({
    code: "SOURCE_UNREACHABLE",
    message: `${where} did not answer within ${formatMs(timeoutMs)}`,
    hint: "check the URL and the network; the timeout is configurable",
  });
}

/**
 * One request through the environment's proxy, with `fetch`: aborted when no byte moves for `timeoutMs` (the
 * request's body is sent whole; isomorphic-git's are small: ref lists and wants).
 */
async function viaProxy(
  req: GitHttpRequest,
  env: Record<string, string | undefined>,
  timeoutMs: number,
  secrets: readonly string[],
): Promise<GitHttpResponse> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(), timeoutMs);
  };
  const failed = (e: unknown): unknown => (controller.signal.aborted ? unanswered(req.url, timeoutMs, secrets) : e);
  arm();
  try {
    const chunks: Uint8Array[] = [];
    for await (const chunk of req.body ?? []) chunks.push(chunk);
    const res = await proxiedFetch(env)(req.url, {
      method: req.method ?? "GET",
      headers: req.headers ?? {},
      ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
      signal: controller.signal,
    });
    arm();
    const inner = res.body?.[Symbol.asyncIterator]();
    const body: AsyncIterableIterator<Uint8Array> = {
      async next() {
        try {
          const step = inner ? await inner.next() : { done: true as const, value: undefined };
          if (step.done) clearTimeout(timer);
          else arm();
          return step as IteratorResult<Uint8Array>;
        } catch (e) {
          clearTimeout(timer);
          throw failed(e);
        }
      },
      async return(value?: unknown) {
        clearTimeout(timer);
        await inner?.return?.();
        return { done: true, value };
      },
      [Symbol.asyncIterator]() {
        return body;
      },
    };
    return {
      url: res.url || req.url,
      method: req.method ?? "GET",
      statusCode: res.status,
      statusMessage: res.statusText,
      headers: Object.fromEntries(res.headers.entries()),
      body,
    };
  } catch (e) {
    clearTimeout(timer);
    throw failed(e);
  }
}

function watchBody(body: AsyncIterableIterator<Uint8Array>, watch: IdleWatch): AsyncIterableIterator<Uint8Array> {
  const inner = body[Symbol.asyncIterator]();
  const it: AsyncIterableIterator<Uint8Array> = {
    async next() {
      try {
        return await watch.race(inner.next());
      } catch (e) {
        throw watch.timedOut() ? watch.error() : e;
      }
    },
    async return(value?: unknown) {
      watch.agent.destroy();
      return inner.return ? inner.return(value) : { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return it;
    },
  };
  return it;
}

/**
 * Wraps a client so that an upload-pack ref advertisement without `HEAD` (a remote whose `HEAD` points
 * at a branch that does not exist, common for deploy repositories) names a `HEAD` symref to its first
 * ref. isomorphic-git's fetch otherwise fails looking for `HEAD` after it has already updated refs,
 * leaving them pointing at objects it never stored. Only the client-side view changes.
 */
export function withAdvertisedHead(client: HttpClient): HttpClient {
  return {
    async request(req: GitHttpRequest): Promise<GitHttpResponse> {
      const res = await client.request(req);
      if (!req.url.endsWith("/info/refs?service=git-upload-pack") || res.statusCode !== 200 || !res.body) return res;
      const chunks: Uint8Array[] = [];
      for await (const c of res.body) chunks.push(c);
      const patched = addHeadSymref(Buffer.concat(chunks));
      return { ...res, body: oneChunk(patched) };
    },
  };
}

/** Adds `symref=HEAD:<first ref>` to a v1 advertisement that lists no HEAD (exported for tests). */
function addHeadSymref(buf: Buffer): Buffer {
  let pos = 0;
  while (pos + 4 <= buf.length) {
    const len = Number.parseInt(buf.subarray(pos, pos + 4).toString("latin1"), 16);
    if (!Number.isFinite(len)) return buf;
    if (len === 0) {
      pos += 4;
      continue;
    }
    if (len < 4 || pos + len > buf.length) return buf;
    const line = buf.subarray(pos + 4, pos + len).toString("latin1");
    if (line.startsWith("# service=")) {
      pos += len;
      continue;
    }
    const nul = line.indexOf("\0");
    if (nul < 0) return buf;
    const ref = line.slice(41, nul);
    const caps = line.slice(nul + 1).replace(/\n$/, "");
    if (ref === "HEAD" || ref === "capabilities^{}" || caps.split(" ").some((c) => c.startsWith("symref=HEAD:")))
      return buf;
    const payload = `${line.slice(0, nul)}\0${caps} symref=HEAD:${ref}\n`;
    const head = Buffer.from(`${(payload.length + 4).toString(16).padStart(4, "0")}${payload}`, "latin1");
    return Buffer.concat([buf.subarray(0, pos), head, buf.subarray(pos + len)]);
  }
  return buf;
}

function oneChunk(data: Uint8Array): AsyncIterableIterator<Uint8Array> {
  let done = false;
  const it: AsyncIterableIterator<Uint8Array> = {
    async next() {
      if (done) return { done: true, value: undefined };
      done = true;
      return { done: false, value: data };
    },
    [Symbol.asyncIterator]() {
      return it;
    },
  };
  return it;
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
