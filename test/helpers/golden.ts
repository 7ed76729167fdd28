import { cp, mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { makeFixtureRepo } from "./fixture-repo.js";

/** The Kubernetes OpenAPI folder for tests (see openapi-fixture.ts). */
export { OPENAPI_DIR as OPENAPI } from "./openapi-fixture.js";

/** Reads every file below a folder: relative path → content. */
export async function readTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function go(d: string): Promise<void> {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await go(p);
      else out[relative(dir, p)] = await readFile(p, "utf8");
    }
  }
  await go(dir);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * Sets up a golden case: `<case>/source` becomes a Git repo (one commit tagged v1.0.0) at `<tmp>/source`,
 * and `<case>/fleet` is copied to `<tmp>/fleet`. Returns the fleet folder.
 */
export async function setupGoldenCase(caseDir: string): Promise<{ root: string; fleetDir: string }> {
  const root = await mkdtemp(join(tmpdir(), "braid-golden-"));
  const files = await readTree(join(caseDir, "source"));
  await makeFixtureRepo([{ files, tags: ["v1.0.0"] }], { dir: join(root, "source") });
  await cp(join(caseDir, "fleet"), join(root, "fleet"), { recursive: true });
  return { root, fleetDir: join(root, "fleet") };
}
