import { execFileSync } from "node:child_process";
import { mkdtemp, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fleetInputKey } from "./noop-shortcut.js";

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe("the fleet folder's input key", () => {
  it("reads every regular file once, follows links to files only, never blocks on a FIFO, and changes with any file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "braid-noop-key-"));
    dirs.push(dir);
    await mkdir(join(dir, "clusters"));
    await mkdir(join(dir, ".git"));
    await writeFile(join(dir, "braid.yaml"), "kind: Fleet\n");
    await writeFile(join(dir, "clusters", "a.yaml"), "kind: Cluster\n");
    await writeFile(join(dir, ".git", "HEAD"), "ref: refs/heads/main\n");
    await symlink("a.yaml", join(dir, "clusters", "b.yaml"));
    execFileSync("mkfifo", [join(dir, "pipe")]);
    await symlink("pipe", join(dir, "to-pipe"));
    const ctx = { fleetDir: dir, cwd: dir, cacheDir: join(dir, ".cache") };
    const read = new Map<string, Buffer>();
    const key = fleetInputKey(ctx, read);
    expect([...read.keys()].sort()).toEqual(["braid.yaml", "clusters/a.yaml"]);
    expect(read.get("clusters/a.yaml")?.toString()).toBe("kind: Cluster\n");
    expect(fleetInputKey(ctx)).toBe(key);
    await writeFile(join(dir, "clusters", "a.yaml"), "kind: Cluster # changed\n");
    const changed = fleetInputKey(ctx);
    expect(changed).not.toBe(key);
    await writeFile(join(dir, ".git", "HEAD"), "ref: refs/heads/other\n"); // .git is not fleet input
    expect(fleetInputKey(ctx)).toBe(changed);
  });
});
