import { execFile } from "node:child_process";
import fs from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import git from "./isogit.js";

const exec = promisify(execFile);
let dir = "";
afterEach(async () => {
  vi.restoreAllMocks();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function repo(): Promise<{ gitdir: string; commit: string }> {
  dir = await mkdtemp(join(tmpdir(), "braid-isogit-"));
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: "a",
    GIT_AUTHOR_EMAIL: "a@x",
    GIT_COMMITTER_NAME: "a",
    GIT_COMMITTER_EMAIL: "a@x",
  };
  await exec("git", ["init", "-q", "-b", "main", dir]);
  await writeFile(join(dir, "cm.yaml"), "kind: ConfigMap\n");
  await exec("git", ["add", "-A"], { cwd: dir, env });
  await exec("git", ["commit", "-q", "-m", "one"], { cwd: dir, env });
  const { stdout } = await exec("git", ["rev-parse", "HEAD"], { cwd: dir });
  return { gitdir: join(dir, ".git"), commit: stdout.trim() };
}

describe("isomorphic-git on Node's fs", () => {
  it("reads a repository without going through fs.promises (no thread-pool round trips)", async () => {
    const { gitdir, commit } = await repo();
    const calls = [
      vi.spyOn(fs.promises, "readFile"),
      vi.spyOn(fs.promises, "open"),
      vi.spyOn(fs.promises, "stat"),
      vi.spyOn(fs.promises, "lstat"),
    ];
    const { tree } = await git.readTree({ fs, gitdir, oid: commit });
    expect(tree.map((e) => e.path)).toEqual(["cm.yaml"]);
    const { blob } = await git.readBlob({ fs, gitdir, oid: tree[0]!.oid });
    expect(Buffer.from(blob).toString()).toBe("kind: ConfigMap\n");
    expect(await git.resolveRef({ fs, gitdir, ref: "main" })).toBe(commit);
    for (const c of calls) expect(c).not.toHaveBeenCalled();
  });

  it("still reports a missing object and a missing ref as isomorphic-git does", async () => {
    const { gitdir } = await repo();
    await expect(git.readObject({ fs, gitdir, oid: "0".repeat(40) })).rejects.toMatchObject({ code: "NotFoundError" });
    await expect(git.resolveRef({ fs, gitdir, ref: "no-such-branch" })).rejects.toMatchObject({
      code: "NotFoundError",
    });
  });

  it("reports a blob or tree that a tree names and the repository lacks as a damaged repository", async () => {
    const { gitdir } = await repo();
    for (const read of [git.readBlob, git.readTree])
      await expect(read({ fs, gitdir, oid: "0".repeat(40) })).rejects.toMatchObject({
        code: "REPO_CORRUPT",
        message: `the Git repository ${gitdir} is damaged: object ${"0".repeat(40)} is missing (another object names it)`,
      });
  });

  it("writes through the same fs (a ref written is read back, and by git)", async () => {
    const { gitdir, commit } = await repo();
    await git.writeRef({ fs, gitdir, ref: "refs/heads/copy", value: commit });
    expect(await git.resolveRef({ fs, gitdir, ref: "copy" })).toBe(commit);
    const { stdout } = await exec("git", ["rev-parse", "copy"], { cwd: dir });
    expect(stdout.trim()).toBe(commit);
  });
});
