/**
 * kustomize's `openapi` field: a custom schema document takes the place of the built-in Kubernetes schema for
 * the build's strategic merges (kyaml openapi SetSchema), chosen by the top kustomization or else by the first
 * folder built that has one. Where kubectl is on the machine, each build must equal `kubectl kustomize`.
 */
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
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
import { WIDGET_CRD, WIDGET_SCHEMA as SCHEMA } from "./helpers/widget-kind.js";

const run = promisify(execFile);
const skip = openApiSkipReason("kustomize openapi");

const KUST = (body: string) => `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n${body}`;

/** A Widget (helpers/widget-kind.ts) and a patch of its item `b`. */
const WIDGET = (name: string) =>
  `apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: ${name}\nspec:\n  items:\n  - id: a\n    size: 1\n  - id: b\n    size: 2\n`;
const WIDGET_PATCH = (name: string) =>
  `- patch: |-\n    apiVersion: example.com/v1\n    kind: Widget\n    metadata:\n      name: ${name}\n    spec:\n      items:\n      - id: b\n        size: 3\n`;
const DEPLOYMENT = [
  "apiVersion: apps/v1",
  "kind: Deployment",
  "metadata:\n  name: d\n  finalizers: [one]",
  "spec:",
  "  selector: { matchLabels: { app: d } }",
  "  template:",
  "    metadata: { labels: { app: d } }",
  "    spec:\n      containers:\n      - { name: c, image: nginx }",
  "",
].join("\n");
/** metadata.finalizers merge (a union) by the built-in schema; a schema without Deployment replaces them. */
const DEPLOYMENT_PATCH = `- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: d\n      finalizers: [two]\n`;

async function build(files: Record<string, string>, path = "app") {
  const { dir } = await makeFixtureRepo([{ files: { "crd.yaml": WIDGET_CRD, ...files }, tags: ["v1"] }]);
  const fleetDir = await writeFleet({
    "braid.yaml": fleetYaml(`    - name: s\n      url: ${dir}\n      ref: { tag: v1 }\n      path: ${path}`),
    "clusters/a.yaml": clusterYaml("a", ""),
  });
  const io = memoryIO({
    cwd: fleetDir,
    env: { BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: join(fleetDir, ".cache") },
  });
  const code = await main(["render", "--explain-source", "s", "--cluster", "a", "--format", "json"], io);
  const report = JSON.parse(io.out.join("") || "{}") as {
    objects?: { object: { kind: string; metadata: { name: string } } }[];
    diagnostics: { code: string; message: string; location?: { file: string; line?: number } }[];
  };
  const objects = new Map((report.objects ?? []).map(({ object: o }) => [`${o.kind}/${o.metadata.name}`, o]));
  return { code, report, objects, repo: dir };
}

/** kubectl kustomize of the folder, as objects by kind/name (undefined without kubectl). */
async function kubectlObjects(dir: string): Promise<Map<string, unknown> | undefined> {
  if (!kubectl) return undefined;
  const { stdout } = await run(kubectl, ["kustomize", "--load-restrictor", "LoadRestrictionsNone", dir], {
    maxBuffer: 1 << 26,
  });
  return new Map(
    parseAllDocuments(stdout).map((d) => {
      const o = d.toJS() as { kind: string; metadata: { name: string } };
      return [`${o.kind}/${o.metadata.name}`, o];
    }),
  );
}

const itemsOf = (objects: Map<string, unknown>, name: string) =>
  (objects.get(`Widget/${name}`) as { spec: { items: unknown[] } }).spec.items;
const finalizersOf = (objects: Map<string, unknown>) =>
  (objects.get("Deployment/d") as { metadata: { finalizers: string[] } }).metadata.finalizers;

describe.skipIf(skip)("kustomize's openapi field", () => {
  it("a custom schema replaces the built-in one for the build's strategic merges, as kubectl kustomize does", async () => {
    const resources = "resources: [w.yaml, d.yaml, ../crd.yaml]\npatches:\n" + WIDGET_PATCH("w") + DEPLOYMENT_PATCH;
    const files = { "app/w.yaml": WIDGET("w"), "app/d.yaml": DEPLOYMENT, "app/schema.json": SCHEMA };
    // without it: Widget items are replaced (no key kustomize infers), Deployment finalizers merge
    const plain = await build({ ...files, "app/kustomization.yaml": KUST(resources) });
    expect(plain.report.diagnostics).toEqual([]);
    expect(itemsOf(plain.objects, "w")).toEqual([{ id: "b", size: 3 }]);
    expect(finalizersOf(plain.objects)).toEqual(["two", "one"]);
    const kPlain = await kubectlObjects(join(plain.repo, "app"));
    if (kPlain) expect(plain.objects).toEqual(kPlain);
    // with it: Widget items merge by id; Deployment, which the schema does not define, has no merge keys
    const custom = await build({
      ...files,
      "app/kustomization.yaml": KUST(`openapi:\n  path: schema.json\n${resources}`),
    });
    expect(custom.report.diagnostics).toEqual([]);
    // (the patched element first, as kustomize's merge orders them)
    expect(itemsOf(custom.objects, "w")).toEqual([
      { id: "b", size: 3 },
      { id: "a", size: 1 },
    ]);
    expect(finalizersOf(custom.objects)).toEqual(["two"]);
    const kCustom = await kubectlObjects(join(custom.repo, "app"));
    if (kCustom) expect(custom.objects).toEqual(kCustom);
    // a YAML document reads the same (kustomize reads JSON only when the text starts with "{")
    const yamlSchema = await build({
      ...files,
      "app/schema.yaml": `# Widget\n${SCHEMA}\n`,
      "app/kustomization.yaml": KUST(`openapi:\n  path: schema.yaml\n${resources}`),
    });
    expect(yamlSchema.report.diagnostics).toEqual([]);
    expect(yamlSchema.objects).toEqual(custom.objects);
    // the one version built into kustomize is its default schema
    const version = await build({
      ...files,
      "app/kustomization.yaml": KUST(`openapi:\n  version: v1.21.2\n${resources}`),
    });
    expect(version.report.diagnostics).toEqual([]);
    expect(version.objects).toEqual(plain.objects);
  });

  it("a folder's schema holds from that folder on, unless the top kustomization chose one", async () => {
    const files = {
      "app/kustomization.yaml": KUST("resources: [../first, ../base, ../crd.yaml]\npatches:\n" + WIDGET_PATCH("late")),
      "first/kustomization.yaml": KUST("resources: [w.yaml]\npatches:\n" + WIDGET_PATCH("early")),
      "first/w.yaml": WIDGET("early"),
      "base/kustomization.yaml": KUST(
        "openapi:\n  path: schema.json\nresources: [w.yaml]\npatches:\n" + WIDGET_PATCH("base"),
      ),
      "base/w.yaml": WIDGET("base") + "---\n" + WIDGET("late"),
      "base/schema.json": SCHEMA,
    };
    const r = await build(files);
    expect(r.report.diagnostics).toEqual([]);
    // built before the base chose the schema: replaced; in the base and after it: merged
    expect(itemsOf(r.objects, "early")).toEqual([{ id: "b", size: 3 }]);
    expect(itemsOf(r.objects, "base")).toHaveLength(2);
    expect(itemsOf(r.objects, "late")).toHaveLength(2);
    const k = await kubectlObjects(join(r.repo, "app"));
    if (k) expect(r.objects).toEqual(k);
    // the top kustomization's choice wins over a folder's: the built-in version here
    const top = await build({
      ...files,
      "app/kustomization.yaml": KUST(
        "openapi:\n  version: v1.21.2\nresources: [../first, ../base, ../crd.yaml]\npatches:\n" + WIDGET_PATCH("late"),
      ),
    });
    expect(top.report.diagnostics).toEqual([]);
    expect(itemsOf(top.objects, "base")).toEqual([{ id: "b", size: 3 }]);
    const kTop = await kubectlObjects(join(top.repo, "app"));
    if (kTop) expect(top.objects).toEqual(kTop);
  });

  it("in a plain folder, Flux's generated kustomization builds its folders as one build: the first schema holds for the folders after it", async () => {
    const folder = (name: string, openapi: boolean) => ({
      [`app/${name}/kustomization.yaml`]: KUST(
        `${openapi ? "openapi:\n  path: schema.json\n" : ""}resources: [w.yaml]\npatches:\n${WIDGET_PATCH(name)}`,
      ),
      [`app/${name}/w.yaml`]: WIDGET(name),
      ...(openapi ? { [`app/${name}/schema.json`]: SCHEMA } : {}),
    });
    const r = await build({
      ...folder("a", false),
      ...folder("b", true),
      ...folder("c", false),
      "app/crd.yaml": WIDGET_CRD,
    });
    expect(r.report.diagnostics).toEqual([]);
    expect(itemsOf(r.objects, "a")).toEqual([{ id: "b", size: 3 }]);
    expect(itemsOf(r.objects, "b")).toHaveLength(2);
    expect(itemsOf(r.objects, "c")).toHaveLength(2);
    if (kubectl) {
      // (the kustomization Flux generates for the folder: its files and folders, in name order)
      await writeFile(join(r.repo, "app", "kustomization.yaml"), KUST("resources: [a, b, c, crd.yaml]\n"));
      expect(r.objects).toEqual(await kubectlObjects(join(r.repo, "app")));
    }
  });

  it("a schema whose paths would make a kind of the build cluster-scoped is refused (kustomize would drop its namespace)", async () => {
    const withPaths = JSON.stringify({
      ...(JSON.parse(SCHEMA) as object),
      paths: {
        "/apis/example.com/v1/widgets/{name}": {
          get: { "x-kubernetes-group-version-kind": { group: "example.com", version: "v1", kind: "Widget" } },
        },
      },
    });
    const files = {
      "app/kustomization.yaml": KUST(
        "openapi:\n  path: schema.json\nnamespace: team\nresources: [w.yaml, ../crd.yaml]\n",
      ),
      "app/w.yaml": WIDGET("w"),
      "app/schema.json": withPaths,
    };
    const r = await build(files);
    expect(r.code).toBe(1);
    expect(r.report.diagnostics).toEqual([
      expect.objectContaining({
        code: "KUSTOMIZE_UNSUPPORTED",
        message: expect.stringContaining("make Widget (example.com/v1) cluster-scoped") as string,
        location: expect.objectContaining({ file: "app/kustomization.yaml", line: 4 }) as object,
      }),
    ]);
    const k = await kubectlObjects(join(r.repo, "app"));
    if (k) expect(k.get("Widget/w")).not.toHaveProperty("metadata.namespace"); // (what braid would not write)
    // without such an object, the schema is used as it is
    const other = await build({
      ...files,
      "app/kustomization.yaml": KUST("openapi:\n  path: schema.json\nresources: [d.yaml]\n"),
      "app/d.yaml": DEPLOYMENT,
    });
    expect(other.report.diagnostics).toEqual([]);
  });

  it("refuses what kustomize refuses: another version, both keys, a missing or unreadable schema", async () => {
    const cases: [string, Record<string, string>, string, number][] = [
      ["openapi:\n  version: v1.30.0\n", {}, "is not built into kustomize", 4],
      ["openapi:\n  version: v1.21.2\n  path: schema.json\n", { "app/schema.json": SCHEMA }, "cannot use both", 3],
      ["openapi:\n  path: gone.json\n", {}, 'openapi path "gone.json" does not exist', 4],
      ["openapi:\n  path: schema.json\n", { "app/schema.json": "{ not json" }, "is not a schema kustomize can read", 4],
      ["openapi:\n  path: ../../x.json\n", {}, "leaves the source repository", 4],
    ];
    for (const [field, more, message, line] of cases) {
      const r = await build({
        ...more,
        "app/kustomization.yaml": KUST(`${field}resources: [w.yaml]\n`),
        "app/w.yaml": WIDGET("w"),
      });
      expect(r.code, field).toBe(1);
      expect(r.report.diagnostics, field).toEqual([
        expect.objectContaining({
          message: expect.stringContaining(message) as string,
          location: expect.objectContaining({ file: "app/kustomization.yaml", line }) as object,
        }),
      ]);
      if (kubectl) await expect(kubectlObjects(join(r.repo, "app")), field).rejects.toThrow();
    }
  });
});
