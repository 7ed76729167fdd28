import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

/** Read access to the fleet's files (a folder on disk, or a tree in Git for previews). Paths are posix, relative. */
export interface FleetReader {
  /** Human label of where the fleet is (folder path or "rev:path"). */
  readonly label: string;
  read(path: string): Promise<string | undefined>;
  /** Names of the files directly inside a folder (empty when it does not exist). */
  list(dir: string): Promise<string[]>;
  /** Every file below a folder, recursively, as paths relative to the fleet. */
  walk(dir: string): Promise<string[]>;
}

/** A FleetReader over a folder on disk. */
export function diskFleetReader(dir: string): FleetReader {
  return {
    label: dir,
    async read(path) {
      try {
        return await readFile(join(dir, path), "utf8");
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "ENOENT" || code === "EISDIR" || code === "ENOTDIR") return undefined;
        throw e;
      }
    },
    async list(sub) {
      try {
        const entries = await readdir(join(dir, sub), { withFileTypes: true });
        return entries.filter((e) => e.isFile()).map((e) => e.name).sort();
      } catch {
        return [];
      }
    },
    async walk(sub) {
      const out: string[] = [];
      async function go(rel: string): Promise<void> {
        let entries;
        try {
          entries = await readdir(join(dir, rel), { withFileTypes: true });
        } catch {
          return;
        }
        for (const e of entries) {
          const p = rel ? `${rel}/${e.name}` : e.name;
          if (e.isDirectory()) await go(p);
          else if (e.isFile()) out.push(p);
        }
      }
      await go(sub);
      return out.sort();
    },
  };
}
