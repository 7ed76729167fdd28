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
  /** For a map that answers by prefix: its entries in the order they are tried (`at` is then empty). */
  under?: StoredPrefix[];
}

/** A PrefixEntry as data: `at` as [line, column] ([] for the file itself, null for nothing). */
interface StoredPrefix {
  path: (string | number)[];
  at: [number, number] | [] | null;
  inner?: Record<string, [number, number]>;
  dash?: true;
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

/**
 * As {@link toPositionTable}, exactly (a table answers a path outside the value as the map does), with the
 * fixed part taken from the map's own first location (a kustomize build's maps point into its kustomization
 * and patch files, not the resource's file). Undefined when two locations differ in it, or when the map lists
 * neither what it answers (`all`) nor the prefixes it answers by (`prefixes`). A map that locates nothing
 * gets `fallback`.
 */
export function toPositionTableOwnBase(
  map: PositionMap,
  fallback: Omit<SourceLocation, "line" | "column">,
): PositionTable | undefined {
  let base: Omit<SourceLocation, "line" | "column"> | undefined;
  const at: Record<string, [number, number]> = {};
  // every location of the map shares one fixed part, which becomes the table's base
  const sameBase = (l: SourceLocation): boolean => {
    if (!base) {
      const { line: _line, column: _column, ...fixed } = l;
      base = fixed;
      return true;
    }
    return !FIXED.some((k) => l[k] !== base![k]);
  };
  if (map.prefixes) {
    const under: StoredPrefix[] = [];
    for (const e of map.prefixes()) {
      let stored: StoredPrefix["at"] = null;
      if (e.at) {
        if (!sameBase(e.at)) return undefined;
        if (e.at.line === undefined || e.at.column === undefined) {
          if (e.at.line !== undefined || e.at.column !== undefined) return undefined;
          stored = [];
        } else stored = [e.at.line, e.at.column];
      }
      let inner: Record<string, [number, number]> | undefined;
      for (const [pointer, l] of e.inner ?? []) {
        if (!sameBase(l) || l.line === undefined || l.column === undefined) return undefined;
        (inner ??= {})[pointer] = [l.line, l.column];
      }
      under.push({ path: [...e.path], at: stored, ...(inner ? { inner } : {}), ...(e.dash ? { dash: true } : {}) });
    }
    return { base: base ?? fallback, at, under };
  }
  if (!map.all) return undefined;
  for (const [pointer, l] of map.all()) {
    if (l.line === undefined || l.column === undefined || !sameBase(l)) return undefined;
    at[pointer] = [l.line, l.column];
  }
  return { base: base ?? fallback, at };
}

/** The map a table was made from. */
export function fromPositionTable(table: PositionTable): PositionMap {
  const { base, at, under } = table;
  return {
    locate(path: JsonPath): SourceLocation | undefined {
      const key = pointerOf(path);
      const hit = Object.hasOwn(at, key) ? at[key] : undefined;
      if (hit) return { ...base, line: hit[0], column: hit[1] };
      for (const e of under ?? []) {
        if (e.path.length > path.length) continue;
        const matches = e.path.every(
          (seg, i) => String(seg) === String(path[i]) || (e.dash && seg === "-" && typeof path[i] === "number"),
        );
        if (!matches) continue;
        const inner = e.inner?.[pointerOf(path.slice(e.path.length))];
        if (inner) return { ...base, line: inner[0], column: inner[1] };
        if (!e.at) return undefined;
        return e.at.length ? { ...base, line: e.at[0], column: e.at[1] } : { ...base };
      }
      return undefined;
    },
  };
}

/** The fixed part of a location (a field added to SourceLocation must be added here: the compiler says so). */
const FIXED_FIELDS: Record<keyof Omit<SourceLocation, "line" | "column">, true> = {
  file: true,
  source: true,
  commit: true,
};
const FIXED = Object.keys(FIXED_FIELDS) as (keyof typeof FIXED_FIELDS)[];

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
