/**
 * namePrefix / nameSuffix and name references (with generator hash suffixes): differential cases against
 * `kubectl kustomize` over the referring fields of kustomize's nameReference table, and a table of cases.
 */
import { describe, expect, it } from "vitest";
import type { KustomizationContext } from "../src/kustomize/context.js";
import { configMapGenerator, secretGenerator } from "../src/kustomize/generators.js";
import { namePrefix, nameSuffix } from "../src/kustomize/name-affix.js";
import { addNameHashes } from "../src/kustomize/name-hash.js";
import { fixNameReferences } from "../src/kustomize/name-references.js";
import { locateField, type Resource } from "../src/model/resource.js";
import { resourcesFromYaml } from "./helpers/test-resource.js";
import {
  contextFor,
  kubectlKustomize,
  removeFolder,
  resourcesOf,
  sortObjects,
  writeFolder,
} from "./helpers/kustomize-fields.js";
import { kubectlSkipReason } from "./helpers/kubectl.js";

const skip = kubectlSkipReason("kustomize name references", false);

/** One kustomization's build in kustomize's order, as far as these fields go. */
async function build(
  resources: Resource[],
  ctx: KustomizationContext,
  root: boolean,
): Promise<{ resources: Resource[]; diagnostics: unknown[] }> {
  const diagnostics: unknown[] = [];
  let list = resources;
  const step = async (
    field: string,
    t: (
      r: Resource[],
      a: never,
      c: KustomizationContext,
    ) => Promise<{ resources: Resource[]; diagnostics: unknown[] }> | { resources: Resource[]; diagnostics: unknown[] },
  ) => {
    if (ctx.kustomization[field] === undefined) return;
    const r = await t(list, ctx.kustomization[field] as never, ctx);
    list = r.resources;
    diagnostics.push(...r.diagnostics);
  };
  await step("configMapGenerator", configMapGenerator);
  await step("secretGenerator", secretGenerator);
  await step("namePrefix", namePrefix);
  await step("nameSuffix", nameSuffix);
  if (root) list = addNameHashes(list, null, ctx).resources;
  const fixed = fixNameReferences(list, null, ctx);
  diagnostics.push(...fixed.diagnostics);
  return { resources: fixed.resources, diagnostics };
}

const APP = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: runner
      imagePullSecrets:
      - name: pull
      containers:
      - name: web
        image: nginx
        env:
        - name: A
          valueFrom:
            configMapKeyRef: {name: cfg, key: A}
        - name: S
          valueFrom:
            secretKeyRef: {name: creds, key: password}
        envFrom:
        - configMapRef: {name: cfg}
        - secretRef: {name: creds}
      volumes:
      - name: c
        configMap: {name: cfg}
      - name: s
        secret: {secretName: creds}
      - name: p
        projected:
          sources:
          - configMap: {name: cfg}
          - secret: {name: creds}
      - name: d
        persistentVolumeClaim: {claimName: data}
      - name: unrelated
        configMap: {name: not-renamed-anywhere}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: runner
---
apiVersion: v1
kind: Secret
metadata:
  name: pull
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: e30=
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  annotations:
    nginx.ingress.kubernetes.io/auth-tls-secret: creds
spec:
  tls:
  - secretName: creds
  defaultBackend:
    service: {name: web, port: {number: 80}}
  rules:
  - http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service: {name: web, port: {number: 80}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 3
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: reader
rules:
- apiGroups: [""]
  resources: [configmaps]
  resourceNames: [cfg]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: reader
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects:
- kind: ServiceAccount
  name: runner
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: viewer
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: viewer
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: viewer}
subjects:
- kind: ServiceAccount
  name: runner
  namespace: default
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: things.example.com
spec:
  group: example.com
  names: {kind: Thing, plural: things}
  scope: Namespaced
  versions: []
---
apiVersion: v1
kind: Namespace
metadata:
  name: team
`;

const GENERATORS = `configMapGenerator:
- name: cfg
  literals: [A=1]
secretGenerator:
- name: creds
  literals: [password=secret]
`;

async function compare(files: Record<string, string>, baseDir?: string, baseFiles: string[] = []): Promise<void> {
  const dir = await writeFolder(files);
  try {
    const expected = sortObjects(await kubectlKustomize(dir));
    const diagnostics: unknown[] = [];
    let list: Resource[] = [];
    if (baseDir) {
      const ctx = await contextFor(dir, `${baseDir}/kustomization.yaml`);
      const r = await build(
        await resourcesOf(
          dir,
          baseFiles.map((f) => `${baseDir}/${f}`),
        ),
        ctx,
        false,
      );
      list = r.resources;
      diagnostics.push(...r.diagnostics);
    }
    const ctx = await contextFor(dir);
    const own = ((ctx.kustomization.resources ?? []) as string[]).filter((f) => f.endsWith(".yaml"));
    const r = await build([...list, ...(await resourcesOf(dir, own))], ctx, true);
    diagnostics.push(...r.diagnostics);
    expect(diagnostics).toEqual([]);
    expect(sortObjects(r.resources.map((x) => x.object))).toEqual(expected);
  } finally {
    await removeFolder(dir);
  }
}

describe.skipIf(skip !== undefined)("name prefix/suffix and references against kubectl kustomize", () => {
  it("generators only: hashed names reach every reference", async () => {
    await compare({ "kustomization.yaml": `resources: [app.yaml]\n${GENERATORS}`, "app.yaml": APP });
  });

  it("prefix + suffix + generators together (CRD and Namespace keep their names)", async () => {
    await compare({
      "kustomization.yaml": `resources: [app.yaml]\nnamePrefix: p-\nnameSuffix: -s\n${GENERATORS}`,
      "app.yaml": APP,
    });
  });

  it("overlay prefix over a base with its own prefix and generators", async () => {
    await compare(
      {
        "base/kustomization.yaml": `resources: [app.yaml]\nnamePrefix: base-\n${GENERATORS}`,
        "base/app.yaml": APP,
        "kustomization.yaml":
          "resources: [base]\nnamePrefix: top-\nconfigMapGenerator:\n- name: cfg\n  behavior: merge\n  literals: [B=2]\n",
      },
      "base",
      ["app.yaml"],
    );
  });

  it("two bases with different prefixes keep their own references", async () => {
    await compare(
      {
        "a/kustomization.yaml": `resources: [app.yaml]\nnamePrefix: a-\n${GENERATORS}`,
        "a/app.yaml": APP.split("---")[0]!,
        "kustomization.yaml": "resources: [a, b.yaml]\n",
        "b.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata: {x: y1}\n",
      },
      "a",
      ["app.yaml"],
    );
  });
});

describe.skipIf(skip !== undefined)("name reference ties, like kubectl kustomize", () => {
  it("a subject without namespace naming two renamed ServiceAccounts fails in both", async () => {
    const files = {
      "kustomization.yaml": "resources: [r.yaml]\nnamePrefix: p-\n",
      "r.yaml": `apiVersion: v1
kind: ServiceAccount
metadata: {name: sa, namespace: b}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: sa, namespace: a}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: crb}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
- {kind: ServiceAccount, name: sa}
`,
    };
    const dir = await writeFolder(files);
    try {
      await expect(kubectlKustomize(dir)).rejects.toThrow(/found multiple possible referrals/);
      const ctx = await contextFor(dir);
      const r = await build(await resourcesOf(dir, ["r.yaml"]), ctx, true);
      expect((r.diagnostics as { code: string; message: string }[]).map((d) => [d.code, d.message])).toEqual([
        [
          "KUSTOMIZE_INVALID",
          "ClusterRoleBinding p-crb refers to ServiceAccount sa, which several renamed objects were called: ServiceAccount b/p-sa, ServiceAccount a/p-sa",
        ],
      ]);
    } finally {
      await removeFolder(dir);
    }
  });
});

describe("name references: table", () => {
  const ctx: KustomizationContext = {
    source: "test",
    commit: "0".repeat(40),
    file: "kustomization.yaml",
    dir: "",
    kustomization: { namePrefix: "p-" },
    locate: (path) => (path[0] === "namePrefix" ? { file: "kustomization.yaml", line: 3, column: 13 } : undefined),
    readFile: () => Promise.reject(new Error("no files")),
  };

  it("a reference across namespaces is not renamed; the same namespace is; inputs are left alone", () => {
    const input = resourcesFromYaml(`apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: a}
---
apiVersion: v1
kind: Pod
metadata: {name: pa, namespace: a}
spec:
  containers: [{name: c, image: x, envFrom: [{configMapRef: {name: cfg}}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: pb, namespace: b}
spec:
  containers: [{name: c, image: x, envFrom: [{configMapRef: {name: cfg}}]}]
`);
    const renamed = namePrefix([input[0]!], "p-", ctx).resources;
    const all = [...renamed, input[1]!, input[2]!];
    const out = fixNameReferences(all, null, ctx);
    expect(out.diagnostics).toEqual([]);
    const ref = (r: Resource) => (r.object.spec as any).containers[0].envFrom[0].configMapRef.name as string;
    expect(ref(out.resources[1]!)).toBe("p-cfg");
    expect(ref(out.resources[2]!)).toBe("cfg");
    expect(ref(input[1]!)).toBe("cfg");
    expect(
      locateField(out.resources[1]!, ["spec", "containers", 0, "envFrom", 0, "configMapRef", "name"]),
    ).toMatchObject({ line: 3, column: 13 });
  });

  // kustomize's selectReferral: several renamed candidates are sieved by the prefixes and suffixes they share
  // with the referrer (an empty list matching any), then exactly; none left leaves the reference as it is
  const cfgAndPod = () =>
    resourcesFromYaml(`apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  volumes: [{name: v, configMap: {name: cfg}}]
  containers: [{name: c, image: x}]
`);
  const volume = (r: Resource) => (r.object.spec as any).volumes[0].configMap.name as string;

  it("two objects renamed from one name by other prefixes: a referrer without prefix keeps the name, as kubectl", () => {
    // kubectl kustomize: resources [a (namePrefix a-), b (namePrefix b-), pod.yaml], a and b on one base holding
    // ConfigMap cfg: the Pod keeps `cfg`
    const input = cfgAndPod();
    const a = namePrefix([input[0]!], "a-", ctx).resources[0]!;
    const b = namePrefix([input[0]!], "b-", ctx).resources[0]!;
    const out = fixNameReferences([a, b, input[1]!], null, ctx);
    expect(out.diagnostics).toEqual([]);
    expect(volume(out.resources[2]!)).toBe("cfg");
  });

  it("a referrer with a prefix takes the candidate that ends with its prefixes (kustomize issue 3489)", () => {
    const input = cfgAndPod();
    const [a, pod] = namePrefix(input, "a-", ctx).resources;
    const b = namePrefix([input[0]!], "b-", ctx).resources[0]!;
    const outer = namePrefix([a!, b, pod!], "x-", ctx).resources;
    const out = fixNameReferences(outer, null, ctx);
    expect(out.diagnostics).toEqual([]);
    expect(volume(out.resources[2]!)).toBe("x-a-cfg");
  });

  it("candidates that share the referrer's prefixes and suffixes but differ in name are a located tie", () => {
    const input = cfgAndPod();
    const [a, pod] = namePrefix(input, "a-", ctx).resources;
    // the same ConfigMap with the same prefix, renamed once more (as a generator's hash does)
    const hashed: Resource = {
      ...a!,
      id: { ...a!.id, name: "a-cfg-h" },
      object: { ...a!.object, metadata: { name: "a-cfg-h" } },
      previous: [...a!.previous!, a!.id],
    };
    const out = fixNameReferences([a!, hashed, pod!], null, ctx);
    expect(out.diagnostics.map((d) => [d.code, d.location?.line, d.message])).toEqual([
      [
        "KUSTOMIZE_INVALID",
        3,
        "Pod a-p refers to ConfigMap cfg, which several renamed objects were called: ConfigMap a-cfg, ConfigMap a-cfg-h",
      ],
    ]);
  });
});
