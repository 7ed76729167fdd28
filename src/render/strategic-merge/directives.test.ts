import { describe, expect, it } from "vitest";
import type { Json, JsonObject } from "../../model/resource.js";
import { directive, stripDirectives, takeExtensions } from "./directives.js";
import { MergeFailure } from "./nodes.js";

function failure(f: () => unknown): { path: readonly string[]; message: string } | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof MergeFailure) return { path: e.path, message: e.message };
    throw e;
  }
  return undefined;
}

describe("strategic-merge directives", () => {
  it("$patch on a map is read and removed; on a list, an element holding only $patch is", () => {
    const map: JsonObject = { $patch: "replace", a: 1 };
    expect(directive(map, [])).toBe("replace");
    expect(map).toEqual({ a: 1 });
    const list: Json[] = [{ name: "a" }, { $patch: "delete" }];
    expect(directive(list, [])).toBe("delete");
    expect(list).toEqual([{ name: "a" }]);
    // an element with more than $patch is data, not a directive
    expect(directive([{ $patch: "delete", name: "a" }], [])).toBe("merge");
    expect(directive(undefined, [])).toBe("merge");
  });

  it("an unknown $patch value, or a directive on a scalar, fails at its path", () => {
    expect(failure(() => directive({ $patch: "upsert" }, ["spec"]))).toEqual({
      path: ["spec"],
      message: "unknown patch strategy 'upsert' (expected delete, replace or merge)",
    });
    expect(failure(() => directive("x", ["a"]))).toEqual({
      path: ["a"],
      message: 'a strategic merge directive cannot apply to the scalar "x"',
    });
  });

  it("takeExtensions pulls $retainKeys, $deleteFromPrimitiveList/… and $setElementOrder/… out of a patch map", () => {
    const patch: JsonObject = {
      $retainKeys: ["type"],
      type: "Recreate",
      "$deleteFromPrimitiveList/finalizers": ["a"],
      "$setElementOrder/containers": [{ name: "x" }],
    };
    expect(takeExtensions(patch, ["spec"])).toEqual({
      retainKeys: ["type"],
      deleteFromPrimitiveList: [["finalizers", ["a"]]],
    });
    expect(patch).toEqual({ type: "Recreate" });
    expect(failure(() => takeExtensions({ $retainKeys: ["a"], b: 1 }, ["s"]))).toEqual({
      path: ["s", "b"],
      message: "the patch sets 'b', which its $retainKeys list does not keep",
    });
    expect(failure(() => takeExtensions({ $retainKeys: "a" }, ["s"]))).toEqual({
      path: ["s", "$retainKeys"],
      message: "$retainKeys must be a list of field names",
    });
    expect(failure(() => takeExtensions({ "$deleteFromPrimitiveList/x": "a" }, []))).toEqual({
      path: ["$deleteFromPrimitiveList/x"],
      message: "$deleteFromPrimitiveList/x must be a list",
    });
  });

  it("stripDirectives removes every directive key and list elements that are only $patch, at any depth", () => {
    const n: Json = {
      $patch: "merge",
      a: [{ $patch: "replace" }, { b: { "$setElementOrder/c": [], $retainKeys: [], d: 1 } }],
      "$deleteFromPrimitiveList/e": [],
    };
    stripDirectives(n);
    expect(n).toEqual({ a: [{ b: { d: 1 } }] });
  });
});
