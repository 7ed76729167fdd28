/**
 * Values as kustomize hands them to Flux: every resource goes through go-yaml v3 into Go values and out as
 * JSON (`RNode.MarshalJSON`), after kyaml's reader split the file at its `---` lines. braid must read the
 * same values from a source, and fail where kubectl fails. The expectations are kubectl kustomize's answers;
 * where kubectl is on the machine, each file is also built by it and compared.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { memoryIO } from "../src/cli/io.js";
import { main } from "../src/cli/main.js";
import { makeFixtureRepo } from "./helpers/fixture-repo.js";
import { clusterYaml, fleetYaml, writeFleet } from "./helpers/fleet-dir.js";
import { OPENAPI } from "./helpers/golden.js";
import { kubectl } from "./helpers/kubectl.js";
import { openApiSkipReason } from "./helpers/openapi-fixture.js";

const run = promisify(execFile);
const skipReason = openApiSkipReason("go-yaml values");

const cm = (name: string, data: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n${data}`;

const KEYS = Array.from({ length: 150 }, (_, i) => `k${i}`);

const READ: Record<string, [string, Record<string, unknown>]> = {
  // kustomize de-anchors every document without a limit: 150 aliases are read (braid refused them once)
  "aliases.yaml": [
    cm("aliases", `  a: &v "1"\n${KEYS.map((k) => `  ${k}: *v\n`).join("")}  b: &v "2"\n  c: *v\n`),
    { a: "1", ...Object.fromEntries(KEYS.map((k) => [k, "1"])), b: "2", c: "2" },
  ],
  // an alias as a key is the text it stands for (bjw-s's app-template values name a controller `*app :`)
  "alias-key.yaml": [cm("alias-key", "  a: &k key\n  m:\n    *k : v\n"), { a: "key", m: { key: "v" } }],
  "numbers.yaml": [
    cm("numbers", "  a: 0b101\n  b: 0X1F\n  c: -0x1F\n  d: 0x_1F\n  e: 1_0.5\n  f: 08\n  g: !!float 1\n  h: .5_0\n"),
    { a: 5, b: 31, c: -31, d: 31, e: 10.5, f: 8, g: 1, h: 0.5 },
  ],
  "times.yaml": [
    cm(
      "times",
      "  a: 2001-12-14\n  b: 2001-12-14 21:59:43.10\n  c: 2001-12-14t21:59:43.10-05:00\n  d: '2001-12-14'\n  e: 2001-02-30\n  f: 2001-12-14T21:59:43\n",
    ),
    {
      a: "2001-12-14T00:00:00Z",
      b: "2001-12-14T21:59:43.1Z",
      c: "2001-12-14T21:59:43.1-05:00",
      d: "2001-12-14",
      e: "2001-02-30",
      f: "2001-12-14T21:59:43",
    },
  ],
  "other.yaml": [
    cm(
      "other",
      '  a: !!binary aGk=\n  b: {x}\n  c: {x: }\n  d: [y, {z}]\n  e: "v"#comment\n  f: {x: ~}\n' +
        '  g: !!omap [{x: 1}]\n  h: !!set {x, y}\n  i: "a\\\n  b"\n',
    ),
    {
      a: "hi",
      b: { x: "" },
      c: { x: "" },
      d: ["y", { z: "" }],
      e: "v",
      f: { x: null },
      g: [{ x: 1 }],
      h: { x: "", y: "" },
      i: "ab",
    },
  ],
};

const FAIL: Record<string, [string, string, number]> = {
  "nan.yaml": [cm("nan", "  a: .nan\n"), "MANIFEST_INVALID", 6],
  "int-key.yaml": [cm("int-key", "  a:\n    1: one\n"), "MANIFEST_INVALID", 7],
  "date-key.yaml": [cm("date-key", "  a: {2001-01-01: x}\n"), "MANIFEST_INVALID", 6],
  "alias-int-key.yaml": [cm("alias-int-key", "  a: &k 1\n  m:\n    *k : v\n"), "MANIFEST_INVALID", 8],
  "directive.yaml": [`%YAML 1.2\n---\n${cm("directive", "  a: b\n")}`, "YAML_SYNTAX", 1],
  "separator.yaml": [`${cm("sep-a", "  a: b\n")}--- !!map\n${cm("sep-b", "  a: b\n")}`, "YAML_SYNTAX", 7],
  "bool.yaml": [cm("bool", "  a: !!bool yes\n"), "YAML_SYNTAX", 6],
  "zone.yaml": [cm("zone", "  a: 2001-12-14T21:59:43+24:60\n"), "YAML_SYNTAX", 6],
};

/** The objects and diagnostics of `render --explain-source` of a source whose folder (`m/`) holds `files`. */
async function explain(files: Record<string, string>) {
  const { dir } = await makeFixtureRepo([
    { files: Object.fromEntries(Object.entries(files).map(([f, t]) => [`m/${f}`, t])), tags: ["v1"] },
  ]);
  const fleetDir = await writeFleet({
    "braid.yaml": fleetYaml(`    - name: s\n      url: ${dir}\n      ref: { tag: v1 }\n      path: m`),
    "clusters/a.yaml": clusterYaml("a"),
  });
  const io = memoryIO({
    cwd: fleetDir,
    env: { BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: join(fleetDir, ".cache") },
  });
  await main(["render", "--explain-source", "s", "--cluster", "a", "--format", "json"], io);
  return JSON.parse(io.out.join("")) as {
    objects: { object: { metadata: { name: string; annotations?: unknown }; data: unknown; spec?: unknown } }[];
    diagnostics: { code: string; severity: string; location?: { file: string; line: number } }[];
  };
}

/**
 * The ConfigMap `a` that `render` writes for cluster a, from a source whose folder holds `files` (a
 * kustomization) and the cluster's own strategic-merge patch `own`.
 */
async function renderedWithOwnPatch(files: Record<string, string>, own: string) {
  const { dir } = await makeFixtureRepo([
    { files: Object.fromEntries(Object.entries(files).map(([f, t]) => [`k/${f}`, t])), tags: ["v1"] },
  ]);
  const fleetDir = await writeFleet({
    "braid.yaml": fleetYaml(`    - name: s\n      url: ${dir}\n      ref: { tag: v1 }\n      path: k`),
    "clusters/a.yaml": clusterYaml("a", `  patches:\n    - patch: |\n${own.replace(/^/gm, "        ")}`),
  });
  const io = memoryIO({
    cwd: fleetDir,
    env: { BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: join(fleetDir, ".cache") },
  });
  const out = join(fleetDir, "..", `out-${Math.random().toString(36).slice(2)}`);
  expect(await main(["render", "--out", out, "--format", "json"], io), io.out.join("")).toBe(0);
  const text = await readFile(join(out, "clusters/a/default/configmap-a.yaml"), "utf8");
  return parseAllDocuments(text)[0]!.toJS() as { data: unknown; metadata: { annotations: unknown } };
}

/** kubectl kustomize of a folder holding `files`: its output, or undefined where kubectl fails. */
async function kubectlBuild(files: Record<string, string>): Promise<string | undefined> {
  const dir = await mkdtemp(join(tmpdir(), "braid-goyaml-"));
  for (const [f, t] of Object.entries(files)) await writeFile(join(dir, f), t);
  return run(kubectl!, ["kustomize", dir]).then(
    ({ stdout }) => stdout,
    () => undefined,
  );
}

/** kubectl kustomize of one file: its data, or undefined where kubectl fails. */
async function kubectlData(text: string): Promise<unknown> {
  const out = await kubectlBuild({ "r.yaml": text, "kustomization.yaml": "resources: [r.yaml]\n" });
  return out === undefined ? undefined : (parseAllDocuments(out)[0]!.toJS() as { data: unknown }).data;
}

describe.skipIf(skipReason !== undefined)("resource values as go-yaml and kustomize read them", () => {
  it("numbers, timestamps, !!binary, flow mappings' empty values and comments after quotes", async () => {
    const r = await explain(Object.fromEntries(Object.entries(READ).map(([f, [t]]) => [f, t])));
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    for (const [file, [text, want]] of Object.entries(READ)) {
      const got = r.objects.find((o) => `${o.object.metadata.name}.yaml` === file)!.object.data;
      expect(got, file).toEqual(want);
      if (kubectl) expect(await kubectlData(text), `kubectl: ${file}`).toEqual(want);
    }
  });

  it("a strategic-merge patch's dates are Go's JSON too, a JSON6902 patch's stay text (kustomize's patches and braid's own)", async () => {
    const files = {
      "a.yaml": cm("a", "  k: v\n"),
      "sm.yaml": cm("a", "  s: 2024-01-01\n"),
      "j.yaml": "- op: add\n  path: /data/j\n  value: 2024-01-02\n",
      "kustomization.yaml":
        "resources: [a.yaml]\npatches:\n  - path: sm.yaml\n  - path: j.yaml\n    target: { kind: ConfigMap }\n",
    };
    const want = { k: "v", s: "2024-01-01T00:00:00Z", j: "2024-01-02", own: "2024-01-03T00:00:00Z" };
    const own = "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\ndata: { own: 2024-01-03 }\n";
    const written = await renderedWithOwnPatch(files, own);
    expect(written.data).toEqual(want);
    if (kubectl) {
      const { own: _own, ...fromKustomize } = want;
      const stdout = (await kubectlBuild(files))!;
      expect((parseAllDocuments(stdout)[0]!.toJS() as { data: unknown }).data).toEqual(fromKustomize);
    }
  });

  it("a strategic-merge patch's annotations are their text, and a null one is deleted (kustomize's patches and braid's own)", async () => {
    const files = {
      "a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations: { keep: k, gone: g }\n",
      "sm.yaml":
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n" +
        "    x: 0x10\n    y: 1.50\n    z: true\n    w: 2024-01-01\n    n: ~\n    gone: null\n    t: !!str 5\n",
      "kustomization.yaml": "resources: [a.yaml]\npatches:\n  - path: sm.yaml\n",
    };
    const own =
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations: { own: 8080, day: 2024-01-03 }\n";
    const want = {
      keep: "k",
      x: "0x10",
      y: "1.50",
      z: "true",
      w: "2024-01-01",
      t: "5",
      own: "8080",
      day: "2024-01-03",
    };
    const written = await renderedWithOwnPatch(files, own);
    expect(written.metadata.annotations).toEqual(want);
    if (kubectl) {
      // braid's own patch as Flux's Kustomization gives it to kustomize: one more patch
      const stdout = (await kubectlBuild({
        ...files,
        "own.yaml": own,
        "kustomization.yaml": `${files["kustomization.yaml"]}  - path: own.yaml\n`,
      }))!;
      const built = parseAllDocuments(stdout)[0]!.toJS() as { metadata: { annotations: unknown } };
      expect(built.metadata.annotations).toEqual(want);
    }
  });

  it("braid's own JSON6902 patch: its text is read as kustomize reads it (Flux's patches are text), an inline list as braid's YAML", async () => {
    const files = {
      "a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\ndata: { k: v }\n",
      "kustomization.yaml": "resources: [a.yaml]\n",
    };
    const { dir } = await makeFixtureRepo([
      { files: Object.fromEntries(Object.entries(files).map(([f, t]) => [`k/${f}`, t])), tags: ["v1"] },
    ]);
    const patches =
      "  patches:\n" +
      "    - target: { kind: ConfigMap }\n      patch: |\n        - { op: add, path: /metadata/annotations, value: { text: on } }\n" +
      "    - target: { kind: ConfigMap }\n      patch: [ { op: add, path: /metadata/labels, value: { inline: on } } ]\n";
    const fleetDir = await writeFleet({
      "braid.yaml": fleetYaml(`    - name: s\n      url: ${dir}\n      ref: { tag: v1 }\n      path: k`),
      "clusters/a.yaml": clusterYaml("a", patches),
    });
    const io = memoryIO({
      cwd: fleetDir,
      env: { BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: join(fleetDir, ".cache") },
    });
    const out = join(fleetDir, "..", `out-${Math.random().toString(36).slice(2)}`);
    expect(await main(["render", "--out", out], io), io.err.join("")).toBe(0);
    const written = parseAllDocuments(
      await readFile(join(out, "clusters/a/default/configmap-a.yaml"), "utf8"),
    )[0]!.toJS() as { metadata: { annotations: unknown; labels: unknown } };
    // `on` in the text is go-yaml v2's true, which kustomize writes back as the annotation "true"
    expect(written.metadata.annotations).toEqual({ text: "true" });
    expect(written.metadata.labels).toEqual({ inline: "on" });
  });

  it("an annotation written as an alias is the text of the node it stands for", async () => {
    const text =
      "apiVersion: v1\nkind: ConfigMap\ndata:\n  port: &p 80\n  on: &t true\n  f: &f 1.50\n" +
      "metadata:\n  name: a\n  annotations:\n    x: *p\n    y: *t\n    z: *f\n";
    const want = { x: "80", y: "true", z: "1.50" };
    const r = await explain({ "a.yaml": text });
    expect(r.objects[0]!.object.metadata.annotations).toEqual(want);
    if (kubectl) {
      const built = await kubectlBuild({ "a.yaml": text, "kustomization.yaml": "resources: [a.yaml]\n" });
      expect(
        (parseAllDocuments(built!)[0]!.toJS() as { metadata: { annotations: unknown } }).metadata.annotations,
      ).toEqual(want);
    }
  });

  it("a kustomization's patch that kustomize cannot write as JSON fails as in kubectl; a JSON6902 value's keys are text", async () => {
    const cmA = "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\ndata: { k: v }\n";
    const op = (value: string) =>
      `resources: [a.yaml]\npatches:\n  - target: { kind: ConfigMap }\n    patch: |-\n      - op: add\n        path: /data/j\n        value: ${value}\n`;
    const cases: Record<string, [Record<string, string>, string | undefined, number | undefined]> = {
      "strategic, a number key": [
        { "p.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\ndata:\n  nested: { 1: one }\n" },
        "PATCH_INVALID",
        5,
      ],
      "strategic, NaN": [
        { "p.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\ndata: { n: .nan }\n" },
        "PATCH_INVALID",
        4,
      ],
      "inline strategic, a boolean key": [
        {
          "kustomization.yaml":
            "resources: [a.yaml]\npatches:\n  - patch: |-\n      apiVersion: v1\n      kind: ConfigMap\n      metadata: { name: a }\n      data: { n: { true: x } }\n",
        },
        "PATCH_INVALID",
        7,
      ],
      "JSON6902, NaN": [{ "kustomization.yaml": op("{ v: .nan }") }, "PATCH_INVALID", 7],
      "JSON6902, a number key": [{ "kustomization.yaml": op("{ 1: x }") }, undefined, undefined],
      "JSON6902, a null key": [{ "kustomization.yaml": op("{ ~: x }") }, "PATCH_INVALID", 7],
    };
    for (const [name, [extra, code, line]] of Object.entries(cases)) {
      const files: Record<string, string> = {
        "a.yaml": cmA,
        "kustomization.yaml": "resources: [a.yaml]\npatches:\n  - path: p.yaml\n",
        ...extra,
      };
      const r = await explain(files);
      const errors = r.diagnostics.filter((d) => d.severity === "error").map((d) => [d.code, d.location?.line]);
      expect(errors, name).toEqual(code ? [[code, line]] : []);
      if (!code) expect((r.objects[0]!.object.data as { j: unknown }).j, name).toEqual({ "1": "x" });
      if (kubectl) expect((await kubectlBuild(files)) !== undefined, `kubectl: ${name}`).toBe(code === undefined);
    }
  });

  it("a JSON6902 patch is read as go-yaml v2 reads it (YAML 1.1 booleans, keys as JSON writes them), and the annotations it sets become Go's text", async () => {
    const thing = "apiVersion: x.io/v1\nkind: Thing\nmetadata: { name: t }\nspec: { k: v }\n";
    const ops =
      "- op: add\n  path: /spec/v\n  value: { a: yes, b: On, c: n, d: 010, e: 0x1F, f: '1:20', g: ~ }\n" +
      '- op: add\n  path: /spec/keys\n  value: { on: a, 010: b, 1.50: c, 1e6: d, 2024-01-01: e, "yes": f }\n' +
      "- op: add\n  path: /metadata/annotations\n  value: { i: 16, m: 1000000, f: 123456789.0, s: 0.0000001, b: true, z: null, t: text }\n";
    const files = {
      "t.yaml": thing,
      "ops.yaml": ops,
      "kustomization.yaml": "resources: [t.yaml]\npatches:\n  - path: ops.yaml\n    target: { kind: Thing }\n",
    };
    const want = {
      spec: {
        k: "v",
        v: { a: true, b: true, c: false, d: 8, e: 31, f: "1:20", g: null },
        keys: { true: "a", "8": "b", "1.5": "c", "1e+06": "d", "2024-01-01": "e", yes: "f" },
      },
      annotations: { i: "16", m: "1e+06", f: "1.23456789e+08", s: "1e-07", b: "true", z: "null", t: "text" },
    };
    const r = await explain(files);
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const got = r.objects[0]!.object;
    expect({ spec: got.spec, annotations: got.metadata.annotations }).toEqual(want);
    if (kubectl) {
      const built = parseAllDocuments((await kubectlBuild(files))!)[0]!.toJS() as typeof got;
      expect({ spec: built.spec, annotations: built.metadata.annotations }).toEqual(want);
    }
  });

  it("a document after a `...` end marker without a --- line is ignored with a warning, as kustomize's reader drops it", async () => {
    const text = `${cm("first", "  a: b\n")}...\n${cm("second", "  a: b\n")}...\n---\n${cm("third", "  a: b\n")}`;
    const r = await explain({ "ends.yaml": text });
    expect(r.objects.map((o) => o.object.metadata.name)).toEqual(["first", "third"]);
    expect(r.diagnostics.map((d) => [d.code, d.severity, d.location?.line])).toEqual([
      ["KUSTOMIZE_IGNORED", "warning", 8],
    ]);
    if (kubectl) {
      const stdout = (await kubectlBuild({ "r.yaml": text, "kustomization.yaml": "resources: [r.yaml]\n" }))!;
      const names = parseAllDocuments(stdout).map((d) => (d.toJS() as { metadata: { name: string } }).metadata.name);
      expect(names.sort()).toEqual(["first", "third"]);
    }
  });

  it("fails where kubectl kustomize (and so Flux) fails, at the line", async () => {
    const r = await explain(Object.fromEntries(Object.entries(FAIL).map(([f, [t]]) => [f, t])));
    for (const [file, [text, code, line]] of Object.entries(FAIL)) {
      const d = r.diagnostics.find((x) => x.location?.file === `m/${file}`);
      expect(d && [d.code, d.location!.line], file).toEqual([code, line]);
      if (kubectl) expect(await kubectlData(text), `kubectl: ${file}`).toBeUndefined();
    }
  });
});
