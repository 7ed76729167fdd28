/**
 * What a remote string is, parsed strictly: an http(s) URL (WHATWG, as `new URL` reads it), an SSH remote
 * (`ssh://[user@]host[:port]/path` or git's scp-like `user@host:path`), or a local path. An http(s) URL that
 * WHATWG refuses, or whose text puts an `@` after the host (an unencoded `/` or `:` in a userinfo makes the
 * token part of the path and the user name the host: `http://user:a/TOKEN@127.0.0.1/x.git`), is refused
 * before anything connects, and no message shows it unredacted.
 */

/** One classified remote. */
export type RemoteSpec =
  | { kind: "http"; url: URL; hasCredentials: boolean }
  | { kind: "ssh"; hasPassword: boolean }
  | { kind: "local" }
  | { kind: "invalid"; problem: string };

const HTTP = /^https?:\/\//i;
const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
/** git's scp-like syntax: `[user@]host:path`, the host without `/` before the colon (connect.c). */
const SCP_LIKE = /^(?:[^@/\s]+@)?(\[[^\]]+\]|[^:/\s]{2,}):(?!\/\/)/;

/** Classifies a remote string (see the file header). */
export function classifyRemote(raw: string): RemoteSpec {
  if (HTTP.test(raw)) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return {
        kind: "invalid",
        problem: "it is not a valid URL (a user name or token holding / : @ # ? must be percent-encoded)",
      };
    }
    if (/[\s\\]/.test(raw)) return { kind: "invalid", problem: "it contains a space or a backslash" };
    if (`${url.pathname}${url.search}${url.hash}`.includes("@"))
      return {
        kind: "invalid",
        problem: `it has an "@" after the host "${url.host}": a user name or token holding / : @ must be percent-encoded`,
      };
    return { kind: "http", url, hasCredentials: Boolean(url.username || url.password) };
  }
  const scheme = SCHEME.exec(raw)?.[1]?.toLowerCase();
  if (scheme === "ssh" || scheme === "git+ssh" || scheme === "ssh+git") {
    const authority = raw.slice(raw.indexOf("://") + 3).split("/")[0] ?? "";
    const at = authority.lastIndexOf("@");
    return { kind: "ssh", hasPassword: at > 0 && authority.slice(0, at).includes(":") };
  }
  if (scheme === "file") return { kind: "local" };
  if (scheme)
    return { kind: "invalid", problem: `the scheme "${scheme}://" is not supported (use https://, ssh:// or a path)` };
  if (SCP_LIKE.test(raw) && !/^[A-Za-z]:[\\/]/.test(raw)) return { kind: "ssh", hasPassword: false };
  return { kind: "local" };
}

/**
 * A remote string safe to print: any userinfo dropped (everything between `scheme://` and the last `@` of
 * the authority-looking part, so a malformed userinfo goes too). Non-URLs are returned unchanged.
 */
export function displayRemote(raw: string): string {
  const m = SCHEME.exec(raw);
  if (!m) return raw;
  const rest = raw.slice(m[0].length);
  const at = rest.lastIndexOf("@");
  return at < 0 ? raw : `${m[0]}${rest.slice(at + 1)}`;
}

/** Why a source URL written in config is refused (credentials or a malformed URL), else undefined. */
export function sourceUrlProblem(raw: string): string | undefined {
  const spec = classifyRemote(raw);
  if (spec.kind === "invalid") return `is refused: ${spec.problem}`;
  if (spec.kind === "http" && spec.url.password)
    return "carries a password or token in its user info; credentials never come from config";
  if (spec.kind === "http" && spec.url.username)
    return "carries a user name (or a token as user name) in its user info; credentials never come from config";
  if (spec.kind === "ssh" && spec.hasPassword)
    return "carries a password in its user info; credentials never come from config";
  return undefined;
}
