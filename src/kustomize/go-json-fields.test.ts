import { describe, expect, it } from "vitest";
import { kustomizationFields, writtenPath } from "./go-json-fields.js";
import type { Json } from "../model/resource.js";

describe("kustomization keys matched as Go's encoding/json matches them", () => {
  it("gives the same object back when every key is its field's name", () => {
    const value = { resources: ["a.yaml"], images: [{ name: "x", newTag: "1" }], commonLabels: { Team: "a" } };
    expect(kustomizationFields(value).value).toBe(value);
  });

  it("renames keys to their fields, ignoring case, and remembers how they were written", () => {
    const fields = kustomizationFields({
      NamePrefix: "p-",
      images: [{ NAME: "x", newtag: "2" }],
      patches: [{ Target: { KIND: "Deployment" }, options: { AllowNameChange: true } }],
      commonLabels: { Team: "a" },
      unknownField: 1,
    });
    expect(fields.value).toEqual({
      namePrefix: "p-",
      images: [{ name: "x", newTag: "2" }],
      // options is a map: its keys are data
      patches: [{ target: { kind: "Deployment" }, options: { AllowNameChange: true } }],
      commonLabels: { Team: "a" },
      unknownField: 1,
    });
    expect(writtenPath(fields, ["images", 0, "newTag"])).toEqual(["images", 0, "newtag"]);
    expect(writtenPath(fields, ["patches", 0, "target", "kind"])).toEqual(["patches", 0, "Target", "KIND"]);
    expect(writtenPath(fields, ["namePrefix"])).toEqual(["NamePrefix"]);
  });

  it("decodes keys naming one field in sorted order: scalars replace, maps merge, lists element by element", () => {
    const { value } = kustomizationFields({
      nameprefix: "b-",
      namePrefix: "a-", // "namePrefix" sorts before "nameprefix": b- is decoded last
      commonLabels: { x: "1" },
      commonlabels: { z: "2" },
      sortOptions: { order: "fifo" },
      SortOptions: { order: "legacy", legacySortOptions: { orderFirst: ["A"] } },
      resources: ["d.yaml", "c.yaml"],
      Resources: ["c.yaml"],
      Replicas: [{ name: "web", count: 5 }],
      replicas: [{ COUNT: 7 }],
    });
    expect(value).toEqual({
      namePrefix: "b-",
      commonLabels: { x: "1", z: "2" },
      sortOptions: { order: "fifo", legacySortOptions: { orderFirst: ["A"] } },
      resources: ["d.yaml", "c.yaml"],
      replicas: [{ name: "web", count: 7 }],
    });
  });

  it("null clears a map, list or struct and leaves a scalar as it was", () => {
    const { value } = kustomizationFields({ NAMESPACE: "a", namespace: null, Images: [{ name: "x" }], images: null });
    expect(value).toEqual({ namespace: "a", images: null });
  });

  it("keeps a key named __proto__ as data", () => {
    const value = JSON.parse('{"CommonLabels": {"__proto__": "x"}, "__proto__": 1}') as { [key: string]: Json };
    const out = kustomizationFields(value).value;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(["commonLabels", "__proto__"]);
    expect(Object.keys(out.commonLabels as object)).toEqual(["__proto__"]);
  });
});
