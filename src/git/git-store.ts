/**
 * Low-level access to a repository's object store for publishing. Reads go through isomorphic-git
 * (loose objects and packs). Writes of blobs, trees and commits are done here, by hand: isomorphic-git
 * writes a loose object straight to its final name, so a crash can leave a truncated object that it then
 * treats as present. Here each object goes to a temp file first and is renamed into place (as git does),
 * and a ref moves only through `<ref>.lock` with a compare-and-swap on the old value. A publish's new
 * objects are written together ({@link writeObjects}): loose below git's unpack limit, else one packfile.
 */
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import { open, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { deflate as deflateCb } from "node:zlib";
import git from "./isogit.js";
import { BraidError } from "../diagnostics/diagnostic.js";
import { processAlive } from "./cache-lock.js";
import { DamagedRepositoryError, objectsElsewhere } from "./damaged.js";
import { mkdirp } from "./mkdirp.js";
import { readPackIndexes, type PackIndexes } from "./pack-index.js";
import { TEMP_PACK, writePack, type PackObject } from "./pack-write.js";

const deflate = promisify(deflateCb);

/** A Git object type this module writes. */
export type ObjectType = "blob" | "tree" | "commit";

/** The Git id of an object: sha1 over `<type> <size>\0<content>`. */
export function hashObject(type: ObjectType, content: Uint8Array): string {
  return createHash("sha1").update(`${type} ${content.length}\0`).update(content).digest("hex");
}

/** One entry of a tree as read from the store. */
export interface StoredEntry {
  name: string;
  mode: string;
  oid: string;
  type: "blob" | "tree" | "commit";
}

/** Object-store handle: a gitdir plus the knowledge gathered while publishing (which objects exist). */
export interface ObjectStore {
  gitdir: string;
  /** isomorphic-git's cache (parsed packfile indexes) for this store's reads: one per opening, never shared. */
  cache: object;
  /** Oids known to exist (read or written during this run). */
  known: Set<string>;
  /** Loose object names per fan-out folder (`ab` → the 38-hex names in it), each folder listed once. */
  loose: Map<string, Promise<Set<string>>>;
  /** What the packs hold, read once (again after {@link forgetListings}). */
  packs?: Promise<PackIndexes>;
  /** Trees read so far, by oid. */
  trees: Map<string, StoredEntry[]>;
}

const TMP_PREFIX = "tmp_obj_";
/** A temp object of braid (`tmp_obj_<pid>_<hex>`), or one of braid's older name (`<oid>.tmp-<pid>-<hex>`). */
const TEMP_OBJECT = /^(?:tmp_obj_(\d+)_[0-9a-f]+|[0-9a-f]{38}\.tmp-(\d+)-[0-9a-f]+)$/;
/** A temp file older than this is stale whatever its pid says (another host, a reused pid). */
const STALE_AFTER_MS = 3_600_000;

/**
 * Removes temp objects and temp packs (`objects/pack/tmp_pack_<pid>_<hex>`, `tmp_idx_<pid>_<hex>`) left by
 * braid processes that died mid-write (kill -9): those whose pid is not a live process here, or older than
 * an hour. git's own temp files (`tmp_pack_XXXXXX`, no pid) never match. A `.pack` left without its `.idx`
 * (killed between the two renames) is not touched: git and isomorphic-git ignore a pack without an index,
 * and the same name may be one git itself is writing. Runs once per store opening; never fails the publish.
 */
async function cleanStaleTempObjects(gitdir: string): Promise<number> {
  let removed = 0;
  const objects = join(gitdir, "objects");
  const dirs = await readdir(objects).catch(() => [] as string[]);
  for (const d of dirs) {
    const pattern = d === "pack" ? TEMP_PACK : /^[0-9a-f]{2}$/.test(d) ? TEMP_OBJECT : undefined;
    if (!pattern) continue;
    for (const name of await readdir(join(objects, d)).catch(() => [] as string[])) {
      const m = pattern.exec(name);
      if (!m) continue;
      const file = join(objects, d, name);
      const pid = Number(m[1] ?? m[2]);
      const old = await stat(file).then(
        (st) => Date.now() - st.mtimeMs > STALE_AFTER_MS,
        () => false,
      );
      if (pid !== process.pid && (old || !processAlive(pid))) {
        await rm(file, { force: true }).catch(() => undefined);
        removed++;
      }
    }
  }
  return removed;
}

/** Opens a gitdir for publishing (and removes stale temp objects of dead processes). */
export async function openStore(gitdir: string): Promise<ObjectStore> {
  await cleanStaleTempObjects(gitdir);
  return { gitdir, cache: {}, known: new Set(), loose: new Map(), trees: new Map() };
}

/**
 * Drops the store's listings of loose objects and packs, so that objects added since (by a fetch into it)
 * are seen. Objects another process adds meanwhile may go unseen: they are then written again, which git
 * allows (the same object in two places is one object).
 */
export function forgetListings(store: ObjectStore): void {
  store.loose.clear();
  delete store.packs;
}

function loosePath(gitdir: string, oid: string): string {
  return join(gitdir, "objects", oid.slice(0, 2), oid.slice(2));
}

function looseNames(store: ObjectStore, dir: string): Promise<Set<string>> {
  let names = store.loose.get(dir);
  if (!names) {
    names = readdir(join(store.gitdir, "objects", dir)).then(
      (list) => new Set(list),
      () => new Set<string>(),
    );
    store.loose.set(dir, names);
  }
  return names;
}

/**
 * True when the object is in the store: written or read during this run, loose (each fan-out folder listed
 * once, not one stat per object) or in a pack (looked up in the pack indexes, read once).
 */
export async function objectExists(store: ObjectStore, oid: string): Promise<boolean> {
  if (store.known.has(oid)) return true;
  let found: boolean | undefined = (await looseNames(store, oid.slice(0, 2))).has(oid.slice(2));
  if (!found) {
    store.packs ??= readPackIndexes(store.gitdir);
    found = (await store.packs).has(oid);
  }
  // an index braid does not read (version 1): ask isomorphic-git
  found ??= await git.readObject({ fs, gitdir: store.gitdir, oid, format: "deflated", cache: store.cache }).then(
    () => true,
    () => false,
  );
  if (found) store.known.add(oid);
  return found;
}

/** Writes one loose object atomically (temp file, then rename); a no-op when the file exists. */
export async function writeObject(
  store: ObjectStore,
  type: ObjectType,
  content: Uint8Array,
  oid = hashObject(type, content),
): Promise<string> {
  if (store.known.has(oid)) return oid;
  const path = loosePath(store.gitdir, oid);
  const header = Buffer.from(`${type} ${content.length}\0`);
  const data = await deflate(Buffer.concat([header, content]));
  await mkdirp(dirname(path));
  // named as git names its temp objects (object-file.c: `tmp_obj_*` beside the final file), so that
  // `git gc` prunes one a crash leaves behind; the pid lets the next run clean those of dead processes
  const tmp = join(dirname(path), `${TMP_PREFIX}${process.pid}_${randomBytes(4).toString("hex")}`);
  try {
    await writeFile(tmp, data, { mode: 0o444 });
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw ioError(`cannot write object ${oid} in ${store.gitdir}`, e);
  }
  store.known.add(oid);
  return oid;
}

/**
 * Reads a tree's entries. Every oid given here is named as a tree (by a commit or a tree), so one that cannot
 * be read is never taken for an empty or absent folder: a damaged object, a missing one, or one that is not a
 * tree throws `REPO_CORRUPT` (git-store readers would otherwise publish a tree that drops what it could not
 * read), and a failed read throws `IO`.
 */
export async function readTreeEntries(store: ObjectStore, oid: string): Promise<StoredEntry[]> {
  const hit = store.trees.get(oid);
  if (hit) return hit;
  const { tree } = await git
    .readTree({ fs, gitdir: store.gitdir, oid, cache: store.cache })
    .catch((e: unknown) => unreadable(store, oid, e));
  store.known.add(oid);
  const entries = tree.map((e) => ({ name: e.path, mode: e.mode, oid: e.oid, type: e.type }));
  store.trees.set(oid, entries);
  return entries;
}

/** Writes a tree object from entries (sorted here in Git's order); returns its oid. */
export async function writeTreeEntries(store: ObjectStore, entries: readonly StoredEntry[]): Promise<string> {
  const key = (e: StoredEntry) => Buffer.from(e.type === "tree" ? `${e.name}/` : e.name);
  const sorted = [...entries].sort((a, b) => Buffer.compare(key(a), key(b)));
  const parts: Buffer[] = [];
  for (const e of sorted)
    parts.push(Buffer.from(`${e.mode.replace(/^0+/, "")} ${e.name}\0`), Buffer.from(e.oid, "hex"));
  return writeObject(store, "tree", Buffer.concat(parts));
}

/** Reads a blob as text. */
export async function readBlobText(store: ObjectStore, oid: string): Promise<string> {
  const { blob } = await git
    .readBlob({ fs, gitdir: store.gitdir, oid, cache: store.cache })
    .catch((e: unknown) => unreadable(store, oid, e));
  return Buffer.from(blob).toString("utf8");
}

/** The entry at a slash-separated path below a tree (undefined when absent). */
export async function entryAt(store: ObjectStore, treeOid: string, path: string): Promise<StoredEntry | undefined> {
  const parts = path.split("/").filter(Boolean);
  let current: StoredEntry = { name: "", mode: "040000", oid: treeOid, type: "tree" };
  for (const part of parts) {
    if (current.type !== "tree") return undefined;
    const entries = await readTreeEntries(store, current.oid);
    const next = entries.find((e) => e.name === part);
    if (!next) return undefined;
    current = next;
  }
  return current;
}

/** Every blob below a tree as path → oid (paths relative to that tree). */
export async function listBlobs(store: ObjectStore, treeOid: string, prefix = ""): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const e of await readTreeEntries(store, treeOid)) {
    const p = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.type === "tree") for (const [k, v] of await listBlobs(store, e.oid, p)) out.set(k, v);
    else if (e.type === "blob") out.set(p, e.oid);
  }
  return out;
}

/** A commit's tree and parents. */
export async function readCommitInfo(
  store: ObjectStore,
  oid: string,
): Promise<{ tree: string; parents: string[]; message: string }> {
  const { commit } = await git
    .readCommit({ fs, gitdir: store.gitdir, oid, cache: store.cache })
    .catch((e: unknown) => unreadable(store, oid, e));
  return { tree: commit.tree, parents: commit.parent, message: commit.message };
}

/** The commit a ref points to (undefined when the ref does not exist). */
export async function readRef(gitdir: string, ref: string): Promise<string | undefined> {
  try {
    return await git.resolveRef({ fs, gitdir, ref });
  } catch {
    return undefined;
  }
}

/** A person in a commit: name, email, unix seconds, timezone offset in minutes (east positive). */
export interface Signature {
  name: string;
  email: string;
  timestamp: number;
  timezoneOffset?: number;
}

function formatSignature(s: Signature): string {
  const off = s.timezoneOffset ?? 0;
  const sign = off < 0 ? "-" : "+";
  const abs = Math.abs(off);
  const tz = `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}${String(abs % 60).padStart(2, "0")}`;
  const clean = (t: string) => t.replace(/[<>\n]/g, "");
  return `${clean(s.name)} <${clean(s.email)}> ${Math.floor(s.timestamp)} ${tz}`;
}

/** What a commit object says. */
interface CommitFields {
  tree: string;
  parents: string[];
  author: Signature;
  committer?: Signature;
  message: string;
}

/** A commit object, encoded and hashed (nothing written). */
export function commitObject(c: CommitFields): PackObject {
  const lines = [
    `tree ${c.tree}`,
    ...c.parents.map((p) => `parent ${p}`),
    `author ${formatSignature(c.author)}`,
    `committer ${formatSignature(c.committer ?? c.author)}`,
  ];
  const message = c.message.endsWith("\n") ? c.message : `${c.message}\n`;
  const content = Buffer.from(`${lines.join("\n")}\n\n${message}`, "utf8");
  return { type: "commit", content, oid: hashObject("commit", content) };
}

/** Writes a commit object; returns its oid. */
export async function writeCommitObject(store: ObjectStore, c: CommitFields): Promise<string> {
  const { content, oid } = commitObject(c);
  return writeObject(store, "commit", content, oid);
}

/**
 * git's `transfer.unpackLimit` / `fetch.unpackLimit` default: a push or fetch of fewer objects is stored
 * loose, one of this many or more is kept as a pack. {@link writeObjects} follows the same rule.
 */
export const UNPACK_LIMIT = 100;

/**
 * Writes the new objects of one publish, given children before parents (a tree after its entries, the
 * commit last): fewer than {@link UNPACK_LIMIT} as loose objects, one at a time in that order (so that a
 * crash never leaves a tree whose entries are missing); else as one packfile, whose objects all appear at
 * once when its index is renamed into place. Objects the store already holds are skipped. Returns how many
 * objects were written.
 */
export async function writeObjects(store: ObjectStore, objects: readonly PackObject[]): Promise<number> {
  const fresh = new Map<string, PackObject>();
  for (const o of objects) if (!store.known.has(o.oid)) fresh.set(o.oid, o);
  if (fresh.size < UNPACK_LIMIT) {
    for (const o of fresh.values()) await writeObject(store, o.type, o.content, o.oid);
    return fresh.size;
  }
  try {
    await writePack(store.gitdir, fresh.values());
  } catch (e) {
    throw ioError(`cannot write a pack of ${fresh.size} objects in ${store.gitdir}`, e);
  }
  for (const oid of fresh.keys()) store.known.add(oid);
  return fresh.size;
}

/**
 * Moves a ref from `expected` (undefined: the ref must not exist) to `oid`, git's way: create
 * `<ref>.lock` exclusively, check the current value, write, rename over the ref. Returns false when the
 * ref moved meanwhile (another publisher won); throws when another process holds the lock.
 */
export async function compareAndSwapRef(
  gitdir: string,
  ref: string,
  expected: string | undefined,
  oid: string,
): Promise<boolean> {
  const path = join(gitdir, ref);
  const lock = `${path}.lock`;
  await mkdirp(dirname(path));
  let handle;
  try {
    handle = await open(lock, "wx");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST")
      throw new BraidError({
        code: "PUBLISH_RACE",
        message: `${ref} is locked by another process (${lock} exists)`,
        hint: "wait for the other publisher; if none is running, delete the stale .lock file",
      });
    throw ioError(`cannot lock ${ref}`, e);
  }
  try {
    const current = await readRef(gitdir, ref);
    if (current !== expected) return false;
    await handle.writeFile(`${oid}\n`);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(lock, path);
    return true;
  } finally {
    if (handle) await handle.close();
    await rm(lock, { force: true });
  }
}

/**
 * An object the store should hold cannot be read: `REPO_CORRUPT` when the repository is damaged (isogit.ts
 * says so, or a tree is named that is another type), else `IO`; both exit 3.
 */
function unreadable(store: ObjectStore, oid: string, e: unknown): never {
  if (e instanceof DamagedRepositoryError) throw e;
  const { code, message } = (e ?? {}) as { code?: unknown; message?: unknown };
  if (code === "ObjectTypeError" && typeof message === "string" && !objectsElsewhere(store.gitdir))
    throw new DamagedRepositoryError({
      code: "REPO_CORRUPT",
      message: `the Git repository ${store.gitdir} is damaged: ${message}`,
      hint: "`git fsck` there shows the damage; nothing was published",
    });
  const elsewhere = objectsElsewhere(store.gitdir);
  throw new BraidError({
    code: "IO",
    message: `cannot read object ${oid} in ${store.gitdir}: ${e instanceof Error ? (e.message.split("\n").pop() ?? "") : String(e)}`,
    hint:
      elsewhere === "alternates"
        ? "the repository borrows objects from another (objects/info/alternates: a clone made with --shared or --reference), which braid reads only through the system git: put git on PATH (and leave BRAID_GIT_TRANSPORT unset), or clone without --shared/--reference; nothing was published"
        : elsewhere === "partial clone"
          ? "the repository is a partial clone (git clone --filter), whose left-out objects braid does not fetch: clone without --filter; nothing was published"
          : "the repository's object store looks damaged: `git fsck` says what is wrong; nothing was published",
  });
}

function ioError(message: string, e: unknown): BraidError {
  return new BraidError({ code: "IO", message: `${message}: ${e instanceof Error ? e.message : String(e)}` });
}
