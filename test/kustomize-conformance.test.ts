/**
 * braid's patch engine against the reference: for each case, `kubectl kustomize` builds a temp
 * kustomization (resources + `patches:`) and its output must equal what strategicMerge / applyMergePatch /
 * applyJson6902 / matchesTarget produce for the same inputs. Skipped (with a message) without kubectl or
 * without the Kubernetes OpenAPI fixture.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments, stringify } from "yaml";
import type { JsonObject } from "../src/model/resource.js";
import { splitApiVersion } from "../src/model/resource.js";
import type { PatchSchema } from "../src/model/kube-schema.js";
import { applyJson6902 } from "../src/render/json6902.js";
import { applyMergePatch } from "../src/render/merge-patch.js";
import { matchesTarget, type TargetSelector } from "../src/model/select-targets.js";
import { applyStrategicPatch } from "../src/render/strategic-merge/strategic-merge.js";
import { targetFromPatchDocument } from "../src/render/strategic-merge/target-from-patch.js";
import { createPatchSchema } from "../src/validate/patch-schema.js";
import { gvkKey } from "../src/model/kube-openapi.js";
import { loadOpenApiFixture } from "./helpers/openapi-fixture.js";

import { kubectl, kubectlSkipReason } from "./helpers/kubectl.js";

const run = promisify(execFile);

const skipReason = kubectlSkipReason("kustomize conformance");

interface PatchCase {
  /** YAML text: a partial resource, or a list of JSON6902 operations. */
  patch: string;
  target?: TargetSelector;
  /** How braid applies it; kustomize always reads it as strategic merge or json6902. */
  type?: "strategic" | "merge" | "json6902";
}

interface Case {
  name: string;
  resources: string;
  patches: PatchCase[];
}

const DEPLOY = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: apps
  labels: {app: web, tier: front}
  annotations: {owner: team-a, note: keep}
  finalizers: [a.example.com/x, b.example.com/y]
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations: {scrape: "true"}
    spec:
      securityContext: {runAsNonRoot: true, fsGroup: 2000}
      containers:
      - name: app
        image: app:1
        args: [--a, --b]
        env: [{name: A, value: "1"}, {name: B, value: "2"}]
        ports: [{containerPort: 8080, protocol: TCP, name: http}, {containerPort: 9090}]
        resources: {limits: {cpu: "1", memory: 1Gi}}
      - name: sidecar
        image: side:1
      - name: log
        image: log:1
      volumes:
      - name: data
        emptyDir: {}
      - name: conf
        configMap: {name: conf}
`;

const CRD_OBJECT = `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: apps}
spec:
  items: [{name: a, size: 1}, {name: b, size: 2}]
  tags: [x, y]
  nested: {keep: 1, drop: 2, deep: {a: 1, b: 2}}
`;

const CONFIGMAPS = `
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config, labels: {app: web, env: prod}, annotations: {team: a}}
data: {region: us, size: small}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-extra, namespace: default, labels: {app: web, env: dev}}
data: {region: us}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: db-config, namespace: data, labels: {app: db}, annotations: {team: b}}
data: {region: us}
---
apiVersion: v1
kind: Secret
metadata: {name: web-secret, labels: {app: web}}
stringData: {k: v}
`;

const CASES: Case[] = [
  {
    name: "containers, env, ports and volumes merge by key; new elements first as kustomize orders them",
    resources: DEPLOY,
    patches: [
      {
        patch: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: apps}
spec:
  template:
    spec:
      containers:
      - name: new
        image: new:1
      - name: app
        image: app:2
        env: [{name: B, value: "22"}, {name: C, value: "3"}]
        ports: [{containerPort: 9090, name: metrics}, {containerPort: 7070}]
      volumes:
      - name: conf
        configMap: {name: conf2}
      - name: extra
        secret: {secretName: s}
`,
      },
    ],
  },
  {
    name: "$patch: delete removes a container and a map; null deletes keys",
    resources: DEPLOY,
    patches: [
      {
        patch: `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: apps
  annotations: {note: null}
spec:
  replicas: null
  template:
    spec:
      securityContext: {$patch: delete}
      containers:
      - name: sidecar
        $patch: delete
      - name: app
        resources: {limits: {memory: null}}
`,
      },
    ],
  },
  {
    name: "$patch: replace on a map and on a list; on one element kustomize keeps the element",
    resources: DEPLOY,
    patches: [
      {
        patch: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: apps}
spec:
  template:
    metadata:
      $patch: replace
      labels: {app: web, v: "2"}
    spec:
      volumes:
      - $patch: replace
      - name: only
        emptyDir: {}
      containers:
      - name: log
        $patch: replace
        image: log:2
`,
      },
    ],
  },
  {
    name: "primitive list with patchStrategy merge (finalizers) is a union, patch values first",
    resources: DEPLOY,
    patches: [
      {
        patch: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: apps, finalizers: [c.example.com/z, a.example.com/x]}
`,
      },
    ],
  },
  {
    name: "lists without merge key (args) are replaced",
    resources: DEPLOY,
    patches: [
      {
        patch: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: apps}
spec:
  template:
    spec:
      containers:
      - name: app
        args: [--c]
`,
      },
    ],
  },
  {
    name: "custom resource: maps merge, lists are replaced, null deletes",
    resources: CRD_OBJECT,
    patches: [
      {
        patch: `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: apps}
spec:
  items: [{name: b, size: 3}]
  nested: {drop: null, deep: {b: 3, c: 4}}
`,
      },
    ],
  },
  {
    name: "merge patch (RFC 7386) with nulls equals kustomize on a schemaless kind",
    resources: CRD_OBJECT,
    patches: [
      {
        type: "merge",
        patch: `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: apps, labels: {new: "1"}}
spec:
  tags: null
  nested: {keep: null, deep: {a: null, z: [1, 2]}}
  added: {x: y}
`,
      },
    ],
  },
  {
    name: "label selector target and patch without identity",
    resources: CONFIGMAPS,
    patches: [
      {
        target: { kind: "ConfigMap", labelSelector: "app=web,env in (prod, dev)" },
        patch: `
apiVersion: v1
kind: ConfigMap
metadata: {name: ignored}
data: {size: large}
`,
      },
    ],
  },
  {
    name: "regex targets: kind and name are anchored regular expressions",
    resources: CONFIGMAPS,
    patches: [
      {
        target: { kind: "Config.*", name: "web-.*" },
        patch: `
apiVersion: v1
kind: ConfigMap
metadata: {name: any}
data: {patched: "yes"}
`,
      },
      {
        target: { name: "config" },
        patch: `
apiVersion: v1
kind: ConfigMap
metadata: {name: any}
data: {never: "1"}
`,
      },
    ],
  },
  {
    name: "namespace default matches objects without namespace; annotation selector; negative selectors",
    resources: CONFIGMAPS,
    patches: [
      {
        target: { namespace: "default", labelSelector: "app=web,env!=prod" },
        patch: `
apiVersion: v1
kind: ConfigMap
metadata: {name: any}
data: {ns: default}
`,
      },
      {
        target: { annotationSelector: "team=b" },
        patch: `
apiVersion: v1
kind: ConfigMap
metadata: {name: any}
data: {team: b}
`,
      },
      {
        target: { kind: "ConfigMap", labelSelector: "!env" },
        patch: `
apiVersion: v1
kind: ConfigMap
metadata: {name: any}
data: {noenv: "1"}
`,
      },
    ],
  },
  {
    name: "json6902 operations on selected targets",
    resources: CONFIGMAPS,
    patches: [
      {
        type: "json6902",
        target: { kind: "ConfigMap", labelSelector: "app=web" },
        patch: `
- {op: replace, path: /data/region, value: eu}
- {op: add, path: /metadata/labels/patched, value: "true"}
- {op: remove, path: /metadata/labels/app}
- {op: test, path: /data/region, value: eu}
`,
      },
    ],
  },
  {
    name: "quirks: new lists and maps, nulls inside new maps, $patch: merge, elements without merge key",
    resources: DEPLOY,
    patches: [
      {
        patch: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: apps}
spec:
  strategy: {type: Recreate, rollingUpdate: null}
  template:
    spec:
      initContainers: [{name: init, image: init:1, env: [{name: X, value: null}]}]
      tolerations: [{key: k, operator: Exists}]
      imagePullSecrets: [{name: reg}]
      nodeSelector: {zone: a, gone: null}
      volumes:
      - $patch: merge
      - name: data
        $patch: delete
`,
      },
      {
        patch: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: apps}
spec:
  template:
    spec:
      containers:
      - image: nameless:1
`,
      },
      {
        patch: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: apps}
spec:
  template:
    spec:
      volumes: [{$patch: delete}]
      imagePullSecrets: [{$patch: replace}, {name: other}]
`,
      },
    ],
  },
  {
    name: "service ports merge by port and protocol",
    resources: `
apiVersion: v1
kind: Service
metadata: {name: svc, namespace: apps}
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, protocol: TCP, targetPort: 8080}
  - {name: dns, port: 53, protocol: UDP}
  - {name: dns-tcp, port: 53, protocol: TCP}
  externalIPs: [1.2.3.4]
`,
    patches: [
      {
        patch: `
apiVersion: v1
kind: Service
metadata: {name: svc, namespace: apps}
spec:
  ports:
  - {port: 53, protocol: UDP, name: dns-udp}
  - {port: 443, targetPort: 8443}
  - {port: 80, targetPort: 9090}
`,
      },
    ],
  },
  {
    name: "$patch: delete at the top removes the resource",
    resources: CONFIGMAPS,
    patches: [
      {
        patch: `
$patch: delete
apiVersion: v1
kind: ConfigMap
metadata: {name: db-config, namespace: data}
`,
      },
    ],
  },
];

function toObjects(text: string): JsonObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as JsonObject | null)
    .filter((o): o is JsonObject => o !== null);
}

function keyOf(o: JsonObject): string {
  const m = (o.metadata ?? {}) as JsonObject;
  return `${String(o.kind)}|${String(m.namespace ?? "")}|${String(m.name)}`;
}

function sortById(list: JsonObject[]): JsonObject[] {
  return [...list].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
}

function schemaFor(o: JsonObject): PatchSchema | undefined {
  const api = loadOpenApiFixture("1.34");
  const { group, version } = splitApiVersion(String(o.apiVersion));
  const entry = api.kinds[gvkKey(group, version, String(o.kind))];
  return entry ? createPatchSchema(api, entry.definition) : undefined;
}

function applyOurs(resources: JsonObject[], patches: PatchCase[]): JsonObject[] {
  let current = resources;
  for (const p of patches) {
    const body = parse(p.patch) as unknown;
    const selector = p.target ?? targetFromPatchDocument(body as JsonObject);
    if (!selector) throw new Error("case needs a target");
    current = current.flatMap((r) => {
      if (!matchesTarget(r, selector)) return [r];
      if (p.type === "json6902") {
        const out = applyJson6902(r, body);
        if ("error" in out) throw new Error(out.error.message);
        return [out.object];
      }
      if (p.type === "merge") {
        const merged = applyMergePatch(r, body as JsonObject) as JsonObject;
        return [merged];
      }
      const out = applyStrategicPatch(r, body as JsonObject, schemaFor(r));
      if ("error" in out) throw new Error(out.error.message);
      return out.object ? [out.object] : [];
    });
  }
  return current;
}

describe.skipIf(skipReason !== undefined)("kustomize conformance (kubectl kustomize)", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "braid-kz-"));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each(CASES.map((c, i) => [c.name, c, i] as const))("%s", async (_name, c, i) => {
    const caseDir = join(dir, `case-${i}`);
    await rm(caseDir, { recursive: true, force: true });
    await mkdir(caseDir, { recursive: true });
    await writeFile(join(caseDir, "resources.yaml"), c.resources);
    const kustomization = {
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      resources: ["resources.yaml"],
      patches: c.patches.map((p) => ({ patch: p.patch.trim(), ...(p.target ? { target: p.target } : {}) })),
    };
    await writeFile(join(caseDir, "kustomization.yaml"), stringify(kustomization));
    const { stdout } = await run(kubectl!, ["kustomize", caseDir], { timeout: 60_000 });
    const expected = sortById(toObjects(stdout));
    const ours = sortById(applyOurs(toObjects(c.resources), c.patches));
    expect(ours).toEqual(expected);
  });
});
