import { stat } from "node:fs/promises";
import { dirname } from "node:path";
import { BraidError } from "../diagnostics/diagnostic.js";

/**
 * Checks `--out DIR` before anything is rendered: the folder, or its nearest existing ancestor, must be a
 * folder (`--out FILE/sub` is a usage error, exit 2, not an ENOTDIR crash after the render).
 */
export async function checkOutDir(out: string): Promise<void> {
  for (let p = out; ; p = dirname(p)) {
    const st = await stat(p).catch((e: unknown) =>
      (e as NodeJS.ErrnoException).code === "ENOENT" ? undefined : (e as NodeJS.ErrnoException),
    );
    if (st instanceof Error) {
      if (st.code === "ENOTDIR") continue; // an ancestor is a file: found further up
      throw new BraidError({ code: "IO", message: `--out ${out}: cannot use ${p}: ${st.message}` });
    }
    if (st) {
      if (st.isDirectory()) return;
      throw new BraidError({
        code: "USAGE",
        message: `--out ${out}: ${p} is a file, not a folder`,
        hint: "give --out a folder (it is created when missing)",
      });
    }
    if (dirname(p) === p) return;
  }
}
