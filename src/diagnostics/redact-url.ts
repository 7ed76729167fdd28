/**
 * URLs and texts made safe to show: user info is dropped from URLs and known secrets become `***`, so no
 * message, lock, inventory or cache path ever carries a token. Every message about a remote is built with
 * {@link redactUrl} / {@link redactSecrets}.
 */
import { classifyRemote, displayRemote } from "./remote-url.js";

/** The URL with any `user:password@` removed (`https://tok@host/x` → `https://host/x`). Non-URLs are returned unchanged. */
export function redactUrl(url: string): string {
  const spec = classifyRemote(url);
  // a URL WHATWG refuses (or reads with another host) may hide a token anywhere before its last "@"
  if (spec.kind === "invalid" || (spec.kind === "ssh" && spec.hasPassword)) return displayRemote(url);
  const parsed = parseUrl(url);
  if (!parsed || (!parsed.username && !parsed.password)) return url;
  // Rebuild by text so the rest of the URL is kept exactly as written.
  return url.replace(/^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)[^/?#]*@/, "$1");
}

/**
 * Removes secrets from a text: every occurrence of each secret (also URL-encoded and as used in a
 * Basic auth header) becomes `***`, and any `scheme://user:pass@` userinfo is dropped.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text.replace(/([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)[^\s@]*@/g, "$1");
  const forms = new Set<string>();
  for (const s of secrets) {
    if (!s) continue;
    forms.add(s);
    forms.add(encodeURIComponent(s));
  }
  // Longest first, so a secret that contains another is removed whole.
  for (const f of [...forms].sort((a, b) => b.length - a.length)) out = out.split(f).join("***");
  return out;
}

function parseUrl(url: string): URL | undefined {
  if (!/^https?:\/\//i.test(url)) return undefined;
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}
