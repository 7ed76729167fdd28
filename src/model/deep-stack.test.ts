import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_STACK_DEPTH, onStackExhausted, withinDefaultStack } from "./deep-stack.js";
import { documentToJs, parseYamlFile } from "./yaml-file.js";

/** `levels` nested sequences, as go-yaml counts them (the root is one). */
const nested = (levels: number) => `${"[".repeat(levels)}1${"]".repeat(levels)}\n`;
/** `levels` nested mappings. */
const block = (levels: number) => {
  let s = "";
  for (let i = 0; i < levels - 1; i++) s += `${"  ".repeat(i)}a:\n`;
  return `${s}${"  ".repeat(levels - 1)}b: 1\n`;
};

afterEach(() => onStackExhausted(undefined));

describe("asking for a larger stack (the braid command's handler)", () => {
  it("is asked once a document nests deeper than the default stack reads, and not before", () => {
    const asked: string[] = [];
    onStackExhausted(() => asked.push("asked"));
    for (const text of [nested(DEFAULT_STACK_DEPTH), block(DEFAULT_STACK_DEPTH)]) {
      const file = parseYamlFile(text, "ok.yaml");
      expect(file.diagnostics).toEqual([]);
      expect(documentToJs(file.docs[0]!, "ok.yaml", file.lineCounter).diagnostic).toBeUndefined();
    }
    expect(asked).toEqual([]);
    parseYamlFile(nested(DEFAULT_STACK_DEPTH + 1), "deep.yaml");
    expect(asked).toEqual(["asked"]);
    parseYamlFile(block(DEFAULT_STACK_DEPTH + 1), "deep.yaml");
    expect(asked).toEqual(["asked", "asked"]);
  });

  it("is asked when the parser overflows the stack, before the input is reported too deep", () => {
    const asked: number[] = [];
    onStackExhausted(() => asked.push(1));
    const file = parseYamlFile(nested(200_000), "huge.yaml");
    expect(asked.length).toBeGreaterThan(0);
    expect(file.diagnostics.map((d) => d.code)).toEqual(["YAML_TOO_DEEP"]);
  });

  it("without a handler (a library caller), deep input that parses is read as before", () => {
    const file = parseYamlFile(nested(DEFAULT_STACK_DEPTH + 100), "deep.yaml");
    expect(file.diagnostics).toEqual([]);
    let v = documentToJs(file.docs[0]!, "deep.yaml", file.lineCounter).value;
    let depth = 0;
    while (Array.isArray(v)) [v, depth] = [v[0], depth + 1];
    expect(depth).toBe(DEFAULT_STACK_DEPTH + 100);
  });

  it("withinDefaultStack counts nesting without recursing, to the default stack's depth", () => {
    const nest = (n: number): unknown => {
      let v: unknown = 1;
      for (let i = 0; i < n; i++) v = i % 2 ? [v] : { a: v }; // n collections
      return v;
    };
    expect(withinDefaultStack(nest(DEFAULT_STACK_DEPTH))).toBe(true);
    expect(withinDefaultStack(nest(DEFAULT_STACK_DEPTH + 1))).toBe(false);
    expect(withinDefaultStack(nest(100_000))).toBe(false);
    expect(withinDefaultStack({ a: [1, { b: null }], c: "x" })).toBe(true);
  });
});
