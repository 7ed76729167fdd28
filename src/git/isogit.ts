/**
 * isomorphic-git, loaded through `require`. For Node, the package's `exports` map serves only its CommonJS
 * build (index.cjs, 580 KB); an ESM `import` of it makes Node scan the whole file for its export names before
 * running it (about 0.1 s of CPU on every braid start that reads Git). `require` skips that scan and gives the
 * same module object (`exports`), so braid's modules import `git` from here instead of from "isomorphic-git".
 *
 * Every isomorphic-git call wraps the `fs` it is given in its FileSystem class, and that wrapping probes the
 * fs by calling `readFile()` without arguments twice (two rejected promises, each with a stack trace): half
 * the cost of reading a small object. A FileSystem passed in is used as it is, so each `fs` given here is
 * wrapped once (per fs object, for the process) and the calls get the wrapped one.
 *
 * The wrapped fs also answers isomorphic-git's read of a loose object that is not on disk with the packed
 * object as `git cat-file` gives it, for repositories with large packs (git/cat-file.ts): isomorphic-git then
 * never loads such a pack into memory.
 *
 * Node's own `fs` is given to isomorphic-git as {@link localFs}: its promise calls done synchronously. Reading
 * one small object through `fs.promises` takes four trips through libuv's thread pool (open, stat, read,
 * close), each longer than the read itself on a busy machine: a 20-object render spent about 25 ms waiting on
 * them. A repository here is a local folder, and nothing else runs while braid reads it.
 *
 * A call that fails because the repository is damaged (an object that does not inflate, does not hash to its
 * id, or is missing where a tree names it) throws git/damaged.ts's `REPO_CORRUPT` error instead.
 */
import nodeFs from "node:fs";
import { createRequire } from "node:module";
import { IN_BUNDLE } from "../model/bundle.js";
import { packedAsLoose } from "./cat-file.js";
import { damagedRepository } from "./damaged.js";

type IsoGit = typeof import("isomorphic-git").default;

// in the bundle the command runs, the bundler includes these two packages (they share its code cache)
const load = IN_BUNDLE ? undefined : createRequire(import.meta.url);
/* eslint-disable @typescript-eslint/no-require-imports -- resolved by the bundler */
const raw = (load ? load("isomorphic-git") : require("isomorphic-git")) as IsoGit;
const { FileSystem } = (
  load ? load("isomorphic-git/models") : require("isomorphic-git/models")
) as typeof import("isomorphic-git/models");
/* eslint-enable @typescript-eslint/no-require-imports */

const wrapped = new WeakMap<object, object>();

/** Node's fs as isomorphic-git calls it (the promise API), each call done synchronously. */
const localFs = {
  promises: {
    readFile: async (...a: Parameters<typeof nodeFs.readFileSync>) => nodeFs.readFileSync(...a),
    writeFile: async (...a: Parameters<typeof nodeFs.writeFileSync>) => nodeFs.writeFileSync(...a),
    mkdir: async (...a: Parameters<typeof nodeFs.mkdirSync>) => nodeFs.mkdirSync(...a),
    rmdir: async (...a: Parameters<typeof nodeFs.rmdirSync>) => nodeFs.rmdirSync(...a),
    rm: async (...a: Parameters<typeof nodeFs.rmSync>) => nodeFs.rmSync(...a),
    unlink: async (...a: Parameters<typeof nodeFs.unlinkSync>) => nodeFs.unlinkSync(...a),
    stat: async (...a: Parameters<typeof nodeFs.statSync>) => nodeFs.statSync(...a),
    lstat: async (...a: Parameters<typeof nodeFs.lstatSync>) => nodeFs.lstatSync(...a),
    readdir: async (...a: Parameters<typeof nodeFs.readdirSync>) => nodeFs.readdirSync(...a),
    readlink: async (...a: Parameters<typeof nodeFs.readlinkSync>) => nodeFs.readlinkSync(...a),
    symlink: async (...a: Parameters<typeof nodeFs.symlinkSync>) => nodeFs.symlinkSync(...a),
    cp: async (...a: Parameters<typeof nodeFs.cpSync>) => nodeFs.cpSync(...a),
  },
};

function wrapFs(fs: unknown): unknown {
  if (fs === null || typeof fs !== "object" || "_original_unwrapped_fs" in fs) return fs;
  let w = wrapped.get(fs);
  if (!w) {
    const fsys = new FileSystem(
      (fs === nodeFs ? localFs : fs) as ConstructorParameters<typeof FileSystem>[0],
    ) as unknown as {
      _readFile: (path: string, options?: unknown) => Promise<unknown>;
    };
    const readFile = fsys._readFile;
    fsys._readFile = async (path, options) => {
      try {
        return await readFile(path, options);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
        const object = await packedAsLoose(path);
        if (!object) throw e;
        return object;
      }
    };
    wrapped.set(fs, (w = fsys));
  }
  return w;
}

const git = new Proxy(raw, {
  get(target, key, receiver) {
    const value: unknown = Reflect.get(target, key, receiver);
    if (typeof value !== "function") return value;
    return (args?: unknown, ...rest: unknown[]): unknown => {
      const given = args !== null && typeof args === "object" ? (args as { fs?: unknown; gitdir?: unknown }) : {};
      const result: unknown = Reflect.apply(value, target, [
        "fs" in given ? { ...given, fs: wrapFs(given.fs) } : args,
        ...rest,
      ]);
      // a damaged repository is its own error (git/damaged.ts), not one isomorphic-git calls internal
      return result instanceof Promise
        ? result.catch((e: unknown) => {
            throw damagedRepository(e, given.gitdir, String(key)) ?? e;
          })
        : result;
    };
  },
});
export default git;
