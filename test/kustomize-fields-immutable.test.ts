/**
 * Every registered transformer leaves its input alone: the resources (objects, positions, previous ids) are
 * deep-frozen, so any write to them throws in strict-mode code, and each transformer must still change
 * what its field says.
 */
import { describe, expect, it } from "vitest";
import type { KustomizationContext } from "../src/kustomize/context.js";
import { FIELD_TRANSFORMERS, NAME_REFERENCES, ROOT_TRANSFORMERS } from "../src/kustomize/registry.js";
import type { Json, Resource } from "../src/model/resource.js";
import { resourcesFromYaml } from "./helpers/test-resource.js";

function deepFreeze<T>(v: T): T {
  if (v && typeof v === "object" && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v as object)) deepFreeze(x);
  }
  return v;
}

const ctx: KustomizationContext = {
  source: "test",
  commit: "0".repeat(40),
  file: "kustomization.yaml",
  dir: "",
  kustomization: {},
  locate: () => undefined,
  readFile: () => Promise.resolve(new TextEncoder().encode("A=1\n")),
};

const YAML = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1, envFrom: [{configMapRef: {name: cfg}}]}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {a: b}
`;

const ARGS: [string, Json][] = [
  [
    "configMapGenerator",
    [
      { name: "cfg", behavior: "merge", literals: ["X=1"] },
      { name: "new", envs: ["a.env"] },
    ],
  ],
  ["secretGenerator", [{ name: "s", literals: ["K=v"] }]],
  ["namePrefix", "p-"],
  ["nameSuffix", "-s"],
  ["commonLabels", { team: "a" }],
  ["labels", [{ pairs: { env: "prod" }, includeSelectors: true }]],
  ["commonAnnotations", { note: "x" }],
  ["images", [{ name: "nginx", newTag: "2" }]],
  ["replicas", [{ name: "web", count: 3 }]],
  [
    "replacements",
    [
      {
        source: { kind: "ConfigMap", fieldPath: "data.a" },
        targets: [
          { select: { kind: "Deployment" }, fieldPaths: ["metadata.annotations.a"], options: { create: true } },
        ],
      },
    ],
  ],
];

describe("registered transformers never write to their input", () => {
  for (const [field, args] of ARGS) {
    it(field, async () => {
      const input: Resource[] = deepFreeze(
        resourcesFromYaml(YAML).map((r) => ({ ...r, previous: [{ ...r.id, name: "old" }], nameHash: true })),
      );
      const before = JSON.stringify(input.map((r) => r.object));
      const t = FIELD_TRANSFORMERS[field as keyof typeof FIELD_TRANSFORMERS]!;
      const out = await t(input, deepFreeze(args), ctx);
      expect(out.diagnostics).toEqual([]);
      expect(JSON.stringify(out.resources.map((r) => r.object))).not.toBe(before);
      expect(JSON.stringify(input.map((r) => r.object))).toBe(before);
      // and the steps after the fields
      const hashed = ROOT_TRANSFORMERS.addNameHashes!(deepFreeze(out.resources), null, ctx);
      NAME_REFERENCES.fix!(deepFreeze(hashed.resources), null, ctx);
    });
  }
});
