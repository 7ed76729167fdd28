/** Unit tables for the publish building blocks: tree objects (checked against git), message, prune guard, refs. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BraidError } from "../src/diagnostics/diagnostic.js";
import {
  commitMessage,
  parseTrailers,
  subjectLine,
  trailerLines,
  type CommitSummary,
} from "../src/publish/commit-message.js";
import {
  addFile,
  addFiles,
  createDeployTree,
  graftTree,
  newDeployObjects,
  subtreeOid,
  treeOid,
  writeDeployTree,
} from "../src/publish/deploy-tree.js";
import { compareAndSwapRef, hashObject, openStore, writeCommitObject } from "../src/git/git-store.js";
import {
  inventoryReadme,
  parseInventory,
  recordedDiagnostics,
  type InventoryCluster,
} from "../src/publish/inventory.js";
import { checkPrune } from "../src/publish/prune-guard.js";
import { git } from "./helpers/fixture-repo.js";

let repo: string;
beforeAll(async () => {
  repo = await mkdtemp(join(tmpdir(), "braid-units-"));
  await git(repo, ["init", "-q", "--bare", "-b", "main"]);
});
afterAll(() => rm(repo, { recursive: true, force: true }));

describe("deploy tree objects", () => {
  const FILES: Record<string, string> = {
    "a.b": "dot\n",
    "a-b": "dash\n",
    "a/b.yaml": "kind: X\n",
    "a/c/d.yaml": "deep\n",
    "ab/x.yaml": "same\n",
    "zz/x.yaml": "same\n",
    "README.md": "ü unicode\n",
  };

  it("hashes blobs like git hash-object", async () => {
    const work = await mkdtemp(join(tmpdir(), "braid-hash-"));
    await writeFile(join(work, "f"), "hello\n");
    expect(hashObject("blob", Buffer.from("hello\n"))).toBe(await git(work, ["hash-object", "f"]));
    await rm(work, { recursive: true });
  });

  it("builds the same tree oid git builds (entry order included), writes a sound store, shares blobs", async () => {
    const tree = createDeployTree();
    for (const [p, c] of Object.entries(FILES)) addFile(tree, p, c);
    const store = await openStore(repo);
    const { oid, written } = await writeDeployTree(store, tree);
    // blobs: 6 distinct contents; trees: root, a, a/c, ab, zz (ab and zz are identical: one object)
    expect(written).toBe(6 + 4);
    expect(subtreeOid(tree, "ab")).toBe(subtreeOid(tree, "zz"));
    // git agrees: build the same tree through its index
    const work = await mkdtemp(join(tmpdir(), "braid-tree-"));
    await git(work, ["init", "-q"]);
    for (const [p, c] of Object.entries(FILES)) {
      await writeFile(join(work, "blob"), c);
      const blob = await git(work, ["hash-object", "-w", "blob"]);
      await git(work, ["update-index", "--add", "--cacheinfo", `100644,${blob},${p}`]);
    }
    expect(await git(work, ["write-tree"])).toBe(oid);
    await rm(work, { recursive: true });
    await git(repo, ["fsck", "--strict"]);
    expect(await git(repo, ["cat-file", "-p", `${oid}:a/c/d.yaml`])).toBe("deep");
    // writing again writes nothing; a graft keeps a stored subtree as is
    expect((await writeDeployTree(await openStore(repo), tree)).written).toBe(0);
    const next = createDeployTree();
    graftTree(next, "kept/here", subtreeOid(tree, "a")!);
    addFile(next, "new.txt", "new\n");
    const second = await writeDeployTree(await openStore(repo), next);
    expect(second.written).toBe(3); // the new blob, `kept/` and the root; the grafted folder is not rewritten
    expect(await git(repo, ["cat-file", "-p", `${second.oid}:kept/here/c/d.yaml`])).toBe("deep");
  });

  it("adds a folder's files at once into the same tree (non-ASCII names in git's byte order)", async () => {
    const files = [
      { path: "z.yaml", content: "z\n" },
      { path: "é.yaml", content: "e-acute\n" },
      { path: "😀.yaml", content: "emoji\n" },
      { path: "\uff5e.yaml", content: "fullwidth tilde\n" },
      { path: "sub/a.yaml", content: "a\n" },
      { path: "sub.yaml", content: "dot\n" },
      { path: "sub-x/deep/k.yaml", content: "k\n" },
    ];
    const one = createDeployTree();
    for (const f of files) addFile(one, `clusters/c1/${f.path}`, f.content);
    const all = createDeployTree();
    addFiles(all, "clusters/c1", files);
    expect(treeOid(all)).toBe(treeOid(one));
    const work = await mkdtemp(join(tmpdir(), "braid-tree-"));
    await git(work, ["init", "-q"]);
    for (const f of files) {
      await writeFile(join(work, "blob"), f.content);
      const blob = await git(work, ["hash-object", "-w", "blob"]);
      await git(work, ["update-index", "--add", "--cacheinfo", `100644,${blob},clusters/c1/${f.path}`]);
    }
    expect(await git(work, ["write-tree"])).toBe(treeOid(all));
    await rm(work, { recursive: true });
    // a later file replaces what was at its path, file or folder, as one addFile after another does
    const clash = [
      { path: "x/y.yaml", content: "y\n" },
      { path: "x", content: "file x\n" },
      { path: "x/z.yaml", content: "z\n" },
      { path: "w/v/u.yaml", content: "u\n" },
      { path: "w/t.yaml", content: "t\n" },
    ];
    const seq = createDeployTree();
    for (const f of clash) addFile(seq, `c/${f.path}`, f.content);
    const batch = createDeployTree();
    addFiles(batch, "c", clash);
    expect(treeOid(batch)).toBe(treeOid(seq));
    expect(() => addFiles(createDeployTree(), "clusters/c1", [{ path: "../x", content: "" }])).toThrow();
    expect(() => addFiles(createDeployTree(), "clusters/.git", [{ path: "x", content: "" }])).toThrow();
  });

  it("orders names as git does (UTF-8 bytes) where UTF-16 order differs: U+FFFD before an emoji", async () => {
    const files: Record<string, string> = {
      "\u{fffd}.yaml": "replacement\n",
      "\u{1f600}.yaml": "emoji\n",
      "é/x.yaml": "accent\n",
      "e.yaml": "plain\n",
      "z.yaml": "zed\n",
    };
    const tree = createDeployTree();
    for (const [p, c] of Object.entries(files)) addFile(tree, p, c);
    const work = await mkdtemp(join(tmpdir(), "braid-utf8-"));
    await git(work, ["init", "-q"]);
    for (const [p, c] of Object.entries(files)) {
      await writeFile(join(work, "blob"), c);
      const blob = await git(work, ["hash-object", "-w", "blob"]);
      await git(work, ["update-index", "--add", "--cacheinfo", `100644,${blob},${p}`]);
    }
    expect(treeOid(tree)).toBe(await git(work, ["write-tree"]));
    await rm(work, { recursive: true });
  });

  it("addFiles builds the tree addFile builds, file by file (folders replaced by files and back included)", () => {
    const files = [
      ...Object.entries(FILES).map(([path, content]) => ({ path, content })),
      { path: "a/c", content: "a file replaces the folder a/c\n" },
      { path: "a/c/e.yaml", content: "and a folder the file\n" },
      { path: "x//y/", content: "irregular\n" },
      { path: "a", content: "the whole of a\n" },
      { path: "a/z.yaml", content: "a again\n" },
    ];
    const one = createDeployTree();
    for (const f of files) addFile(one, `clusters/c1/${f.path}`, f.content);
    const all = createDeployTree();
    addFiles(all, "clusters/c1", files);
    expect(treeOid(all)).toBe(treeOid(one));
    expect(subtreeOid(all, "clusters/c1/a")).toBe(subtreeOid(one, "clusters/c1/a"));
    expect(() => addFiles(createDeployTree(), "c", [{ path: "a/../b", content: "" }])).toThrow();
  });

  it("lists new objects children first, in the tree's order, the same list every time", async () => {
    const tree = createDeployTree();
    for (const [p, c] of Object.entries(FILES)) addFile(tree, p, c);
    const empty = await mkdtemp(join(tmpdir(), "braid-empty-"));
    await git(empty, ["init", "-q", "--bare"]);
    const lists = await Promise.all(
      [1, 2, 3].map(async () => (await newDeployObjects(await openStore(empty), tree)).map((o) => o.oid)),
    );
    await rm(empty, { recursive: true });
    expect(lists[1]).toEqual(lists[0]);
    expect(lists[2]).toEqual(lists[0]);
    const at = (path: string) =>
      lists[0]!.indexOf(subtreeOid(tree, path) ?? hashObject("blob", Buffer.from(FILES[path]!)));
    expect(lists[0]).toHaveLength(10);
    expect(lists[0]!.at(-1)).toBe(treeOid(tree));
    expect(at("a/c/d.yaml")).toBeLessThan(at("a/c"));
    expect(at("a/c")).toBeLessThan(at("a"));
    expect(at("a/b.yaml")).toBeLessThan(at("a"));
    expect(at("ab/x.yaml")).toBeLessThan(at("ab"));
  });

  it.each([["../x"], ["a/../b"], [".git/config"], [""]])("rejects the path %j", (p) => {
    expect(() => addFile(createDeployTree(), p, "x")).toThrow();
  });

  it("writes a commit git can read", async () => {
    const tree = createDeployTree();
    addFile(tree, "x", "1\n");
    const store = await openStore(repo);
    const { oid } = await writeDeployTree(store, tree);
    const commit = await writeCommitObject(store, {
      tree: oid,
      parents: [],
      author: { name: "A <b>", email: "a@b", timestamp: 1_700_000_000, timezoneOffset: 90 },
      message: "subject\n\nBraid-Source: s@v1 abc",
    });
    expect(await git(repo, ["log", "-1", "--format=%an|%ae|%at|%ai|%s", commit])).toBe(
      "A b|a@b|1700000000|2023-11-14 23:43:20 +0130|subject",
    );
    expect(treeOid(tree)).toBe(oid);
  });
});

describe("compareAndSwapRef", () => {
  it("moves a ref only from the expected value, and refuses while another process holds the lock", async () => {
    const store = await openStore(repo);
    const tree = createDeployTree();
    addFile(tree, "x", "cas\n");
    const { oid } = await writeDeployTree(store, tree);
    const c1 = await writeCommitObject(store, {
      tree: oid,
      parents: [],
      author: { name: "a", email: "a", timestamp: 1 },
      message: "1",
    });
    const c2 = await writeCommitObject(store, {
      tree: oid,
      parents: [c1],
      author: { name: "a", email: "a", timestamp: 2 },
      message: "2",
    });
    expect(await compareAndSwapRef(repo, "refs/heads/cas", undefined, c1)).toBe(true);
    expect(await compareAndSwapRef(repo, "refs/heads/cas", undefined, c2)).toBe(false);
    expect(await compareAndSwapRef(repo, "refs/heads/cas", c1, c2)).toBe(true);
    expect(await git(repo, ["rev-parse", "refs/heads/cas"])).toBe(c2);
    await writeFile(join(repo, "refs/heads/cas.lock"), "");
    const err = await compareAndSwapRef(repo, "refs/heads/cas", c2, c1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BraidError);
    expect((err as BraidError).code).toBe("PUBLISH_RACE");
    await rm(join(repo, "refs/heads/cas.lock"));
  });
});

describe("commit message", () => {
  const base: CommitSummary = { added: [], changed: [], removed: [], held: [], unchanged: 0, sources: [] };
  it.each<[Partial<CommitSummary>, string]>([
    [{ added: [{ name: "a", resources: 1 }] }, "braid: 1 cluster added"],
    [
      {
        added: [{ name: "a", resources: 1 }],
        changed: [
          { name: "b", resources: 2 },
          { name: "c", resources: 2 },
        ],
      },
      "braid: 1 cluster added, 2 changed",
    ],
    [{ changed: [{ name: "b", resources: 2 }], removed: ["x"] }, "braid: 1 cluster changed, 1 removed"],
    [{ removed: ["x", "y"] }, "braid: 2 clusters removed"],
    [{ held: [{ name: "h", reason: "E", kept: true }] }, "braid: 1 held back"],
    [{}, "braid: update inventory"],
  ])("subject of %j", (s, want) => {
    expect(subjectLine({ ...base, ...s })).toBe(want);
  });

  it("ends with the trailers: fleet commit first, then one Braid-Source per distinct pin, sorted", () => {
    const s: CommitSummary = {
      ...base,
      changed: [{ name: "b", resources: 2 }],
      held: [{ name: "h", reason: "PATCH_NO_MATCH a patch\nmatches nothing", kept: true }],
      fleetCommit: "f".repeat(40),
      sources: [
        { name: "mon", ref: "main", commit: "2".repeat(40) },
        { name: "base", ref: "v1.2.0", commit: "1".repeat(40) },
        { name: "base", ref: "v1.2.0", commit: "1".repeat(40) },
        { name: "pinned", commit: "3".repeat(40) },
      ],
    };
    const msg = commitMessage(s);
    expect(msg).toContain(
      "Held back (failed to render; last good output kept):\n  - h: PATCH_NO_MATCH a patch matches nothing\n",
    );
    expect(
      msg.endsWith(
        `\n\nBraid-Fleet-Commit: ${"f".repeat(40)}\nBraid-Source: base@v1.2.0 ${"1".repeat(40)}\nBraid-Source: mon@main ${"2".repeat(40)}\nBraid-Source: pinned@${"3".repeat(40)} ${"3".repeat(40)}\n`,
      ),
    ).toBe(true);
    expect(parseTrailers(msg)).toEqual({
      fleetCommit: "f".repeat(40),
      sources: trailerLines(s)
        .slice(1)
        .map((l) => l.slice("Braid-Source: ".length)),
    });
    expect(commitMessage({ ...s, subject: "custom\nignored" }).split("\n")[0]).toBe("custom");
  });
});

describe("prune guard", () => {
  const files = (n: number) => [...Array.from({ length: n }, (_, i) => `ns/configmap-${i}.yaml`), "kustomization.yaml"];
  it.each<[string, string[], string[] | undefined, number, string[]]>([
    ["keeps everything", files(4), files(4), 0.5, []],
    ["loses exactly half: allowed", files(4), files(2), 0.5, []],
    ["loses 3 of 4", files(4), files(1), 0.5, ["error"]],
    ["loses 1 of 4 with threshold 0.2", files(4), files(3), 0.2, ["error"]],
    ["gains files", files(2), files(10), 0.5, []],
    ["empty before", [], files(0), 0.5, []],
    ["removed from the fleet", files(3), undefined, 0.5, ["error"]],
  ])("%s", (_name, before, after, threshold, want) => {
    const out = checkPrune([{ name: "c", before, after }], threshold, false);
    expect(out.map((d) => d.severity)).toEqual(want);
    for (const d of out) expect(d.code).toBe("PUBLISH_PRUNE");
    expect(checkPrune([{ name: "c", before, after }], threshold, true).map((d) => d.severity)).toEqual(
      want.map(() => "warning"),
    );
  });

  it("lists the files that would be deleted, not counting kustomization.yaml", () => {
    const [d] = checkPrune(
      [{ name: "c", before: files(4), after: ["ns/configmap-0.yaml", "kustomization.yaml"] }],
      0.5,
      false,
    );
    expect(d!.message).toContain("lose 3 of its 4 resources (75%");
    expect(d!.message).toContain("\n  - ns/configmap-3.yaml");
    expect(d!.message).not.toContain("kustomization.yaml");
  });

  it("counts objects, not files: a deleted Namespace counts everything still rendered in it (20% of files passed)", () => {
    const apps = Array.from({ length: 6 }, (_, i) => `apps/configmap-${i}.yaml`);
    const other = Array.from({ length: 3 }, (_, i) => `other/configmap-${i}.yaml`);
    const before = ["_cluster/namespace-apps.yaml", ...apps, ...other, "kustomization.yaml"];
    const after = [...apps.slice(1), ...other, "kustomization.yaml"];
    const [d, ...rest] = checkPrune([{ name: "c", before, after }], 0.5, false);
    expect(rest).toEqual([]);
    expect(d!.code).toBe("PUBLISH_PRUNE");
    expect(d!.message.split("\n")[0]).toBe(
      "cluster c would lose 7 of its 10 resources (70%, more than the 50% allowed by publish.pruneThreshold); deleting Namespace apps also deletes the 5 objects still rendered in it:",
    );
    expect(d!.message).toContain("\n  - apps/configmap-5.yaml");
    // the namespace kept: only the file counts
    expect(checkPrune([{ name: "c", before, after: [...after, "_cluster/namespace-apps.yaml"] }], 0.5, false)).toEqual(
      [],
    );
  });
});

describe("inventory README", () => {
  it("escapes table cells and marks held-back clusters", () => {
    const text = inventoryReadme({
      apiVersion: "braid/v1alpha1",
      kind: "Inventory",
      fleet: "f",
      clusters: [
        {
          cluster: "a",
          name: "a",
          path: "clusters/a",
          labels: { "x|y": "1" },
          owner: "team|ops",
          sources: [],
          resources: 0,
          kinds: {},
          inputDigest: "d",
          heldBack: true,
        },
      ],
    });
    expect(text).toContain("| [a](clusters/a) (held back) | team\\|ops | x\\|y=1 | — | 0 |");
    expect(parseInventory("{}")).toBeUndefined();
    expect(parseInventory("not json")).toBeUndefined();
  });
});

describe("recordedDiagnostics: what an inventory entry lets a fresh cache reuse", () => {
  const entry = (diagnostics: unknown): InventoryCluster =>
    ({ name: "a", cluster: "a", path: "clusters/a", diagnostics }) as unknown as InventoryCluster;
  const note = {
    code: "CEL_NOT_EVALUATED",
    severity: "info",
    message: "1 CEL rule was not evaluated",
    location: { file: "crds.yaml", line: 3, column: 1, source: "platform", commit: "a".repeat(40) },
  };

  it("gives none for an entry without diagnostics, and those placed in sources or nowhere as they are", () => {
    expect(recordedDiagnostics(entry(undefined))).toEqual([]);
    const unplaced = { code: "SOPS_NOT_VALIDATED", severity: "info", message: "1 SOPS-encrypted document" };
    expect(recordedDiagnostics(entry([note, unplaced]))).toEqual([note, unplaced]);
  });

  it("gives nothing when a diagnostic is placed in a fleet file (its line was left out) or is not one", () => {
    const fleet = { code: "SOURCE_EMPTY", severity: "warning", message: "m", location: { file: "braid.yaml" } };
    const related = { ...note, related: [{ message: "first", location: { file: "clusters/a.yaml" } }] };
    for (const bad of [
      [fleet],
      [note, related],
      [{ ...note, severity: "error" }],
      [{ ...note, code: 7 }],
      [null],
      [{ ...note, related: "x" }],
      [{ ...note, related: [null] }],
      "x",
    ])
      expect(recordedDiagnostics(entry(bad)), JSON.stringify(bad)).toBeUndefined();
  });
});
