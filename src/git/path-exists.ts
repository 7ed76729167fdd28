import { stat } from "node:fs/promises";

/** True when something (file, folder, link target) exists at `path`; false on any error. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
