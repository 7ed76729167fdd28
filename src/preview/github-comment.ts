import { proxiedFetch } from "../model/http-proxy.js";
import { Octokit, RequestError, type GithubOctokit } from "../github/client.js";
import { BraidError } from "../diagnostics/diagnostic.js";
import { redactSecrets } from "../diagnostics/redact-url.js";
import { GITHUB_COMMENT_LIMIT, PREVIEW_MARKER } from "./format-markdown.js";

/** Where the sticky comment goes, and with which token. */
export interface GithubTarget {
  owner: string;
  repo: string;
  pr: number;
  token: string;
  /** REST API root, e.g. https://api.github.com or https://ghe.example.com/api/v3. */
  apiUrl: string;
  /** The PR comes from a fork (its event says so): GitHub gives such runs a read-only token. */
  fork?: boolean;
  /** The run's environment: its proxy variables (model/http-proxy.ts). */
  env?: Record<string, string | undefined>;
}

/** What upsertStickyComment did. */
export interface CommentResult {
  action: "created" | "updated" | "unchanged";
  id: number;
  url?: string;
}

/**
 * Works out the target from flags and the GitHub Actions environment: token from GITHUB_TOKEN, repository from
 * --repo or GITHUB_REPOSITORY, PR number from --pr or the event JSON at GITHUB_EVENT_PATH (pull_request.number,
 * issue.number or number), API root from GITHUB_API_URL. Missing pieces → GITHUB_CONTEXT.
 */
export async function githubTarget(
  env: Record<string, string | undefined>,
  flags: { repo?: string; pr?: string },
  readFile: (path: string) => Promise<string>,
): Promise<GithubTarget> {
  const fail = (message: string, hint: string) => new BraidError({ code: "GITHUB_CONTEXT", message, hint });
  const token = env.GITHUB_TOKEN;
  if (!token)
    throw fail(
      "GITHUB_TOKEN is not set",
      "in a workflow: env: { GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }} } and permissions: pull-requests: write",
    );
  const slug = flags.repo ?? env.GITHUB_REPOSITORY;
  const m = slug ? /^([^/\s]+)\/([^/\s]+)$/.exec(slug) : null;
  if (!m)
    throw fail(
      slug ? `repository "${slug}" is not owner/name` : "the repository is unknown",
      "pass --repo owner/name or set GITHUB_REPOSITORY",
    );
  let pr: number | undefined;
  let fork = false;
  if (flags.pr !== undefined) {
    if (!/^[1-9]\d*$/.test(flags.pr))
      throw fail(`--pr must be a pull-request number (got "${flags.pr}")`, "e.g. --pr 42");
    pr = Number(flags.pr);
  } else if (env.GITHUB_EVENT_PATH) {
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(await readFile(env.GITHUB_EVENT_PATH)) as Record<string, unknown>;
    } catch {
      throw fail(`cannot read the event JSON at ${env.GITHUB_EVENT_PATH}`, "pass --pr N");
    }
    const num = (o: unknown) =>
      o && typeof o === "object" && typeof (o as { number?: unknown }).number === "number"
        ? (o as { number: number }).number
        : undefined;
    pr = num(event.pull_request) ?? num(event.issue) ?? num(event);
    fork = isForkEvent(event);
  }
  if (!pr) throw fail("the pull-request number is unknown", "run on a pull_request event or pass --pr N");
  const apiUrl = (env.GITHUB_API_URL || "https://api.github.com").replace(/\/+$/, "");
  return { owner: m[1]!, repo: m[2]!, pr, token, apiUrl, env, ...(fork ? { fork } : {}) };
}

/** A pull_request event whose head repository is a fork (or another repository than the base). */
function isForkEvent(event: Record<string, unknown>): boolean {
  const pr = event.pull_request as
    | { head?: { repo?: { fork?: unknown; full_name?: unknown } | null }; base?: { repo?: { full_name?: unknown } } }
    | undefined;
  const head = pr?.head?.repo;
  if (!head) return false;
  if (head.fork === true) return true;
  return (
    typeof head.full_name === "string" &&
    typeof pr.base?.repo?.full_name === "string" &&
    head.full_name !== pr.base.repo.full_name
  );
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };

function apiError(e: unknown, t: GithubTarget, what: string): BraidError {
  const down = unreachable(e, t, what);
  if (down) return down;
  const where = `${t.owner}/${t.repo}#${t.pr}`;
  let message: string;
  let hint: string | undefined;
  if (e instanceof RequestError) {
    const headers = (e.response?.headers ?? {}) as Record<string, string | number | undefined>;
    const data = e.response?.data as { message?: unknown } | undefined;
    const said = typeof data?.message === "string" ? `: ${data.message}` : "";
    const limited =
      e.status === 429 ||
      (e.status === 403 && String(headers["x-ratelimit-remaining"]) === "0") ||
      /rate limit/i.test(said);
    if (limited) {
      const reset = Number(headers["x-ratelimit-reset"]);
      message = `GitHub API rate limit exceeded while trying to ${what} on ${where} (HTTP ${e.status}${said})`;
      hint =
        Number.isFinite(reset) && reset > 0
          ? `the limit resets at ${new Date(reset * 1000).toISOString()}; run again later`
          : "run again later";
    } else if (e.status === 401) {
      message = `GitHub rejected the token (HTTP 401${said}) while trying to ${what} on ${where}`;
      hint = "check GITHUB_TOKEN: it is missing, expired or not valid for this GitHub host (GITHUB_API_URL)";
    } else if (e.status === 403) {
      message = `GitHub refused to ${what} on ${where} (HTTP 403${said})`;
      hint =
        "the token needs permission to write PR comments: in the workflow, permissions: { pull-requests: write, issues: write }; forks get a read-only token";
    } else if (e.status === 404) {
      message = `GitHub answered 404${said} while trying to ${what} on ${where}`;
      hint = "check --repo and --pr, and that the token can see the repository";
    } else {
      message = `GitHub API error while trying to ${what} on ${where} (HTTP ${e.status}${said})`;
    }
  } else {
    message = `cannot reach the GitHub API at ${t.apiUrl} to ${what}: ${e instanceof Error ? e.message : String(e)}`;
  }
  const status = e instanceof RequestError && e.response ? e.status : undefined;
  return new BraidError(
    { code: "GITHUB_API", message: redactSecrets(message, [t.token]), hint: hint && redactSecrets(hint, [t.token]) },
    { status },
  );
}

/**
 * No answer at all (refused, reset, DNS, TLS, timeout): octokit reports these as a RequestError with status 500
 * and no response; say what happened instead of "HTTP 500".
 */
function unreachable(e: unknown, t: GithubTarget, what: string): BraidError | undefined {
  if (!(e instanceof RequestError) || e.response) return undefined;
  const cause = (e as { cause?: { message?: string; cause?: { code?: string; message?: string } } }).cause;
  const detail = cause?.cause?.code ?? cause?.cause?.message ?? cause?.message ?? e.message;
  let host = t.apiUrl;
  try {
    host = new URL(t.apiUrl).host;
  } catch {
    // keep the configured text
  }
  return new BraidError(
    {
      code: "GITHUB_API",
      message: redactSecrets(`cannot reach ${host} (${detail}) to ${what} on ${t.owner}/${t.repo}#${t.pr}`, [t.token]),
      hint: "check the network, a proxy, and GITHUB_API_URL (GitHub Enterprise); then run again",
    },
    { status: undefined },
  );
}

/** An Octokit client for the target with braid's settings: no retries, no throttling waits, no logging. */
function githubClient(t: GithubTarget): GithubOctokit {
  return new Octokit({
    auth: t.token,
    baseUrl: t.apiUrl,
    userAgent: "braid-preview",
    log: silent,
    retry: { enabled: false },
    request: { fetch: proxiedFetch(t.env) },
  });
}

/**
 * Creates or updates braid's sticky comment on the pull request: the first comment (over every page of the list)
 * whose body holds the marker is updated; without one, a comment is created. Comments without the marker are
 * never touched. A body equal to the current one is left alone. API failures → BraidError GITHUB_API (exit 3),
 * with the token never in the message.
 */
export async function upsertStickyComment(
  t: GithubTarget,
  body: string,
  marker = PREVIEW_MARKER,
): Promise<CommentResult> {
  let text = body.includes(marker) ? body : `${marker}\n${body}`;
  if (text.length >= GITHUB_COMMENT_LIMIT)
    text = text.slice(0, GITHUB_COMMENT_LIMIT - 80) + "\n\n_(cut: comment size limit)_\n";
  const octokit = githubClient(t);
  const params = { owner: t.owner, repo: t.repo, issue_number: t.pr };
  let found: { id: number; body?: string | null; html_url?: string } | undefined;
  try {
    search: for await (const page of octokit.paginate.iterator(octokit.rest.issues.listComments, {
      ...params,
      per_page: 100,
    })) {
      for (const c of page.data)
        if (c.body?.includes(marker)) {
          found = c;
          break search;
        }
    }
  } catch (e) {
    throw apiError(e, t, "list the pull request's comments");
  }
  try {
    if (!found) {
      const { data } = await octokit.rest.issues.createComment({ ...params, body: text });
      return { action: "created", id: data.id, url: data.html_url };
    }
    if (found.body === text) return { action: "unchanged", id: found.id, url: found.html_url };
    const { data } = await octokit.rest.issues.updateComment({
      owner: t.owner,
      repo: t.repo,
      comment_id: found.id,
      body: text,
    });
    return { action: "updated", id: data.id, url: data.html_url };
  } catch (e) {
    throw apiError(e, t, found ? "update the preview comment" : "create the preview comment");
  }
}
