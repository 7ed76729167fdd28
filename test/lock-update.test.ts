/** `braid lock --update` says, per pin, old → new for every pin that moved and "unchanged" for the others. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { memoryIO } from "../src/cli/io.js";
import { git, makeFixtureRepo } from "./helpers/fixture-repo.js";
import { clusterYaml, fleetYaml, writeFleet } from "./helpers/fleet-dir.js";

describe("braid lock --update", () => {
  it("prints old → new for moved pins and unchanged for the rest (text and json)", async () => {
    const moving = await makeFixtureRepo([{ files: { "a.yaml": "1" }, tags: ["v1.0.0"] }]);
    const fixed = await makeFixtureRepo([{ files: { "b.yaml": "1" }, tags: ["v2.0.0"] }]);
    const fleet = await writeFleet({
      "braid.yaml": fleetYaml(
        `    - name: moving\n      url: ${moving.dir}\n      ref: { semver: ">=1.0.0" }\n    - name: fixed\n      url: ${fixed.dir}\n      ref: { tag: v2.0.0 }`,
      ),
      "clusters/a.yaml": clusterYaml("a"),
    });
    const env = { BRAID_CACHE: join(fleet, ".cache") };
    expect(await main(["lock"], memoryIO({ cwd: fleet, env }))).toBe(0);
    await git(moving.dir, ["commit", "-q", "--allow-empty", "-m", "next"], 1_800_000_000);
    await git(moving.dir, ["tag", "v1.3.0"], 1_800_000_000);
    const newCommit = await git(moving.dir, ["rev-parse", "HEAD"]);
    const io = memoryIO({ cwd: fleet, env });
    expect(await main(["lock", "--update"], io)).toBe(0);
    const out = io.out.join("");
    const tail = out.slice(out.indexOf("\nupdate:"));
    expect(tail).toBe(
      [
        "",
        "update: 1 pin moved",
        `  fixed tag: v2.0.0: unchanged v2.0.0 (${fixed.commits[0]!.slice(0, 7)})`,
        `  moving semver: >=1.0.0: v1.0.0 (${moving.commits[0]!.slice(0, 7)}) → v1.3.0 (${newCommit.slice(0, 7)})`,
        `wrote braid.lock (2 pins)`,
        "",
      ].join("\n"),
    );
    // again: nothing moves
    const again = memoryIO({ cwd: fleet, env });
    expect(await main(["lock", "--update", "--format", "json"], again)).toBe(0);
    const json = JSON.parse(again.out.join("")) as {
      pins: { source: string; changed: boolean; previous: { tag: string } }[];
    };
    expect(json.pins.map((p) => [p.source, p.changed, p.previous.tag])).toEqual([
      ["fixed", false, "v2.0.0"],
      ["moving", false, "v1.3.0"],
    ]);
    const text = memoryIO({ cwd: fleet, env });
    expect(await main(["lock", "--update"], text)).toBe(0);
    expect(text.out.join("")).toContain("update: every pin unchanged\n");
  });
});
