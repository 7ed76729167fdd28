/**
 * The sticky PR comment against a local HTTP server that speaks the REST endpoints octokit calls
 * (list issue comments with Link-header pagination, create, update). Asserts the requests octokit really made.
 */
import { existsSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BraidError } from "../src/diagnostics/diagnostic.js";
import { main } from "../src/cli/main.js";
import { memoryIO } from "../src/cli/io.js";
import { githubTarget, upsertStickyComment, type GithubTarget } from "../src/preview/github-comment.js";
import { PREVIEW_MARKER } from "../src/preview/format-markdown.js";
import { makeFixtureRepo } from "./helpers/fixture-repo.js";
import { clusterYaml, fleetYaml } from "./helpers/fleet-dir.js";
import { OPENAPI_DIR } from "./helpers/openapi-fixture.js";

const TOKEN = "ghs_supersecrettoken1234567890";

interface Comment {
  id: number;
  body: string;
}
interface Logged {
  method: string;
  path: string;
  query: URLSearchParams;
  body?: { body?: string };
  auth?: string;
}

/** A fake GitHub: one PR (acme/fleet#7) with comments; `fail` makes every request answer with that status. */
class FakeGithub {
  comments: Comment[] = [];
  log: Logged[] = [];
  fail?: { status: number; headers?: Record<string, string>; message: string };
  nextId = 1000;
  server: Server = createServer((req, res) => void this.handle(req, res));
  url = "";

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/v3`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const u = new URL(req.url ?? "/", "http://x");
    const text = Buffer.concat(chunks).toString("utf8");
    this.log.push({
      method: req.method ?? "",
      path: u.pathname,
      query: u.searchParams,
      body: text ? JSON.parse(text) : undefined,
      auth: req.headers.authorization,
    });
    const send = (status: number, data: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
      res.end(JSON.stringify(data));
    };
    if (this.fail) return send(this.fail.status, { message: this.fail.message }, this.fail.headers);
    const list = /^\/api\/v3\/repos\/acme\/fleet\/issues\/7\/comments$/.exec(u.pathname);
    const one = /^\/api\/v3\/repos\/acme\/fleet\/issues\/comments\/(\d+)$/.exec(u.pathname);
    const view = (c: Comment) => ({
      id: c.id,
      body: c.body,
      html_url: `https://github.test/acme/fleet/pull/7#issuecomment-${c.id}`,
    });
    if (list && req.method === "GET") {
      const per = Number(u.searchParams.get("per_page") ?? 30);
      const page = Number(u.searchParams.get("page") ?? 1);
      const last = Math.max(1, Math.ceil(this.comments.length / per));
      const headers: Record<string, string> = {};
      if (page < last) {
        const link = (p: number) => `${this.url}/repos/acme/fleet/issues/7/comments?per_page=${per}&page=${p}`;
        headers.link = `<${link(page + 1)}>; rel="next", <${link(last)}>; rel="last"`;
      }
      return send(200, this.comments.slice((page - 1) * per, page * per).map(view), headers);
    }
    if (list && req.method === "POST") {
      const c = { id: this.nextId++, body: JSON.parse(text).body as string };
      this.comments.push(c);
      return send(201, view(c));
    }
    if (one && req.method === "PATCH") {
      const c = this.comments.find((x) => x.id === Number(one[1]));
      if (!c) return send(404, { message: "Not Found" });
      c.body = JSON.parse(text).body as string;
      return send(200, view(c));
    }
    send(404, { message: "Not Found" });
  }
}

const gh = new FakeGithub();
let target: GithubTarget;
beforeAll(async () => {
  await gh.start();
  target = { owner: "acme", repo: "fleet", pr: 7, token: TOKEN, apiUrl: gh.url };
});
afterAll(() => new Promise<void>((r) => gh.server.close(() => r())));
beforeEach(() => {
  gh.comments = [];
  gh.log = [];
  gh.fail = undefined;
});

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** 250 comments from people (some quoting braid without the marker), so the list has 3 pages of 100. */
function crowd(): Comment[] {
  return Array.from({ length: 250 }, (_, i) => ({
    id: i + 1,
    body: i === 3 ? "braid preview looks good" : `comment ${i}`,
  }));
}

describe("upsertStickyComment", () => {
  it("first run creates, second run updates the same comment, other comments are never touched", async () => {
    gh.comments = crowd();
    const before = structuredClone(gh.comments);
    const first = await upsertStickyComment(target, `${PREVIEW_MARKER}\nrun 1`);
    expect(first.action).toBe("created");
    // it read every page before deciding to create
    const gets = gh.log.filter((l) => l.method === "GET");
    expect(gets.map((g) => g.query.get("page") ?? "1")).toEqual(["1", "2", "3"]);
    expect(gets.every((g) => g.query.get("per_page") === "100")).toBe(true);
    expect(gh.log.filter((l) => l.method === "POST")).toHaveLength(1);
    expect(gh.log.every((l) => l.auth === `token ${TOKEN}`)).toBe(true);

    gh.log = [];
    const second = await upsertStickyComment(target, `${PREVIEW_MARKER}\nrun 2`);
    expect(second).toMatchObject({ action: "updated", id: first.id });
    const writes = gh.log.filter((l) => l.method !== "GET");
    expect(writes.map((w) => [w.method, w.path])).toEqual([
      ["PATCH", `/api/v3/repos/acme/fleet/issues/comments/${first.id}`],
    ]);
    expect(writes[0]!.body?.body).toBe(`${PREVIEW_MARKER}\nrun 2`);
    expect(gh.comments.filter((c) => c.body.includes(PREVIEW_MARKER))).toHaveLength(1);
    expect(gh.comments.slice(0, 250)).toEqual(before);
  });

  it("finds the marker on a later page and updates it; an identical body is left alone", async () => {
    gh.comments = crowd();
    gh.comments[180] = { id: 181, body: `${PREVIEW_MARKER}\nold` };
    const r = await upsertStickyComment(target, `${PREVIEW_MARKER}\nnew`);
    expect(r).toMatchObject({ action: "updated", id: 181 });
    expect(gh.log.filter((l) => l.method === "POST")).toHaveLength(0);
    gh.log = [];
    const again = await upsertStickyComment(target, `${PREVIEW_MARKER}\nnew`);
    expect(again.action).toBe("unchanged");
    expect(gh.log.filter((l) => l.method !== "GET")).toHaveLength(0);
  });

  it("adds the marker when the body lacks it", async () => {
    await upsertStickyComment(target, "plain body");
    expect(gh.comments[0]!.body.startsWith(PREVIEW_MARKER)).toBe(true);
  });

  it.each([
    ["401 bad credentials", { status: 401, message: "Bad credentials" }, /rejected the token/],
    ["403 forbidden", { status: 403, message: "Resource not accessible by integration" }, /refused.*403/],
    [
      "403 rate limit",
      {
        status: 403,
        message: "API rate limit exceeded",
        headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1700000000" },
      },
      /rate limit/,
    ],
    [
      "429 secondary rate limit",
      { status: 429, message: "You have exceeded a secondary rate limit", headers: { "retry-after": "60" } },
      /rate limit/,
    ],
    ["500", { status: 500, message: "boom" }, /GitHub API error/],
  ])("%s → GITHUB_API (exit 3), token never in the message", async (_name, fail, pattern) => {
    gh.fail = fail;
    const e = await upsertStickyComment(target, "x").then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(BraidError);
    const be = e as BraidError;
    expect(be.code).toBe("GITHUB_API");
    expect(be.exitCode).toBe(3);
    expect(be.message).toMatch(pattern);
    expect(JSON.stringify(be.diagnostic)).not.toContain(TOKEN);
    expect(gh.log).toHaveLength(1); // no retries
  });

  it("an unreachable API → GITHUB_API", async () => {
    const e = await upsertStickyComment({ ...target, apiUrl: "http://127.0.0.1:1" }, "x").catch((err: unknown) => err);
    expect((e as BraidError).code).toBe("GITHUB_API");
  });

  it("a closed port or a server that resets says 'cannot reach <host> (…)', not HTTP 500", async () => {
    const closed = await closedPort();
    const e1 = (await upsertStickyComment({ ...target, apiUrl: `http://127.0.0.1:${closed}/api/v3` }, "x").catch(
      (err: unknown) => err,
    )) as BraidError;
    expect(e1.code).toBe("GITHUB_API");
    expect(e1.exitCode).toBe(3);
    expect(e1.message).toBe(
      `cannot reach 127.0.0.1:${closed} (ECONNREFUSED) to list the pull request's comments on acme/fleet#7`,
    );
    const reset = createNetServer((s) => s.resetAndDestroy());
    await new Promise<void>((r) => reset.listen(0, "127.0.0.1", r));
    const port = (reset.address() as AddressInfo).port;
    const e2 = (await upsertStickyComment({ ...target, apiUrl: `http://127.0.0.1:${port}` }, "x").catch(
      (err: unknown) => err,
    )) as BraidError;
    await new Promise<void>((r) => reset.close(() => r()));
    expect(e2.message).toBe(
      `cannot reach 127.0.0.1:${port} (ECONNRESET) to list the pull request's comments on acme/fleet#7`,
    );
    expect(e2.message).not.toContain("500");
  });
});

describe("githubTarget", () => {
  const eventFile = async (event: unknown) => {
    const p = join(await mkdtemp(join(tmpdir(), "braid-event-")), "event.json");
    await writeFile(p, JSON.stringify(event));
    return p;
  };
  const read = (p: string) => import("node:fs/promises").then((fs) => fs.readFile(p, "utf8"));

  it("reads GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_EVENT_PATH and GITHUB_API_URL", async () => {
    const env = {
      GITHUB_TOKEN: TOKEN,
      GITHUB_REPOSITORY: "acme/fleet",
      GITHUB_EVENT_PATH: await eventFile({ pull_request: { number: 42 } }),
      GITHUB_API_URL: "https://ghe.test/api/v3/",
    };
    expect(await githubTarget(env, {}, read)).toEqual({
      owner: "acme",
      repo: "fleet",
      pr: 42,
      token: TOKEN,
      apiUrl: "https://ghe.test/api/v3",
      env, // its proxy variables, for the API requests
    });
  });

  it("flags win over the environment; the default API is api.github.com", async () => {
    const env = {
      GITHUB_TOKEN: TOKEN,
      GITHUB_REPOSITORY: "acme/fleet",
      GITHUB_EVENT_PATH: await eventFile({ number: 1 }),
    };
    expect(await githubTarget(env, { repo: "other/repo", pr: "9" }, read)).toMatchObject({
      owner: "other",
      repo: "repo",
      pr: 9,
      apiUrl: "https://api.github.com",
    });
  });

  it.each([
    ["no token", {}, { repo: "a/b", pr: "1" }],
    ["no repository", { GITHUB_TOKEN: "t" }, { pr: "1" }],
    ["bad repository", { GITHUB_TOKEN: "t" }, { repo: "nope", pr: "1" }],
    ["no PR", { GITHUB_TOKEN: "t" }, { repo: "a/b" }],
    ["bad PR", { GITHUB_TOKEN: "t" }, { repo: "a/b", pr: "x1" }],
  ])("%s → GITHUB_CONTEXT (exit 2)", async (_n, env, flags) => {
    const e = (await githubTarget(env, flags, read).catch((err: unknown) => err)) as BraidError;
    expect(e.code).toBe("GITHUB_CONTEXT");
    expect(e.exitCode).toBe(2);
  });
});

const OPENAPI = OPENAPI_DIR;
const haveOpenApi = existsSync(join(OPENAPI, "v1.34.json"));

describe.skipIf(!haveOpenApi)("braid preview --github-comment", () => {
  let fleet: string;
  beforeAll(async () => {
    const src = await makeFixtureRepo([
      {
        files: {
          "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a, namespace: default }\ndata: { k: '1' }\n",
        },
        tags: ["v1.0.0"],
      },
      {
        files: {
          "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a, namespace: default }\ndata: { k: '2' }\n",
        },
        tags: ["v1.1.0"],
      },
    ]);
    const yaml = (tag: string) => fleetYaml(`    - name: s\n      url: ${src.dir}\n      ref: { tag: ${tag} }`);
    const repo = await makeFixtureRepo([
      { files: { "braid.yaml": yaml("v1.0.0"), "clusters/one.yaml": clusterYaml("one") } },
      { files: { "braid.yaml": yaml("v1.1.0") } },
    ]);
    fleet = repo.dir;
  }, 60_000);

  async function cli(extraEnv: Record<string, string>, flags: string[] = ["--repo", "acme/fleet", "--pr", "7"]) {
    const cache = await mkdtemp(join(tmpdir(), "braid-gh-cache-"));
    const io = memoryIO({
      cwd: fleet,
      env: { BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: cache, GITHUB_API_URL: gh.url, ...extraEnv },
    });
    const code = await main(["preview", "--base", "HEAD~1", "--head", "HEAD", "--github-comment", ...flags], io);
    return { code, out: io.out.join(""), err: io.err.join("") };
  }

  it("--format json with a failing comment: stdout stays one PreviewResult document (exit 3)", async () => {
    gh.fail = { status: 401, message: "Bad credentials" };
    const r = await cli({ GITHUB_TOKEN: TOKEN }, ["--repo", "acme/fleet", "--pr", "7", "--format", "json"]);
    expect(r.code).toBe(3);
    expect((JSON.parse(r.out) as { kind: string }).kind).toBe("PreviewResult");
    expect(r.err).toContain("error GITHUB_API");
  }, 60_000);

  it("unreachable GitHub API → exit 3, 'cannot reach' (not HTTP 500)", async () => {
    const port = await closedPort();
    const r = await cli({ GITHUB_TOKEN: TOKEN, GITHUB_API_URL: `http://127.0.0.1:${port}` });
    expect(r.code).toBe(3);
    expect(r.err).toContain(`error GITHUB_API: cannot reach 127.0.0.1:${port} (ECONNREFUSED)`);
    expect(r.err).not.toContain("HTTP 500");
  }, 60_000);

  it("a PR from a fork (403, read-only token) → a notice and the preview's exit code; other PRs still fail", async () => {
    const event = join(await mkdtemp(join(tmpdir(), "braid-event-")), "event.json");
    const pr = (fork: boolean) => ({
      number: 7,
      head: { repo: { fork, full_name: fork ? "someone/fleet" : "acme/fleet" } },
      base: { repo: { full_name: "acme/fleet" } },
    });
    gh.fail = { status: 403, message: "Resource not accessible by integration" };
    await writeFile(event, JSON.stringify({ pull_request: pr(true) }));
    const env = {
      GITHUB_TOKEN: TOKEN,
      GITHUB_REPOSITORY: "acme/fleet",
      GITHUB_EVENT_PATH: event,
      GITHUB_ACTIONS: "true",
    };
    const r = await cli(env, []);
    expect(r.code).toBe(0);
    expect(r.out).toContain("braid preview");
    expect(r.err).toMatch(
      /^::notice title=braid preview::a pull request from a fork has a read-only token: the preview comment was not posted \(GitHub refused/m,
    );
    await writeFile(event, JSON.stringify({ pull_request: pr(false) }));
    const same = await cli(env, []);
    expect(same.code).toBe(3);
    expect(same.err).toContain("error GITHUB_API");
    const optional = await cli(env, ["--comment-optional"]);
    expect(optional.code).toBe(0);
    expect(optional.err).toMatch(
      /^::notice title=braid preview::--comment-optional: the preview comment was not posted/m,
    );
  }, 60_000);

  it("posts the markdown once, then updates it", async () => {
    const r1 = await cli({ GITHUB_TOKEN: TOKEN });
    expect(r1.code).toBe(0);
    expect(r1.err).toContain("preview comment created");
    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]!.body).toContain('+  k: "2"');
    expect(gh.comments[0]!.body).toBe(r1.out);
    const r2 = await cli({ GITHUB_TOKEN: TOKEN });
    expect(r2.code).toBe(0);
    expect(gh.comments).toHaveLength(1);
    expect(r2.err).toMatch(/preview comment (updated|unchanged)/);
  }, 60_000);

  it.each([
    [401, {}],
    [403, { "x-ratelimit-remaining": "0" }],
    [429, {}],
  ])(
    "GitHub answering %s → exit 3, the preview is still printed, no token in the output",
    async (status, headers) => {
      gh.fail = { status, message: "nope", headers };
      const r = await cli({ GITHUB_TOKEN: TOKEN });
      expect(r.code).toBe(3);
      expect(r.err).toContain("GITHUB_API");
      expect(r.out).toContain("braid preview");
      expect(r.err + r.out).not.toContain(TOKEN);
    },
    60_000,
  );

  it("no token → exit 2 before rendering", async () => {
    const r = await cli({});
    expect(r.code).toBe(2);
    expect(r.err).toContain("GITHUB_CONTEXT");
    expect(r.out).toBe("");
  });
});
