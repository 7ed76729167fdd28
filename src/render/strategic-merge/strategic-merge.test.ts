import { describe, expect, it } from "vitest";
import { BraidError } from "../../diagnostics/diagnostic.js";
import type { KubeOpenApi } from "../../model/kube-openapi.js";
import type { JsonObject } from "../../model/resource.js";
import { createPatchSchema } from "../../validate/patch-schema.js";
import { applyStrategicPatch, strategicMerge, tryStrategicMerge } from "./strategic-merge.js";
import { targetFromPatchDocument } from "./target-from-patch.js";

const api: KubeOpenApi = {
  kubernetesVersion: "0.0",
  digest: "x",
  origin: "inline",
  kinds: {},
  definitions: {
    Root: {
      properties: {
        items: {
          type: "array",
          items: { $ref: "#/definitions/Item" },
          "x-kubernetes-patch-merge-key": "name",
          "x-kubernetes-patch-strategy": "merge",
        },
        tags: { type: "array", items: { type: "string" }, "x-kubernetes-patch-strategy": "merge" },
        ports: {
          type: "array",
          items: { type: "object" },
          "x-kubernetes-patch-merge-key": "port",
          "x-kubernetes-patch-strategy": "merge",
          "x-kubernetes-list-map-keys": ["port", "protocol"],
        },
        plain: { type: "array", items: { type: "string" } },
        obj: { type: "object", properties: { a: { type: "string" }, b: { type: "string" } } },
        labels: { type: "object", additionalProperties: { type: "string" } },
      },
    },
    Item: {
      properties: {
        name: { type: "string" },
        v: { type: "integer" },
        sub: {
          type: "array",
          items: { $ref: "#/definitions/Item" },
          "x-kubernetes-patch-merge-key": "name",
          "x-kubernetes-patch-strategy": "merge",
        },
      },
    },
  },
};
const schema = createPatchSchema(api, "Root");

const T: JsonObject = {
  items: [
    { name: "a", v: 1 },
    { name: "b", v: 2, sub: [{ name: "x", v: 1 }] },
    { name: "c", v: 3 },
  ],
  tags: ["t1", "t2"],
  ports: [{ port: 80, protocol: "TCP" }, { port: 53 }],
  plain: ["p1", "p2"],
  obj: { a: "1", b: "2" },
  labels: { x: "1" },
  gone: null,
};

describe("strategicMerge with a schema", () => {
  it.each<[string, JsonObject, JsonObject]>([
    ["scalars replace, maps merge", { obj: { a: "9" } }, { ...T, obj: { a: "9", b: "2" } }],
    ["null deletes a key", { obj: { a: null }, labels: null }, { ...T, obj: { b: "2" }, labels: undefined as never }],
    [
      "merge by key: patch elements first, then the rest of the target",
      { items: [{ name: "c", v: 30 }, { name: "new" }] },
      {
        ...T,
        items: [
          { name: "c", v: 30 },
          { name: "new" },
          { name: "a", v: 1 },
          { name: "b", v: 2, sub: [{ name: "x", v: 1 }] },
        ],
      },
    ],
    [
      "nested keyed lists merge too",
      { items: [{ name: "b", sub: [{ name: "y" }] }] },
      {
        ...T,
        items: [
          { name: "b", v: 2, sub: [{ name: "y" }, { name: "x", v: 1 }] },
          { name: "a", v: 1 },
          { name: "c", v: 3 },
        ],
      },
    ],
    [
      "$patch: delete on an element",
      { items: [{ name: "b", $patch: "delete" }] },
      {
        ...T,
        items: [
          { name: "a", v: 1 },
          { name: "c", v: 3 },
        ],
      },
    ],
    ["$patch: delete on a map", { obj: { $patch: "delete" } }, { ...T, obj: undefined as never }],
    ["$patch: replace on a map", { obj: { $patch: "replace", b: "x" } }, { ...T, obj: { b: "x" } }],
    ["$patch: replace on a list", { items: [{ $patch: "replace" }, { name: "z" }] }, { ...T, items: [{ name: "z" }] }],
    ["$patch: delete on a list", { items: [{ $patch: "delete" }] }, { ...T, items: undefined as never }],
    [
      "$patch: replace on one element keeps the element (as kustomize does)",
      { items: [{ name: "a", $patch: "replace", other: 1 }] },
      T,
    ],
    ["primitive merge list is a union, patch first", { tags: ["t3", "t1"] }, { ...T, tags: ["t3", "t1", "t2"] }],
    ["list without strategy is replaced", { plain: ["q"] }, { ...T, plain: ["q"] }],
    [
      "multi-key list: new patch elements, then the target's",
      { ports: [{ port: 53, name: "dns" }, { port: 443 }] },
      { ...T, ports: [{ port: 443 }, { port: 80, protocol: "TCP" }, { port: 53, name: "dns" }] },
    ],
    ["null in the target survives", {}, T],
    ["new keys are added", { fresh: { deep: [1] } }, { ...T, fresh: { deep: [1] } }],
  ])("%s", (_name, patch, expected) => {
    const out = strategicMerge(T, patch, schema);
    expect(out).toEqual(JSON.parse(JSON.stringify(expected)));
  });

  it("never mutates its inputs and shares nothing with them", () => {
    const t = structuredClone(T);
    const p: JsonObject = { items: [{ name: "a", $patch: "delete" }], obj: { $patch: "replace", a: "z" }, tags: ["n"] };
    const pCopy = structuredClone(p);
    const out = strategicMerge(t, p, schema);
    expect(t).toEqual(T);
    expect(p).toEqual(pCopy);
    (out.obj as JsonObject).a = "changed";
    expect((p.obj as JsonObject).a).toBe("z");
  });
});

describe("strategicMerge without a schema (custom resources)", () => {
  it.each<[string, JsonObject, JsonObject, JsonObject]>([
    ["lists are replaced", { l: [{ name: "a", v: 1 }] }, { l: [{ name: "a", v: 2 }] }, { l: [{ name: "a", v: 2 }] }],
    ["maps merge recursively", { m: { a: { b: 1, c: 2 } } }, { m: { a: { c: 3 } } }, { m: { a: { b: 1, c: 3 } } }],
    ["nulls inside a new map are dropped", {}, { m: { a: null, b: 1 } }, { m: { b: 1 } }],
    ["$patch: delete element removes a replaced list (braid)", { l: [1, 2] }, { l: [{ $patch: "delete" }] }, {}],
  ])("%s", (_name, target, patch, expected) => {
    expect(strategicMerge(target, patch, undefined)).toEqual(expected);
  });
});

describe("directives kustomize does not implement", () => {
  it("$retainKeys clears the target's other keys", () => {
    const out = strategicMerge(
      { s: { type: "Rolling", rolling: { max: 1 }, keep: 1 } },
      { s: { $retainKeys: ["type", "keep"], type: "Recreate" } },
      undefined,
    );
    expect(out).toEqual({ s: { type: "Recreate", keep: 1 } });
  });
  it("$retainKeys must list the keys the patch sets", () => {
    const r = tryStrategicMerge({ s: {} }, { s: { $retainKeys: ["a"], b: 1 } }, undefined);
    expect(r).toEqual({ error: { path: "/s/b", message: expect.stringContaining("$retainKeys") } });
  });
  it("$deleteFromPrimitiveList removes scalars, $setElementOrder is dropped", () => {
    const out = strategicMerge(
      T,
      { "$deleteFromPrimitiveList/tags": ["t1"], "$setElementOrder/items": [{ name: "c" }] },
      schema,
    );
    expect(out.tags).toEqual(["t2"]);
    expect(Object.keys(out).some((k) => k.startsWith("$"))).toBe(false);
  });
  it("no directive survives in new subtrees", () => {
    const out = strategicMerge({}, { m: { $patch: "replace", a: 1 }, l: [{ $patch: "replace" }, { x: 1 }] }, undefined);
    expect(out).toEqual({ m: { a: 1 }, l: [{ x: 1 }] });
  });
});

describe("failures", () => {
  it.each<[string, JsonObject, JsonObject, string]>([
    ["a map patched with a scalar", { obj: { a: "1" } }, { obj: "x" }, "/obj"],
    ["a list patched with a map", { items: [] }, { items: { a: 1 } }, "/items"],
    ["an unknown $patch value", { obj: { a: "1" } }, { obj: { $patch: "explode" } }, "/obj"],
    ["an unknown list $patch value", { items: [{ name: "a" }] }, { items: [{ $patch: "nope" }] }, "/items"],
  ])("%s", (_name, target, patch, path) => {
    const r = tryStrategicMerge(target, patch, schema);
    expect("error" in r && r.error.path).toBe(path);
    expect(() => strategicMerge(target, patch, schema)).toThrow(BraidError);
    try {
      strategicMerge(target, patch, schema);
    } catch (e) {
      expect((e as BraidError).code).toBe("PATCH_FAILED");
    }
  });
});

describe("applyStrategicPatch (resource level)", () => {
  const cm: JsonObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "a", namespace: "ns" },
    data: { k: "v" },
  };
  it("keeps the target's identity", () => {
    const r = applyStrategicPatch(
      cm,
      { apiVersion: "v9", kind: "Other", metadata: { name: "b", namespace: "x" }, data: { n: "1" } },
      undefined,
    );
    expect(r).toEqual({
      object: {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "a", namespace: "ns" },
        data: { k: "v", n: "1" },
      },
    });
  });
  it("does not add a namespace the target lacks", () => {
    const r = applyStrategicPatch({ ...cm, metadata: { name: "a" } }, { metadata: { namespace: "x" } }, undefined);
    expect(r).toEqual({ object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" }, data: { k: "v" } } });
  });
  it("honours allowNameChange / allowKindChange", () => {
    const r = applyStrategicPatch(cm, { kind: "Secret", metadata: { name: "b" } }, undefined, {
      allowNameChange: true,
      allowKindChange: true,
    });
    expect(r).toMatchObject({ object: { kind: "Secret", metadata: { name: "b", namespace: "ns" } } });
  });
  it("$patch: delete at the top removes the resource", () => {
    expect(applyStrategicPatch(cm, { $patch: "delete" }, undefined)).toEqual({ object: null });
    expect(strategicMerge(cm, { $patch: "delete" }, undefined)).toEqual({});
  });
});

describe("targetFromPatchDocument", () => {
  it.each<[JsonObject, unknown]>([
    [
      { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web.v1", namespace: "ns" } },
      { group: "apps", version: "v1", kind: "Deployment", name: "web\\.v1", namespace: "ns" },
    ],
    [
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } },
      { group: "", version: "v1", kind: "ConfigMap", name: "c" },
    ],
    [{ kind: "ConfigMap" }, { kind: "ConfigMap" }],
    [{ spec: { replicas: 3 } }, undefined],
    [{ metadata: { name: "" } }, undefined],
  ])("%j", (patch, expected) => {
    expect(targetFromPatchDocument(patch)).toEqual(expected);
  });
});
