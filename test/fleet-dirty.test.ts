/**
 * The fleet's uncommitted files (FLEET_DIRTY): the same answer from the system `git status` and from
 * isomorphic-git (BRAID_GIT_TRANSPORT=embedded), for a fleet in a subfolder of its repository.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { locateFleetRepo, uncommittedFleetFiles } from "../src/git/fleet-repo.js";
import { git } from "./helpers/fixture-repo.js";

describe("uncommitted fleet files", () => {
  it("lists modified, deleted, staged and untracked files of the fleet folder only, ignored ones left out", async () => {
    const root = await mkdtemp(join(tmpdir(), "braid-dirty-"));
    await mkdir(join(root, "fleet", "clusters"), { recursive: true });
    await mkdir(join(root, "other"));
    const files: Record<string, string> = {
      "fleet/braid.yaml": "fleet\n",
      "fleet/clusters/a.yaml": "a\n",
      "fleet/clusters/b.yaml": "b\n",
      "fleet/clusters/c.yaml": "c\n",
      "fleet/.gitignore": "*.tmp\n",
      "other/x.yaml": "x\n",
    };
    for (const [p, t] of Object.entries(files)) await writeFile(join(root, p), t);
    await git(root, ["init", "-q", "-b", "main"]);
    await git(root, ["add", "-A"]);
    await git(root, ["commit", "-q", "-m", "fleet"]);
    const repo = (await locateFleetRepo(join(root, "fleet")))!;
    const both = async () => [
      await uncommittedFleetFiles(repo, { PATH: process.env.PATH }),
      await uncommittedFleetFiles(repo, { PATH: process.env.PATH, BRAID_GIT_TRANSPORT: "embedded" }),
    ];
    expect(await both()).toEqual([[], []]);

    await writeFile(join(root, "fleet/clusters/a.yaml"), "a changed\n");
    await rm(join(root, "fleet/clusters/b.yaml"));
    await writeFile(join(root, "fleet/clusters/new.yaml"), "new\n");
    await writeFile(join(root, "fleet/clusters/staged.yaml"), "staged\n");
    await git(root, ["add", "fleet/clusters/staged.yaml"]);
    await writeFile(join(root, "fleet/clusters/scratch.tmp"), "ignored\n");
    await writeFile(join(root, "other/x.yaml"), "outside the fleet\n");
    const expected = ["clusters/a.yaml", "clusters/b.yaml", "clusters/new.yaml", "clusters/staged.yaml"];
    expect(await both()).toEqual([expected, expected]);

    // run from a git hook of another repository (GIT_DIR, GIT_INDEX_FILE, GIT_WORK_TREE exported): the same answer
    const other = await mkdtemp(join(tmpdir(), "braid-dirty-other-"));
    await git(other, ["init", "-q", "-b", "main"]);
    const hookEnv = {
      PATH: process.env.PATH,
      GIT_DIR: join(other, ".git"),
      GIT_WORK_TREE: other,
      GIT_INDEX_FILE: join(other, ".git", "index"),
    };
    expect(await uncommittedFleetFiles(repo, hookEnv)).toEqual(expected);
  });
});
