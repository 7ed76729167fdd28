/**
 * `braid lock` end to end, every branch of the command with its exact output: the pins table, --explain for
 * a resolved, a locked and a failed pin, --update, json, usage errors, a broken braid.lock, a fleet that
 * does not load. Commit ids are replaced by names ({C0} full, {C0:12} and {C0:7} abbreviated) after the
 * table is laid out, so the expected text shows the columns as they print.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { memoryIO } from "../src/cli/io.js";
import { main } from "../src/cli/main.js";
import { git, makeFixtureRepo } from "./helpers/fixture-repo.js";
import { clusterYaml, fleetYaml, writeFleet } from "./helpers/fleet-dir.js";

async function run(args: string[], cwd: string, ids: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIO({ cwd, env: { BRAID_CACHE: join(cwd, ".cache") } });
  const code = await main(args, io);
  const name = (t: string) =>
    ids.reduce(
      (s, id, i) =>
        s.replaceAll(id, `{C${i}}`).replaceAll(id.slice(0, 12), `{C${i}:12}`).replaceAll(id.slice(0, 7), `{C${i}:7}`),
      t,
    );
  return { code, out: name(io.out.join("")), err: name(io.err.join("")) };
}

describe("braid lock, branch by branch", () => {
  it("writes the pins, explains them (resolved, then locked), updates them, in text and json", async () => {
    const moving = await makeFixtureRepo([{ files: { "a.yaml": "1" }, tags: ["v1.0.0", "v1.1"] }]);
    const fixed = await makeFixtureRepo([{ files: { "b.yaml": "1" } }]);
    const fleet = await writeFleet({
      "braid.yaml": fleetYaml(
        `    - name: moving\n      url: ${moving.dir}\n      ref: { semver: ">=1.0.0" }\n    - name: fixed\n      url: ${fixed.dir}\n      ref: { branch: main }`,
      ),
      "clusters/a.yaml": clusterYaml("a"),
      "clusters/b.yaml": clusterYaml("b"),
    });
    const ids = [moving.commits[0]!, fixed.commits[0]!];
    const first = await run(["lock", "--explain"], fleet, ids);
    expect(first).toEqual({
      code: 0,
      err: "",
      out: [
        "SOURCE  PIN              RESOLVED  COMMIT        CLUSTERS  STATUS",
        "fixed   branch: main     main      {C1:12}  2         resolved",
        "moving  semver: >=1.0.0  v1.0.0    {C0:12}  2         resolved",
        "",
        "fixed branch: main — resolved to main:",
        "  ✓ branch main: branch tip",
        "",
        "moving semver: >=1.0.0 — resolved to v1.0.0:",
        "  ✓ v1.0.0 (1.0.0): selected",
        "  · v1.1: not a version (Flux's ParseVersion: invalid semantic version: fewer than three dot-separated parts)",
        "wrote braid.lock (2 pins)",
        "",
      ].join("\n"),
    });
    const lockText = await readFile(join(fleet, "braid.lock"), "utf8");

    await git(moving.dir, ["commit", "-q", "--allow-empty", "-m", "next"], 1_800_000_000);
    await git(moving.dir, ["tag", "v1.3.0"], 1_800_000_000);
    ids.push(await git(moving.dir, ["rev-parse", "HEAD"]));
    const locked = await run(["lock", "--explain", "--quiet"], fleet, ids);
    expect(locked).toEqual({ code: 0, err: "", out: "" });
    const explained = await run(["lock", "--explain"], fleet, ids);
    expect(explained).toEqual({
      code: 0,
      err: "",
      out: [
        "SOURCE  PIN              RESOLVED  COMMIT        CLUSTERS  STATUS",
        "fixed   branch: main     main      {C1:12}  2         locked",
        "moving  semver: >=1.0.0  v1.0.0    {C0:12}  2         locked",
        "",
        "fixed branch: main — locked at main {C1:12}; candidates now (--update would keep it):",
        "  ✓ branch main: branch tip",
        "",
        "moving semver: >=1.0.0 — locked at v1.0.0 {C0:12}; candidates now (--update would take v1.3.0):",
        "  ✓ v1.3.0 (1.3.0): selected",
        "  · v1.0.0 (1.0.0): lower than v1.3.0",
        "  · v1.1: not a version (Flux's ParseVersion: invalid semantic version: fewer than three dot-separated parts)",
        "wrote braid.lock (2 pins)",
        "",
      ].join("\n"),
    });
    expect(await readFile(join(fleet, "braid.lock"), "utf8")).toBe(lockText);

    const updated = await run(["lock", "--update", "moving", "--format", "json", "--explain"], fleet, ids);
    expect([updated.code, updated.err]).toEqual([0, ""]);
    // the printed text, key order included
    const doc = {
      apiVersion: "braid/v1alpha1",
      kind: "LockResult",
      ok: true,
      written: true,
      pins: [
        {
          source: "fixed",
          ref: { branch: "main" },
          commit: "{C1}",
          tag: null,
          version: null,
          branch: "main",
          status: "locked",
          explanation: "locked at main {C1:12}; candidates now (--update would keep it):",
          clusters: ["a", "b"],
          candidates: [{ tag: "branch main", taken: true, reason: "branch tip" }],
          previous: { commit: "{C1}", tag: null, branch: "main" },
          changed: false,
        },
        {
          source: "moving",
          ref: { semver: ">=1.0.0" },
          commit: "{C2}",
          tag: "v1.3.0",
          version: "1.3.0",
          branch: null,
          status: "updated",
          explanation: "resolved to v1.3.0:",
          clusters: ["a", "b"],
          candidates: [
            { tag: "v1.3.0", version: "1.3.0", taken: true, reason: "selected" },
            { tag: "v1.0.0", version: "1.0.0", taken: false, reason: "lower than v1.3.0" },
            {
              tag: "v1.1",
              taken: false,
              reason:
                "not a version (Flux's ParseVersion: invalid semantic version: fewer than three dot-separated parts)",
            },
          ],
          previous: { commit: "{C0}", tag: "v1.0.0", branch: null },
          changed: true,
        },
      ],
      diagnostics: [],
    };
    expect(updated.out).toBe(JSON.stringify(doc, null, 2) + "\n");
    expect(await readFile(join(fleet, "braid.lock"), "utf8")).toContain(ids[2]);
  });

  it("refuses source names without --update and unknown sources; a broken braid.lock needs --update; a failed pin writes nothing", async () => {
    const made = await makeFixtureRepo([{ files: { "a.yaml": "1" }, tags: ["v1.0.0"] }]);
    const fleet = await writeFleet({
      "braid.yaml": fleetYaml(`    - name: base\n      url: ${made.dir}\n      ref: { semver: ">=1.0.0" }`),
      "clusters/a.yaml": clusterYaml("a"),
    });
    const ids = [made.commits[0]!];
    expect(await run(["lock", "base"], fleet, ids)).toEqual({
      code: 2,
      out: "",
      err: "error USAGE: source names are only taken with --update\n",
    });
    expect(await run(["lock", "--update", "nope"], fleet, ids)).toEqual({
      code: 2,
      out: "",
      err: "error USAGE: unknown source nope; sources: base\n",
    });

    await writeFile(join(fleet, "braid.lock"), "pins: {\n");
    const broken = await run(["lock"], fleet, ids);
    expect(broken.code).toBe(1);
    expect(broken.out).toBe("");
    expect(broken.err).toBe(
      "braid.lock:2:1: error LOCK_INVALID: Flow map in block collection must be sufficiently indented and end with a }\n  hint: fix it, or delete braid.lock and run braid lock\n",
    );
    const repaired = await run(["lock", "--update"], fleet, ids);
    expect(repaired.code).toBe(0);
    expect(repaired.out).toBe(
      [
        "SOURCE  PIN              RESOLVED  COMMIT        CLUSTERS  STATUS",
        "base    semver: >=1.0.0  v1.0.0    {C0:12}  1         resolved",
        "",
        "update: 1 pin moved",
        "  base semver: >=1.0.0: new → v1.0.0 ({C0:7})",
        "wrote braid.lock (1 pins)",
        "",
      ].join("\n"),
    );

    const failing = await writeFleet({
      "braid.yaml": fleetYaml(`    - name: base\n      url: ${made.dir}\n      ref: { semver: ">=9.0.0" }`),
      "clusters/a.yaml": clusterYaml("a"),
    });
    const failed = await run(["lock", "--format", "json"], failing, ids);
    expect(failed.code).toBe(1);
    const doc = JSON.parse(failed.out) as {
      ok: boolean;
      written: boolean;
      pins: { status: string; commit: null }[];
      diagnostics: { code: string }[];
    };
    // a pin that could not be resolved is "failed" in json, as in the text table
    expect([
      doc.ok,
      doc.written,
      doc.pins.map((p) => [p.status, p.commit]),
      doc.diagnostics.map((d) => d.code),
    ]).toEqual([false, false, [["failed", null]], ["SEMVER_NO_MATCH"]]);
    await expect(readFile(join(failing, "braid.lock"), "utf8")).rejects.toThrow(/ENOENT/);
    const failedText = await run(["lock"], failing, ids);
    expect(failedText.code).toBe(1);
    expect(failedText.err).toMatch(
      /^braid\.yaml:9:12: error SEMVER_NO_MATCH: no tag of source "base" satisfies semver ">=9\.0\.0" /,
    );
    expect(failedText.out).toBe(
      [
        "SOURCE  PIN              RESOLVED  COMMIT  CLUSTERS  STATUS",
        "base    semver: >=9.0.0  -         FAILED  1         failed",
        "braid.lock not written: fix the errors above",
        "",
      ].join("\n"),
    );
  });

  it("a fleet that does not load prints its diagnostics and resolves nothing", async () => {
    const fleet = await writeFleet({
      "braid.yaml": fleetYaml(`    - name: base\n      url: https://example.invalid/x.git`),
      "clusters/a.yaml": clusterYaml("b"),
    });
    const r = await run(["lock"], fleet, []);
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    expect(r.err).toBe(
      [
        'clusters/a.yaml:4:9: error CONFIG_NAME_MISMATCH: Cluster "b" is in clusters/a.yaml; its metadata.name must equal the file name ("a")',
        "    3 | metadata:",
        "  > 4 |   name: b",
        "      |         ^",
        "  hint: rename the file to clusters/b.yaml or set metadata.name: a",
        "",
      ].join("\n"),
    );
  });
});
