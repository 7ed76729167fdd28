import { describe, expect, it } from "vitest";
import type { Json } from "../model/resource.js";
import { applyMergePatch } from "./merge-patch.js";

describe("applyMergePatch (RFC 7386 appendix A)", () => {
  it.each<[Json, Json, Json]>([
    [{ a: "b" }, { a: "c" }, { a: "c" }],
    [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
    [{ a: "b" }, { a: null }, {}],
    [{ a: "b", b: "c" }, { a: null }, { b: "c" }],
    [{ a: ["b"] }, { a: "c" }, { a: "c" }],
    [{ a: "c" }, { a: ["b"] }, { a: ["b"] }],
    [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
    [{ a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
    [
      ["a", "b"],
      ["c", "d"],
      ["c", "d"],
    ],
    [{ a: "b" }, ["c"], ["c"]],
    [{ a: "foo" }, null, null],
    [{ a: "foo" }, "bar", "bar"],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: "b", c: null }, { a: "b" }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])("%j + %j = %j", (target, patch, expected) => {
    expect(applyMergePatch(target, patch)).toEqual(expected);
  });

  it("does not mutate or share with its inputs", () => {
    const target = { a: { b: [1] }, keep: { x: 1 } };
    const patch = { a: { c: { d: 1 } } };
    const out = applyMergePatch(target, patch) as { a: { c: { d: number }; b: number[] }; keep: { x: number } };
    expect(target).toEqual({ a: { b: [1] }, keep: { x: 1 } });
    out.a.c.d = 2;
    out.a.b.push(2);
    out.keep.x = 2;
    expect(patch.a.c.d).toBe(1);
    expect(target.a.b).toEqual([1]);
    expect(target.keep.x).toBe(1);
  });
});
