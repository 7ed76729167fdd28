/**
 * A publish writes its new objects as one packfile (100 objects or more, git's unpack limit) or loose
 * (fewer): git and isomorphic-git read them, the branch can be cloned and pushed, and a publish killed
 * mid-write leaves nothing that the next one trips over.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { memoryIO } from "../src/cli/io.js";
import {
  listBlobs,
  openStore,
  readBlobText,
  readCommitInfo,
  readTreeEntries,
  UNPACK_LIMIT,
  writeObjects,
} from "../src/git/git-store.js";
import { publish, type PublishOptions } from "../src/publish/publish.js";
import { git } from "./helpers/fixture-repo.js";
import { startGitServer } from "./helpers/git-http-server.js";
import { makeWorkspace, OPENAPI_ENV, testCluster, type Workspace } from "./helpers/publish-fleet.js";
import { openApiSkipReason } from "./helpers/openapi-fixture.js";

const exec = promisify(execFile);
const NO_OPENAPI = openApiSkipReason("publish-pack");
const AUTHOR = { name: "Braid Test", email: "braid@test" };
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
});

/** 30 clusters, each with its own replicas and region: well over 100 new objects on a first publish. */
function manyClusters(replicas = 1, region = "r"): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < 30; i++) {
    const name = `prod-eu-${i}`;
    out[name] = testCluster(name, { replicas: replicas + i, region: `${region}${i}` });
  }
  return out;
}

async function workspace(clusters: Record<string, string>): Promise<Workspace> {
  const ws = await makeWorkspace(clusters);
  cleanups.push(() => ws.cleanup());
  return ws;
}

async function publishWs(ws: Workspace, extra: Partial<PublishOptions> = {}) {
  return publish({ run: await ws.render(), fleetDir: ws.fleet, author: AUTHOR, now: () => 1_800_000_000, ...extra });
}

const packDir = (ws: Workspace) => join(ws.fleet, ".git", "objects", "pack");
const packs = async (ws: Workspace) =>
  (await readdir(packDir(ws)).catch(() => [] as string[])).filter((n) => n.endsWith(".idx")).sort();
/** Loose objects of the repository (git count-objects' "count"). */
const looseCount = async (ws: Workspace) =>
  Number(/^count: (\d+)$/m.exec(await git(ws.fleet, ["count-objects", "-v"]))![1]);
/** A blob's bytes as git prints them (untrimmed). */
async function catBlob(cwd: string, oid: string): Promise<string> {
  return (await exec("git", ["cat-file", "blob", oid], { cwd })).stdout;
}
/** Every object reachable from a ref, with its type, as git lists them. */
async function reachable(cwd: string, ref: string): Promise<string[]> {
  return (await git(cwd, ["rev-list", "--objects", "--no-object-names", ref])).split("\n").filter(Boolean);
}

describe.skipIf(NO_OPENAPI)("publish writes one packfile at git's unpack limit", () => {
  it("a first publish of many objects: one pack that git verifies, fsck, cat-file, isomorphic-git, clone and push read", async () => {
    const ws = await workspace(manyClusters());
    const packsBefore = await packs(ws);
    const looseBefore = await looseCount(ws);
    const r = await publishWs(ws);
    expect(r.status).toBe("published");
    expect(r.objectsWritten).toBeGreaterThanOrEqual(UNPACK_LIMIT);

    // one new pack (+ its index), no loose object, no temp file
    const added = (await packs(ws)).filter((n) => !packsBefore.includes(n));
    expect(added).toHaveLength(1);
    expect(await looseCount(ws)).toBe(looseBefore);
    expect((await readdir(packDir(ws))).filter((n) => n.startsWith("tmp_"))).toEqual([]);
    const idx = join(packDir(ws), added[0]!);
    const verify = await git(ws.fleet, ["verify-pack", "-v", idx]);
    expect(verify).toContain(`non delta: ${r.objectsWritten} objects`);
    await git(ws.fleet, ["fsck", "--strict", "--no-dangling"]);

    // every object of the deploy commit is in the new pack, and cat-file reads each one
    const objects = await reachable(ws.fleet, "deploy");
    const inPack = new Set(verify.split("\n").map((l) => l.split(" ")[0]));
    expect(objects.filter((o) => !inPack.has(o))).toEqual([]);
    expect(objects).toHaveLength(r.objectsWritten);
    const checked = await exec(
      "sh",
      ["-c", "git rev-list --objects --no-object-names deploy | git cat-file --batch-check"],
      {
        cwd: ws.fleet,
      },
    );
    expect(checked.stdout.split("\n").filter((l) => /^[0-9a-f]{40} (blob|tree|commit) \d+$/.test(l))).toHaveLength(
      objects.length,
    );

    // isomorphic-git (a fresh store) reads every file as git does
    const store = await openStore(join(ws.fleet, ".git"));
    const files = await listBlobs(store, (await readCommitInfo(store, r.commit!)).tree);
    expect(files.size).toBeGreaterThan(60);
    for (const oid of [...files.values()].slice(0, 40))
      expect(await readBlobText(store, oid)).toBe(await catBlob(ws.fleet, oid));
    expect([...files.keys()]).toEqual(
      (await git(ws.fleet, ["ls-tree", "-r", "--name-only", "deploy"])).split("\n").filter(Boolean),
    );

    // clone (over git's pack protocol, not hard links) and push of the deploy branch
    const clone = join(ws.root, "clone");
    await git(ws.root, ["clone", "-q", "--no-local", "--branch", "deploy", ws.fleet, clone]);
    expect(await git(clone, ["rev-parse", "HEAD"])).toBe(r.commit);
    expect(existsSync(join(clone, "clusters", "prod-eu-7", "web", "deployment-web.yaml"))).toBe(true);
    const bare = join(ws.root, "pushed.git");
    await git(ws.root, ["init", "-q", "--bare", bare]);
    await git(ws.fleet, ["push", "-q", bare, "deploy"]);
    expect(await git(bare, ["rev-parse", "deploy"])).toBe(r.commit);
    await git(bare, ["fsck", "--strict", "--no-dangling"]);
  });

  it("a second publish on top with fewer than 100 new objects writes them loose; fsck stays clean", async () => {
    const ws = await workspace(manyClusters());
    const first = await publishWs(ws);
    const packsAfterFirst = await packs(ws);
    const looseBefore = await looseCount(ws);
    await ws.commitFleet({ "clusters/prod-eu-3.yaml": testCluster("prod-eu-3", { replicas: 99, region: "r3" }) });
    const second = await publishWs(ws);
    expect([second.status, second.changed.map((c) => c.name)]).toEqual(["published", ["prod-eu-3"]]);
    expect(second.objectsWritten).toBeGreaterThan(0);
    expect(second.objectsWritten).toBeLessThan(UNPACK_LIMIT);
    expect(await packs(ws)).toEqual(packsAfterFirst);
    // the fleet commit added loose objects too: count only the deploy commit's new ones
    const newObjects = (
      await git(ws.fleet, ["rev-list", "--objects", "--no-object-names", "deploy", `^${first.commit}`])
    )
      .split("\n")
      .filter(Boolean);
    expect(newObjects).toHaveLength(second.objectsWritten);
    for (const oid of newObjects)
      expect(existsSync(join(ws.fleet, ".git", "objects", oid.slice(0, 2), oid.slice(2)))).toBe(true);
    expect(await looseCount(ws)).toBeGreaterThanOrEqual(looseBefore + second.objectsWritten);
    expect(await git(ws.fleet, ["show", "deploy:clusters/prod-eu-3/web/deployment-web.yaml"])).toContain(
      "replicas: 99",
    );
    await git(ws.fleet, ["fsck", "--strict", "--no-dangling"]);

    // and a third publish that changes every cluster packs again, on top of the loose objects
    await ws.commitFleet(
      Object.fromEntries(Object.entries(manyClusters(40, "s")).map(([n, t]) => [`clusters/${n}.yaml`, t])),
    );
    const third = await publishWs(ws);
    expect(third.objectsWritten).toBeGreaterThanOrEqual(UNPACK_LIMIT);
    expect(await packs(ws)).toHaveLength(packsAfterFirst.length + 1);
    expect(await git(ws.fleet, ["rev-parse", "deploy^"])).toBe(second.commit);
    await git(ws.fleet, ["fsck", "--strict", "--no-dangling"]);
  });

  it("a small fleet (fewer than 100 objects) is published loose, as before", async () => {
    const ws = await workspace({ "prod-eu-1": testCluster("prod-eu-1", { replicas: 3 }) });
    const before = await packs(ws);
    const r = await publishWs(ws);
    expect(r.objectsWritten).toBeLessThan(UNPACK_LIMIT);
    expect(await packs(ws)).toEqual(before);
    for (const oid of await reachable(ws.fleet, "deploy"))
      expect(existsSync(join(ws.fleet, ".git", "objects", oid.slice(0, 2), oid.slice(2)))).toBe(true);
  });

  it("isomorphic-git finds objects of a pack written after it read the store's packs, in the same process", async () => {
    const ws = await workspace(manyClusters());
    const first = await publishWs(ws);
    const store = await openStore(join(ws.fleet, ".git"));
    // read through the store's cache first: isomorphic-git now holds the first pack's index
    const root = (await readCommitInfo(store, first.commit!)).tree;
    const entries = await readTreeEntries(store, root);
    expect(entries.map((e) => e.name)).toContain("clusters");
    // 120 new blobs and a tree of them: one new pack
    const blobs = Array.from({ length: 120 }, (_, i) => Buffer.from(`blob ${i}\n`));
    const { hashObject } = await import("../src/git/git-store.js");
    const objects = blobs.map((content) => ({ type: "blob" as const, content, oid: hashObject("blob", content) }));
    const treeBytes = Buffer.concat(
      objects
        .map((o, i) => ({ name: `f${String(i).padStart(3, "0")}`, oid: o.oid }))
        .map((e) => Buffer.concat([Buffer.from(`100644 ${e.name}\0`), Buffer.from(e.oid, "hex")])),
    );
    const tree = { type: "tree" as const, content: treeBytes, oid: hashObject("tree", treeBytes) };
    expect(await writeObjects(store, [...objects, tree])).toBe(121);
    expect(await packs(ws)).toHaveLength(2);
    const read = await readTreeEntries(store, tree.oid);
    expect(read).toHaveLength(120);
    expect(await readBlobText(store, read[7]!.oid)).toBe("blob 7\n");
  });
});

describe.skipIf(NO_OPENAPI)("a packed publish that loses a race", () => {
  it("keeps the pack it wrote, and the retry on the winner's tip writes only its new commit (loose)", async () => {
    const ws = await workspace(manyClusters());
    const before = await packs(ws);
    let packed = 0;
    let winner = "";
    const r = await publishWs(ws, {
      sleep: async () => undefined,
      beforeUpdate: async (attempt) => {
        if (attempt !== 1) return;
        packed = (await packs(ws)).length - before.length;
        // another publisher creates the branch first (a commit of some other tree)
        winner = await git(ws.fleet, ["commit-tree", "HEAD^{tree}", "-m", "other"]);
        await git(ws.fleet, ["update-ref", "refs/heads/deploy", winner, ""]);
      },
    });
    expect([r.status, r.attempts, r.parent]).toEqual(["published", 2, winner]);
    expect(packed).toBe(1);
    expect(await packs(ws)).toHaveLength(before.length + 1);
    const winnerObjects = new Set(await reachable(ws.fleet, winner));
    // every tree and blob came from the first attempt's pack; the second wrote its commit alone, loose
    const newObjects = (await reachable(ws.fleet, "deploy")).filter((o) => !winnerObjects.has(o));
    expect(r.objectsWritten).toBe(newObjects.length + 1); // + the first attempt's commit, never referenced
    expect(existsSync(join(ws.fleet, ".git", "objects", r.commit!.slice(0, 2), r.commit!.slice(2)))).toBe(true);
    await git(ws.fleet, ["fsck", "--strict", "--no-dangling"]);
  });
});

describe.skipIf(NO_OPENAPI)("a publish killed mid-write (kill -9)", () => {
  it("temp packs of dead processes are removed, live ones and git's own kept; a pack left without its index is ignored", async () => {
    const ws = await workspace(manyClusters());
    const dead = await new Promise<number>((resolve) => {
      const c = spawn("true");
      c.on("exit", () => resolve(c.pid!));
    });
    const live = spawn("sleep", ["60"]);
    cleanups.push(async () => void live.kill("SIGKILL"));
    // the state a publish killed between its two renames leaves: the pack it would write, without an index,
    // and its temp index (made by publishing into a copy of the repository, then taking the pack from there)
    const copy = join(ws.root, "copy");
    await cp(join(ws.fleet, ".git"), join(copy, ".git"), { recursive: true });
    const fromCopy = await publish({
      run: await ws.render(),
      fleetDir: ws.fleet,
      author: AUTHOR,
      now: () => 1_800_000_000,
      target: { kind: "local", gitdir: join(copy, ".git"), label: copy },
    });
    const written = (await readdir(join(copy, ".git", "objects", "pack"))).filter((n) => n.endsWith(".pack"));
    const orphan = written.find((n) => !existsSync(join(packDir(ws), n)))!;
    await mkdir(packDir(ws), { recursive: true });
    await cp(join(copy, ".git", "objects", "pack", orphan), join(packDir(ws), orphan));
    const leftovers = {
      deadPack: join(packDir(ws), `tmp_pack_${dead}_0a1b2c3d`),
      deadIdx: join(packDir(ws), `tmp_idx_${dead}_0a1b2c3d`),
      livePack: join(packDir(ws), `tmp_pack_${live.pid}_0a1b2c3d`),
      gitOwn: join(packDir(ws), "tmp_pack_Xq3ZrT"),
      gitIdx: join(packDir(ws), "tmp_idx_aB9c0D"),
    };
    for (const f of Object.values(leftovers)) await writeFile(f, "partial");
    // readers ignore the half-written state: the branch does not exist, fsck finds nothing broken
    expect(await git(ws.fleet, ["rev-parse", "--verify", "-q", "refs/heads/deploy"]).catch(() => "")).toBe("");
    await git(ws.fleet, ["fsck", "--strict", "--no-dangling"]);

    const r = await publishWs(ws);
    expect(r.status).toBe("published");
    expect(r.commit).toBe(fromCopy.commit);
    expect(existsSync(leftovers.deadPack)).toBe(false);
    expect(existsSync(leftovers.deadIdx)).toBe(false);
    expect(existsSync(leftovers.livePack)).toBe(true);
    expect(existsSync(leftovers.gitOwn)).toBe(true);
    expect(existsSync(leftovers.gitIdx)).toBe(true);
    // the same objects make the same pack: renamed over the orphan, now with its index
    expect(existsSync(join(packDir(ws), orphan.replace(/\.pack$/, ".idx")))).toBe(true);
    await rm(leftovers.livePack);
    await rm(leftovers.gitOwn);
    await rm(leftovers.gitIdx);
    await git(ws.fleet, ["fsck", "--strict", "--no-dangling"]);
    expect(await git(ws.fleet, ["count-objects", "-v"])).toMatch(/^garbage: 0$/m);
  });

  it("a pack without an index that is not the next one stays ignored, and the CLI publish succeeds", async () => {
    const ws = await workspace(manyClusters());
    await mkdir(packDir(ws), { recursive: true });
    const stray = join(packDir(ws), `pack-${"ab".repeat(20)}.pack`);
    await writeFile(stray, "PACK truncated");
    const io = memoryIO({ cwd: ws.fleet, env: { BRAID_KUBERNETES_OPENAPI: OPENAPI_ENV, BRAID_CACHE: ws.cache } });
    expect(await main(["publish"], io), io.err.join("")).toBe(0);
    expect(existsSync(stray)).toBe(true);
    await git(ws.fleet, ["fsck", "--strict", "--no-dangling"]);
    expect(await git(ws.fleet, ["ls-tree", "-r", "--name-only", "deploy"])).toContain(
      "clusters/prod-eu-4/web/deployment-web.yaml",
    );
  });

  it("git gc prunes a temp pack named as braid names it", async () => {
    const ws = await workspace({ "prod-eu-1": testCluster("prod-eu-1") });
    await mkdir(packDir(ws), { recursive: true });
    const tmp = join(packDir(ws), `tmp_pack_${process.pid}_0a1b2c3d`);
    await writeFile(tmp, "partial");
    await git(ws.fleet, ["gc", "-q", "--prune=now"]);
    expect(existsSync(tmp)).toBe(false);
  });
});

describe.skipIf(NO_OPENAPI)("publish --push of a packed publish", () => {
  it.each(["system", "embedded"])("pushes the pack's objects over smart HTTP (%s transport)", async (transport) => {
    const ws = await workspace(manyClusters());
    const root = join(ws.root, "server");
    await mkdir(root, { recursive: true });
    const bare = join(root, "deploy.git");
    await git(root, ["init", "-q", "--bare", "-b", "main", bare]);
    const server = await startGitServer({ root });
    cleanups.push(() => server.close());
    const io = memoryIO({
      cwd: ws.fleet,
      env: {
        BRAID_KUBERNETES_OPENAPI: OPENAPI_ENV,
        BRAID_CACHE: ws.cache,
        BRAID_GIT_TRANSPORT: transport,
        PATH: process.env.PATH ?? "",
      },
    });
    expect(await main(["publish", "--push", `${server.url}/deploy.git`, "--format", "json"], io), io.err.join("")).toBe(
      0,
    );
    const out = JSON.parse(io.out.join("")) as { commit: string; objectsWritten?: number };
    expect(await git(bare, ["rev-parse", "deploy"])).toBe(out.commit);
    await git(bare, ["fsck", "--strict", "--no-dangling"]);
    // the cache repository it was built in holds it as one pack
    const cacheRepos = await readdir(join(ws.cache, "publish"));
    const gitdir = join(
      ws.cache,
      "publish",
      cacheRepos.find((n) => n.endsWith(".git"))!,
    );
    expect((await readdir(join(gitdir, "objects", "pack"))).filter((n) => n.endsWith(".idx"))).toHaveLength(1);
  });
});
