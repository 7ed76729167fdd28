/** Test helper for publish tests: a small real fleet (a Git repo) over a real source repo, and a run of it. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { diskFleetReader } from "../../src/config/fleet-files.js";
import { renderFleet, type FleetRun } from "../../src/pipeline/render-fleet.js";
import { git, makeFixtureRepo } from "./fixture-repo.js";
import { clusterYaml, fleetYaml } from "./fleet-dir.js";

import { OPENAPI_DIR } from "./openapi-fixture.js";

/** The OpenAPI folder for renderFleet. */
export const OPENAPI_ENV = OPENAPI_DIR;

/** Manifests of the source repo at v1.0.0. */
const BASE_V1: Record<string, string> = {
  "manifests/namespace.yaml": `apiVersion: v1
kind: Namespace
metadata:
  name: web
`,
  "manifests/web.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: web
  labels: { app: web }
data:
  cluster: \${CLUSTER_NAME}
  region: \${REGION:-none}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: web
spec:
  replicas: 1
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: nginx:1.27
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: web
spec:
  selector: { app: web }
  ports:
    - port: 80
      targetPort: 8080
`,
  "manifests/rbac.yaml": `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: reader
rules:
  - apiGroups: [""]
    resources: [pods]
    verbs: [get, list]
`,
};

/** v1.1.0 adds a ConfigMap. */
const BASE_V11: Record<string, string> = {
  "manifests/extra.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: extra
  namespace: web
data:
  version: "1.1"
`,
};

/** A cluster file of the test fleet (owner annotation, labels, REGION var, optional replicas patch). */
export function testCluster(
  name: string,
  opts: { region?: string; replicas?: number; ref?: string; extra?: string } = {},
): string {
  const body = [
    `  vars: { REGION: ${opts.region ?? "eu"} }`,
    opts.ref ? `  sources: [ { name: base, ref: { ${opts.ref} } } ]` : "",
    opts.replicas !== undefined
      ? `  patches:\n    - target: { kind: Deployment, name: web }\n      patch: |\n        spec: { replicas: ${opts.replicas} }`
      : "",
    opts.extra ?? "",
  ]
    .filter(Boolean)
    .join("\n");
  return clusterYaml(name, body, `{ env: ${name.split("-")[0]}, region: ${opts.region ?? "eu"} }`).replace(
    "  labels:",
    `  annotations: { braid/owner: team-${name.split("-")[0]!} }\n  labels:`,
  );
}

/** A test fleet: braid.yaml over the source repo, plus the given cluster files. */
function fleetFiles(
  baseDir: string,
  clusters: Record<string, string>,
  ref = "tag: v1.0.0",
  extra = "",
): Record<string, string> {
  const files: Record<string, string> = {
    "braid.yaml": fleetYaml(
      `    - name: base\n      url: ${baseDir}\n      ref: { ${ref} }\n      path: manifests`,
      extra,
    ),
  };
  for (const [name, text] of Object.entries(clusters)) files[`clusters/${name}.yaml`] = text;
  return files;
}

/** A source repository: v1.0.0, then v1.1.0 (adds a ConfigMap). */
export async function makeSourceRepo(dir?: string): Promise<{ dir: string; commits: string[] }> {
  return makeFixtureRepo(
    [
      { files: BASE_V1, tags: ["v1.0.0"] },
      { files: BASE_V11, tags: ["v1.1.0"] },
    ],
    dir ? { dir } : {},
  );
}

/** Test workspace: a temp folder with a source repo and a fleet repo (a Git repository on `main`). */
export interface Workspace {
  root: string;
  base: string;
  baseCommits: string[];
  fleet: string;
  cache: string;
  /** Writes (or with null deletes) fleet files and commits them. */
  commitFleet(files: Record<string, string | null>, message?: string): Promise<string>;
  render(opts?: { update?: boolean }): Promise<FleetRun>;
  cleanup(): Promise<void>;
}

let tick = 100;

/** Creates a workspace whose fleet has the given clusters. */
export async function makeWorkspace(
  clusters: Record<string, string>,
  opts: { ref?: string; extra?: string } = {},
): Promise<Workspace> {
  const root = await mkdtemp(join(tmpdir(), "braid-publish-"));
  const base = await makeSourceRepo(join(root, "base"));
  const fleet = join(root, "fleet");
  await makeFixtureRepo([{ files: fleetFiles(base.dir, clusters, opts.ref, opts.extra), message: "fleet" }], {
    dir: fleet,
  });
  const ws: Workspace = {
    root,
    base: base.dir,
    baseCommits: base.commits,
    fleet,
    cache: join(root, "cache"),
    async commitFleet(files, message = "change") {
      for (const [path, content] of Object.entries(files)) {
        if (content === null) await rm(join(fleet, path), { force: true });
        else await writeFile(join(fleet, path), content);
      }
      const t = 1_700_000_000 + ++tick * 3600;
      await git(fleet, ["add", "-A"], t);
      await git(fleet, ["commit", "-q", "--allow-empty", "-m", message], t);
      return git(fleet, ["rev-parse", "HEAD"]);
    },
    render(o = {}) {
      return renderFleet({
        reader: diskFleetReader(fleet),
        senv: { fleetDir: fleet, cacheDir: join(root, "cache"), env: {} },
        openapiEnv: OPENAPI_ENV,
        cwd: fleet,
        ...(o.update ? { update: true } : {}),
      });
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
  return ws;
}
