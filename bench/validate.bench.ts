/**
 * Validation benchmark: 100,000 rendered resources of mixed kinds (built-ins and a custom resource with its
 * CRD) validated under strict, including creating the registry and compiling every schema used.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { idOf, type JsonObject, type Resource } from "../src/model/resource.js";
import { loadKubeOpenApi } from "../src/kube/openapi-load.js";
import type { OrgPolicy } from "../src/validate/org-schemas.js";
import { createSchemaRegistry } from "../src/validate/registry.js";
import { validateResources } from "../src/validate/validate-resources.js";

const ROOT = resolve(new URL("..", import.meta.url).pathname);
const COUNT = 100_000;

const CRD: JsonObject = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "widgets.example.com" },
  spec: {
    group: "example.com",
    scope: "Namespaced",
    names: { kind: "Widget", plural: "widgets" },
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              spec: {
                type: "object",
                properties: {
                  size: { type: "integer" },
                  port: { "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] },
                  config: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                },
              },
            },
          },
        },
      },
    ],
  },
};

/** An org policy on Deployments and StatefulSets: a `team` label is required. */
const TEAM_POLICY: OrgPolicy = {
  name: "require-team-label",
  location: { file: "schemas/team.yaml", line: 1 },
  match: {
    kinds: [
      { group: "apps", kind: "Deployment" },
      { group: "apps", kind: "StatefulSet" },
    ],
  },
  schema: {
    type: "object",
    properties: { metadata: { type: "object", required: ["labels"], properties: { labels: { required: ["team"] } } } },
  },
  kindSchema: false,
};

/** The i-th document of the run (12 kinds in turn). */
function doc(i: number): JsonObject {
  const ns = `team-${i % 50}`;
  const name = `app-${i}`;
  const labels = { "app.kubernetes.io/name": name, team: `t${i % 7}` };
  const meta = { name, namespace: ns, labels };
  const pod = {
    metadata: { labels },
    spec: {
      containers: [
        {
          name: "main",
          image: `registry.example.com/app:${i % 100}`,
          ports: [{ name: "http", containerPort: 8080 }],
          env: [{ name: "INDEX", value: String(i) }],
          resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: 1, memory: "1Gi" } },
          livenessProbe: { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 10 },
          volumeMounts: [{ name: "config", mountPath: "/etc/app" }],
        },
      ],
      volumes: [{ name: "config", configMap: { name } }],
    },
  };
  switch (i % 12) {
    case 0:
    case 1:
      return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: meta,
        spec: { replicas: 2, selector: { matchLabels: labels }, template: pod },
      };
    case 2:
      return {
        apiVersion: "v1",
        kind: "Service",
        metadata: meta,
        spec: { selector: labels, ports: [{ name: "http", port: 80, targetPort: "http" }] },
      };
    case 3:
      return { apiVersion: "v1", kind: "ConfigMap", metadata: meta, data: { "app.yaml": `index: ${i}` } };
    case 4:
      return { apiVersion: "v1", kind: "Secret", metadata: meta, type: "Opaque", data: { token: "c2VjcmV0" } };
    case 5:
      return { apiVersion: "v1", kind: "ServiceAccount", metadata: meta };
    case 6:
      return {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: meta,
        spec: {
          rules: [
            {
              host: `${name}.example.com`,
              http: {
                paths: [{ path: "/", pathType: "Prefix", backend: { service: { name, port: { number: 80 } } } }],
              },
            },
          ],
        },
      };
    case 7:
      return {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: meta,
        spec: { serviceName: name, selector: { matchLabels: labels }, template: pod },
      };
    case 8:
      return {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: meta,
        spec: {
          schedule: "0 * * * *",
          jobTemplate: { spec: { template: { spec: { ...pod.spec, restartPolicy: "OnFailure" } } } },
        },
      };
    case 9:
      return {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: meta,
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
        subjects: [{ kind: "ServiceAccount", name, namespace: ns }],
      };
    case 10:
      return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: meta,
        spec: { podSelector: { matchLabels: labels }, ingress: [{ ports: [{ port: 8080 }] }] },
      };
    default:
      return {
        apiVersion: "example.com/v1",
        kind: "Widget",
        metadata: meta,
        spec: { size: i % 10, port: "http", config: { any: i } },
      };
  }
}

function resource(object: JsonObject, i: number): Resource {
  return {
    id: idOf(object),
    object,
    origin: { source: "bench", commit: "0".repeat(40), file: `f${i}.yaml`, docIndex: 0, line: 1, column: 1 },
    positions: [],
  };
}

/** Runs the benchmark and returns its figures. */
export async function run(): Promise<Record<string, number | string>> {
  const env = process.env.BRAID_KUBERNETES_OPENAPI ?? "../shared/data/kubernetes-openapi";
  const cacheDir = await mkdtemp(join(tmpdir(), "braid-bench-validate-"));
  try {
    const openapi = await loadKubeOpenApi({
      kubernetesVersion: "1.34",
      envValue: env,
      cwd: ROOT,
      fleetDir: ROOT,
      cacheDir,
    });
    const crd = resource(CRD, -1);
    const docs = Array.from({ length: COUNT }, (_, i) => resource(doc(i), i));

    const t0 = performance.now();
    const registry = createSchemaRegistry(openapi, { strict: true });
    const diagnostics = validateResources(docs, {
      cluster: "bench",
      openapi,
      crds: [crd],
      policies: [TEAM_POLICY],
      strict: true,
      ignoreMissingSchemas: false,
      skipKinds: [],
      registry,
    });
    const total = (performance.now() - t0) / 1000;
    const errors = diagnostics.filter((d) => d.severity === "error");
    if (errors.length) throw new Error(`benchmark documents should be valid: ${errors[0]!.path} ${errors[0]!.message}`);
    const stats = registry.stats();
    return {
      "validate documents": COUNT,
      "validate kinds compiled": stats.compiled,
      "validate compile ms": Math.round(stats.compileMs),
      "validate total s": Number(total.toFixed(3)),
      "validate documents/s": Math.round(COUNT / total),
    };
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
}

// run directly: `node --import tsx bench/validate.bench.ts`
if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  console.log(await run());
}
