/**
 * images and replicas: tables (image splitting, errors with positions) and differential cases against
 * `kubectl kustomize` (skipped with a message when kubectl is absent).
 */
import { describe, expect, it } from "vitest";
import { images, splitImage, updateImage } from "../src/kustomize/images.js";
import { replicas } from "../src/kustomize/replicas.js";
import { locateField } from "../src/model/resource.js";
import { contextFor, differential, removeFolder, resourcesOf, writeFolder } from "./helpers/kustomize-fields.js";
import { kubectlSkipReason } from "./helpers/kubectl.js";

const skip = kubectlSkipReason("kustomize images and replicas", false);

const PODS = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      initContainers:
      - name: init
        image: busybox@sha256:1111111111111111111111111111111111111111111111111111111111111111
      containers:
      - name: web
        image: nginx:1.25
      - name: side
        image: registry.local:5000/team/sidecar:v1@sha256:2222222222222222222222222222222222222222222222222222222222222222
      - name: other
        image: nginxother
---
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: c
    image: nginx
---
apiVersion: example.com/v1
kind: Thing
metadata:
  name: t
spec:
  deep:
    containers:
    - name: x
      image: nginx:old
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: db
        image: postgres:15
---
apiVersion: batch/v1
kind: Job
metadata:
  name: web
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: j
        image: busybox
`;

const CASES: { name: string; kustomization: string }[] = [
  {
    name: "newTag replaces tag and drops a digest",
    kustomization: "images:\n- name: nginx\n  newTag: '1.27'\n- name: registry.local:5000/team/sidecar\n  newTag: v2\n",
  },
  {
    name: "digest replaces a tag",
    kustomization:
      "images:\n- name: nginx\n  digest: sha256:3333333333333333333333333333333333333333333333333333333333333333\n",
  },
  {
    name: "newName keeps the tag; newName + newTag + digest",
    kustomization:
      "images:\n- name: nginx\n  newName: ghcr.io/acme/nginx\n- name: busybox\n  newName: mirror/busybox\n  newTag: '1.36'\n  digest: sha256:4444444444444444444444444444444444444444444444444444444444444444\n",
  },
  { name: "containers anywhere in custom resources", kustomization: "images:\n- name: nginx\n  newTag: new\n" },
  {
    name: "tagSuffix is appended by both passes, as kustomize v5.5 does",
    kustomization: "images:\n- name: nginx\n  tagSuffix: -fips\n",
  },
  {
    name: "replicas: deployment and statefulset, not job",
    kustomization: "replicas:\n- name: web\n  count: 5\n- name: db\n  count: 0\n",
  },
];

describe.skipIf(skip !== undefined)("images and replicas against kubectl kustomize", () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const { expected, actual, diagnostics } = await differential(
        {
          name: c.name,
          files: { "kustomization.yaml": `resources:\n- pods.yaml\n${c.kustomization}`, "pods.yaml": PODS },
          resources: ["pods.yaml"],
        },
        (resources, ctx) => {
          let list = resources;
          const diags: unknown[] = [];
          if (ctx.kustomization.replicas !== undefined) {
            const r = replicas(list, ctx.kustomization.replicas, ctx);
            list = r.resources;
            diags.push(...r.diagnostics);
          }
          if (ctx.kustomization.images !== undefined) {
            const r = images(list, ctx.kustomization.images, ctx);
            list = r.resources;
            diags.push(...r.diagnostics);
          }
          return { resources: list, diagnostics: diags };
        },
      );
      expect(diagnostics).toEqual([]);
      expect(actual).toEqual(expected);
    });
  }
});

describe("images: reference forms", () => {
  it.each([
    ["nginx", { name: "nginx", tag: "", digest: "" }],
    ["nginx:1.2", { name: "nginx", tag: "1.2", digest: "" }],
    ["nginx@sha256:ab", { name: "nginx", tag: "", digest: "sha256:ab" }],
    ["host:5000/a/b:t@sha256:ab", { name: "host:5000/a/b", tag: "t", digest: "sha256:ab" }],
    ["host:5000/a/b", { name: "host:5000/a/b", tag: "", digest: "" }],
  ])("splits %s", (image, parts) => {
    expect(splitImage(image)).toEqual(parts);
  });

  it.each([
    ["nginx:1.2@sha256:ab", { name: "nginx", newTag: "2" }, "nginx:2"],
    ["nginx:1.2", { name: "nginx", digest: "sha256:cd" }, "nginx@sha256:cd"],
    ["nginx", { name: "nginx", newName: "x/nginx" }, "x/nginx"],
    ["nginxother", { name: "nginx", newTag: "2" }, undefined],
  ])("updates %s with %j", (image, args, out) => {
    expect(updateImage(image, args)).toBe(out);
  });
});

describe("unknown fields in entries are located errors (kustomize reads kustomizations strictly)", () => {
  it("images, replicas, generators, labels and replacements entries", async () => {
    const { configMapGenerator } = await import("../src/kustomize/generators.js");
    const { labels } = await import("../src/kustomize/labels.js");
    const { replacements } = await import("../src/kustomize/replacements.js");
    const dir = await writeFolder({
      "kustomization.yaml": `images:
- name: nginx
  newtag: "2"
replicas:
- name: web
  replicas: 2
configMapGenerator:
- name: a
  literal: [A=1]
labels:
- pair: {a: b}
replacements:
- source: {kind: ConfigMap, fieldpath: data.x}
  targets: [{select: {kind: Service}}]
`,
    });
    try {
      const ctx = await contextFor(dir);
      const k = ctx.kustomization;
      const all = [
        ...images([], k.images!, ctx).diagnostics,
        ...replicas([], k.replicas!, ctx).diagnostics,
        ...(await configMapGenerator([], k.configMapGenerator!, ctx)).diagnostics,
        ...labels([], k.labels!, ctx).diagnostics,
        ...(await replacements([], k.replacements!, ctx)).diagnostics,
      ];
      expect(all.map((d) => [d.code, d.location?.line, d.location?.column, d.message])).toEqual([
        ["KUSTOMIZE_INVALID", 3, 11, 'unknown field "newtag" in images[0]'],
        ["KUSTOMIZE_INVALID", 6, 13, 'unknown field "replicas" in replicas[0]'],
        ["KUSTOMIZE_INVALID", 9, 12, 'unknown field "literal" in configMapGenerator[0]'],
        ["KUSTOMIZE_INVALID", 11, 9, 'unknown field "pair" in labels[0]'],
        ["KUSTOMIZE_INVALID", 13, 40, 'unknown field "fieldpath" in a replacement'],
      ]);
      expect(all[0]!.hint).toBe("the fields here are: name, newName, newTag, digest, tagSuffix");
    } finally {
      await removeFolder(dir);
    }
  });
});

describe("images and replicas: errors and positions", () => {
  it("a numeric newTag and an unknown replicas name are located errors; rewritten images point at the entry", async () => {
    const dir = await writeFolder({
      "kustomization.yaml": "images:\n- name: nginx\n  newTag: 1.27\nreplicas:\n- name: nope\n  count: 2\n",
      "pods.yaml": PODS,
    });
    try {
      const ctx = await contextFor(dir);
      const input = await resourcesOf(dir, ["pods.yaml"]);
      const bad = images(input, ctx.kustomization.images!, ctx);
      expect(bad.diagnostics.map((d) => [d.code, d.location?.line, d.location?.column, d.hint])).toEqual([
        ["KUSTOMIZE_INVALID", 3, 11, 'quote it: newTag: "1.27"'],
      ]);
      const r = replicas(input, ctx.kustomization.replicas!, ctx);
      expect(r.diagnostics.map((d) => [d.code, d.location?.line, d.location?.column])).toEqual([
        ["KUSTOMIZE_INVALID", 5, 9],
      ]);

      const good = images(input, [{ name: "nginx", newTag: "2" }], ctx);
      const web = good.resources[0]!;
      expect(web.object).not.toBe(input[0]!.object);
      expect(
        (input[0]!.object.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec
          .containers[0]!.image,
      ).toBe("nginx:1.25");
      expect(locateField(web, ["spec", "template", "spec", "containers", 0, "image"])).toMatchObject({
        file: "kustomization.yaml",
        line: 2,
      });
      expect(locateField(web, ["spec", "template", "spec", "containers", 1, "image"])).toMatchObject({
        file: "pods.yaml",
        line: 18,
      });
    } finally {
      await removeFolder(dir);
    }
  });
});
