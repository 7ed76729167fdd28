import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import type { Json, JsonObject } from "../model/resource.js";
import { serializeResource } from "./serialize-yaml.js";

/** A small deterministic PRNG so the random cases are the same on every run. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const ALPHABET = [
  "a",
  "Z",
  "0",
  "9",
  " ",
  ":",
  "#",
  "-",
  "'",
  '"',
  "\\",
  "\n",
  "\t",
  "{",
  "}",
  "[",
  "]",
  ",",
  "&",
  "*",
  "!",
  "|",
  ">",
  "%",
  "@",
  "`",
  "?",
  ".",
  "~",
  "é",
  "😀",
  "\u0001",
  "\u2028",
  "=",
  "<<",
  "y",
  "n",
  "on",
  "0x",
  "1e",
  "_",
];

describe("serializeResource", () => {
  it("orders apiVersion, kind, metadata (name, namespace) first, then keys by code point", () => {
    const out = serializeResource({
      spec: { b: 1, a: 2 },
      metadata: { labels: { z: "1" }, namespace: "ns", name: "web" },
      kind: "K",
      apiVersion: "v1",
    });
    expect(out).toBe(
      'apiVersion: v1\nkind: K\nmetadata:\n  name: web\n  namespace: ns\n  labels:\n    z: "1"\nspec:\n  a: 2\n  b: 1\n',
    );
  });

  it.each([
    ["on"],
    ["yes"],
    ["No"],
    ["y"],
    ["~"],
    ["null"],
    ["0777"],
    ["0x1F"],
    ["1e3"],
    ["1_000"],
    [".5"],
    ["12:30"],
    ["2024-01-01"],
    ["-"],
    ["a: b"],
    ["#c"],
    [" lead"],
    ["trail "],
    [""],
    ["*x"],
    ["&x"],
    ["!x"],
    ["%x"],
    ["@x"],
    ["`x"],
    ["{x}"],
    ["[x]"],
    ["<<"],
    ["="],
  ])("quotes %j so every YAML reader keeps it a string", (s) => {
    const text = serializeResource({ v: s });
    expect(text.startsWith('v: "') || text.startsWith("v: |")).toBe(true);
    expect(parse(text, { version: "1.1" }).v).toBe(s);
    expect(parse(text).v).toBe(s);
  });

  it("round-trips random strings, keys and nesting through YAML 1.1 and 1.2 readers", () => {
    const rand = prng(42);
    const str = () =>
      Array.from({ length: Math.floor(rand() * 8) }, () => ALPHABET[Math.floor(rand() * ALPHABET.length)]).join("");
    const value = (depth: number): Json => {
      const r = rand();
      if (depth > 3 || r < 0.4)
        return r < 0.3 ? str() : r < 0.35 ? Math.floor(rand() * 1e6) / 100 : r < 0.38 ? rand() < 0.5 : null;
      if (r < 0.7) return Array.from({ length: Math.floor(rand() * 4) }, () => value(depth + 1));
      const o: JsonObject = {};
      for (let i = 0; i < rand() * 4; i++) o[str() || "k"] = value(depth + 1);
      return o;
    };
    for (let i = 0; i < 2000; i++) {
      const obj: JsonObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, data: value(0) };
      const text = serializeResource(obj);
      expect(parse(text, { version: "1.1", uniqueKeys: false })).toEqual(obj);
      expect(parse(text)).toEqual(obj);
      expect(serializeResource(parse(text))).toBe(text);
    }
  });

  it("writes a collection in a sequence on the dash's line, byte for byte as kubectl kustomize (go-yaml v3)", () => {
    const input = `apiVersion: v1
kind: ConfigMap
metadata:
  name: w
x:
  a: [[x, y], [[z]], [{a: 1, b: 2}, {c: [[1, 2], 3]}], [], [[]], [{}], ["multi\\nline", "x"], [[{d: {e: 1}}]]]
  b: [[1]]
`;
    // `kubectl kustomize` (v1.32) of a folder with this file as its one resource
    const kubectl = `apiVersion: v1
kind: ConfigMap
metadata:
  name: w
x:
  a:
  - - x
    - "y"
  - - - z
  - - a: 1
      b: 2
    - c:
      - - 1
        - 2
      - 3
  - []
  - - []
  - - {}
  - - |-
      multi
      line
    - x
  - - - d:
          e: 1
  b:
  - - 1
`;
    expect(serializeResource(parse(input) as JsonObject)).toBe(kubectl);
  });

  it("writes deeply nested sequences in as many bytes as they nest, not as many squared", () => {
    let v: Json = 1;
    for (let i = 0; i < 700; i++) v = [v];
    const text = serializeResource({ v });
    expect(text).toBe(`v:\n${"- ".repeat(700)}1\n`);
  });

  it("writes multi-line strings as literal blocks with the right chomping", () => {
    for (const s of ["a\nb", "a\nb\n", "a\nb\n\n", " lead\nx\n", "x\n  indented\n"]) {
      const text = serializeResource({ v: s });
      expect(text).toMatch(/^v: \|/);
      expect(parse(text).v).toBe(s);
    }
  });

  it("writes a multi-line string led by a tab double-quoted: go-yaml refuses a block led by one, so Flux's build would fail", () => {
    for (const s of ["\techo hi\n\techo there\n", "\tx\ny"]) {
      const text = serializeResource({ v: s });
      expect(text).toMatch(/^v: "\\t/);
      expect(parse(text).v).toBe(s);
    }
    // a tab further down is fine in a literal block (its indentation is already known)
    expect(serializeResource({ v: "x\n\ty\n" })).toMatch(/^v: \|/);
  });
});
