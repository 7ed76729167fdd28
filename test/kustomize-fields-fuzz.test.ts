/**
 * Seeded random overlays over a base, using only the registered fields (generators with merge/replace,
 * prefixes and suffixes, labels, annotations, images, replicas, replacements), compared with `kubectl kustomize`. Each
 * seed is one case, so a failure names the seed that reproduces it.
 */
import { describe, expect, it } from "vitest";
import {
  buildFields,
  contextFor,
  kubectlKustomize,
  removeFolder,
  resourcesOf,
  sortObjects,
  writeFolder,
} from "./helpers/kustomize-fields.js";
import { kubectlSkipReason } from "./helpers/kubectl.js";

const skip = kubectlSkipReason("kustomize fields fuzz", false);

/** A small deterministic PRNG (mulberry32). */
function rng(seed: number): { pick<T>(xs: readonly T[]): T; chance(p: number): boolean; int(n: number): number } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    pick: (xs) => xs[Math.floor(next() * xs.length)]!,
    chance: (p) => next() < p,
    int: (n) => Math.floor(next() * n),
  };
}

const APP = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  replicas: 1
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      serviceAccountName: app
      containers:
      - name: app
        image: registry.example/app:1.0
        envFrom:
        - configMapRef: {name: settings}
        - secretRef: {name: creds}
      initContainers:
      - name: init
        image: busybox
      volumes:
      - name: v
        configMap: {name: settings}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: app
---
apiVersion: v1
kind: Service
metadata:
  name: app
spec:
  selector: {app: app}
  ports: [{port: 80}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: app
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: db
        image: postgres:16
        envFrom: [{secretRef: {name: creds}}]
`;

function kustomizations(seed: number): { base: string; overlay: string } {
  const r = rng(seed);
  const lines = (xs: (string | false)[]): string => xs.filter(Boolean).join("\n") + "\n";
  const literal = (): string => `${r.pick(["A", "B", "C", "LOG"])}=${r.pick(["1", "x y", "on", "<&>", "é", "'q'"])}`;
  const uniq = (n: number): string[] => [
    ...new Map(Array.from({ length: n }, () => literal()).map((l) => [l.split("=")[0], l])).values(),
  ];
  const base = lines([
    "resources: [app.yaml]",
    r.chance(0.5) && `namePrefix: ${r.pick(["b-", "base-"])}`,
    r.chance(0.5) && `commonLabels:\n  tier: ${r.pick(["web", "api"])}`,
    `configMapGenerator:\n- name: settings\n  literals: ${JSON.stringify(uniq(3))}${r.chance(0.3) ? "\n  options: {disableNameSuffixHash: true}" : ""}`,
    `secretGenerator:\n- name: creds\n  literals: ${JSON.stringify(uniq(2))}`,
    r.chance(0.5) && `images:\n- name: busybox\n  newTag: "${r.pick(["1.36", "latest"])}"`,
  ]);
  const behavior = r.pick(["merge", "replace", "create-other"]);
  const overlay = lines([
    "resources: [base]",
    r.chance(0.6) && `namePrefix: ${r.pick(["o-", "prod-"])}`,
    r.chance(0.4) && `nameSuffix: ${r.pick(["-v2", "-eu"])}`,
    r.chance(0.5) &&
      `labels:\n- pairs: {env: ${r.pick(["prod", "dev"])}}\n  includeSelectors: ${r.chance(0.5)}\n  includeTemplates: ${r.chance(0.5)}`,
    r.chance(0.5) && `commonLabels:\n  team: ${r.pick(["a", "b"])}`,
    r.chance(0.5) && `commonAnnotations:\n  note: ${r.pick(["hello", "x=y"])}`,
    behavior === "create-other"
      ? `configMapGenerator:\n- name: extra\n  literals: ${JSON.stringify(uniq(2))}`
      : `configMapGenerator:\n- name: settings\n  behavior: ${behavior}\n  literals: ${JSON.stringify(uniq(2))}`,
    r.chance(0.3) && `secretGenerator:\n- name: creds\n  behavior: merge\n  literals: ["Z=1"]`,
    r.chance(0.3) && `generatorOptions:\n  labels: {generated: "true"}`,
    r.chance(0.6) &&
      `images:\n- name: registry.example/app\n${r.pick(['  newTag: "2.0"', "  digest: sha256:" + "b".repeat(64), "  newName: mirror.example/app", '  newName: mirror.example/app\n  newTag: "3"'])}`,
    r.chance(0.5) && `replicas:\n- name: ${r.pick(["app", "db"])}\n  count: ${r.int(5)}`,
    r.chance(0.4) &&
      `replacements:\n- source: {kind: ${r.pick(["Service", "Deployment"])}, fieldPath: metadata.name${r.chance(0.5) ? ', options: {delimiter: "-", index: 0}' : ""}}\n  targets:\n  - select: {kind: StatefulSet}\n    fieldPaths: [spec.serviceName]\n  - select: {kind: Deployment}\n    fieldPaths: [spec.template.metadata.annotations.svc]\n    options: {create: true${r.chance(0.5) ? ', delimiter: ".", index: 1' : ""}}`,
  ]);
  return { base, overlay };
}

const SEEDS = Array.from({ length: 40 }, (_, i) => 1000 + i);

describe.skipIf(skip !== undefined)("random overlays of the registered fields against kubectl kustomize", () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}`, async () => {
      const k = kustomizations(seed);
      const dir = await writeFolder({
        "base/kustomization.yaml": k.base,
        "base/app.yaml": APP,
        "kustomization.yaml": k.overlay,
      });
      try {
        const expected = sortObjects(await kubectlKustomize(dir));
        const b = await buildFields(
          await resourcesOf(dir, ["base/app.yaml"]),
          await contextFor(dir, "base/kustomization.yaml"),
          false,
        );
        const o = await buildFields(b.resources, await contextFor(dir), true);
        expect([...b.diagnostics, ...o.diagnostics]).toEqual([]);
        expect(sortObjects(o.resources.map((x) => x.object))).toEqual(expected);
      } finally {
        await removeFolder(dir);
      }
    });
  }
});
