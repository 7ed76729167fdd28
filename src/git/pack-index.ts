/**
 * Which objects a repository's packs hold, from their version-2 indexes (`objects/pack/*.idx`): the
 * fan-out table narrows an oid to a range of the sorted oid table, searched by bisection. This answers
 * "is it there?" without reading or inflating the object, as isomorphic-git's readObject would.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

/** The pack indexes of a repository as read at one moment. */
export interface PackIndexes {
  /** true / false from the indexes read; undefined when some index could not be read (then ask isomorphic-git). */
  has(oid: string): boolean | undefined;
}

const MAGIC = 0xff744f63;

function inIndex(idx: Buffer, oid: Buffer): boolean {
  const first = oid[0]!;
  let lo = first === 0 ? 0 : idx.readUInt32BE(8 + (first - 1) * 4);
  let hi = idx.readUInt32BE(8 + first * 4);
  const base = 8 + 256 * 4;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = idx.compare(oid, 0, 20, base + mid * 20, base + mid * 20 + 20);
    if (c === 0) return true;
    if (c > 0) hi = mid;
    else lo = mid + 1;
  }
  return false;
}

/**
 * Reads every `.idx` of `<gitdir>/objects/pack` (a version-1 or unreadable one makes lookups that miss
 * answer undefined). A pack added later is not seen: read again when the store may have changed (a fetch).
 */
export async function readPackIndexes(gitdir: string): Promise<PackIndexes> {
  const dir = join(gitdir, "objects", "pack");
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith(".idx"));
  const indexes: Buffer[] = [];
  let partial = false;
  for (const name of names) {
    const idx = await readFile(join(dir, name)).catch(() => undefined);
    if (idx && idx.length >= 8 + 1024 + 40 && idx.readUInt32BE(0) === MAGIC && idx.readUInt32BE(4) === 2)
      indexes.push(idx);
    else partial = true;
  }
  return {
    has(oid) {
      const bin = Buffer.from(oid, "hex");
      if (indexes.some((idx) => inIndex(idx, bin))) return true;
      return partial ? undefined : false;
    },
  };
}
