import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { parseYamlFile } from "../src/model/yaml-file.js";

/** The yaml parser's own duplicate-key check (quadratic), as the oracle: errors as [code, offset, message]. */
function oracle(text: string): [string, number, string][] {
  const docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true, merge: true });
  return (Array.isArray(docs) ? docs : []).flatMap((d) =>
    d.errors.map((e): [string, number, string] => [e.code, e.pos[0], e.message]),
  );
}

function braid(text: string): [string, number, string][] {
  return parseYamlFile(text, "f.yaml").docs.flatMap((d) =>
    d.errors.map((e): [string, number, string] => [e.code, e.pos[0], e.message]),
  );
}

const CASES = [
  "a: 1\nb: 2\na: 3\n",
  "a: 1\n'a': 2\n\"a\": 3\n",
  "1: x\n'1': y\n1: z\n0x1: w\n",
  "{a: 1, b: 2, a: 3}\n",
  "top:\n  x: 1\n  y: {x: 1, x: 2}\n  x: 3\nother: [ {k: 1, k: 2} ]\ntop: 4\n",
  "? a\n: 1\n? a\n: 2\n",
  "&k a: 1\n*k : 2\na: 3\n",
  "null: 1\n~: 2\n: 3\n",
  "true: 1\nTrue: 2\ntrue: 3\n",
  "? [a, b]\n: 1\n? [a, b]\n: 2\n",
  "? {a: 1, a: 2}\n: x\n",
  "a: 1\n---\na: 1\na: 2\n---\nb: [1\n",
  "a: 1\nb: [1, 2\na: 2\n",
  "- a: 1\n  a: 2\n- {b: 1, c: 2, b: 3, b: 4}\n",
  "<<: {a: 1}\n<<: {b: 2}\na: 3\n",
  ".nan: 1\n.NaN: 2\n.inf: 3\n.inf: 4\n",
  "0: a\n-0: b\n0.0: c\n",
];

describe("duplicate mapping keys (checked by value, in linear time)", () => {
  it.each(CASES)("reports what the yaml parser's own check reports: %j", (text) => {
    expect(braid(text)).toEqual(oracle(text));
  });

  it("agrees with the parser's check on random mappings", () => {
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const keys = ["a", "'a'", "b", "1", "'1'", "01", "true", "~", "x y", '"b"'];
    for (let round = 0; round < 200; round++) {
      const lines: string[] = [];
      const n = 1 + rnd(round % 2 ? 6 : 40); // (mappings of more than 16 keys are checked by value)
      for (let i = 0; i < n; i++) {
        const k = keys[rnd(keys.length)]!;
        lines.push(rnd(3) === 0 ? `${k}: {${keys[rnd(keys.length)]}: 1, ${keys[rnd(keys.length)]}: 2}` : `${k}: ${i}`);
      }
      const text = lines.join("\n") + "\n";
      expect(braid(text), text).toEqual(oracle(text));
    }
  });

  it("reads a mapping of 200,000 keys (the parser's own check compared every pair: minutes)", () => {
    let text = "";
    for (let i = 0; i < 200_000; i++) text += `k${i}: v\n`;
    text += "k7: again\n";
    const parsed = parseYamlFile(text, "big.yaml");
    expect(parsed.diagnostics.map((d) => [d.code, d.location?.line, d.message])).toEqual([
      ["YAML_SYNTAX", 200_001, "Map keys must be unique"],
    ]);
  }, 20_000);
});
