/**
 * Credentials for http(s) Git remotes. They come only from the environment (passed in, never read from
 * `process.env` here) or from the URL itself, never from config files, and they never appear in output:
 * every message about a remote is built with {@link redactUrl} / {@link redactSecrets}.
 */
import { redactUrl } from "../diagnostics/redact-url.js";
import { classifyRemote } from "../diagnostics/remote-url.js";

/**
 * Username used with a token when none is configured. `x-access-token` is what GitHub documents for
 * app/installation tokens and it also works for GitHub personal access tokens; GitLab, Gitea, Bitbucket
 * and Azure DevOps accept any non-empty username with a token, so it is a safe default everywhere.
 */
export const DEFAULT_GIT_USERNAME = "x-access-token";

/** Basic-auth credentials for one remote, and where they came from (a variable name or `the URL`). */
export interface GitCredentials {
  username: string;
  password: string;
  /** Where the token came from: an environment variable name, or "the URL". Safe to print. */
  from: string;
}

/** A remote URL split into the URL to use (no userinfo) and the credentials that apply to it. */
export interface ResolvedRemote {
  /** The URL without any embedded `user:password@`. */
  url: string;
  credentials?: GitCredentials;
}

/** Environment key for a host: upper-cased, every character outside [A-Z0-9] turned into `_`. */
export function hostEnvKey(host: string): string {
  return host.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}

/**
 * The per-host token variables checked for a URL, most specific first: with an explicit port,
 * `BRAID_GIT_TOKEN_<HOST_PORT>` (e.g. `BRAID_GIT_TOKEN_GIT_EXAMPLE_COM_8443`), then
 * `BRAID_GIT_TOKEN_<HOST>` (e.g. `BRAID_GIT_TOKEN_GIT_EXAMPLE_COM`). Empty for non-URLs.
 */
export function tokenVariablesFor(url: string): string[] {
  const parsed = parseUrl(url);
  if (!parsed) return [];
  const keys = parsed.port ? [hostEnvKey(parsed.host), hostEnvKey(parsed.hostname)] : [hostEnvKey(parsed.hostname)];
  return keys.map((k) => `BRAID_GIT_TOKEN_${k}`);
}

/**
 * Credentials for a remote URL. Order: `user:token@` embedded in the URL; then `BRAID_GIT_TOKEN_<HOST>`
 * (see {@link tokenVariablesFor}) with `BRAID_GIT_USERNAME_<HOST>`, else `BRAID_GIT_USERNAME`, else
 * {@link DEFAULT_GIT_USERNAME}; then `BRAID_GIT_TOKEN` with `BRAID_GIT_USERNAME` or the default.
 * Empty variables count as unset. Local paths get no credentials.
 */
export function resolveRemote(url: string, env: Record<string, string | undefined>): ResolvedRemote {
  const parsed = parseUrl(url);
  if (!parsed) return { url };
  const stripped = redactUrl(url);
  if (parsed.username || parsed.password) {
    const user = decodeURIComponent(parsed.username);
    const pass = decodeURIComponent(parsed.password);
    // `https://token@host/` (no password) is the token-as-username form many hosts accept.
    const credentials = pass
      ? { username: user || DEFAULT_GIT_USERNAME, password: pass, from: "the URL" }
      : { username: DEFAULT_GIT_USERNAME, password: user, from: "the URL" };
    return { url: stripped, credentials };
  }
  const value = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v === "" ? undefined : v;
  };
  for (const tokenVar of tokenVariablesFor(url)) {
    const token = value(tokenVar);
    if (token === undefined) continue;
    const userVar = tokenVar.replace("BRAID_GIT_TOKEN_", "BRAID_GIT_USERNAME_");
    const username = value(userVar) ?? value("BRAID_GIT_USERNAME") ?? DEFAULT_GIT_USERNAME;
    return { url: stripped, credentials: { username, password: token, from: tokenVar } };
  }
  const token = value("BRAID_GIT_TOKEN");
  if (token !== undefined) {
    const username = value("BRAID_GIT_USERNAME") ?? DEFAULT_GIT_USERNAME;
    return { url: stripped, credentials: { username, password: token, from: "BRAID_GIT_TOKEN" } };
  }
  return { url: stripped };
}

/** A hint for an auth failure: which variable to set for this URL's host (for SSH: what ssh needs instead). */
export function authHint(url: string, credentials?: GitCredentials): string {
  if (classifyRemote(url).kind === "ssh")
    return "SSH logs in with a key, not a token: check that `ssh` reaches the host as this user with a key it accepts (~/.ssh/config, an agent, GIT_SSH_COMMAND or core.sshCommand) and that the user may read the repository";
  const [hostVar] = tokenVariablesFor(url).slice(-1);
  const name = hostVar ?? "BRAID_GIT_TOKEN";
  if (credentials) {
    return `the credentials from ${credentials.from} were refused; check that the token is valid and may read ${redactUrl(url)} (or set ${name})`;
  }
  return `set ${name} (or BRAID_GIT_TOKEN) to a token that may read the repository; optionally ${name.replace("TOKEN", "USERNAME")} (default username: ${DEFAULT_GIT_USERNAME})`;
}

/** The secrets to scrub for a set of credentials (the password and its Basic auth header form). */
export function secretsOf(credentials?: GitCredentials): string[] {
  if (!credentials) return [];
  const basic = Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64");
  return [credentials.password, basic];
}

/** Basic auth header value for credentials. */
export function basicAuthHeader(credentials: GitCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
}

function parseUrl(url: string): URL | undefined {
  if (!/^https?:\/\//i.test(url)) return undefined;
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}
