/**
 * vitest global setup: every test run gets its own temporary folder (TMPDIR for the workers and the git
 * processes they start), removed when the run ends, so no run leaves fixture repos behind in the system's
 * temp folder, whichever test forgot to clean up.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Points TMPDIR at a fresh folder; the returned teardown removes it. */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), "braid-test-run-"));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(dir, { recursive: true, force: true });
  };
}
