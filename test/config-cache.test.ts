/**
 * The parsed-config cache (src/config/config-cache.ts): a fleet loaded from the cache is the fleet loaded
 * by parsing, patch positions included; a changed file or patch file is parsed again; a file with problems
 * is never kept; an entry of another braid is never used.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { memoryIO } from "../src/cli/io.js";
import { openConfigCache } from "../src/config/config-cache.js";
import { diskFleetReader } from "../src/config/fleet-files.js";
import { loadFleet } from "../src/config/load-fleet.js";
import type { Fleet, PatchDef } from "../src/config/types.js";
import { clusterYaml, fleetYaml, writeFleet } from "./helpers/fleet-dir.js";
import { probePositions } from "./helpers/positions.js";
import { makeFixtureRepo } from "./helpers/fixture-repo.js";

const SOURCES = `    - name: base
      url: ../base
      ref: { tag: v1.0.0 }`;

const CLUSTER_BODY = `  vars: { REGION: eu, MODE: 0644, "__proto__": x }
  sources: [ { name: base, ref: { tag: v2.0.0 }, namespace: apps } ]
  patches:
    - patch: |
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web }
        spec:
          replicas: \${REPLICAS}
          template: { spec: { containers: [ { name: web, image: "nginx:\${TAG}" } ] } }
    - target: { kind: Service, name: web }
      patch:
        - { op: replace, path: /spec/type, value: NodePort }
        - { op: add, path: /metadata/labels/x, value: "1" }
    - target: { kind: ConfigMap }
      type: merge
      patch: { data: { a: "1", b: [ x, { y: z } ] } }
    - path: patches/common.yaml
      optional: true
`;

const PATCH_FILE = `apiVersion: v1
kind: ConfigMap
metadata: { name: common }
data:
  k: v
---
apiVersion: v1
kind: Secret
metadata: { name: s }
stringData: { t: "\${TOKEN}" }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: anchors }
data: &d { a: "1", "x/y~z": "2" }
binaryData: *d
more: { <<: *d, b: "2" }
list: [ k: v, 2, [ 3 ], *d ]
1: numeric key
`;

const GROUP = `apiVersion: braid/v1alpha1
kind: Group
metadata: { name: eu }
spec:
  priority: 3
  selector: { matchLabels: { region: eu } }
  vars: { TIER: gold }
  patches:
    - target: { kind: Deployment }
      patch: |-
        - op: add
          path: /metadata/annotations/tier
          value: gold
`;

function files(extra: Record<string, string> = {}): Record<string, string> {
  return {
    "braid.yaml": fleetYaml(SOURCES),
    "groups/eu.yaml": GROUP,
    "clusters/a.yaml": clusterYaml("a", CLUSTER_BODY, "{ region: eu }"),
    "clusters/b.yaml": clusterYaml("b", "  vars: { N: 1 }", "{ region: us }"),
    "patches/common.yaml": PATCH_FILE,
    ...extra,
  };
}

/** A patch as data: its positions answered for every path of its body (and one that is not in it). */
function patchData(p: PatchDef) {
  const { positions, plain, ...rest } = p;
  return { ...rest, plain: plain ? [...plain].sort() : undefined, at: probePositions(positions, p.body) };
}

/** The layers of a fleet as data (patch positions probed). */
function layers(fleet: Fleet) {
  return [...fleet.groups, ...fleet.clusters].map((l) =>
    JSON.parse(JSON.stringify({ ...l, patches: l.patches.map(patchData) })),
  );
}

async function cacheEntries(cacheDir: string): Promise<Record<string, { def: { vars: Record<string, string> } }>> {
  const [name] = await readdir(join(cacheDir, "config"));
  return (JSON.parse(await readFile(join(cacheDir, "config", name!), "utf8")) as { entries: never }).entries;
}

/** Loads the fleet in `dir` through the cache in `cacheDir` (written by braid "braid-1"), then saves the cache. */
async function loadCached(dir: string, cacheDir: string, codeDigest = "braid-1") {
  const cache = await openConfigCache(cacheDir, dir, codeDigest);
  const loaded = await loadFleet(diskFleetReader(dir), { cache });
  await cache.save();
  return loaded;
}

describe("parsed-config cache", () => {
  it("a fleet loaded from the cache equals the fleet parsed from its files, patch positions included", async () => {
    const dir = await writeFleet(files());
    const cacheDir = await mkdtemp(join(tmpdir(), "braid-config-cache-"));
    const parsed = await loadFleet(diskFleetReader(dir));
    expect(parsed.diagnostics).toEqual([]);

    const filled = await loadCached(dir, cacheDir);
    expect(Object.keys(await cacheEntries(cacheDir)).sort()).toEqual([
      "clusters/a.yaml",
      "clusters/b.yaml",
      "groups/eu.yaml",
    ]);

    const cached = await loadCached(dir, cacheDir);
    expect(cached.diagnostics).toEqual([]);
    expect(layers(filled.fleet!)).toEqual(layers(parsed.fleet!));
    expect(layers(cached.fleet!)).toEqual(layers(parsed.fleet!));
    // the probes found positions (inline text shifted into the config file, the patch file's own lines)
    const a = cached.fleet!.clusters.find((c) => c.name === "a")!;
    expect(a.patches[0]!.positions.locate(["spec", "replicas"])).toEqual({
      file: "clusters/a.yaml",
      line: 15,
      column: 21,
    });
    expect(a.patches[4]!.positions.locate(["stringData", "t"])).toEqual({
      file: "patches/common.yaml",
      line: 10,
      column: 18,
    });
    expect([...a.patches[0]!.plain!]).toEqual(["/spec/replicas"]);
    expect(a.vars).toEqual(parsed.fleet!.clusters.find((c) => c.name === "a")!.vars);
    expect(Object.hasOwn(a.vars, "__proto__")).toBe(true);
  });

  it("is read: an entry's definition is used as stored while the file is unchanged, and not by another braid", async () => {
    const dir = await writeFleet(files());
    const cacheDir = await mkdtemp(join(tmpdir(), "braid-config-cache-"));
    await loadCached(dir, cacheDir);
    // plant a value only the cache holds
    const [name] = await readdir(join(cacheDir, "config"));
    const path = join(cacheDir, "config", name!);
    const stored = JSON.parse(await readFile(path, "utf8")) as {
      entries: Record<string, { def: { vars: Record<string, string> } }>;
    };
    stored.entries["clusters/b.yaml"]!.def.vars.N = "from-cache";
    await writeFile(path, JSON.stringify(stored));

    const same = await loadFleet(diskFleetReader(dir), { cache: await openConfigCache(cacheDir, dir, "braid-1") });
    expect(same.fleet!.clusters.find((c) => c.name === "b")!.vars.N).toBe("from-cache");
    const other = await loadFleet(diskFleetReader(dir), { cache: await openConfigCache(cacheDir, dir, "braid-2") });
    expect(other.fleet!.clusters.find((c) => c.name === "b")!.vars.N).toBe("1");
  });

  it("parses again a file whose text or patch file changed", async () => {
    const dir = await writeFleet(files());
    const cacheDir = await mkdtemp(join(tmpdir(), "braid-config-cache-"));
    await loadCached(dir, cacheDir);

    await writeFleet(
      {
        "patches/common.yaml": PATCH_FILE.replace("k: v", "k: changed"),
        "clusters/b.yaml": clusterYaml("b", "  vars: { N: 2 }", "{ region: us }"),
      },
      dir,
    );
    const loaded = await loadCached(dir, cacheDir);
    const a = loaded.fleet!.clusters.find((c) => c.name === "a")!;
    expect(a.patches[3]!.body).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "common" },
      data: { k: "changed" },
    });
    expect(loaded.fleet!.clusters.find((c) => c.name === "b")!.vars.N).toBe("2");
    expect(layers(loaded.fleet!)).toEqual(layers((await loadFleet(diskFleetReader(dir))).fleet!));
    // a patch file that disappears: the cluster is loaded again and says so
    await writeFile(join(dir, "patches/common.yaml"), "");
    const { rm } = await import("node:fs/promises");
    await rm(join(dir, "patches/common.yaml"));
    const gone = await loadFleet(diskFleetReader(dir), { cache: await openConfigCache(cacheDir, dir, "braid-1") });
    expect(gone.diagnostics.map((d) => [d.code, d.location?.file, d.location?.line])).toEqual([
      ["CONFIG_NOT_FOUND", "clusters/a.yaml", 24],
    ]);
  });

  it("never keeps a file that had a problem: its diagnostics are made again, each run", async () => {
    const bad = clusterYaml("b", "  vars: { N: 1 }\n  patches:\n    - patch: { kind: ConfigMap }", "{ region: us }");
    const dir = await writeFleet(files({ "clusters/b.yaml": bad }));
    const cacheDir = await mkdtemp(join(tmpdir(), "braid-config-cache-"));
    const first = await loadCached(dir, cacheDir);
    expect(Object.keys(await cacheEntries(cacheDir)).sort()).toEqual(["clusters/a.yaml", "groups/eu.yaml"]);
    const second = await loadFleet(diskFleetReader(dir), { cache: await openConfigCache(cacheDir, dir, "braid-1") });
    expect(second.diagnostics).toEqual(first.diagnostics);
    expect(second.diagnostics.map((d) => [d.code, d.location?.line])).toEqual([["PATCH_INVALID", 9]]);
  });

  it("keeps parsed data (braid.lock) by its text, and only JSON that survives the round trip", async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), "braid-config-cache-"));
    const c1 = await openConfigCache(cacheDir, "/fleet", "braid-1");
    c1.setData("braid.lock", "pins: []\n", { pins: [{ source: "a", commit: "0".repeat(40) }] });
    c1.setData("odd.yaml", "x: .inf\n", { x: Infinity });
    await c1.save();
    const c2 = await openConfigCache(cacheDir, "/fleet", "braid-1");
    expect(c2.getData("braid.lock", "pins: []\n")).toEqual({ pins: [{ source: "a", commit: "0".repeat(40) }] });
    expect(c2.getData("braid.lock", "pins: [] # changed\n")).toBeUndefined();
    expect(c2.getData("odd.yaml", "x: .inf\n")).toBeUndefined();
    // another fleet's cache is another file
    expect((await openConfigCache(cacheDir, "/other", "braid-1")).getData("braid.lock", "pins: []\n")).toBeUndefined();
  });

  it("an unreadable cache file is an empty cache", async () => {
    const dir = await writeFleet(files());
    const cacheDir = await mkdtemp(join(tmpdir(), "braid-config-cache-"));
    await loadCached(dir, cacheDir);
    const [name] = await readdir(join(cacheDir, "config"));
    const file = join(cacheDir, "config", name!);
    // an entry of another shape (edited by hand) is a miss, not a crash
    const stored = JSON.parse(await readFile(file, "utf8")) as { entries: Record<string, { def: unknown }> };
    stored.entries["clusters/a.yaml"]!.def = 42;
    await writeFile(file, JSON.stringify(stored));
    const odd = await loadFleet(diskFleetReader(dir), { cache: await openConfigCache(cacheDir, dir, "braid-1") });
    expect(layers(odd.fleet!)).toEqual(layers((await loadFleet(diskFleetReader(dir))).fleet!));
    await writeFile(file, "{ not json");
    const loaded = await loadFleet(diskFleetReader(dir), { cache: await openConfigCache(cacheDir, dir, "braid-1") });
    expect(layers(loaded.fleet!)).toEqual(layers((await loadFleet(diskFleetReader(dir))).fleet!));
  });
});

describe("braid lock reads the parsed-config cache", () => {
  it("takes unchanged cluster files and braid.lock from it, and parses them with BRAID_NO_INCREMENTAL", async () => {
    const root = await mkdtemp(join(tmpdir(), "braid-lock-cache-"));
    const base = await makeFixtureRepo(
      [
        { files: { "m/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n" }, tags: ["v1.0.0"] },
        { files: { "m/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: d }\n" }, tags: ["v2.0.0"] },
      ],
      { dir: join(root, "base") },
    );
    const fleet = join(root, "fleet");
    await mkdir(join(fleet, "clusters"), { recursive: true });
    await writeFile(
      join(fleet, "braid.yaml"),
      fleetYaml("    - { name: base, url: ../base, ref: { tag: v1.0.0 }, path: m }"),
    );
    await writeFile(join(fleet, "clusters/a.yaml"), clusterYaml("a"));
    const cacheDir = join(root, "cache");
    const lock = async (env: Record<string, string> = {}) => {
      const io = memoryIO({ cwd: fleet, env: { BRAID_CACHE: cacheDir, ...env } });
      expect(await main(["lock", "--format", "json"], io), io.err.join("")).toBe(0);
      return /commit: ([0-9a-f]{40})/.exec(await readFile(join(fleet, "braid.lock"), "utf8"))![1];
    };
    expect(await lock()).toBe(base.commits[0]);
    expect(await lock()).toBe(base.commits[0]); // braid.lock, read this time, is kept too
    // plant a pin only the cache holds: cluster a's entry now pins v2.0.0
    const [name] = await readdir(join(cacheDir, "config"));
    const path = join(cacheDir, "config", name!);
    const stored = JSON.parse(await readFile(path, "utf8")) as {
      entries: Record<string, { def: { sources: { source: string; ref?: unknown }[] } }>;
      data: Record<string, unknown>;
    };
    expect(Object.keys(stored.data)).toEqual(["braid.lock"]);
    stored.entries["clusters/a.yaml"]!.def.sources = [{ source: "base", ref: { tag: "v2.0.0" } }];
    await writeFile(path, JSON.stringify(stored));
    await rm(join(fleet, "braid.lock"));
    expect(await lock()).toBe(base.commits[1]);
    await rm(join(fleet, "braid.lock"));
    expect(await lock({ BRAID_NO_INCREMENTAL: "1" })).toBe(base.commits[0]);
    await rm(root, { recursive: true, force: true });
  });
});
