/**
 * A damaged source repository (hostile or broken: an object that does not inflate, one whose content does not
 * hash to its id, one a tree names that is not there) is `REPO_CORRUPT`, exit 3, naming the repository and the
 * source: never an internal error, a missing folder or a missing tag. Through the library (the modules as they
 * are) and through the `braid` command (the bundle, whose isomorphic-git inflates through Node's zlib and
 * checks ids with Node's SHA-1: scripts/bundle-cli.mjs).
 */
import { execFile } from "node:child_process";
import { chmod, copyFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { memoryIO } from "../src/cli/io.js";
import { main } from "../src/cli/main.js";
import { git, makeFixtureRepo } from "./helpers/fixture-repo.js";
import { clusterYaml, fleetYaml, writeFleet } from "./helpers/fleet-dir.js";
import { OPENAPI } from "./helpers/golden.js";
import { openApiSkipReason } from "./helpers/openapi-fixture.js";

const NO_OPENAPI = openApiSkipReason("damaged-repo");
const BIN = join(import.meta.dirname, "..", "bin", "braid.js");

const cm = (name: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ${name}, namespace: apps }\ndata: { a: "1" }\n`;

type Damage = "garbage" | "other content" | "missing";
type Target = "blob" | "tree" | "commit";

/** A source repository (a plain folder and a kustomization) with one object damaged, and a fleet over it. */
async function damaged(target: Target, damage: Damage, kustomize: boolean) {
  const files: Record<string, string> = { "manifests/a.yaml": cm("a"), "manifests/b.yaml": cm("b") };
  if (kustomize) files["manifests/kustomization.yaml"] = "resources: [a.yaml, b.yaml]\n";
  const { dir: src } = await makeFixtureRepo([{ files, tags: ["v1.0.0"] }]);
  const rev = { blob: "HEAD:manifests/a.yaml", tree: "HEAD:manifests", commit: "HEAD" }[target];
  const oid = await git(src, ["rev-parse", rev]);
  const file = join(src, ".git", "objects", oid.slice(0, 2), oid.slice(2));
  await chmod(file, 0o644);
  if (damage === "garbage") await writeFile(file, "not zlib");
  else if (damage === "missing") await rm(file);
  else {
    const other = await git(src, ["rev-parse", "HEAD:manifests/b.yaml"]);
    await copyFile(join(src, ".git", "objects", other.slice(0, 2), other.slice(2)), file);
  }
  const fleet = await writeFleet({
    "braid.yaml": fleetYaml(`    - name: apps\n      url: ${src}\n      ref: { tag: v1.0.0 }\n      path: manifests`),
    "clusters/one.yaml": clusterYaml("one"),
  });
  return { src, oid, fleet };
}

const env = (fleet: string) => ({ BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: join(fleet, ".braid-cache") });

async function library(fleet: string) {
  const io = memoryIO({ cwd: fleet, env: env(fleet) });
  const code = await main(["render", "--no-cache", "--out", join(fleet, "out")], io);
  return { code, err: io.err.join("") };
}

function command(fleet: string): Promise<{ code: number; err: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, "render", "--no-cache", "--out", join(fleet, "out")],
      { cwd: fleet, env: { ...process.env, ...env(fleet) }, timeout: 60_000 },
      (e, _stdout, stderr) => resolve({ code: e ? Number(e.code) : 0, err: stderr }),
    );
  });
}

const cases: [Target, Damage, RegExp][] = [
  ["blob", "garbage", /is damaged: an object is not valid zlib data/],
  ["blob", "other content", /is damaged: object ([0-9a-f]{40}) holds the content of [0-9a-f]{40}/],
  ["blob", "missing", /is damaged: object ([0-9a-f]{40}) is missing/],
  ["tree", "garbage", /is damaged: an object is not valid zlib data/],
  ["tree", "other content", /is damaged: object ([0-9a-f]{40}) holds the content of [0-9a-f]{40}/],
  ["tree", "missing", /is damaged: object ([0-9a-f]{40}) is missing/],
  ["commit", "garbage", /is damaged: an object is not valid zlib data/],
  ["commit", "other content", /is damaged: object ([0-9a-f]{40}) holds the content of [0-9a-f]{40}/],
];

describe.skipIf(NO_OPENAPI)("a damaged source repository is REPO_CORRUPT (exit 3)", () => {
  for (const [target, damage, says] of cases)
    for (const kustomize of [false, true])
      it(`${target}, ${damage}, ${kustomize ? "a kustomization" : "a plain folder"}: library and command`, async () => {
        const { src, oid, fleet } = await damaged(target, damage, kustomize);
        for (const run of [library, command]) {
          const r = await run(fleet);
          expect(r.code, r.err).toBe(3);
          const line = r.err.split("\n").find((l) => l.includes("REPO_CORRUPT"));
          expect(line, r.err).toBeDefined();
          expect(line).toContain(`the Git repository ${join(src, ".git")} is damaged`);
          const m = says.exec(line!);
          expect(m, line).not.toBeNull();
          if (m?.[1]) expect(m[1]).toBe(oid);
          // the commit is read while resolving the pin; the others while rendering the cluster that uses it
          if (target !== "commit") expect(line).toContain('[cluster one] source "apps": ');
          expect(r.err).not.toMatch(/INTERNAL|SOURCE_NOT_FOUND|has no tag/);
        }
      });
});
