/**
 * `braid lock --explain` over a real repository: tags parsed as Flux's ParseVersion parses them (leading
 * zeros coerced, three parts counted on the whole tag), Flux's winner, and a reason for every candidate.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { memoryIO } from "../src/cli/io.js";
import { makeFixtureRepo } from "./helpers/fixture-repo.js";
import { clusterYaml, fleetYaml, writeFleet } from "./helpers/fleet-dir.js";

describe("braid lock --explain with Flux's tag parsing", () => {
  it("takes v2025.01.15 over v1.9.0 for >=1.0.0 and says why each tag was taken or skipped", async () => {
    const made = await makeFixtureRepo([
      { files: { "a.yaml": "1" }, tags: ["v1.9.0", "v1.2", "1.2-rc.1.0", "1.2+build.7"] },
      { files: { "a.yaml": "2" }, tags: ["v2025.01.15", "V3.0.0", "1.0.0-01"] },
    ]);
    const fleetDir = await writeFleet({
      "braid.yaml": fleetYaml(`    - name: base\n      url: ${made.dir}\n      ref: { semver: ">=1.0.0" }`),
      "clusters/a.yaml": clusterYaml("a"),
    });
    const io = memoryIO({ cwd: fleetDir, env: { BRAID_CACHE: join(fleetDir, ".cache") } });
    expect(await main(["lock", "--explain"], io)).toBe(0);
    const lock = await readFile(join(fleetDir, "braid.lock"), "utf8");
    expect(lock).toContain("v2025.01.15");
    expect(lock).toContain(made.commits[1]);
    const out = io.out.join("");
    const lines = out
      .split("\n")
      .filter((l) => /^\s*[·✓*-]?\s*\S+ \(|: (not a version|selected|lower|does not)/.test(l));
    const why = (tag: string) =>
      lines.find((l) => l.includes(` ${tag} `) || l.includes(` ${tag}:`)) ?? `(no line for ${tag} in:\n${out})`;
    expect(why("v2025.01.15")).toMatch(/v2025\.01\.15 \(2025\.1\.15\).*selected/);
    expect(why("v1.9.0")).toMatch(/v1\.9\.0 \(1\.9\.0\): lower than v2025\.01\.15/);
    expect(why("1.2+build.7")).toMatch(/1\.2\+build\.7 \(1\.2\.0\+build\.7\): lower than v2025\.01\.15/);
    expect(why("1.2-rc.1.0")).toMatch(/1\.2-rc\.1\.0 \(1\.2\.0-rc\.1\.0\): pre-release excluded by the range/);
    expect(why("v1.2")).toMatch(
      /v1\.2: not a version \(Flux's ParseVersion: invalid semantic version: fewer than three dot-separated parts\)/,
    );
    expect(why("V3.0.0")).toMatch(/V3\.0\.0: not a version \(Flux's ParseVersion: invalid semantic version\)/);
    expect(why("1.0.0-01")).toMatch(/1\.0\.0-01: not a version \(Flux's ParseVersion: version segment starts with 0/);
  });
});
