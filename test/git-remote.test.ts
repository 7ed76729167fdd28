import fs from "node:fs";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import git from "isomorphic-git";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BraidError } from "../src/diagnostics/diagnostic.js";
import {
  cachePathFor,
  ensureCommits,
  fetchBranch,
  listRemoteRefs,
  pushBranch,
  syncRemote,
} from "../src/git/git-remote.js";
import { makeFixtureRepo, git as gitCli } from "./helpers/fixture-repo.js";
import { type GitServer, startGitServer } from "./helpers/git-http-server.js";

const TOKEN = "s3cret-t0ken-value";

/** Runs fn and returns the BraidError it throws (fails the test if it does not throw one). */
async function braidError(fn: () => Promise<unknown>): Promise<BraidError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof BraidError) return e;
    throw new Error(`expected a BraidError, got: ${String(e)}`, { cause: e });
  }
  throw new Error("expected a BraidError, nothing was thrown");
}

let root: string;
let work: string; // working repo whose bare clone is served as base.git
let commits: string[];
let server: GitServer;
let scratch: string[] = [];

async function tempDir(prefix: string): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), prefix));
  scratch.push(d);
  return d;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "braid-remote-"));
  const made = await makeFixtureRepo(
    [
      { files: { "a.yaml": "a: 1\n" }, tags: ["v1.0.0"] },
      { files: { "a.yaml": "a: 2\n" }, tags: [{ name: "v1.1.0", annotated: true }, "not-semver"] },
    ],
    { dir: join(root, "base") },
  );
  work = made.dir;
  commits = made.commits;
  await gitCli(root, ["clone", "-q", "--bare", work, join(root, "base.git")]);
  await gitCli(work, ["remote", "add", "origin", join(root, "base.git")]);
  server = await startGitServer({ root });
});

afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

afterEach(async () => {
  for (const d of scratch) await rm(d, { recursive: true, force: true });
  scratch = [];
});

const bareRevParse = (repo: string, ref: string): Promise<string> => gitCli(join(root, repo), ["rev-parse", ref]);

describe("syncRemote", () => {
  it("clones into a bare mirror cache, keeps annotated tags annotated, and does not refetch", async () => {
    const cacheDir = await tempDir("braid-cache-");
    const url = `${server.url}/base.git`;
    const first = await syncRemote({ url, cacheDir, env: {} });
    expect(first).toEqual({ gitdir: cachePathFor(cacheDir, url), fetched: true });
    const gitdir = first.gitdir;
    expect(gitdir).toMatch(/[/\\]git[/\\][0-9a-f]{16}\.git$/);

    expect(await git.resolveRef({ fs, gitdir, ref: "refs/heads/main" })).toBe(commits[1]);
    expect(await git.resolveRef({ fs, gitdir, ref: "refs/tags/v1.0.0" })).toBe(commits[0]);
    const annotated = await git.resolveRef({ fs, gitdir, ref: "refs/tags/v1.1.0" });
    expect(annotated).not.toBe(commits[1]);
    const tag = await git.readTag({ fs, gitdir, oid: annotated });
    expect(tag.tag.object).toBe(commits[1]);
    expect((await git.listTags({ fs, gitdir })).sort()).toEqual(["not-semver", "v1.0.0", "v1.1.0"]);
    expect(await gitCli(gitdir, ["symbolic-ref", "HEAD"])).toBe("refs/heads/main");
    // git itself can read the mirror
    expect(await gitCli(gitdir, ["rev-parse", "v1.1.0^{commit}"])).toBe(commits[1]);

    // refs packed (as `git gc` would), with the peeled line of the annotated tag: a sync that changes nothing
    // leaves that file alone (the sync took the `v1.1.0^{}` line for a ref the remote lacks and failed with
    // InvalidRefNameError deleting it)
    await gitCli(gitdir, ["pack-refs", "--all"]);
    const packed = await readFile(join(gitdir, "packed-refs"), "utf8");
    expect(packed).toMatch(/^\^[0-9a-f]{40}$/m);
    const before = fs.statSync(join(gitdir, "packed-refs"), { bigint: true });
    const again = await syncRemote({ url, cacheDir, env: {}, extraRefs: [] });
    expect(again).toEqual({ gitdir, fetched: false });
    const after = fs.statSync(join(gitdir, "packed-refs"), { bigint: true });
    expect([after.ino, after.mtimeNs]).toEqual([before.ino, before.mtimeNs]);
    expect(await readFile(join(gitdir, "packed-refs"), "utf8")).toBe(packed);
  });

  it("fetches a tag pushed later, and follows moved and deleted tags and branches", async () => {
    const cacheDir = await tempDir("braid-cache-");
    const url = `${server.url}/base.git`;
    const { gitdir } = await syncRemote({ url, cacheDir, env: {} });

    await writeFile(join(work, "a.yaml"), "a: 3\n");
    await gitCli(work, ["commit", "-qam", "three"]);
    const c3 = await gitCli(work, ["rev-parse", "HEAD"]);
    await gitCli(work, ["tag", "-a", "v1.2.0", "-m", "v1.2.0"]);
    await gitCli(work, ["push", "-q", "origin", "main", "v1.2.0"]);
    await gitCli(join(root, "base.git"), ["tag", "-d", "not-semver"]);
    await gitCli(join(root, "base.git"), ["tag", "-f", "v1.0.0", commits[1]!]);
    await gitCli(join(root, "base.git"), ["branch", "gone", commits[0]!]);

    const r = await syncRemote({ url, cacheDir, env: {} });
    expect(r.fetched).toBe(true);
    const v12 = await git.resolveRef({ fs, gitdir, ref: "refs/tags/v1.2.0" });
    expect((await git.readTag({ fs, gitdir, oid: v12 })).tag.object).toBe(c3);
    expect(await git.resolveRef({ fs, gitdir, ref: "refs/heads/main" })).toBe(c3);
    expect(await git.resolveRef({ fs, gitdir, ref: "refs/tags/v1.0.0" })).toBe(commits[1]);
    expect(await git.listTags({ fs, gitdir })).not.toContain("not-semver");
    expect(await git.listBranches({ fs, gitdir })).toContain("gone");

    await gitCli(join(root, "base.git"), ["branch", "-D", "gone"]);
    const r2 = await syncRemote({ url, cacheDir, env: {} });
    expect(r2.fetched).toBe(false); // only refs changed: no objects to download
    expect(await git.listBranches({ fs, gitdir })).not.toContain("gone");
  });

  it("fetches refs like refs/pull/42/head on demand", async () => {
    await gitCli(work, ["checkout", "-q", "-b", "feature"]);
    await writeFile(join(work, "pr.yaml"), "pr: 42\n");
    await gitCli(work, ["add", "pr.yaml"]);
    await gitCli(work, ["commit", "-qm", "pr"]);
    const pr = await gitCli(work, ["rev-parse", "HEAD"]);
    await gitCli(work, ["push", "-q", "origin", "feature:refs/pull/42/head"]);
    await gitCli(work, ["checkout", "-q", "main"]);

    const cacheDir = await tempDir("braid-cache-");
    const url = `${server.url}/base.git`;
    const { gitdir } = await syncRemote({ url, cacheDir, env: {} });
    await expect(git.resolveRef({ fs, gitdir, ref: "refs/pull/42/head" })).rejects.toThrow();

    const r = await syncRemote({ url, cacheDir, env: {}, extraRefs: ["refs/pull/42/head", "refs/pull/999/head"] });
    expect(r.fetched).toBe(true);
    expect(await git.resolveRef({ fs, gitdir, ref: "refs/pull/42/head" })).toBe(pr);
    expect((await git.readCommit({ fs, gitdir, oid: pr })).commit.message).toBe("pr\n");
  });

  it("shares one in-flight sync between concurrent callers", async () => {
    const cacheDir = await tempDir("braid-cache-");
    const url = `${server.url}/base.git`;
    const before = server.requests.length;
    const [a, b] = await Promise.all([syncRemote({ url, cacheDir, env: {} }), syncRemote({ url, cacheDir, env: {} })]);
    expect(a).toEqual(b);
    const made = server.requests.slice(before);
    // one listing + one fetch (discovery + pack): a second sync would double these
    expect(made.filter((r) => r.method === "GET")).toHaveLength(2);
    expect(made.filter((r) => r.method === "POST")).toHaveLength(1);
  });

  it("stores no credentials in the cache and uses the same cache with or without them", async () => {
    const cacheDir = await tempDir("braid-cache-");
    const url = `${server.url}/base.git`.replace("http://", `http://bot:${TOKEN}@`);
    const { gitdir } = await syncRemote({ url, cacheDir, env: {} });
    expect(gitdir).toBe(cachePathFor(cacheDir, `${server.url}/base.git`));
    const config = await readFile(join(gitdir, "config"), "utf8");
    expect(config).not.toContain(TOKEN);
    expect(config).toContain(`url = ${server.url}/base.git`);
  });

  it("reports a missing repository as SOURCE_NOT_FOUND", async () => {
    const cacheDir = await tempDir("braid-cache-");
    const err = await braidError(() => syncRemote({ url: `${server.url}/nope.git`, cacheDir, env: {} }));
    expect(err.code).toBe("SOURCE_NOT_FOUND");
    expect(err.message).toContain(`${server.url}/nope.git`);
    expect(fs.existsSync(cachePathFor(cacheDir, `${server.url}/nope.git`))).toBe(false);
    const left = fs.existsSync(join(cacheDir, "git")) ? fs.readdirSync(join(cacheDir, "git")) : [];
    expect(left).toEqual([]); // no half-made mirror left behind
  });
});

describe("ensureCommits", () => {
  it("does not touch the network when every commit is cached, fetches when one is missing", async () => {
    const cacheDir = await tempDir("braid-cache-");
    const url = `${server.url}/base.git`;
    const first = await ensureCommits({ url, cacheDir, env: {} }, [commits[0]!]);
    expect(first.fetched).toBe(true); // no cache yet
    expect(first.missing).toEqual([]);

    const before = server.requests.length;
    const again = await ensureCommits({ url, cacheDir, env: {} }, [commits[0]!, commits[1]!]);
    expect(again).toEqual({ gitdir: first.gitdir, fetched: false, missing: [] });
    expect(server.requests.length).toBe(before);

    await writeFile(join(work, "later.yaml"), "later: true\n");
    await gitCli(work, ["add", "later.yaml"]);
    await gitCli(work, ["commit", "-qm", "later"]);
    const later = await gitCli(work, ["rev-parse", "HEAD"]);
    await gitCli(work, ["push", "-q", "origin", "main"]);
    const third = await ensureCommits({ url, cacheDir, env: {} }, [commits[0]!, later]);
    expect(third.fetched).toBe(true);
    expect(third.missing).toEqual([]);

    const bogus = "0123456789abcdef0123456789abcdef01234567";
    const fourth = await ensureCommits({ url, cacheDir, env: {} }, [later, bogus]);
    expect(fourth.missing).toEqual([bogus]);
  });
});

describe("ensureCommits with the system git", () => {
  const withGit = { PATH: process.env.PATH ?? "" };
  const has = (gitdir: string, oid: string) =>
    gitCli(gitdir, ["cat-file", "-e", `${oid}^{commit}`]).then(
      () => true,
      () => false,
    );

  it("fetches only the commits asked for, without their history, and no more once they are there", async () => {
    const cacheDir = await tempDir("braid-cache-");
    const url = `${server.url}/base.git`;
    const first = await ensureCommits({ url, cacheDir, env: withGit }, [commits[1]!]);
    expect([first.fetched, first.missing]).toEqual([true, []]);
    expect(await readFile(join(first.gitdir, "shallow"), "utf8")).toBe(`${commits[1]}\n`);
    expect([await has(first.gitdir, commits[0]!), await has(first.gitdir, commits[1]!)]).toEqual([false, true]);
    expect(await gitCli(first.gitdir, ["show", `${commits[1]}:a.yaml`])).toBe("a: 2");
    const before = server.requests.length;
    expect((await ensureCommits({ url, cacheDir, env: withGit }, [commits[1]!])).fetched).toBe(false);
    expect(server.requests.length).toBe(before);
    // the parent, asked for later, by id too
    expect((await ensureCommits({ url, cacheDir, env: withGit }, [commits[0]!])).missing).toEqual([]);
    expect(await has(first.gitdir, commits[0]!)).toBe(true);
  });

  it("a server that does not answer the fetch by id is not asked again for the whole mirror: one timeout", async () => {
    const hang = await startGitServer({ root, hang: true });
    try {
      const cacheDir = await tempDir("braid-cache-");
      const url = `${hang.url}/base.git`;
      const err = await braidError(() => ensureCommits({ url, cacheDir, env: withGit, timeoutMs: 400 }, [commits[1]!]));
      expect([err.code, err.message]).toEqual([
        "SOURCE_UNREACHABLE",
        `${url} did not answer within 400 ms (git fetch)`,
      ]);
      expect(hang.requests).toHaveLength(1);
      expect(await fs.promises.readdir(join(cacheDir, "git")).catch(() => [])).toEqual([]);
    } finally {
      await hang.close();
    }
  });

  it("a sync of a shallow cache makes it a whole mirror, with the system git and with isomorphic-git", async () => {
    for (const syncEnv of [withGit, {}]) {
      const cacheDir = await tempDir("braid-cache-");
      const url = `${server.url}/base.git`;
      const { gitdir } = await ensureCommits({ url, cacheDir, env: withGit }, [commits[1]!]);
      expect(await pathExistsAt(join(gitdir, "shallow"))).toBe(true);
      await syncRemote({ url, cacheDir, env: syncEnv });
      expect(await pathExistsAt(join(gitdir, "shallow"))).toBe(false);
      expect(await has(gitdir, commits[0]!)).toBe(true);
      for (const ref of ["v1.0.0^{commit}", "v1.1.0^{commit}", "main"])
        expect(await gitCli(gitdir, ["rev-parse", ref])).toBe(await bareRevParse("base.git", ref));
      expect(await gitCli(gitdir, ["rev-list", "--count", "main"])).toBe(
        await gitCli(join(root, "base.git"), ["rev-list", "--count", "main"]),
      );
      // nothing left behind beside the mirror
      expect((await fs.promises.readdir(join(cacheDir, "git"))).filter((n) => n.includes(".tmp-"))).toEqual([]);
    }
  });
});

describe("ensureCommits with the system git, on a whole mirror", () => {
  it("fetches a missing commit as a sync (only what is new) and stays whole", async () => {
    const withGit = { PATH: process.env.PATH ?? "" };
    const cacheDir = await tempDir("braid-cache-");
    const url = `${server.url}/base.git`;
    const { gitdir } = await syncRemote({ url, cacheDir, env: withGit });
    await writeFile(join(work, "whole.yaml"), "whole: true\n");
    await gitCli(work, ["add", "whole.yaml"]);
    await gitCli(work, ["commit", "-qm", "whole"]);
    const later = await gitCli(work, ["rev-parse", "HEAD"]);
    await gitCli(work, ["push", "-q", "origin", "HEAD:main"]);
    expect((await ensureCommits({ url, cacheDir, env: withGit }, [later])).missing).toEqual([]);
    expect(await pathExistsAt(join(gitdir, "shallow"))).toBe(false);
    expect(await gitCli(gitdir, ["rev-parse", "main"])).toBe(later);
  });
});

const pathExistsAt = (p: string): Promise<boolean> =>
  fs.promises.stat(p).then(
    () => true,
    () => false,
  );

describe("listRemoteRefs", () => {
  it("lists branches and tags with peeled annotated tags and the default branch, without fetching", async () => {
    const before = server.requests.length;
    const { refs, head } = await listRemoteRefs({ url: `${server.url}/base.git`, cacheDir: "/nonexistent", env: {} });
    expect(server.requests.length).toBe(before + 1);
    expect(head).toBe("refs/heads/main");
    const v11 = refs.find((r) => r.ref === "refs/tags/v1.1.0");
    expect(v11?.peeled).toBe(commits[1]);
    expect(v11?.oid).not.toBe(commits[1]);
    expect(refs.find((r) => r.ref === "refs/heads/main")).toBeDefined();
    expect(refs.some((r) => r.ref === "HEAD" || r.ref.endsWith("^{}"))).toBe(false);
    expect(fs.existsSync("/nonexistent")).toBe(false);
  });
});

describe("auth", () => {
  let authServer: GitServer;
  beforeAll(async () => {
    authServer = await startGitServer({ root, auth: { username: "bot", password: TOKEN } });
  });
  afterAll(async () => {
    await authServer.close();
  });
  const host = (): string => new URL(authServer.url).host; // 127.0.0.1:PORT

  it("uses the per-host token from the environment", async () => {
    const cacheDir = await tempDir("braid-cache-");
    const env = { BRAID_GIT_TOKEN_127_0_0_1: TOKEN, BRAID_GIT_USERNAME_127_0_0_1: "bot" };
    const r = await syncRemote({ url: `${authServer.url}/base.git`, cacheDir, env });
    expect(r.fetched).toBe(true);
    expect(await git.resolveRef({ fs, gitdir: r.gitdir, ref: "refs/heads/main" })).toBe(
      await bareRevParse("base.git", "main"),
    );
    const expected = `Basic ${Buffer.from(`bot:${TOKEN}`).toString("base64")}`;
    expect(authServer.requests.at(-1)?.authorization).toBe(expected);
  });

  it("uses BRAID_GIT_TOKEN and credentials embedded in the URL", async () => {
    const url = `${authServer.url}/base.git`;
    const a = await listRemoteRefs({ url, cacheDir: "", env: { BRAID_GIT_TOKEN: TOKEN, BRAID_GIT_USERNAME: "bot" } });
    expect(a.head).toBe("refs/heads/main");
    const b = await listRemoteRefs({ url: url.replace("http://", `http://bot:${TOKEN}@`), cacheDir: "", env: {} });
    expect(b.refs).toEqual(a.refs);
  });

  it("fails clearly without credentials: SOURCE_AUTH, exit 3, hint naming the variable", async () => {
    const cacheDir = await tempDir("braid-cache-");
    const err = await braidError(() => syncRemote({ url: `${authServer.url}/base.git`, cacheDir, env: {} }));
    expect(err.code).toBe("SOURCE_AUTH");
    expect(err.exitCode).toBe(3);
    expect(err.message).toContain(`${authServer.url}/base.git`);
    expect(err.diagnostic.hint).toContain("BRAID_GIT_TOKEN_127_0_0_1");
    expect(host()).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it.each([
    ["a wrong token from the environment", (u: string) => u, { BRAID_GIT_TOKEN_127_0_0_1: "wrong-token-xyz" }],
    ["a wrong token in the URL", (u: string) => u.replace("http://", "http://bot:wrong-token-xyz@"), {}],
  ])("never prints %s", async (_name, urlOf, env) => {
    const cacheDir = await tempDir("braid-cache-");
    const err = await braidError(() => syncRemote({ url: urlOf(`${authServer.url}/base.git`), cacheDir, env }));
    expect(err.code).toBe("SOURCE_AUTH");
    const printed = JSON.stringify(err.diagnostic) + err.message + String(err.stack);
    expect(printed).not.toContain("wrong-token-xyz");
    expect(printed).not.toContain(Buffer.from("bot:wrong-token-xyz").toString("base64"));
  });
});

describe("unreachable remotes", () => {
  it("reports a server that is down quickly, as SOURCE_UNREACHABLE (exit 3)", async () => {
    const dead = await startGitServer({ root });
    const url = `${dead.url}/base.git`;
    await dead.close();
    const cacheDir = await tempDir("braid-cache-");
    // a refused connection fails at once: no retry loop, no timeout to wait for (the test's own timeout bounds it)
    const err = await braidError(() => syncRemote({ url, cacheDir, env: {}, timeoutMs: 60_000 }));
    expect(err.code).toBe("SOURCE_UNREACHABLE");
    expect(err.exitCode).toBe(3);
    expect(err.message).toContain(url);
  });

  it("reports an unknown host as SOURCE_UNREACHABLE", async () => {
    const err = await braidError(() =>
      listRemoteRefs({ url: "http://braid-test.invalid/x.git", cacheDir: "", env: {}, timeoutMs: 2_000 }),
    );
    expect(err.code).toBe("SOURCE_UNREACHABLE");
    expect(err.message).toContain("http://braid-test.invalid/x.git");
  });

  it("gives up on a server that never answers within the timeout, naming URL and timeout, no token", async () => {
    const hang = await startGitServer({ root, hang: true });
    try {
      const cacheDir = await tempDir("braid-cache-");
      const url = `${hang.url}/base.git`;
      const err = await braidError(() =>
        syncRemote({ url: url.replace("http://", `http://bot:${TOKEN}@`), cacheDir, env: {}, timeoutMs: 400 }),
      );
      // the server saw the request and never answered: the timeout, not a refusal, ended it
      expect(err.code).toBe("SOURCE_UNREACHABLE");
      expect(err.message).toBe(`${url} did not answer within 400 ms`);
      expect(JSON.stringify(err.diagnostic)).not.toContain(TOKEN);
      expect(hang.requests.length).toBeGreaterThan(0);
    } finally {
      await hang.close();
    }
  });
});

describe("idle timeout while reading a response", () => {
  it("gives up when a server stops sending mid-body", async () => {
    const sockets = new Set<import("node:net").Socket>();
    const stall = createServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/x-git-upload-pack-advertisement" });
      res.write("001e# service=git-upload-pack\n0000"); // then nothing, connection kept open
    });
    stall.on("connection", (s) => sockets.add(s));
    await new Promise<void>((r) => stall.listen(0, "127.0.0.1", () => r()));
    const { port } = stall.address() as import("node:net").AddressInfo;
    try {
      const err = await braidError(() =>
        listRemoteRefs({ url: `http://127.0.0.1:${port}/x.git`, cacheDir: "", env: {}, timeoutMs: 300 }),
      );
      expect(err.code).toBe("SOURCE_UNREACHABLE");
      expect(err.message).toBe(`http://127.0.0.1:${port}/x.git did not answer within 300 ms`);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => stall.close(() => r()));
    }
  });
});

describe("pushBranch and fetchBranch", () => {
  let local: { dir: string; commits: string[] };
  const deployUrl = (): string => `${server.url}/deploy.git`;

  beforeAll(async () => {
    await gitCli(root, ["init", "-q", "--bare", "-b", "main", join(root, "deploy.git")]);
    local = await makeFixtureRepo([
      { files: { "README.md": "fleet\n" } },
      { files: { "clusters/a/x.yaml": "x: 1\n" }, branch: "deploy" },
    ]);
  });
  afterAll(async () => {
    await rm(local.dir, { recursive: true, force: true });
  });
  const gitdir = (): string => join(local.dir, ".git");

  it("pushes a new branch and then a fast-forward", async () => {
    const opts = {
      url: deployUrl(),
      cacheDir: "",
      env: {},
      gitdir: gitdir(),
      localRef: "refs/heads/deploy",
      remoteRef: "refs/heads/deploy",
    };
    expect(await pushBranch(opts)).toEqual({ ok: true });
    expect(await bareRevParse("deploy.git", "refs/heads/deploy")).toBe(local.commits[1]);

    await writeFile(join(local.dir, "clusters/a/y.yaml"), "y: 1\n");
    await gitCli(local.dir, ["add", "-A"]);
    await gitCli(local.dir, ["commit", "-qm", "ff"]);
    const ff = await gitCli(local.dir, ["rev-parse", "HEAD"]);
    expect(await pushBranch(opts)).toEqual({ ok: true });
    expect(await bareRevParse("deploy.git", "refs/heads/deploy")).toBe(ff);
  });

  it("fetches the remote branch into a local ref, or returns undefined when it does not exist", async () => {
    const tip = await bareRevParse("deploy.git", "refs/heads/deploy");
    const fresh = await makeFixtureRepo([{ files: { "README.md": "other clone\n" } }]);
    try {
      const gd = join(fresh.dir, ".git");
      const oid = await fetchBranch({
        url: deployUrl(),
        cacheDir: "",
        env: {},
        gitdir: gd,
        remoteRef: "deploy",
        localRef: "refs/braid/deploy",
      });
      expect(oid).toBe(tip);
      expect(await git.resolveRef({ fs, gitdir: gd, ref: "refs/braid/deploy" })).toBe(tip);
      expect(await gitCli(fresh.dir, ["cat-file", "-t", `${tip}^{tree}`])).toBe("tree");
      const config = await readFile(join(gd, "config"), "utf8");
      // one fixed refspec of braid's own, written once and never removed (adding and removing it per
      // fetch raced between processes sharing a cache: issue 15.2)
      expect(config.match(/fetch = .*/g)).toEqual(["fetch = +refs/heads/*:refs/braid/fetched/*"]);

      const none = await fetchBranch({
        url: deployUrl(),
        cacheDir: "",
        env: {},
        gitdir: gd,
        remoteRef: "refs/heads/nope",
        localRef: "refs/braid/nope",
      });
      expect(none).toBeUndefined();
    } finally {
      await rm(fresh.dir, { recursive: true, force: true });
    }
  });

  it("reports a push that is not a fast-forward as such, without throwing", async () => {
    // someone else publishes first
    const other = await tempDir("braid-other-");
    await gitCli(other, ["clone", "-q", "-b", "deploy", join(root, "deploy.git"), "c"]);
    await writeFile(join(other, "c", "race.yaml"), "r: 1\n");
    await gitCli(join(other, "c"), ["add", "-A"]);
    await gitCli(join(other, "c"), ["commit", "-qm", "other publisher"]);
    await gitCli(join(other, "c"), ["push", "-q", "origin", "deploy"]);
    const theirs = await bareRevParse("deploy.git", "refs/heads/deploy");

    await writeFile(join(local.dir, "clusters/a/z.yaml"), "z: 1\n");
    await gitCli(local.dir, ["add", "-A"]);
    await gitCli(local.dir, ["commit", "-qm", "ours"]);
    const opts = {
      url: deployUrl(),
      cacheDir: "",
      env: {},
      gitdir: gitdir(),
      localRef: "refs/heads/deploy",
      remoteRef: "refs/heads/deploy",
    };
    const r = await pushBranch(opts);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe("non-fast-forward");
    expect(await bareRevParse("deploy.git", "refs/heads/deploy")).toBe(theirs);

    // even when we hold their commit locally (fetched), a non-descendant push is refused as such
    await fetchBranch({
      url: deployUrl(),
      cacheDir: "",
      env: {},
      gitdir: gitdir(),
      remoteRef: "deploy",
      localRef: "refs/braid/deploy",
    });
    const r2 = await pushBranch(opts);
    expect(r2).toMatchObject({ ok: false, reason: "non-fast-forward" });

    // rebuilt on their tip, the push goes through
    await gitCli(local.dir, ["reset", "-q", "--hard", "refs/braid/deploy"]);
    await writeFile(join(local.dir, "clusters/a/z.yaml"), "z: 2\n");
    await gitCli(local.dir, ["add", "-A"]);
    await gitCli(local.dir, ["commit", "-qm", "ours, rebuilt"]);
    expect(await pushBranch(opts)).toEqual({ ok: true });
  });

  it("reports a server-side hook refusal as rejected with the server's message", async () => {
    const hook = join(root, "deploy.git", "hooks", "pre-receive");
    await writeFile(hook, "#!/bin/sh\necho 'policy: deploys are frozen' >&2\nexit 1\n");
    await chmod(hook, 0o755);
    try {
      await writeFile(join(local.dir, "clusters/a/w.yaml"), "w: 1\n");
      await gitCli(local.dir, ["add", "-A"]);
      await gitCli(local.dir, ["commit", "-qm", "frozen"]);
      const r = await pushBranch({
        url: deployUrl(),
        cacheDir: "",
        env: {},
        gitdir: gitdir(),
        localRef: "refs/heads/deploy",
        remoteRef: "refs/heads/deploy",
      });
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.reason).toBe("rejected");
        expect(r.message).toContain("pre-receive hook declined");
        expect(r.message).toContain("policy: deploys are frozen");
      }
    } finally {
      await rm(hook, { force: true });
    }
  });

  it("mirrors a remote whose HEAD names a branch that does not exist", async () => {
    // deploy.git was made with `init -b main` and only ever received `deploy`
    await expect(gitCli(join(root, "deploy.git"), ["rev-parse", "--verify", "-q", "HEAD"])).rejects.toThrow();
    const cacheDir = await tempDir("braid-cache-");
    const r = await syncRemote({ url: deployUrl(), cacheDir, env: {} });
    expect(r.fetched).toBe(true);
    const tip = await bareRevParse("deploy.git", "refs/heads/deploy");
    expect(await git.resolveRef({ fs, gitdir: r.gitdir, ref: "refs/heads/deploy" })).toBe(tip);
    expect(await gitCli(r.gitdir, ["cat-file", "-t", tip])).toBe("commit");
  });

  it("throws SOURCE_AUTH without credentials and PUBLISH_PUSH when the server is down", async () => {
    const authServer = await startGitServer({ root, auth: { username: "bot", password: TOKEN } });
    const base = {
      cacheDir: "",
      env: {},
      gitdir: gitdir(),
      localRef: "refs/heads/deploy",
      remoteRef: "refs/heads/deploy",
    };
    try {
      const err = await braidError(() => pushBranch({ ...base, url: `${authServer.url}/deploy.git` }));
      expect(err.code).toBe("SOURCE_AUTH");
    } finally {
      await authServer.close();
    }
    const err = await braidError(() => pushBranch({ ...base, url: `${authServer.url}/deploy.git` }));
    expect(err.code).toBe("PUBLISH_PUSH");
    expect(err.exitCode).toBe(3);
  });
});
