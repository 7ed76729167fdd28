/**
 * Generates a synthetic fleet for benchmarks: three local source repositories (tagged v1.0.0) of
 * `resourcesPerSource` resources each (ConfigMaps, Deployments, Services), and a fleet repository with
 * `clusters` clusters, each with a few patches (strategic, merge, json6902) and variables. Most output is
 * shared across clusters (as in real fleets); patched and substituted resources differ per cluster.
 */
import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Options of {@link generateFleet}. */
export interface GenerateOptions {
  clusters: number;
  resourcesPerSource: number;
  /**
   * Sources as kustomize bases: the same objects under `base/` (a kustomization listing them), and
   * `manifests/` an overlay over it setting the namespace (the output is the same as without).
   */
  kustomize?: boolean;
}

/** What was generated. */
export interface GeneratedFleet {
  /** The fleet repository (holds braid.yaml; a Git repo on `main`). */
  fleetDir: string;
  sources: string[];
  clusterNames: string[];
  /** Path of a cluster's file relative to the fleet. */
  clusterFile(name: string): string;
  /** The text of a cluster's file with a different replica count (for "change one cluster"). */
  clusterText(index: number, replicas?: number): string;
}

const SOURCE_NAMES = ["platform", "monitoring", "apps"];
const REGIONS = ["eu", "us", "ap", "sa"];

async function gitIn(cwd: string, args: string[]): Promise<string> {
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: "bench",
    GIT_AUTHOR_EMAIL: "bench@example.com",
    GIT_COMMITTER_NAME: "bench",
    GIT_COMMITTER_EMAIL: "bench@example.com",
    GIT_AUTHOR_DATE: "1700000000 +0000",
    GIT_COMMITTER_DATE: "1700000000 +0000",
    GIT_CONFIG_NOSYSTEM: "1",
    HOME: cwd,
  };
  const { stdout } = await run("git", args, { cwd, env, maxBuffer: 256 * 1024 * 1024 });
  return stdout.trim();
}

function resource(source: string, i: number): string {
  const ns = source;
  const name = `${source}-${i}`;
  switch (i % 3) {
    case 0:
      return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: ${ns}
  labels: { app: ${name}, tier: ${i % 2 ? "backend" : "frontend"} }
data:
  region: "\${REGION:-none}"
  index: "${i}"
  payload: "${"x".repeat(200)}"
`;
    case 1:
      return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${ns}
  labels: { app: ${name} }
spec:
  replicas: 1
  selector:
    matchLabels: { app: ${name} }
  template:
    metadata:
      labels: { app: ${name} }
    spec:
      containers:
        - name: main
          image: registry.example.com/${source}/${name}:1.0.${i}
          ports: [ { containerPort: 8080 } ]
          resources:
            requests: { cpu: 100m, memory: 128Mi }
`;
    default:
      return `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  selector: { app: ${name} }
  ports: [ { port: 80, targetPort: 8080 } ]
`;
  }
}

async function makeSource(dir: string, name: string, count: number, kustomize = false): Promise<void> {
  const folder = kustomize ? "base" : "manifests";
  await mkdir(join(dir, folder), { recursive: true });
  await writeFile(join(dir, folder, "namespace.yaml"), `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`);
  const files = ["namespace.yaml"];
  for (let i = 0; i < count - 1; i++) {
    files.push(`r-${String(i).padStart(4, "0")}.yaml`);
    await writeFile(join(dir, folder, files[files.length - 1]!), resource(name, i));
  }
  if (kustomize) {
    await writeFile(join(dir, "base", "kustomization.yaml"), `resources:\n${files.map((f) => `  - ${f}\n`).join("")}`);
    await mkdir(join(dir, "manifests"), { recursive: true });
    await writeFile(join(dir, "manifests", "kustomization.yaml"), `namespace: ${name}\nresources:\n  - ../base\n`);
  }
  await gitIn(dir, ["init", "-q", "-b", "main"]);
  await gitIn(dir, ["add", "-A"]);
  await gitIn(dir, ["commit", "-q", "-m", "v1.0.0"]);
  await gitIn(dir, ["tag", "v1.0.0"]);
}

function clusterName(i: number): string {
  return `cluster-${String(i).padStart(4, "0")}`;
}

function clusterText(i: number, replicas = 2 + (i % 5)): string {
  const name = clusterName(i);
  const region = REGIONS[i % REGIONS.length]!;
  return `apiVersion: braid/v1alpha1
kind: Cluster
metadata:
  name: ${name}
  labels: { env: ${i % 3 ? "prod" : "dev"}, region: ${region} }
  annotations: { braid/owner: team-${i % 7} }
spec:
  vars: { REGION: ${region} }
  patches:
    - target: { kind: Deployment, name: platform-1 }
      patch: |
        spec: { replicas: ${replicas} }
    - target: { kind: ConfigMap, name: monitoring-0 }
      type: merge
      patch: |
        data: { cluster: ${name} }
    - target: { kind: Deployment, name: apps-4 }
      type: json6902
      patch: [ { op: replace, path: /spec/template/spec/containers/0/image, value: "registry.example.com/apps/apps-4:${i % 10}" } ]
`;
}

/** Writes the sources and the fleet below `dir`. */
export async function generateFleet(dir: string, opts: GenerateOptions): Promise<GeneratedFleet> {
  const sources: string[] = [];
  for (const s of SOURCE_NAMES) {
    const d = join(dir, "sources", s);
    await makeSource(d, s, opts.resourcesPerSource, opts.kustomize);
    sources.push(d);
  }
  const fleetDir = join(dir, "fleet");
  await mkdir(join(fleetDir, "clusters"), { recursive: true });
  await writeFile(
    join(fleetDir, "braid.yaml"),
    `apiVersion: braid/v1alpha1
kind: Fleet
metadata: { name: bench }
spec:
  kubernetesVersion: "1.34"
  sources:
${SOURCE_NAMES.map((s, i) => `    - name: ${s}\n      url: ${sources[i]}\n      ref: { tag: v1.0.0 }\n      path: manifests`).join("\n")}
  output: { branch: deploy, path: "clusters/{cluster}" }
`,
  );
  const names: string[] = [];
  for (let i = 0; i < opts.clusters; i++) {
    names.push(clusterName(i));
    await writeFile(join(fleetDir, "clusters", `${clusterName(i)}.yaml`), clusterText(i));
  }
  await gitIn(fleetDir, ["init", "-q", "-b", "main"]);
  await gitIn(fleetDir, ["add", "-A"]);
  await gitIn(fleetDir, ["commit", "-q", "-m", "fleet"]);
  return {
    fleetDir,
    sources,
    clusterNames: names,
    clusterFile: (name) => `clusters/${name}.yaml`,
    clusterText,
  };
}

/** Commits every change in the fleet repository (for benchmarks). */
export async function commitAll(fleetDir: string, message: string): Promise<string> {
  await gitIn(fleetDir, ["add", "-A"]);
  await gitIn(fleetDir, ["commit", "-q", "-m", message]);
  return gitIn(fleetDir, ["rev-parse", "HEAD"]);
}
