import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeOpenApi } from "../model/kube-openapi.js";
import { matchesLabelSelectorObject } from "../model/select-targets.js";
import { loadKubeOpenApi } from "../kube/openapi-load.js";
import { loadFleetSchemas } from "./org-schemas.js";
import { resourcesFromYaml } from "../../test/helpers/test-resource.js";
import { validateResources } from "./validate-resources.js";
import { OPENAPI_DIR, openApiSkipReason } from "../../test/helpers/openapi-fixture.js";

const DATA = OPENAPI_DIR;
const NO_OPENAPI = openApiSkipReason("org-schemas", "1.32");

describe.skipIf(NO_OPENAPI)("loadFleetSchemas", () => {
  it("reads Policies, CRDs (also in a List) and kubeconform-style kind schemas", () => {
    const out = loadFleetSchemas([
      {
        path: "schemas/policy.yaml",
        text: `apiVersion: braid/v1alpha1
kind: Policy
metadata: { name: team-label }
spec:
  match: { kinds: [{ kind: Deployment }], labelSelector: { matchLabels: { tier: web } } }
  schema: { required: [metadata] }
`,
      },
      {
        path: "schemas/crds.yaml",
        text: `apiVersion: v1
kind: List
items:
  - apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata: { name: widgets.example.com }
    spec: { group: example.com, scope: Namespaced, names: { kind: Widget, plural: widgets }, versions: [{ name: v1, served: true, storage: true, schema: { openAPIV3Schema: { type: object } } }] }
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: gadgets.example.com }
spec: { group: example.com, scope: Cluster, names: { kind: Gadget, plural: gadgets }, versions: [{ name: v1, served: true, storage: true }] }
`,
      },
      {
        path: "schemas/thing-v1.json",
        text: JSON.stringify({
          type: "object",
          "x-kubernetes-group-version-kind": [{ group: "acme.io", version: "v1", kind: "Thing" }],
          properties: { spec: { type: "object", properties: { size: { type: "integer" } } } },
        }),
      },
    ]);
    expect(out.diagnostics).toEqual([]);
    expect(out.crds.map((c) => [c.id.name, c.origin.file, c.origin.line])).toEqual([
      ["widgets.example.com", "schemas/crds.yaml", 4],
      ["gadgets.example.com", "schemas/crds.yaml", 9],
    ]);
    expect(out.policies.map((p) => [p.name, p.kindSchema, p.location.file, p.location.line])).toEqual([
      ["team-label", false, "schemas/policy.yaml", 6],
      ["schemas/thing-v1.json", true, "schemas/thing-v1.json", 1],
    ]);
    expect(out.policies[1]!.match.kinds).toEqual([{ group: "acme.io", version: "v1", kind: "Thing" }]);
  });

  it("reports malformed files with ORG_SCHEMA_INVALID and a line", () => {
    const table: { text: string; line: number; message: RegExp }[] = [
      {
        text: "apiVersion: braid/v1alpha1\nkind: Policy\nmetadata: { name: p }\nspec:\n  match: { kinds: [{ kind: Pod }] }\n  schema: {}\n  severity: high\n",
        line: 7,
        message: /unknown field "severity"/,
      },
      {
        text: "apiVersion: braid/v1alpha1\nkind: Policy\nmetadata: { name: p }\nspec:\n  schema: {}\n",
        line: 4,
        message: /^Policy \/spec: missing required field "match"$/,
      },
      {
        text: "apiVersion: braid/v1alpha1\nkind: Policy\nmetadata: { name: p }\nspec:\n  match: { kinds: [{ kind: Pod }] }\n  schema: {}\n  descripton: why\n",
        line: 7,
        message: /^Policy \/spec: unknown field "descripton" \(did you mean "description"\?\)$/,
      },
      {
        text: "apiVersion: braid/v1alpha1\nkind: Policy\nmetadata: { name: p }\nspec:\n  match: { kinds: [{ kind: Pod }] }\n  schema: { type: 12 }\n",
        line: 6,
        message: /does not compile/,
      },
      { text: "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n", line: 1, message: /not a braid Policy/ },
      { text: "- just\n- a list\n", line: 1, message: /not an object/ },
    ];
    for (const c of table) {
      const out = loadFleetSchemas([{ path: "schemas/x.yaml", text: c.text }]);
      expect(out.policies, c.text).toEqual([]);
      expect(
        out.diagnostics.map((d) => d.code),
        c.text,
      ).toEqual(["ORG_SCHEMA_INVALID"]);
      expect(out.diagnostics[0]!.location?.line, c.text).toBe(c.line);
      expect(out.diagnostics[0]!.message).toMatch(c.message);
    }
    const syntax = loadFleetSchemas([{ path: "schemas/bad.yaml", text: "a: [1,\n" }]);
    expect(syntax.diagnostics.map((d) => d.code)).toEqual(["YAML_SYNTAX"]);
  });

  it("refuses two policies with one name", () => {
    const p =
      "apiVersion: braid/v1alpha1\nkind: Policy\nmetadata: { name: same }\nspec:\n  match: { kinds: [{ kind: Pod }] }\n  schema: {}\n";
    const out = loadFleetSchemas([
      { path: "schemas/a.yaml", text: p },
      { path: "schemas/b.yaml", text: p },
    ]);
    expect(out.diagnostics.map((d) => [d.code, d.location?.file, d.related?.[0]?.location.file])).toEqual([
      ["ORG_SCHEMA_INVALID", "schemas/b.yaml", "schemas/a.yaml"],
    ]);
  });
});

describe.skipIf(NO_OPENAPI)("kind schemas from schemas/ in validation", () => {
  let cacheDir: string;
  let openapi: KubeOpenApi;
  beforeAll(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), "braid-org-"));
    openapi = await loadKubeOpenApi({ kubernetesVersion: "1.32", envValue: DATA, fleetDir: cacheDir, cacheDir });
  });
  afterAll(() => rm(cacheDir, { recursive: true, force: true }));

  it("a kind schema counts as the kind's schema; strict applies to it; violations are SCHEMA_VIOLATION", () => {
    const { policies } = loadFleetSchemas([
      {
        path: "schemas/thing-v1.json",
        text: JSON.stringify({
          type: "object",
          "x-kubernetes-group-version-kind": { group: "acme.io", version: "v1", kind: "Thing" },
          properties: {
            apiVersion: { type: "string" },
            kind: { type: "string" },
            metadata: { type: "object" },
            spec: { type: "object", properties: { size: { type: "integer" } } },
          },
        }),
      },
    ]);
    const text = "apiVersion: acme.io/v1\nkind: Thing\nmetadata: { name: t }\nspec:\n  size: big\n  sise: 1\n";
    const ctx = { cluster: "c", openapi, crds: [], policies, ignoreMissingSchemas: false, skipKinds: [] };
    const strict = validateResources(resourcesFromYaml(text), { ...ctx, strict: true });
    expect(strict.map((d) => [d.code, d.path, d.location?.line])).toEqual([
      ["SCHEMA_VIOLATION", "/spec/size", 5],
      ["SCHEMA_VIOLATION", "/spec/sise", 6],
    ]);
    const loose = validateResources(resourcesFromYaml(text), { ...ctx, strict: false });
    expect(loose.map((d) => d.path)).toEqual(["/spec/size"]);
  });
});

describe.skipIf(NO_OPENAPI)("policy label selectors (matchesLabelSelectorObject)", () => {
  const labels = { app: "web", tier: "front" };
  const table: [Parameters<typeof matchesLabelSelectorObject>[1], boolean][] = [
    [{}, true],
    [{ matchLabels: { app: "web" } }, true],
    [{ matchLabels: { app: "db" } }, false],
    [{ matchExpressions: [{ key: "tier", operator: "In", values: ["front", "back"] }] }, true],
    [{ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["front"] }] }, false],
    [{ matchExpressions: [{ key: "zone", operator: "NotIn", values: ["a"] }] }, true],
    [{ matchExpressions: [{ key: "app", operator: "Exists" }] }, true],
    [{ matchExpressions: [{ key: "app", operator: "DoesNotExist" }] }, false],
    [{ matchLabels: { app: "web" }, matchExpressions: [{ key: "zone", operator: "Exists" }] }, false],
  ];
  it.each(table)("%j → %s", (selector, want) => expect(matchesLabelSelectorObject(labels, selector)).toBe(want));
});
