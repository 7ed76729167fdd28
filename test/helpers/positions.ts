import type { Json, JsonPath, PositionMap } from "../../src/model/resource.js";

/** Every path in a JSON value, the root included. */
function jsonPaths(value: Json, at: JsonPath = []): JsonPath[] {
  const out: JsonPath[] = [at];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...jsonPaths(v, [...at, i])));
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) out.push(...jsonPaths(v, [...at, k]));
  return out;
}

/** What a position map answers for every path of a value, and for one path that is not in it. */
export function probePositions(map: PositionMap, value: Json): unknown[] {
  return [...jsonPaths(value), ["no", "such", "path"]].map((p) => map.locate(p));
}
