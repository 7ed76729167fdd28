import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import git from "./isogit.js";
import fs from "node:fs";
import { hashObject } from "./git-store.js";
import { crc32, encodeIndex, encodePack, tableCrc32, writePack, type PackObject } from "./pack-write.js";
import { inflateSync } from "node:zlib";
import { readPackIndexes } from "./pack-index.js";

const exec = promisify(execFile);
let dir = "";
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function obj(type: PackObject["type"], content: Buffer | string): PackObject {
  const buf = Buffer.from(content);
  return { type, content: buf, oid: hashObject(type, buf) };
}

/** Objects whose sizes cross the header's varint steps (4 bits, then 7 more per byte) and zlib's window sizes. */
function sampleObjects(): PackObject[] {
  const sizes = [0, 1, 15, 16, 127, 2047, 2048, 262_143, 262_144, 300_000];
  const blobs = sizes.map((n, i) => obj("blob", Buffer.alloc(n, String.fromCharCode(97 + (i % 26)))));
  // every byte value, on both sides of the size below which objects are stored uncompressed (512)
  let seed = 7;
  const bytes = (n: number) =>
    Buffer.from(Array.from({ length: n }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24));
  blobs.push(...[255, 256, 511, 512, 513].map((n) => obj("blob", bytes(n))), obj("blob", Buffer.alloc(511, 255)));
  const entries = Buffer.concat(
    blobs.slice(0, 3).map((b, i) => Buffer.concat([Buffer.from(`100644 f${i}\0`), Buffer.from(b.oid, "hex")])),
  );
  const tree = obj("tree", entries);
  const commit = obj("commit", `tree ${tree.oid}\nauthor A <a@x> 0 +0000\ncommitter A <a@x> 0 +0000\n\nm\n`);
  return [...blobs, tree, commit];
}

describe("crc32", () => {
  it("is zlib's CRC-32 (the check value of '123456789', continued sums), with or without Node's own", () => {
    for (const f of [crc32, tableCrc32]) {
      expect(f(Buffer.from("123456789"))).toBe(0xcbf43926);
      expect(f(Buffer.from("6789"), f(Buffer.from("12345")))).toBe(0xcbf43926);
      expect(f(Buffer.alloc(0))).toBe(0);
    }
    const data = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) & 0xff));
    expect(tableCrc32(data, 12345)).toBe(crc32(data, 12345));
  });
});

describe("encodePack", () => {
  it("stores objects under 512 bytes (zlib's stored block) and compresses larger ones", () => {
    const sizes = [0, 100, 511, 512, 4000];
    const objects = sizes.map((n) => obj("blob", Buffer.alloc(n, "x")));
    const { chunks } = encodePack(objects);
    // header chunk, then (entry header, zlib data) per object
    const data = objects.map((_, i) => chunks[2 + 2 * i]!);
    expect(data.map((d) => d.length)).toEqual([11, 111, 522, expect.any(Number), expect.any(Number)]);
    expect(data[3]!.length).toBeLessThan(100);
    expect(data[4]!.length).toBeLessThan(100);
    expect(data.map((d) => inflateSync(d).length)).toEqual(sizes);
  });
});

describe("encodeIndex", () => {
  it("puts offsets of 2 GiB and more in the 8-byte table, flagged by the msb", () => {
    const oid = (b: number) => Buffer.alloc(20, b);
    const idx = encodeIndex(
      [
        { oid: oid(3), offset: 2 ** 32 + 5, crc: 3 },
        { oid: oid(1), offset: 12, crc: 1 },
        { oid: oid(2), offset: 0x80000000, crc: 2 },
      ],
      Buffer.alloc(20, 9),
    );
    expect(idx.length).toBe(8 + 1024 + 3 * 28 + 2 * 8 + 40);
    const offsets = 8 + 1024 + 3 * 24;
    expect([0, 1, 2].map((i) => idx.readUInt32BE(offsets + i * 4))).toEqual([12, 0x80000000, 0x80000001]);
    expect([0, 1].map((i) => idx.readBigUInt64BE(offsets + 12 + i * 8))).toEqual([2n ** 31n, 2n ** 32n + 5n]);
    // fan-out: cumulative counts by first byte
    expect([0, 1, 2, 3, 255].map((b) => idx.readUInt32BE(8 + b * 4))).toEqual([0, 1, 2, 3, 3]);
  });
});

describe("writePack", () => {
  it("writes a pack git verifies and an index byte-identical to git index-pack's", async () => {
    dir = await mkdtemp(join(tmpdir(), "braid-pack-"));
    await exec("git", ["init", "-q", "--bare", dir]);
    const objects = sampleObjects();
    const name = await writePack(dir, [...objects, objects[0]!]); // a duplicate is packed once
    const packDir = join(dir, "objects", "pack");
    expect((await readdir(packDir)).sort()).toEqual([`${name}.idx`, `${name}.pack`]);

    const { stdout } = await exec("git", ["verify-pack", "-v", join(packDir, `${name}.idx`)], { cwd: dir });
    expect(stdout).toContain(`non delta: ${objects.length} objects`);
    for (const o of objects) expect(stdout).toMatch(new RegExp(`^${o.oid} ${o.type} +${o.content.length} `, "m"));
    await exec("git", ["fsck", "--strict", "--no-dangling"], { cwd: dir });

    // git's own index of braid's pack is the same file, byte for byte
    const gitIdx = join(dir, "git.idx");
    await exec("git", ["index-pack", "-o", gitIdx, join(packDir, `${name}.pack`)], { cwd: dir });
    expect(Buffer.compare(await readFile(gitIdx), await readFile(join(packDir, `${name}.idx`)))).toBe(0);

    // isomorphic-git reads every object, and the index lookup finds them (and nothing else)
    for (const o of objects) {
      const r = await git.readObject({ fs, gitdir: dir, oid: o.oid, format: "content", cache: {} });
      expect([r.type, Buffer.compare(Buffer.from(r.object as Uint8Array), o.content)]).toEqual([o.type, 0]);
    }
    const indexes = await readPackIndexes(dir);
    expect(objects.map((o) => indexes.has(o.oid))).toEqual(objects.map(() => true));
    expect(indexes.has("00".repeat(20))).toBe(false);
    expect(indexes.has("ff".repeat(20))).toBe(false);
  });

  it("names the pack after its checksum, and leaves no temp file", async () => {
    dir = await mkdtemp(join(tmpdir(), "braid-pack-"));
    await exec("git", ["init", "-q", "--bare", dir]);
    const objects = sampleObjects();
    const { checksum, chunks } = encodePack(objects);
    expect(Buffer.concat(chunks).subarray(-20)).toEqual(checksum);
    expect(await writePack(dir, objects)).toBe(`pack-${checksum.toString("hex")}`);
    expect((await readdir(join(dir, "objects", "pack"))).filter((n) => n.startsWith("tmp_"))).toEqual([]);
  });
});
