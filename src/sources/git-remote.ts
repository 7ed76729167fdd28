/**
 * Remote Git sources over smart HTTP, with isomorphic-git: a cache of bare mirror repositories, fetched
 * only when needed, plus the push/fetch of one branch used by `publish --push`.
 *
 * The cache is a mirror: the remote's `refs/heads/*` and `refs/tags/*` are kept under the same names
 * (not `refs/remotes/origin/*`), so the cache reads like the remote itself; annotated tags stay
 * annotated; branches and tags deleted on the remote are deleted in the cache; `HEAD` follows the
 * remote's default branch. Other refs (e.g. `refs/pull/42/head`) are fetched only when asked for.
 */
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import { rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { HttpClient } from "isomorphic-git";
import git from "./isogit.js";
import { BraidError } from "../diagnostics/diagnostic.js";
import type { Code } from "../diagnostics/codes.js";
import {
  authHint,
  basicAuthHeader,
  type GitCredentials,
  redactSecrets,
  redactUrl,
  resolveRemote,
  secretsOf,
} from "./credentials.js";
import { processAlive, withCacheLock } from "./cache-lock.js";
import { DEFAULT_GIT_TIMEOUT_MS, timedHttpClient, withAdvertisedHead } from "./git-http.js";
import { classifyRemote } from "./remote-url.js";
import { gitComplaint, gitFailureKind, inheritedExtraHeaders, runGit, sshNeedsGit, transportFor, type Transport } from "./system-git.js";
import { mkdirp } from "../git/mkdirp.js";

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

/** Bare-repo cache dir for a URL: `<cacheDir>/git/<sha256(redacted url) first 16 hex>.git`. */
export function cachePathFor(cacheDir: string, url: string): string {
  const digest = createHash("sha256").update(redactUrl(url)).digest("hex").slice(0, 16);
  return join(cacheDir, "git", `${digest}.git`);
}

/** What a call needs to talk to the remote: the URL without userinfo, auth headers, the client. */
interface Connection {
  transport: Transport;
  /** The system git (transport "system"). */
  git?: string;
  /** Config entries inherited from the fleet repository (see RemoteOptions.configFrom). */
  inherited: [string, string][];
  env: Record<string, string | undefined>;
  timeoutMs: number;
  url: string;
  shown: string;
  credentials?: GitCredentials;
  secrets: string[];
  headers: Record<string, string>;
  http: HttpClient;
}

function connect(opts: RemoteOptions): Connection {
  const spec = classifyRemote(opts.url);
  if (spec.kind === "invalid") throw new BraidError({ code: "CONFIG_URL", message: `${redactUrl(opts.url)} is refused: ${spec.problem}` });
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
      timedHttpClient({ ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}), secrets }),
    ),
  };
}

const inflight = new Map<string, Promise<{ gitdir: string; fetched: boolean }>>();
const queues = new Map<string, Promise<unknown>>();

/** Runs jobs on one cache dir one after another (identical concurrent syncs share one promise). */
function serialized<T>(key: string, job: () => Promise<T>): Promise<T> {
  const prev = queues.get(key) ?? Promise.resolve();
  const next = prev.catch(() => undefined).then(job);
  queues.set(key, next);
  void next.then(
    () => queues.get(key) === next && queues.delete(key),
    () => queues.get(key) === next && queues.delete(key),
  );
  return next;
}

/**
 * Makes sure the cache holds the remote's current refs (tags + branches + HEAD, plus `extraRefs` such
 * as `refs/pull/42/head` when the remote has them); fetches only when objects are missing, or clones
 * into a new bare repo. `fetched` tells whether objects were downloaded. Returns the gitdir.
 * Concurrent calls for the same URL and refs in one process share one in-flight promise.
 */
export async function syncRemote(
  opts: RemoteOptions & { extraRefs?: string[] },
): Promise<{ gitdir: string; fetched: boolean }> {
  const gitdir = cachePathFor(opts.cacheDir, opts.url);
  const extra = [...new Set(opts.extraRefs ?? [])].sort();
  const key = `${gitdir}\0${extra.join("\0")}`;
  const running = inflight.get(key);
  if (running) return running;
  const job = serialized(gitdir, () => withCacheLock(gitdir, () => syncInto(connect(opts), gitdir, extra)));
  inflight.set(key, job);
  try {
    return await job;
  } finally {
    inflight.delete(key);
  }
}

/**
 * Makes sure the cache holds these commits; fetches only when one is missing (so a locked fleet works
 * offline once cached), or when there is no cache yet. Does not throw for commits still missing after
 * the fetch: they are listed in `missing` and the caller reports them with its own context.
 */
export async function ensureCommits(
  opts: RemoteOptions,
  commits: string[],
): Promise<{ gitdir: string; fetched: boolean; missing: string[] }> {
  const gitdir = cachePathFor(opts.cacheDir, opts.url);
  if (await exists(gitdir)) {
    const missing = await missingObjects(gitdir, commits);
    if (missing.length === 0) return { gitdir, fetched: false, missing };
  }
  const { fetched } = await syncRemote(opts);
  return { gitdir, fetched, missing: await missingObjects(gitdir, commits) };
}

/**
 * Lists the remote's refs without fetching objects (one request, protocol v1), with annotated tags
 * peeled, and the default branch (`HEAD`'s target) as `head`. `HEAD` itself is not in `refs`.
 */
export async function listRemoteRefs(opts: RemoteOptions): Promise<{ refs: RemoteRef[]; head?: string }> {
  return listWith(connect(opts));
}

/**
 * Pushes a local branch to a remote branch (for publish). A non-fast-forward is reported as
 * `{ ok: false, reason: "non-fast-forward" }` (whether isomorphic-git or the server refuses it) so the
 * caller can fetch, rebuild and retry; a refusal by the server for another reason (e.g. a pre-receive
 * hook) is `{ ok: false, reason: "rejected", message }` with the server's words. Auth failures throw
 * `SOURCE_AUTH`; any other failure (network, HTTP error, timeout) throws `PUBLISH_PUSH`.
 * On success isomorphic-git also records the pushed tip as `refs/remotes/braid/<branch>` in `gitdir`.
 */
export async function pushBranch(
  opts: RemoteOptions & { gitdir: string; localRef: string; remoteRef: string },
): Promise<{ ok: true } | { ok: false; reason: "non-fast-forward" | "rejected"; message: string }> {
  const conn = connect(opts);
  return withCacheLock(opts.gitdir, () => (conn.transport === "system" ? systemPush(conn, opts) : embeddedPush(conn, opts)));
}

async function embeddedPush(
  conn: Connection,
  opts: { gitdir: string; localRef: string; remoteRef: string },
): Promise<{ ok: true } | { ok: false; reason: "non-fast-forward" | "rejected"; message: string }> {
  const messages: string[] = [];
  try {
    await git.push({
      fs,
      http: conn.http,
      gitdir: opts.gitdir,
      url: conn.url,
      remote: "braid",
      ref: opts.localRef,
      remoteRef: opts.remoteRef,
      headers: { ...conn.headers },
      onMessage: (m) => {
        messages.push(m.trimEnd());
      },
    });
    return { ok: true };
  } catch (e) {
    const code = errorCode(e);
    const data = (e as { data?: Record<string, unknown> }).data ?? {};
    const scrub = (t: string): string => redactSecrets(t, conn.secrets);
    const remoteSays = messages.filter(Boolean).map((m) => `remote: ${m}`).join("\n");
    if (code === "PushRejectedError") {
      const reason = data.reason === "not-fast-forward" ? "non-fast-forward" : "rejected";
      return { ok: false, reason, message: scrub(`push to ${conn.shown} rejected: ${String(data.reason)}`) };
    }
    if (code === "GitPushError") {
      const refs = ((data.result as { refs?: Record<string, { ok: boolean; error?: string }> } | undefined)?.refs ?? {});
      const errors = Object.entries(refs)
        .filter(([, r]) => !r.ok)
        .map(([ref, r]) => `${ref}: ${r.error ?? "rejected"}`);
      // The per-ref status text is the protocol's (receive-pack `ng <ref> <reason>`), not prose.
      const nonFastForward = Object.values(refs).some((r) => !r.ok && /non-fast-forward|fetch first/.test(r.error ?? ""));
      const message = scrub([`push to ${conn.shown} rejected: ${errors.join("; ")}`, remoteSays].filter(Boolean).join("\n"));
      return { ok: false, reason: nonFastForward ? "non-fast-forward" : "rejected", message };
    }
    const err = classify(e, conn);
    if (err.code === "SOURCE_AUTH") throw err;
    throw new BraidError({
      ...err.diagnostic,
      code: "PUBLISH_PUSH",
      message: scrub([`push to ${conn.shown} failed: ${err.message}`, remoteSays].filter(Boolean).join("\n")),
    });
  }
}

/**
 * Fetches one remote branch into `localRef` of a local gitdir (for publish --push), forced. Returns the
 * oid, or undefined when the remote has no such branch (`localRef` is then left as it is). The fetch
 * goes through a refspec in a `[remote "braid-fetch"]` config entry that is removed afterwards.
 */
export async function fetchBranch(
  opts: RemoteOptions & { gitdir: string; remoteRef: string; localRef: string },
): Promise<string | undefined> {
  const conn = connect(opts);
  const remoteRef = opts.remoteRef.startsWith("refs/") ? opts.remoteRef : `refs/heads/${opts.remoteRef}`;
  const { refs } = await listWith(conn);
  const found = refs.find((r) => r.ref === remoteRef);
  if (!found) return undefined;
  const gitdir = opts.gitdir;
  if ((await readRef(gitdir, opts.localRef)) === found.oid && (await hasObject(gitdir, found.oid))) return found.oid;
  return withCacheLock(gitdir, async () => {
    if (conn.transport === "system") {
      await systemFetch(conn, gitdir, [`+${remoteRef}:${opts.localRef}`]);
      return readRef(gitdir, opts.localRef);
    }
    // The refspec lives in the config for good (written once, identical in every process): adding and
    // removing it per fetch raced between processes sharing the cache ("Could not find a fetch refspec").
    if ((await git.getConfig({ fs, gitdir, path: "remote.braid-fetch.fetch" }).catch(() => undefined)) !== FETCH_REFSPEC)
      await git.setConfig({ fs, gitdir, path: "remote.braid-fetch.fetch", value: FETCH_REFSPEC });
    try {
      const res = await git.fetch({
        fs,
        http: conn.http,
        gitdir,
        url: conn.url,
        remote: "braid-fetch",
        ref: remoteRef,
        remoteRef,
        singleBranch: true,
        tags: false,
        headers: { ...conn.headers },
      });
      const oid = res.fetchHead ?? undefined;
      if (oid) await git.writeRef({ fs, gitdir, ref: opts.localRef, value: oid, force: true });
      return oid;
    } catch (e) {
      throw classify(e, conn);
    }
  });
}

/** Where the embedded fetch of one branch lands (a name of braid's own; the caller's localRef is set after). */
const FETCH_REFSPEC = "+refs/heads/*:refs/braid/fetched/*";

// ---------------------------------------------------------------------------------------------------

async function listWith(conn: Connection): Promise<{ refs: RemoteRef[]; head?: string }> {
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

const MIRRORED = /^refs\/(heads|tags)\//;

/** One sync: list, fetch what is missing, then make the cache's refs equal the remote's. */
async function syncInto(conn: Connection, gitdir: string, extraRefs: string[]): Promise<{ gitdir: string; fetched: boolean }> {
  await removeDeadClones(gitdir);
  const remote = await listWith(conn);
  const isNew = !(await exists(gitdir));
  const workdir = isNew ? `${gitdir}.tmp-${process.pid}-${randomBytes(4).toString("hex")}` : gitdir;
  try {
    if (isNew) await initMirror(workdir, conn.url);
    const mirrored = remote.refs.filter((r) => MIRRORED.test(r.ref));
    let fetched = false;
    if ((await missingObjects(workdir, mirrored.map((r) => r.oid))).length > 0) {
      const start = remote.head && mirrored.some((r) => r.ref === remote.head) ? remote.head : mirrored[0]?.ref;
      await fetchWith(conn, workdir, { ref: start ?? "HEAD", remoteRef: start ?? "HEAD", singleBranch: false, tags: true, prune: true });
      fetched = true;
    }
    await reconcileRefs(workdir, mirrored, remote.head);
    for (const name of extraRefs) {
      if (MIRRORED.test(name)) continue;
      const want = remote.refs.find((r) => r.ref === name);
      if (!want) continue; // the ref resolver reports it, listing what exists
      if (!(await hasObject(workdir, want.oid))) {
        await fetchWith(conn, workdir, { ref: "HEAD", remoteRef: name, singleBranch: true, tags: false, prune: false });
        fetched = true;
      }
      if (await hasObject(workdir, want.oid)) await git.writeRef({ fs, gitdir: workdir, ref: name, value: want.oid, force: true });
    }
    if (isNew) await publishMirror(workdir, gitdir);
    return { gitdir, fetched };
  } catch (e) {
    if (isNew) await rm(workdir, { recursive: true, force: true });
    throw e;
  }
}

/** Removes `<gitdir>.tmp-<pid>-<hex>` clones left by processes that died mid-clone (we hold the lock). */
async function removeDeadClones(gitdir: string): Promise<void> {
  const dir = join(gitdir, "..");
  const prefix = `${gitdir.slice(dir.length + 1)}.tmp-`;
  for (const name of await fs.promises.readdir(dir).catch(() => [] as string[])) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split("-")[0]);
    if (pid !== process.pid && !processAlive(pid)) await rm(join(dir, name), { recursive: true, force: true });
  }
}

async function initMirror(gitdir: string, url: string): Promise<void> {
  await git.init({ fs, gitdir, bare: true, defaultBranch: "main" });
  await git.setConfig({ fs, gitdir, path: "remote.origin.url", value: redactUrl(url) });
  // Tags are not in a refspec: isomorphic-git would write the advertised `^{}` lines as refs. They are
  // fetched with `tags: true` and set by reconcileRefs.
  await git.setConfig({ fs, gitdir, path: "remote.origin.fetch", value: "+refs/heads/*:refs/heads/*" });
}

/** Moves a freshly cloned mirror into place; if another process won the race, keeps theirs. */
async function publishMirror(tmp: string, gitdir: string): Promise<void> {
  await mkdirp(join(gitdir, ".."));
  try {
    await rename(tmp, gitdir);
  } catch (e) {
    if (!(await exists(gitdir))) throw e;
    await rm(tmp, { recursive: true, force: true });
  }
}

async function fetchWith(
  conn: Connection,
  gitdir: string,
  o: { ref: string; remoteRef: string; singleBranch: boolean; tags: boolean; prune: boolean },
): Promise<void> {
  if (conn.transport === "system") {
    const specs = o.singleBranch ? [`+${o.remoteRef}:${o.remoteRef}`] : ["+refs/heads/*:refs/heads/*", ...(o.tags ? ["+refs/tags/*:refs/tags/*"] : [])];
    return systemFetch(conn, gitdir, specs, o.prune && !o.singleBranch);
  }
  try {
    await git.fetch({ fs, http: conn.http, gitdir, url: conn.url, headers: { ...conn.headers }, ...o });
  } catch (e) {
    throw classify(e, conn);
  }
}

/** Sets every branch and tag to the remote's value (objects present), deletes the ones the remote lost. */
async function reconcileRefs(gitdir: string, mirrored: RemoteRef[], head: string | undefined): Promise<void> {
  const want = new Map(mirrored.map((r) => [r.ref, r.oid]));
  for (const prefix of ["refs/heads", "refs/tags"]) {
    for (const name of await git.listRefs({ fs, gitdir, filepath: prefix })) {
      const ref = `${prefix}/${name}`;
      if (!want.has(ref)) await git.deleteRef({ fs, gitdir, ref });
    }
  }
  for (const [ref, oid] of want) {
    if ((await readRef(gitdir, ref)) === oid) continue;
    if (await hasObject(gitdir, oid)) await git.writeRef({ fs, gitdir, ref, value: oid, force: true });
  }
  if (head && want.has(head)) await git.writeRef({ fs, gitdir, ref: "HEAD", value: head, symbolic: true, force: true });
}

async function readRef(gitdir: string, ref: string): Promise<string | undefined> {
  try {
    return await git.resolveRef({ fs, gitdir, ref, depth: 1 });
  } catch {
    return undefined;
  }
}

async function hasObject(gitdir: string, oid: string): Promise<boolean> {
  try {
    await git.readObject({ fs, gitdir, oid, format: "deflated" });
    return true;
  } catch {
    return false;
  }
}

async function missingObjects(gitdir: string, oids: string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const oid of new Set(oids)) if (!(await hasObject(gitdir, oid))) missing.push(oid);
  return missing;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

function errorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Node's network error codes: the remote cannot be reached at all. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ETIMEDOUT",
  "EPIPE", "ECONNABORTED", "EPROTO", "ERR_INVALID_PROTOCOL", "CERT_HAS_EXPIRED", "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "SELF_SIGNED_CERT_IN_CHAIN", "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** Maps an isomorphic-git or network error to a BraidError with a scrubbed message. */
function classify(e: unknown, conn: Connection): BraidError {
  if (e instanceof BraidError) return e;
  const code = errorCode(e);
  const scrub = (t: string): string => redactSecrets(t, conn.secrets);
  const raw = scrub(e instanceof Error ? e.message : String(e));
  const make = (c: Code, message: string, hint?: string): BraidError =>
    new BraidError({ code: c, message: scrub(message), ...(hint ? { hint: scrub(hint) } : {}) });
  if (code === "HttpError") {
    const status = Number((e as { data?: { statusCode?: unknown } }).data?.statusCode);
    if (status === 401 || status === 403) {
      const what = conn.credentials ? `refused the credentials from ${conn.credentials.from}` : "needs credentials";
      return make("SOURCE_AUTH", `${conn.shown} ${what} (HTTP ${status})`, authHint(conn.url, conn.credentials));
    }
    if (status === 404) {
      return make("SOURCE_NOT_FOUND", `${conn.shown}: repository not found (HTTP 404)`, "check the URL; a private repository may also answer 404 without credentials");
    }
    return make("SOURCE_UNREACHABLE", `${conn.shown} answered HTTP ${Number.isFinite(status) ? status : "error"}: ${raw}`);
  }
  if (code === "SmartHttpError") {
    return make("SOURCE_NOT_FOUND", `${conn.shown} is not a Git repository served over smart HTTP`, "check the URL (it usually ends in .git)");
  }
  if (code === "EmptyServerResponseError" || code === "ParseError") {
    return make("SOURCE_UNREACHABLE", `${conn.shown} gave an invalid Git response: ${raw}`);
  }
  if (code && NETWORK_CODES.has(code)) {
    return make("SOURCE_UNREACHABLE", `cannot reach ${conn.shown}: ${raw}`, "check the URL, the network and that the server is up");
  }
  const err = e instanceof Error ? e : new Error(String(e));
  err.message = raw;
  throw err; // not a remote problem: let it surface as an internal error
}

// --- the system git transport (see system-git.ts) ---------------------------------------------------

/** Config for one git run: braid's token for this URL as an Authorization header (env, never argv). */
function gitConfigFor(conn: Connection): [string, string][] {
  const auth = conn.headers.Authorization;
  if (!auth) return conn.inherited;
  const key = `http.${conn.url}.extraHeader`;
  // the empty value resets headers a less specific http.<url>.extraheader (e.g. actions/checkout's) added
  return [[key, ""], [key, `Authorization: ${auth}`]];
}

async function gitIn(conn: Connection, args: string[], gitdir?: string): Promise<{ stdout: string; stderr: string; code: number | null; timedOut: boolean }> {
  return runGit({
    git: conn.git!,
    args: gitdir ? [`--git-dir=${gitdir}`, ...args] : args,
    env: conn.env,
    config: gitConfigFor(conn),
    ...(gitdir ? { cwd: gitdir } : {}),
    timeoutMs: conn.timeoutMs,
  });
}

/** A failed git run as a BraidError (scrubbed): auth, not found, unreachable, or git's own words. */
function gitError(conn: Connection, what: string, r: { stderr: string; timedOut: boolean }): BraidError {
  const scrub = (t: string): string => redactSecrets(t, conn.secrets);
  const says = scrub(gitComplaint(r.stderr));
  if (r.timedOut)
    return new BraidError({ code: "SOURCE_UNREACHABLE", message: `${conn.shown} did not answer within ${conn.timeoutMs % 1000 === 0 ? `${conn.timeoutMs / 1000} s` : `${conn.timeoutMs} ms`} (git ${what})`, hint: "check the URL and the network; the timeout is configurable (BRAID_GIT_TIMEOUT_MS)" });
  switch (gitFailureKind(r.stderr)) {
    case "auth":
      return new BraidError({ code: "SOURCE_AUTH", message: `${conn.shown} ${conn.credentials ? `refused the credentials from ${conn.credentials.from}` : "needs credentials"} (git ${what}):\n${says}`, hint: scrub(authHint(conn.url, conn.credentials)) + " — or configure git's own credentials (credential helper, SSH key)" });
    case "not-found":
      return new BraidError({ code: "SOURCE_NOT_FOUND", message: `${conn.shown}: repository not found (git ${what}):\n${says}`, hint: "check the URL; a private repository may also answer 404 without credentials" });
    default:
      return new BraidError({ code: "SOURCE_UNREACHABLE", message: `git ${what} from ${conn.shown} failed:\n${says}`, hint: "check the URL, the network and that the server is up" });
  }
}

async function systemList(conn: Connection): Promise<{ refs: RemoteRef[]; head?: string }> {
  const r = await gitIn(conn, ["ls-remote", "--symref", conn.url]);
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
async function clearDeadGitLocks(gitdir: string): Promise<void> {
  for (const f of ["packed-refs.lock", "config.lock", "shallow.lock", "HEAD.lock"]) await rm(join(gitdir, f), { force: true });
  const refs = await fs.promises.readdir(join(gitdir, "refs"), { recursive: true }).catch(() => [] as string[]);
  for (const r of refs) if (r.endsWith(".lock")) await rm(join(gitdir, "refs", r), { force: true });
}

async function systemFetch(conn: Connection, gitdir: string, refspecs: string[], prune = false): Promise<void> {
  await clearDeadGitLocks(gitdir);
  const args = ["fetch", "--no-tags", "--no-write-fetch-head", "--progress", ...(prune ? ["--prune"] : []), conn.url, ...refspecs];
  const r = await gitIn(conn, args, gitdir);
  if (r.code !== 0) throw gitError(conn, "fetch", r);
}

async function systemPush(
  conn: Connection,
  opts: { gitdir: string; localRef: string; remoteRef: string },
): Promise<{ ok: true } | { ok: false; reason: "non-fast-forward" | "rejected"; message: string }> {
  await clearDeadGitLocks(opts.gitdir);
  const r = await gitIn(conn, ["push", "--porcelain", "--progress", conn.url, `${opts.localRef}:${opts.remoteRef}`], opts.gitdir);
  const scrub = (t: string): string => redactSecrets(t, conn.secrets);
  // porcelain: "<flag>\t<from>:<to>\t<summary> (<reason>)"; "!" is a refused ref (transport.c)
  const line = r.stdout.split("\n").find((l) => l.includes(`:${opts.remoteRef}\t`));
  if (line && r.code === 0 && !line.startsWith("!")) return { ok: true };
  if (line?.startsWith("!")) {
    const summary = line.split("\t")[2] ?? "rejected";
    const nonFastForward = summary.startsWith("[rejected]") && /non-fast-forward|fetch first/.test(summary);
    const remoteSays = r.stderr.split(/\r?\n/).filter((l) => l.startsWith("remote: ") && !/remote: (Counting|Compressing|Enumerating|Total)/.test(l));
    return { ok: false, reason: nonFastForward ? "non-fast-forward" : "rejected", message: scrub([`push to ${conn.shown} rejected: ${opts.remoteRef}: ${summary}`, ...remoteSays].join("\n")) };
  }
  const err = gitError(conn, "push", r);
  if (err.code === "SOURCE_AUTH") throw err;
  throw new BraidError({ ...err.diagnostic, code: "PUBLISH_PUSH", message: `push to ${conn.shown} failed: ${scrub(gitComplaint(r.stderr)) || "git push failed"}`, hint: "check the URL, the credentials and the network; the deploy branch is unchanged" });
}
