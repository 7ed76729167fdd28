import { describe, expect, it } from "vitest";
import { createPatchSchema } from "./patch-schema.js";
import type { KubeOpenApi } from "../model/kube-openapi.js";
import type { PatchSchema } from "../model/kube-schema.js";
import { definitionOf, hasOpenApiFixture, loadOpenApiFixture } from "../../test/helpers/openapi-fixture.js";

function walk(s: PatchSchema | undefined, path: string[]): PatchSchema | undefined {
  let cur = s;
  for (const p of path) cur = p === "[]" ? cur?.elements() : cur?.property(p);
  return cur;
}

const tiny: KubeOpenApi = {
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
          "x-kubernetes-patch-merge-key": "id",
          "x-kubernetes-patch-strategy": "merge, retainKeys",
        },
        labels: { type: "object", additionalProperties: { type: "string" } },
        wrapped: { allOf: [{ $ref: "#/definitions/Item" }] },
        dangling: { $ref: "#/definitions/Nope" },
        self: { $ref: "#/definitions/Root" },
      },
    },
    Item: {
      properties: {
        id: { type: "string" },
        tags: { type: "array", items: { type: "string" }, "x-kubernetes-list-type": "set" },
      },
    },
  },
};

describe("createPatchSchema (inline document)", () => {
  const root = createPatchSchema(tiny, "Root");
  it.each([
    [["items"], { patchMergeKey: "id", patchStrategy: ["merge", "retainKeys"] }],
    [["items", "[]", "tags"], { listType: "set" }],
    [["self", "self", "items"], { patchMergeKey: "id" }],
  ])("%j carries %j", (path, expected) => {
    expect(walk(root, path)).toMatchObject(expected);
  });
  it.each([[["nope"]], [["dangling", "x"]], [["labels", "[]", "x"]], [["items", "[]", "id", "[]"]]])(
    "%j is unknown",
    (path) => {
      expect(walk(root, path)).toBeUndefined();
    },
  );
  it("reads map values and allOf wrappers", () => {
    expect(walk(root, ["labels", "[]"])).toBeDefined();
    expect(walk(root, ["wrapped", "tags"])?.listType).toBe("set");
  });
  it("memoizes nodes", () => {
    expect(root.property("items")).toBe(root.property("items"));
    expect(root.property("items")?.elements()).toBe(root.property("items")?.elements());
  });
  it("unknown definition gives an empty schema", () => {
    expect(createPatchSchema(tiny, "Missing").property("x")).toBeUndefined();
  });
});

describe.skipIf(!hasOpenApiFixture())("createPatchSchema (Kubernetes 1.34)", () => {
  const api = hasOpenApiFixture() ? loadOpenApiFixture() : tiny;
  const deploy = () => createPatchSchema(api, definitionOf(api, "apps", "v1", "Deployment"));
  const pod = ["spec", "template", "spec"];
  it.each([
    [[...pod, "containers"], "name", ["merge"]],
    [[...pod, "containers", "[]", "env"], "name", ["merge"]],
    [[...pod, "containers", "[]", "ports"], "containerPort", ["merge"]],
    [[...pod, "volumes"], "name", ["merge", "retainKeys"]],
    [["metadata", "finalizers"], undefined, ["merge"]],
    [["spec", "strategy"], undefined, ["retainKeys"]],
  ])("%j: merge key %s, strategy %j", (path, key, strategy) => {
    const node = walk(deploy(), path);
    expect(node).toBeDefined();
    expect(node?.patchMergeKey).toBe(key);
    expect(node?.patchStrategy).toEqual(strategy);
  });
  it("list types and map keys", () => {
    const ports = walk(deploy(), [...pod, "containers", "[]", "ports"]);
    expect(ports?.listType).toBe("map");
    expect(ports?.listMapKeys).toEqual(["containerPort", "protocol"]);
    expect(walk(deploy(), [...pod, "containers", "[]", "args"])?.listType).toBe("atomic");
  });
  it("labels are a string map", () => {
    expect(walk(deploy(), ["metadata", "labels", "[]"])).toBeDefined();
    expect(walk(deploy(), ["spec", "nonsense"])).toBeUndefined();
  });
});
