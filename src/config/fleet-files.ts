import { lstatSync, readFileSync, realpathSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { basename, dirname, join, relative, sep } from "node:path";
import { BraidError } from "../diagnostics/diagnostic.js";
import { yamlText } from "../model/yaml-file.js";

/** Read access to the fleet's files (a folder on disk, or a tree in Git for previews). Paths are posix, relative. */
export interface FleetReader {
  /** Human label of where the fleet is (folder path or "rev:path"). */
  readonly label: string;
  /**
   * The file's text (undefined when it does not exist). Symbolic links are followed while they stay inside the
   * fleet folder; one that leads out of it throws a PATH_ESCAPE error (see `symlinkEscape`).
   */
  read(path: string): Promise<string | undefined>;
  /** Names of the files directly inside a folder (empty when it does not exist); symbolic links to files included. */
  list(dir: string): Promise<string[]>;
  /** Every file below a folder, recursively, as paths relative to the fleet (symbolic links to files included). */
  walk(dir: string): Promise<string[]>;
}

/**
 * A fleet file's text: UTF-8 (a byte-order mark dropped), else its located YAML_SYNTAX error is thrown, never
 * U+FFFD in place of bytes that a lenient decoding would render changed (FILE_TOO_LARGE beyond 64 MiB).
 */
export function fleetFileText(bytes: Uint8Array, path: string): string {
  const read = yamlText(bytes, path);
  if ("diagnostic" in read) throw new BraidError(read.diagnostic);
  return read.text;
}

/** The error of a fleet file whose symbolic link leads out of the fleet folder (same for a folder and a Git revision). */
export function symlinkEscape(path: string, target: string): BraidError {
  return new BraidError({
    code: "PATH_ESCAPE",
    message: `${path} is a symbolic link to ${JSON.stringify(target)}, which is outside the fleet folder`,
    location: { file: path },
    hint: "fleet files (config, patches, schemas) must stay inside the fleet folder: copy the file in instead of linking it",
  });
}

/**
 * A FleetReader over a folder on disk. `preread`: the bytes of regular files (not links) already read from
 * it in this run, by path (the publish's no-op check reads every file once).
 */
export function diskFleetReader(dir: string, preread?: ReadonlyMap<string, Buffer>): FleetReader {
  let top: string | undefined;
  /** The real paths of the folders files were read from. */
  const realDirs = new Map<string, string>();
  /**
   * The real path of a fleet file, checked to stay inside the fleet folder; undefined when it does not exist.
   * A file that is not a link is its folder's real path (found once per folder) and its name. Done without
   * waiting, as the reads: config files are small and many, and each read through the thread pool (a
   * realpath, then open, stat, read and close) made reading a thousand cluster files take 0.16 s, not 0.03 s.
   */
  function resolveInFleet(path: string): string | undefined {
    const full = join(dir, path);
    let real: string;
    try {
      if (lstatSync(full).isSymbolicLink()) real = realpathSync(full);
      else {
        const parent = dirname(full);
        let realParent = realDirs.get(parent);
        if (realParent === undefined) realDirs.set(parent, (realParent = realpathSync(parent)));
        real = join(realParent, basename(full));
      }
    } catch {
      return undefined;
    }
    if (top === undefined) {
      try {
        top = realpathSync(dir);
      } catch {
        top = dir;
      }
    }
    if (real !== top && !real.startsWith(top.endsWith(sep) ? top : top + sep)) {
      throw symlinkEscape(path, relative(top, real).split(sep).join("/") || real);
    }
    return real;
  }
  /** True for a directory entry that is a file, or a symbolic link to one. */
  async function isFileEntry(
    e: { name: string; isFile(): boolean; isSymbolicLink(): boolean },
    at: string,
  ): Promise<boolean> {
    if (e.isFile()) return true;
    if (!e.isSymbolicLink()) return false;
    return (await stat(join(at, e.name)).catch(() => undefined))?.isFile() ?? false;
  }
  return {
    label: dir,
    async read(path) {
      const known = preread?.get(path);
      if (known) return fleetFileText(known, path);
      try {
        const real = resolveInFleet(path);
        if (real === undefined) return undefined;
        return fleetFileText(readFileSync(real), path);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "ENOENT" || code === "EISDIR" || code === "ENOTDIR") return undefined;
        throw e;
      }
    },
    async list(sub) {
      try {
        const at = join(dir, sub);
        const entries = await readdir(at, { withFileTypes: true });
        const out: string[] = [];
        for (const e of entries) if (await isFileEntry(e, at)) out.push(e.name);
        return out.sort();
      } catch {
        return [];
      }
    },
    async walk(sub) {
      const out: string[] = [];
      async function go(rel: string): Promise<void> {
        let entries;
        const at = join(dir, rel);
        try {
          entries = await readdir(at, { withFileTypes: true });
        } catch {
          return;
        }
        for (const e of entries) {
          const p = rel ? `${rel}/${e.name}` : e.name;
          if (e.isDirectory())
            await go(p); // (a symbolic link to a folder is not walked)
          else if (await isFileEntry(e, at)) out.push(p);
        }
      }
      await go(sub);
      return out.sort();
    },
  };
}

/** A FleetReader that remembers the text of every file read through it (for the input digests, and the files a definition is made from). */
export function recordingReader(reader: FleetReader): { reader: FleetReader; files: Map<string, string | undefined> } {
  const files = new Map<string, string | undefined>();
  return {
    files,
    reader: {
      label: reader.label,
      list: (dir) => reader.list(dir),
      walk: (dir) => reader.walk(dir),
      async read(path) {
        const text = await reader.read(path);
        files.set(path, text);
        return text;
      },
    },
  };
}
