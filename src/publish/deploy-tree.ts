/**
 * The deploy tree, built in memory as content-addressed nodes and written to the object store only
 * where the store lacks it: identical files across clusters are one blob, identical folders one tree,
 * and a subtree the store already has (e.g. an unchanged cluster) is skipped whole.
 */
import { hashObject, objectExists, writeObjects, type ObjectStore } from "../git/git-store.js";
import type { PackObject } from "../git/pack-write.js";

interface BlobNode {
  kind: "blob";
  oid: string;
  content?: Buffer;
  /** The last tree entry made for this blob: a file shared by many clusters has the same name in each. */
  entry?: { name: string; bytes: Buffer };
}
interface GraftNode {
  kind: "graft";
  oid: string;
}
interface DirNode {
  kind: "dir";
  children: Map<string, Node>;
  oid?: string;
  bytes?: Buffer;
}
type Node = BlobNode | GraftNode | DirNode;

/** A deploy tree under construction. */
export interface DeployTree {
  root: DirNode;
  /** content → blob oid memo (serialized resources shared across clusters are one string object). */
  blobs: Map<string, BlobNode>;
}

/** An empty tree. */
export function createDeployTree(): DeployTree {
  return { root: { kind: "dir", children: new Map() }, blobs: new Map() };
}

function checkName(name: string, path: string): void {
  if (!name || name === "." || name === ".." || name === ".git" || name.includes("\0"))
    throw new Error(`invalid path in deploy tree: "${path}"`);
}

function dirAt(tree: DeployTree, parts: string[], path: string, from: DirNode = tree.root): DirNode {
  let node = from;
  for (const part of parts) {
    checkName(part, path);
    let next = node.children.get(part);
    if (next?.kind !== "dir") {
      next = { kind: "dir", children: new Map() };
      node.children.set(part, next);
    }
    node = next;
  }
  return node;
}

function split(path: string): { parents: string[]; name: string } {
  const parts = path.split("/").filter(Boolean);
  const name = parts.pop();
  if (name === undefined) throw new Error(`empty path in deploy tree`);
  return { parents: parts, name };
}

/** The blob node of a content (hashed once per run: identical files across clusters are one blob). */
function blobNode(tree: DeployTree, content: string): BlobNode {
  let blob = tree.blobs.get(content);
  if (!blob) {
    const buf = Buffer.from(content, "utf8");
    blob = { kind: "blob", oid: hashObject("blob", buf), content: buf };
    tree.blobs.set(content, blob);
  }
  return blob; // one node per content, shared by every folder holding it (nodes are never changed)
}

/** Adds (or replaces) a file. */
export function addFile(tree: DeployTree, path: string, content: string): void {
  const { parents, name } = split(path);
  checkName(name, path);
  dirAt(tree, parents, path).children.set(name, blobNode(tree, content));
}

/**
 * Adds (or replaces) the files of a folder (paths relative to it): the folder is found once, and a file
 * directly in it costs a name check and a map entry (a cluster's folder holds hundreds of files).
 */
export function addFiles(tree: DeployTree, dir: string, files: readonly { path: string; content: string }[]): void {
  const folder = dirAt(tree, dir.split("/").filter(Boolean), dir);
  let sub: { name: string; node: DirNode } | undefined; // files come sorted: one namespace folder after another
  for (const f of files) {
    const slash = f.path.indexOf("/");
    if (slash > 0 && !f.path.includes("/", slash + 1)) {
      // `<namespace>/<kind>-<name>.yaml`, the usual shape: no split, the folder looked up once per run of files
      const name = f.path.slice(slash + 1);
      checkName(name, `${dir}/${f.path}`);
      const folderName = f.path.slice(0, slash);
      if (sub?.name !== folderName) sub = { name: folderName, node: dirAt(tree, [folderName], dir, folder) };
      sub.node.children.set(name, blobNode(tree, f.content));
    } else if (f.path.includes("/")) {
      sub = undefined;
      const rel = split(f.path);
      checkName(rel.name, `${dir}/${f.path}`);
      dirAt(tree, rel.parents, `${dir}/${f.path}`, folder).children.set(rel.name, blobNode(tree, f.content));
    } else {
      checkName(f.path, `${dir}/${f.path}`);
      sub = undefined; // a file may take the name of a folder
      folder.children.set(f.path, blobNode(tree, f.content));
    }
  }
}

/** Places an existing tree of the store (e.g. a held-back cluster's last good folder) at a path. */
export function graftTree(tree: DeployTree, path: string, oid: string): void {
  const { parents, name } = split(path);
  checkName(name, path);
  dirAt(tree, parents, path).children.set(name, { kind: "graft", oid });
}

/** Git's tree entry order: byte order of names, with folders compared as `name/`. */
function entryKey(name: string, node: Node): string {
  return node.kind === "blob" ? name : `${name}/`;
}

// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;

/** One tree entry: `<mode> <name>\0<20-byte oid>`. */
function treeEntry(mode: string, name: string, oid: string): Buffer {
  const head = `${mode} ${name}\0`;
  const bytes = Buffer.allocUnsafe(Buffer.byteLength(head) + 20);
  bytes.write(oid, bytes.write(head), "hex");
  return bytes;
}

function hashDir(dir: DirNode): string {
  if (dir.oid) return dir.oid;
  const entries: { name: string; node: Node; key: string; ascii: boolean }[] = [];
  for (const [name, node] of dir.children) {
    if (node.kind === "dir" && node.children.size === 0) continue;
    const key = entryKey(name, node);
    entries.push({ name, node, key, ascii: ASCII.test(key) });
  }
  // UTF-16 order equals UTF-8 byte order except around surrogates: compare bytes only for non-ASCII names
  const order = (a: (typeof entries)[number], b: (typeof entries)[number]): number =>
    a.ascii && b.ascii
      ? a.key < b.key
        ? -1
        : a.key > b.key
          ? 1
          : 0
      : Buffer.compare(Buffer.from(a.key), Buffer.from(b.key));
  // (a rendered folder's files come in path order, mostly already git's: checked in one pass)
  let sorted = true;
  for (let i = 1; i < entries.length && sorted; i++) sorted = order(entries[i - 1]!, entries[i]!) < 0;
  if (!sorted) entries.sort(order);
  // `<mode> <name>\0<20-byte oid>` per entry; a shared blob's entry is encoded once for all the folders holding it
  const parts: Buffer[] = [];
  for (const { name, node } of entries) {
    if (node.kind !== "blob") parts.push(treeEntry("40000", name, node.kind === "dir" ? hashDir(node) : node.oid));
    else {
      if (node.entry?.name !== name) node.entry = { name, bytes: treeEntry("100644", name, node.oid) };
      parts.push(node.entry.bytes);
    }
  }
  dir.bytes = Buffer.concat(parts);
  dir.oid = hashObject("tree", dir.bytes);
  return dir.oid;
}

/** The oid of the tree (computed, nothing written). */
export function treeOid(tree: DeployTree): string {
  return hashDir(tree.root);
}

/** The oid of the subtree at a path (undefined when absent). */
export function subtreeOid(tree: DeployTree, path: string): string | undefined {
  let node: Node | undefined = tree.root;
  for (const part of path.split("/").filter(Boolean)) {
    if (node?.kind !== "dir") return undefined;
    node = node.children.get(part);
  }
  if (!node || node.kind === "blob") return undefined;
  return node.kind === "graft" ? node.oid : hashDir(node);
}

/** A bounded number of store reads in flight. */
function limiter(max: number): <T>(job: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (job) => {
    if (active >= max) await new Promise<void>((r) => waiting.push(r));
    active++;
    try {
      return await job();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/**
 * The objects of the tree the store does not have yet, children before their parent, in the tree's own order
 * (so the same tree always gives the same list, and the same pack); a subtree the store has is skipped whole.
 * The existence checks run first, up to `concurrency` in flight. Nothing is written: the caller adds the
 * commit and writes them all at once (`writeObjects`: loose or one pack).
 */
export async function newDeployObjects(store: ObjectStore, tree: DeployTree, concurrency = 32): Promise<PackObject[]> {
  const limit = limiter(concurrency);
  const checks = new Map<string, Promise<void>>();
  const missing = new Set<string>();
  const nonEmpty = (dir: DirNode) => [...dir.children.values()].filter((n) => n.kind !== "dir" || n.children.size > 0);
  const check = (node: Node): Promise<void> => {
    if (node.kind === "graft") return Promise.resolve();
    const oid = node.kind === "dir" ? hashDir(node) : node.oid;
    let p = checks.get(oid);
    if (!p) {
      p = (async () => {
        if (await limit(() => objectExists(store, oid))) return;
        missing.add(oid);
        if (node.kind === "dir") await Promise.all(nonEmpty(node).map(check));
      })();
      checks.set(oid, p);
    }
    return p;
  };
  await check(tree.root);
  const out: PackObject[] = [];
  const emit = (node: Node): void => {
    if (node.kind === "graft") return;
    const oid = node.kind === "dir" ? hashDir(node) : node.oid;
    if (!missing.delete(oid)) return; // present in the store, or emitted already
    if (node.kind === "dir") {
      for (const child of nonEmpty(node)) emit(child);
      out.push({ type: "tree", oid, content: node.bytes! });
    } else out.push({ type: "blob", oid, content: node.content! });
  };
  emit(tree.root);
  return out;
}

/** Writes every object of the tree the store does not have yet; returns the root oid and how many were written. */
export async function writeDeployTree(store: ObjectStore, tree: DeployTree): Promise<{ oid: string; written: number }> {
  const written = await writeObjects(store, await newDeployObjects(store, tree));
  return { oid: treeOid(tree), written };
}
