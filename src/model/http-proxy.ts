/**
 * braid's own HTTP requests (remote files of kustomizations, the Kubernetes OpenAPI download, the GitHub API)
 * go through the proxy the environment names, chosen as Go's `net/http.ProxyFromEnvironment` chooses
 * (golang.org/x/net/http/httpproxy), which is what kustomize, Flux and kubectl do with the same variables:
 * - `HTTPS_PROXY` for https URLs, `HTTP_PROXY` for http URLs (the upper-case name first, then the lower-case
 *   one; an empty value is unset). No other fallback: an https URL never uses `HTTP_PROXY`.
 * - A value without a scheme is `http://` + value; `https://` and `socks5://` proxies work too.
 * - Never for `localhost` or a loopback address; never for a host `NO_PROXY` names: `*`, IP addresses and
 *   CIDR ranges, `domain` (itself and its subdomains), `.domain` or `*.domain` (subdomains only), each with an
 *   optional `:port`.
 * - With `REQUEST_METHOD` set (a CGI process), `HTTP_PROXY` is refused for http URLs (golang.org/s/cgihttpproxy).
 * Git's own requests are git's: the system `git` reads the same variables (and `http.proxy`) itself.
 *
 * The proxy client (undici's ProxyAgent, one per proxy for the process) is loaded only when a request uses a
 * proxy: a run without one never loads it.
 */
import { createRequire } from "node:module";
import { isIPv4, isIPv6 } from "node:net";
import type { Agent as UndiciAgent, ProxyAgent as UndiciProxyAgent, fetch as undiciFetch } from "undici";

type Env = Record<string, string | undefined>;

/** The proxy for a request URL, as Go chooses it from these variables; undefined: connect directly. */
export function proxyForUrl(url: string | URL, env: Env = process.env): URL | undefined {
  const target = typeof url === "string" ? new URL(url) : url;
  let proxy: URL | undefined;
  if (target.protocol === "https:") proxy = parseProxy(envAny(env, "HTTPS_PROXY", "https_proxy"));
  else if (target.protocol === "http:") {
    proxy = parseProxy(envAny(env, "HTTP_PROXY", "http_proxy"));
    if (proxy && env.REQUEST_METHOD)
      throw new Error("refusing to use HTTP_PROXY value in CGI environment; see golang.org/s/cgihttpproxy");
  }
  if (!proxy) return undefined;
  return useProxy(target, envAny(env, "NO_PROXY", "no_proxy")) ? proxy : undefined;
}

function envAny(env: Env, ...names: string[]): string {
  for (const n of names) if (env[n]) return env[n];
  return "";
}

/**
 * Go's parseProxy: a value with a scheme as given (an unknown scheme fails when used), else `http://` + the
 * value; an unparsable value is no proxy, as Go ignores it.
 */
function parseProxy(value: string): URL | undefined {
  if (!value) return undefined;
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    return undefined;
  }
}

const DEFAULT_PORTS: Record<string, string> = { "http:": "80", "https:": "443" };

/** Go's useProxy: false for localhost, loopback addresses and what NO_PROXY names. */
function useProxy(target: URL, noProxy: string): boolean {
  const host = target.hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  const port = target.port || DEFAULT_PORTS[target.protocol] || "";
  if (host === "localhost") return false;
  const ip = ipBytes(host);
  if (ip && (ip[12] === 127 ? isV4Mapped(ip) : equalBytes(ip, LOOPBACK_V6))) return false;
  for (const raw of noProxy.split(",")) {
    const p = raw.trim().toLowerCase();
    if (!p) continue;
    if (p === "*") return false;
    const cidr = parseCidr(p);
    if (cidr) {
      if (ip && inCidr(ip, cidr)) return false;
      continue;
    }
    const split = splitHostPort(p);
    let phost = split ? split.host : p;
    const pport = split ? split.port : "";
    if (split && !phost) continue; // no host part: malformed, ignored
    const pip = ipBytes(phost);
    if (pip) {
      if (ip && equalBytes(ip, pip) && (pport === "" || pport === port)) return false;
      continue;
    }
    if (!phost) continue;
    if (phost.startsWith("*.")) phost = phost.slice(1);
    const matchHost = !phost.startsWith(".");
    if (matchHost) phost = `.${phost}`;
    phost = asciiHost(phost);
    if ((host.endsWith(phost) || (matchHost && host === phost.slice(1))) && (pport === "" || pport === port))
      return false;
  }
  return true;
}

/** A domain in its ASCII (punycode) form, as the URL parser gives a request's host. */
function asciiHost(domain: string): string {
  if (/^[\x00-\x7f]*$/.test(domain)) return domain; // eslint-disable-line no-control-regex
  try {
    return `.${new URL(`http://${domain.slice(1)}`).hostname}`;
  } catch {
    return domain;
  }
}

/** Go's net.SplitHostPort, for NO_PROXY entries: `host:port` or `[v6]:port`; undefined without a port. */
function splitHostPort(s: string): { host: string; port: string } | undefined {
  if (s.startsWith("[")) {
    const end = s.indexOf("]");
    if (end < 0 || s[end + 1] !== ":") return undefined;
    return { host: s.slice(1, end), port: s.slice(end + 2) };
  }
  const colon = s.lastIndexOf(":");
  if (colon < 0 || s.indexOf(":") !== colon) return undefined; // none, or "too many colons" (a bare IPv6)
  return { host: s.slice(0, colon), port: s.slice(colon + 1) };
}

const LOOPBACK_V6 = [...new Array<number>(15).fill(0), 1];
const V4_MAPPED = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

const isV4Mapped = (ip: readonly number[]): boolean => V4_MAPPED.every((b, i) => ip[i] === b);
const equalBytes = (a: readonly number[], b: readonly number[]): boolean => a.every((x, i) => x === b[i]);

/** An IP address as 16 bytes (IPv4 as IPv4-mapped IPv6, as Go's net.IP holds it); undefined for a name. */
function ipBytes(s: string): number[] | undefined {
  if (isIPv4(s)) return [...V4_MAPPED, ...s.split(".").map(Number)];
  if (!isIPv6(s)) return undefined;
  let text = s;
  const tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    tail.push(...v4[1]!.split(".").map(Number));
    text = text.slice(0, -v4[1]!.length) + "0:0";
  }
  const [head, rest] = text.includes("::") ? text.split("::") : [text, undefined];
  const groups = (part: string | undefined) => (part ? part.split(":").map((g) => parseInt(g, 16)) : []);
  const front = groups(head);
  const back = groups(rest);
  const all =
    rest === undefined ? front : [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
  const bytes = all.flatMap((g) => [g >> 8, g & 0xff]);
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** Go's net.ParseCIDR: an address and a prefix length (IPv4 ranges widened to their IPv4-mapped form). */
function parseCidr(s: string): { ip: number[]; bits: number } | undefined {
  const slash = s.indexOf("/");
  if (slash < 0) return undefined;
  const addr = s.slice(0, slash);
  const len = s.slice(slash + 1);
  const ip = ipBytes(addr);
  if (!ip || !/^\d{1,3}$/.test(len)) return undefined;
  const v4 = isIPv4(addr);
  const bits = Number(len) + (v4 ? 96 : 0);
  if (bits > 128 || (v4 && Number(len) > 32)) return undefined;
  return { ip, bits };
}

function inCidr(ip: readonly number[], cidr: { ip: number[]; bits: number }): boolean {
  for (let i = 0; i < 16; i++) {
    const left = cidr.bits - i * 8;
    if (left <= 0) return true;
    const mask = left >= 8 ? 0xff : (0xff << (8 - left)) & 0xff;
    if ((ip[i]! & mask) !== (cidr.ip[i]! & mask)) return false;
  }
  return true;
}

interface Undici {
  Agent: typeof UndiciAgent;
  ProxyAgent: typeof UndiciProxyAgent;
  fetch: typeof undiciFetch;
}

let undici: Undici | undefined;
const agents = new Map<string, UndiciProxyAgent>();
const direct = new WeakMap<object, UndiciAgent>();

/** A socket `lookup` (net.connect's option). */
type Lookup = NonNullable<import("node:net").TcpNetConnectOpts["lookup"]>;

/**
 * `fetch` through the proxy {@link proxyForUrl} picks for each URL from `env` (the run's environment). A proxy
 * URL's user and password are sent as Basic proxy credentials, as Go sends them. `lookup` resolves the host
 * names of requests that go direct (a proxy resolves the others).
 */
export function proxiedFetch(env: Env = process.env, options: { lookup?: Lookup } = {}): typeof fetch {
  return async (input, init) => {
    const url = typeof input === "string" || input instanceof URL ? input : input.url;
    const proxy = proxyForUrl(url, env);
    if (!proxy && !options.lookup) return fetch(input, init);
    undici ??= createRequire(import.meta.url)("undici") as Undici;
    if (!proxy) {
      let agent = direct.get(options.lookup!);
      if (!agent) {
        agent = new undici.Agent({ connect: { lookup: options.lookup } });
        direct.set(options.lookup!, agent);
      }
      return undici.fetch(input as Parameters<typeof undiciFetch>[0], {
        ...(init as Parameters<typeof undiciFetch>[1]),
        dispatcher: agent,
      });
    }
    if (!/^(https?|socks5):$/.test(proxy.protocol))
      throw new TypeError("fetch failed", {
        cause: new Error(
          `the proxy ${proxy.protocol}//${proxy.host} has a scheme braid cannot use (http, https, socks5)`,
        ),
      });
    let agent = agents.get(proxy.href);
    if (!agent) {
      const user = decodeURIComponent(proxy.username);
      const auth = user
        ? `Basic ${Buffer.from(`${user}:${decodeURIComponent(proxy.password)}`).toString("base64")}`
        : "";
      // an http URL goes to an http proxy in absolute form, as Go's transport sends it; an https one is tunneled
      agent = new undici.ProxyAgent({ uri: proxy.href, proxyTunnel: false, ...(auth ? { token: auth } : {}) });
      agents.set(proxy.href, agent);
    }
    let response;
    try {
      response = await undici.fetch(input as Parameters<typeof undiciFetch>[0], {
        ...(init as Parameters<typeof undiciFetch>[1]),
        dispatcher: agent,
      });
    } catch (e) {
      const name = (e as Error).name;
      if (name === "TimeoutError" || name === "AbortError") throw e;
      // the failure names the proxy (never its credentials): undici's own words can be as bare as "Request was cancelled."
      const why = (e as { cause?: Error }).cause?.message ?? (e as Error).message;
      // (fetch's own shape, whose cause says what failed; the caught error is that cause's cause)
      const cause = new Error(`through the proxy ${proxy.protocol}//${proxy.host}: ${why}`, { cause: e });
      // eslint-disable-next-line preserve-caught-error
      throw new TypeError("fetch failed", { cause });
    }
    // undici's own Response class: the one Node's fetch is built from, read through the same interface (no
    // caller tests `instanceof Response`; octokit reads status, url, headers and the body)
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
    return response;
  };
}
