/**
 * Error classification for remote Git operations: what isomorphic-git, Node's network stack or the system
 * git reported, mapped to a code of the closed table (SOURCE_AUTH, SOURCE_NOT_FOUND, SOURCE_UNREACHABLE)
 * with a scrubbed message and a hint. Anything that is not a remote problem is rethrown as it is.
 */
import { BraidError } from "../diagnostics/diagnostic.js";
import type { Code } from "../diagnostics/codes.js";
import { authHint, type GitCredentials } from "./credentials.js";
import { redactSecrets } from "../diagnostics/redact-url.js";
import { gitComplaint, gitFailureKind } from "./system-git.js";

/** What the classification needs to know about the remote: how it is shown, its credentials and secrets. */
export interface RemoteIdentity {
  url: string;
  shown: string;
  credentials?: GitCredentials;
  secrets: string[];
  timeoutMs: number;
}

/** The `code` property of an isomorphic-git or Node error, if it has one. */
export function errorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Node's network error codes: the remote cannot be reached at all. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "EPIPE",
  "ECONNABORTED",
  "EPROTO",
  "ERR_INVALID_PROTOCOL",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** Maps an isomorphic-git or network error to a BraidError with a scrubbed message. */
export function classify(e: unknown, conn: RemoteIdentity): BraidError {
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
      return make(
        "SOURCE_NOT_FOUND",
        `${conn.shown}: repository not found (HTTP 404)`,
        "check the URL; a private repository may also answer 404 without credentials",
      );
    }
    return make(
      "SOURCE_UNREACHABLE",
      `${conn.shown} answered HTTP ${Number.isFinite(status) ? status : "error"}: ${raw}`,
    );
  }
  if (code === "SmartHttpError") {
    return make(
      "SOURCE_NOT_FOUND",
      `${conn.shown} is not a Git repository served over smart HTTP`,
      "check the URL (it usually ends in .git)",
    );
  }
  if (code === "EmptyServerResponseError" || code === "ParseError") {
    return make("SOURCE_UNREACHABLE", `${conn.shown} gave an invalid Git response: ${raw}`);
  }
  if (code && NETWORK_CODES.has(code)) {
    return make(
      "SOURCE_UNREACHABLE",
      `cannot reach ${conn.shown}: ${raw}`,
      "check the URL, the network and that the server is up",
    );
  }
  const err = e instanceof Error ? e : new Error(String(e));
  err.message = raw;
  throw err; // not a remote problem: let it surface as an internal error
}

/** A failed git run as a BraidError (scrubbed): auth, not found, unreachable, or git's own words. */
export function gitError(conn: RemoteIdentity, what: string, r: { stderr: string; timedOut: boolean }): BraidError {
  const scrub = (t: string): string => redactSecrets(t, conn.secrets);
  const says = scrub(gitComplaint(r.stderr));
  if (r.timedOut)
    return new BraidError(
      {
        code: "SOURCE_UNREACHABLE",
        message: `${conn.shown} did not answer within ${conn.timeoutMs % 1000 === 0 ? `${conn.timeoutMs / 1000} s` : `${conn.timeoutMs} ms`} (git ${what})`,
        hint: "check the URL and the network; the timeout is configurable (BRAID_GIT_TIMEOUT_MS)",
      },
      { timedOut: true },
    );
  switch (gitFailureKind(r.stderr)) {
    case "auth":
      return new BraidError({
        code: "SOURCE_AUTH",
        message: `${conn.shown} ${conn.credentials ? `refused the credentials from ${conn.credentials.from}` : "needs credentials"} (git ${what}):\n${says}`,
        hint:
          scrub(authHint(conn.url, conn.credentials)) +
          " — or configure git's own credentials (credential helper, SSH key)",
      });
    case "not-found":
      return new BraidError({
        code: "SOURCE_NOT_FOUND",
        message: `${conn.shown}: repository not found (git ${what}):\n${says}`,
        hint: "check the URL; a private repository may also answer 404 without credentials",
      });
    default:
      return new BraidError({
        code: "SOURCE_UNREACHABLE",
        message: `git ${what} from ${conn.shown} failed:\n${says}`,
        hint: "check the URL, the network and that the server is up",
      });
  }
}
