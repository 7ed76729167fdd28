/**
 * Typed variables wherever they were written (issue 9): Flux substitutes on the built YAML text, so an
 * unquoted `${VAR}` becomes the YAML type of its value whether a source or a patch (strategic text, inline
 * mapping, JSON6902 value) wrote it; a quoted `"${VAR}"` stays a string (SPEC). And merge keys holding
 * variables merge before substitution, as kustomize does. Everything runs through the CLI on a real
 * fixture repository; where kubectl is on the machine, the same source and patches go through
 * `kubectl kustomize` and then Flux's substitution (envsubst on the text, YAML parsed back) for comparison.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { parse, parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { memoryIO } from "../src/cli/io.js";
import { envsubst } from "../src/render/envsubst.js";
import { makeFixtureRepo } from "./helpers/fixture-repo.js";
import { OPENAPI } from "./helpers/golden.js";
import { kubectl, kubectlSkipReason } from "./helpers/kubectl.js";
import { openApiSkipReason } from "./helpers/openapi-fixture.js";

/** Every case renders through the CLI, which needs the Kubernetes OpenAPI. */
const NO_OPENAPI = openApiSkipReason("typed variables") !== undefined;

const run = promisify(execFile);

async function writeAll(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

/** A source repository (manifests under `manifests/`) and a fleet using it; renders with the CLI. */
async function renderFleet(
  source: Record<string, string>,
  fleet: { spec?: string; cluster?: string; files?: Record<string, string>; sourceExtra?: string },
): Promise<{ code: number; out: string; err: string; dir: string; root: string }> {
  const root = await mkdtemp(join(tmpdir(), "braid-typed-"));
  await makeFixtureRepo([{ files: source, tags: ["v1.0.0"] }], { dir: join(root, "source") });
  await writeAll(join(root, "fleet"), {
    "braid.yaml": `apiVersion: braid/v1alpha1
kind: Fleet
metadata: { name: typed }
spec:
  kubernetesVersion: "1.34"
  validation: { ignoreMissingSchemas: true }
  sources:
    - name: app
      url: ../source
      ref: { tag: v1.0.0 }
      path: manifests
${fleet.sourceExtra ?? ""}
${fleet.spec ?? ""}`,
    "clusters/c1.yaml": `apiVersion: braid/v1alpha1
kind: Cluster
metadata: { name: c1 }
spec:
${fleet.cluster ?? "  vars: {}"}
`,
    ...fleet.files,
  });
  const env = { BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: join(root, "cache") };
  const io = memoryIO({ cwd: join(root, "fleet"), env });
  const dir = join(root, "out");
  const code = await main(["render", "--out", dir], io);
  return { code, out: io.out.join(""), err: io.err.join(""), dir: join(dir, "clusters", "c1"), root };
}

const read = (dir: string, file: string): Promise<string> => readFile(join(dir, file), "utf8");

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: apps
spec:
  replicas: 1
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: \${APP}
          image: nginx:1
`;

const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: apps
spec:
  selector: { app: web }
  ports:
    - port: 80
      targetPort: 8080
`;

const VARS = `  vars: { APP: web, REPLICAS: "3", PORT: "9090", COUNT: "3", DEBUG: "on" }`;

describe.skipIf(NO_OPENAPI)("typed variables written by patches", () => {
  it("a strategic patch file's plain `replicas: ${REPLICAS}` renders as a number, a quoted one as a string", async () => {
    const r = await renderFleet(
      { "manifests/deploy.yaml": DEPLOYMENT },
      {
        cluster: `${VARS}
  patches:
    - path: patches/replicas.yaml`,
        files: {
          "patches/replicas.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: apps }
spec:
  replicas: \${REPLICAS}
  template:
    metadata:
      annotations:
        replicas: "\${REPLICAS}"
`,
        },
      },
    );
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const text = await read(r.dir, "apps/deployment-web.yaml");
    expect(text).toContain("\n  replicas: 3\n");
    expect(text).toContain('replicas: "3"'); // quoted in the patch: a string (annotations must be strings)
    const obj = parse(text);
    expect(obj.spec.replicas).toBe(3);
  }, 60_000);

  it("a patch's plain `${DEBUG}` = on is the YAML 1.1 bool true (go-yaml v2): an annotation cannot hold it", async () => {
    const r = await renderFleet(
      { "manifests/deploy.yaml": DEPLOYMENT },
      {
        cluster: `${VARS}
  patches:
    - target: { kind: Deployment }
      patch: |
        metadata:
          annotations:
            debug: \${DEBUG}`,
      },
    );
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      "clusters/c1.yaml:11:20: error SCHEMA_VIOLATION: [cluster c1 Deployment apps/web /metadata/annotations/debug] must be string, not boolean true\n" +
        "    10 |           annotations:\n" +
        "  > 11 |             debug: ${DEBUG}\n" +
        "       |                    ^\n",
    );
  }, 60_000);

  it("inline text and inline mapping patches type their plain variables too", async () => {
    const r = await renderFleet(
      { "manifests/deploy.yaml": DEPLOYMENT, "manifests/svc.yaml": SERVICE },
      {
        cluster: `${VARS}
  patches:
    - target: { kind: Deployment, name: web }
      patch: |
        spec:
          replicas: \${REPLICAS}
    - target: { kind: Service, name: web }
      patch:
        spec:
          ports:
            - port: 80
              targetPort: \${PORT}`,
      },
    );
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(parse(await read(r.dir, "apps/deployment-web.yaml")).spec.replicas).toBe(3);
    expect(parse(await read(r.dir, "apps/service-web.yaml")).spec.ports).toEqual([{ port: 80, targetPort: 9090 }]);
  }, 60_000);

  it("a JSON6902 value `${PORT}` gives a Service an integer targetPort; a quoted one stays a named port string", async () => {
    const r = await renderFleet(
      { "manifests/svc.yaml": SERVICE },
      {
        cluster: `${VARS}
  patches:
    - target: { kind: Service, name: web }
      type: json6902
      patch: |
        - op: replace
          path: /spec/ports/0/targetPort
          value: \${PORT}
        - op: add
          path: /spec/ports/-
          value:
            name: metrics
            port: \${PORT}
            targetPort: "\${APP}"
        - op: add
          path: /metadata/annotations
          value: { port: "\${PORT}" }`,
      },
    );
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const svc = parse(await read(r.dir, "apps/service-web.yaml"));
    expect(svc.spec.ports).toEqual([
      { port: 80, targetPort: 9090 },
      { name: "metrics", port: 9090, targetPort: "web" },
    ]);
    expect(svc.metadata.annotations).toEqual({ port: "9090" });
  }, 60_000);

  it("HelmRelease values: a plain `${COUNT}` is the number 3 (not '3') from the source and from a merge patch", async () => {
    const r = await renderFleet(
      {
        "manifests/hr.yaml": `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: { name: podinfo, namespace: apps }
spec:
  interval: 5m
  chart: { spec: { chart: podinfo, sourceRef: { kind: HelmRepository, name: podinfo } } }
  values:
    replicaCount: \${COUNT}
    quoted: "\${COUNT}"
`,
      },
      {
        cluster: `${VARS}
  patches:
    - target: { kind: HelmRelease, name: podinfo }
      type: merge
      patch:
        spec:
          values:
            hpa:
              maxReplicas: \${COUNT}
              enabled: \${DEBUG}`,
      },
    );
    expect(r.err).toContain("warning SCHEMA_MISSING"); // no HelmRelease CRD here
    expect(r.err).not.toContain(" error ");
    expect(r.code).toBe(0);
    const text = await read(r.dir, "apps/helmrelease-podinfo.yaml");
    const hr = parse(text);
    expect(hr.spec.values).toEqual({ replicaCount: 3, quoted: "3", hpa: { maxReplicas: 3, enabled: true } });
    expect(text).not.toContain("'3'");
  }, 60_000);

  it("a patch that replaces a plain value with a quoted one leaves a string, and the reverse a number", async () => {
    const r = await renderFleet(
      {
        "manifests/cm.yaml": `apiVersion: v1
kind: ConfigMap
metadata: { name: cfg, namespace: apps }
data:
  a: x
`,
        "manifests/deploy.yaml": DEPLOYMENT.replace("replicas: 1", "replicas: ${REPLICAS}"),
      },
      {
        cluster: `${VARS}
  patches:
    - target: { kind: Deployment }
      patch: |
        metadata:
          annotations: { r: "\${REPLICAS}" }`,
      },
    );
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const d = parse(await read(r.dir, "apps/deployment-web.yaml"));
    expect(d.spec.replicas).toBe(3); // the source's plain scalar keeps its type through the patch
    expect(d.metadata.annotations).toEqual({ r: "3" });
  }, 60_000);
});

describe.skipIf(NO_OPENAPI)("typed variables in a kustomize-built source", () => {
  it("a kustomization's own patch types its plain variables and merges a variable merge key", async () => {
    const r = await renderFleet(
      {
        "manifests/deploy.yaml": DEPLOYMENT,
        "manifests/kustomization.yaml": `resources: [deploy.yaml]
patches:
  - patch: |
      apiVersion: apps/v1
      kind: Deployment
      metadata: { name: web, namespace: apps }
      spec:
        replicas: \${REPLICAS}
        template:
          spec:
            containers:
              - name: \${APP}
                image: nginx:2
`,
      },
      { cluster: VARS },
    );
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const d = parse(await read(r.dir, "apps/deployment-web.yaml"));
    expect(d.spec.replicas).toBe(3);
    expect(d.spec.template.spec.containers).toEqual([{ name: "web", image: "nginx:2" }]);
  }, 60_000);
});

describe.skipIf(NO_OPENAPI)("merge keys holding variables", () => {
  it("a strategic patch's container `name: ${APP}` merges with the source's `name: ${APP}`: one container", async () => {
    const r = await renderFleet(
      { "manifests/deploy.yaml": DEPLOYMENT },
      {
        cluster: `${VARS}
  patches:
    - patch: |
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web, namespace: apps }
        spec:
          template:
            spec:
              containers:
                - name: \${APP}
                  image: nginx:2`,
      },
    );
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const d = parse(await read(r.dir, "apps/deployment-web.yaml"));
    expect(d.spec.template.spec.containers).toEqual([{ name: "web", image: "nginx:2" }]);
  }, 60_000);

  it('a quoted `name: "${APP}"` in the patch merges with a plain one in the source (kustomize compares text)', async () => {
    const r = await renderFleet(
      { "manifests/deploy.yaml": DEPLOYMENT },
      {
        cluster: `${VARS}
  patches:
    - target: { kind: Deployment }
      patch:
        spec:
          template:
            spec:
              containers:
                - name: "\${APP}"
                  image: nginx:3`,
      },
    );
    expect(r.code).toBe(0);
    const d = parse(await read(r.dir, "apps/deployment-web.yaml"));
    expect(d.spec.template.spec.containers).toEqual([{ name: "web", image: "nginx:3" }]);
  }, 60_000);
});

describe.skipIf(NO_OPENAPI)('a quoted "${PORT}" Service targetPort', () => {
  it('is the string "9090", which the API server rejects: braid says so where the patch wrote it', async () => {
    const r = await renderFleet(
      { "manifests/svc.yaml": SERVICE },
      {
        cluster: `${VARS}
  patches:
    - target: { kind: Service, name: web }
      type: json6902
      patch:
        - op: replace
          path: /spec/ports/0/targetPort
          value: "\${PORT}"`,
      },
    );
    expect(r.code).toBe(1);
    expect(r.err.split("\n")[0]).toBe(
      'clusters/c1.yaml:12:18: error SCHEMA_VIOLATION: [cluster c1 Service apps/web /spec/ports/0/targetPort] targetPort "9090" is neither a port number ' +
        "nor a port name (IsValidPortName: 1–15 lower-case letters, digits and '-', with a letter); write it unquoted to make it a number",
    );
  }, 60_000);
});

describe.skipIf(NO_OPENAPI)("duplicate container names", () => {
  it("a JSON6902 patch adding a second container named like the first fails where the patch wrote it", async () => {
    const r = await renderFleet(
      { "manifests/deploy.yaml": DEPLOYMENT },
      {
        cluster: `${VARS}
  patches:
    - target: { kind: Deployment, name: web }
      type: json6902
      patch:
        - op: add
          path: /spec/template/spec/initContainers
          value:
            - name: \${APP}
              image: busybox`,
      },
    );
    expect(r.code).toBe(1);
    expect(r.err.split("\n")[0]).toBe(
      "clusters/c1.yaml:13:21: error SCHEMA_VIOLATION: [cluster c1 Deployment apps/web /spec/template/spec/initContainers/0/name] " +
        'duplicate container name "web": initContainers[0] has the name of containers[0] (names are unique across containers, initContainers and ephemeralContainers)',
    );
  }, 60_000);
});

/** Flux's post-build step on a kustomize build: envsubst over the YAML text, then the text parsed back. */
function fluxSubstitute(text: string, vars: Record<string, string>): unknown[] {
  const { output, errors } = envsubst(text, vars, { strict: true });
  expect(errors).toEqual([]);
  return parseAllDocuments(output, { version: "1.1" }).map((d) => d.toJS() as unknown);
}

const skip = kubectlSkipReason("typed variables vs kubectl kustomize");

describe.skipIf(skip !== undefined)("typed variables: braid vs kubectl kustomize + Flux substitution", () => {
  it("renders the same objects for plain variables in source, strategic, inline and JSON6902 patches", async () => {
    const vars = { APP: "web", REPLICAS: "3", PORT: "9090", COUNT: "3", DEBUG: "on" };
    const helmRelease = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: { name: podinfo, namespace: apps }
spec:
  interval: 5m
  values:
    replicaCount: \${COUNT}
`;
    const hrPatch = `- op: add
  path: /spec/values/hpa
  value:
    enabled: \${DEBUG}
    maxReplicas: \${COUNT}
`;
    const strategic = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: apps }
spec:
  replicas: \${REPLICAS}
  template:
    spec:
      containers:
        - name: \${APP}
          image: nginx:2
          ports:
            - containerPort: \${PORT}
`;
    const json6902 = `- op: replace
  path: /spec/ports/0/targetPort
  value: \${PORT}
`;
    const r = await renderFleet(
      { "manifests/deploy.yaml": DEPLOYMENT, "manifests/svc.yaml": SERVICE, "manifests/hr.yaml": helmRelease },
      {
        cluster: `  vars: { APP: web, REPLICAS: "3", PORT: "9090", COUNT: "3", DEBUG: "on" }
  patches:
    - path: patches/deploy.yaml
    - target: { kind: Service, name: web }
      path: patches/svc.yaml
    - target: { kind: HelmRelease }
      path: patches/hr.yaml`,
        files: { "patches/deploy.yaml": strategic, "patches/svc.yaml": json6902, "patches/hr.yaml": hrPatch },
      },
    );
    expect(r.err).toContain("warning SCHEMA_MISSING"); // no HelmRelease CRD here
    expect(r.code).toBe(0);
    const ours = [
      parse(await read(r.dir, "apps/deployment-web.yaml")),
      parse(await read(r.dir, "apps/service-web.yaml")),
      parse(await read(r.dir, "apps/helmrelease-podinfo.yaml")),
    ];

    const k = join(r.root, "kustomize");
    await writeAll(k, {
      "deploy.yaml": DEPLOYMENT,
      "svc.yaml": SERVICE,
      "deploy-patch.yaml": strategic,
      "svc-patch.yaml": json6902,
      "hr.yaml": helmRelease,
      "hr-patch.yaml": hrPatch,
      "kustomization.yaml": `resources: [deploy.yaml, svc.yaml, hr.yaml]
patches:
  - path: deploy-patch.yaml
  - path: svc-patch.yaml
    target: { kind: Service, name: web }
  - path: hr-patch.yaml
    target: { kind: HelmRelease }
`,
    });
    const { stdout } = await run(kubectl!, ["kustomize", k]);
    const theirs = fluxSubstitute(stdout, vars);
    const byKind = (objs: unknown[], kind: string) => objs.find((o) => (o as { kind: string }).kind === kind);
    expect(ours[0]).toEqual(byKind(theirs, "Deployment"));
    expect(ours[1]).toEqual(byKind(theirs, "Service"));
    expect(ours[2]).toEqual(byKind(theirs, "HelmRelease"));
    expect(ours[2].spec.values).toEqual({ replicaCount: 3, hpa: { enabled: true, maxReplicas: 3 } });
  }, 60_000);
});

/** Text from upstream manifests that is not meant for Flux's substitution (shapes seen in kube-prometheus and argo-cd HA). */
const UPSTREAM_LIKE = `apiVersion: v1
kind: ConfigMap
metadata:
  name: upstream
  namespace: apps
data:
  dashboard.json: '{"datasource": "\${datasource}", "title": "\${__data.fields.name}"}'
  blackbox.yml: |
    modules:
      http_2xx:
        replacement: \${1}
  sentinel.sh: |
    AUTH="\${AUTH}"
    ID="\${SENTINEL_ID_\${INDEX}}"
    echo $$HOME $\${HOME}
---
apiVersion: v1
kind: Pod
metadata:
  name: shell
  namespace: apps
spec:
  containers:
    - name: sh
      image: busybox
      args: ["sh", "-c", "echo $$(HOME)"]
`;

describe.skipIf(NO_OPENAPI)("substitute: true|false per source", () => {
  it("a source with substitute: false renders untouched ($$ included); the default substitutes and fails on upstream text", async () => {
    const off = await renderFleet(
      { "manifests/upstream.yaml": UPSTREAM_LIKE },
      { sourceExtra: "      substitute: false" },
    );
    expect(off.err).toBe("");
    expect(off.code).toBe(0);
    const cm = parse(await read(off.dir, "apps/configmap-upstream.yaml"));
    const source = parseAllDocuments(UPSTREAM_LIKE).map((d) => d.toJS());
    expect(cm).toEqual(source[0]);
    expect(parse(await read(off.dir, "apps/pod-shell.yaml"))).toEqual(source[1]);

    const on = await renderFleet({ "manifests/upstream.yaml": UPSTREAM_LIKE }, {});
    expect(on.code).toBe(1);
    const lines = on.err.split("\n").filter((l) => l.includes(" error "));
    expect(lines.map((l) => l.replace(/^app@[0-9a-f]+:/, "").replace(/\].*$/, "]"))).toEqual([
      "manifests/upstream.yaml:7:19: error SUBST_SYNTAX: [cluster c1 ConfigMap apps/upstream /data/dashboard.json]",
      "manifests/upstream.yaml:11: error SUBST_UNDEFINED: [cluster c1 ConfigMap apps/upstream /data/blackbox.yml]",
      "manifests/upstream.yaml:14: error SUBST_SYNTAX: [cluster c1 ConfigMap apps/upstream /data/sentinel.sh]",
    ]);
    expect(on.err).toContain(
      "  hint: 1 cannot be defined (variable names match ^[_a-zA-Z][_a-zA-Z0-9]*$), or give a default: ${1:-value}; " +
        'if the text is not meant for substitution, set substitute: false on source "app" (braid.yaml, or a group or cluster), ' +
        "annotate the resource kustomize.toolkit.fluxcd.io/substitute: disabled, or write $${ for a literal ${\n",
    );
    expect(on.err).toContain(
      "  hint: fix the expression (Flux's envsubst syntax); if the text is not meant for substitution (a shell or template expression), " +
        'set substitute: false on source "app"',
    );
  }, 60_000);

  it("a substituted source turns $$ into $ ($$(HOME) in container args becomes $(HOME))", async () => {
    const pod = UPSTREAM_LIKE.split("---\n")[1]!;
    const r = await renderFleet({ "manifests/pod.yaml": pod }, {});
    expect(r.err).toBe("");
    expect(parse(await read(r.dir, "apps/pod-shell.yaml")).spec.containers[0].args).toEqual([
      "sh",
      "-c",
      "echo $(HOME)",
    ]);
  }, 60_000);

  it("layers like pins: a group turns it off for its clusters, a cluster back on; the input digest follows", async () => {
    const pod = UPSTREAM_LIKE.split("---\n")[1]!;
    const r = await renderFleet(
      { "manifests/pod.yaml": pod },
      {
        cluster: `  vars: {}
  sources:
    - name: app
      substitute: true`,
        files: {
          "groups/raw.yaml": `apiVersion: braid/v1alpha1
kind: Group
metadata: { name: raw }
spec:
  selector: {}
  sources:
    - name: app
      substitute: false
`,
          "clusters/c2.yaml": `apiVersion: braid/v1alpha1
kind: Cluster
metadata: { name: c2 }
`,
        },
      },
    );
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const args = async (c: string) =>
      parse(await read(join(r.dir, "..", c), "apps/pod-shell.yaml")).spec.containers[0].args[2];
    expect(await args("c1")).toBe("echo $(HOME)"); // the cluster says true
    expect(await args("c2")).toBe("echo $$(HOME)"); // the group says false

    // the effective setting is part of the input digest: flip only it and the digest changes
    const digest = async (extra: string) => {
      const x = await renderFleet({ "manifests/pod.yaml": pod }, { sourceExtra: extra });
      const io = memoryIO({
        cwd: join(x.root, "fleet"),
        env: { BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: join(x.root, "cache") },
      });
      expect(await main(["render", "--out", join(x.root, "o2"), "--format", "json"], io)).toBe(0);
      return JSON.parse(io.out.join("")).clusters[0].inputDigest as string;
    };
    const [a, b, c] = [
      await digest(""),
      await digest("      substitute: true"),
      await digest("      substitute: false"),
    ];
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  }, 120_000);

  it("rejects a non-boolean substitute with a located schema error", async () => {
    const r = await renderFleet({ "manifests/pod.yaml": UPSTREAM_LIKE }, { sourceExtra: "      substitute: maybe" });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^braid\.yaml:12:19: error CONFIG_SCHEMA: .*substitute/m);
  }, 60_000);
});
