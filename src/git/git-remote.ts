/**
 * Remote Git sources: the entry point for the rest of braid. The mirror cache lives in mirror-cache.ts,
 * one conversation with a remote (transport, credentials, listing, fetching) in remote-connection.ts and
 * error classification in remote-errors.ts; this file adds the push/fetch of one branch used by
 * `publish --push`.
 */
import fs from "node:fs";
import git from "./isogit.js";
import { BraidError } from "../diagnostics/diagnostic.js";
import { redactSecrets } from "../diagnostics/redact-url.js";
import { withCacheLock } from "./cache-lock.js";
import { hasObject } from "./git-objects.js";
import { readRef } from "./git-store.js";
import { gitComplaint } from "./system-git.js";
import { classify, errorCode, gitError } from "./remote-errors.js";
import {
  clearDeadGitLocks,
  connect,
  gitIn,
  listWith,
  systemFetch,
  type Connection,
  type RemoteOptions,
  type RemoteRef,
} from "./remote-connection.js";

export type { RemoteOptions } from "./remote-connection.js";
export { cachePathFor, ensureCommits, syncRemote } from "./mirror-cache.js";

/** The outcome of a push that did not throw. */
type PushResult = { ok: true } | { ok: false; reason: "non-fast-forward" | "rejected"; message: string };

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
): Promise<PushResult> {
  const conn = connect(opts);
  return withCacheLock(opts.gitdir, () =>
    conn.transport === "system" ? systemPush(conn, opts) : embeddedPush(conn, opts),
  );
}

async function embeddedPush(
  conn: Connection,
  opts: { gitdir: string; localRef: string; remoteRef: string },
): Promise<PushResult> {
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
    const remoteSays = messages
      .filter(Boolean)
      .map((m) => `remote: ${m}`)
      .join("\n");
    if (code === "PushRejectedError") {
      const reason = data.reason === "not-fast-forward" ? "non-fast-forward" : "rejected";
      return { ok: false, reason, message: scrub(`push to ${conn.shown} rejected: ${String(data.reason)}`) };
    }
    if (code === "GitPushError") {
      const refs = (data.result as { refs?: Record<string, { ok: boolean; error?: string }> } | undefined)?.refs ?? {};
      const errors = Object.entries(refs)
        .filter(([, r]) => !r.ok)
        .map(([ref, r]) => `${ref}: ${r.error ?? "rejected"}`);
      // The per-ref status text is the protocol's (receive-pack `ng <ref> <reason>`), not prose.
      const nonFastForward = Object.values(refs).some(
        (r) => !r.ok && /non-fast-forward|fetch first/.test(r.error ?? ""),
      );
      const message = scrub(
        [`push to ${conn.shown} rejected: ${errors.join("; ")}`, remoteSays].filter(Boolean).join("\n"),
      );
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

async function systemPush(
  conn: Connection,
  opts: { gitdir: string; localRef: string; remoteRef: string },
): Promise<PushResult> {
  await clearDeadGitLocks(opts.gitdir);
  const r = await gitIn(
    conn,
    ["push", "--porcelain", "--progress", "--", conn.url, `${opts.localRef}:${opts.remoteRef}`],
    opts.gitdir,
  );
  const scrub = (t: string): string => redactSecrets(t, conn.secrets);
  // porcelain: "<flag>\t<from>:<to>\t<summary> (<reason>)"; "!" is a refused ref (transport.c)
  const line = r.stdout.split("\n").find((l) => l.includes(`:${opts.remoteRef}\t`));
  if (line && r.code === 0 && !line.startsWith("!")) return { ok: true };
  if (line?.startsWith("!")) {
    const summary = line.split("\t")[2] ?? "rejected";
    const nonFastForward = summary.startsWith("[rejected]") && /non-fast-forward|fetch first/.test(summary);
    const remoteSays = r.stderr
      .split(/\r?\n/)
      .filter((l) => l.startsWith("remote: ") && !/remote: (Counting|Compressing|Enumerating|Total)/.test(l));
    return {
      ok: false,
      reason: nonFastForward ? "non-fast-forward" : "rejected",
      message: scrub([`push to ${conn.shown} rejected: ${opts.remoteRef}: ${summary}`, ...remoteSays].join("\n")),
    };
  }
  const err = gitError(conn, "push", r);
  if (err.code === "SOURCE_AUTH") throw err;
  throw new BraidError({
    ...err.diagnostic,
    code: "PUBLISH_PUSH",
    message: `push to ${conn.shown} failed: ${scrub(gitComplaint(r.stderr)) || "git push failed"}`,
    hint: "check the URL, the credentials and the network; the deploy branch is unchanged",
  });
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
    if (
      (await git.getConfig({ fs, gitdir, path: "remote.braid-fetch.fetch" }).catch(() => undefined)) !== FETCH_REFSPEC
    )
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
