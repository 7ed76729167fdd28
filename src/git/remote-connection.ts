/**
 * One conversation with a remote: which transport (the system git when on PATH, else isomorphic-git's
 * smart HTTP), the URL without userinfo, credentials as headers, and the two requests every caller
 * needs — list the remote's refs, fetch refspecs into a local gitdir — for both transports.
 */
import fs from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { HttpClient } from "isomorphic-git";
import git from "./isogit.js";
import { BraidError } from "../diagnostics/diagnostic.js";
import { basicAuthHeader, resolveRemote, secretsOf } from "./credentials.js";
import { redactUrl } from "../diagnostics/redact-url.js";
import { DEFAULT_GIT_TIMEOUT_MS, timedHttpClient, withAdvertisedHead } from "./git-http.js";
import { classifyRemote } from "../diagnostics/remote-url.js";
import { inheritedExtraHeaders, runGit, sshNeedsGit, transportFor, type Transport } from "./system-git.js";
import { classify, gitError, type RemoteIdentity } from "./remote-errors.js";

/** How to reach one remote. */
export interface RemoteOptions {
  url: string;
  /** Cache root (`BRAID_CACHE`); mirrors live in `<cacheDir>/git/`. */
  cacheDir: string;
  /** Environment variables, for credentials only (see credentials.ts). */
  env: Record<string, string | undefined>;
  /** Idle timeout per request in ms (default 30 s). */
  timeoutMs?: number;
  /**
   * A repository (the fleet's gitdir) whose `http.<url>.extraheader` settings the system git should also
   * apply (actions/checkout saves the job's token there); braid's cache repositories do not read it.
   */
  configFrom?: string;
}

/** One ref as the remote advertises it; `peeled` is the commit of an annotated tag. */
export interface RemoteRef {
  ref: string;
  oid: string;
  peeled?: string;
}

/** What a call needs to talk to the remote: the URL without userinfo, auth headers, the client. */
export interface Connection extends RemoteIdentity {
  transport: Transport;
  /** The system git (transport "system"). */
  git?: string;
  /** Config entries inherited from the fleet repository (see RemoteOptions.configFrom). */
  inherited: [string, string][];
  env: Record<string, string | undefined>;
  headers: Record<string, string>;
  http: HttpClient;
}

/** Checks the URL, picks the transport and resolves credentials; throws CONFIG_URL for a refused URL. */
export function connect(opts: RemoteOptions): Connection {
  const spec = classifyRemote(opts.url);
  if (spec.kind === "invalid")
    throw new BraidError({ code: "CONFIG_URL", message: `${redactUrl(opts.url)} is refused: ${spec.problem}` });
  const chosen = transportFor(opts.env);
  if (spec.kind === "ssh" && chosen.transport !== "system") throw sshNeedsGit(redactUrl(opts.url));
  const { url, credentials } = resolveRemote(opts.url, opts.env);
  const secrets = secretsOf(credentials);
  return {
    ...chosen,
    inherited: chosen.transport === "system" ? inheritedExtraHeaders(opts.configFrom) : [],
    env: opts.env,
    timeoutMs: opts.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS,
    url,
    shown: redactUrl(url),
    ...(credentials ? { credentials } : {}),
    secrets,
    headers: credentials ? { Authorization: basicAuthHeader(credentials) } : {},
    http: withAdvertisedHead(
      timedHttpClient({
        ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
        secrets,
        env: opts.env,
      }),
    ),
  };
}

/** The remote's refs (annotated tags peeled) and its default branch, over either transport. */
export async function listWith(conn: Connection): Promise<{ refs: RemoteRef[]; head?: string }> {
  if (conn.transport === "system") return systemList(conn);
  try {
    const all = await git.listServerRefs({
      http: conn.http,
      url: conn.url,
      headers: { ...conn.headers },
      protocolVersion: 1,
      symrefs: true,
      peelTags: true,
    });
    const head = all.find((r) => r.ref === "HEAD")?.target;
    const refs = all
      .filter((r) => r.ref !== "HEAD")
      .map((r) => ({ ref: r.ref, oid: r.oid, ...(r.peeled ? { peeled: r.peeled } : {}) }));
    return { refs, ...(head ? { head } : {}) };
  } catch (e) {
    throw classify(e, conn);
  }
}

// --- the system git transport (see system-git.ts) ---------------------------------------------------

/** Config for one git run: braid's token for this URL as an Authorization header (env, never argv). */
function gitConfigFor(conn: Connection): [string, string][] {
  const auth = conn.headers.Authorization;
  if (!auth) return conn.inherited;
  const key = `http.${conn.url}.extraHeader`;
  // the empty value resets headers a less specific http.<url>.extraheader (e.g. actions/checkout's) added
  return [
    [key, ""],
    [key, `Authorization: ${auth}`],
  ];
}

/** Runs the system git for this connection (in `gitdir` when given), with its config and timeout. */
export async function gitIn(
  conn: Connection,
  args: string[],
  gitdir?: string,
): Promise<{ stdout: string; stderr: string; code: number | null; timedOut: boolean }> {
  return runGit({
    git: conn.git!,
    args: gitdir ? [`--git-dir=${gitdir}`, ...args] : args,
    env: conn.env,
    config: gitConfigFor(conn),
    ...(gitdir ? { cwd: gitdir } : {}),
    timeoutMs: conn.timeoutMs,
  });
}

async function systemList(conn: Connection): Promise<{ refs: RemoteRef[]; head?: string }> {
  // `--`: a URL is never read as an option (`-oProxyCommand=…@host:path` would list the working folder's remote)
  const r = await gitIn(conn, ["ls-remote", "--symref", "--", conn.url]);
  if (r.code !== 0) throw gitError(conn, "ls-remote", r);
  let head: string | undefined;
  const byRef = new Map<string, RemoteRef>();
  for (const line of r.stdout.split("\n")) {
    const sym = /^ref: (\S+)\tHEAD$/.exec(line);
    if (sym) {
      head = sym[1];
      continue;
    }
    const m = /^([0-9a-f]{40,64})\t(\S+)$/.exec(line);
    if (!m || m[2] === "HEAD") continue;
    const [, oid, name] = m as unknown as [string, string, string];
    if (name.endsWith("^{}")) {
      const base = byRef.get(name.slice(0, -3));
      if (base) base.peeled = oid;
      continue;
    }
    byRef.set(name, { ref: name, oid });
  }
  return { refs: [...byRef.values()], ...(head ? { head } : {}) };
}

/**
 * Removes git's own `*.lock` files from a cache repository. Only called while holding braid's lock on it,
 * so any such file belongs to a git that died with its braid (kill -9) and would fail every later run.
 */
export async function clearDeadGitLocks(gitdir: string): Promise<void> {
  for (const f of ["packed-refs.lock", "config.lock", "shallow.lock", "HEAD.lock"])
    await rm(join(gitdir, f), { force: true });
  const refs = await fs.promises.readdir(join(gitdir, "refs"), { recursive: true }).catch(() => [] as string[]);
  for (const r of refs) if (r.endsWith(".lock")) await rm(join(gitdir, "refs", r), { force: true });
}

/**
 * Fetches refspecs into `gitdir` with the system git (no tags, no FETCH_HEAD; `prune` removes lost refs).
 * `options` are more `git fetch` options (`--depth=1` for commits by id, `--unshallow`).
 */
export async function systemFetch(
  conn: Connection,
  gitdir: string,
  refspecs: string[],
  prune = false,
  options: string[] = [],
): Promise<void> {
  await clearDeadGitLocks(gitdir);
  const args = [
    "fetch",
    "--no-tags",
    "--no-write-fetch-head",
    "--progress",
    ...(prune ? ["--prune"] : []),
    ...options,
    "--",
    conn.url,
    ...refspecs,
  ];
  const r = await gitIn(conn, args, gitdir);
  if (r.code !== 0) throw gitError(conn, "fetch", r);
}
