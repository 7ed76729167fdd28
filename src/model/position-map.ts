import type { Document } from "yaml";
import type { SourceLocation } from "../diagnostics/diagnostic.js";
import type { JsonPath, PositionMap } from "./resource.js";
import { positionOf, type YamlFile } from "./yaml-file.js";

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
  };
}

/** A PositionMap that knows nothing (for generated objects). */
export const NO_POSITIONS: PositionMap = { locate: () => undefined };
