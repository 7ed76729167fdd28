import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { memoryIO } from "../src/cli/io.js";
import { makeFixtureRepo } from "./helpers/fixture-repo.js";
import { clusterYaml, fleetYaml, writeFleet } from "./helpers/fleet-dir.js";
import { OPENAPI, readTree } from "./helpers/golden.js";
import { kubectl } from "./helpers/kubectl.js";
import { openApiSkipReason } from "./helpers/openapi-fixture.js";

const NO_OPENAPI = openApiSkipReason("render-edges");

const run = promisify(execFile);
const hasKubectl = Boolean(kubectl);

async function fleetWith(files: Record<string, string>, clusterBody = "") {
  const { dir } = await makeFixtureRepo([{ files, tags: ["v1.0.0"] }]);
  const fleetDir = await writeFleet({
    "braid.yaml": fleetYaml(`    - name: s\n      url: ${dir}\n      ref: { tag: v1.0.0 }`),
    "clusters/a.yaml": clusterYaml("a", clusterBody),
  });
  return fleetDir;
}

async function render(fleetDir: string, extra: string[] = []) {
  const io = memoryIO({
    cwd: fleetDir,
    env: { BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: join(fleetDir, ".cache") },
  });
  const out = join(fleetDir, "..", `out-${Math.random().toString(36).slice(2)}`);
  const code = await main(["render", "--out", out, "--format", "json", ...extra], io);
  return { code, out, report: JSON.parse(io.out.join("") || "{}"), err: io.err.join("") };
}

const cm = (name: string, ns?: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ${name}${ns ? `, namespace: ${ns}` : ""} }\ndata: { k: ${name}${ns ?? ""} }\n`;

describe.skipIf(NO_OPENAPI)("render edge cases", () => {
  it("a cluster patch's annotations are written as strings, and a patch's local-config mark leaves its object out (as Flux's build)", async () => {
    const patches = `  patches:
    - target: { kind: ConfigMap, name: x }
      patch: |
        metadata: { annotations: { replicas: 3, ready: true, note: "1.50" } }
    - target: { kind: ConfigMap, name: y }
      patch: |
        metadata: { annotations: { config.kubernetes.io/local-config: "true" } }
`;
    const fleetDir = await fleetWith({ "a.yaml": cm("x", "apps"), "b.yaml": cm("y", "apps") }, patches);
    const r = await render(fleetDir);
    expect(r.code, r.err).toBe(0);
    const tree = await readTree(join(r.out, "clusters", "a"));
    expect(Object.keys(tree).sort()).toEqual(["apps/configmap-x.yaml", "kustomization.yaml"]);
    expect(tree["apps/configmap-x.yaml"]).toContain(
      'annotations:\n    note: "1.50"\n    ready: "true"\n    replicas: "3"\n',
    );
  });

  it("a RoleBinding's ServiceAccount subject with a blank namespace is an error, as kustomize fails the build", async () => {
    const rb = (ns: string) =>
      `apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: { name: rb, namespace: apps }\nroleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: r }\nsubjects:\n  - kind: ServiceAccount\n    name: sa\n    namespace:${ns}\n`;
    const r = await render(await fleetWith({ "rb.yaml": rb("") }));
    expect(r.code).toBe(1);
    expect(
      r.report.diagnostics.map((d: { code: string; location: { line: number } }) => `${d.code}:${d.location.line}`),
    ).toEqual(["MANIFEST_INVALID:8"]);
    const ok = await render(await fleetWith({ "rb.yaml": rb(" apps") }));
    expect(ok.code, ok.err).toBe(0);
  });

  it("a namespaced object without namespace and the same in `default` are duplicates", async () => {
    const fleetDir = await fleetWith({ "a.yaml": cm("x"), "b.yaml": cm("x", "default") });
    const r = await render(fleetDir);
    expect(r.code).toBe(1);
    expect(r.report.diagnostics.map((d: { code: string }) => d.code)).toEqual(["DUPLICATE_RESOURCE"]);
  });

  it("one object in two versions is a duplicate that names both (kubectl kustomize keeps both; the API server holds one)", async () => {
    const hpa = (version: string) =>
      `apiVersion: autoscaling/${version}\nkind: HorizontalPodAutoscaler\nmetadata: { name: web, namespace: apps }\nspec:\n  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }\n  maxReplicas: 3\n`;
    const r = await render(await fleetWith({ "a.yaml": hpa("v1"), "b.yaml": hpa("v2") }));
    expect(r.code).toBe(1);
    expect(r.report.diagnostics).toEqual([
      expect.objectContaining({
        code: "DUPLICATE_RESOURCE",
        message:
          "HorizontalPodAutoscaler apps/web (autoscaling) is defined twice, as v1 and v2: the API server holds one object for both versions, and the deploy folder one file",
      }),
    ]);
  });

  it("a cluster-scoped object is one whatever namespace it carries: two are duplicates, not two files on one path", async () => {
    // kustomize's namespace transformer gives FlowSchema v1 a namespace; the API server drops it
    const fs = (ns: string) =>
      `apiVersion: flowcontrol.apiserver.k8s.io/v1\nkind: FlowSchema\nmetadata: { name: fs, namespace: ${ns} }\nspec:\n  priorityLevelConfiguration: { name: pl }\n`;
    const r = await render(await fleetWith({ "a.yaml": fs("one"), "b.yaml": fs("two") }));
    expect(r.code).toBe(1);
    expect(r.report.diagnostics.map((d: { code: string }) => d.code)).toEqual(["DUPLICATE_RESOURCE"]);
  });

  it("names differing only in case get distinct files, and kubectl kustomize builds the folder", async () => {
    const role = (name: string) =>
      `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: { name: ${name} }\nrules: []\n`;
    const fleetDir = await fleetWith({ "a.yaml": role("Foo"), "b.yaml": role("foo"), "c.yaml": role("foo-2") });
    const r = await render(fleetDir);
    expect(r.code, r.err).toBe(0);
    const tree = await readTree(join(r.out, "clusters", "a"));
    expect(Object.keys(tree).sort()).toEqual([
      "_cluster/clusterrole-foo-2.yaml",
      "_cluster/clusterrole-foo-3.yaml",
      "_cluster/clusterrole-foo.yaml",
      "kustomization.yaml",
    ]);
    if (hasKubectl) {
      const { stdout } = await run("kubectl", ["kustomize", join(r.out, "clusters", "a")]);
      expect(stdout.match(/kind: ClusterRole/g)).toHaveLength(3);
    }
  });

  it("a strategic patch naming its object without namespace selects it in default only (as kustomize)", async () => {
    const body =
      "  patches:\n    - patch: |\n        apiVersion: v1\n        kind: ConfigMap\n        metadata: { name: x }\n        data: { k: patched }\n";
    const other = await render(await fleetWith({ "a.yaml": cm("x", "apps") }, body));
    expect(other.code).toBe(1);
    expect(other.report.diagnostics[0].code).toBe("PATCH_NO_MATCH");
    const dflt = await render(await fleetWith({ "a.yaml": cm("x") }, body));
    expect(dflt.code, dflt.err).toBe(0);
    expect(await readFile(join(dflt.out, "clusters", "a", "default", "configmap-x.yaml"), "utf8")).toContain(
      "k: patched",
    );
  });

  it("a list of operations without type is a JSON6902 patch (as kustomize)", async () => {
    const body =
      "  patches:\n    - target: { kind: ConfigMap }\n      patch: |\n        - { op: replace, path: /data/k, value: six }\n";
    const r = await render(await fleetWith({ "a.yaml": cm("x", "apps") }, body));
    expect(r.code, r.err).toBe(0);
    expect(await readFile(join(r.out, "clusters", "a", "apps", "configmap-x.yaml"), "utf8")).toContain("k: six");
  });

  it("--fleet may name braid.yaml; --cluster takes several names", async () => {
    const fleetDir = await fleetWith({ "a.yaml": cm("x", "apps") });
    const io = memoryIO({
      cwd: "/",
      env: { BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: join(fleetDir, ".cache") },
    });
    expect(
      await main(["validate", "--fleet", join(fleetDir, "braid.yaml"), "--cluster", "a", "--format", "json"], io),
    ).toBe(0);
    const two = memoryIO({
      cwd: fleetDir,
      env: { BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: join(fleetDir, ".cache") },
    });
    expect(await main(["validate", "--cluster", "a", "b"], two)).toBe(2);
    expect(two.err.join("")).toContain('no cluster named "b"');
  });

  it("an output.path that leaves the output folder is a config error", async () => {
    for (const path of ["../../{cluster}", "/abs/{cluster}", "a/./{cluster}", "a//{cluster}", "clusters"]) {
      const fleetDir = await writeFleet({
        "braid.yaml": fleetYaml("    - { name: s, url: ./x }", `  output: { path: "${path}" }`),
        "clusters/a.yaml": clusterYaml("a"),
      });
      const r = await render(fleetDir);
      expect(r.code, path).toBe(1);
      expect(r.report.diagnostics[0]).toMatchObject({ code: "CONFIG_SCHEMA", path: "/spec/output/path" });
    }
  });

  it("reads YAML as kubectl does: leading-zero octal ints, _ separators and << merge keys", async () => {
    const src = `apiVersion: v1
kind: ConfigMap
metadata:
  name: merged
  namespace: apps
  labels: &d { LOG: info, MODE: "0644" }
data:
  <<: *d
  EXTRA: "yes"
---
apiVersion: v1
kind: Pod
metadata: { name: p, namespace: apps }
spec:
  containers: [ { name: c, image: i } ]
  activeDeadlineSeconds: 1_000
  volumes:
    - name: v
      secret: { secretName: s, defaultMode: 0440 }
`;
    const fleetDir = await fleetWith({ "a.yaml": src });
    const r = await render(fleetDir);
    expect(r.code, r.err + JSON.stringify(r.report.diagnostics)).toBe(0);
    const pod = await readFile(join(r.out, "clusters", "a", "apps", "pod-p.yaml"), "utf8");
    expect(pod).toContain("defaultMode: 288");
    expect(pod).toContain("activeDeadlineSeconds: 1000");
    const merged = await readFile(join(r.out, "clusters", "a", "apps", "configmap-merged.yaml"), "utf8");
    expect(merged).toContain('EXTRA: "yes"');
    expect(merged).toContain("LOG: info");
    expect(merged).toContain('MODE: "0644"');
    if (hasKubectl) {
      const { writeFile, mkdtemp } = await import("node:fs/promises");
      const dir = await mkdtemp(join(fleetDir, "..", "kz-"));
      await writeFile(join(dir, "r.yaml"), src);
      await writeFile(join(dir, "kustomization.yaml"), "resources: [r.yaml]\n");
      const { stdout } = await run("kubectl", ["kustomize", dir]);
      expect(stdout).toContain("defaultMode: 288");
      expect(stdout).toContain("activeDeadlineSeconds: 1000");
      expect(stdout).toMatch(/LOG: info/);
    }
  });

  it("one YAML syntax error is one message (with a count of what follows), not a cascade", async () => {
    const fleetDir = await fleetWith({
      "a.yaml":
        "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x, namespace: a }\ndata: { a: ${X}, b: [ }\nfoo: [\n",
    });
    const r = await render(fleetDir);
    expect(r.code).toBe(1);
    const syntax = r.report.diagnostics.filter((d: { code: string }) => d.code === "YAML_SYNTAX");
    expect(syntax).toHaveLength(1);
    expect(syntax[0].message).toMatch(/more errors? in this file/);
  });

  it("an undefined variable inside a block scalar is reported at its own line", async () => {
    const src =
      "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x, namespace: a }\ndata:\n  run.sh: |\n    echo start\n    echo $HOME\n    echo ${MISSING}\n";
    const r = await render(await fleetWith({ "a.yaml": src }));
    expect(r.code).toBe(1);
    const d = r.report.diagnostics.find((x: { code: string }) => x.code === "SUBST_UNDEFINED");
    expect(d.location).toMatchObject({ file: "a.yaml", line: 8 });
  });

  it("an undefined variable in a name is one SUBST_UNDEFINED per use, not also a schema error or a clash of emptied names", async () => {
    // the shape of a shared template folder (bjw-s/home-ops' volsync): names built from ${APP}
    const r = await render(
      await fleetWith({
        "a.yaml":
          "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: '${APP}', namespace: a }\ndata: { k: v }\n---\n" +
          "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: '${OTHER}', namespace: a }\ndata: { k: v }\n---\n" +
          "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ok, namespace: a }\ndata: { k: [1] }\n",
      }),
    );
    expect(r.code).toBe(1);
    const codes = r.report.diagnostics.map((d: { code: string }) => d.code).sort();
    // the object that substituted cleanly is still validated (a data value must be a string)
    expect(codes).toEqual(["SCHEMA_VIOLATION", "SUBST_UNDEFINED", "SUBST_UNDEFINED"]);
    const schema = r.report.diagnostics.find((d: { code: string }) => d.code === "SCHEMA_VIOLATION");
    expect(schema.resource).toContain("ok");
  });

  it("a cluster patch that writes NaN or an infinity is an error at the resource (Flux's build could not write it)", async () => {
    const r = await render(
      await fleetWith(
        { "a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x, namespace: a }\ndata: { k: v }\n" },
        "  patches:\n    - patch: |\n        apiVersion: v1\n        kind: ConfigMap\n        metadata: { name: x, namespace: a, annotations: { n: .nan } }\n        data: { k: .inf }\n",
      ),
    );
    expect(r.code).toBe(1);
    const bad = r.report.diagnostics.filter((d: { code: string }) => d.code === "PATCH_INVALID");
    // the annotation is written as text, as kustomize writes annotations; the data value is refused
    expect(bad.map((d: { path: string }) => d.path)).toEqual(["/data/k"]);
  });
});
