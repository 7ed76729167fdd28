/**
 * New objects written as one packfile and its version-2 index (git's Documentation/gitformat-pack), instead
 * of one loose file each: a publish of thousands of new blobs and trees then costs two file writes and two
 * renames, not a temp file, a rename and often a mkdir per object.
 *
 * Objects are stored whole (no deltas: braid writes each object once, and `git gc` deltifies later), each as
 * its type-and-size header and its zlib data; the pack ends with the sha1 of all of it, and that checksum
 * names the pack (`pack-<sha1>.pack`, as git names them). Crash safety follows git's own writer
 * (pack-write.c): both files go to temp names in `objects/pack/` first, then the `.pack` is renamed into
 * place and the `.idx` last — git and isomorphic-git find a pack only through its index, so until that
 * last rename the objects are simply absent, never half there.
 */
import { createHash, randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import * as zlib from "node:zlib";
import { mkdirp } from "./mkdirp.js";

/** An object to pack: its oid (sha1 of `<type> <size>\0<content>`), type and raw content. */
export interface PackObject {
  oid: string;
  type: "blob" | "tree" | "commit";
  content: Uint8Array;
}

/** git's object type numbers in a pack entry header. */
const TYPE_CODE = { commit: 1, tree: 2, blob: 3 } as const;

/** Prefix of braid's temp files in `objects/pack/` (git's own are `tmp_pack_XXXXXX` / `tmp_idx_XXXXXX`). */
export const TEMP_PACK = /^tmp_(?:pack|idx)_(\d+)_[0-9a-f]+$/;

/** (absent before Node.js 20.15: read from the namespace, not imported by name) */
const zlibCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/**
 * zlib's CRC-32 (the one git stores per packed object in the index); `crc` continues an earlier sum. Node's
 * own (zlib.crc32, from Node.js 20.15) where there is one.
 */
export const crc32: (buf: Uint8Array, crc?: number) => number =
  typeof zlibCrc32 === "function" ? (buf, crc = 0) => zlibCrc32(buf, crc) : tableCrc32;

/** The CRC-32 computed here (where Node has none; exported for tests). */
export function tableCrc32(buf: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** The entry header: 3-bit type and the size in 4 + 7·n bits, low bits first, high bit = more follows. */
function entryHeader(type: PackObject["type"], size: number): Buffer {
  const bytes: number[] = [];
  let byte = (TYPE_CODE[type] << 4) | (size & 0x0f);
  let rest = Math.floor(size / 16);
  while (rest > 0) {
    bytes.push(byte | 0x80);
    byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
  }
  bytes.push(byte);
  return Buffer.from(bytes);
}

interface IndexEntry {
  oid: Buffer;
  offset: number;
  crc: number;
}

/** A pack in memory: its bytes as chunks (header, entries, trailer) and what the index needs. */
interface EncodedPack {
  chunks: Buffer[];
  entries: IndexEntry[];
  checksum: Buffer;
}

/**
 * Objects smaller than this are stored, not compressed: zlib gains next to nothing on them (nothing at all
 * under 256 bytes, about 45% of the bytes at 256–511), and each compression costs a zlib stream set up and
 * torn down, which was two thirds of the time a cold 1,000-cluster publish spent writing its pack (2,200 of
 * its 3,300 objects are that small). Git reads stored deflate blocks as any others (git's own
 * `core.compression 0` writes them).
 */
const STORED_BELOW = 512;

/** zlib data of one stored (uncompressed) deflate block: the zlib header, the block, the Adler-32 of the data. */
function storedZlib(content: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(2 + 5 + content.length + 4);
  out[0] = 0x78; // deflate, 32 KiB window
  out[1] = 0x01; // fastest, no dictionary (0x7801 is a multiple of 31, as the header check wants)
  out[2] = 1; // the final block, stored (BTYPE 00)
  out.writeUInt16LE(content.length, 3);
  out.writeUInt16LE(~content.length & 0xffff, 5);
  out.set(content, 7);
  out.writeUInt32BE(adler32(content), 7 + content.length);
  return out;
}

/** The Adler-32 checksum (RFC 1950) of small data (its sums stay exact in a double, reduced once at the end). */
function adler32(buf: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const byte of buf) {
    a += byte;
    b += a;
  }
  return (((b % 65521) << 16) | (a % 65521)) >>> 0;
}

/**
 * zlib data of one object: stored when small (above), else at git's `core.looseCompression` default (1, best
 * speed: this replaces loose writes), with zlib's window and hash sized to the object: most objects are a
 * few hundred bytes, and zlib's default state (256 KiB, allocated per call) then costs more than the
 * compression. A smaller window is plain zlib (its header says the size) and compresses the same.
 */
function compress(content: Uint8Array): Buffer {
  if (content.length < STORED_BELOW) return storedZlib(content);
  const windowBits = Math.min(15, Math.max(9, Math.ceil(Math.log2(content.length + 262))));
  return zlib.deflateSync(content, { level: 1, windowBits, memLevel: Math.min(8, windowBits - 7) });
}

/** Encodes objects (duplicates by oid dropped) as a version-2 pack, undeltified. */
export function encodePack(objects: Iterable<PackObject>): EncodedPack {
  const unique = new Map<string, PackObject>();
  for (const o of objects) if (!unique.has(o.oid)) unique.set(o.oid, o);
  const header = Buffer.alloc(12);
  header.write("PACK", 0, "latin1");
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(unique.size, 8);
  const chunks: Buffer[] = [header];
  const sha = createHash("sha1").update(header);
  const entries: IndexEntry[] = [];
  let offset = header.length;
  for (const o of unique.values()) {
    const head = entryHeader(o.type, o.content.length);
    const data = compress(o.content);
    chunks.push(head, data);
    sha.update(head).update(data);
    entries.push({ oid: Buffer.from(o.oid, "hex"), offset, crc: crc32(data, crc32(head)) });
    offset += head.length + data.length;
  }
  const checksum = sha.digest();
  chunks.push(checksum);
  return { chunks, entries, checksum };
}

/**
 * The version-2 index of a pack: magic and version, the 256-entry fan-out, the sorted oids, their CRC-32s,
 * their 4-byte offsets (an offset ≥ 2 GiB is the msb-flagged index of an 8-byte one in the next table), the
 * pack's checksum and the sha1 of all of the above.
 */
export function encodeIndex(entries: readonly IndexEntry[], packChecksum: Buffer): Buffer {
  const sorted = [...entries].sort((a, b) => Buffer.compare(a.oid, b.oid));
  const n = sorted.length;
  const large = sorted.filter((e) => e.offset >= 0x80000000);
  const buf = Buffer.alloc(8 + 256 * 4 + n * 28 + large.length * 8 + 40);
  buf.writeUInt32BE(0xff744f63, 0); // "\377tOc"
  buf.writeUInt32BE(2, 4);
  const fanout = new Uint32Array(256);
  for (const e of sorted) fanout[e.oid[0]!]!++;
  let total = 0;
  for (let i = 0; i < 256; i++) {
    total += fanout[i]!;
    buf.writeUInt32BE(total, 8 + i * 4);
  }
  const oids = 8 + 1024;
  const crcs = oids + n * 20;
  const offsets = crcs + n * 4;
  const wide = offsets + n * 4;
  let nextWide = 0;
  sorted.forEach((e, i) => {
    e.oid.copy(buf, oids + i * 20);
    buf.writeUInt32BE(e.crc, crcs + i * 4);
    if (e.offset < 0x80000000) buf.writeUInt32BE(e.offset, offsets + i * 4);
    else {
      buf.writeUInt32BE((0x80000000 | nextWide) >>> 0, offsets + i * 4);
      buf.writeBigUInt64BE(BigInt(e.offset), wide + nextWide * 8);
      nextWide++;
    }
  });
  const trailer = wide + large.length * 8;
  packChecksum.copy(buf, trailer);
  createHash("sha1")
    .update(buf.subarray(0, trailer + 20))
    .digest()
    .copy(buf, trailer + 20);
  return buf;
}

/** Writes chunks to a new file (at most 1,024 buffers per writev, the usual IOV_MAX). */
async function writeChunks(path: string, chunks: readonly Buffer[]): Promise<void> {
  const handle = await open(path, "wx", 0o444);
  try {
    for (let i = 0; i < chunks.length; i += 1024) await handle.writev(chunks.slice(i, i + 1024));
  } finally {
    await handle.close();
  }
}

/**
 * Writes objects as one pack and index into `<gitdir>/objects/pack/` (temp names, the `.pack` renamed
 * first, the `.idx` last); returns the pack's name (`pack-<sha1>`). Throws on I/O errors, after removing
 * its temp files.
 */
export async function writePack(gitdir: string, objects: Iterable<PackObject>): Promise<string> {
  const { chunks, entries, checksum } = encodePack(objects);
  const dir = join(gitdir, "objects", "pack");
  await mkdirp(dir);
  const tag = `${process.pid}_${randomBytes(4).toString("hex")}`;
  const tmpPack = join(dir, `tmp_pack_${tag}`);
  const tmpIdx = join(dir, `tmp_idx_${tag}`);
  const name = `pack-${checksum.toString("hex")}`;
  try {
    await writeChunks(tmpPack, chunks);
    await writeChunks(tmpIdx, [encodeIndex(entries, checksum)]);
    await rename(tmpPack, join(dir, `${name}.pack`));
    await rename(tmpIdx, join(dir, `${name}.idx`));
  } finally {
    await rm(tmpPack, { force: true });
    await rm(tmpIdx, { force: true });
  }
  return name;
}
