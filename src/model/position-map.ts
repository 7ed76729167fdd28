import { isMap, isScalar, isSeq, type Document } from "yaml";
import { escapeSegment } from "./plain-scalars.js";
import type { SourceLocation } from "../diagnostics/diagnostic.js";
import type { JsonPath, PositionMap } from "./resource.js";
import { nodeAt, positionOf, type YamlFile } from "./yaml-file.js";

/** Positions of the fields of one YAML node (the document root, or a node below basePath). Exact matches only. */
export function docPositionMap(
  yaml: Pick<YamlFile, "lineCounter">,
  doc: Document.Parsed,
  base: Omit<SourceLocation, "line" | "column">,
  basePath: JsonPath = [],
  shift: { line: number; column: number } = { line: 0, column: 0 },
): PositionMap {
  return {
    locate(path: JsonPath) {
      const pos = positionOf(yaml, doc, [...basePath, ...path], { exact: true });
      if (!pos) return undefined;
      return { ...base, line: pos.line + shift.line, column: pos.column + shift.column };
    },
    *all() {
      // the nodes `locate` reaches (nodeAt: string keys of maps, indexes of sequences; aliases not followed)
      const stack: [string, unknown][] = [["", nodeAt(doc, basePath, true)]];
      while (stack.length) {
        const [pointer, node] = stack.pop()!;
        const start = (node as { range?: number[] } | null | undefined)?.range?.[0];
        if (start === undefined) continue;
        const p = yaml.lineCounter.linePos(start);
        yield [pointer, { ...base, line: p.line + shift.line, column: p.col + shift.column }];
        if (isMap(node)) {
          for (const pair of node.items)
            if (isScalar(pair.key) && typeof pair.key.value === "string")
              stack.push([`${pointer}/${escapeSegment(pair.key.value)}`, pair.value]);
        } else if (isSeq(node)) node.items.forEach((item, i) => stack.push([`${pointer}/${i}`, item]));
      }
    },
  };
}

/** A PositionMap that knows nothing (for generated objects). */
export const NO_POSITIONS: PositionMap = { locate: () => undefined, all: () => [] };
