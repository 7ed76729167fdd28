/** The FleetReader over a Git revision (no checkout) and revision resolution, on a real fixture repo. */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BraidError } from "../src/diagnostics/diagnostic.js";
import { gitFleetReader, requireFleetRepo } from "../src/config/git-fleet-reader.js";
import { resolveRevision } from "../src/git/resolve-revision.js";
import { git, makeFixtureRepo } from "./helpers/fixture-repo.js";

let repo: { dir: string; commits: string[] };
let gitdir: string;
beforeAll(async () => {
  repo = await makeFixtureRepo([
    {
      files: {
        "README.md": "r\n",
        "fleet/braid.yaml": "v1\n",
        "fleet/clusters/a.yaml": "a\n",
        "fleet/schemas/x/y.json": "{}\n",
      },
      tags: ["v1"],
    },
    {
      files: { "fleet/braid.yaml": "v2\n", "fleet/clusters/b.yaml": "b\n", "other/z.txt": "z\n" },
      tags: [{ name: "v2", annotated: true }],
    },
    { files: { "fleet/clusters/a.yaml": null }, branch: "feature" },
  ]);
  gitdir = join(repo.dir, ".git");
  // the working tree differs from every commit: the reader must not look at it
  await writeFile(join(repo.dir, "fleet/braid.yaml"), "WORKTREE\n");
  await mkdir(join(repo.dir, "fleet/clusters"), { recursive: true });
  await writeFile(join(repo.dir, "fleet/clusters/untracked.yaml"), "u\n");
  await git(repo.dir, ["symbolic-ref", "HEAD", "refs/heads/main"]).catch(() => undefined);
});

describe("resolveRevision", () => {
  it.each([
    ["main", 1],
    ["refs/heads/main", 1],
    ["feature", 2],
    ["v1", 0],
    ["v2", 1], // annotated tag peeled to its commit
    ["feature~1", 1],
    ["feature~2", 0],
    ["feature^", 1],
    ["feature^^", 0],
    ["v2^1", 0],
  ])("%s", async (rev, index) => {
    expect(await resolveRevision(gitdir, rev, {})).toBe(repo.commits[index]);
  });

  it("takes full and abbreviated commit ids", async () => {
    expect(await resolveRevision(gitdir, repo.commits[2]!, {})).toBe(repo.commits[2]);
    expect(await resolveRevision(gitdir, repo.commits[2]!.slice(0, 8), {})).toBe(repo.commits[2]);
  });

  it.each(["nope", "main~9", "feature^3", "deadbeef", "f".repeat(40), ""])("%s → REV_NOT_FOUND", async (rev) => {
    const e = await resolveRevision(gitdir, rev, {}).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(BraidError);
    expect((e as BraidError).code).toBe("REV_NOT_FOUND");
  });
});

describe("gitFleetReader", () => {
  it("reads, lists and walks the fleet subfolder at a commit, ignoring the working tree", async () => {
    const r = gitFleetReader({ gitdir, commit: repo.commits[1]!, subdir: "fleet" });
    expect(await r.read("braid.yaml")).toBe("v2\n");
    expect(await r.read("clusters/a.yaml")).toBe("a\n");
    expect(await r.read("clusters/untracked.yaml")).toBeUndefined();
    expect(await r.read("missing.yaml")).toBeUndefined();
    expect(await r.read("clusters")).toBeUndefined(); // a folder is not a file
    expect(await r.list("clusters")).toEqual(["a.yaml", "b.yaml"]);
    expect(await r.list("")).toEqual(["braid.yaml"]);
    expect(await r.list("nothing")).toEqual([]);
    expect(await r.walk("schemas")).toEqual(["schemas/x/y.json"]);
    expect(await r.walk("")).toEqual(["braid.yaml", "clusters/a.yaml", "clusters/b.yaml", "schemas/x/y.json"]);
    expect(r.label).toBe(`${repo.commits[1]!.slice(0, 7)}:fleet`);
  });

  it("sees deletions of later commits, and an absent fleet folder as empty", async () => {
    const r = gitFleetReader({ gitdir, commit: repo.commits[2]!, subdir: "fleet", label: "feature:fleet" });
    expect(await r.list("clusters")).toEqual(["b.yaml"]);
    expect(r.label).toBe("feature:fleet");
    const none = gitFleetReader({ gitdir, commit: repo.commits[0]!, subdir: "other" });
    expect(await none.read("braid.yaml")).toBeUndefined();
    expect(await none.walk("")).toEqual([]);
  });

  it("requireFleetRepo locates the repository and the fleet's subfolder", async () => {
    const found = await requireFleetRepo(join(repo.dir, "fleet"));
    expect(found.subdir).toBe("fleet");
    expect(found.gitdir.endsWith(".git")).toBe(true);
    expect((await requireFleetRepo(repo.dir)).subdir).toBe("");
    const e = await requireFleetRepo("/").catch((err: unknown) => err);
    expect((e as BraidError).code).toBe("PUBLISH_NOT_A_REPO");
  });
});
