/**
 * Issue 11: SSH remotes end to end through a real sshd on loopback — sources locked and rendered over
 * `ssh://` and git's scp-like form, the deploy branch pushed over SSH — through the CLI, as a user runs it.
 * Skips, saying why, where the machine has no sshd.
 */
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { memoryIO } from "../src/cli/io.js";
import { git } from "./helpers/fixture-repo.js";
import { makeWorkspace, OPENAPI_ENV, testCluster, type Workspace } from "./helpers/publish-fleet.js";
import { openApiSkipReason } from "./helpers/openapi-fixture.js";
import { sshSkipReason, startSshServer, type SshServer } from "./helpers/ssh-server.js";

const SKIP = openApiSkipReason("ssh-remote") ?? sshSkipReason("ssh-remote");

let sshd: SshServer;
let ws: Workspace;
let baseRepo: string;

beforeAll(async () => {
  if (SKIP) return;
  sshd = await startSshServer();
  ws = await makeWorkspace({ "prod-eu-1": testCluster("prod-eu-1") }, { ref: 'semver: "^1.0.0"' });
  baseRepo = join(sshd.root, "org", "base.git");
  await git(sshd.root, ["clone", "-q", "--bare", ws.base, baseRepo]);
});

afterAll(async () => {
  await sshd?.close();
  await ws?.cleanup();
});

function cli(args: string[], env: Record<string, string> = {}) {
  const io = memoryIO({
    cwd: ws.fleet,
    env: { BRAID_KUBERNETES_OPENAPI: OPENAPI_ENV, BRAID_CACHE: ws.cache, ...sshd.env, ...env },
  });
  return main(args, io).then((code) => ({ code, out: io.out.join(""), err: io.err.join("") }));
}

/** Points the fleet's source at `url` (committed, so publish sees a clean fleet). */
async function useSource(url: string): Promise<void> {
  const yaml = (await readFile(join(ws.fleet, "braid.yaml"), "utf8")).replace(/url: .*/, `url: ${url}`);
  await ws.commitFleet({ "braid.yaml": yaml, "braid.lock": null }, `source ${url}`);
}

/** Every file's text below a folder, joined (to look for a leaked key). */
async function everything(dir: string): Promise<string> {
  const parts: string[] = [];
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true }))
    if (e.isFile()) parts.push(await readFile(join(e.parentPath, e.name), "latin1"));
  return parts.join("\n");
}

function expectNoKey(text: string): void {
  expect(text).not.toContain(sshd.privateKeyPath);
  expect(text).not.toContain("client_ed25519");
  expect(text).not.toContain(sshd.privateKey.split("\n")[1]!); // the key's first base64 line
}

describe.skipIf(SKIP)("SSH remotes through a local sshd", () => {
  it("ssh://user@127.0.0.1:PORT/…: lock resolves the tags over SSH, render builds from it", async () => {
    const url = sshd.sshUrl(baseRepo);
    await useSource(url);
    const before = sshd.logins();
    const lock = await cli(["lock", "--format", "json"]);
    expect(lock.code, lock.err).toBe(0);
    expect(sshd.logins()).toBeGreaterThan(before);
    const locked = await readFile(join(ws.fleet, "braid.lock"), "utf8");
    expect(locked).toContain(url);
    expect(locked).toContain(ws.baseCommits[1]); // ^1.0.0 → v1.1.0, read from the tags sshd served
    expect(locked).toContain("v1.1.0");

    const out = join(ws.root, "out-ssh");
    const render = await cli(["render", "--out", out, "--format", "json"]);
    expect(render.code, render.err).toBe(0);
    const json = JSON.parse(render.out) as {
      clusters: { name: string; sources: { tag?: string; commit: string }[] }[];
    };
    expect(json.clusters.map((c) => [c.name, c.sources[0]!.tag, c.sources[0]!.commit])).toEqual([
      ["prod-eu-1", "v1.1.0", ws.baseCommits[1]],
    ]);
    expect(await readFile(join(out, "clusters/prod-eu-1/web/configmap-extra.yaml"), "utf8")).toContain(
      'version: "1.1"',
    );
    expect(await readFile(join(out, "clusters/prod-eu-1/web/configmap-web-config.yaml"), "utf8")).toContain(
      "cluster: prod-eu-1",
    );
    for (const text of [lock.out, lock.err, render.out, render.err, locked, await everything(out)]) expectNoKey(text);
  });

  it("git's scp-like user@127.0.0.1:/path form (the port from the ssh config's Host entry) locks and renders", async () => {
    const url = sshd.scpUrl(baseRepo);
    await useSource(url);
    const before = sshd.logins();
    const lock = await cli(["lock"]);
    expect(lock.code, lock.err).toBe(0);
    expect(sshd.logins()).toBeGreaterThan(before);
    const locked = await readFile(join(ws.fleet, "braid.lock"), "utf8");
    expect(locked).toContain(`url: ${url}`);
    expect(locked).toContain(ws.baseCommits[1]);
    const render = await cli(["render", "--out", join(ws.root, "out-scp")]);
    expect(render.code, render.err).toBe(0);
    expect(await readFile(join(ws.root, "out-scp", "clusters/prod-eu-1/web/configmap-extra.yaml"), "utf8")).toContain(
      'version: "1.1"',
    );
    for (const text of [lock.out, lock.err, render.out, render.err, locked]) expectNoKey(text);
  });

  it("publish --push to an SSH remote: the bare repository has the commit; a second run pushes nothing", async () => {
    await useSource(sshd.sshUrl(baseRepo));
    const deploy = await sshd.bareRepo("deploy.git");
    const url = sshd.sshUrl(deploy);
    const r = await cli(["publish", "--push", url, "--update", "--format", "json"]);
    expect(r.code, r.err).toBe(0);
    const out = JSON.parse(r.out) as { status: string; commit: string };
    expect(out.status).toBe("published");
    expect(await git(deploy, ["rev-parse", "refs/heads/deploy"])).toBe(out.commit);
    await git(deploy, ["fsck", "--strict", "--no-dangling"]);
    expect(await git(deploy, ["ls-tree", "-r", "--name-only", "deploy"])).toContain(
      "clusters/prod-eu-1/web/configmap-extra.yaml",
    );
    expect(await git(deploy, ["log", "-1", "--format=%(trailers:key=Braid-Fleet-Commit,valueonly)", "deploy"])).toBe(
      await git(ws.fleet, ["rev-parse", "HEAD"]),
    );
    const inventory = await git(deploy, ["show", "deploy:inventory.json"]);
    expect(inventory).toContain(ws.baseCommits[1]);

    const again = await cli(["publish", "--push", url]);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toMatch(/no change/);
    expect(await git(deploy, ["rev-parse", "refs/heads/deploy"])).toBe(out.commit);
    for (const text of [
      r.out,
      r.err,
      again.out,
      again.err,
      inventory,
      await everything(ws.fleet),
      await everything(ws.cache),
    ])
      expectNoKey(text);
  });

  it("a user sshd refuses is SOURCE_AUTH (exit 3), a missing repository SOURCE_NOT_FOUND (exit 1), located, no key shown", async () => {
    const refused = sshd.sshUrl(baseRepo).replace(`//${sshd.user}@`, "//braid-nobody@");
    await useSource(refused);
    const auth = await cli(["lock"], { BRAID_CACHE: join(ws.root, "cache-refused") });
    expect(auth.code).toBe(3);
    expect(auth.err).toMatch(
      /^braid\.yaml:\d+:\d+: error SOURCE_AUTH: .*needs credentials \(git ls-remote\):\n\s*braid-nobody@127\.0\.0\.1: Permission denied \(publickey\)/m,
    );
    expect(auth.err).toContain("hint: SSH logs in with a key, not a token");
    expect(auth.err).not.toContain("BRAID_GIT_TOKEN");
    const missing = sshd.sshUrl(join(sshd.root, "org", "missing.git"));
    await useSource(missing);
    const notFound = await cli(["lock"], { BRAID_CACHE: join(ws.root, "cache-missing") });
    expect(notFound.code).toBe(1); // a content error: the URL in braid.yaml names no repository
    expect(notFound.err).toMatch(/^braid\.yaml:\d+:\d+: error SOURCE_NOT_FOUND: /m);
    for (const text of [auth.out, auth.err, notFound.out, notFound.err]) expectNoKey(text);
  });

  it("BRAID_GIT_TRANSPORT=embedded with an SSH source is SOURCE_TRANSPORT, exit 3, and never connects", async () => {
    const url = sshd.sshUrl(baseRepo);
    await useSource(url);
    const before = sshd.logins();
    const r = await cli(["lock"], { BRAID_GIT_TRANSPORT: "embedded", BRAID_CACHE: join(ws.root, "fresh-cache") });
    expect(r.code).toBe(3);
    expect(r.err).toMatch(
      new RegExp(
        `braid\\.yaml:\\d+:\\d+: error SOURCE_TRANSPORT: ${url.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is an SSH remote: SSH needs git on PATH`,
      ),
    );
    expect(sshd.logins()).toBe(before);
    expectNoKey(`${r.out}${r.err}`);
  });
});
