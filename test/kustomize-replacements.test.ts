/**
 * replacements: differential cases against `kubectl kustomize` (fieldPath, [key=value] selectors,
 * delimiter/index on source and target, create, reject, `path:` files, type of the target kept) and
 * located errors.
 */
import { describe, expect, it } from "vitest";
import { splitFieldPath } from "../src/kustomize/field-path.js";
import { replacements } from "../src/kustomize/replacements.js";
import { locateField } from "../src/model/resource.js";
import { contextFor, differential, removeFolder, resourcesOf, writeFolder } from "./helpers/kustomize-fields.js";
import { kubectlSkipReason } from "./helpers/kubectl.js";

const skip = kubectlSkipReason("kustomize replacements", false);

const OBJECTS = `apiVersion: v1
kind: ConfigMap
metadata:
  name: env
data:
  HOST: db.prod.svc.cluster.local
  REPLICAS: "3"
  IMAGE: registry.local/app:1.2.3
  limits.memory: 2Gi
  PREFIX: ""
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {tier: front}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.0
        env:
        - name: DB
          value: placeholder
      - name: sidecar
        image: busybox:1.0
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
spec:
  replicas: 2
  selector: {matchLabels: {app: worker}}
  template:
    metadata: {labels: {app: worker}}
    spec:
      containers:
      - name: worker
        image: nginx:1.0
---
apiVersion: v1
kind: Service
metadata:
  name: web
  annotations:
    host: a.b.c
spec:
  ports: [{port: 80}]
`;

const CASES: { name: string; kustomization: string; files?: Record<string, string> }[] = [
  {
    name: "an empty string is a value, not a missing field (kyaml's IsNilOrEmpty; kubeflow's centraldashboard)",
    kustomization: `replacements:
- source: {kind: ConfigMap, name: env, fieldPath: data.PREFIX}
  targets:
  - select: {kind: Deployment, name: web}
    fieldPaths: [metadata.labels.tier]
`,
  },
  {
    name: "a bracketed source key holding dots is one key (kyaml's SmarterPathSplitter)",
    kustomization: `replacements:
- source: {kind: ConfigMap, name: env, fieldPath: "data.[limits.memory]"}
  targets:
  - select: {kind: Deployment, name: web}
    fieldPaths: [metadata.annotations.memory, "spec.template.metadata.annotations.[limits.memory]"]
    options: {create: true}
`,
  },
  {
    name: "scalar into a [name=…] selected list element, string into a number keeps the number",
    kustomization: `replacements:
- source: {kind: ConfigMap, name: env, fieldPath: data.HOST}
  targets:
  - select: {kind: Deployment, name: web}
    fieldPaths:
    - spec.template.spec.containers.[name=web].env.[name=DB].value
- source: {kind: ConfigMap, name: env, fieldPath: data.REPLICAS}
  targets:
  - select: {kind: Deployment}
    reject: [{name: worker}]
    fieldPaths: [spec.replicas]
`,
  },
  {
    name: "delimiter and index on source and target (prefix, replace, append)",
    kustomization: `replacements:
- source: {kind: ConfigMap, name: env, fieldPath: data.HOST, options: {delimiter: ".", index: 1}}
  targets:
  - select: {kind: Service}
    fieldPaths: [metadata.annotations.host]
    options: {delimiter: ".", index: 0}
- source: {kind: ConfigMap, name: env, fieldPath: data.IMAGE, options: {delimiter: ":", index: 1}}
  targets:
  - select: {kind: Deployment}
    fieldPaths: [spec.template.spec.containers.*.image]
    options: {delimiter: ":", index: 1}
- source: {kind: Deployment, name: web, fieldPath: metadata.name}
  targets:
  - select: {kind: Service}
    fieldPaths: [metadata.annotations.host]
    options: {delimiter: ".", index: -1}
  - select: {kind: Deployment, name: worker}
    fieldPaths: [spec.template.spec.containers.0.name]
    options: {delimiter: "-", index: 5}
`,
  },
  {
    name: "create missing fields (maps, list elements) and copy a map",
    kustomization: `replacements:
- source: {kind: ConfigMap, name: env, fieldPath: data.HOST}
  targets:
  - select: {kind: Deployment}
    fieldPaths:
    - metadata.annotations.dbhost
    - spec.template.spec.containers.[name=web].env.[name=NEW].value
    options: {create: true}
- source: {kind: Deployment, name: web, fieldPath: metadata.labels}
  targets:
  - select: {kind: Service}
    fieldPaths: [spec.selector]
    options: {create: true}
- source: {kind: ConfigMap, name: env, fieldPath: data.REPLICAS}
  targets:
  - select: {kind: Service}
    fieldPaths: [metadata.labels.replicas]
    options: {create: true}
`,
  },
  {
    name: "path: file with a list, label selector on targets",
    kustomization: "replacements:\n- path: repl.yaml\n",
    files: {
      "repl.yaml": `- source: {kind: Deployment, name: web, fieldPath: spec.replicas}
  targets:
  - select: {labelSelector: tier=front}
    fieldPaths: [metadata.annotations.replicas]
    options: {create: true}
`,
    },
  },
];

describe.skipIf(skip !== undefined)("replacements against kubectl kustomize", () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const { expected, actual, diagnostics } = await differential(
        {
          name: c.name,
          files: {
            "kustomization.yaml": `resources:\n- objects.yaml\n${c.kustomization}`,
            "objects.yaml": OBJECTS,
            ...c.files,
          },
          resources: ["objects.yaml"],
        },
        (resources, ctx) => replacements(resources, ctx.kustomization.replacements!, ctx),
      );
      expect(diagnostics).toEqual([]);
      expect(actual).toEqual(expected);
    });
  }
});

describe("replacements: table", () => {
  it("splits field paths outside brackets", () => {
    expect(splitFieldPath("spec.containers.[name=a.b].image")).toEqual(["spec", "containers", "[name=a.b]", "image"]);
  });

  it("splits as kyaml's SmarterPathSplitter: a bracketed key with dots loses its brackets, \\. escapes a dot", () => {
    expect(splitFieldPath("data.[limits.memory]")).toEqual(["data", "limits.memory"]);
    expect(splitFieldPath("spec.hard.[a.b.c].x")).toEqual(["spec", "hard", "a.b.c", "x"]);
    expect(splitFieldPath("metadata.annotations.example\\.com/owner")).toEqual([
      "metadata",
      "annotations",
      "example.com/owner",
    ]);
    expect(splitFieldPath(".spec.replicas")).toEqual(["spec", "replicas"]);
    expect(splitFieldPath("spec.containers.[name=a].image")).toEqual(["spec", "containers", "[name=a]", "image"]);
  });

  it("located errors: no source, missing field, bad index; written fields point at the target entry", async () => {
    const dir = await writeFolder({
      "kustomization.yaml": `replacements:
- source: {kind: ConfigMap, name: nope}
  targets: [{select: {kind: Service}}]
- source: {kind: ConfigMap, name: env, fieldPath: data.MISSING}
  targets: [{select: {kind: Service}}]
- source: {kind: ConfigMap, name: env, fieldPath: data.HOST, options: {delimiter: ".", index: 9}}
  targets: [{select: {kind: Service}}]
- source: {kind: ConfigMap, name: env, fieldPath: data.HOST}
  targets:
  - select: {kind: Service}
    fieldPaths: [metadata.annotations.host]
`,
      "objects.yaml": OBJECTS,
    });
    try {
      const ctx = await contextFor(dir);
      const input = await resourcesOf(dir, ["objects.yaml"]);
      const all = ctx.kustomization.replacements as unknown[];
      const errs = [];
      for (const i of [0, 1, 2]) {
        const r = await replacements(input, [all[i]] as never, ctx);
        errs.push(...r.diagnostics.map((d) => [d.code, d.message]));
      }
      expect(errs).toEqual([
        ["KUSTOMIZE_INVALID", "the replacement source selects nothing"],
        ["KUSTOMIZE_INVALID", "fieldPath data.MISSING is missing in the replacement source"],
        ["KUSTOMIZE_INVALID", 'options.index 9 is out of bounds for "db.prod.svc.cluster.local"'],
      ]);
      const first = await replacements(input, [all[0]] as never, await contextFor(dir));
      expect(first.diagnostics[0]!.location).toMatchObject({ file: "kustomization.yaml", line: 2, column: 11 });
      const okDir = await writeFolder({
        "kustomization.yaml":
          "replacements:\n- source: {kind: ConfigMap, name: env, fieldPath: data.HOST}\n  targets:\n  - select: {kind: Service}\n    fieldPaths: [metadata.annotations.host]\n",
      });
      const okCtx = await contextFor(okDir);
      await removeFolder(okDir);
      const ok = await replacements(input, okCtx.kustomization.replacements!, okCtx);
      expect(ok.diagnostics).toEqual([]);
      const svc = ok.resources[3]!;
      expect((svc.object.metadata as { annotations: { host: string } }).annotations.host).toBe(
        "db.prod.svc.cluster.local",
      );
      expect((input[3]!.object.metadata as { annotations: { host: string } }).annotations.host).toBe("a.b.c");
      expect(locateField(svc, ["metadata", "annotations", "host"])).toMatchObject({
        file: "kustomization.yaml",
        line: 4,
        column: 5,
      });
    } finally {
      await removeFolder(dir);
    }
  });
});
