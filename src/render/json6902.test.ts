import { describe, expect, it } from "vitest";
import type { JsonObject } from "../model/resource.js";
import { applyJson6902, validateJson6902 } from "./json6902.js";

const doc: JsonObject = { metadata: { name: "a", labels: { x: "1" } }, data: { k: "v" }, list: [1, 2, 3] };

describe("applyJson6902: successes", () => {
  it.each<[string, unknown[], JsonObject]>([
    ["replace", [{ op: "replace", path: "/data/k", value: "w" }], { ...doc, data: { k: "w" } }],
    ["add a key", [{ op: "add", path: "/data/n", value: 1 }], { ...doc, data: { k: "v", n: 1 } }],
    ["add to a list end", [{ op: "add", path: "/list/-", value: 4 }], { ...doc, list: [1, 2, 3, 4] }],
    ["add into a list", [{ op: "add", path: "/list/0", value: 0 }], { ...doc, list: [0, 1, 2, 3] }],
    ["remove", [{ op: "remove", path: "/metadata/labels/x" }], { ...doc, metadata: { name: "a", labels: {} } }],
    [
      "escaped pointer",
      [{ op: "add", path: "/metadata/labels/a~1b~0c", value: "y" }],
      { ...doc, metadata: { name: "a", labels: { x: "1", "a/b~c": "y" } } },
    ],
    ["move", [{ op: "move", from: "/data/k", path: "/data/m" }], { ...doc, data: { m: "v" } }],
    ["copy", [{ op: "copy", from: "/data", path: "/copy" }], { ...doc, copy: { k: "v" } }],
    [
      "test then replace",
      [
        { op: "test", path: "/data/k", value: "v" },
        { op: "replace", path: "/data/k", value: null },
      ],
      { ...doc, data: { k: null } },
    ],
  ])("%s", (_name, ops, expected) => {
    const before = structuredClone(doc);
    expect(applyJson6902(doc, ops)).toEqual({ object: expected });
    expect(doc).toEqual(before);
  });
});

describe("applyJson6902: failures name the operation and the reason", () => {
  it.each<[string, unknown, number, RegExp]>([
    [
      "replace on a missing key",
      [
        { op: "add", path: "/a", value: 1 },
        { op: "replace", path: "/data/missing", value: 1 },
      ],
      1,
      /operation 2 \(replace \/data\/missing\): the path does not exist/,
    ],
    [
      "remove of a missing path",
      [{ op: "remove", path: "/nope/deeper" }],
      0,
      /remove \/nope\/deeper\): the path does not exist \(its parent \/nope is missing\)/,
    ],
    [
      "test failing",
      [{ op: "test", path: "/data/k", value: "other" }],
      0,
      /test failed: the value is "v", expected "other"/,
    ],
    ["test on a missing path", [{ op: "test", path: "/data/zz", value: 1 }], 0, /the value is missing, expected 1/],
    ["add under a missing parent", [{ op: "add", path: "/a/b/c", value: 1 }], 0, /parent \/a\/b does not exist/],
    ["index past the end", [{ op: "add", path: "/list/9", value: 1 }], 0, /past the end of the list \(it has 3 items/],
    ["not an index", [{ op: "replace", path: "/list/x", value: 1 }], 0, /'x' is not a list index/],
    ["move from a missing path", [{ op: "move", from: "/zz", path: "/a" }], 0, /'from' path \/zz does not exist/],
  ])("%s", (_name, ops, index, message) => {
    const before = structuredClone(doc);
    const r = applyJson6902(doc, ops);
    expect("error" in r).toBe(true);
    if ("error" in r) {
      expect(r.error.opIndex).toBe(index);
      expect(r.error.message).toMatch(message);
    }
    expect(doc).toEqual(before);
  });
});

describe("validateJson6902: the shape of the operation list", () => {
  it("names a path that is not a string as written (not [object Object]), a missing one as nothing", () => {
    expect(validateJson6902([{ op: "remove", path: { a: 1 } }])?.message).toBe(
      `operation 1 (remove {"a":1}): 'path' is missing or not a string`,
    );
    expect(validateJson6902([{ op: "remove", path: ["a"] }])?.message).toBe(
      `operation 1 (remove ["a"]): 'path' is missing or not a string`,
    );
    expect(validateJson6902([{ op: "remove" }])?.message).toBe(
      "operation 1 (remove ): 'path' is missing or not a string",
    );
  });

  it.each<[string, unknown, number, RegExp]>([
    ["not a list", { op: "add" }, -1, /must be a list/],
    ["not a map", ["add"], 0, /must be a map/],
    ["unknown op", [{ op: "upsert", path: "/a" }], 0, /'op' must be one of/],
    ["missing op", [{ path: "/a" }], 0, /'op' must be one of/],
    ["missing path", [{ op: "remove" }], 0, /'path' is missing/],
    ["relative path", [{ op: "remove", path: "a/b" }], 0, /must be empty or start with '\/'/],
    ["bad escape", [{ op: "remove", path: "/a~2" }], 0, /'~' must be followed by 0 or 1/],
    ["missing value", [{ op: "add", path: "/a" }], 0, /'add' needs a 'value'/],
    ["missing from", [{ op: "copy", path: "/a" }], 0, /needs a 'from'/],
    ["move into itself", [{ op: "move", from: "/a", path: "/a/b" }], 0, /into its own child/],
    [
      "second op bad",
      [
        { op: "remove", path: "/a" },
        { op: "add", path: "/b" },
      ],
      1,
      /operation 2/,
    ],
  ])("%s", (_name, ops, index, message) => {
    const e = validateJson6902(ops);
    expect(e?.opIndex).toBe(index);
    expect(e?.message).toMatch(message);
    const r = applyJson6902(doc, ops);
    expect("error" in r && r.error.opIndex).toBe(index);
  });
  it("__proto__ is a plain key (as in kustomize): no parent of that name, so nothing to add under it", () => {
    expect(validateJson6902([{ op: "add", path: "/__proto__/x", value: 1 }])).toBeUndefined();
    const r = applyJson6902(doc, [{ op: "add", path: "/__proto__/x", value: 1 }]);
    expect("error" in r && r.error.message).toBe(
      "operation 1 (add /__proto__/x): cannot add here: the parent /__proto__ does not exist",
    );
    expect(({} as { x?: number }).x).toBeUndefined();
  });
  it("accepts value: null", () => {
    expect(validateJson6902([{ op: "add", path: "/a", value: null }])).toBeUndefined();
  });
  it("rejects a root replace with a non-object", () => {
    const r = applyJson6902(doc, [{ op: "replace", path: "", value: [1] }]);
    expect("error" in r).toBe(true);
  });
});

describe("applyJson6902: list indexes", () => {
  it("names a missing index", () => {
    const r = applyJson6902(doc, [{ op: "remove", path: "/list/7" }]);
    expect("error" in r && r.error.message).toMatch(/index 7 is past the end of the list \(it has 3 items\)/);
  });
});

describe("applyJson6902: kustomize's library (a kustomization's patch)", () => {
  const kustomize = { kustomize: true };
  it("replace of a missing key of a mapping adds it; copy from one copies null", () => {
    const r = applyJson6902(
      doc,
      [
        { op: "replace", path: "/data/missing", value: "x" },
        { op: "copy", from: "/data/none", path: "/data/copied" },
      ],
      undefined,
      kustomize,
    );
    expect(r).toEqual({ object: { ...doc, data: { k: "v", missing: "x", copied: null } } });
  });
  it("still refuses a missing parent or a list index past the end, and RFC 6902 stays the default", () => {
    const under = applyJson6902(doc, [{ op: "replace", path: "/nope/x", value: 1 }], undefined, kustomize);
    expect("error" in under).toBe(true);
    const past = applyJson6902(doc, [{ op: "replace", path: "/list/9", value: 1 }], undefined, kustomize);
    expect("error" in past).toBe(true);
    const strict = applyJson6902(doc, [{ op: "replace", path: "/data/missing", value: "x" }]);
    expect("error" in strict && strict.error.message).toMatch(/replace \/data\/missing\): the path does not exist/);
  });
});
