import { existsSync } from "node:fs";
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { memoryIO } from "../src/cli/io.js";
import { OPENAPI, readTree, setupGoldenCase } from "./helpers/golden.js";
import { openApiSkipReason } from "./helpers/openapi-fixture.js";

const NO_OPENAPI = openApiSkipReason("golden");

/**
 * Golden cases: test/golden/<case>/{source,fleet} → expected/ (the rendered tree) and expected-diagnostics.txt
 * (one line per diagnostic: severity code file:line:col [cluster] message). UPDATE_GOLDEN=1 rewrites them.
 */
const GOLDEN = join(import.meta.dirname, "golden");
const cases = (await readdir(GOLDEN, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);

async function renderCase(name: string) {
  const { root, fleetDir } = await setupGoldenCase(join(GOLDEN, name));
  const io = memoryIO({ cwd: fleetDir, env: { BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: join(root, "cache") } });
  const out = join(root, "out");
  const code = await main(["render", "--out", out, "--format", "json"], io);
  const report = JSON.parse(io.out.join(""));
  const diagnostics = (
    report.diagnostics as {
      severity: string;
      code: string;
      location?: { file: string; line?: number; column?: number };
      cluster?: string;
      message: string;
    }[]
  )
    .map(
      (d) =>
        `${d.severity} ${d.code} ${d.location ? `${d.location.file}:${d.location.line ?? ""}:${d.location.column ?? ""}` : "-"} [${d.cluster ?? ""}] ${d.message}`,
    )
    .join("\n");
  const tree = existsSync(out) ? await readTree(out) : {};
  return { code, diagnostics: diagnostics ? diagnostics + "\n" : "", tree };
}

describe.skipIf(NO_OPENAPI).each(cases)("golden case %s", (name) => {
  it("renders exactly the expected tree and diagnostics, twice byte-identically", async () => {
    const first = await renderCase(name);
    const second = await renderCase(name);
    expect(second.tree).toEqual(first.tree);
    const caseDir = join(GOLDEN, name);
    if (process.env.UPDATE_GOLDEN) {
      await rm(join(caseDir, "expected"), { recursive: true, force: true });
      for (const [path, content] of Object.entries(first.tree)) {
        await mkdir(dirname(join(caseDir, "expected", path)), { recursive: true });
        await writeFile(join(caseDir, "expected", path), content);
      }
      await writeFile(join(caseDir, "expected-diagnostics.txt"), first.diagnostics);
      await writeFile(join(caseDir, "expected-exit-code.txt"), `${first.code}\n`);
    }
    const expectedTree = existsSync(join(caseDir, "expected")) ? await readTree(join(caseDir, "expected")) : {};
    expect(first.tree).toEqual(expectedTree);
    expect(first.diagnostics).toBe(await readTreeFile(join(caseDir, "expected-diagnostics.txt")));
    expect(`${first.code}\n`).toBe(await readTreeFile(join(caseDir, "expected-exit-code.txt")));
  });
});

async function readTreeFile(path: string): Promise<string> {
  const { readFile } = await import("node:fs/promises");
  return readFile(path, "utf8");
}
