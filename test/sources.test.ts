import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BraidError } from "../src/diagnostics/diagnostic.js";
import { diskFleetReader } from "../src/config/fleet-files.js";
import { effectiveCluster } from "../src/config/layer.js";
import { loadFleet } from "../src/config/load-fleet.js";
import type { RefSpec } from "../src/config/types.js";
import { parseLock, serializeLock } from "../src/sources/lock.js";
import { lockFromPins, resolvePins } from "../src/sources/resolve-pins.js";
import { resolveRef, type RepoHandle } from "../src/sources/resolve-ref.js";
import { git, makeFixtureRepo } from "./helpers/fixture-repo.js";
import { clusterYaml, fleetYaml, writeFleet } from "./helpers/fleet-dir.js";
import { main } from "../src/cli/main.js";
import { memoryIO } from "../src/cli/io.js";

let repo: RepoHandle;
let ids: string[];
let dir: string;

beforeAll(async () => {
  const made = await makeFixtureRepo([
    { files: { "a.yaml": "1" }, tags: ["v1.0.0", "latest-stable"] },
    { files: { "a.yaml": "2" }, tags: [{ name: "v1.1.0", annotated: true }, "v1.2", "1.1.5.1"] },
    { files: { "a.yaml": "3" }, tags: ["v1.2.0-rc.1"] },
    { files: { "a.yaml": "4" }, tags: ["v1.2.0+build.1", "monitoring/v2.0.0"] },
    {
      files: { "a.yaml": "5" },
      tags: ["v1.2.0+build.2", "monitoring/v2.1.0", { name: "monitoring/v3.0.0-beta.1", annotated: true }],
    },
    { files: { "a.yaml": "6" }, branch: "next", tags: ["v2.0.0"] },
  ]);
  ids = made.commits;
  dir = made.dir;
  await git(dir, ["checkout", "-q", "main"]);
  repo = { source: "base", gitdir: join(dir, ".git"), displayUrl: "../base" };
});

async function resolve(ref: RefSpec | undefined) {
  return resolveRef(repo, ref);
}

async function failure(ref: RefSpec): Promise<BraidError> {
  try {
    await resolve(ref);
  } catch (e) {
    return e as BraidError;
  }
  throw new Error("expected a failure");
}

describe("ref resolution (Flux GitRepository.spec.ref)", () => {
  it("resolves a branch, the default branch, a tag and an annotated tag (peeled)", async () => {
    expect((await resolve({ branch: "next" })).commit).toBe(ids[5]);
    const def = await resolve(undefined);
    expect(def).toMatchObject({ commit: ids[4], branch: "main" });
    expect((await resolve({ tag: "v1.0.0" })).commit).toBe(ids[0]);
    expect((await resolve({ tag: "v1.1.0" })).commit).toBe(ids[1]);
  });

  it("resolves a full ref name and a commit, with or without branch", async () => {
    expect((await resolve({ name: "refs/heads/next" })).commit).toBe(ids[5]);
    expect((await resolve({ name: "refs/tags/v1.1.0" })).commit).toBe(ids[1]);
    expect((await resolve({ commit: ids[2]! })).commit).toBe(ids[2]);
    expect((await resolve({ commit: ids[2]!, branch: "main" })).commit).toBe(ids[2]);
    expect((await resolve({ commit: ids[5]!, branch: "next" })).commit).toBe(ids[5]);
    const e = await failure({ commit: ids[5]!, branch: "main" });
    expect(e.code).toBe("REF_NOT_REACHABLE");
  });

  it("semver: highest version, v prefix, noise and two-part tags skipped", async () => {
    const r = await resolve({ semver: ">=1.0.0 <2.0.0" });
    expect(r.tag).toBe("v1.2.0+build.2");
    expect(r.commit).toBe(ids[4]);
    const verdict = (t: string) => r.explain.find((v) => v.tag === t)!;
    expect(verdict("v1.2").taken).toBe(false);
    expect(verdict("v1.2").reason).toBe(
      "not a version (Flux's ParseVersion: invalid semantic version: fewer than three dot-separated parts)",
    );
    expect(verdict("latest-stable").taken).toBe(false);
    expect(verdict("1.1.5.1").taken).toBe(false);
    expect(verdict("v1.2.0-rc.1").taken).toBe(false);
    expect(verdict("v2.0.0").reason).toContain("does not satisfy");
  });

  it("semver: build-metadata ties go to the newest commit", async () => {
    const r = await resolve({ semver: "1.2.0" });
    expect(r.tag).toBe("v1.2.0+build.2");
  });

  it("semver: pre-releases only when the range names one", async () => {
    expect((await resolve({ semver: "~1.2.0-0" })).tag).toBe("v1.2.0+build.2");
    expect((await resolve({ semver: ">=1.2.0-0 <1.2.0" })).tag).toBe("v1.2.0-rc.1");
    const e = await failure({ semver: ">1.1.0 <1.2.0" });
    expect(e.code).toBe("SEMVER_NO_MATCH");
    expect(e.diagnostic.hint).toContain("v1.2.0-rc.1");
  });

  it("semver with tagPrefix selects and strips the prefix", async () => {
    const r = await resolve({ semver: "^2.0.0", tagPrefix: "monitoring/" });
    expect(r).toMatchObject({ tag: "monitoring/v2.1.0", commit: ids[4] });
    const pre = await resolve({ semver: ">=3.0.0-0", tagPrefix: "monitoring/" });
    expect(pre).toMatchObject({ tag: "monitoring/v3.0.0-beta.1", commit: ids[4] });
  });

  it("a missing ref lists what exists; a missing commit says so", async () => {
    const tag = await failure({ tag: "v9.9.9" });
    expect(tag.code).toBe("REF_NOT_FOUND");
    expect(tag.diagnostic.hint).toContain("v1.0.0");
    const branch = await failure({ branch: "nope" });
    expect(branch.diagnostic.hint).toContain("main, next");
    const commit = await failure({ commit: "0".repeat(40) });
    expect(commit.code).toBe("COMMIT_NOT_FOUND");
    const name = await failure({ name: "refs/pull/1/head" });
    expect(name.code).toBe("REF_NOT_FOUND");
  });

  it("an invalid range is a content error", async () => {
    const e = await failure({ semver: ">=x.y.z garbage" });
    expect(e.code).toBe("SEMVER_RANGE");
  });

  it("semver fails, as Flux's checkout does, when any tag does not point at a commit; other pins still resolve", async () => {
    const made = await makeFixtureRepo([
      { files: { "a.yaml": "1" }, tags: ["v1.0.0"] },
      { files: { "a.yaml": "2" }, tags: ["v1.1.0"] },
    ]);
    const bad = { source: "odd", gitdir: join(made.dir, ".git"), displayUrl: "../odd" };
    expect(await resolveRef(bad, { semver: "^1.0.0" })).toMatchObject({ tag: "v1.1.0" });
    await git(made.dir, ["tag", "a-tree", "HEAD^{tree}"]); // not semver, not in the range: still fatal in Flux
    const blob = await git(made.dir, ["rev-parse", "HEAD:a.yaml"]);
    await git(made.dir, ["tag", "-a", "-m", "blob", "z-blob", blob]);
    let e: BraidError | undefined;
    try {
      await resolveRef(bad, { semver: "^1.0.0" });
    } catch (err) {
      e = err as BraidError;
    }
    expect(e?.code).toBe("REF_NOT_FOUND");
    expect(e?.message).toMatch(/^tags "a-tree", "z-blob" of source "odd" do not point at a commit .*semver/);
    expect(await resolveRef(bad, { tag: "v1.0.0" })).toMatchObject({ commit: made.commits[0] });
    expect(await resolveRef(bad, { branch: "main" })).toMatchObject({ commit: made.commits[1] });
  });

  it("a tag that is there but leads to no commit says so, instead of 'no such tag'", async () => {
    const made = await makeFixtureRepo([{ files: { "a.yaml": "1" }, tags: ["v1.0.0"] }]);
    const repo = { source: "odd", gitdir: join(made.dir, ".git"), displayUrl: "../odd" };
    const missing = "0123456789abcdef0123456789abcdef01234567";
    await git(made.dir, ["update-ref", "--no-deref", "refs/tags/gone", made.commits[0]!]);
    await writeFile(join(made.dir, ".git", "refs", "tags", "gone"), `${missing}\n`); // git refuses to write it
    await git(made.dir, ["tag", "a-tree", "HEAD^{tree}"]);
    const reject = async (ref: RefSpec) => {
      try {
        await resolveRef(repo, ref);
      } catch (e) {
        return e as BraidError;
      }
      throw new Error("resolved");
    };
    const gone = await reject({ tag: "gone" });
    expect(gone.code).toBe("REF_NOT_FOUND");
    expect(gone.message).toBe(
      `tag "gone" of source "odd" is there but leads to no commit: it points at ${missing}, an object the repository does not hold (../odd)`,
    );
    expect(gone.diagnostic.hint).toContain("git fsck");
    const tree = await reject({ name: "refs/tags/a-tree" });
    expect(tree.message).toMatch(
      /^ref "refs\/tags\/a-tree" of source "odd" is there but leads to no commit: object [0-9a-f]{40} is a tree, not a commit/,
    );
    expect((await reject({ tag: "nope" })).message).toBe('source "odd" has no tag "nope" (../odd)');
  });
});

describe("lock file", () => {
  async function fleetWith(pins: string, base = dir) {
    return writeFleet({
      "braid.yaml": fleetYaml(`    - name: base\n      url: ${base}\n      ref: { semver: "^1.0.0" }`),
      "clusters/a.yaml": clusterYaml("a", pins),
      "clusters/b.yaml": clusterYaml("b"),
    });
  }

  async function resolveFleet(fleetDir: string, opts: Parameters<typeof resolvePins>[2] = {}) {
    const { fleet } = await loadFleet(diskFleetReader(fleetDir));
    const clusters = fleet!.clusters.map((c) => effectiveCluster(fleet!, c));
    return resolvePins(clusters, { fleetDir, cacheDir: join(fleetDir, ".cache"), env: {} }, opts);
  }

  it("is written deterministically, reused, and detects edited pins", async () => {
    const fleetDir = await fleetWith("  sources: [ { name: base, ref: { tag: v1.0.0 } } ]");
    const first = await resolveFleet(fleetDir);
    expect(first.diagnostics).toEqual([]);
    const text = serializeLock(lockFromPins(first.pins.values()));
    expect(serializeLock(lockFromPins([...first.pins.values()].reverse()))).toBe(text);
    expect(text).toContain("tag: v1.2.0+build.2");
    const lock = parseLock(text).lock!;
    expect(lock.pins).toHaveLength(2);

    const again = await resolveFleet(fleetDir, { lock });
    expect([...again.pins.values()].map((p) => p.status)).toEqual(["locked", "locked"]);

    // a lock entry pointing elsewhere wins over the current tags: same fleet commit, same source commits
    const pinned = { pins: lock.pins.map((p) => (p.ref?.semver ? { ...p, commit: ids[0]!, tag: "v1.0.0" } : p)) };
    const reused = await resolveFleet(fleetDir, { lock: pinned });
    expect([...reused.pins.values()].find((p) => p.ref?.semver)!.resolution!.commit).toBe(ids[0]);

    // editing a pin re-resolves it and says so
    const edited = await fleetWith("  sources: [ { name: base, ref: { tag: v1.1.0 } } ]");
    const stale = await resolveFleet(edited, { lock });
    const w = stale.diagnostics.find((d) => d.code === "LOCK_STALE")!;
    expect(w.severity).toBe("warning");
    expect(w.location?.file).toBe("clusters/a.yaml");
    expect([...stale.pins.values()].find((p) => p.ref?.tag)!.resolution!.commit).toBe(ids[1]);
  });

  it("--update moves a semver pin to a new tag", async () => {
    const made = await makeFixtureRepo([{ files: { "a.yaml": "1" }, tags: ["v1.0.0"] }]);
    const fleetDir = await fleetWith("", made.dir);
    const first = await resolveFleet(fleetDir);
    const lock = lockFromPins(first.pins.values());
    expect(lock.pins[0]!.tag).toBe("v1.0.0");
    await git(made.dir, ["commit", "-q", "--allow-empty", "-m", "next"], 1_800_000_000);
    await git(made.dir, ["tag", "v1.3.0"], 1_800_000_000);
    const kept = await resolveFleet(fleetDir, { lock });
    expect([...kept.pins.values()][0]!.resolution!.tag).toBe("v1.0.0");
    const updated = await resolveFleet(fleetDir, { lock, update: ["base"] });
    const pin = [...updated.pins.values()][0]!;
    expect(pin.status).toBe("updated");
    expect(pin.resolution!.tag).toBe("v1.3.0");
  });

  it("braid lock writes braid.lock and --explain shows candidates", async () => {
    const fleetDir = await fleetWith("");
    const io = memoryIO({ cwd: fleetDir, env: { BRAID_CACHE: join(fleetDir, ".cache") } });
    expect(await main(["lock", "--explain"], io)).toBe(0);
    const text = await readFile(join(fleetDir, "braid.lock"), "utf8");
    expect(text).toContain(ids[4]);
    const out = io.out.join("");
    expect(out).toContain("v1.2.0+build.2");
    expect(out).toMatch(
      /v1\.2: not a version \(Flux's ParseVersion: invalid semantic version: fewer than three dot-separated parts\)/,
    );
    const io2 = memoryIO({ cwd: fleetDir, env: { BRAID_CACHE: join(fleetDir, ".cache") } });
    expect(await main(["lock", "--format", "json"], io2)).toBe(0);
    const json = JSON.parse(io2.out.join(""));
    expect(json.pins[0].status).toBe("locked");
    expect(await readFile(join(fleetDir, "braid.lock"), "utf8")).toBe(text);
  });

  it("a locked commit that the source no longer has is an error, never silently replaced", async () => {
    const made = await makeFixtureRepo([{ files: { "a.yaml": "1" } }, { files: { "a.yaml": "2" } }]);
    const fleetDir = await writeFleet({
      "braid.yaml": fleetYaml(`    - name: base\n      url: ${made.dir}\n      ref: { branch: main }`),
      "clusters/a.yaml": clusterYaml("a"),
    });
    const lock = lockFromPins((await resolveFleet(fleetDir)).pins.values());
    expect(lock.pins[0]!.commit).toBe(made.commits[1]);
    // rewrite history upstream: the locked commit disappears
    await git(made.dir, ["reset", "-q", "--hard", made.commits[0]!]);
    await git(made.dir, ["commit", "-q", "--allow-empty", "-m", "rewritten"], 1_900_000_000);
    await git(made.dir, ["reflog", "expire", "--expire=now", "--all"]);
    await git(made.dir, ["gc", "-q", "--prune=now"]);
    const r = await resolveFleet(fleetDir, { lock });
    expect(r.diagnostics.map((d) => d.code)).toEqual(["LOCK_COMMIT_MISSING"]);
    expect(r.diagnostics[0]!.hint).toContain("braid lock --update base");
    expect([...r.pins.values()][0]!.resolution).toBeUndefined();
    // --update is the way out
    const u = await resolveFleet(fleetDir, { lock, update: ["base"] });
    expect(u.diagnostics).toEqual([]);
  });

  it("--explain lists the candidates of a pin that failed, and says what --update would take for a locked one", async () => {
    const made = await makeFixtureRepo([{ files: { "a.yaml": "1" }, tags: ["v1.0.0", "v1.1"] }]);
    const fleetDir = await fleetWith("", made.dir);
    const env = { BRAID_CACHE: join(fleetDir, ".cache") };
    expect(await main(["lock"], memoryIO({ cwd: fleetDir, env }))).toBe(0);
    await git(made.dir, ["commit", "-q", "--allow-empty", "-m", "next"], 1_800_000_000);
    await git(made.dir, ["tag", "v1.3.0"], 1_800_000_000);
    const io = memoryIO({ cwd: fleetDir, env });
    expect(await main(["lock", "--explain"], io)).toBe(0);
    const out = io.out.join("");
    expect(out).toMatch(/locked at v1\.0\.0 [0-9a-f]{12}; candidates now \(--update would take v1\.3\.0\)/);
    expect(out).toContain("✓ v1.3.0");

    const bad = await writeFleet({
      "braid.yaml": fleetYaml(`    - name: base\n      url: ${made.dir}\n      ref: { semver: ">=9.0.0" }`),
      "clusters/a.yaml": clusterYaml("a"),
    });
    const io2 = memoryIO({ cwd: bad, env: { BRAID_CACHE: join(bad, ".cache") } });
    expect(await main(["lock", "--explain"], io2)).toBe(1);
    const out2 = io2.out.join("");
    expect(out2).toContain("could not be resolved; candidates considered:");
    expect(out2).toMatch(/· v1\.3\.0 \(1\.3\.0\): does not satisfy >=9\.0\.0/);
    expect(out2).toMatch(
      /· v1\.1: not a version \(Flux's ParseVersion: invalid semantic version: fewer than three dot-separated parts\)/,
    );
    expect(out2).toMatch(/base +semver: >=9\.0\.0 .*FAILED .*failed/);
  });

  it("a broken lock is reported, not ignored", () => {
    const { diagnostics } = parseLock("apiVersion: braid/v1alpha1\nkind: Lock\npins: [ { source: x } ]\n");
    expect(diagnostics[0]!.code).toBe("LOCK_INVALID");
  });
});
