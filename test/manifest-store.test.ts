/**
 * The parsed-manifest cache (src/render/manifest-store.ts): a source's load taken from the cache equals the
 * load parsed from its commit — objects, ids, origins, plain scalars and every position — and a load with
 * problems is never kept.
 */
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { SourceDef } from "../src/config/types.js";
import { createManifestCache, loadSourceManifests } from "../src/render/load-manifests.js";
import { openManifestStore } from "../src/render/manifest-store.js";
import { makeFixtureRepo } from "./helpers/fixture-repo.js";
import { resourceAsData } from "./helpers/positions.js";

const SOURCE: SourceDef = {
  name: "apps",
  url: "../apps",
  path: "m",
  include: ["**/*.yaml"],
  exclude: [],
  location: { file: "braid.yaml", line: 7, column: 7 },
};

const FILES = {
  "m/deploy.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: apps
  annotations: {}
spec:
  replicas: \${REPLICAS}
  template:
    spec:
      containers:
        - name: web
          image: "nginx:\${TAG:=1.27}"
          ports: [ { containerPort: 80 } ]
`,
  "m/list.yaml": `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: { name: a, namespace: apps }
    data: &d
      "x/y~z": "1"
      k: \${K}
  - apiVersion: v1
    kind: ConfigMap
    metadata: { name: b, namespace: apps }
    data: *d
---
# empty
---
apiVersion: v1
kind: Secret
metadata: { name: s, namespace: apps }
stringData: { token: "t" }
`,
};

async function loadWith(gitdir: string, commit: string, cacheDir?: string) {
  const cache = createManifestCache();
  const store = cacheDir ? openManifestStore(cacheDir, "braid-1") : undefined;
  if (store) cache.store = store;
  const loaded = await loadSourceManifests(cache, gitdir, commit, SOURCE);
  await store?.close();
  return loaded;
}

describe("parsed-manifest cache", () => {
  it("a load from the cache equals the load parsed from the commit, positions included", async () => {
    const { dir, commits } = await makeFixtureRepo([{ files: FILES }]);
    const gitdir = join(dir, ".git");
    const cacheDir = await mkdtemp(join(tmpdir(), "braid-manifests-"));
    const parsed = await loadWith(gitdir, commits[0]!);
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.resources.map((r) => r.id.name)).toEqual(["web", "a", "b", "s"]);
    const first = await loadWith(gitdir, commits[0]!, cacheDir);
    expect((await readdir(join(cacheDir, "manifests"))).length).toBe(1);
    const cached = await loadWith(gitdir, commits[0]!, cacheDir);
    expect(first.resources.map(resourceAsData)).toEqual(parsed.resources.map(resourceAsData));
    expect(cached.resources.map(resourceAsData)).toEqual(parsed.resources.map(resourceAsData));
    const web = cached.resources[0]!;
    expect(web.positions[0]!.locate(["spec", "replicas"])).toEqual({
      source: "apps",
      commit: commits[0],
      file: "m/deploy.yaml",
      line: 8,
      column: 13,
    });
    expect([...web.plain!]).toEqual(["/spec/replicas"]);
  });

  it("is read while the key is the same, and not by another braid; a load with problems is not kept", async () => {
    const { dir, commits } = await makeFixtureRepo([
      { files: FILES },
      { files: { "m/bad.yaml": "apiVersion: v1\nkind: ConfigMap\n" } },
    ]);
    const gitdir = join(dir, ".git");
    const cacheDir = await mkdtemp(join(tmpdir(), "braid-manifests-"));
    await loadWith(gitdir, commits[0]!, cacheDir);
    const [name] = await readdir(join(cacheDir, "manifests"));
    const file = join(cacheDir, "manifests", name!);
    const stored = JSON.parse(await readFile(file, "utf8")) as {
      resources: { object: { metadata: { name: string } } }[];
    };
    stored.resources[0]!.object.metadata.name = "planted";
    await writeFile(file, JSON.stringify(stored));
    expect((await loadWith(gitdir, commits[0]!, cacheDir)).resources[0]!.id.name).toBe("planted");
    const other = openManifestStore(cacheDir, "braid-2");
    expect(await other.get("anything")).toBeUndefined();
    // the second commit has a document without a name: reported, and that load is not kept
    const bad = await loadWith(gitdir, commits[1]!, cacheDir);
    expect(bad.diagnostics.map((d) => d.code)).toEqual(["MANIFEST_INVALID"]);
    expect((await readdir(join(cacheDir, "manifests"))).length).toBe(1);
  });
});
