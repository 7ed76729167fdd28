import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { codeFrames } from "../src/cli/code-frames.js";
import { memoryIO } from "../src/cli/io.js";
import { main } from "../src/cli/main.js";
import type { Diagnostic } from "../src/diagnostics/diagnostic.js";
import { makeFixtureRepo } from "./helpers/fixture-repo.js";
import { clusterYaml, fleetYaml, writeFleet } from "./helpers/fleet-dir.js";
import { OPENAPI } from "./helpers/golden.js";
import { openApiSkipReason } from "./helpers/openapi-fixture.js";

describe("inputs of hostile size end in errors, never in an internal error or a run that does not end", () => {
  it.skipIf(openApiSkipReason("150,000 schema errors in one resource"))(
    "a resource with 140,000 schema errors is reported (the errors were passed as arguments: a stack overflow)",
    async () => {
      const n = 140_000;
      const ns = `apiVersion: v1\nkind: Namespace\nmetadata: { name: ns }\nspec:\n  finalizers: [${Array.from({ length: n }, (_, i) => i).join(",")}]\n`;
      const { dir } = await makeFixtureRepo([{ files: { "m/ns.yaml": ns } }]);
      const fleetDir = await writeFleet({
        "braid.yaml": fleetYaml(`    - name: s\n      url: ${dir}\n      ref: { branch: main }\n      path: m`),
        "clusters/c.yaml": clusterYaml("c"),
      });
      const env = { BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: join(dir, "..", "cache") };
      const io = memoryIO({ cwd: fleetDir, env });
      expect(await main(["validate", "--format", "json"], io)).toBe(1);
      const out = JSON.parse(io.out.join("")) as { diagnostics: Diagnostic[] };
      const schema = out.diagnostics.filter((d) => d.code === "SCHEMA_VIOLATION");
      expect(schema).toHaveLength(n);
      expect(schema[n - 1]!.message).toBe(`must be string, not the integer ${n - 1}`);
    },
    120_000,
  );

  it("code frames: a file's text is split once, and after 500 frames the errors come without one", async () => {
    const line = Array.from({ length: 100_000 }, (_, i) => i).join(",");
    const text = `a:\n  b: [${line}]\n`;
    const reads: string[] = [];
    const reader = {
      label: "test",
      read: async (path: string) => (reads.push(path), text),
      list: async () => [],
      walk: async () => [],
    };
    const diagnostics: Diagnostic[] = Array.from({ length: 2_000 }, (_, i) => ({
      code: "SCHEMA_VIOLATION",
      severity: "error",
      message: `m${i}`,
      location: { file: "f.yaml", line: 2, column: 7 + i * 2 },
    }));
    const frameOf = await codeFrames(diagnostics, { reader });
    const frames = diagnostics.map(frameOf);
    expect(reads).toEqual(["f.yaml"]);
    expect(frames.filter((f) => f !== undefined)).toHaveLength(500);
    expect(frames[0]).toBe(
      "    1 | a:\n  > 2 |   b: [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34…\n      |       ^",
    );
    expect(frames[500]).toBeUndefined();
  });
});
