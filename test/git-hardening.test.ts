/** Issue 15, git side: ref names, worktrees, push targets, URLs and tokens, exit codes, temp files. */
import { mkdir, readFile, readdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { memoryIO } from "../src/cli/io.js";
import { git } from "./helpers/fixture-repo.js";
import { startGitServer, type GitServer } from "./helpers/git-http-server.js";
import { makeWorkspace, OPENAPI_ENV, testCluster, type Workspace } from "./helpers/publish-fleet.js";

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

const BAD_BRANCHES = ["../../config", "../../HEAD", "../../../braid.yaml", "a..b", "x.lock", "has space", ".hidden", "HEAD", "ends/", "a//b", "@", "x@{1}"];

describe("ref names (15.1)", () => {
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
    for (const branch of ["../../description", "../../config", "a..b", "x.lock", "has space", ".hidden", "HEAD", "ends/"]) {
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
    const line = (await readFile(join(ws.fleet, "braid.yaml"), "utf8")).split("\n").findIndex((l) => l.includes("output:")) + 1;
    expect(r.err).toContain(`braid.yaml:${line}:21: error CONFIG_REF_NAME: output.branch "../../../../../../tmp/x" is not a valid Git branch name: it contains ".."`);
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
    expect(r.err).toMatch(/clusters\/prod-eu-1\.yaml:\d+:\d+: error CONFIG_REF_NAME: ref\.branch "\.\.\/\.\.\/config" is not a valid Git branch name/);
  });
});

describe("worktrees (15.3)", () => {
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
    expect(await git(ws.fleet, ["log", "-1", "--format=%(trailers:key=Braid-Fleet-Commit,valueonly)", "deploy"])).toBe(head);
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
    const p = await cli(ws, ["preview", "--fleet", wt, "--base", "HEAD~1", "--head", "HEAD", "--format", "json"], {}, wt);
    expect(p.code, p.err).toBe(0);
    expect(p.out).toContain("prod-eu-1");
    expect(p.out).toContain("ap");
  });

  it("refuses to move a branch checked out in another worktree of the fleet repository", async () => {
    const ws = await workspace();
    await git(ws.fleet, ["worktree", "add", "-q", "-b", "deploy", join(ws.root, "wt-deploy")]);
    const before = await git(ws.fleet, ["rev-parse", "deploy"]);
    const r = await cli(ws, ["publish"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`error USAGE: the deploy branch "deploy" is checked out in ${join(ws.root, "wt-deploy")}; braid will not move a checked-out branch`);
    expect(await git(ws.fleet, ["rev-parse", "deploy"])).toBe(before);
  });
});

describe("push targets (15.9)", () => {
  it("--push PATH to a non-bare repository whose checked-out branch is the target is refused, as git's denyCurrentBranch", async () => {
    const ws = await workspace();
    const other = join(ws.root, "other");
    await git(ws.root, ["init", "-q", "-b", "deploy", other]);
    await git(other, ["commit", "-q", "--allow-empty", "-m", "x"]);
    const before = await git(other, ["rev-parse", "deploy"]);
    const r = await cli(ws, ["publish", "--push", other]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`the deploy branch "deploy" is checked out in ${other}; braid will not move a checked-out branch`);
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
