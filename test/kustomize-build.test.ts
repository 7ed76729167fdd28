/**
 * Sources that are kustomize bases, through `braid render` (no kubectl needed): refused fields and paths as
 * located errors, provenance through the build, the source's target namespace layered per cluster, the
 * empty-source warning, `--explain-source`, braid's own patches and variables after the build, and one build
 * shared by every cluster.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { memoryIO } from "../src/cli/io.js";
import { main } from "../src/cli/main.js";
import { diskFleetReader } from "../src/config/fleet-files.js";
import { FIELD_TRANSFORMERS } from "../src/kustomize/registry.js";
import { renderFleet } from "../src/pipeline/render-fleet.js";
import { makeFixtureRepo } from "./helpers/fixture-repo.js";
import { clusterYaml, fleetYaml, writeFleet } from "./helpers/fleet-dir.js";
import { OPENAPI, readTree } from "./helpers/golden.js";
import { openApiSkipReason } from "./helpers/openapi-fixture.js";
import { kubectl } from "./helpers/kubectl.js";

const run = promisify(execFile);

const skipReason = openApiSkipReason("kustomize build");

const KUST = (body: string) => `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n${body}`;
const CM = (name: string, extra = "") =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  key: value${extra}\n`;

/** A kustomize plugin configuration (builtin unless another apiVersion is given). */
const PLUGIN = (kind: string, body: string, apiVersion = "builtin") =>
  `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: p\n${body}`;

interface Diag {
  code: string;
  severity: string;
  message: string;
  location?: { file: string; line?: number; column?: number; source?: string };
}

async function fleetWith(
  repoFiles: Record<string, string>,
  opts: { path?: string; sourceExtra?: string; clusters?: Record<string, string>; fleetExtra?: string } = {},
) {
  const { dir } = await makeFixtureRepo([{ files: repoFiles, tags: ["v1"] }]);
  const clusters = opts.clusters ?? { a: "" };
  const files: Record<string, string> = {
    "braid.yaml": fleetYaml(
      `    - name: s\n      url: ${dir}\n      ref: { tag: v1 }${opts.path === "" ? "" : `\n      path: ${opts.path ?? "app"}`}${opts.sourceExtra ?? ""}`,
      opts.fleetExtra ?? "",
    ),
  };
  for (const [name, body] of Object.entries(clusters)) files[`clusters/${name}.yaml`] = clusterYaml(name, body);
  return { repo: dir, fleetDir: await writeFleet(files) };
}

async function render(fleetDir: string, extra: string[] = []) {
  const io = memoryIO({
    cwd: fleetDir,
    env: { BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: join(fleetDir, ".cache") },
  });
  const out = join(fleetDir, "..", `out-${Math.random().toString(36).slice(2)}`);
  const code = await main(["render", "--out", out, "--format", "json", ...extra], io);
  const report = JSON.parse(io.out.join("") || "{}") as { diagnostics: Diag[] };
  const brief = report.diagnostics.map(
    (d) => `${d.code} ${d.location?.file}:${d.location?.line}:${d.location?.column}`,
  );
  return { code, out, report, brief, err: io.err.join("") };
}

/** Renders a fleet of one source with these files, which must fail (exit 1). */
async function failing(repoFiles: Record<string, string>, opts: Parameters<typeof fleetWith>[1] = {}) {
  const r = await render((await fleetWith(repoFiles, opts)).fleetDir);
  expect(r.code, r.err).toBe(1);
  return r;
}

describe.skipIf(skipReason !== undefined)("kustomize bases: refusals and errors are located", () => {
  it("refused fields point at their key, name the field and say what to do", async () => {
    const { fleetDir } = await fleetWith({
      "app/kustomization.yaml": KUST(
        "resources:\n  - cm.yaml\n  - ../base\nhelmCharts:\n  - name: x\nvalidators: [v.yaml]\ncrds: [t.yaml]\n",
      ),
      "app/cm.yaml": CM("a"),
      "base/kustomization.yaml": KUST("resources: [cm.yaml]\nbogus: 1\n"),
      "base/cm.yaml": CM("b"),
    });
    const r = await render(fleetDir);
    expect(r.code).toBe(1);
    expect(r.brief).toEqual([
      "KUSTOMIZE_UNSUPPORTED app/kustomization.yaml:6:1",
      "KUSTOMIZE_UNSUPPORTED app/kustomization.yaml:8:1",
      "KUSTOMIZE_UNSUPPORTED app/kustomization.yaml:9:1",
      "KUSTOMIZE_UNSUPPORTED base/kustomization.yaml:4:1",
    ]);
    expect(r.report.diagnostics[0]!.message).toBe('braid does not build the kustomization field "helmCharts"');
    expect(r.report.diagnostics[3]!.message).toBe(
      '"bogus" is not a kustomization field (kustomize refuses unknown fields)',
    );
  });

  it("an unknown field of the source's own kustomization is a warning: kustomize-controller's rewrite of that file drops it", async () => {
    const { fleetDir } = await fleetWith({
      "app/kustomization.yaml": KUST("resources: [cm.yaml]\nnamePrefx: x-\n"),
      "app/cm.yaml": CM("a"),
    });
    const r = await render(fleetDir);
    expect(r.code, r.err).toBe(0);
    expect(r.brief).toEqual(["KUSTOMIZE_IGNORED app/kustomization.yaml:4:1"]);
    expect(r.report.diagnostics[0]!.severity).toBe("warning");
    expect(r.report.diagnostics[0]!.message).toContain("Flux's kustomize-controller drops it");
    expect(Object.keys(await readTree(join(r.out, "clusters", "a")))).toContain("default/configmap-a.yaml");
  });

  it("a refused field left empty builds nothing, as in kustomize (kubebuilder v3 scaffolds keep a bare vars:)", async () => {
    const { fleetDir } = await fleetWith({
      "app/kustomization.yaml": KUST(
        "resources: [cm.yaml]\nvars:\n# - name: CERTIFICATE_NAMESPACE\ncrds: []\nopenapi: {}\n",
      ),
      "app/cm.yaml": CM("a"),
    });
    const r = await render(fleetDir);
    expect(r.code, r.err).toBe(0);
    const r2 = await failing({
      "app/kustomization.yaml": KUST("resources: [cm.yaml]\ncrds:\n  - crd.yaml\n"),
      "app/cm.yaml": CM("a"),
    });
    expect(r2.brief).toEqual(["KUSTOMIZE_UNSUPPORTED app/kustomization.yaml:4:1"]);
  });

  it("a block scalar whose value starts with a tab is refused where it is, as kustomize cannot read it back", async () => {
    const r = await failing({
      "app/kustomization.yaml": KUST("resources: [cm.yaml]\n"),
      "app/cm.yaml":
        "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: tabbed }\ndata:\n  script: |2-\n    \techo hi\n",
    });
    expect(r.brief).toEqual(["YAML_SYNTAX app/cm.yaml:5:11"]);
    expect(r.report.diagnostics[0]!.message).toMatch(/starts with a tab/);
  });

  it("a kustomization whose block scalar has a tab where go-yaml looks for the indentation is refused, as kubectl cannot read it", async () => {
    const r = await failing({
      "app/kustomization.yaml": KUST("resources: [cm.yaml]\ncommonAnnotations:\n  note: |\n\n    \tindented\n"),
      "app/cm.yaml": CM("a"),
    });
    expect(r.brief).toEqual(["YAML_SYNTAX app/kustomization.yaml:5:9"]);
  });

  it("so is one in a patch, a file or inline (kustomize fails to read the patch), while braid's own patches keep it", async () => {
    const patch = "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\ndata:\n  s: |\n    \tindented\n    line\n";
    const file = await failing({
      "app/kustomization.yaml": KUST("resources: [cm.yaml]\npatches:\n  - path: p.yaml\n"),
      "app/cm.yaml": CM("a"),
      "app/p.yaml": patch,
    });
    expect(file.brief).toEqual(["YAML_SYNTAX app/p.yaml:5:6"]);
    const merge = await failing({
      "app/kustomization.yaml": KUST("resources: [cm.yaml]\npatchesStrategicMerge: [p.yaml]\n"),
      "app/cm.yaml": CM("a"),
      "app/p.yaml": patch,
    });
    expect(merge.brief).toEqual(["YAML_SYNTAX app/p.yaml:5:6"]);
    const inline = await failing({
      "app/kustomization.yaml": KUST(
        `resources: [cm.yaml]\npatches:\n  - patch: |\n${patch.replace(/^/gm, "      ").replace(/ +$/, "")}`,
      ),
      "app/cm.yaml": CM("a"),
    });
    expect(inline.brief).toEqual(["PATCH_INVALID app/kustomization.yaml:10:12"]);
    expect(inline.report.diagnostics[0]!.message).toMatch(/a tab where go-yaml looks for its indentation/);
    // a cluster's own patch is braid's to read: the value is kept (and written double-quoted)
    const own = await fleetWith(
      { "app/kustomization.yaml": KUST("resources: [cm.yaml]\n"), "app/cm.yaml": CM("a") },
      { clusters: { a: `  patches:\n    - patch: |\n${patch.replace(/^/gm, "        ").replace(/ +$/, "")}` } },
    );
    const r = await render(own.fleetDir);
    expect(r.code, r.err).toBe(0);
    const written = await readFile(join(r.out, "clusters/a/default/configmap-a.yaml"), "utf8");
    expect(written).toContain('s: "\\tindented\\nline\\n"');
  });

  it("a generated ConfigMap value led by a tab with line breaks (a Makefile) is refused at its entry, as kustomize cannot read it back", async () => {
    const r = await failing({
      "app/kustomization.yaml": KUST(
        "configMapGenerator:\n  - name: mk\n    files: [Makefile]\n    literals: [ok=\\tone-line]\n",
      ),
      "app/Makefile": "\techo hi\n\techo there\n",
    });
    expect(r.brief).toEqual(["KUSTOMIZE_INVALID app/kustomization.yaml:5:13"]);
    expect(r.report.diagnostics[0]!.message).toMatch(/Makefile starts with a tab and has line breaks/);
  });

  it("a field whose transformer is not registered is refused, never ignored", async () => {
    const saved = FIELD_TRANSFORMERS.namePrefix;
    delete FIELD_TRANSFORMERS.namePrefix;
    try {
      const { fleetDir } = await fleetWith({
        "app/kustomization.yaml": KUST("namePrefix: x-\nresources: [cm.yaml]\n"),
        "app/cm.yaml": CM("a"),
      });
      const r = await render(fleetDir);
      expect(r.code).toBe(1);
      expect(r.brief).toEqual(["KUSTOMIZE_UNSUPPORTED app/kustomization.yaml:3:1"]);
      expect(r.report.diagnostics[0]!.message).toBe('braid does not build the kustomization field "namePrefix" yet');
    } finally {
      if (saved) FIELD_TRANSFORMERS.namePrefix = saved;
    }
  });

  it("remote resources, paths leaving the repository and missing files are errors at their entry", async () => {
    const { fleetDir } = await fleetWith({
      "app/kustomization.yaml": KUST(
        "resources:\n  - file:///srv/git/base//deploy?ref=v1\n  - git@-oProxyCommand=touch${IFS}/tmp/x:y/z//deploy\n  - ../../outside\n  - missing.yaml\n  - ../plain\n  - cm.yaml\n",
      ),
      "app/cm.yaml": CM("a"),
      "plain/cm.yaml": CM("b"),
    });
    const r = await render(fleetDir);
    expect(r.code).toBe(1);
    expect(r.brief).toEqual([
      "KUSTOMIZE_UNSUPPORTED app/kustomization.yaml:4:5",
      "KUSTOMIZE_UNSUPPORTED app/kustomization.yaml:5:5", // (a repository of this machine: never read)
      "PATH_ESCAPE app/kustomization.yaml:6:5",
      "KUSTOMIZE_INVALID app/kustomization.yaml:7:5",
      "KUSTOMIZE_INVALID app/kustomization.yaml:8:5",
    ]);
    expect(r.report.diagnostics[1]!.message).toContain("is not a remote repository");
    expect(r.report.diagnostics[4]!.message).toBe(
      'the folder "plain" has no kustomization.yaml, kustomization.yml or Kustomization',
    );
  });

  it("a patch of what a missing resource held is not a second error (one root cause, one error)", async () => {
    const patch = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: gone\n  namespace: default\ndata:\n  k: v\n";
    const files = { "app/cm.yaml": CM("a"), "app/p.yaml": patch };
    const missing = await failing({
      ...files,
      "app/kustomization.yaml": KUST("resources:\n  - missing.yaml\n  - cm.yaml\npatches:\n  - path: p.yaml\n"),
    });
    expect(missing.brief).toEqual(["KUSTOMIZE_INVALID app/kustomization.yaml:4:5"]);
    // with every resource read, the patch that matches nothing is the error
    const present = await failing({
      ...files,
      "app/kustomization.yaml": KUST("resources:\n  - cm.yaml\npatches:\n  - path: p.yaml\n"),
    });
    expect(present.brief).toEqual(["PATCH_NO_MATCH app/p.yaml:1:1"]);
  });

  it("components must be of kind Component, a Component is not a resource, and cycles are refused", async () => {
    const { fleetDir } = await fleetWith({
      "app/kustomization.yaml": KUST("resources:\n  - ../comp\n  - ../loop\ncomponents:\n  - ../base\n"),
      "comp/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n",
      "base/kustomization.yaml": KUST("resources: []\n"),
      "loop/kustomization.yaml": KUST("resources:\n  - ../loop2\n"),
      "loop2/kustomization.yaml": KUST("resources:\n  - ../loop\n"),
    });
    const r = await render(fleetDir);
    expect(r.brief).toEqual([
      "KUSTOMIZE_INVALID app/kustomization.yaml:4:5",
      "KUSTOMIZE_INVALID loop2/kustomization.yaml:4:5",
      "KUSTOMIZE_INVALID app/kustomization.yaml:7:5",
    ]);
    expect(r.report.diagnostics[1]!.message).toBe('"loop" includes itself (app → loop → loop2 → loop)');
  });

  it("an empty kustomization and an apiVersion of the other kind are refused, as kustomize refuses them", async () => {
    const r = await failing({
      "app/kustomization.yaml": KUST("resources:\n  - ../empty\n  - ../wrong\n  - ../nulls\n  - ../listed\n"),
      "empty/kustomization.yaml": "",
      "wrong/kustomization.yaml":
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Kustomization\nresources: [cm.yaml]\n",
      "wrong/cm.yaml": CM("w"),
      "nulls/kustomization.yaml": KUST("namePrefix: ''\nresources:\n"),
      // an empty list is not nothing to Go: kustomize builds it (to nothing)
      "listed/kustomization.yaml": KUST("resources: []\n"),
    });
    expect(r.brief).toEqual([
      "KUSTOMIZE_INVALID empty/kustomization.yaml:1:1",
      "KUSTOMIZE_INVALID wrong/kustomization.yaml:1:13",
      "KUSTOMIZE_INVALID nulls/kustomization.yaml:1:1",
    ]);
    expect(r.report.diagnostics[0]!.message).toContain('"kustomization.yaml is empty"');
    expect(r.report.diagnostics[1]!.message).toBe(
      'apiVersion for Kustomization should be kustomize.config.k8s.io/v1beta1, not "kustomize.config.k8s.io/v1alpha1"',
    );
  });

  it("a field written in another case is read as kustomize reads it, and its errors point at the key as written", async () => {
    const r = await failing({
      "app/kustomization.yaml": KUST("resources: [../base]\n"),
      "base/kustomization.yaml": KUST("Resources: [cm.yaml]\nIMAGES:\n  - Name: web\n    NewTag: [1]\nnewtagg: x\n"),
      "base/cm.yaml": CM("a"),
    });
    expect(r.brief).toEqual(["KUSTOMIZE_UNSUPPORTED base/kustomization.yaml:7:1"]); // the unknown key stops the build
    const fixed = await fleetWith({
      "app/kustomization.yaml": KUST("Resources: [cm.yaml]\nIMAGES:\n  - Name: web\n    NewTag: [1]\n"),
      "app/cm.yaml": CM("a"),
    });
    const again = await render(fixed.fleetDir);
    expect(again.brief).toEqual(["KUSTOMIZE_INVALID app/kustomization.yaml:6:13"]);
  });

  it("a patch without target whose object several resources were named is refused, as kustomize needs one", async () => {
    const r = await failing({
      "app/kustomization.yaml": KUST(
        "resources: [../a, ../b]\npatches:\n  - patch: |\n      apiVersion: v1\n      kind: ConfigMap\n      metadata: { name: demo }\n      data: { patched: x }\n",
      ),
      "a/kustomization.yaml": KUST("namePrefix: a-\nresources: [cm.yaml]\n"),
      "a/cm.yaml": CM("demo"),
      "b/kustomization.yaml": KUST("namePrefix: b-\nresources: [cm.yaml]\n"),
      "b/cm.yaml": CM("demo"),
    });
    expect(r.brief).toEqual(["PATCH_FAILED app/kustomization.yaml:5:5"]);
    expect(r.report.diagnostics[0]!.message).toContain("matches 2 resources (ConfigMap a-demo, ConfigMap b-demo)");
  });

  it("a sortOptions without order and a patchesStrategicMerge of empty files are refused, as kustomize refuses them", async () => {
    const r = await failing({
      "app/kustomization.yaml": KUST("resources: [../sorted, ../patched, ../mixed]\n"),
      "sorted/kustomization.yaml": KUST("resources: [cm.yaml]\nsortOptions:\n  legacySortOptions: {}\n"),
      "sorted/cm.yaml": CM("s"),
      "patched/kustomization.yaml": KUST("resources: [cm.yaml]\npatchesStrategicMerge: [empty.yaml, comments.yaml]\n"),
      "patched/cm.yaml": CM("p"),
      "patched/empty.yaml": "",
      "patched/comments.yaml": "# nothing\n---\n",
      // one empty file among patches is no problem
      "mixed/kustomization.yaml": KUST("resources: [cm.yaml]\npatchesStrategicMerge: [empty.yaml, p.yaml]\n"),
      "mixed/cm.yaml": CM("m"),
      "mixed/empty.yaml": "",
      "mixed/p.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: m }\ndata: { more: x }\n",
    });
    expect(r.brief).toEqual(["KUSTOMIZE_INVALID patched/kustomization.yaml:4:1"]);
    // sortOptions counts at the top folder only (kustomize sorts the output): the base's is not read
    const top = await fleetWith(
      {
        "sorted/kustomization.yaml": KUST("resources: [cm.yaml]\nsortOptions:\n  legacySortOptions: {}\n"),
        "sorted/cm.yaml": CM("s"),
      },
      { path: "sorted" },
    );
    const sorted = await render(top.fleetDir);
    expect(sorted.brief).toEqual(["KUSTOMIZE_INVALID sorted/kustomization.yaml:5:3"]);
  });

  it("an unquoted yes, on or y where kustomize needs a string is refused, as kustomize reads YAML 1.1", async () => {
    const r = await failing({
      "app/kustomization.yaml": KUST("resources: [cm.yaml]\nnamePrefix: y\ncommonLabels: { feature: on }\n"),
      "app/cm.yaml": CM("a"),
    });
    expect(r.brief).toEqual([
      "KUSTOMIZE_INVALID app/kustomization.yaml:4:13",
      "KUSTOMIZE_INVALID app/kustomization.yaml:5:26",
    ]);
    expect(r.report.diagnostics[0]!.message).toBe("namePrefix must be a string");
    expect((r.report.diagnostics[0] as Diag & { hint?: string }).hint).toContain(
      "kustomize reads an unquoted true, yes, on, y",
    );
  });

  it("a Component at the source's path is built as the top folder, as kubectl kustomize builds it", async () => {
    const { fleetDir } = await fleetWith(
      {
        "comp/kustomization.yaml":
          "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nnamePrefix: comp-\nresources: [cm.yaml]\n",
        "comp/cm.yaml": CM("a"),
      },
      { path: "comp" },
    );
    const r = await render(fleetDir);
    expect(r.code, r.err).toBe(0);
    expect(Object.keys(await readTree(join(r.out, "clusters", "a"))).sort()).toEqual([
      "default/configmap-comp-a.yaml",
      "kustomization.yaml",
    ]);
  });

  it("an object keeps its own file and line through the build: validation points at the base file", async () => {
    const { fleetDir } = await fleetWith({
      "app/kustomization.yaml": KUST("namespace: team\nresources:\n  - ../base\n"),
      "base/kustomization.yaml": KUST("resources:\n  - deploy.yaml\n"),
      "base/deploy.yaml":
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: many\n  selector: { matchLabels: { app: web } }\n  template:\n    metadata: { labels: { app: web } }\n    spec:\n      containers: [{ name: web, image: nginx }]\n",
    });
    const r = await render(fleetDir);
    expect(r.code).toBe(1);
    expect(r.brief).toEqual(["SCHEMA_VIOLATION base/deploy.yaml:6:13"]);
  });

  it("a field written by a kustomization's inline patch points at the patch line", async () => {
    const { fleetDir } = await fleetWith({
      "app/kustomization.yaml": KUST(
        "resources:\n  - deploy.yaml\npatches:\n  - target: { kind: Deployment }\n    patch: |\n      spec:\n        paused: sometimes\n",
      ),
      "app/deploy.yaml":
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector: { matchLabels: { app: web } }\n  template:\n    metadata: { labels: { app: web } }\n    spec:\n      containers: [{ name: web, image: nginx }]\n",
    });
    const r = await render(fleetDir);
    expect(r.code).toBe(1);
    expect(r.brief).toEqual(["SCHEMA_VIOLATION app/kustomization.yaml:9:17"]);
  });
});

describe.skipIf(skipReason !== undefined)("kustomize bases: build metadata", () => {
  const originOf = async (out: string, file: string) =>
    (
      parse(await readFile(join(out, "clusters", "a", file), "utf8")) as {
        metadata: { annotations?: Record<string, string> };
      }
    ).metadata.annotations;

  it("a source's kustomization without resources builds as kustomize-controller rewrites it: its objects carry their origin", async () => {
    const { fleetDir } = await fleetWith({
      "app/kustomization.yaml": KUST(
        "buildMetadata: [transformerAnnotations]\nconfigMapGenerator:\n  - name: dash\n    literals: [a=b]\n    options: { disableNameSuffixHash: true }\ncomponents: [../comp]\n",
      ),
      "comp/kustomization.yaml":
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [sa.yaml]\n",
      "comp/sa.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata: { name: dash }\n",
    });
    const r = await render(fleetDir);
    expect(r.code, r.err).toBe(0);
    // Flux's rewrite replaces the list with [originAnnotations]: the transformations are not kept
    expect(await originOf(r.out, "default/configmap-dash.yaml")).toEqual({
      "config.kubernetes.io/origin":
        "configuredIn: kustomization.yaml\nconfiguredBy:\n  apiVersion: builtin\n  kind: ConfigMapGenerator\n",
    });
    expect(await originOf(r.out, "default/serviceaccount-dash.yaml")).toEqual({
      "config.kubernetes.io/origin": "path: ../comp/sa.yaml\n",
    });
  });

  it("a source's empty kustomization builds to nothing (kustomize-controller's rewrite gives it build metadata); a base's is refused", async () => {
    const { fleetDir } = await fleetWith({ "app/kustomization.yaml": "", "other/cm.yaml": CM("x") });
    const r = await render(fleetDir);
    expect(r.code, r.err).toBe(0);
    expect(r.brief).toEqual(["SOURCE_EMPTY braid.yaml:7:7"]);
    const nested = await failing({
      "app/kustomization.yaml": KUST("resources: [../empty]\n"),
      "empty/kustomization.yaml": KUST("buildMetadata:\n"),
    });
    expect(nested.brief).toEqual(["KUSTOMIZE_INVALID empty/kustomization.yaml:1:1"]);
  });

  it("managedByLabel is refused (the label value kustomize writes inside Flux is invalid); an unknown option warns; a non-list is an error", async () => {
    const r = await failing({
      "app/kustomization.yaml": KUST("buildMetadata: [originAnnotations, managedByLabel]\nresources: [cm.yaml]\n"),
      "app/cm.yaml": CM("a"),
    });
    expect(r.brief).toEqual(["KUSTOMIZE_INVALID app/kustomization.yaml:3:36"]);
    expect(r.report.diagnostics[0]!.message).toContain("kustomize-(devel)");
    const typo = await fleetWith({
      "app/kustomization.yaml": KUST("buildMetadata: [originAnnotation]\nresources: [cm.yaml]\n"),
      "app/cm.yaml": CM("a"),
    });
    const warned = await render(typo.fleetDir);
    expect(warned.code, warned.err).toBe(0);
    expect(warned.brief).toEqual(["KUSTOMIZE_IGNORED app/kustomization.yaml:3:17"]);
    expect(await originOf(warned.out, "default/configmap-a.yaml")).toBeUndefined();
    const bad = await failing({
      "app/kustomization.yaml": KUST("buildMetadata: originAnnotations\nresources: [cm.yaml]\n"),
      "app/cm.yaml": CM("a"),
    });
    expect(bad.brief).toEqual(["KUSTOMIZE_INVALID app/kustomization.yaml:3:16"]);
  });

  it("an object carrying one of kustomize's own build annotations that steer a build is refused at that annotation", async () => {
    const r = await failing({
      "app/kustomization.yaml": KUST("resources: [cm.yaml]\n"),
      "app/cm.yaml":
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  annotations:\n    internal.config.kubernetes.io/needsHashSuffix: enabled\n",
    });
    expect(r.brief).toEqual(["MANIFEST_INVALID app/cm.yaml:6:5"]);
    expect(r.report.diagnostics[0]!.message).toContain("internal.config.kubernetes.io/needsHashSuffix");
  });
});

describe.skipIf(skipReason !== undefined)("kustomize bases: builtin plugins in generators and transformers", () => {
  it("a plugin that runs code is refused as Flux refuses it, at its apiVersion; unknown and misplaced kinds are errors", async () => {
    const r = await failing({
      "app/kustomization.yaml": KUST("resources: [cm.yaml]\ntransformers: [exec.yaml, gen.yaml, sort.yaml]\n"),
      "app/cm.yaml": CM("a"),
      "app/exec.yaml": PLUGIN("SedTransformer", "argsOneLiner: s/a/b/\n", "someteam.example.com/v1"),
      "app/gen.yaml": PLUGIN("ConfigMapGenerator", "literals: [A=1]\n"),
      "app/sort.yaml": PLUGIN("SortOrderTransformer", "sortOptions: { order: fifo }\n"),
    });
    expect(r.brief).toEqual([
      "KUSTOMIZE_UNSUPPORTED app/exec.yaml:1:13",
      "KUSTOMIZE_INVALID app/gen.yaml:2:7",
      "KUSTOMIZE_INVALID app/sort.yaml:2:7",
    ]);
    expect(r.report.diagnostics[0]!.message).toContain(
      "braid runs only kustomize's builtin plugins (apiVersion: builtin)",
    );
    expect(r.report.diagnostics[1]!.message).toBe(
      "ConfigMapGenerator is not a transformer (kustomize: plugin ConfigMapGenerator not a transformer)",
    );
    expect(r.report.diagnostics[2]!.message).toContain("unable to load builtin");
  });

  it("builtins braid does not run yet are refused, never skipped", async () => {
    const r = await failing({
      "app/kustomization.yaml": KUST(
        "resources: [cm.yaml]\ntransformers:\n  - |\n    apiVersion: builtin\n    kind: ValueAddTransformer\n    metadata: { name: v }\n",
      ),
      "app/cm.yaml": CM("a"),
    });
    // an inline configuration is located in the kustomization, on its own line
    expect(r.brief).toEqual(["KUSTOMIZE_UNSUPPORTED app/kustomization.yaml:7:11"]);
    expect(r.report.diagnostics[0]!.message).toBe("braid does not run the builtin ValueAddTransformer yet");
  });

  it("configuration errors point into the configuration: a prefix without fieldSpecs, a replica of nothing", async () => {
    const r = await failing({
      "app/kustomization.yaml": KUST("resources: [cm.yaml]\ntransformers: [prefix.yaml]\n"),
      "app/cm.yaml": CM("a"),
      "app/prefix.yaml": PLUGIN("PrefixTransformer", "prefix: x-\n"),
    });
    expect(r.report.diagnostics.map((d) => d.message)).toEqual([
      "PrefixTransformer needs fieldSpecs (kustomize: fieldSpecs is not expected to be nil)",
    ]);
    const r2 = await failing({
      "app/kustomization.yaml": KUST("resources: [cm.yaml]\ntransformers: [replicas.yaml]\n"),
      "app/cm.yaml": CM("a"),
      "app/replicas.yaml": PLUGIN(
        "ReplicaCountTransformer",
        "replica:\n  name: web\n  count: 2\nfieldSpecs:\n  - { path: spec/replicas, kind: Deployment }\n",
      ),
    });
    expect(r2.brief).toEqual(["KUSTOMIZE_INVALID app/replicas.yaml:6:9"]);
    expect(r2.report.diagnostics[0]!.message).toBe(
      "resource with name web does not match a config with the following GVK [[noGrp]_[noVer]_Deployment]",
    );
    const r3 = await failing({
      "app/kustomization.yaml": KUST("resources: [cm.yaml]\ntransformers: [ns.yaml]\n"),
      "app/cm.yaml": CM("a"),
      "app/ns.yaml": PLUGIN("NamespaceTransformer", "setRoleBindingSubjects: everyone\n"),
    });
    expect(r3.brief).toEqual(["KUSTOMIZE_INVALID app/ns.yaml:5:25"]);
    expect(r3.report.diagnostics[0]!.message).toContain('invalid value "everyone" for setRoleBindingSubjects');
  });

  it("a patch without target names the object by one whole id it has had, as kustomize's GetById", async () => {
    // renamed and moved: neither (x-a, default) nor (a, team) nor (a, default) alone is (x-a, no namespace)
    const patch = (ns: string) =>
      PLUGIN(
        "PatchTransformer",
        `patch: |\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: { name: x-a${ns} }\n  data: { patched: "yes" }\n`,
      );
    const r = await failing({
      "app/kustomization.yaml": KUST(
        "namespace: team\nnamePrefix: x-\nresources: [cm.yaml]\ntransformers: [patch.yaml]\n",
      ),
      "app/cm.yaml": CM("a"),
      "app/patch.yaml": patch(""),
    });
    expect(r.brief).toEqual(["PATCH_NO_MATCH app/patch.yaml:1:1"]);
    const { fleetDir } = await fleetWith({
      "app/kustomization.yaml": KUST(
        "namespace: team\nnamePrefix: x-\nresources: [cm.yaml]\ntransformers: [patch.yaml]\n",
      ),
      "app/cm.yaml": CM("a"),
      "app/patch.yaml": patch(", namespace: team"),
    });
    const ok = await render(fleetDir);
    expect(ok.code, ok.err).toBe(0);
    const tree = await readTree(join(ok.out, "clusters", "a"));
    expect(tree["team/configmap-x-a.yaml"]).toContain('patched: "yes"');
  });
});

describe.skipIf(skipReason !== undefined)("kustomize bases: vars", () => {
  const VAR = (name: string, ref: string) => `  - name: ${name}\n    objref: { ${ref} }\n`;

  it("a var declared twice, one whose object is missing, and one naming two objects are located errors", async () => {
    const r = await failing({
      "app/kustomization.yaml": KUST(
        `resources: [cm.yaml, ../base]\nvars:\n${VAR("A", "apiVersion: v1, kind: ConfigMap, name: a")}`,
      ),
      "app/cm.yaml": CM("a"),
      "base/kustomization.yaml": KUST(
        `resources: [cm.yaml]\nvars:\n${VAR("A", "apiVersion: v1, kind: ConfigMap, name: b")}`,
      ),
      "base/cm.yaml": CM("b"),
    });
    expect(r.report.diagnostics.map((d) => d.message)).toEqual([
      "var 'A' already encountered (kustomize refuses a var declared twice)",
    ]);
    expect(r.brief).toEqual(["KUSTOMIZE_INVALID app/kustomization.yaml:5:5"]);
    const r2 = await failing({
      "app/kustomization.yaml": KUST(`resources: [cm.yaml]\nvars:\n${VAR("A", "kind: ConfigMap, name: a")}`),
      "app/cm.yaml": CM("a", "\n  x: $(A)"),
    });
    // kustomize matches group, version and kind exactly: an objref without the version finds nothing
    expect(r2.report.diagnostics[0]!.message).toContain(
      "var 'A' cannot be mapped to a field in the set of known resources",
    );
    const r3 = await failing({
      "app/kustomization.yaml": KUST(
        `resources: [a.yaml, b.yaml]\nvars:\n${VAR("A", "apiVersion: v1, kind: ConfigMap, name: a")}`,
      ),
      "app/a.yaml": CM("a").replace("name: a", "name: a\n  namespace: one"),
      "app/b.yaml": CM("a").replace("name: a", "name: a\n  namespace: two"),
    });
    expect(r3.report.diagnostics[0]!.message).toContain("found 2 objects for var A (unable to disambiguate");
  });

  it("replaces $(NAME) in the varReference fields; a number list item there is refused, as kustomize refuses it", async () => {
    const deploy = (args: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector: { matchLabels: { app: web } }\n  template:\n    metadata: { labels: { app: web } }\n    spec:\n      containers:\n        - name: web\n          image: nginx\n          args: ${args}\n`;
    const kust = KUST(
      `namePrefix: p-\nresources: [cm.yaml, deploy.yaml]\nvars:\n${VAR("CM", "apiVersion: v1, kind: ConfigMap, name: a")}`,
    );
    const { fleetDir } = await fleetWith({
      "app/kustomization.yaml": kust,
      "app/cm.yaml": CM("a"),
      "app/deploy.yaml": deploy('["--config=$(CM)", "$$(CM)", "$(OTHER)"]'),
    });
    const r = await render(fleetDir);
    expect(r.code, r.err).toBe(0);
    const text = (await readTree(join(r.out, "clusters", "a")))["default/deployment-p-web.yaml"]!;
    expect(text).toContain('- "--config=p-a"\n');
    expect(text).toContain('- "$(CM)"\n');
    expect(text).toContain('- "$(OTHER)"\n');
    const r2 = await failing({
      "app/kustomization.yaml": kust,
      "app/cm.yaml": CM("a"),
      "app/deploy.yaml": deploy("[--config=$(CM), 3600]"),
    });
    expect(r2.report.diagnostics[0]!.message).toContain(
      "is not a string; kustomize replaces vars only in lists of strings",
    );
  });
});

describe.skipIf(skipReason !== undefined)("kustomize bases: configurations", () => {
  it("an unknown key, a spec given with and without create, and a missing file are located errors", async () => {
    const r = await failing({
      "app/kustomization.yaml": KUST("resources: [cm.yaml]\nconfigurations: [a.yaml]\n"),
      "app/cm.yaml": CM("a"),
      "app/a.yaml": "commonLabels:\n  - path: data/x\n    kind: ConfigMap\nnameRefrence: []\n",
    });
    expect(r.brief).toEqual(["KUSTOMIZE_INVALID app/a.yaml:4:1"]);
    expect(r.report.diagnostics[0]!.message).toContain('unknown field "nameRefrence"');
    const r2 = await failing({
      "app/kustomization.yaml": KUST("resources: [cm.yaml]\nconfigurations: [a.yaml, b.yaml, c.yaml]\n"),
      "app/cm.yaml": CM("a"),
      "app/a.yaml": "commonLabels:\n  - { path: data/x, kind: ConfigMap }\n",
      "app/b.yaml": "commonLabels:\n  - { path: data/x, kind: ConfigMap, create: true }\n",
    });
    expect(r2.brief).toEqual(["KUSTOMIZE_INVALID app/kustomization.yaml:4:26"]);
    expect(r2.report.diagnostics[0]!.message).toContain("conflicting fieldspecs");
  });

  it("a configurations file is YAML 1.1 (create: yes is true); a plugin's configuration is not (kustomize refuses it)", async () => {
    const files = {
      "app/kustomization.yaml": KUST("resources: [cm.yaml]\ncommonLabels: { a: b }\nconfigurations: [conf.yaml]\n"),
      "app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
      "app/conf.yaml": "commonLabels:\n  - path: data\n    kind: ConfigMap\n    create: yes\n",
    };
    const { fleetDir } = await fleetWith(files);
    const r = await render(fleetDir);
    expect(r.code, r.err).toBe(0);
    expect((await readTree(join(r.out, "clusters", "a")))["default/configmap-a.yaml"]).toContain("data:\n  a: b\n");
    const r2 = await failing({
      ...files,
      "app/kustomization.yaml": KUST("resources: [cm.yaml]\ntransformers: [lt.yaml]\n"),
      "app/lt.yaml": PLUGIN(
        "LabelTransformer",
        "labels: { c: d }\nfieldSpecs:\n  - path: metadata/labels\n    create: yes\n",
      ),
    });
    expect(r2.report.diagnostics.map((d) => d.message)).toEqual(["fieldSpecs[0].create must be true or false"]);
  });

  it("custom field specs reach the fields of the kustomization and of the overlays above it", async () => {
    const { fleetDir } = await fleetWith({
      "app/kustomization.yaml": KUST("resources: [../base]\ncommonLabels: { team: a }\nnamePrefix: x-\n"),
      "base/kustomization.yaml": KUST("resources: [cm.yaml]\nconfigurations: [conf.yaml]\n"),
      "base/cm.yaml": CM("a", "\n  other: a"),
      "base/conf.yaml":
        "commonLabels:\n  - { path: data, kind: ConfigMap }\nnamePrefix:\n  - { path: data/other, kind: ConfigMap }\n",
    });
    const r = await render(fleetDir);
    expect(r.code, r.err).toBe(0);
    const tree = await readTree(join(r.out, "clusters", "a"));
    const text = tree["default/configmap-x-a.yaml"];
    expect(text).toContain("team: a");
    expect(text).toMatch(/data:\n {2}key: value\n {2}other: x-a\n {2}team: a\n/);
  });
});

describe.skipIf(skipReason !== undefined)("kustomize bases: integration with braid's layers", () => {
  const repoFiles = {
    "app/kustomization.yaml": KUST("namespace: from-kustomization\nresources:\n  - cm.yaml\n  - role.yaml\n"),
    "app/cm.yaml": CM("settings", "\n  cluster: ${CLUSTER_NAME}"),
    "app/role.yaml":
      "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader\nrules: []\n",
  };

  it("builds, then the source's namespace (layered: fleet, then cluster), then braid patches, then variables", async () => {
    const { fleetDir } = await fleetWith(repoFiles, {
      sourceExtra: "\n      namespace: fleet-ns",
      clusters: {
        a: "",
        b: '  sources:\n    - name: s\n      namespace: cluster-ns\n  patches:\n    - target: { kind: ConfigMap }\n      patch: |\n        data: { patched: "yes" }\n',
      },
    });
    const r = await render(fleetDir);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const a = await readTree(join(r.out, "clusters", "a"));
    const b = await readTree(join(r.out, "clusters", "b"));
    expect(Object.keys(a).sort()).toEqual([
      "_cluster/clusterrole-reader.yaml",
      "fleet-ns/configmap-settings.yaml",
      "kustomization.yaml",
    ]);
    expect(a["fleet-ns/configmap-settings.yaml"]).toBe(
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: fleet-ns\ndata:\n  cluster: a\n  key: value\n",
    );
    expect(b["cluster-ns/configmap-settings.yaml"]).toBe(
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: cluster-ns\ndata:\n  cluster: b\n  key: value\n  patched: "yes"\n',
    );
  });

  it("the namespace transformer takes scopes from kustomize's own table, as kubectl kustomize and Flux build", async () => {
    // kustomize v5.5 knows FlowSchema v1beta1 as cluster-scoped, not v1, nor ValidatingAdmissionPolicy: those
    // get the namespace (the API server drops it on apply); braid's output folder still goes by the API's scope
    const all = [
      CM("c"),
      'apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata:\n  name: vap\nspec:\n  validations: [{ expression: "true" }]\n',
      "apiVersion: flowcontrol.apiserver.k8s.io/v1\nkind: FlowSchema\nmetadata:\n  name: fs\n  namespace: system\nspec:\n  priorityLevelConfiguration: { name: pl }\n",
      "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: cr\n",
    ].join("---\n");
    const files = { "app/kustomization.yaml": KUST("namespace: team\nresources: [all.yaml]\n"), "app/all.yaml": all };
    const { fleetDir, repo } = await fleetWith(files);
    const r = await render(fleetDir);
    expect(r.report.diagnostics).toEqual([]);
    const tree = await readTree(join(r.out, "clusters", "a"));
    expect(Object.keys(tree).sort()).toEqual([
      "_cluster/clusterrole-cr.yaml",
      "_cluster/flowschema-fs.yaml",
      "_cluster/validatingadmissionpolicy-vap.yaml",
      "kustomization.yaml",
      "team/configmap-c.yaml",
    ]);
    const namespaceOf = (text: string) => (parse(text) as { metadata: { namespace?: string } }).metadata.namespace;
    const braid = {
      vap: namespaceOf(tree["_cluster/validatingadmissionpolicy-vap.yaml"]!),
      fs: namespaceOf(tree["_cluster/flowschema-fs.yaml"]!),
      cr: namespaceOf(tree["_cluster/clusterrole-cr.yaml"]!),
    };
    expect(braid).toEqual({ vap: "team", fs: "team", cr: undefined });
    if (kubectl) {
      const built = parseAllDocuments(
        (await run(kubectl, ["kustomize", join(repo, "app")], { maxBuffer: 1 << 26 })).stdout,
      ).map((d) => d.toJS() as { kind: string; metadata: { namespace?: string } });
      const ns = (kind: string) => built.find((o) => o.kind === kind)?.metadata.namespace;
      expect({ vap: ns("ValidatingAdmissionPolicy"), fs: ns("FlowSchema"), cr: ns("ClusterRole") }).toEqual(braid);
    }
  });

  it("a patch target's namespace meets a FlowSchema v1 as kustomize's scopes say (namespaced, in default before the namespace step)", async () => {
    const fs =
      "apiVersion: flowcontrol.apiserver.k8s.io/v1\nkind: FlowSchema\nmetadata:\n  name: fs\nspec:\n  matchingPrecedence: 100\n  priorityLevelConfiguration: { name: pl }\n";
    const build = async (targetNamespace: string) => {
      const files = {
        "app/kustomization.yaml": KUST(
          `namespace: team\nresources: [fs.yaml]\npatches:\n- target: { kind: FlowSchema, namespace: ${targetNamespace} }\n  patch: |-\n    - op: replace\n      path: /spec/matchingPrecedence\n      value: 200\n`,
        ),
        "app/fs.yaml": fs,
      };
      const { fleetDir, repo } = await fleetWith(files);
      const r = await render(fleetDir);
      expect(r.report.diagnostics).toEqual([]);
      const tree = await readTree(join(r.out, "clusters", "a"));
      const braid = (parse(tree["_cluster/flowschema-fs.yaml"]!) as { spec: { matchingPrecedence: number } }).spec
        .matchingPrecedence;
      if (kubectl) {
        const built = parse((await run(kubectl, ["kustomize", join(repo, "app")])).stdout) as {
          spec: { matchingPrecedence: number };
        };
        expect(braid).toBe(built.spec.matchingPrecedence);
      }
      return braid;
    };
    expect(await build("default")).toBe(200);
    expect(await build("team")).toBe(100);
  });

  it("a build accumulating one cluster-scoped object twice (namespaces aside) fails, as kustomize's AppendAll", async () => {
    const role = (ns: string) =>
      `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: cr${ns ? `\n  namespace: ${ns}` : ""}\n`;
    const { fleetDir } = await fleetWith({
      "app/kustomization.yaml": KUST("resources: [a.yaml, b.yaml]\n"),
      "app/a.yaml": role("x"),
      "app/b.yaml": role(""),
    });
    const r = await render(fleetDir);
    expect(r.code).toBe(1);
    expect(r.report.diagnostics.map((d) => [d.code, d.location?.file, d.message])).toEqual([
      ["DUPLICATE_RESOURCE", "app/b.yaml", "ClusterRole cr is accumulated twice by the kustomize build"],
    ]);
  });

  it("a source that yields no objects is a warning naming it and its path", async () => {
    const { fleetDir } = await fleetWith({
      "app/kustomization.yaml": KUST("resources: []\n"),
      "other/cm.yaml": CM("x"),
    });
    const r = await render(fleetDir);
    expect(r.code).toBe(0);
    expect(r.report.diagnostics.map((d) => [d.code, d.severity, d.message])).toEqual([
      [
        "SOURCE_EMPTY",
        "warning",
        expect.stringMatching(
          /^source "s" yields no objects: the kustomization in "app" builds nothing at [0-9a-f]{12}$/,
        ),
      ],
    ]);
    expect(r.brief).toEqual(["SOURCE_EMPTY braid.yaml:7:7"]);
  });

  it("a plain source builds its sub-folders holding a kustomization, unless include/exclude leave them out", async () => {
    const { fleetDir } = await fleetWith(
      {
        "app/cm.yaml": CM("plain"),
        "app/team/kustomization.yaml": KUST("namespace: team\nresources: [cm.yaml]\n"),
        "app/team/cm.yaml": CM("built"),
        "app/legacy/kustomization.yaml": KUST("helmCharts: [{ name: x }]\n"),
      },
      { sourceExtra: '\n      exclude: ["legacy/**"]' },
    );
    const r = await render(fleetDir);
    expect(r.report.diagnostics).toEqual([]);
    expect(r.code).toBe(0);
    const tree = await readTree(join(r.out, "clusters", "a"));
    expect(Object.keys(tree).sort()).toEqual([
      "default/configmap-plain.yaml",
      "kustomization.yaml",
      "team/configmap-built.yaml",
    ]);
  });

  it("a plain source's sub-kustomization vars are resolved at Flux's generated root: after the target namespace, in the plain manifests too", async () => {
    const { fleetDir } = await fleetWith(
      {
        "app/user.yaml":
          "apiVersion: batch/v1\nkind: Job\nmetadata: { name: user }\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n        - { name: c, image: busybox:1.36, args: [--api=api.$(SVC_NS).svc] }\n",
        "app/team/kustomization.yaml": KUST(
          "namespace: team\nresources: [svc.yaml]\nvars:\n  - name: SVC_NS\n    objref: { apiVersion: v1, kind: Service, name: api }\n    fieldref: { fieldpath: metadata.namespace }\n",
        ),
        "app/team/svc.yaml":
          "apiVersion: v1\nkind: Service\nmetadata: { name: api }\nspec: { ports: [{ port: 80 }] }\n",
      },
      { sourceExtra: "\n      namespace: target" },
    );
    const r = await render(fleetDir);
    expect(r.report.diagnostics).toEqual([]);
    const tree = await readTree(join(r.out, "clusters", "a"));
    expect(Object.keys(tree).sort()).toEqual(["kustomization.yaml", "target/job-user.yaml", "target/service-api.yaml"]);
    // container args are a var reference field (kustomize's defaults): the var reads the Service's final namespace
    expect(tree["target/job-user.yaml"]).toContain("--api=api.target.svc");
  });

  it("a kustomization at the repository root is built; its paths may not climb out of the root", async () => {
    const { fleetDir } = await fleetWith(
      {
        "kustomization.yaml": KUST("resources:\n  - app/cm.yaml\n  - ../elsewhere\n"),
        "app/cm.yaml": CM("root"),
        "other.yaml": CM("not-listed"),
      },
      { path: "" },
    );
    const r = await render(fleetDir);
    expect(r.brief).toEqual(["PATH_ESCAPE kustomization.yaml:5:5"]);
    expect(r.report.diagnostics[0]!.message).toBe('resource "../elsewhere" leaves the source repository');
  });

  it("a plain source without manifests warns too", async () => {
    const { fleetDir } = await fleetWith({ "app/README.md": "nothing here\n" });
    const r = await render(fleetDir);
    expect(r.code).toBe(0);
    expect(r.report.diagnostics.map((d) => d.code)).toEqual(["SOURCE_EMPTY"]);
  });

  it("--explain-source prints the build before braid's patches and variables, with file:line origins", async () => {
    const { fleetDir } = await fleetWith(repoFiles, {
      clusters: {
        a: '  patches:\n    - target: { kind: ConfigMap }\n      patch: |\n        data: { patched: "yes" }\n',
      },
    });
    const io = memoryIO({
      cwd: fleetDir,
      env: { BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: join(fleetDir, ".cache") },
    });
    const code = await main(["render", "--explain-source", "s", "--cluster", "a"], io);
    expect(code).toBe(0);
    expect(io.out.join("")).toBe(
      [
        "---\n# app/role.yaml:1\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader\nrules: []\n",
        '---\n# app/cm.yaml:1\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: from-kustomization\ndata:\n  cluster: "${CLUSTER_NAME}"\n  key: value\n',
      ].join(""),
    );
    expect(io.err.join("")).toBe("# s yields 2 objects for a (before braid's patches and variables)\n");
  });

  it("--explain-source --format json gives each object with its origin", async () => {
    const { fleetDir } = await fleetWith(repoFiles);
    const io = memoryIO({
      cwd: fleetDir,
      env: { BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: join(fleetDir, ".cache") },
    });
    expect(await main(["render", "--explain-source", "s", "--cluster", "a", "--format", "json"], io)).toBe(0);
    const out = JSON.parse(io.out.join("")) as {
      source: string;
      objects: { origin: { file: string; line: number }; object: { kind: string } }[];
      diagnostics: unknown[];
    };
    expect(out.objects.map((o) => [o.origin.file, o.origin.line, o.object.kind])).toEqual([
      ["app/role.yaml", 1, "ClusterRole"],
      ["app/cm.yaml", 1, "ConfigMap"],
    ]);
    expect(out.diagnostics).toEqual([]);
  });

  it("--explain-source reports a folder that is missing, or that .sourceignore leaves out, at the source's entry (exit 1)", async () => {
    for (const [path, extra, says] of [
      ["nope", {}, 'source "s" has no folder "nope" at '],
      ["app", { ".sourceignore": "/*\n" }, '.sourceignore:1 ("/*") leaves it out of the artifact'],
    ] as const) {
      const { fleetDir } = await fleetWith({ ...repoFiles, ...extra }, { path });
      const io = memoryIO({
        cwd: fleetDir,
        env: { BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: join(fleetDir, ".cache") },
      });
      expect(await main(["render", "--explain-source", "s", "--cluster", "a", "--format", "json"], io)).toBe(1);
      const out = JSON.parse(io.out.join("")) as { objects: unknown[]; diagnostics: Diag[] };
      expect(out.objects).toEqual([]);
      expect(out.diagnostics.map((d) => [d.code, d.location?.file, d.location?.line])).toEqual([
        ["SOURCE_NOT_FOUND", "braid.yaml", 7],
      ]);
      expect(out.diagnostics[0]!.message).toContain(says);
    }
  });

  it("--explain-source needs one cluster that runs the source", async () => {
    const { fleetDir } = await fleetWith(repoFiles);
    const io = memoryIO({
      cwd: fleetDir,
      env: { BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: join(fleetDir, ".cache") },
    });
    expect(await main(["render", "--explain-source", "s"], io)).toBe(2);
    expect(await main(["render", "--explain-source", "nope", "--cluster", "a"], io)).toBe(2);
    expect(io.err.join("")).toMatch(
      /--explain-source needs exactly one --cluster[\s\S]*no source named "nope" in braid.yaml/,
    );
  });

  it("builds once per (source, commit, path): every cluster shares the built objects", async () => {
    const { fleetDir } = await fleetWith(repoFiles, { clusters: { a: "", b: "", c: "" } });
    const run = await renderFleet({
      reader: diskFleetReader(fleetDir),
      senv: { fleetDir, cacheDir: join(fleetDir, ".cache"), env: {} },
      openapiEnv: OPENAPI,
      cwd: fleetDir,
      skipValidation: true,
      explainSource: "s",
    });
    const [a, b, c] = run.clusters.map((cl) => cl.explained!);
    expect(a).toHaveLength(2);
    expect(b![0]).toBe(a![0]);
    expect(c![1]).toBe(a![1]);
  });
});
