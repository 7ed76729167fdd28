/**
 * Kustomize builds in the parsed-manifest cache (src/render/manifest-store.ts, kustomize/load-source.ts): a
 * build taken from the cache equals the build made from the commit (objects, ids, origins, every position
 * map, and what the build leaves on its objects: earlier names, hash suffixes to come, prefixes and
 * suffixes), a later run reads no Git object for it, and the cache is missed when the schemas, the target
 * namespace's place in the fleet or the build's own problems say so.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { SourceDef } from "../src/config/types.js";
import { loadSource } from "../src/kustomize/load-source.js";
import { createManifestCache } from "../src/render/load-manifests.js";
import { openManifestStore } from "../src/render/manifest-store.js";
import { createKubeSchemaIndex } from "../src/validate/kube-schema-index.js";
import { makeFixtureRepo } from "./helpers/fixture-repo.js";
import { loadOpenApiFixture, openApiSkipReason } from "./helpers/openapi-fixture.js";
import { resourceAsData } from "./helpers/positions.js";

const NO_OPENAPI = openApiSkipReason("manifest-store-kustomize");

const SOURCE: SourceDef = {
  name: "apps",
  url: "../apps",
  path: "app",
  include: ["**/*.yaml"],
  exclude: [],
  location: { file: "braid.yaml", line: 7, column: 7 },
};

const FILES = {
  "base/kustomization.yaml": "resources: [deploy.yaml]\n",
  "base/deploy.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 1
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: nginx
          args: ["--upstream=$(SVC)"]
          envFrom: [{ configMapRef: { name: cfg } }, { secretRef: { name: sec } }]
`,
  "app/svc.yaml": `apiVersion: v1
kind: Service
metadata: { name: web }
spec: { selector: { app: web }, ports: [{ port: 80 }] }
`,
  "app/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: { name: apps }\n",
  "app/patch.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  template:
    spec:
      containers:
        - name: web
          env: [{ name: MODE, value: "\${MODE}" }]
`,
  "app/kustomization.yaml": `namespace: apps
namePrefix: p-
nameSuffix: -s
labels:
  - pairs: { team: a }
resources: [../base, svc.yaml, ns.yaml]
configMapGenerator:
  - name: cfg
    literals: [a=1]
secretGenerator:
  - name: sec
    literals: [t=x]
images:
  - name: nginx
    newTag: "1.27"
replicas:
  - name: web
    count: 3
patches:
  - path: patch.yaml
  - target: { kind: Service }
    patch: |-
      - op: add
        path: /metadata/annotations
        value: { x: y }
vars:
  - name: SVC
    objref: { kind: Service, name: web, apiVersion: v1 }
`,
};

const NAMESPACE = { value: "team-a", location: { file: "clusters/one.yaml", line: 9, column: 16 } };

async function build(
  gitdir: string,
  commit: string,
  opts: { cacheDir?: string; digest?: string; namespace?: typeof NAMESPACE } = {},
) {
  const cache = createManifestCache();
  const store = opts.cacheDir ? openManifestStore(opts.cacheDir, "braid-1") : undefined;
  if (store) cache.store = store;
  const schema = createKubeSchemaIndex(loadOpenApiFixture(), []);
  const loaded = await loadSource(cache, gitdir, commit, SOURCE, schema, opts.namespace ?? NAMESPACE, opts.digest);
  await store?.close();
  return loaded;
}

describe.skipIf(NO_OPENAPI)("kustomize builds in the parsed-manifest cache", () => {
  it("a build from the cache equals the build made from the commit, and reads no Git object", async () => {
    const { dir, commits } = await makeFixtureRepo([{ files: FILES }]);
    const gitdir = join(dir, ".git");
    const cacheDir = await mkdtemp(join(tmpdir(), "braid-manifests-"));
    const built = await build(gitdir, commits[0]!);
    expect(built.diagnostics).toEqual([]);
    expect(built.kustomization).toBe(true);
    const names = built.resources.map((r) => `${r.id.kind}/${r.id.namespace}/${r.id.name}`);
    expect(names).toEqual([
      "Namespace//team-a",
      expect.stringMatching(/^ConfigMap\/team-a\/p-cfg-s-[a-z0-9]{10}$/),
      expect.stringMatching(/^Secret\/team-a\/p-sec-s-[a-z0-9]{10}$/),
      "Service/team-a/p-web-s",
      "Deployment/team-a/p-web-s",
    ]);
    // what the build leaves on its objects is there to be kept
    expect(built.resources.some((r) => r.previous?.length)).toBe(true);
    expect(built.resources.some((r) => r.namePrefixes?.length)).toBe(true);
    expect(built.resources.some((r) => r.positions.length > 1)).toBe(true);

    const first = await build(gitdir, commits[0]!, { cacheDir, digest: "d1" });
    expect(first.resources.map(resourceAsData)).toEqual(built.resources.map(resourceAsData));
    expect(await readdir(join(cacheDir, "manifests"))).toHaveLength(1);
    // the repository is gone: the build can only come from the cache
    await rm(join(gitdir, "objects"), { recursive: true, force: true });
    const kept = await build(gitdir, commits[0]!, { cacheDir, digest: "d1" });
    expect(kept.diagnostics).toEqual([]);
    expect(kept.kustomization).toBe(true);
    expect(kept.resources.map(resourceAsData)).toEqual(built.resources.map(resourceAsData));
  });

  it("is missed under other schemas or another place of the target namespace, and not used without a digest", async () => {
    const { dir, commits } = await makeFixtureRepo([{ files: FILES }]);
    const gitdir = join(dir, ".git");
    const cacheDir = await mkdtemp(join(tmpdir(), "braid-manifests-"));
    await build(gitdir, commits[0]!, { cacheDir, digest: "d1" });
    await build(gitdir, commits[0]!, { cacheDir, digest: "d2" });
    const moved = { ...NAMESPACE, location: { ...NAMESPACE.location, line: 10 } };
    const elsewhere = await build(gitdir, commits[0]!, { cacheDir, digest: "d1", namespace: moved });
    expect(await readdir(join(cacheDir, "manifests"))).toHaveLength(3);
    // the namespace's own position follows where the fleet sets it now
    const ns = elsewhere.resources.find((r) => r.id.kind === "Service")!;
    expect(ns.positions.map((m) => m.locate(["metadata", "namespace"])).filter(Boolean)).toContainEqual(moved.location);
    await build(gitdir, commits[0]!, { cacheDir });
    expect(await readdir(join(cacheDir, "manifests"))).toHaveLength(3);
  });

  it("a build with problems is not kept", async () => {
    const { dir, commits } = await makeFixtureRepo([
      { files: { ...FILES, "app/kustomization.yaml": `${FILES["app/kustomization.yaml"]}unknownField: 1\n` } },
    ]);
    const gitdir = join(dir, ".git");
    const cacheDir = await mkdtemp(join(tmpdir(), "braid-manifests-"));
    const built = await build(gitdir, commits[0]!, { cacheDir, digest: "d1" });
    expect(built.diagnostics.length).toBeGreaterThan(0);
    expect(await readdir(join(cacheDir, "manifests")).catch(() => [])).toHaveLength(0);
  });
});
