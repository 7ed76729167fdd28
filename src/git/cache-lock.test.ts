import { spawn } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BraidError } from "../diagnostics/diagnostic.js";
import { withCacheLock } from "./cache-lock.js";

let dir = "";
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("withCacheLock", () => {
  it("takes over the lock of a dead process, and releases its own", async () => {
    dir = await mkdtemp(join(tmpdir(), "braid-lock-"));
    const dead = await new Promise<number>((resolve) => {
      const c = spawn("true");
      c.on("exit", () => resolve(c.pid!));
    });
    await writeFile(join(dir, "r.git.braid-lock"), `${dead} ${hostname()}\n`);
    expect(await withCacheLock(join(dir, "r.git"), async () => "ran", { waitMs: 2_000 })).toBe("ran");
    expect(await readdir(dir)).toEqual([]);
  });

  it("waits for a live owner, then fails with CACHE_LOCKED (exit 3) instead of spinning", async () => {
    dir = await mkdtemp(join(tmpdir(), "braid-lock-"));
    const live = spawn("sleep", ["30"]);
    try {
      await writeFile(join(dir, "r.git.braid-lock"), `${live.pid} ${hostname()}\n`);
      const started = Date.now();
      const e = await withCacheLock(join(dir, "r.git"), async () => "ran", { waitMs: 400 }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(BraidError);
      expect((e as BraidError).code).toBe("CACHE_LOCKED");
      expect((e as BraidError).exitCode).toBe(3);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      live.kill("SIGKILL");
    }
  });

  it("runs the jobs of one process one after another", async () => {
    dir = await mkdtemp(join(tmpdir(), "braid-lock-"));
    const order: string[] = [];
    const job = (n: string) => async () => {
      order.push(`start ${n}`);
      await new Promise((r) => setTimeout(r, 20));
      order.push(`end ${n}`);
    };
    await Promise.all([withCacheLock(join(dir, "r.git"), job("a")), withCacheLock(join(dir, "r.git"), job("b"))]);
    expect(order).toEqual(["start a", "end a", "start b", "end b"]);
  });
});
