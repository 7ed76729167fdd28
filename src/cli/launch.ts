/**
 * How the `braid` command starts (bin/braid.js calls {@link launch}); what a user waits for before any work.
 *
 * - **One file, compiled once.** `npm run build` bundles the command (braid and its dependencies) into
 *   dist/cli/braid.cjs. Loading it here keeps V8's code cache of it under `$BRAID_CACHE/code/`, one per
 *   command, written after the first run: later starts skip parsing and compiling it. A cache that V8 refuses
 *   (another Node.js, a rebuilt bundle) is written again. Without a bundle (a checkout without dist/, or
 *   tests), the modules are imported as they are.
 * - **Default stack first.** The command runs on the main thread, on Node's default stack. Input nested
 *   deeper than that stack reads (model/deep-stack.ts) makes it start again, as a new process whose command
 *   runs in a worker thread with a 256 MB stack, so braid reads YAML exactly as deep as kubectl kustomize
 *   (10,000 levels). That happens only while nothing but progress has been printed; otherwise the input is
 *   reported as too deep where the default stack ends.
 */
import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { constants } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import type * as WorkerThreads from "node:worker_threads";
import { childProcess } from "../git/child-process.js";
import { cacheDir } from "./cache-dir.js";
import type { CliIO } from "./io.js";

/** What the command's module gives. */
interface Entry {
  main: (argv: string[], io: CliIO) => Promise<number>;
  onStackExhausted: (handler: (() => void) | undefined) => unknown;
  useBundleDigest: (hex: string) => void;
}

/** Set (internally) on the process started again for deeply nested input: run the command on a large stack. */
const LARGE_STACK_ENV = "BRAID_LARGE_STACK";
const STACK_MB = 256;
const BUNDLE = new URL("./braid.cjs", import.meta.url);

/** Runs the command of this process's arguments; `bin` is the URL of the executable script. */
export async function launch(bin: string): Promise<void> {
  if (process.env[LARGE_STACK_ENV] === "1") {
    // (a process started again for deeply nested input; its worker runs this file too)
    const threads = createRequire(import.meta.url)("node:worker_threads") as typeof WorkerThreads;
    if (threads.isMainThread) startWorker(bin, threads);
    else await runInWorker(threads);
  } else await runHere(bin);
}

/**
 * process.stdout or process.stderr, made on first use (a pipe's stream loads `net`, a terminal's `tty`: a
 * `--quiet` run writes nothing and needs neither), ended quietly by a closed pipe (`braid … | head`), as Unix
 * tools are.
 */
function stream(name: "stdout" | "stderr"): NodeJS.WriteStream {
  const s = process[name];
  if (!watched.has(name)) {
    watched.add(name);
    s.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  return s;
}
const watched = new Set<string>();

async function runHere(bin: string): Promise<void> {
  plainEnv();
  const argv = process.argv.slice(2);
  let printed = false;
  const io: CliIO = {
    stdout: (t) => {
      printed = true;
      stream("stdout").write(t);
    },
    stderr: (t) => {
      if (!t.startsWith("\r")) printed = true; // progress lines start with a carriage return
      stream("stderr").write(t);
    },
    env: process.env,
    cwd: process.cwd(),
    get isTTY() {
      return stream("stderr").isTTY;
    },
  };
  process.on("uncaughtException", (e) => {
    stream("stderr").write(internalError(e));
    process.exit(4);
  });
  const { entry, saveCodeCache } = await loadEntry(argv, io);
  entry.onStackExhausted(() => {
    if (printed) return;
    if (io.isTTY) stream("stderr").write("\r\x1b[2K");
    const again = childProcess().spawnSync(process.execPath, [...process.execArgv, fileURLToPath(bin), ...argv], {
      stdio: "inherit",
      env: { ...process.env, [LARGE_STACK_ENV]: "1" },
    });
    // a run ended by a signal exits 128 + its number, as a shell reports it
    process.exit(again.status ?? (again.signal ? 128 + constants.signals[again.signal] : 4));
  });
  const code = await entry.main(argv, io);
  saveCodeCache();
  process.exitCode = code;
}

function startWorker(bin: string, { Worker }: typeof WorkerThreads): void {
  stream("stdout"); // (the worker writes through this thread's streams)
  let code: number | undefined;
  const worker = new Worker(new URL(bin), {
    argv: process.argv.slice(2),
    workerData: { isTTY: stream("stderr").isTTY },
    resourceLimits: { stackSizeMb: STACK_MB },
  });
  worker.on("message", (c: number) => (code = c));
  worker.on("error", (e) => {
    stream("stderr").write(internalError(e));
    code = 4;
  });
  worker.on("exit", () => {
    process.exitCode = code ?? 4;
  });
}

async function runInWorker({ parentPort, workerData }: typeof WorkerThreads): Promise<void> {
  plainEnv();
  const io: CliIO = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    isTTY: (workerData as { isTTY: boolean }).isTTY,
  };
  const argv = process.argv.slice(2);
  const { entry, saveCodeCache } = await loadEntry(argv, io);
  const code = await entry.main(argv, io);
  saveCodeCache();
  parentPort!.postMessage(code);
}

/**
 * process.env goes to the C++ environment on every read, and the yaml parser reads process.env.LOG_TOKENS
 * once per token (a quarter of a million for 1,000 small cluster files, about 0.1 s): a plain copy (not on
 * Windows, where the names are case-insensitive).
 */
function plainEnv(): void {
  if (process.platform !== "win32") process.env = { ...process.env };
}

function internalError(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return `error INTERNAL: internal error: ${message}\n  hint: this is a bug in braid; please report it\n`;
}

/** The command's module: the bundle through the code cache when built, else the modules themselves. */
async function loadEntry(argv: string[], io: CliIO): Promise<{ entry: Entry; saveCodeCache: () => void }> {
  const file = fileURLToPath(BUNDLE);
  if (!existsSync(file)) return { entry: await import("./main.js"), saveCodeCache: () => {} };
  const bytes = readFileSync(file);
  const source = bytes.toString("latin1"); // the build writes it in ASCII
  const digest = createHash("sha256").update(bytes).digest("hex");
  const cacheFile = codeCacheFile(file, digest, argv, io);
  const cached = cacheFile ? readOwn(cacheFile) : undefined;
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData: cached,
  });
  const module = { exports: {} as Entry };
  (script.runInThisContext() as (...args: unknown[]) => void)(
    module.exports,
    createRequire(file),
    module,
    file,
    dirname(file),
  );
  module.exports.useBundleDigest(digest);
  return {
    entry: module.exports,
    saveCodeCache: () => {
      if (!cacheFile || (cached && !script.cachedDataRejected)) return;
      try {
        mkdirSync(dirname(cacheFile), { recursive: true, mode: 0o700 });
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
        renameSync(tmp, cacheFile);
        dropOtherBuilds(cacheFile);
      } catch {
        // a read-only or full cache: the next start compiles again
      }
    },
  };
}

/**
 * Where the code cache of this bundle lives: by Node.js version, platform and the bundle's text (its digest:
 * V8 checks only the length), and by command, each keeping the functions its own runs compiled.
 */
function codeCacheFile(file: string, digest: string, argv: string[], io: CliIO): string | undefined {
  if (io.env.BRAID_CODE_CACHE === "0") return undefined;
  const command = /^[a-z][a-z-]*$/.test(argv[0] ?? "") ? argv[0]! : "-";
  const key = createHash("sha256")
    .update(`${process.version}\0${process.arch}\0${process.platform}\0${file}\0${digest}`)
    .digest("hex")
    .slice(0, 32);
  return join(cacheDir(io), "code", `${key}-${command}.bin`);
}

/**
 * Removes the code caches of other bundles (an earlier braid, another Node.js) beside a new one: each build
 * writes its own, which would otherwise pile up. A process of that other build writes its own again.
 */
function dropOtherBuilds(cacheFile: string): void {
  const dir = dirname(cacheFile);
  const key = basename(cacheFile).split("-")[0]!;
  for (const name of readdirSync(dir))
    if (name.endsWith(".bin") && !name.startsWith(`${key}-`)) rmSync(join(dir, name), { force: true });
}

/** A file's bytes, if it belongs to this user (the cache holds code V8 runs). */
function readOwn(path: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const uid = process.getuid?.();
    if (uid !== undefined && fstatSync(fd).uid !== uid) return undefined;
    return readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
