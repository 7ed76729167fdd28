/**
 * Large packs are read through the system `git cat-file --batch` (src/git/cat-file.ts), never loaded whole by
 * isomorphic-git; `packed-refs` is read once when listing tags.
 *
 * The proof that git does the reading: a pack whose index is version 1, which git reads and isomorphic-git
 * cannot. With the threshold at 0 every object of it reads right; with `BRAID_GIT_TRANSPORT=embedded` (no
 * system git) the same reads fail. Each case uses its own repository: the choice is made once per repository
 * and process.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import { cp, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BraidError } from "../src/diagnostics/diagnostic.js";
import { hasObject, listRefsPeeled } from "../src/git/git-objects.js";
import { openStore, readCommitInfo } from "../src/git/git-store.js";
import { resolveRevision } from "../src/git/resolve-revision.js";
import git from "../src/git/isogit.js";
import { fixtureTime, git as runGit, makeFixtureRepo } from "./helpers/fixture-repo.js";

const exec = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "..");

const saved = { ...process.env };
afterEach(() => {
  for (const k of ["BRAID_GIT_BATCH_MIN_PACK_BYTES", "BRAID_GIT_TRANSPORT"]) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

let work: string;
/** A repository with history, every object in one pack (deltas included), no loose objects. */
let packed: string;
/** Every blob of `packed` (all commits) with its content, as git prints it. */
let blobs: Map<string, string>;
let head: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "braid-catfile-"));
  const body = (n: number) =>
    Array.from({ length: 40 }, (_, i) => `line ${i}: ${"x".repeat(i % 7)} of version ${i === 20 ? n : 0}`).join("\n");
  const { dir } = await makeFixtureRepo(
    Array.from({ length: 6 }, (_, n) => ({
      files: { "manifests/app.yaml": body(n), [`manifests/extra-${n}.yaml`]: `n: ${n}\n` },
      tags: [{ name: `v1.0.${n}`, annotated: true }],
    })),
    { dir: join(work, "src") },
  );
  packed = join(work, "packed.git");
  await runGit(work, ["clone", "-q", "--bare", "--no-local", dir, packed]);
  await runGit(packed, ["repack", "-a", "-d", "-f", "--depth=50", "--window=50"]);
  await runGit(packed, ["pack-refs", "--all"]);
  head = await runGit(packed, ["rev-parse", "HEAD"]);
  const list = await runGit(packed, ["rev-list", "--objects", "--all"]);
  blobs = new Map();
  for (const line of list.split("\n")) {
    const [oid] = line.split(" ");
    if ((await runGit(packed, ["cat-file", "-t", oid!])) === "blob")
      blobs.set(oid!, (await exec("git", ["cat-file", "blob", oid!], { cwd: packed })).stdout);
  }
});
afterAll(() => rm(work, { recursive: true, force: true }));

let copies = 0;
/** A copy of `packed` under a new path (the reader is chosen once per repository). */
async function copyOf(src = packed): Promise<string> {
  const dir = join(work, `copy-${++copies}.git`);
  await cp(src, dir, { recursive: true });
  return dir;
}

/** A copy whose pack index is rewritten as version 1 (git reads it; isomorphic-git reads only version 2). */
async function withV1Index(): Promise<string> {
  const dir = await copyOf();
  const packDir = join(dir, "objects", "pack");
  const pack = (await readdir(packDir)).find((n) => n.endsWith(".pack"))!;
  await rm(join(packDir, pack.replace(/\.pack$/, ".idx")));
  await runGit(packDir, ["index-pack", "--index-version=1", pack]);
  return dir;
}

async function readAll(gitdir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const cache = {};
  for (const oid of blobs.keys())
    out.set(oid, Buffer.from((await git.readBlob({ fs, gitdir, oid, cache })).blob).toString("utf8"));
  return out;
}

describe("objects of large packs are read by git cat-file", () => {
  it("reads every blob, tree and commit of a pack isomorphic-git cannot read (a version-1 index)", async () => {
    process.env.BRAID_GIT_BATCH_MIN_PACK_BYTES = "0";
    const gitdir = await withV1Index();
    expect(await readAll(gitdir)).toEqual(blobs);
    const { commit } = await git.readCommit({ fs, gitdir, oid: head });
    expect(commit.parent).toHaveLength(1);
    const { tree } = await git.readTree({ fs, gitdir, oid: head, filepath: "manifests" });
    expect(tree.map((e) => e.path)).toContain("app.yaml");
  });

  it("without the system git the same pack is not readable (isomorphic-git alone reads it)", async () => {
    process.env.BRAID_GIT_BATCH_MIN_PACK_BYTES = "0";
    process.env.BRAID_GIT_TRANSPORT = "embedded";
    const gitdir = await withV1Index();
    await expect(git.readCommit({ fs, gitdir, oid: head })).rejects.toThrow();
  });

  it("below the threshold isomorphic-git reads the pack itself", async () => {
    process.env.BRAID_GIT_BATCH_MIN_PACK_BYTES = String(1024 * 1024 * 1024);
    const gitdir = await withV1Index();
    await expect(git.readCommit({ fs, gitdir, oid: head })).rejects.toThrow();
  });

  it("reads the repository asked for when run from a git hook (GIT_OBJECT_DIRECTORY and the like set)", async () => {
    process.env.BRAID_GIT_BATCH_MIN_PACK_BYTES = "0";
    const elsewhere = join(work, "hook-objects");
    fs.mkdirSync(join(elsewhere, "pack"), { recursive: true });
    const saved = { ...process.env };
    Object.assign(process.env, { GIT_OBJECT_DIRECTORY: elsewhere, GIT_DIR: join(work, "nothing.git") });
    try {
      expect(await readAll(await withV1Index())).toEqual(blobs);
    } finally {
      for (const k of ["GIT_OBJECT_DIRECTORY", "GIT_DIR"])
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
    }
  });

  it("gives the same objects as isomorphic-git on a pack both read, deltas included", async () => {
    process.env.BRAID_GIT_BATCH_MIN_PACK_BYTES = "0";
    const viaGit = await readAll(await copyOf());
    process.env.BRAID_GIT_BATCH_MIN_PACK_BYTES = String(1024 * 1024 * 1024);
    const viaIso = await readAll(await copyOf());
    expect(viaGit).toEqual(viaIso);
    expect(viaGit).toEqual(blobs);
  });

  it("answers many reads at once, in order, and a missing object as missing", async () => {
    process.env.BRAID_GIT_BATCH_MIN_PACK_BYTES = "0";
    const gitdir = await withV1Index();
    const cache = {};
    const oids = [...blobs.keys()];
    const texts = await Promise.all(
      [...oids, ...oids].map(async (oid) =>
        Buffer.from((await git.readBlob({ fs, gitdir, oid, cache })).blob).toString("utf8"),
      ),
    );
    expect(texts).toEqual([...oids, ...oids].map((o) => blobs.get(o)));
    expect(await hasObject(gitdir, "0123456789abcdef0123456789abcdef01234567")).toBe(false);
    expect(await hasObject(gitdir, head)).toBe(true);
  });

  it("reads an object larger than many pipe chunks whole", async () => {
    process.env.BRAID_GIT_BATCH_MIN_PACK_BYTES = "0";
    const big = Array.from({ length: 120_000 }, (_, i) => `line ${i} ${(i * 2654435761) % 1000003}`).join("\n");
    const { dir } = await makeFixtureRepo([{ files: { "big.txt": big } }], { dir: join(work, "big-src") });
    const gitdir = join(work, "big.git");
    await runGit(work, ["clone", "-q", "--bare", "--no-local", dir, gitdir]);
    const oid = await runGit(gitdir, ["rev-parse", "HEAD:big.txt"]);
    const [a, b] = await Promise.all([
      git.readBlob({ fs, gitdir, oid }),
      git.readCommit({ fs, gitdir, oid: await runGit(gitdir, ["rev-parse", "HEAD"]) }),
    ]);
    expect(Buffer.from(a.blob).toString("utf8")).toBe(big);
    expect(b.commit.message).toBe("commit 1\n");
  });

  it.skipIf(!fs.existsSync("/proc/self/cwd"))("starts another git when the one reading a repository dies", async () => {
    process.env.BRAID_GIT_BATCH_MIN_PACK_BYTES = "0";
    const gitdir = await withV1Index();
    await git.readCommit({ fs, gitdir, oid: head });
    const readersOf = () =>
      fs
        .readdirSync("/proc")
        .filter((p) => /^\d+$/.test(p))
        .filter((p) => {
          try {
            return fs.readlinkSync(`/proc/${p}/cwd`) === gitdir;
          } catch {
            return false;
          }
        });
    const [pid] = readersOf();
    expect(pid).toBeDefined();
    process.kill(Number(pid), "SIGKILL");
    for (let i = 0; i < 100 && readersOf().includes(pid!); i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 50));
    // only git reads this pack: the read succeeds through a new process
    expect(await readAll(gitdir)).toEqual(blobs);
    expect(readersOf().filter((p) => p !== pid)).toHaveLength(1);
  });

  it("falls back to isomorphic-git, and does not start git again, when git cannot serve the repository", async () => {
    process.env.BRAID_GIT_BATCH_MIN_PACK_BYTES = "0";
    const bin = join(work, "broken-git");
    fs.mkdirSync(bin);
    const log = join(work, "broken-git.log");
    await writeFile(join(bin, "git"), `#!/bin/sh\necho "$@" >> ${log}\nexit 128\n`, { mode: 0o755 });
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    try {
      expect(await readAll(await copyOf())).toEqual(blobs);
    } finally {
      process.env.PATH = path;
    }
    expect(fs.readFileSync(log, "utf8").trim().split("\n")).toEqual(["cat-file --batch"]);
  });

  it("never keeps braid running: the CLI ends after reading a large pack", async () => {
    const gitdir = await withV1Index();
    const fleet = join(work, "fleet");
    await makeFixtureRepo(
      [
        {
          files: {
            "braid.yaml": `apiVersion: braid/v1alpha1
kind: Fleet
metadata: { name: t }
spec:
  kubernetesVersion: "1.34"
  sources:
    - { name: app, url: ${gitdir}, ref: { semver: "~1.0.0" }, path: manifests }
`,
            "clusters/one.yaml": "apiVersion: braid/v1alpha1\nkind: Cluster\nmetadata: { name: one }\n",
          },
        },
      ],
      { dir: fleet },
    );
    const env = { ...process.env, BRAID_GIT_BATCH_MIN_PACK_BYTES: "0", BRAID_CACHE: join(work, "cache") };
    await exec(process.execPath, [join(ROOT, "bin", "braid.js"), "lock", "--quiet"], {
      cwd: fleet,
      env,
      timeout: 60_000,
    });
    const lock = fs.readFileSync(join(fleet, "braid.lock"), "utf8");
    expect(lock).toContain(head);
    expect(lock).toContain("v1.0.5");
  }, 90_000);
});

describe("revisions of a repository read through git", () => {
  it("expands abbreviated ids as git does: unique, missing, ambiguous", async () => {
    process.env.BRAID_GIT_BATCH_MIN_PACK_BYTES = "0";
    const gitdir = await withV1Index(); // only git can read it: an id isomorphic-git expanded would not resolve
    expect(await resolveRevision(gitdir, head.slice(0, 7), {})).toBe(head);
    expect(await resolveRevision(gitdir, `${head.slice(0, 9).toUpperCase()}~1`, {})).toBe(
      await runGit(gitdir, ["rev-parse", "HEAD~1"]),
    );
    // two blobs whose ids share their first 4 digits make that prefix ambiguous
    const seen = new Map<string, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; !pair; i++) {
      const text = `blob number ${i}\n`;
      const id = createHash("sha1")
        .update(`blob ${Buffer.byteLength(text)}\0${text}`)
        .digest("hex");
      const other = seen.get(id.slice(0, 4));
      if (other !== undefined) pair = [other, text];
      else seen.set(id.slice(0, 4), text);
    }
    for (const text of pair) {
      const child = execFile("git", ["hash-object", "-w", "--stdin"], { cwd: gitdir });
      child.stdin!.end(text);
      await new Promise((r) => child.on("close", r));
    }
    const prefix = createHash("sha1")
      .update(`blob ${Buffer.byteLength(pair[0])}\0${pair[0]}`)
      .digest("hex")
      .slice(0, 4);
    // git itself finds both (so the prefix is ambiguous, not missing)
    const check = execFile("git", ["cat-file", "--batch-check"], { cwd: gitdir });
    let out = "";
    check.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    check.stdin!.end(`${prefix}\n`);
    await new Promise((r) => check.on("close", r));
    expect(out.trim()).toBe(`${prefix} ambiguous`);
    for (const rev of [prefix, "deadbeef"]) {
      const e = await resolveRevision(gitdir, rev, {}).catch((err: unknown) => err);
      expect((e as BraidError).diagnostic?.code, rev).toBe("REV_NOT_FOUND");
    }
  });
});

describe("repositories that borrow objects (objects/info/alternates)", () => {
  /** A bare clone made with --shared: no object of its own, every one read through its alternates file. */
  async function sharedClone(): Promise<string> {
    const dir = join(work, `shared-${++copies}.git`);
    await runGit(work, ["clone", "-q", "--bare", "--shared", packed, dir]);
    expect(fs.readFileSync(join(dir, "objects", "info", "alternates"), "utf8")).toContain(packed);
    return dir;
  }

  it("are read through git whatever the size of their own packs", async () => {
    delete process.env.BRAID_GIT_BATCH_MIN_PACK_BYTES; // the default threshold: this clone has no pack at all
    const gitdir = await sharedClone();
    expect(await readAll(gitdir)).toEqual(blobs);
    expect((await listRefsPeeled(gitdir, "refs/tags/")).map((t) => t.ref.slice(10))).toHaveLength(6);
  });

  it("without the system git, a publish says why it cannot read the deploy tip", async () => {
    process.env.BRAID_GIT_TRANSPORT = "embedded";
    const gitdir = await sharedClone();
    const store = await openStore(gitdir);
    const error = await readCommitInfo(store, head).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BraidError);
    expect((error as BraidError).diagnostic).toMatchObject({
      code: "IO",
      hint: expect.stringContaining("objects/info/alternates") as unknown,
    });
  });
});

describe("listing tags reads packed-refs once", () => {
  it("lists packed tags (not their peeled lines), a loose ref overriding its packed value, and peels annotated tags", async () => {
    const gitdir = await copyOf();
    const first = await runGit(gitdir, ["rev-list", "--max-parents=0", "HEAD"]);
    // a loose ref beside the packed one wins, as in git
    await writeFile(join(gitdir, "refs", "tags", "v1.0.5"), `${first}\n`);
    await runGit(gitdir, ["tag", "loose-only", first], fixtureTime(9));
    const tags = await listRefsPeeled(gitdir, "refs/tags/");
    const byName = new Map(tags.map((t) => [t.ref, t]));
    expect([...byName.keys()]).toEqual([
      "refs/tags/loose-only",
      ...Array.from({ length: 6 }, (_, n) => `refs/tags/v1.0.${n}`),
    ]);
    expect(byName.get("refs/tags/v1.0.5")).toMatchObject({ oid: first, commit: first });
    expect(byName.get("refs/tags/loose-only")?.commit).toBe(first);
    // an annotated packed tag: the tag object, peeled to its commit
    const tagObject = await runGit(gitdir, ["rev-parse", "refs/tags/v1.0.4"]);
    expect(byName.get("refs/tags/v1.0.4")).toMatchObject({
      oid: tagObject,
      commit: await runGit(gitdir, ["rev-parse", "refs/tags/v1.0.4^{commit}"]),
    });
    expect(tagObject).not.toBe(byName.get("refs/tags/v1.0.4")?.commit);
  });
});
