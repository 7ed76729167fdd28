import { existsSync } from "node:fs";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { memoryIO } from "../src/cli/io.js";
import { makeFixtureRepo } from "./helpers/fixture-repo.js";
import { clusterYaml, fleetYaml } from "./helpers/fleet-dir.js";
import { OPENAPI } from "./helpers/golden.js";
import { openApiSkipReason } from "./helpers/openapi-fixture.js";

const NO_OPENAPI = openApiSkipReason("preview-full-report");

/** SPEC: markdown beyond one GitHub comment is cut with a note, and the full diff goes to a file. */
describe.skipIf(NO_OPENAPI)("a preview too large for one comment", () => {
  it("is cut under 65,536 characters and the full report is written to a file even without --out", async () => {
    const source = await makeFixtureRepo([
      {
        files: {
          "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: big, namespace: apps }\ndata: { v: x }\n",
        },
        tags: ["v1.0.0"],
      },
    ]);
    const clusters = Array.from({ length: 40 }, (_, i) => `c${String(i).padStart(2, "0")}`);
    const value = (c: string, round: number) =>
      Array.from({ length: 60 }, (_, j) => `${c}-${round}-line-${j}`).join("\\n");
    const patch = (c: string, round: number) =>
      `  patches:\n    - target: { kind: ConfigMap }\n      patch: { data: { v: "${value(c, round)}" } }`;
    const files = (round: number) => {
      const out: Record<string, string> = {
        "braid.yaml": fleetYaml(`    - name: s\n      url: ${source.dir}\n      ref: { tag: v1.0.0 }`),
      };
      for (const c of clusters) out[`clusters/${c}.yaml`] = clusterYaml(c, patch(c, round));
      return out;
    };
    const repo = await makeFixtureRepo([
      { files: files(1), message: "base" },
      { files: files(2), message: "head" },
    ]);
    const io = memoryIO({
      cwd: repo.dir,
      env: { BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: await mkdtemp(join(tmpdir(), "braid-pc-")) },
    });
    expect(await main(["preview", "--base", "HEAD~1", "--head", "HEAD"], io)).toBe(0);
    const md = io.out.join("");
    expect(md.length).toBeLessThan(65_536);
    const path = /full report: (\S+)/.exec(io.err.join(""))?.[1];
    expect(path, io.err.join("")).toBeDefined();
    expect(existsSync(path!)).toBe(true);
    const full = await readFile(path!, "utf8");
    expect(full.length).toBeGreaterThan(65_536);
    for (const c of clusters) expect(full).toContain(`${c}-2-line-59`);
    expect(md).toContain(path!);
  });
});
