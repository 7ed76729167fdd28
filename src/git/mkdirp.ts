import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * `mkdir -p` that always ends: Node 20's `mkdir(p, { recursive: true })` never settles for a path under
 * `/proc` (it retries ENOENT forever), so a cache set to such a path spun until killed. This one walks up
 * at most once per path component and rethrows the first error it cannot fix.
 */
export async function mkdirp(path: string): Promise<void> {
  try {
    await mkdir(path);
    return;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST") {
      if ((await stat(path)).isDirectory()) return;
      throw e;
    }
    if (code !== "ENOENT" || dirname(path) === path) throw e;
  }
  await mkdirp(dirname(path));
  await mkdir(path).catch(async (e: unknown) => {
    if ((e as NodeJS.ErrnoException).code === "EEXIST" && (await stat(path)).isDirectory()) return;
    throw e;
  });
}

/**
 * Writes a file so readers see the old bytes or the new, never half: a temp file beside it (named by pid and
 * random bytes, so racing writers never share one), then a rename. Missing parent folders are made with
 * {@link mkdirp}.
 * Throws (after removing the temp file) when the write fails.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode?: number): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  const options = mode === undefined ? {} : { mode };
  try {
    // the folder usually exists (a cache writes thousands of entries into a few folders): made only when missing
    await writeFile(tmp, data, options).catch(async (e: unknown) => {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      await mkdirp(dirname(path));
      await writeFile(tmp, data, options);
    });
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
