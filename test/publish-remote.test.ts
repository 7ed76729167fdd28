/** braid publish --push to a real `git http-backend` on 127.0.0.1: auth, races, refusals, a dying server. */
import { existsSync } from "node:fs";
import { chmod, mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { memoryIO } from "../src/cli/io.js";
import { BraidError } from "../src/diagnostics/diagnostic.js";
import { publish, type PublishOptions, type PublishTarget } from "../src/publish/publish.js";
import { git } from "./helpers/fixture-repo.js";
import { startForwardProxy } from "./helpers/forward-proxy.js";
import { startGitServer, type GitServer } from "./helpers/git-http-server.js";
import { makeWorkspace, OPENAPI_ENV, testCluster, type Workspace } from "./helpers/publish-fleet.js";
import { openApiSkipReason } from "./helpers/openapi-fixture.js";

const NO_OPENAPI = openApiSkipReason("publish-remote");

const AUTHOR = { name: "Braid Test", email: "braid@test" };
const TOKEN = "tok-9f8e7d6c5b4a-secret";
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
});

async function setup(auth = false): Promise<{ ws: Workspace; server: GitServer; url: string; bare: string }> {
  const ws = await makeWorkspace({
    "prod-eu-1": testCluster("prod-eu-1", { replicas: 3 }),
    "dev-us-1": testCluster("dev-us-1", { region: "us" }),
  });
  cleanups.push(() => ws.cleanup());
  const root = join(ws.root, "server");
  await mkdir(root, { recursive: true });
  const bare = join(root, "deploy.git");
  await git(root, ["init", "-q", "--bare", "-b", "main", bare]);
  const server = await startGitServer({
    root,
    ...(auth ? { auth: { username: "x-access-token", password: TOKEN } } : {}),
  });
  cleanups.push(() => server.close());
  return { ws, server, url: `${server.url}/deploy.git`, bare };
}

function remote(ws: Workspace, url: string, cache = ws.cache, env: Record<string, string> = {}): PublishTarget {
  return { kind: "remote", url, cacheDir: cache, env };
}

async function publishTo(ws: Workspace, target: PublishTarget, extra: Partial<PublishOptions> = {}) {
  return publish({
    run: await ws.render(),
    fleetDir: ws.fleet,
    author: AUTHOR,
    target,
    sleep: async () => undefined,
    ...extra,
  });
}

function cli(ws: Workspace, args: string[], env: Record<string, string> = {}) {
  const io = memoryIO({ cwd: ws.fleet, env: { BRAID_KUBERNETES_OPENAPI: OPENAPI_ENV, BRAID_CACHE: ws.cache, ...env } });
  return main(args, io).then((code) => ({ code, out: io.out.join(""), err: io.err.join("") }));
}

const remoteTip = (bare: string, branch = "deploy") =>
  git(bare, ["rev-parse", "--verify", "-q", `refs/heads/${branch}`]).catch(() => "");
const pushes = (server: GitServer) =>
  server.requests.filter((r) => r.method === "POST" && r.path.endsWith("/git-receive-pack")).length;

describe.skipIf(NO_OPENAPI)("publish --push over smart HTTP", () => {
  it("pushes to a remote without auth; a second run pushes nothing", async () => {
    const { ws, server, url, bare } = await setup();
    const res = await cli(ws, ["publish", "--push", url, "--format", "json"]);
    expect(res.code, res.err).toBe(0);
    const out = JSON.parse(res.out);
    expect(out.status).toBe("published");
    expect(await remoteTip(bare)).toBe(out.commit);
    await git(bare, ["fsck", "--strict", "--no-dangling"]);
    expect(await git(bare, ["ls-tree", "-r", "--name-only", "deploy"])).toContain(
      "clusters/prod-eu-1/web/deployment-web.yaml",
    );
    expect(await git(bare, ["log", "-1", "--format=%(trailers:key=Braid-Fleet-Commit,valueonly)", "deploy"])).toBe(
      await git(ws.fleet, ["rev-parse", "HEAD"]),
    );
    const before = pushes(server);
    expect(before).toBe(1);
    const again = await cli(ws, ["publish", "--push", url]);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/no change/);
    expect(pushes(server)).toBe(before);
    // a change is built on the remote tip
    await ws.commitFleet({ "clusters/dev-us-1.yaml": testCluster("dev-us-1", { region: "ap" }) });
    const third = await cli(ws, ["publish", "--push", url, "--format", "json"]);
    expect(third.code).toBe(0);
    expect(await git(bare, ["rev-parse", "deploy^"])).toBe(out.commit);
  });

  it("pushes through the environment's proxy (HTTP_PROXY), to a host name only the proxy reaches", async () => {
    const { ws, server, url, bare } = await setup();
    const proxy = await startForwardProxy();
    cleanups.push(() => proxy.close());
    const viaName = url.replace("127.0.0.1", "deploy.braid.test");
    const res = await cli(ws, ["publish", "--push", viaName, "--format", "json"], { HTTP_PROXY: proxy.url });
    expect(res.code, res.err).toBe(0);
    expect(await remoteTip(bare)).toBe(JSON.parse(res.out).commit);
    expect(proxy.requests.map((r) => r.method + " " + r.target)).toContain(`POST ${viaName}/git-receive-pack`);
    expect(server.requests).toHaveLength(proxy.requests.length);
  });

  it("pushes with a token from the environment; the token never appears in output or errors", async () => {
    const { ws, url, bare } = await setup(true);
    const denied = await cli(ws, ["publish", "--push", url]);
    expect(denied.code).toBe(3);
    expect(denied.err).toContain("SOURCE_AUTH");
    const wrong = await cli(ws, ["publish", "--push", url], { BRAID_GIT_TOKEN: `${TOKEN}-wrong` });
    expect(wrong.code).toBe(3);
    expect(wrong.out + wrong.err).not.toContain(TOKEN);
    const ok = await cli(ws, ["publish", "--push", url], { BRAID_GIT_TOKEN: TOKEN });
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out + ok.err).not.toContain(TOKEN);
    expect(await remoteTip(bare)).toMatch(/^[0-9a-f]{40}$/);
    // a token in the URL is used and never shown, nor stored in the commit or the inventory
    await ws.commitFleet({ "clusters/dev-us-1.yaml": testCluster("dev-us-1", { region: "ap" }) });
    const inUrl = await cli(ws, [
      "publish",
      "--push",
      url.replace("http://", `http://x-access-token:${TOKEN}@`),
      "--format",
      "json",
    ]);
    expect(inUrl.code, inUrl.err).toBe(0);
    expect(inUrl.out + inUrl.err).not.toContain(TOKEN);
    expect(await git(bare, ["log", "-p", "deploy"])).not.toContain(TOKEN);
  });

  it("a remote configured in the fleet repository can be named, and a local path works too", async () => {
    const { ws, url, bare } = await setup();
    await git(ws.fleet, ["remote", "add", "deploy-remote", url]);
    const res = await cli(ws, ["publish", "--push", "deploy-remote"]);
    expect(res.code, res.err).toBe(0);
    expect(res.out).toContain(`of ${url}`);
    const local = join(ws.root, "local.git");
    await git(ws.root, ["init", "-q", "--bare", "-b", "main", local]);
    const viaPath = await cli(ws, ["publish", "--push", local]);
    expect(viaPath.code, viaPath.err).toBe(0);
    expect(await git(local, ["rev-parse", "deploy^{tree}"])).toBe(await git(bare, ["rev-parse", "deploy^{tree}"]));
    const bad = await cli(ws, ["publish", "--push", "no-such-remote"]);
    expect(bad.code).toBe(2);
  });

  it("two publishers racing: the loser rebuilds on the winner's commit; linear history, nothing lost, no force", async () => {
    const { ws, url, bare } = await setup();
    const first = await publishTo(ws, remote(ws, url));
    const _runA = await ws.render();
    await ws.commitFleet({ "clusters/prod-eu-1.yaml": testCluster("prod-eu-1", { replicas: 9 }) });
    const runB = await ws.render();
    let aDone!: () => void;
    const aFinished = new Promise<void>((r) => (aDone = r));
    // A changes dev-us-1's region; B (a later fleet commit) changes prod-eu-1
    await ws.commitFleet({ "clusters/dev-us-1.yaml": testCluster("dev-us-1", { region: "ap" }) });
    const runA2 = await ws.render();
    const a = publish({
      run: runA2,
      fleetDir: ws.fleet,
      author: AUTHOR,
      target: remote(ws, url, join(ws.root, "cache-a")),
    }).finally(() => aDone());
    const b = publish({
      run: runB,
      fleetDir: ws.fleet,
      author: AUTHOR,
      target: remote(ws, url, join(ws.root, "cache-b")),
      sleep: async () => undefined,
      beforeUpdate: async (attempt) => {
        if (attempt === 1) await aFinished; // B loses its first push
      },
    });
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra.status).toBe("published");
    expect(rb.status).toBe("published");
    expect(rb.attempts).toBe(2);
    expect(ra.parent).toBe(first.commit);
    expect(rb.parent).toBe(ra.commit);
    expect(await remoteTip(bare)).toBe(rb.commit);
    // linear: every commit has one parent, the winner's commit is in the history
    const chain = (await git(bare, ["rev-list", "--parents", "deploy"])).split("\n").map((l) => l.split(" "));
    expect(chain.map((c) => c[0])).toEqual([rb.commit, ra.commit, first.commit]);
    expect(chain.slice(0, 2).every((c) => c.length === 2)).toBe(true);
    // B's tree is its own output, checked against the winner's tip
    expect(await git(bare, ["show", "deploy:clusters/prod-eu-1/web/deployment-web.yaml"])).toContain("replicas: 9");
    expect(await git(bare, ["show", `${ra.commit}:clusters/dev-us-1/web/configmap-web-config.yaml`])).toContain(
      "region: ap",
    );
    await git(bare, ["fsck", "--strict", "--no-dangling"]);
  });

  it("two publishers started together both finish with a linear history", async () => {
    const { ws, url, bare } = await setup();
    const runA = await ws.render();
    await ws.commitFleet({ "clusters/prod-eu-1.yaml": testCluster("prod-eu-1", { replicas: 2 }) });
    const runB = await ws.render();
    const go = (run: typeof runA, cache: string) =>
      publish({
        run,
        fleetDir: ws.fleet,
        author: AUTHOR,
        target: remote(ws, url, join(ws.root, cache)),
        backoffMs: 50,
      });
    const results = await Promise.all([go(runA, "c1"), go(runB, "c2")]);
    const published = results.filter((r) => r.status === "published");
    expect(published.length).toBeGreaterThanOrEqual(1);
    const parents = (await git(bare, ["rev-list", "--parents", "deploy"])).split("\n").map((l) => l.split(" ").length);
    expect(parents.every((n) => n <= 2)).toBe(true);
    expect(parents.length).toBe(published.length);
  });

  it("a race lost on every try ends with PUBLISH_RACE (exit 3) and never forces", async () => {
    const { ws, url, bare } = await setup();
    await publishTo(ws, remote(ws, url));
    await ws.commitFleet({ "clusters/prod-eu-1.yaml": testCluster("prod-eu-1", { replicas: 8 }) });
    const other = join(ws.root, "other");
    await git(ws.root, ["clone", "-q", url, other]);
    let n = 0;
    const err = await publishTo(ws, remote(ws, url), {
      maxAttempts: 3,
      beforeUpdate: async () => {
        // someone else pushes a new commit every time
        await git(other, ["pull", "-q", "--ff-only", "origin", "deploy"]).catch(() => undefined);
        await git(other, ["checkout", "-q", "deploy"]).catch(() => undefined);
        await git(other, ["commit", "-q", "--allow-empty", "-m", `other ${++n}`]);
        await git(other, ["push", "-q", "origin", "HEAD:deploy"]);
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BraidError);
    expect((err as BraidError).code).toBe("PUBLISH_RACE");
    expect((err as BraidError).exitCode).toBe(3);
    expect(await git(bare, ["log", "-1", "--format=%s", "deploy"])).toBe("other 3");
  });

  it("a push refused by a server pre-receive hook: exit 3, the remote branch stays at the old tip", async () => {
    const { ws, url, bare } = await setup();
    const first = await publishTo(ws, remote(ws, url));
    await writeFile(join(bare, "hooks", "pre-receive"), "#!/bin/sh\necho 'deploys are frozen' >&2\nexit 1\n");
    await chmod(join(bare, "hooks", "pre-receive"), 0o755);
    await ws.commitFleet({ "clusters/prod-eu-1.yaml": testCluster("prod-eu-1", { replicas: 4 }) });
    const res = await cli(ws, ["publish", "--push", url]);
    expect(res.code).toBe(3);
    expect(res.err).toContain("PUBLISH_PUSH");
    expect(res.err).toContain("pre-receive hook declined");
    expect(await remoteTip(bare)).toBe(first.commit);
    await git(bare, ["fsck", "--no-dangling"]);
  });

  it("the server dies mid-push: the branch keeps the old tip, the repository stays sound; a rerun completes it", async () => {
    const { ws, server, url, bare } = await setup();
    const first = await publishTo(ws, remote(ws, url));
    // the hook says when the push is in flight (a marker file) and then holds it, declining in the end, so the
    // server is killed while the push is in flight and an orphaned receive-pack can never move the branch later
    const started = join(bare, "push-started");
    await writeFile(
      join(bare, "hooks", "pre-receive"),
      `#!/bin/sh\ncat >/dev/null\ntouch '${started}'\nsleep 15\nexit 1\n`,
    );
    await chmod(join(bare, "hooks", "pre-receive"), 0o755);
    await ws.commitFleet({ "clusters/prod-eu-1.yaml": testCluster("prod-eu-1", { replicas: 5 }) });
    const inFlight = (async () => {
      while (!existsSync(started)) await new Promise((r) => setTimeout(r, 20));
      await server.close();
    })();
    const err = await publishTo(ws, remote(ws, url, ws.cache, {})).catch((e: unknown) => e);
    await inFlight;
    expect(err).toBeInstanceOf(BraidError);
    expect((err as BraidError).exitCode).toBe(3);
    expect(await remoteTip(bare)).toBe(first.commit); // the old tip, never a half-written one
    await git(bare, ["fsck", "--strict", "--no-dangling"]);
    // a new server on the same repositories; the rerun publishes (a new hook file: the orphan still runs the old)
    await writeFile(join(bare, "hooks", "pre-receive.new"), "#!/bin/sh\nexit 0\n");
    await chmod(join(bare, "hooks", "pre-receive.new"), 0o755);
    await rename(join(bare, "hooks", "pre-receive.new"), join(bare, "hooks", "pre-receive"));
    const again = await startGitServer({ root: join(ws.root, "server") });
    cleanups.push(() => again.close());
    const res = await cli(ws, ["publish", "--push", `${again.url}/deploy.git`]);
    expect(res.code, res.err).toBe(0);
    expect(await git(bare, ["show", "deploy:clusters/prod-eu-1/web/deployment-web.yaml"])).toContain("replicas: 5");
    await git(bare, ["fsck", "--strict", "--no-dangling"]);
  });
});
