/**
 * configMapGenerator / secretGenerator with kustomize's content-hash suffix: differential cases against
 * `kubectl kustomize` (literals, files incl. key=path and binary files, envs, options, generatorOptions,
 * behavior merge/replace over a base) and a table of located errors.
 */
import { describe, expect, it } from "vitest";
import type { KustomizationContext } from "../src/kustomize/context.js";
import { configMapGenerator, kustomizeBase64, secretGenerator } from "../src/kustomize/generators.js";
import { addNameHashes, encodeHash, goJson } from "../src/kustomize/name-hash.js";
import { locateField, type Resource } from "../src/model/resource.js";
import { contextFor, kubectlKustomize, removeFolder, sortObjects, writeFolder } from "./helpers/kustomize-fields.js";
import { kubectlSkipReason } from "./helpers/kubectl.js";

const skip = kubectlSkipReason("kustomize generators", false);

/** Generators of one kustomization over `resources`. */
async function generate(
  resources: Resource[],
  ctx: KustomizationContext,
): Promise<{ resources: Resource[]; diagnostics: unknown[] }> {
  const diagnostics: unknown[] = [];
  let list = resources;
  if (ctx.kustomization.configMapGenerator !== undefined) {
    const r = await configMapGenerator(list, ctx.kustomization.configMapGenerator, ctx);
    list = r.resources;
    diagnostics.push(...r.diagnostics);
  }
  if (ctx.kustomization.secretGenerator !== undefined) {
    const r = await secretGenerator(list, ctx.kustomization.secretGenerator, ctx);
    list = r.resources;
    diagnostics.push(...r.diagnostics);
  }
  return { resources: list, diagnostics };
}

/** kubectl on `dir` (the overlay, or the only kustomization) vs braid: base generators, overlay generators, hashes. */
async function compare(files: Record<string, string | Uint8Array>, base?: string): Promise<void> {
  const dir = await writeFolder(files);
  try {
    const expected = sortObjects(await kubectlKustomize(dir));
    let list: Resource[] = [];
    const diagnostics: unknown[] = [];
    if (base) {
      const r = await generate([], await contextFor(dir, `${base}/kustomization.yaml`));
      list = r.resources;
      diagnostics.push(...r.diagnostics);
    }
    const r = await generate(list, await contextFor(dir));
    diagnostics.push(...r.diagnostics);
    const hashed = addNameHashes(r.resources, null, await contextFor(dir));
    expect(diagnostics).toEqual([]);
    expect(sortObjects(hashed.resources.map((x) => x.object))).toEqual(expected);
  } finally {
    await removeFolder(dir);
  }
}

const BINARY = new Uint8Array([0, 1, 2, 255, 254, 128, 10, 13]);
const LONG = "x".repeat(120) + '\n<tag> & \u2028 é \u00e9 \t "quoted" \\ back\n';

describe.skipIf(skip !== undefined)("generators against kubectl kustomize", () => {
  it("ConfigMap literals (quotes removed), files with key=path, binary file, envs with comments and BOM", async () => {
    await compare({
      "kustomization.yaml": `configMapGenerator:
- name: app
  literals:
  - PLAIN=value
  - QUOTED="a b"
  - SINGLE='c=d'
  - EMPTY=
  envs:
  - app.env
  files:
  - conf/app.properties
  - custom-key=conf/long.txt
  - blob.bin
`,
      "app.env": "\uFEFFA=1\n# comment\n\n  B=two words  \nC\r\nD=x=y\n",
      "conf/app.properties": "x=1\ny=2\n",
      "conf/long.txt": LONG,
      "blob.bin": BINARY,
    });
  });

  it("Secret literals, files and type; long values wrapped at 70; empty secret", async () => {
    await compare({
      "kustomization.yaml": `secretGenerator:
- name: creds
  type: kubernetes.io/basic-auth
  literals:
  - username=admin
  - password=${"p".repeat(80)}
  files:
  - long.txt
  - blob.bin
- name: empty
`,
      "long.txt": LONG,
      "blob.bin": BINARY,
    });
  });

  it("options and generatorOptions: labels, annotations, immutable, disableNameSuffixHash; namespace", async () => {
    await compare({
      "kustomization.yaml": `generatorOptions:
  labels:
    global: g
    shared: from-global
  annotations:
    note: hello
  immutable: true
configMapGenerator:
- name: a
  namespace: apps
  literals: [K=v]
  options:
    labels:
      shared: from-local
    disableNameSuffixHash: true
- name: b
  literals: [K=<&>]
secretGenerator:
- name: s
  literals: [K=v]
  options:
    annotations:
      x: z
`,
    });
  });

  it("behavior merge and replace over a base's generators (a merged Secret takes the entry's type: Opaque)", async () => {
    await compare(
      {
        "base/kustomization.yaml": `configMapGenerator:
- name: cfg
  literals: [A=1, B=2]
  options:
    labels:
      from: base
- name: other
  literals: [X=1]
secretGenerator:
- name: sec
  literals: [P=1]
- name: tls
  type: kubernetes.io/tls
  literals: [tls.crt=a, tls.key=b]
`,
        "kustomization.yaml": `resources:
- base
configMapGenerator:
- name: cfg
  behavior: merge
  literals: [B=3, C=4]
  options:
    labels:
      from: overlay
      extra: e
- name: other
  behavior: replace
  literals: [Y=2]
secretGenerator:
- name: sec
  behavior: merge
  literals: [Q=2]
  options:
    disableNameSuffixHash: true
- name: tls
  behavior: merge
  literals: [extra=c]
`,
      },
      "base",
    );
  });
});

describe.skipIf(skip !== undefined)("generators against kubectl kustomize: hash flags across merge", () => {
  it("merge over a base that disabled the hash keeps no hash; a merge that disables it drops it", async () => {
    await compare(
      {
        "base/kustomization.yaml": `configMapGenerator:
- name: plain
  literals: [A=1]
  options: {disableNameSuffixHash: true}
- name: hashed
  literals: [A=1]
`,
        "kustomization.yaml": `resources: [base]
configMapGenerator:
- name: plain
  behavior: merge
  literals: [B=2]
- name: hashed
  behavior: replace
  literals: [C=3]
  options: {disableNameSuffixHash: true}
`,
      },
      "base",
    );
  });
});

describe("name hash encoding", () => {
  it("writes JSON as Go does and maps the digest's first ten characters", () => {
    expect(goJson({ name: "a", data: { z: "<&>\u2028", b: "é" }, kind: "ConfigMap" })).toBe(
      '{"data":{"b":"é","z":"\\u003c\\u0026\\u003e\\u2028"},"kind":"ConfigMap","name":"a"}',
    );
    expect(encodeHash("0123456789abcdef")).toBe("gh2k456789");
    expect(kustomizeBase64(new Uint8Array(60))).toBe("A".repeat(70) + "\n" + "A".repeat(10) + "\n");
    expect(kustomizeBase64(new Uint8Array(3))).toBe("AAAA");
  });
});

describe("generators: errors and positions", () => {
  it("located errors for bad literals, repeated keys, missing files, create over an existing object", async () => {
    const dir = await writeFolder({
      "kustomization.yaml": `configMapGenerator:
- name: a
  literals:
  - NOEQUALS
  - K=1
  - K=2
- name: b
  files:
  - missing.txt
- name: c
  behavior: merge
  literals: [A=1]
`,
    });
    try {
      const ctx = await contextFor(dir);
      const r = await configMapGenerator([], ctx.kustomization.configMapGenerator!, ctx);
      expect(r.diagnostics.map((d) => [d.code, d.location?.line, d.location?.column])).toEqual([
        ["KUSTOMIZE_INVALID", 4, 5],
        ["KUSTOMIZE_INVALID", 6, 5],
        ["KUSTOMIZE_INVALID", 9, 5],
        ["KUSTOMIZE_INVALID", 11, 13],
      ]);
      expect(r.resources).toEqual([]);

      const ok = await configMapGenerator([], [{ name: "x", literals: ["K=v", "J=w"] }], ctx);
      const m2 = await configMapGenerator(ok.resources, [{ name: "x", behavior: "merge", literals: ["K=new"] }], ctx);
      expect(m2.resources[0]!.object.data).toEqual({ K: "new", J: "w" });
      // the merged key points at the merging entry (configMapGenerator[0].literals[0] here: line 4); the
      // base's other key keeps the base's position
      expect(locateField(m2.resources[0]!, ["data", "K"])).toMatchObject({ line: 4 });
      expect(locateField(m2.resources[0]!, ["data", "J"])).toEqual(locateField(ok.resources[0]!, ["data", "J"]));
      const again = await configMapGenerator(ok.resources, [{ name: "x", literals: ["K=w"] }], ctx);
      expect(again.diagnostics.map((d) => d.message)).toEqual([
        "ConfigMap x already exists; behavior must be merge or replace",
      ]);
    } finally {
      await removeFolder(dir);
    }
  });

  it("an entry without a name and a merge that matches two objects are refused where written; an unknown behavior is create, as kustomize reads it", async () => {
    const dir = await writeFolder({
      "kustomization.yaml":
        "configMapGenerator:\n- literals: [A=1]\n- name: x\n  behavior: upsert\n- name: x\n  behavior: merge\n  literals: [B=2]\n",
    });
    try {
      const ctx = await contextFor(dir);
      const base = await configMapGenerator([], [{ name: "x", literals: ["A=1"] }], ctx);
      const twice = [...base.resources, { ...base.resources[0]!, object: { ...base.resources[0]!.object } }];
      const r = await configMapGenerator(twice, ctx.kustomization.configMapGenerator!, ctx);
      expect(r.diagnostics.map((d) => [d.message, d.location?.line, d.location?.column])).toEqual([
        ["configMapGenerator[0] needs a name", 2, 3],
        ['behavior "upsert" is not create, merge or replace: kustomize builds it as create', 4, 13],
        ["ConfigMap x matches 2 objects; cannot create", 3, 3],
        ["ConfigMap x matches 2 objects; cannot merge", 5, 3],
      ]);
      expect(r.resources).toEqual(twice);
      expect(r.diagnostics[1]).toMatchObject({ code: "KUSTOMIZE_IGNORED", severity: "warning" });
      // on its own, "upsert" creates the object
      const made = await configMapGenerator([], [{ name: "y", behavior: "upsert", literals: ["A=1"] }], ctx);
      expect(made.resources.map((x) => x.id.name)).toEqual(["y"]);
    } finally {
      await removeFolder(dir);
    }
  });

  it("a bad generatorOptions is reported once, at generatorOptions, whatever the number of entries", async () => {
    const dir = await writeFolder({
      "kustomization.yaml":
        "generatorOptions:\n  disableHash: true\nconfigMapGenerator:\n- name: a\n- name: b\nsecretGenerator:\n- name: c\n",
    });
    try {
      const ctx = await contextFor(dir);
      const cm = await configMapGenerator([], ctx.kustomization.configMapGenerator!, ctx);
      const sec = await secretGenerator([], ctx.kustomization.secretGenerator!, ctx);
      expect([...cm.diagnostics, ...sec.diagnostics].map((d) => [d.code, d.location?.line, d.message])).toEqual([
        ["KUSTOMIZE_INVALID", 2, 'unknown field "disableHash" in generatorOptions'],
      ]);
      expect([...cm.resources, ...sec.resources]).toEqual([]);
    } finally {
      await removeFolder(dir);
    }
  });

  it("a generated object's origin and fields point at its kustomization entry", async () => {
    const dir = await writeFolder({
      "kustomization.yaml": "configMapGenerator:\n- name: a\n  literals:\n  - K=v\n  - L=w\n",
    });
    try {
      const ctx = await contextFor(dir);
      const r = await configMapGenerator([], ctx.kustomization.configMapGenerator!, ctx);
      const cm = r.resources[0]!;
      expect(cm.origin).toMatchObject({ file: "kustomization.yaml", line: 2, column: 3 });
      expect(cm.nameHash).toBe(true);
      expect(locateField(cm, ["data", "L"])).toMatchObject({ file: "kustomization.yaml", line: 5, column: 5 });
      expect(locateField(cm, ["metadata", "name"])).toMatchObject({ line: 2, column: 9 });
    } finally {
      await removeFolder(dir);
    }
  });
});
