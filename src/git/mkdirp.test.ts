import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeFileAtomic } from "./mkdirp.js";

describe("writeFileAtomic", () => {
  it("makes missing folders, replaces the file whole, and leaves no temp file", async () => {
    const root = await mkdtemp(join(tmpdir(), "braid-atomic-"));
    const path = join(root, "a", "b", "entry.json");
    await writeFileAtomic(path, "one", 0o600);
    expect(await readFile(path, "utf8")).toBe("one");
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    await writeFileAtomic(path, "two");
    expect(await readFile(path, "utf8")).toBe("two");
    // the folder deleted meanwhile (a cache may be deleted at any time): made again
    await rm(join(root, "a"), { recursive: true });
    await writeFileAtomic(path, "three");
    expect(await readFile(path, "utf8")).toBe("three");
    expect(await readdir(join(root, "a", "b"))).toEqual(["entry.json"]);
  });

  it("fails where a folder cannot be made, removing its temp file", async () => {
    const root = await mkdtemp(join(tmpdir(), "braid-atomic-"));
    await writeFileAtomic(join(root, "file"), "x");
    await expect(writeFileAtomic(join(root, "file", "below", "entry"), "y")).rejects.toThrow(/ENOTDIR|EEXIST/);
    expect(await readdir(root)).toEqual(["file"]);
  });
});
