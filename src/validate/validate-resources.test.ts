import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { KubeOpenApi } from "../model/kube-openapi.js";
import type { Resource } from "../model/resource.js";
import { loadKubeOpenApi } from "../kube/openapi-load.js";
import { loadFleetSchemas, type OrgPolicy } from "./org-schemas.js";
import { createSchemaRegistry, type SchemaRegistry } from "./registry.js";
import { resourcesFromYaml } from "../../test/helpers/test-resource.js";
import { validateResources, type ValidationContext } from "./validate-resources.js";
import { OPENAPI_DIR, openApiSkipReason } from "../../test/helpers/openapi-fixture.js";

const DATA = OPENAPI_DIR;
const NO_OPENAPI = openApiSkipReason("validate-resources", "1.34");
let cacheDir: string;
let openapi: KubeOpenApi;
let strictRegistry: SchemaRegistry;

beforeAll(async () => {
  if (NO_OPENAPI) return;
  cacheDir = await mkdtemp(join(tmpdir(), "braid-validate-"));
  openapi = await loadKubeOpenApi({ kubernetesVersion: "1.34", envValue: DATA, fleetDir: cacheDir, cacheDir });
  strictRegistry = createSchemaRegistry(openapi, { strict: true });
});
afterAll(() => rm(cacheDir, { recursive: true, force: true }));

function run(text: string, o: Partial<ValidationContext> & { crdText?: string } = {}): Diagnostic[] {
  const resources = resourcesFromYaml(text, "app.yaml");
  const crds: Resource[] = o.crdText ? resourcesFromYaml(o.crdText, "crds.yaml") : [];
  const strict = o.strict ?? true;
  return validateResources(resources, {
    cluster: "prod-eu-1",
    openapi,
    crds,
    policies: [],
    strict,
    ignoreMissingSchemas: false,
    skipKinds: [],
    registry: strict ? strictRegistry : undefined,
    ...o,
  });
}

/** 1-based line of the first line containing `needle` (after `after`, when given). */
function lineOf(text: string, needle: string, after = ""): number {
  const lines = text.split("\n");
  const start = after ? lines.findIndex((l) => l.includes(after)) : 0;
  const i = lines.findIndex((l, n) => n >= start && l.includes(needle));
  if (i < 0) throw new Error(`no line with ${needle}`);
  return i + 1;
}

function brief(ds: Diagnostic[]): { code: string; path?: string; line?: number; severity: string }[] {
  return ds.map((d) => ({ code: d.code, path: d.path, line: d.location?.line, severity: d.severity }));
}

const VALID = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: { app.kubernetes.io/name: web, team: payments }
  annotations: { example.com/owner: "team-a", checksum/config: abc }
  creationTimestamp: null
spec:
  replicas: 3
  revisionHistoryLimit: 5
  strategy: { type: RollingUpdate, rollingUpdate: { maxSurge: 25%, maxUnavailable: 0 } }
  selector: { matchLabels: { app.kubernetes.io/name: web } }
  template:
    metadata:
      labels: { app.kubernetes.io/name: web }
    spec:
      serviceAccountName: web
      securityContext: { runAsNonRoot: true, fsGroup: 2000 }
      containers:
        - name: web
          image: ghcr.io/acme/web:1.4.2
          args: ["--port=8080"]
          ports: [{ name: http, containerPort: 8080, protocol: TCP }]
          env:
            - { name: MODE, value: production }
            - name: POD_NAME
              valueFrom: { fieldRef: { fieldPath: metadata.name } }
          resources:
            requests: { cpu: 100m, memory: 128Mi }
            limits: { cpu: 1, memory: 1Gi, ephemeral-storage: 2G }
          livenessProbe:
            httpGet: { path: /healthz, port: http }
            initialDelaySeconds: 10
          readinessProbe:
            tcpSocket: { port: 8080 }
          startupProbe:
            exec: { command: [cat, /tmp/ready] }
            failureThreshold: 30
          volumeMounts:
            - { name: config, mountPath: /etc/web, readOnly: true }
            - { name: cache, mountPath: /cache }
      volumes:
        - name: config
          configMap: { name: web-config, defaultMode: 0644 }
        - name: cache
          emptyDir: { sizeLimit: 1Gi }
      tolerations:
        - { key: dedicated, operator: Equal, value: web, effect: NoSchedule }
status: {}
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec:
  selector: { app.kubernetes.io/name: web }
  ports:
    - { name: http, port: 80, targetPort: http }
    - { name: metrics, port: 9090, targetPort: 9090 }
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db, namespace: shop }
spec:
  serviceName: db
  replicas: 1
  selector: { matchLabels: { app: db } }
  template:
    metadata: { labels: { app: db } }
    spec:
      containers:
        - name: postgres
          image: postgres:16
          volumeMounts: [{ name: data, mountPath: /var/lib/postgresql/data }]
  volumeClaimTemplates:
    - metadata: { name: data }
      spec:
        accessModes: [ReadWriteOnce]
        resources: { requests: { storage: 10Gi } }
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: nightly-report, namespace: shop }
spec:
  schedule: "0 3 * * *"
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      backoffLimit: 2
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - { name: report, image: "busybox:1.36", command: [sh, -c, "echo hi"] }
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations: { nginx.ingress.kubernetes.io/rewrite-target: / }
spec:
  ingressClassName: nginx
  tls: [{ hosts: [shop.example.com], secretName: web-tls }]
  rules:
    - host: shop.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend: { service: { name: web, port: { number: 80 } } }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: system:aggregate-to-shop
  labels: { rbac.authorization.k8s.io/aggregate-to-view: "true" }
rules:
  - apiGroups: [""]
    resources: [pods, services]
    verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: web-view, namespace: shop }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view }
subjects:
  - { kind: ServiceAccount, name: web, namespace: shop }
---
apiVersion: v1
kind: ServiceAccount
metadata: { name: web, namespace: shop }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web-ingress, namespace: shop }
spec:
  podSelector: { matchLabels: { app.kubernetes.io/name: web } }
  policyTypes: [Ingress]
  ingress:
    - from:
        - namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: ingress } }
        - ipBlock: { cidr: 10.0.0.0/8, except: [10.1.0.0/16] }
      ports: [{ protocol: TCP, port: 8080 }, { port: http }]
---
apiVersion: v1
kind: Secret
metadata: { name: web-tls, namespace: shop }
type: kubernetes.io/tls
data: { tls.crt: aGVsbG8=, tls.key: d29ybGQ= }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: web-config, namespace: shop }
data: { app.properties: "a=b" }
`;

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: widgets.example.com }
spec:
  group: example.com
  scope: Namespaced
  names: { kind: Widget, plural: widgets, singular: widget, listKind: WidgetList }
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [size]
              x-kubernetes-validations:
                - rule: "self.size <= 10"
              properties:
                size: { type: integer, minimum: 1 }
                color: { type: string, enum: [red, green] }
                port:
                  x-kubernetes-int-or-string: true
                  anyOf: [{ type: integer }, { type: string }]
                config:
                  type: object
                  x-kubernetes-preserve-unknown-fields: true
                extras:
                  type: object
                  x-kubernetes-preserve-unknown-fields: true
                  properties:
                    level: { type: integer }
                template:
                  type: object
                  x-kubernetes-embedded-resource: true
                  x-kubernetes-preserve-unknown-fields: true
                note: { type: string, nullable: true }
                labels: { type: object, additionalProperties: { type: string } }
            status:
              type: object
              properties:
                ready: { type: boolean }
    - name: v1beta1
      served: false
      storage: false
      schema: { openAPIV3Schema: { type: object } }
`;

describe.skipIf(NO_OPENAPI)("validateResources: valid real-world manifests", () => {
  it("accepts Deployment, Service, StatefulSet, CronJob, Ingress, RBAC, NetworkPolicy, Secret under strict", () => {
    expect(brief(run(VALID))).toEqual([]);
  });

  it("accepts a CRD and its custom resource in the same render", () => {
    const text = `${CRD}---
apiVersion: example.com/v1
kind: Widget
metadata: { name: blue, namespace: shop, labels: { app: w } }
spec:
  size: 3
  color: red
  port: http
  note: null
  labels: { anything: goes }
  config: { any: { nested: [1, "two", { three: true }] } }
  extras: { level: 2, free: form }
  template:
    apiVersion: v1
    kind: ConfigMap
    metadata: { name: inner }
    data: { a: b }
status: { ready: true }
`;
    const ds = run(text);
    expect(ds.filter((d) => d.severity === "error")).toEqual([]);
  });
});

describe.skipIf(NO_OPENAPI)("validateResources: each error class, with path and line", () => {
  const deployment = (spec: string, meta = "") => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
${meta}spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: nginx
${spec}`;

  it("a typo'd field under strict (and only under strict)", () => {
    const text = deployment("  replicaz: 3\n");
    const ds = run(text);
    expect(brief(ds)).toEqual([
      { code: "SCHEMA_VIOLATION", path: "/spec/replicaz", line: lineOf(text, "replicaz"), severity: "error" },
    ]);
    expect(ds[0]!.message).toBe('unknown field "replicaz" (did you mean "replicas"?)');
    expect(ds[0]!.cluster).toBe("prod-eu-1");
    expect(ds[0]!.resource).toBe("Deployment shop/web");
    expect(ds[0]!.location?.file).toBe("app.yaml");
    expect(run(text, { strict: false })).toEqual([]);
  });

  it("a typo deep inside a pod template", () => {
    const text = deployment("").replace("image: nginx", "image: nginx\n          imagePullPolicey: Always");
    expect(brief(run(text))).toEqual([
      {
        code: "SCHEMA_VIOLATION",
        path: "/spec/template/spec/containers/0/imagePullPolicey",
        line: lineOf(text, "imagePullPolicey"),
        severity: "error",
      },
    ]);
  });

  it("a wrong type", () => {
    const text = deployment('  replicas: "3"\n');
    const ds = run(text);
    expect(brief(ds)).toEqual([
      { code: "SCHEMA_VIOLATION", path: "/spec/replicas", line: lineOf(text, "replicas:"), severity: "error" },
    ]);
    expect(ds[0]!.message).toBe('must be integer, not the string "3"');
  });

  it("a missing required field points at its parent", () => {
    const text = deployment("").replace("- name: web\n          image: nginx", "- image: nginx");
    const ds = run(text);
    expect(brief(ds)).toEqual([
      {
        code: "SCHEMA_VIOLATION",
        path: "/spec/template/spec/containers/0/name",
        line: lineOf(text, "- image: nginx"),
        severity: "error",
      },
    ]);
    expect(ds[0]!.message).toBe('missing required field "name"');
  });

  it("invalid label values and keys, anywhere an ObjectMeta or selector has them", () => {
    const text = deployment("", '  labels:\n    app: web app\n    -bad/key: x\n    ok: ""\n').replace(
      "metadata: { labels: { app: web } }",
      "metadata: { labels: { app: web, tier: this-value-is-way-too-long-for-a-kubernetes-label-value-it-has-64c } }",
    );
    const ds = run(text);
    expect(brief(ds)).toEqual([
      { code: "SCHEMA_VIOLATION", path: "/metadata/labels/app", line: lineOf(text, "app: web app"), severity: "error" },
      {
        code: "SCHEMA_VIOLATION",
        path: "/metadata/labels/-bad~1key",
        line: lineOf(text, "-bad/key"),
        severity: "error",
      },
      {
        code: "SCHEMA_VIOLATION",
        path: "/spec/template/metadata/labels/tier",
        line: lineOf(text, "tier:"),
        severity: "error",
      },
    ]);
    expect(ds[0]!.message).toContain("is not a label value");
    expect(ds[1]!.message).toMatch(/^invalid key "-bad\/key"/);
  });

  it("int-or-string ports: names and numbers pass, a quoted number in an int field or a boolean fails", () => {
    const text = `apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec:
  ports:
    - { name: a, port: 80, targetPort: http }
    - { name: b, port: 81, targetPort: 8081 }
    - { name: c, port: "82", targetPort: 8082 }
    - { name: d, port: 83, targetPort: true }
`;
    const ds = run(text);
    expect(brief(ds)).toEqual([
      { code: "SCHEMA_VIOLATION", path: "/spec/ports/2/port", line: lineOf(text, "name: c"), severity: "error" },
      { code: "SCHEMA_VIOLATION", path: "/spec/ports/3/targetPort", line: lineOf(text, "name: d"), severity: "error" },
    ]);
    expect(ds[1]!.message).toBe("must be integer or string, not boolean true");
  });

  it("quantities, base64 data and names", () => {
    const text = `apiVersion: v1
kind: Service
metadata: { name: 1web, namespace: shop }
---
apiVersion: v1
kind: Secret
metadata: { name: s, namespace: Shop }
data: { key: "not base64!" }
---
apiVersion: v1
kind: Pod
metadata: { name: My_Pod }
spec:
  containers:
    - name: c
      image: i
      resources: { limits: { cpu: 2 cores, memory: 512 } }
`;
    expect(brief(run(text))).toEqual([
      { code: "SCHEMA_VIOLATION", path: "/metadata/name", line: lineOf(text, "1web"), severity: "error" },
      { code: "SCHEMA_VIOLATION", path: "/metadata/namespace", line: lineOf(text, "Shop"), severity: "error" },
      { code: "SCHEMA_VIOLATION", path: "/data/key", line: lineOf(text, "not base64"), severity: "error" },
      {
        code: "SCHEMA_VIOLATION",
        path: "/spec/containers/0/resources/limits/cpu",
        line: lineOf(text, "2 cores"),
        severity: "error",
      },
      { code: "SCHEMA_VIOLATION", path: "/metadata/name", line: lineOf(text, "My_Pod"), severity: "error" },
    ]);
  });

  it("reports every error of every resource in one run", () => {
    const text = `${deployment('  replicas: "3"\n  paused: 1\n  bogus: {}\n')}---
apiVersion: v1
kind: ConfigMap
metadata: { name: c, namespace: shop }
data: { a: 1 }
`;
    expect(run(text).map((d) => d.path)).toEqual(["/spec/replicas", "/spec/paused", "/spec/bogus", "/data/a"]);
  });

  it("a field introduced by a patch is located in the patch file", () => {
    const [r] = resourcesFromYaml(deployment(""), "base/deploy.yaml");
    const patched: Resource = {
      ...r!,
      object: { ...r!.object, spec: { ...(r!.object.spec as object), replicaz: 2 } },
      positions: [
        ...r!.positions,
        {
          locate: (p) =>
            p.join("/") === "spec/replicaz" ? { file: "patches/scale.yaml", line: 7, column: 3 } : undefined,
        },
      ],
    };
    const ds = validateResources([patched], {
      cluster: "c",
      openapi,
      crds: [],
      policies: [],
      strict: true,
      ignoreMissingSchemas: false,
      skipKinds: [],
      registry: strictRegistry,
    });
    expect(ds.map((d) => [d.path, d.location])).toEqual([
      ["/spec/replicaz", { file: "patches/scale.yaml", line: 7, column: 3 }],
    ]);
  });
});

describe.skipIf(NO_OPENAPI)("validateResources: custom resources", () => {
  const cr = (spec: string, apiVersion = "example.com/v1") => `apiVersion: ${apiVersion}
kind: Widget
metadata: { name: blue, namespace: shop }
spec:
${spec}`;

  it("a CR violating its CRD (CRD under schemas/)", () => {
    const text = cr("  size: 0\n  color: blue\n  port: 1.5\n  note: 3\n");
    const ds = run(text, { crdText: CRD });
    expect(brief(ds.filter((d) => d.severity === "error"))).toEqual([
      { code: "SCHEMA_VIOLATION", path: "/spec/size", line: lineOf(text, "size: 0"), severity: "error" },
      { code: "SCHEMA_VIOLATION", path: "/spec/color", line: lineOf(text, "color"), severity: "error" },
      { code: "SCHEMA_VIOLATION", path: "/spec/port", line: lineOf(text, "port"), severity: "error" },
      { code: "SCHEMA_VIOLATION", path: "/spec/note", line: lineOf(text, "note"), severity: "error" },
    ]);
    expect(ds.find((d) => d.path === "/spec/color")!.message).toBe('"blue" is not one of "red", "green"');
  });

  it("strict applies to custom resources too (kubeconform #304), except under preserve-unknown-fields (kubeconform #224)", () => {
    const text =
      cr("  size: 1\n  colour: red\n  config: { free: { form: [1, 2] } }\n  extras: { level: x, other: 1 }\n") +
      "status: { ready: true, phase: up }\n";
    const ds = run(text, { crdText: CRD }).filter((d) => d.severity === "error");
    expect(brief(ds)).toEqual([
      { code: "SCHEMA_VIOLATION", path: "/spec/colour", line: lineOf(text, "colour"), severity: "error" },
      { code: "SCHEMA_VIOLATION", path: "/spec/extras/level", line: lineOf(text, "extras"), severity: "error" },
      { code: "SCHEMA_VIOLATION", path: "/status/phase", line: lineOf(text, "status:"), severity: "error" },
    ]);
    expect(ds[0]!.message).toContain('did you mean "color"');
    expect(
      run(text, { crdText: CRD, strict: false })
        .filter((d) => d.severity === "error")
        .map((d) => d.path),
    ).toEqual(["/spec/extras/level"]);
  });

  it("a CRD whose root preserves unknown fields accepts anything at the top level, yet checks metadata", () => {
    const crd = CRD.replace(
      "          type: object\n          properties:\n            spec:",
      "          type: object\n          x-kubernetes-preserve-unknown-fields: true\n          properties:\n            spec:",
    );
    const text = cr("  size: 1\n") + "whatever: { you: like }\n";
    expect(run(text, { crdText: crd }).filter((d) => d.severity === "error")).toEqual([]);
    const badMeta = text.replace(
      "metadata: { name: blue, namespace: shop }",
      "metadata: { name: blue, namespace: shop, labels: { a: 'b c' } }",
    );
    expect(run(badMeta, { crdText: crd }).map((d) => d.path)).toContain("/metadata/labels/a");
  });

  it("null in a CR: an optional field or map value is pruned by the API server (accepted); a required field is refused", () => {
    const errors = (spec: string) => run(cr(spec), { crdText: CRD }).filter((d) => d.severity === "error");
    expect(errors("  size: 1\n  color: null\n  note: null\n  labels: { a: null }\n")).toEqual([]);
    expect(errors("  size: null\n").map((d) => d.path)).toEqual(["/spec/size"]);
  });

  it("null in built-in kinds: accepted as unset, except for required fields (the API server says Required value)", () => {
    expect(
      run(
        `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c, namespace: x, creationTimestamp: null, labels: null }\ndata: null\n`,
      ),
    ).toEqual([]);
    const dep = (spec: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: d, namespace: x }\nspec:\n${spec}`;
    const ds = run(
      dep("  selector: null\n  template:\n    metadata: { labels: { a: b } }\n    spec:\n      containers: null\n"),
    );
    expect(ds.map((d) => [d.path, d.message])).toEqual([
      ["/spec/selector", "is required and must not be null"],
      ["/spec/template/spec/containers", expect.stringContaining("not null")],
    ]);
  });

  it("annotation keys are checked case-insensitively (as the API server does); label keys are not", () => {
    const cm = (meta: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c, namespace: x, ${meta} }\n`;
    expect(run(cm("annotations: { Example.COM/Owner: x }"))).toEqual([]);
    expect(run(cm("labels: { Example.COM/Owner: x }")).map((d) => d.path)).toEqual([
      "/metadata/labels/Example.COM~1Owner",
    ]);
  });

  it("an embedded resource needs apiVersion and kind", () => {
    const text = cr("  size: 1\n  template: { metadata: { name: x } }\n");
    const ds = run(text, { crdText: CRD }).filter((d) => d.severity === "error");
    expect(ds.map((d) => d.path)).toEqual(["/spec/template/apiVersion", "/spec/template/kind"]);
  });

  it("a CR whose CRD is absent is SCHEMA_MISSING (error; a warning with ignoreMissingSchemas; nothing when skipped)", () => {
    const text = cr("  size: 1\n");
    const ds = run(text);
    expect(brief(ds)).toEqual([{ code: "SCHEMA_MISSING", path: "/apiVersion", line: 1, severity: "error" }]);
    expect(ds[0]!.message).toContain("Widget example.com/v1");
    expect(ds[0]!.hint).toMatch(/CustomResourceDefinition.*schemas\/.*skipKinds/);
    expect(brief(run(text, { ignoreMissingSchemas: true }))).toEqual([
      { code: "SCHEMA_MISSING", path: "/apiVersion", line: 1, severity: "warning" },
    ]);
    for (const skip of ["Widget", "example.com/v1/Widget"]) expect(run(text, { skipKinds: [skip] })).toEqual([]);
    expect(run(text, { skipKinds: ["Gadget"] })).toHaveLength(1);
  });

  it("a CR of a version its CRD does not serve names the served versions", () => {
    const ds = run(cr("  size: 1\n", "example.com/v1beta1"), { crdText: CRD });
    expect(ds.map((d) => d.code)).toEqual(["SCHEMA_MISSING"]);
    expect(ds[0]!.message).toContain("serves v1, not v1beta1");
  });

  it("reports CEL rules as not evaluated, once per run", () => {
    const text = `${cr("  size: 1\n")}---\n${cr("  size: 2\n").replace("blue", "green")}`;
    const ds = run(text, { crdText: CRD });
    expect(ds.map((d) => [d.code, d.severity])).toEqual([["CEL_NOT_EVALUATED", "info"]]);
    expect(ds[0]!.message).toContain("1 CEL rule");
    expect(ds[0]!.message).toContain("widgets.example.com");
  });

  it("points the CEL summary at the CRD's own document, even when a cluster patch touched the CRD", () => {
    const patched = resourcesFromYaml(CRD, "crds.yaml").map((r) => ({
      ...r,
      positions: [...r.positions, { locate: () => ({ file: "clusters/dev-1.yaml", line: 42, column: 9 }) }],
    }));
    const ds = run(cr("  size: 1\n"), { crds: patched });
    expect(ds.map((d) => [d.code, d.severity, d.location?.file, d.location?.line])).toEqual([
      ["CEL_NOT_EVALUATED", "info", "crds.yaml", 1],
    ]);
  });

  it("runs RE2-style patterns, and reports a CRD schema that cannot compile once instead of aborting", () => {
    const crd = CRD.replace(
      "                color: { type: string, enum: [red, green] }",
      () => "                color: { type: string, pattern: '(?i)^[a-z\\_]+$' }",
    );
    expect(run(cr("  size: 1\n  color: RED_ish\n"), { crdText: crd }).filter((d) => d.severity === "error")).toEqual(
      [],
    );
    expect(
      run(cr("  size: 1\n  color: red-1\n"), { crdText: crd })
        .filter((d) => d.severity === "error")
        .map((d) => d.path),
    ).toEqual(["/spec/color"]);
    const broken = CRD.replace("size: { type: integer, minimum: 1 }", "size: { type: wat }");
    const text = `${cr("  size: 1\n")}---\n${cr("  size: 2\n").replace("blue", "green")}`;
    const ds = run(text, { crdText: broken }).filter((d) => d.severity === "error");
    expect(ds.map((d) => [d.code, d.location?.file])).toEqual([["SCHEMA_MISSING", "crds.yaml"]]);
    expect(ds[0]!.message).toContain("widgets.example.com (v1) cannot be compiled");
  });

  it("collapses anyOf/oneOf fan-out into one message", () => {
    const crd = CRD.replace(
      "                size: { type: integer, minimum: 1 }",
      "                size: { type: integer, minimum: 1 }\n                source:\n                  type: object\n                  oneOf: [{ required: [git] }, { required: [oci] }]\n                  properties: { git: { type: string }, oci: { type: string } }",
    );
    const none = run(cr("  size: 1\n  source: {}\n"), { crdText: crd }).filter((d) => d.severity === "error");
    expect(none.map((d) => d.path)).toEqual(["/spec/source"]);
    expect(none[0]!.message).toMatch(/^matches none of the 2 allowed forms/);
    const both = run(cr("  size: 1\n  source: { git: a, oci: b }\n"), { crdText: crd }).filter(
      (d) => d.severity === "error",
    );
    expect(both.map((d) => d.message)).toEqual([
      "must match exactly one of the allowed forms, but matches 2 (alternatives 1 and 2)",
    ]);
  });
});

describe.skipIf(NO_OPENAPI)("validateResources: org schemas", () => {
  const POLICIES = `apiVersion: braid/v1alpha1
kind: Policy
metadata: { name: require-team-label }
spec:
  description: every workload names its owning team
  match:
    kinds: [{ group: apps, kind: Deployment }, { kind: StatefulSet }]
  schema:
    type: object
    required: [metadata]
    properties:
      metadata:
        type: object
        required: [labels]
        properties:
          labels: { type: object, required: [team] }
---
apiVersion: braid/v1alpha1
kind: Policy
metadata: { name: no-host-network }
spec:
  match:
    labelSelector: { matchExpressions: [{ key: exempt, operator: DoesNotExist }] }
  schema:
    properties:
      spec:
        properties:
          template:
            properties:
              spec:
                properties:
                  hostNetwork: { const: false }
`;
  let policies: OrgPolicy[];
  beforeAll(() => {
    const loaded = loadFleetSchemas([{ path: "schemas/policies.yaml", text: POLICIES }]);
    expect(loaded.diagnostics).toEqual([]);
    policies = loaded.policies;
  });

  it("reports a violation as ORG_POLICY naming the policy, with the resource's line", () => {
    const text = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      hostNetwork: true
      containers: [{ name: web, image: nginx }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: ok, namespace: shop, labels: { team: a, exempt: "yes" } }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      hostNetwork: true
      containers: [{ name: web, image: nginx }]
`;
    const ds = run(text, { policies });
    expect(brief(ds)).toEqual([
      { code: "ORG_POLICY", path: "/metadata/labels", line: lineOf(text, "metadata: { name: web"), severity: "error" },
      {
        code: "ORG_POLICY",
        path: "/spec/template/spec/hostNetwork",
        line: lineOf(text, "hostNetwork"),
        severity: "error",
      },
    ]);
    expect(ds[0]!.message).toContain('policy "require-team-label"');
    expect(ds[0]!.hint).toBe("every workload names its owning team");
    expect(ds[0]!.related?.[0]?.location.file).toBe("schemas/policies.yaml");
    expect(ds[1]!.message).toContain('policy "no-host-network"');
  });
});

describe.skipIf(NO_OPENAPI)("SOPS-encrypted documents", () => {
  const SOPS = `apiVersion: v1
kind: Secret
metadata:
  name: db-credentials
  namespace: shop
type: Opaque
data:
  password: ENC[AES256_GCM,data:Tr7o=,iv:1=,tag:2=,type:str]
sops:
  kms: []
  lastmodified: "2024-01-01T00:00:00Z"
  mac: ENC[AES256_GCM,data:x=,type:str]
  version: 3.8.1
`;

  it("are checked by metadata only, with one info line, instead of failing on ciphertext and the sops key", () => {
    const ds = run(SOPS);
    expect(brief(ds)).toEqual([{ code: "SOPS_NOT_VALIDATED", path: undefined, line: undefined, severity: "info" }]);
    // the same document without the sops key is validated in full (and the ciphertext fails base64)
    const plain = run(SOPS.replace(/sops:[\s\S]*$/, ""));
    expect(plain.map((d) => d.code)).toContain("SCHEMA_VIOLATION");
  });

  it("still have their names checked", () => {
    const ds = run(SOPS.replace("name: db-credentials", "name: DB_Credentials"));
    expect(ds.map((d) => d.code).sort()).toEqual(["SCHEMA_VIOLATION", "SOPS_NOT_VALIDATED"]);
  });
});

describe.skipIf(NO_OPENAPI)("a built-in kind at a version this Kubernetes does not serve", () => {
  it("names the versions it does serve", () => {
    const ds = run(`apiVersion: autoscaling/v2beta2
kind: HorizontalPodAutoscaler
metadata: { name: h, namespace: x }
spec: { scaleTargetRef: { kind: Deployment, name: d }, maxReplicas: 3 }
`);
    expect(ds.map((d) => d.code)).toEqual(["SCHEMA_MISSING"]);
    expect(ds[0]!.message).toBe(
      "HorizontalPodAutoscaler autoscaling/v2beta2 is not served by Kubernetes 1.34: use autoscaling/v1 or autoscaling/v2",
    );
    expect(ds[0]!.hint).toContain("autoscaling/v2");
  });
});

describe.skipIf(NO_OPENAPI)("checks the API server makes beyond the schema", () => {
  it("ConfigMap/Secret keys, container names and ports, CronJob name length", () => {
    const text = `apiVersion: v1
kind: ConfigMap
metadata: { name: c, namespace: x }
data: { "bad/key": a, good.key_1-x: b }
---
apiVersion: v1
kind: Secret
metadata: { name: s, namespace: x }
stringData: { "has space": a }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: d, namespace: x }
spec:
  selector: { matchLabels: { a: b } }
  template:
    metadata: { labels: { a: b } }
    spec:
      containers:
        - name: Web
          image: i
          ports: [ { containerPort: 70000 } ]
      initContainers:
        - name: init
          image: i
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: a-very-long-cronjob-name-that-exceeds-fifty-two-chars, namespace: x }
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [ { name: ok, image: i } ]
`;
    const ds = run(text);
    expect(ds.map((d) => [d.resource, d.path, d.location?.line])).toEqual([
      ["ConfigMap x/c", "/data/bad~1key", 4],
      ["Secret x/s", "/stringData/has space", 9],
      ["Deployment x/d", "/spec/template/spec/containers/0/name", 20],
      ["Deployment x/d", "/spec/template/spec/containers/0/ports/0/containerPort", 22],
      ["CronJob x/a-very-long-cronjob-name-that-exceeds-fifty-two-chars", "/metadata/name", 29],
    ]);
  });
});
