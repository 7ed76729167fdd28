/**
 * Objects of large packs read through the system `git cat-file --batch`.
 *
 * isomorphic-git reads a packed object by loading the pack's whole index into a map, then the whole `.pack`
 * file into memory, then checking the pack's SHA-1 over all of it, and it undoes deltas in JavaScript. On a
 * source such as argo-cd (a 340 MB pack with hundreds of thousands of objects) that costs seconds and about a
 * gigabyte of memory on every run, even one that reuses every cluster; kube-prometheus's 18 MB pack took 0.6 s
 * to read one folder from (0.1 s through git). git itself maps the pack and binary-searches the index.
 *
 * So when the system git is on PATH (and `BRAID_GIT_TRANSPORT` is not `embedded`) and a repository's packs add
 * up to {@link DEFAULT_MIN_PACK_BYTES} or more (`BRAID_GIT_BATCH_MIN_PACK_BYTES` sets another threshold), or it
 * borrows objects through `objects/info/alternates` (which isomorphic-git does not read), or it is a partial
 * clone (`git clone --filter`: git fetches a left-out object from the promisor remote when it is read, as
 * `git checkout` does; isomorphic-git cannot), an object that is not loose is read from one long-lived `git cat-file --batch` per repository, and handed to
 * isomorphic-git as the loose object it would have read (git/isogit.ts): isomorphic-git still parses it and
 * checks its id. A repository below the threshold is read by isomorphic-git alone, as before.
 *
 * The `git` process serves requests in order over a pipe; it is referenced only while requests are pending, so
 * it never keeps braid running; it ends when braid ends (its stdin closes) or after {@link IDLE_MS} without
 * requests. If it fails, the read falls back to isomorphic-git, and the next read starts another process.
 */
import type { ChildProcessByStdio } from "node:child_process";
import { readdir, stat } from "node:fs/promises";
import type { Readable, Writable } from "node:stream";
import { join, resolve } from "node:path";
import { deflateSync } from "node:zlib";
import { childProcess } from "./child-process.js";
import { objectsElsewhere } from "./damaged.js";
import { REPO_ENV, systemGit } from "./system-git.js";

/** Packs at least this large (in all) are read through git: 1 MiB. */
const DEFAULT_MIN_PACK_BYTES = 1024 * 1024;

/** A reader without requests for this long ends its process (a new one starts when needed). */
const IDLE_MS = 10_000;

interface Pending {
  oid: string;
  resolve: (content: { oid: string; type: string; body: Buffer } | undefined) => void;
  reject: (e: Error) => void;
}

/** One `git cat-file --batch` over one repository. */
class CatFile {
  private readonly child: ChildProcessByStdio<Writable, Readable, null>;
  private readonly pending: Pending[] = [];
  /** Output not yet parsed, in the chunks it came in, and their total length. */
  private parts: Buffer[] = [];
  private length = 0;
  /** Bytes the object being received needs before it can be parsed (0: parse on any data). */
  private need = 0;
  private failed: Error | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Whether git answered any request (a git that cannot even start is not started again). */
  private answered = false;

  constructor(
    git: string,
    gitdir: string,
    private readonly onEnd: (answered: boolean) => unknown,
  ) {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !REPO_ENV.has(k)) env[k] = v;
    env.GIT_DIR = gitdir;
    env.GIT_TERMINAL_PROMPT = "0";
    this.child = childProcess().spawn(git, ["cat-file", "--batch"], {
      cwd: gitdir,
      env,
      stdio: ["pipe", "pipe", "ignore"],
    });
    this.child.stdout.on("data", (chunk: Buffer) => this.receive(chunk));
    this.child.stdin.on("error", (e) => this.fail(e));
    this.child.on("error", (e) => this.fail(e));
    this.child.on("close", () => this.fail(new Error("git cat-file ended")));
    this.idle();
  }

  /**
   * The object's id, type and content; undefined when the repository does not have it. `oid` may be
   * abbreviated (undefined too when it is ambiguous).
   */
  read(oid: string): Promise<{ oid: string; type: string; body: Buffer } | undefined> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) this.busy();
      this.pending.push({ oid, resolve, reject });
      this.child.stdin.write(`${oid}\n`);
    });
  }

  get usable(): boolean {
    return this.failed === undefined;
  }

  private receive(chunk: Buffer): void {
    this.parts.push(chunk);
    this.length += chunk.length;
    if (this.length < this.need) return; // a large object still coming: joined once, when whole
    let buffer = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.length);
    this.need = 0;
    for (;;) {
      const head = this.pending[0];
      const eol = buffer.indexOf(10);
      if (!head || eol < 0) break;
      const [oid, type, size] = buffer.subarray(0, eol).toString("latin1").split(" ");
      if (type === "missing" || type === "ambiguous" || size === undefined) {
        buffer = buffer.subarray(eol + 1);
        this.pending.shift();
        this.answered = true;
        head.resolve(undefined);
      } else {
        const end = eol + 1 + Number(size);
        if (buffer.length < end + 1) {
          this.need = end + 1;
          break;
        }
        const body = Buffer.from(buffer.subarray(eol + 1, end));
        buffer = buffer.subarray(end + 1);
        this.pending.shift();
        this.answered = true;
        if (oid!.startsWith(head.oid)) head.resolve({ oid: oid!, type: type!, body });
        else head.reject(new Error(`git cat-file answered ${oid} for ${head.oid}`));
      }
      if (this.pending.length === 0) this.idle();
    }
    this.parts = buffer.length ? [buffer] : [];
    this.length = buffer.length;
  }

  private fail(e: Error): void {
    this.failed ??= e;
    for (const p of this.pending.splice(0)) p.reject(this.failed);
    this.idle();
    if (this.timer) clearTimeout(this.timer);
    this.onEnd(this.answered);
  }

  /** Requests pending: the process and its pipes keep braid running until they are answered. */
  private busy(): void {
    if (this.timer) clearTimeout(this.timer);
    this.child.ref();
    refable(this.child.stdout)?.ref();
  }

  /** Nothing pending: the process never keeps braid running, and ends after a while without requests. */
  private idle(): void {
    this.child.unref();
    refable(this.child.stdout)?.unref();
    refable(this.child.stdin)?.unref();
    if (this.failed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (this.pending.length === 0) this.child.stdin.end();
    }, IDLE_MS);
    this.timer.unref();
  }
}

/** A pipe to a child process (a socket): what keeps the event loop alive can be switched off and on. */
function refable(stream: unknown): { ref(): void; unref(): void } | undefined {
  const s = stream as { ref?: unknown; unref?: unknown };
  return typeof s.ref === "function" && typeof s.unref === "function"
    ? (stream as { ref(): void; unref(): void })
    : undefined;
}

/** The readers of this process, by gitdir (objects never change under their ids, so they are shared). */
const readers = new Map<string, Promise<CatFile | undefined>>();

/** The total size of a repository's packs. */
async function packBytes(gitdir: string): Promise<number> {
  const dir = join(gitdir, "objects", "pack");
  let total = 0;
  for (const name of await readdir(dir).catch(() => [] as string[]))
    if (name.endsWith(".pack")) total += (await stat(join(dir, name)).catch(() => undefined))?.size ?? 0;
  return total;
}

function minPackBytes(): number {
  const set = process.env.BRAID_GIT_BATCH_MIN_PACK_BYTES;
  const n = set === undefined || set === "" ? NaN : Number(set);
  return Number.isFinite(n) && n >= 0 ? n : DEFAULT_MIN_PACK_BYTES;
}

/** The reader for a repository whose packs git should read; undefined for one isomorphic-git reads alone. */
function readerFor(gitdir: string): Promise<CatFile | undefined> {
  const known = readers.get(gitdir);
  if (known) return known;
  const made: Promise<CatFile | undefined> = (async () => {
    const git = systemGit(process.env);
    if (!git || (!objectsElsewhere(gitdir) && (await packBytes(gitdir)) < minPackBytes())) return undefined;
    // ended or failed after it worked: the next read starts another; one that never worked is not tried again
    return new CatFile(git, gitdir, (answered) => {
      if (readers.get(gitdir) !== made) return;
      if (answered) readers.delete(gitdir);
      else readers.set(gitdir, Promise.resolve(undefined));
    });
  })();
  readers.set(gitdir, made);
  return made;
}

/**
 * The full id of an abbreviated object id, as git expands it: "" when git finds none or several, undefined
 * when the repository is not read through git (isomorphic-git expands it then).
 */
export async function expandThroughGit(gitdir: string, prefix: string): Promise<string | undefined> {
  const reader = await readerFor(resolve(gitdir));
  if (!reader?.usable) return undefined;
  try {
    return (await reader.read(prefix.toLowerCase()))?.oid ?? "";
  } catch {
    return undefined;
  }
}

const LOOSE = /^(.*)[/\\]objects[/\\]([0-9a-f]{2})[/\\]([0-9a-f]{38})$/;

/**
 * The loose-object file (zlib of `<type> <size>\0<content>`) that isomorphic-git asked for at `path`, made
 * from the packed object git reads; undefined when the path is not a loose object's, the repository is read
 * by isomorphic-git alone, or git does not have the object.
 */
export async function packedAsLoose(path: string): Promise<Buffer | undefined> {
  const m = LOOSE.exec(path);
  if (!m) return undefined;
  const [, gitdir, dir, rest] = m;
  const reader = await readerFor(resolve(gitdir!)); // (isomorphic-git may be given a relative gitdir)
  if (!reader?.usable) return undefined;
  let object;
  try {
    object = await reader.read(dir! + rest!);
  } catch {
    return undefined; // git failed: isomorphic-git reads the pack
  }
  if (!object) return undefined;
  // stored, not compressed: isomorphic-git inflates it again at once
  return deflateSync(Buffer.concat([Buffer.from(`${object.type} ${object.body.length}\0`), object.body]), {
    level: 0,
  });
}
