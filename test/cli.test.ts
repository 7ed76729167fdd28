import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS, main } from "../src/cli/main.js";
import { memoryIO } from "../src/cli/io.js";
import { OPENAPI, setupGoldenCase } from "./helpers/golden.js";
import { openApiSkipReason } from "./helpers/openapi-fixture.js";

const NO_OPENAPI = openApiSkipReason("cli");

const BASIC = join(import.meta.dirname, "golden", "basic");

describe("braid CLI", () => {
  it("prints help for every command and exits 0", async () => {
    for (const name of Object.keys(COMMANDS)) {
      const io = memoryIO();
      expect(await main([name, "--help"], io)).toBe(0);
      expect(io.out.join("")).toContain(`braid ${name}`);
    }
  });

  it("exits 2 on usage errors", async () => {
    const io = memoryIO();
    expect(await main(["render", "--nope"], io)).toBe(2);
    expect(io.err.join("")).toContain("USAGE");
    expect(await main(["frobnicate"], memoryIO())).toBe(2);
    expect(await main(["validate", "--format", "xml"], memoryIO())).toBe(2);
    expect(await main([], memoryIO())).toBe(2);
  });

  it("an unknown flag says what it may have meant and prints the command's usage", async () => {
    const io = memoryIO();
    expect(await main(["render", "--clustr", "a"], io)).toBe(2);
    const err = io.err.join("");
    expect(err.split("\n")[0]).toBe("error USAGE: unknown flag --clustr; did you mean --cluster?");
    expect(err).toContain((await COMMANDS.render!.load()).help);
    const typo = memoryIO();
    expect(await main(["publish", "--alow-prune"], typo)).toBe(2);
    expect(typo.err.join("").split("\n")[0]).toBe(
      "error USAGE: unknown flag --alow-prune; did you mean --allow-prune?",
    );
    const far = memoryIO();
    expect(await main(["lock", "--zzz"], far)).toBe(2);
    expect(far.err.join("").split("\n")[0]).toBe("error USAGE: unknown flag --zzz");
    const fmt = memoryIO();
    expect(await main(["validate", "--format", "jsno"], fmt)).toBe(2);
    expect(fmt.err.join("")).toBe(
      'error USAGE: --format must be one of text, json, github (got "jsno"; did you mean json?)\n',
    );
    const cmd = memoryIO();
    expect(await main(["rendr"], cmd)).toBe(2);
    expect(cmd.err.join("").split("\n")[0]).toBe('error USAGE: unknown command "rendr"; did you mean "render"?');
  });

  it("exits 1 with a clear message when braid.yaml is missing", async () => {
    const io = memoryIO({ cwd: "/nonexistent-braid-fleet" });
    expect(await main(["validate"], io)).toBe(1);
    expect(io.err.join("")).toMatch(/braid\.yaml.*not found[\s\S]*--fleet/);
  });

  it("a render without --out that fails leaves no temp folder behind", async () => {
    const tmp = await mkdtemp(join(tmpdir(), "cli-tmp-"));
    const previous = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      const io = memoryIO({ cwd: "/nonexistent-braid-fleet" });
      expect(await main(["render"], io)).toBe(1);
      expect(io.err.join("")).toMatch(/braid\.yaml.*not found/);
      expect(io.out.join("")).toContain("rendered 0/0 clusters, nothing written\n");
      const json = memoryIO({ cwd: "/nonexistent-braid-fleet" });
      expect(await main(["render", "--format", "json"], json)).toBe(1);
      expect(JSON.parse(json.out.join(""))).toMatchObject({ kind: "RenderResult", ok: false, out: null, files: 0 });
      const quiet = memoryIO({ cwd: "/nonexistent-braid-fleet" });
      expect(await main(["render", "--quiet"], quiet)).toBe(1);
      expect(quiet.out.join("")).toBe("");
      expect(await readdir(tmp)).toEqual([]);
    } finally {
      process.env.TMPDIR = previous;
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it("exits 3 saying how to provide an OpenAPI document when none is reachable", async () => {
    const { root, fleetDir } = await setupGoldenCase(BASIC);
    const io = memoryIO({
      cwd: fleetDir,
      env: { BRAID_KUBERNETES_OPENAPI: join(root, "missing"), BRAID_CACHE: join(root, "cache") },
    });
    expect(await main(["validate"], io)).toBe(3);
    const err = io.err.join("");
    expect(err).toContain("OPENAPI_UNAVAILABLE");
    expect(err).toContain("BRAID_KUBERNETES_OPENAPI");
  });

  it.skipIf(NO_OPENAPI)(
    "validate writes nothing, reports json and github formats, and --cluster narrows the run",
    async () => {
      const { root, fleetDir } = await setupGoldenCase(BASIC);
      const env = { BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: join(root, "cache") };
      const io = memoryIO({ cwd: fleetDir, env });
      expect(await main(["validate", "--format", "json", "--cluster", "dev-1"], io)).toBe(0);
      const report = JSON.parse(io.out.join(""));
      expect(report.clusters.map((c: { name: string }) => c.name)).toEqual(["dev-1"]);
      const bad = memoryIO({ cwd: fleetDir, env });
      expect(await main(["validate", "--cluster", "nope"], bad)).toBe(2);
    },
  );

  it.skipIf(NO_OPENAPI)("render --format json reports files and digests; a second run is byte-identical", async () => {
    const { root, fleetDir } = await setupGoldenCase(BASIC);
    const env = { BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: join(root, "cache") };
    const a = memoryIO({ cwd: fleetDir, env });
    expect(await main(["render", "--out", join(root, "a"), "--format", "json"], a)).toBe(0);
    const b = memoryIO({ cwd: fleetDir, env });
    expect(await main(["render", "--out", join(root, "b"), "--format", "json"], b)).toBe(0);
    const ra = JSON.parse(a.out.join(""));
    const rb = JSON.parse(b.out.join(""));
    expect(ra.files).toBe(12);
    expect(ra.clusters.map((c: { inputDigest: string }) => c.inputDigest)).toEqual(
      rb.clusters.map((c: { inputDigest: string }) => c.inputDigest),
    );
  });

  it.skipIf(NO_OPENAPI)(
    "render --out replaces cluster folders, links identical files, and refuses a folder holding the fleet",
    async () => {
      const { root, fleetDir } = await setupGoldenCase(BASIC);
      const env = { BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: join(root, "cache") };
      const out = join(root, "out");
      const { mkdir, writeFile, stat, readFile } = await import("node:fs/promises");
      await mkdir(join(out, "clusters", "dev-1", "web"), { recursive: true });
      await writeFile(join(out, "clusters", "dev-1", "web", "stale.yaml"), "old");
      await writeFile(join(out, "keep.txt"), "mine");
      expect(await main(["render", "--out", out], memoryIO({ cwd: fleetDir, env }))).toBe(0);
      const { existsSync } = await import("node:fs");
      expect(existsSync(join(out, "clusters", "dev-1", "web", "stale.yaml"))).toBe(false);
      expect(await readFile(join(out, "keep.txt"), "utf8")).toBe("mine");
      const a = await stat(join(out, "clusters", "dev-1", "web", "service-web.yaml"));
      const b = await stat(join(out, "clusters", "prod-eu-1", "_cluster", "namespace-web.yaml"));
      const c = await stat(join(out, "clusters", "dev-1", "_cluster", "namespace-web.yaml"));
      expect(a.nlink).toBe(1); // differs between clusters (NodePort patch)
      expect(b.ino).toBe(c.ino); // identical in both clusters: one file, linked
      const again = memoryIO({ cwd: fleetDir, env });
      expect(await main(["render", "--out", out], again)).toBe(0);
      expect(await readFile(join(out, "clusters", "dev-1", "_cluster", "namespace-web.yaml"), "utf8")).toContain(
        "kind: Namespace",
      );
      const refused = memoryIO({ cwd: fleetDir, env });
      expect(await main(["render", "--out", root], refused)).toBe(2);
      expect(refused.err.join("")).toContain("holds the fleet folder");
    },
  );
});
