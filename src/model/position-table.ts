/**
 * A position map as data, for caches that keep parsed YAML between runs without the YAML: every location
 * the map answers, by JSON pointer, beside the location's fixed part (file, and source and commit for a
 * source's manifests). Made from the map itself, so the table answers exactly what the map answered.
 */
import type { SourceLocation } from "../diagnostics/diagnostic.js";
import { pointerOf } from "./plain-scalars.js";
import type { Json, JsonPath, PositionMap } from "./resource.js";

/** A PositionMap as JSON data. */
export interface PositionTable {
  base: Omit<SourceLocation, "line" | "column">;
  /** JSON pointer → [line, column]. */
  at: Record<string, [number, number]>;
}

/**
 * The table of a map over a value: `base` must be the fixed part of every location the map gives (checked
 * on `file`); undefined when a location has no line or another file.
 */
export function toPositionTable(
  map: PositionMap,
  value: Json,
  base: Omit<SourceLocation, "line" | "column">,
): PositionTable | undefined {
  const at: Record<string, [number, number]> = {};
  const located = map.all?.() ?? allPaths(value).map((path) => [pointerOf(path), map.locate(path)] as const);
  for (const [pointer, l] of located) {
    if (!l) continue;
    if (l.line === undefined || l.column === undefined || l.file !== base.file) return undefined;
    at[pointer] = [l.line, l.column];
  }
  return { base, at };
}

/** The map a table was made from. */
export function fromPositionTable(table: PositionTable): PositionMap {
  return {
    locate(path: JsonPath): SourceLocation | undefined {
      const key = pointerOf(path);
      const hit = Object.hasOwn(table.at, key) ? table.at[key] : undefined;
      return hit ? { ...table.base, line: hit[0], column: hit[1] } : undefined;
    },
  };
}

/** Every path inside a JSON value, the root included. */
function allPaths(value: Json, prefix: JsonPath = [], out: JsonPath[] = []): JsonPath[] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => allPaths(v, [...prefix, i], out));
  else if (value !== null && typeof value === "object")
    for (const [k, v] of Object.entries(value)) allPaths(v, [...prefix, k], out);
  return out;
}

/** Whether JSON keeps a value as it is (not so NaN, ±Infinity or -0, which YAML can write). */
export function jsonSafe(value: unknown): boolean {
  if (typeof value === "number") return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) return value.every(jsonSafe);
  if (value !== null && typeof value === "object") return Object.values(value).every(jsonSafe);
  return true;
}
