/** Issue 15, git side: ref names, worktrees, push targets, URLs and tokens, exit codes, temp files. */
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, readdir, symlink, writeFile } from "node:fs/promises";
import { join, sep } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { publish } from "../src/publish/publish.js";
import { memoryIO } from "../src/cli/io.js";
import { git } from "./helpers/fixture-repo.js";
import { startGitServer, type GitServer } from "./helpers/git-http-server.js";
import { makeWorkspace, OPENAPI_ENV, testCluster, type Workspace } from "./helpers/publish-fleet.js";
import { openApiSkipReason } from "./helpers/openapi-fixture.js";

const NO_OPENAPI = openApiSkipReason("git-hardening");

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
});

async function workspace(extra = ""): Promise<Workspace> {
  const ws = await makeWorkspace({ "prod-eu-1": testCluster("prod-eu-1") }, extra ? { extra } : {});
  cleanups.push(() => ws.cleanup());
  return ws;
}

async function server(ws: Workspace): Promise<{ server: GitServer; url: string; bare: string }> {
  const root = join(ws.root, "server");
  await mkdir(root, { recursive: true });
  const bare = join(root, "deploy.git");
  await git(root, ["init", "-q", "--bare", "-b", "main", bare]);
  const s = await startGitServer({ root });
  cleanups.push(() => s.close());
  return { server: s, url: `${s.url}/deploy.git`, bare };
}

function cli(ws: Workspace, args: string[], env: Record<string, string> = {}, cwd = ws.fleet) {
  const io = memoryIO({ cwd, env: { BRAID_KUBERNETES_OPENAPI: OPENAPI_ENV, BRAID_CACHE: ws.cache, ...env } });
  return main(args, io).then((code) => ({ code, out: io.out.join(""), err: io.err.join("") }));
}

/** Every file below a folder with its content (to prove that nothing was written). */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const p = join(e.parentPath, e.name);
    if (p.endsWith("/.git/index")) continue; // a status check may refresh the index's stat data
    out.set(p, (await readFile(p)).toString("base64"));
  }
  return out;
}

const BAD_BRANCHES = [
  "../../config",
  "../../HEAD",
  "../../../braid.yaml",
  "a..b",
  "x.lock",
  "has space",
  ".hidden",
  "HEAD",
  "ends/",
  "a//b",
  "@",
  "x@{1}",
];

describe.skipIf(NO_OPENAPI)("ref names (15.1)", () => {
  it("--branch with a name git refuses exits 2 and writes nothing (fleet repository)", async () => {
    const ws = await workspace();
    const before = await snapshot(ws.root);
    for (const branch of BAD_BRANCHES) {
      const r = await cli(ws, ["publish", "--branch", branch]);
      expect([branch, r.code]).toEqual([branch, 2]);
      expect(r.err).toContain(`error USAGE: --branch ${JSON.stringify(branch)} is not a valid Git branch name`);
    }
    expect(await snapshot(ws.root)).toEqual(before);
    expect(await git(ws.fleet, ["symbolic-ref", "HEAD"])).toBe("refs/heads/main");
  });

  it("--branch with a name git refuses exits 2 over HTTP too (no request is made)", async () => {
    const ws = await workspace();
    const { server: s, url, bare } = await server(ws);
    for (const branch of [
      "../../description",
      "../../config",
      "a..b",
      "x.lock",
      "has space",
      ".hidden",
      "HEAD",
      "ends/",
    ]) {
      const r = await cli(ws, ["publish", "--push", url, "--branch", branch]);
      expect([branch, r.code]).toEqual([branch, 2]);
    }
    expect(s.requests).toEqual([]);
    expect(await readFile(join(bare, "description"), "utf8")).toMatch(/^Unnamed repository/);
  });

  it("output.branch in braid.yaml with a bad name is a located config error (exit 1), never a write", async () => {
    const ws = await workspace('  output: { branch: "../../../../../../tmp/x" }\n');
    const before = await snapshot(ws.fleet); // (the cache may fill: the fleet is rendered)
    const r = await cli(ws, ["publish"]);
    expect(r.code, r.err).toBe(1);
    const line =
      (await readFile(join(ws.fleet, "braid.yaml"), "utf8")).split("\n").findIndex((l) => l.includes("output:")) + 1;
    expect(r.err).toContain(
      `braid.yaml:${line}:21: error CONFIG_REF_NAME: output.branch "../../../../../../tmp/x" is not a valid Git branch name: it contains ".."`,
    );
    expect(await snapshot(ws.fleet)).toEqual(before);
    const v = await cli(ws, ["validate"]);
    expect(v.code).toBe(1);
    expect(v.err).toContain("CONFIG_REF_NAME");
  });

  it("a source ref naming a branch git refuses is a located config error", async () => {
    const ws = await workspace();
    await ws.commitFleet({ "clusters/prod-eu-1.yaml": testCluster("prod-eu-1", { ref: "branch: ../../config" }) });
    const r = await cli(ws, ["render"]);
    expect(r.code, r.err).toBe(1);
    expect(r.err).toMatch(
      /clusters\/prod-eu-1\.yaml:\d+:\d+: error CONFIG_REF_NAME: ref\.branch "\.\.\/\.\.\/config" is not a valid Git branch name/,
    );
  });
});

describe.skipIf(NO_OPENAPI)("worktrees (15.3)", () => {
  it("publish, FLEET_DIRTY and preview work from a `git worktree add` checkout", async () => {
    const ws = await workspace();
    const wt = join(ws.root, "wt");
    await git(ws.fleet, ["worktree", "add", "-q", "-b", "f", wt]);
    const head = await git(wt, ["rev-parse", "HEAD"]);
    const r = await cli(ws, ["publish", "--fleet", wt, "--format", "json"], {}, wt);
    expect(r.code, r.err).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.status).toBe("published");
    expect(out.diagnostics.map((d: { code: string }) => d.code)).not.toContain("FLEET_DIRTY");
    // objects and the ref are where git looks: the common dir
    expect(await git(ws.fleet, ["rev-parse", "refs/heads/deploy"])).toBe(out.commit);
    expect(await git(wt, ["rev-parse", "refs/heads/deploy"])).toBe(out.commit);
    expect(await git(ws.fleet, ["log", "-1", "--format=%(trailers:key=Braid-Fleet-Commit,valueonly)", "deploy"])).toBe(
      head,
    );
    await git(ws.fleet, ["fsck", "--strict", "--no-dangling"]);
    expect(await readdir(join(ws.fleet, ".git", "worktrees", "wt"))).not.toContain("refs");
    // an uncommitted change in the worktree is reported as such (and only it)
    await writeFile(join(wt, "clusters", "prod-eu-1.yaml"), testCluster("prod-eu-1", { region: "ap" }));
    const dirty = await cli(ws, ["publish", "--fleet", wt, "--format", "json", "--dry-run"], {}, wt);
    expect(dirty.code, dirty.err).toBe(0);
    const d = JSON.parse(dirty.out).diagnostics.find((x: { code: string }) => x.code === "FLEET_DIRTY");
    expect(d.message).toMatch(/^the fleet folder has uncommitted changes \(clusters\/prod-eu-1\.yaml\)/);
    // preview reads the worktree's HEAD, not the main checkout's
    await git(wt, ["commit", "-qam", "ap"]);
    const p = await cli(
      ws,
      ["preview", "--fleet", wt, "--base", "HEAD~1", "--head", "HEAD", "--format", "json"],
      {},
      wt,
    );
    expect(p.code, p.err).toBe(0);
    expect(p.out).toContain("prod-eu-1");
    expect(p.out).toContain("ap");
  });

  it("publish --update in a worktree commits braid.lock on the worktree's branch, as git would", async () => {
    const ws = await workspace();
    const wt = join(ws.root, "wt");
    await git(ws.fleet, ["worktree", "add", "-q", "-b", "f", wt]);
    const mainBefore = await git(ws.fleet, ["rev-parse", "main"]);
    const r = await cli(ws, ["publish", "--fleet", wt, "--update", "--format", "json"], {}, wt);
    expect(r.code, r.err).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.lockCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(await git(wt, ["rev-parse", "HEAD"])).toBe(out.lockCommit);
    expect(await git(ws.fleet, ["rev-parse", "refs/heads/f"])).toBe(out.lockCommit);
    expect(await git(ws.fleet, ["rev-parse", "main"])).toBe(mainBefore);
    expect(await git(wt, ["status", "--porcelain"])).toBe("");
    expect(await git(ws.fleet, ["status", "--porcelain"])).toBe("");
  });

  it("refuses to move a branch checked out in another worktree of the fleet repository", async () => {
    const ws = await workspace();
    await git(ws.fleet, ["worktree", "add", "-q", "-b", "deploy", join(ws.root, "wt-deploy")]);
    const before = await git(ws.fleet, ["rev-parse", "deploy"]);
    const r = await cli(ws, ["publish"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      `error USAGE: the deploy branch "deploy" is checked out in ${join(ws.root, "wt-deploy")}; braid will not move a checked-out branch`,
    );
    expect(await git(ws.fleet, ["rev-parse", "deploy"])).toBe(before);
  });
});

describe.skipIf(NO_OPENAPI)("push targets (15.9)", () => {
  it("--push PATH to a non-bare repository whose checked-out branch is the target is refused, as git's denyCurrentBranch", async () => {
    const ws = await workspace();
    const other = join(ws.root, "other");
    await git(ws.root, ["init", "-q", "-b", "deploy", other]);
    await git(other, ["commit", "-q", "--allow-empty", "-m", "x"]);
    const before = await git(other, ["rev-parse", "deploy"]);
    const r = await cli(ws, ["publish", "--push", other]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      `the deploy branch "deploy" is checked out in ${other}; braid will not move a checked-out branch`,
    );
    expect(await git(other, ["rev-parse", "deploy"])).toBe(before);
    // another branch of it is fine
    const ok = await cli(ws, ["publish", "--push", other, "--branch", "rendered"]);
    expect(ok.code, ok.err).toBe(0);
    expect(await git(other, ["rev-parse", "deploy"])).toBe(before);
    await git(other, ["rev-parse", "--verify", "rendered"]);
  });

  it("--push <symlink to the fleet repository> does not bypass the checked-out guard", async () => {
    const ws = await workspace();
    const link = join(ws.root, "link");
    await symlink(ws.fleet, link);
    const before = await git(ws.fleet, ["rev-parse", "main"]);
    const r = await cli(ws, ["publish", "--push", link, "--branch", "main"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`the deploy branch "main" is checked out in ${ws.fleet};`);
    expect(await git(ws.fleet, ["rev-parse", "main"])).toBe(before);
    const same = await cli(ws, ["publish", "--branch", "main"]);
    expect(same.code).toBe(2);
  });
});

const TOKEN = "tok-5e3c1a9b7d-secret";
const BIN = join(import.meta.dirname, "..", "bin", "braid.js");

/** Runs the real CLI in a child process (so Node's own warnings would show up in stderr too). */
function spawnCli(
  args: string[],
  cwd: string,
  env: Record<string, string | undefined>,
): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? -1) : 0;
      resolve({ code: typeof code === "number" ? code : -1, out: `${stdout}${stderr}` });
    });
  });
}

/** Every file name and file content below a folder, as one text (to search for a token). */
async function everything(dir: string): Promise<string> {
  const parts: string[] = [];
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const p = join(e.parentPath, e.name);
    // V8's code cache of the braid command: compiled code, holding braid's own strings (".braid-lock") and no data
    if (p.startsWith(join(dir, "code") + sep)) continue;
    parts.push(p);
    if (e.isFile()) parts.push((await readFile(p)).toString("latin1"));
  }
  return parts.join("\n");
}

async function authServer(ws: Workspace): Promise<{ server: GitServer; base: string; deploy: string; bare: string }> {
  const root = join(ws.root, "auth-server");
  await mkdir(root, { recursive: true });
  await git(root, ["clone", "-q", "--bare", ws.base, join(root, "base.git")]);
  const bare = join(root, "deploy.git");
  await git(root, ["init", "-q", "--bare", "-b", "main", bare]);
  const s = await startGitServer({ root, auth: { username: "x-access-token", password: TOKEN } });
  cleanups.push(() => s.close());
  return { server: s, base: `${s.url}/base.git`, deploy: `${s.url}/deploy.git`, bare };
}

describe.skipIf(NO_OPENAPI)("URLs and tokens (15.6, 15.8)", () => {
  it("a token in braid.yaml's source URL is refused, located, and never written to the lock, the cache or output", async () => {
    const ws = await workspace();
    const { base } = await authServer(ws);
    const yaml = (await readFile(join(ws.fleet, "braid.yaml"), "utf8")).replace(
      /url: .*/,
      `url: ${base.replace("http://", `http://bot:${TOKEN}@`)}`,
    );
    await ws.commitFleet({ "braid.yaml": yaml });
    const line = yaml.split("\n").findIndex((l) => l.includes("url:")) + 1;
    for (const cmd of [["lock"], ["render"], ["publish"]]) {
      const r = await cli(ws, cmd, { PATH: process.env.PATH ?? "", HOME: ws.root });
      expect([cmd[0], r.code]).toEqual([cmd[0], 1]);
      expect(r.err).toContain(
        `braid.yaml:${line}:12: error CONFIG_URL: source "base": url ${base} carries a password or token in its user info; credentials never come from config`,
      );
      expect(`${r.out}${r.err}`).not.toContain(TOKEN);
    }
    if (existsSync(ws.cache)) expect(await everything(ws.cache)).not.toContain(TOKEN.slice(4));
    expect(existsSync(join(ws.fleet, "braid.lock"))).toBe(false);
    expect(await git(ws.fleet, ["status", "--porcelain"])).toBe("");
  });

  it("a URL whose userinfo would change the host is refused; the token is never printed (CLI process, no DEP0170)", async () => {
    const ws = await workspace();
    const url = `http://user:a/${TOKEN}@127.0.0.1:9/deploy.git`;
    const env = { PATH: process.env.PATH, HOME: ws.root, BRAID_CACHE: ws.cache, BRAID_KUBERNETES_OPENAPI: OPENAPI_ENV };
    const r = await spawnCli(["publish", "--push", url], ws.fleet, env);
    expect(r.code).toBe(2);
    expect(r.out).toContain(
      "error USAGE: --push http://127.0.0.1:9/deploy.git: http://127.0.0.1:9/deploy.git is refused: it is not a valid URL",
    );
    expect(r.out).not.toContain(TOKEN);
    expect(r.out).not.toContain("DEP0170");
    // parsed by WHATWG with another host ("user", port 123): refused too
    const other = await spawnCli(
      ["publish", "--push", `http://user:123/${TOKEN}@127.0.0.1:9/deploy.git`],
      ws.fleet,
      env,
    );
    expect(other.code).toBe(2);
    expect(other.out).toContain('has an "@" after the host "user:123"');
    expect(other.out).not.toContain(TOKEN);
    // in braid.yaml: a located config error
    const yaml = (await readFile(join(ws.fleet, "braid.yaml"), "utf8")).replace(/url: .*/, `url: "${url}"`);
    await ws.commitFleet({ "braid.yaml": yaml });
    const c = await spawnCli(["render"], ws.fleet, env);
    expect(c.code).toBe(1);
    expect(c.out).toMatch(
      /braid\.yaml:\d+:\d+: error CONFIG_URL: source "base": url http:\/\/127\.0\.0\.1:9\/deploy\.git is refused/,
    );
    expect(c.out).not.toContain(TOKEN);
    expect(c.out).not.toContain("DEP0170");
  });
});

describe.skipIf(NO_OPENAPI)("transports (issue 11)", () => {
  for (const transport of ["system", "embedded"] as const) {
    it(`${transport}: fetches a source and pushes the deploy branch with a per-host token; the token appears nowhere`, async () => {
      const ws = await workspace();
      const { server: s, base, deploy, bare } = await authServer(ws);
      const yaml = (await readFile(join(ws.fleet, "braid.yaml"), "utf8")).replace(/url: .*/, `url: ${base}`);
      await ws.commitFleet({ "braid.yaml": yaml });
      const env = {
        PATH: process.env.PATH ?? "",
        HOME: ws.root,
        BRAID_GIT_TRANSPORT: transport,
        BRAID_GIT_TOKEN_127_0_0_1: TOKEN,
      };
      const denied = await cli(ws, ["publish", "--push", deploy], { ...env, BRAID_GIT_TOKEN_127_0_0_1: "wrong" });
      expect(denied.code).toBe(3);
      expect(denied.err).toContain("SOURCE_AUTH");
      expect(denied.err).toContain("BRAID_GIT_TOKEN_127_0_0_1");
      const r = await cli(ws, ["publish", "--push", deploy, "--update", "--format", "json"], env);
      expect(r.code, r.err).toBe(0);
      const out = JSON.parse(r.out);
      expect(out.status).toBe("published");
      expect(await git(bare, ["rev-parse", "refs/heads/deploy"])).toBe(out.commit);
      await git(bare, ["fsck", "--strict", "--no-dangling"]);
      // the system transport is git itself: every request carries git's user agent (isomorphic-git's otherwise)
      expect(s.requests.some((q) => q.authorization)).toBe(true);
      const agents = new Set(
        s.requests.map((q) =>
          q.userAgent === undefined || q.userAgent.startsWith("git/isomorphic-git")
            ? "embedded"
            : q.userAgent.startsWith("git/")
              ? "system"
              : q.userAgent,
        ),
      );
      expect([...agents]).toEqual([transport]);
      const text = `${r.out}${r.err}${denied.out}${denied.err}`;
      expect(text).not.toContain(TOKEN);
      expect(await everything(ws.fleet)).not.toContain(TOKEN);
      expect(await everything(ws.cache)).not.toContain(TOKEN);
      expect(await git(bare, ["show", "deploy:inventory.json"])).not.toContain(TOKEN);
      expect(await readFile(join(ws.fleet, "braid.lock"), "utf8")).toContain(base);
    });
  }

  it("system: the header actions/checkout saves in the fleet repository's config authenticates the push", async () => {
    const ws = await workspace();
    const { deploy, bare } = await authServer(ws);
    const header = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${TOKEN}`).toString("base64")}`;
    const host = new URL(deploy).origin;
    await git(ws.fleet, ["config", "--local", `http.${host}/.extraheader`, header]);
    const env = { PATH: process.env.PATH ?? "", HOME: ws.root };
    const r = await cli(ws, ["publish", "--push", deploy, "--format", "json"], env);
    expect(r.code, r.err).toBe(0);
    expect(await git(bare, ["rev-parse", "refs/heads/deploy"])).toBe(JSON.parse(r.out).commit);
    expect(`${r.out}${r.err}`).not.toContain(TOKEN);
    // the embedded transport does not read git config: it needs BRAID_GIT_TOKEN[_<HOST>]
    const embedded = await cli(ws, ["publish", "--push", deploy, "--allow-prune"], {
      ...env,
      BRAID_GIT_TRANSPORT: "embedded",
    });
    expect(embedded.code).toBe(3);
    expect(embedded.err).toContain("SOURCE_AUTH");
  });

  it("without git on PATH, an SSH remote is a clear error (never read as a local path)", async () => {
    const ws = await workspace();
    const noGit = { PATH: join(ws.root, "empty-bin"), HOME: ws.root };
    for (const url of ["ssh://git@git.example.com/org/deploy.git", "git@git.example.com:org/deploy.git"]) {
      const r = await cli(ws, ["publish", "--push", url], noGit);
      expect([url, r.code]).toEqual([url, 3]);
      expect(r.err).toContain(`error SOURCE_TRANSPORT: ${url} is an SSH remote: SSH needs git on PATH`);
    }
    const yaml = (await readFile(join(ws.fleet, "braid.yaml"), "utf8")).replace(
      /url: .*/,
      "url: git@git.example.com:org/platform.git",
    );
    await ws.commitFleet({ "braid.yaml": yaml });
    const r = await cli(ws, ["render"], noGit);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(
      /braid\.yaml:\d+:\d+: error SOURCE_TRANSPORT: git@git\.example\.com:org\/platform\.git is an SSH remote: SSH needs git on PATH/,
    );
    expect(r.err).not.toContain("is not a Git repository");
  });

  it("a remote that reads as a git option (`-oProxyCommand=…@host:path`) reaches git as a repository, never an option", async () => {
    const ws = await workspace();
    const yaml = (await readFile(join(ws.fleet, "braid.yaml"), "utf8")).replace(
      /url: .*/,
      "url: -oProxyCommand=touch${IFS}pwned@git.example.com:org/platform.git",
    );
    await ws.commitFleet({ "braid.yaml": yaml });
    const r = await cli(ws, ["render"], { PATH: process.env.PATH ?? "", HOME: ws.root });
    expect(r.code).toBe(3);
    // git blocks the host; as an option, `ls-remote` would have listed the working folder's own remote instead
    expect(r.err).toContain("strange hostname '-oProxyCommand=touch${IFS}pwned@git.example.com' blocked");
  });

  // SSH remotes served by a real sshd on loopback: test/ssh-remote.test.ts (skips where there is no sshd).
});

describe.skipIf(NO_OPENAPI)("a shared BRAID_CACHE (15.2)", () => {
  it("two publishers on one cache whose ref updates interleave exactly: neither loses its commit", async () => {
    const a = await workspace();
    const b = await makeWorkspace({ "dev-us-1": testCluster("dev-us-1", { region: "us" }) });
    cleanups.push(() => b.cleanup());
    const { url, bare } = await server(a);
    const [runA, runB] = [await a.render(), await b.render()];
    // both reach the ref update / push at the same moment (a barrier), on the same cache
    let waiting = 0;
    let open: () => void = () => undefined;
    const barrier = new Promise<void>((r) => (open = r));
    const beforeUpdate = async (attempt: number) => {
      if (attempt !== 1) return;
      if (++waiting === 2) open();
      await barrier;
    };
    const target = { kind: "remote" as const, url, cacheDir: a.cache, env: {} };
    // (each fleet's tree drops the other's cluster: allowed here)
    const common = {
      author: { name: "t", email: "t@t" },
      target,
      beforeUpdate,
      allowPrune: true,
      sleep: async () => undefined,
    };
    const [ra, rb] = await Promise.all([
      publish({ run: runA, fleetDir: a.fleet, ...common }),
      publish({ run: runB, fleetDir: b.fleet, ...common }),
    ]);
    expect([ra.status, rb.status]).toEqual(["published", "published"]);
    const history = (await git(bare, ["rev-list", "--first-parent", "deploy"])).split("\n");
    expect(history).toContain(ra.commit);
    expect(history).toContain(rb.commit);
    expect(history.length).toBe(2);
  });

  it("2 concurrent `braid publish --push` processes x 10 rounds with one cache: every reported commit is on the remote, history linear", async () => {
    const ws = await workspace();
    const { url, bare } = await server(ws);
    const second = join(ws.root, "fleet2");
    await git(ws.root, ["clone", "-q", ws.fleet, second]);
    const fleets = [ws.fleet, second];
    const published: string[] = [];
    for (let round = 0; round < 10; round++) {
      for (const [i, dir] of fleets.entries()) {
        await writeFile(
          join(dir, "clusters", "prod-eu-1.yaml"),
          testCluster("prod-eu-1", { region: `r${round}f${i}` }),
        );
        await git(dir, ["commit", "-qam", `round ${round}`]);
      }
      const runs = await Promise.all(
        fleets.map((dir, i) =>
          spawnCli(["publish", "--push", url, "--format", "json"], dir, {
            PATH: process.env.PATH,
            HOME: ws.root,
            BRAID_CACHE: ws.cache,
            BRAID_KUBERNETES_OPENAPI: OPENAPI_ENV,
            // one process through the system git, the other through isomorphic-git, alternating
            BRAID_GIT_TRANSPORT: (round + i) % 2 ? "embedded" : "system",
          }),
        ),
      );
      for (const r of runs) {
        expect(r.code, r.out).toBe(0);
        const json = JSON.parse(r.out.slice(r.out.indexOf("{"), r.out.lastIndexOf("}") + 1));
        expect(json.status).toBe("published");
        published.push(json.commit);
      }
    }
    const history = (await git(bare, ["rev-list", "--first-parent", "deploy"])).split("\n");
    expect(await git(bare, ["rev-list", "--merges", "deploy"])).toBe("");
    for (const c of published) expect(history).toContain(c);
    expect(history.length).toBe(published.length);
    await git(bare, ["fsck", "--strict", "--no-dangling"]);
    // nothing of a process is left behind in the cache: no lock, no temporary refs
    const cacheFiles = await everything(ws.cache);
    expect(cacheFiles).not.toContain(".braid-lock");
    expect(cacheFiles).not.toMatch(/refs\/braid\/(push|verify)\//);
  }, 300_000);
});

describe.skipIf(NO_OPENAPI)("exit codes (15.12)", () => {
  it("--push to a URL answering 404 exits 3 (a push failure), through both transports", async () => {
    const ws = await workspace();
    const { server: s } = await server(ws);
    for (const transport of ["system", "embedded"]) {
      const r = await cli(ws, ["publish", "--push", `${s.url}/missing.git`], {
        PATH: process.env.PATH ?? "",
        HOME: ws.root,
        BRAID_GIT_TRANSPORT: transport,
      });
      expect([transport, r.code]).toEqual([transport, 3]);
      expect(r.err).toContain("error PUBLISH_PUSH: ");
      expect(r.err).toContain("/missing.git: repository not found");
    }
  });

  it("render --out FILE/sub is a usage error (exit 2), not an internal error", async () => {
    const ws = await workspace();
    const file = join(ws.root, "a-file");
    await writeFile(file, "x\n");
    for (const out of [join(file, "sub"), file]) {
      const r = await cli(ws, ["render", "--out", out]);
      expect([out, r.code]).toEqual([out, 2]);
      expect(r.err).toContain(`error USAGE: --out ${out}: ${file} is a file, not a folder`);
    }
  });

  it("BRAID_CACHE=/proc/braid-cache fails fast with exit 3 (no busy loop)", async () => {
    const ws = await workspace();
    const { url } = await server(ws);
    const started = Date.now();
    for (const args of [["publish", "--push", url], ["render"]]) {
      const yaml =
        args[0] === "render"
          ? (await readFile(join(ws.fleet, "braid.yaml"), "utf8")).replace(
              /url: .*/,
              `url: ${url.replace("deploy.git", "base.git")}`,
            )
          : undefined;
      if (yaml) {
        await git(join(ws.root, "server"), ["clone", "-q", "--bare", ws.base, "base.git"]);
        await ws.commitFleet({ "braid.yaml": yaml });
      }
      const r = await cli(ws, args, { BRAID_CACHE: "/proc/braid-cache" });
      expect([args[0], r.code, r.err]).toEqual([args[0], 3, expect.stringContaining("/proc/braid-cache")]);
    }
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});

describe.skipIf(NO_OPENAPI)("temp files (15.11)", () => {
  it("temp objects of dead processes are cleaned at the next run; live ones are kept; git gc prunes braid's temp names", async () => {
    const ws = await workspace();
    const dead = await new Promise<number>((resolve) => {
      const c = spawn("true");
      c.on("exit", () => resolve(c.pid!));
    });
    const live = spawn("sleep", ["60"]);
    cleanups.push(async () => void live.kill("SIGKILL"));
    const objects = join(ws.fleet, ".git", "objects");
    await mkdir(join(objects, "ab"), { recursive: true });
    const leftovers = {
      deadNew: join(objects, "ab", `tmp_obj_${dead}_0a1b2c3d`),
      deadOld: join(objects, "ab", `${"c".repeat(38)}.tmp-${dead}-0a1b2c3d`),
      live: join(objects, "ab", `tmp_obj_${live.pid}_0a1b2c3d`),
      foreign: join(objects, "ab", "unrelated-file"),
    };
    for (const f of Object.values(leftovers)) await writeFile(f, "partial");
    const r = await cli(ws, ["publish"]);
    expect(r.code, r.err).toBe(0);
    expect(existsSync(leftovers.deadNew)).toBe(false);
    expect(existsSync(leftovers.deadOld)).toBe(false);
    expect(existsSync(leftovers.live)).toBe(true);
    expect(existsSync(leftovers.foreign)).toBe(true);
    // a temp object named as braid names it is one git's own gc prunes
    await git(ws.fleet, ["gc", "-q", "--prune=now"]);
    expect(existsSync(leftovers.live)).toBe(false);
    // and braid's own writes leave none behind
    const names = (await readdir(objects, { recursive: true })).filter((n) => n.includes("tmp"));
    expect(names).toEqual([]);
  });
});
