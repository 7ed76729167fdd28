/**
 * commonLabels, labels and commonAnnotations: a table of located errors and positions, and differential
 * cases against `kubectl kustomize` (skipped with a message when kubectl is absent).
 */
import { describe, expect, it } from "vitest";
import { commonAnnotations, commonLabels, labels } from "../src/kustomize/labels.js";
import { locateField } from "../src/model/resource.js";
import { contextFor, differential, removeFolder, resourcesOf, writeFolder } from "./helpers/kustomize-fields.js";
import { kubectlSkipReason } from "./helpers/kubectl.js";

const skip = kubectlSkipReason("kustomize labels", false);

const WORKLOADS = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 1
            podAffinityTerm:
              topologyKey: kubernetes.io/hostname
              labelSelector:
                matchLabels:
                  app: web
      containers:
      - name: web
        image: nginx
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
  - port: 80
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
      - name: db
        image: postgres
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes: [ReadWriteOnce]
      resources:
        requests:
          storage: 1Gi
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: tick
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: t
            image: busybox
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: np
spec:
  podSelector:
    matchLabels:
      app: web
  ingress:
  - from:
    - podSelector:
        matchLabels:
          app: other
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: plain
data:
  a: b
`;

const BARE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: bare
spec:
  template:
    spec:
      containers:
      - name: c
        image: nginx
---
apiVersion: v1
kind: Service
metadata:
  name: bare
spec:
  ports:
  - port: 80
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
spec:
  template:
    metadata: {}
`;

const CASES: { name: string; kustomization: string; workloads?: string }[] = [
  {
    name: "commonLabels create missing selectors and labels; custom kinds get metadata only",
    kustomization: "commonLabels:\n  team: a\ncommonAnnotations:\n  note: v\n",
    workloads: BARE,
  },
  {
    name: "labels with includeSelectors create missing selectors",
    kustomization: "labels:\n- pairs:\n    team: a\n  includeSelectors: true\n  includeTemplates: true\n",
    workloads: BARE,
  },
  {
    name: "commonLabels: metadata, selectors, templates, affinity, volumeClaimTemplates",
    kustomization: "commonLabels:\n  team: a\n  env: prod\n",
  },
  { name: "labels: pairs only (metadata)", kustomization: "labels:\n- pairs:\n    team: a\n" },
  { name: "labels: includeSelectors", kustomization: "labels:\n- pairs:\n    team: a\n  includeSelectors: true\n" },
  { name: "labels: includeTemplates", kustomization: "labels:\n- pairs:\n    team: a\n  includeTemplates: true\n" },
  {
    name: "labels: custom fields, two entries",
    kustomization:
      "labels:\n- pairs:\n    x: v\n  fields:\n  - path: spec/selector\n    kind: Service\n    create: true\n- pairs:\n    z: w\n  includeTemplates: true\n",
  },
  {
    name: "commonAnnotations: metadata and templates",
    kustomization: "commonAnnotations:\n  note: hello\n  other: 'yes'\n",
  },
  {
    name: "labels and commonLabels together",
    kustomization:
      "commonLabels:\n  a: '1'\nlabels:\n- pairs:\n    b: '2'\n  includeTemplates: true\ncommonAnnotations:\n  c: d\n",
  },
];

describe.skipIf(skip !== undefined)("labels and annotations against kubectl kustomize", () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const { expected, actual, diagnostics } = await differential(
        {
          name: c.name,
          files: {
            "kustomization.yaml": `resources:\n- workloads.yaml\n${c.kustomization}`,
            "workloads.yaml": c.workloads ?? WORKLOADS,
          },
          resources: ["workloads.yaml"],
        },
        (resources, ctx) => {
          let list = resources;
          const diags: unknown[] = [];
          // kustomize's order: labels (and commonLabels), then annotations
          if (ctx.kustomization.labels !== undefined)
            ({ resources: list } = labels(list, ctx.kustomization.labels, ctx));
          if (ctx.kustomization.commonLabels !== undefined)
            ({ resources: list } = commonLabels(list, ctx.kustomization.commonLabels, ctx));
          if (ctx.kustomization.commonAnnotations !== undefined)
            ({ resources: list } = commonAnnotations(list, ctx.kustomization.commonAnnotations, ctx));
          return { resources: list, diagnostics: diags };
        },
      );
      expect(diagnostics).toEqual([]);
      expect(actual).toEqual(expected);
    });
  }
});

describe("labels: errors and positions", () => {
  it("a non-string value is KUSTOMIZE_INVALID at the entry; inputs are not mutated; written labels point at the entry", async () => {
    const dir = await writeFolder({
      "kustomization.yaml": "resources:\n- w.yaml\ncommonLabels:\n  team: a\n  version: 2\n",
      "w.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
    });
    try {
      const ctx = await contextFor(dir);
      const input = await resourcesOf(dir, ["w.yaml"]);
      const before = structuredClone(input[0]!.object);
      const bad = commonLabels(input, ctx.kustomization.commonLabels!, ctx);
      expect(bad.diagnostics.map((d) => [d.code, d.location?.line, d.location?.column])).toEqual([
        ["KUSTOMIZE_INVALID", 5, 12],
      ]);
      expect(bad.diagnostics[0]!.hint).toBe('quote it: version: "2"');
      // a mapping or a list has no string form to quote (the hint once read `quote it: version: "[object Object]"`)
      const nested = commonLabels(input, { team: "a", version: { major: 2 } }, ctx);
      expect(nested.diagnostics.map((d) => [d.code, d.hint])).toEqual([
        ["KUSTOMIZE_INVALID", "write version as a string, not a mapping"],
      ]);
      const listed = commonLabels(input, { version: ["2"] }, ctx);
      expect(listed.diagnostics.map((d) => d.hint)).toEqual(["write version as a string, not a list"]);

      const good = commonLabels(input, { team: "a" }, ctx);
      expect(input[0]!.object).toEqual(before);
      expect(good.resources[0]!.object.metadata).toEqual({ name: "c", labels: { team: "a" } });
      expect(locateField(good.resources[0]!, ["metadata", "labels", "team"])).toMatchObject({
        file: "kustomization.yaml",
        line: 4,
        column: 9,
      });
      expect(locateField(good.resources[0]!, ["metadata", "name"])).toMatchObject({ file: "w.yaml", line: 4 });
    } finally {
      await removeFolder(dir);
    }
  });

  it("labels must be a list of maps", async () => {
    const dir = await writeFolder({ "kustomization.yaml": "labels:\n  team: a\n" });
    try {
      const ctx = await contextFor(dir);
      const r = labels([], ctx.kustomization.labels!, ctx);
      expect(r.diagnostics.map((d) => [d.code, d.location?.line, d.message])).toEqual([
        ["KUSTOMIZE_INVALID", 2, "labels must be a list"],
      ]);
    } finally {
      await removeFolder(dir);
    }
  });
});
