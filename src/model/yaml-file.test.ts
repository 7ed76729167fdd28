import { describe, expect, it } from "vitest";
import {
  documentToJs,
  flowEmptyValuesAsStrings,
  goJsonProblems,
  kyamlSplitProblems,
  parseYamlFile,
  tabLedBlockScalars,
} from "./yaml-file.js";

const read = (text: string) => {
  const r = parseYamlFile(text, "x.yaml");
  return { messages: r.diagnostics.map((d) => d.message), value: r.docs[0]?.toJS() as unknown };
};

describe("parseYamlFile: quoted scalars continued at any indentation, as go-yaml reads them", () => {
  // each value as `kubectl kustomize` (go-yaml v3) read the same text
  it("reads continuation lines at the key's indentation (flagger's CRDs), quotes escaped, a blank line kept", () => {
    const text =
      "metadata:\n  annotations:\n    d: 'first line\n    second ''q'' line\n\n    third'\n    e: \"a \\\"b\\\"\n    c\"\n  name: x\n";
    expect(read(text)).toEqual({
      messages: [],
      value: { metadata: { annotations: { d: "first line second 'q' line\nthird", e: 'a "b" c' }, name: "x" } },
    });
  });

  it("mends every such scalar of a file, and keeps its lines where they were", () => {
    const text = "a:\n  b: 'x\n  y'\n  c:\n  - 'p\n  q'\nd: 1\n";
    const r = parseYamlFile(text, "x.yaml");
    expect(r.diagnostics).toEqual([]);
    expect(r.docs[0]!.toJS()).toEqual({ a: { b: "x y", c: ["p q"] }, d: 1 });
    const d = r.docs[0]!.contents as { items: { key: { range: number[] } }[] };
    expect(r.lineCounter.linePos(d.items[1]!.key.range[0]!).line).toBe(7);
  });

  it("a scalar never closed is still a syntax error at its line", () => {
    expect(read("a: 'never closed\nb: c\n").messages).toEqual(["Missing closing 'quote"]);
    expect(read("a: 'x\n---\nb: y'\n").messages[0]).toMatch(/quote/);
  });
});

describe("parseYamlFile: folded block scalars, as go-yaml reads them", () => {
  // each value as `kubectl kustomize` (go-yaml v3) read the same text: the line break before a more-indented
  // line that follows an ordinary one is doubled (the YAML spec keeps one)
  it("doubles the break before a more-indented line after an ordinary one, and nowhere else", () => {
    const text =
      "a: >-\n  one\n    two\n  three\nb: >-\n  one\n\n    two\n  three\nc: >\n  one\n    two\n    three\n\n  four\n  five\n" +
      "e: >-\n  x\n  \ttab\n  y\nf: >-\n  one\n    two\n\n    three\n  four\ng: |-\n  one\n    two\n";
    expect(read(text)).toEqual({
      messages: [],
      value: {
        a: "one\n\n  two\nthree",
        b: "one\n\n\n  two\nthree",
        c: "one\n\n  two\n  three\n\nfour five\n",
        e: "x\n\n\ttab\ny",
        f: "one\n\n  two\n\n  three\nfour",
        g: "one\n  two",
      },
    });
  });

  // go-yaml's emitter looks at the value's first line where it means the next one (kyaml writes the scalar out
  // and reads it back): each expected value is what kubectl kustomize v1.32 gave for the same text
  it("writes back as go-yaml's emitter does: quoted when a space ends a line, one break fewer when the value starts blank, one more at the end of a kept value", () => {
    const text =
      "kyverno: >- \n  all(container, \n    container.ports)\nlead: >2-\n    lead\n  one\n\n  two\n  three\n\n\n  four\n" +
      "kept: >+\n  one\n\n\nclipped: >\n  one\n\n\nsame: >-\n  one\n\n  two\n";
    expect(read(text)).toEqual({
      messages: [],
      value: {
        kyverno: "all(container, \n  container.ports)",
        lead: "  lead\none two three\nfour",
        kept: "one\n\n\n\n",
        clipped: "one\n",
        same: "one\ntwo",
      },
    });
  });

  it("agrees with kubectl kustomize on random folded scalars (checked against kubectl v1.32, 694 values)", () => {
    // a few of them, with kubectl's values
    const cases: [string, string][] = [
      ["  k: >2-\n      m0\n    w1\n      m2\n", "  m0\nw1\n  m2"],
      ["  k: >2\n      m0\n    w1\n    a b c2\n\n    w4\n", "  m0\nw1 a b c2 w4\n"],
      ["  k: >+\n    w0\n\n    \tt2\n\n", "w0\n\n\n\tt2\n\n"],
      ["  k: >-\n    tr0 \n      m1\n", "tr0 \n  m1"],
    ];
    for (const [yaml, expected] of cases) expect(read(`d:\n${yaml}`).value).toEqual({ d: { k: expected } });
  });
});

describe("tabLedBlockScalars: block scalars kustomize cannot read back", () => {
  it("finds a literal or folded value starting with a tab, and nothing else", () => {
    const text = 'a: |2-\n  \tt\nb: >2-\n  \tt\nc: >2-\n\n  \tt\nd: >2-\n  \tt \ne: "\\tquoted"\nf: |-\n  x\n  \tt\n';
    const found = tabLedBlockScalars(parseYamlFile(text, "x.yaml"));
    expect(found.map((d) => [d.code, d.location?.line])).toEqual([
      ["YAML_SYNTAX", 1],
      ["YAML_SYNTAX", 3],
    ]);
    expect(found[0]!.message).toMatch(/starts with a tab: kustomize .* cannot read it/);
  });

  it("finds a tab after the spaces of a line before the first content of a block without indentation indicator", () => {
    // go-yaml looks for the indentation on these lines and refuses the tab; kubectl kustomize fails on each
    const text = "a: |\n\n    \tx\n    y\nb: >-\n  \n  \t\nc: |2\n  \tt\nd: |\n  x\n  \tt\ne: |-\n  \t\n  x\n";
    const parsed = parseYamlFile(text, "x.yaml");
    expect(parsed.diagnostics).toEqual([]);
    const asWritten = tabLedBlockScalars(parsed, { writeBack: false });
    expect(asWritten.map((d) => d.location?.line)).toEqual([1, 5, 13]);
    expect(asWritten[0]!.message).toMatch(/tab where go-yaml looks for its indentation/);
    // read back as well: c's value starts with a tab
    expect(tabLedBlockScalars(parsed).map((d) => d.location?.line)).toEqual([1, 5, 8, 13]);
  });
});

describe("resources as kustomize's reader and Go's JSON take them", () => {
  const read = (text: string) => {
    const parsed = parseYamlFile(text, "r.yaml", {}, { timestamps: true });
    return { parsed, problems: [...kyamlSplitProblems(parsed), ...goJsonProblems(parsed)] };
  };

  it("reads timestamps, Go integers, !!binary and comments after quotes as kubectl does", () => {
    const { parsed, problems } = read(
      'a: 2024-01-01\nb: "2024-01-01"\nc: 0b101\nd: !!binary aGk=\ne: "v"#c\nf: {x}\ng: {x: ~}\nh:\n',
    );
    expect(parsed.diagnostics).toEqual([]);
    expect(problems).toEqual([]);
    flowEmptyValuesAsStrings(parsed);
    expect(parsed.docs[0]!.toJS()).toEqual({
      a: "2024-01-01T00:00:00Z",
      b: "2024-01-01",
      c: 5,
      d: "hi",
      e: "v",
      f: { x: "" },
      g: { x: null },
      h: null,
    });
    // without `timestamps` (kustomization files, braid's config) a date stays text
    expect(parseYamlFile("a: 2024-01-01\n", "k.yaml").docs[0]!.toJS()).toEqual({ a: "2024-01-01" });
  });

  it("finds what kubectl fails on: NaN, nested non-string keys, directives, separators with content", () => {
    const lines = (text: string) => read(text).problems.map((d) => [d.code, d.location?.line]);
    expect(lines("a: .nan\nb:\n  1: x\n  true: y\n  '2': z\n  2024-01-01: d\n3: top\n")).toEqual([
      ["MANIFEST_INVALID", 1],
      ["MANIFEST_INVALID", 3],
      ["MANIFEST_INVALID", 4],
      ["MANIFEST_INVALID", 6],
    ]);
    expect(lines("metadata:\n  annotations:\n    a: .inf\n")).toEqual([]); // kustomize keeps annotations' text
    expect(lines("%YAML 1.2\n---\na: 1\n")).toEqual([["YAML_SYNTAX", 1]]);
    expect(lines("--- !!map\na: 1\n--- # note\nb: 1\n--- !!map\nc: 1\n")).toEqual([["YAML_SYNTAX", 5]]);
  });
});

describe("documentToJs: aliases as kustomize reads them (expanded without a count limit; bombs refused)", () => {
  const toJs = (text: string) => {
    const y = parseYamlFile(text, "f.yaml");
    return documentToJs(y.docs[0]!, "f.yaml", y.lineCounter);
  };

  it("expands any number of aliases, each to the anchor defined last before it", () => {
    const keys = Array.from({ length: 500 }, (_, i) => `k${i}`);
    const r = toJs(`a: &v [1, 2]\n${keys.map((k) => `${k}: *v\n`).join("")}b: &v 3\nc: *v\n`);
    expect(r.diagnostic).toBeUndefined();
    expect(r.value).toEqual({ a: [1, 2], ...Object.fromEntries(keys.map((k) => [k, [1, 2]])), b: 3, c: 3 });
  });

  it("refuses aliases that would expand past a million nodes, or into their own anchor", () => {
    const levels = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 7; i++)
      levels.push(
        `l${i}: &l${i} [${Array(10)
          .fill(`*l${i - 1}`)
          .join(", ")}]`,
      );
    // seven levels of ten expand to about 12 million nodes; five to about 120,000
    expect(toJs(`${levels.join("\n")}\n`).diagnostic).toMatchObject({
      code: "YAML_ALIAS_LIMIT",
      location: { line: 1 },
    });
    expect(toJs(`${levels.slice(0, 5).join("\n")}\n`).diagnostic).toBeUndefined();
    expect(toJs("a: &x [1, *x]\n").diagnostic?.code).toBe("YAML_ALIAS_LIMIT");
  });
});
