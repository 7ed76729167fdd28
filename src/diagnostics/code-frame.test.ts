import { describe, expect, it } from "vitest";
import { codeFrame, FRAME_WIDTH } from "./code-frame.js";
import { formatText } from "./format.js";

const CLUSTER = `apiVersion: braid/v1alpha1
kind: Cluster
metadata:
  name: dev-1
spec:
  vars:
    replicas: three
`;

describe("codeFrame", () => {
  it("shows the parent line, the line and a caret under the column", () => {
    expect(codeFrame(CLUSTER, 7, 15)).toBe("    6 |   vars:\n  > 7 |     replicas: three\n      |               ^");
  });

  it.each([
    ["the first line: no line before", 1, 1, "  > 1 | apiVersion: braid/v1alpha1\n      | ^"],
    [
      "a sibling before is not shown (it may be another value)",
      4,
      9,
      "    3 | metadata:\n  > 4 |   name: dev-1\n      |         ^",
    ],
    ["a top-level key: the line before is no parent", 5, 1, "  > 5 | spec:\n      | ^"],
    ["no column: no caret line", 7, undefined, "    6 |   vars:\n  > 7 |     replicas: three"],
    ["a column past the end points just after the text", 5, 6, "  > 5 | spec:\n      |      ^"],
  ])("%s", (_name, line, column, frame) => {
    expect(codeFrame(CLUSTER, line, column)).toBe(frame);
  });

  it("is undefined for a line the text does not have (and for the empty line after the final newline)", () => {
    expect(codeFrame(CLUSTER, 0, 1)).toBeUndefined();
    expect(codeFrame(CLUSTER, 8, 1)).toBeUndefined();
    expect(codeFrame(CLUSTER, 99, 1)).toBeUndefined();
    expect(codeFrame("a: 1", 1, 4)).toBe("  > 1 | a: 1\n      |    ^");
  });

  it("a list item's dash counts as indentation: its first key is a sibling, the list's key a parent", () => {
    const text = "spec:\n  patches:\n    - target: { kind: Deployment }\n      type: strategc\n";
    expect(codeFrame(text, 4, 13)).toBe("  > 4 |       type: strategc\n      |             ^");
    expect(codeFrame(text, 3, 7)).toBe(
      "    2 |   patches:\n  > 3 |     - target: { kind: Deployment }\n      |       ^",
    );
  });

  it("pads line numbers to the widest one and reads CRLF text", () => {
    const text = Array.from({ length: 12 }, (_, i) => `${" ".repeat(i)}k${i + 1}: v`).join("\r\n");
    expect(codeFrame(text, 10, 10)).toBe("     9 |         k9: v\n  > 10 |          k10: v\n       |          ^");
  });

  it("escapes control characters as the formatter does, and the caret follows the escaped text", () => {
    expect(codeFrame("a:\n  b:\tx\x1b[31m", 2, 6)).toBe("    1 | a:\n  > 2 |   b:\\tx\\x1b[31m\n      |       ^");
  });

  it("hides the user info of URLs (a token never shows), the caret still under its column", () => {
    const text = "spec:\n  sources:\n    - url: https://bot:tok-123@git.example.com/org/x.git\n";
    expect(codeFrame(text, 3, 12)).toBe(
      "    2 |   sources:\n  > 3 |     - url: https://***@git.example.com/org/x.git\n      |            ^",
    );
    // a malformed one too: everything up to the last "@"
    expect(codeFrame('u: "http://user:a/tok-9@127.0.0.1:9/x.git" # @z', 1, 4)).toBe(
      '  > 1 | u: "http://***@127.0.0.1:9/x.git" # @z\n      |    ^',
    );
  });

  it("cuts a long line to a window around the column", () => {
    const long = `k: ${"a".repeat(200)}X${"b".repeat(200)}`;
    const frame = codeFrame(long, 1, 204)!.split("\n");
    expect(frame[0]).toBe(`  > 1 | …${"a".repeat(40)}X${"b".repeat(FRAME_WIDTH - 41)}…`);
    expect(frame[1]).toBe(`      | ${" ".repeat(41)}^`);
    const start = codeFrame(long, 1, 1)!.split("\n");
    expect(start[0]).toBe(`  > 1 | k: ${"a".repeat(FRAME_WIDTH - 3)}…`);
    expect(start[1]).toBe("      | ^");
  });

  it("counts a character outside the BMP once", () => {
    expect(codeFrame("k: \u{1F600} x", 1, 7)).toBe("  > 1 | k: \u{1F600} x\n      |      ^");
  });
});

describe("formatText with frames", () => {
  const d = {
    code: "CONFIG_SCHEMA",
    severity: "error",
    message: "m",
    location: { file: "clusters/dev-1.yaml", line: 7, column: 15 },
    hint: "h",
  } as const;
  const frame = () => codeFrame(CLUSTER, 7, 15);

  it("puts the frame under the error line, before the hint", () => {
    expect(formatText(d, frame)).toBe(
      "clusters/dev-1.yaml:7:15: error CONFIG_SCHEMA: m\n    6 |   vars:\n  > 7 |     replicas: three\n      |               ^\n  hint: h",
    );
  });

  it("frames errors only; without a lookup nothing changes", () => {
    expect(formatText({ ...d, severity: "warning" }, frame)).toBe(
      "clusters/dev-1.yaml:7:15: warning CONFIG_SCHEMA: m\n  hint: h",
    );
    expect(formatText(d)).toBe("clusters/dev-1.yaml:7:15: error CONFIG_SCHEMA: m\n  hint: h");
    expect(formatText({ ...d, location: { file: "braid.yaml" } }, frame)).toBe(
      "braid.yaml: error CONFIG_SCHEMA: m\n  hint: h",
    );
  });
});
