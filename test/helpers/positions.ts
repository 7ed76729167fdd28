import type { Json, JsonPath, PositionMap, Resource } from "../../src/model/resource.js";

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

/** What a map answers for every path of a value: one segment below each (a key, an index, a JSON patch's `-`). */
function probeBelow(map: PositionMap, value: Json): unknown[] {
  return jsonPaths(value).flatMap((p) => [map.locate([...p, "zz"]), map.locate([...p, 7]), map.locate([...p, "-"])]);
}

/**
 * A resource as data, for comparing a cached one with one made afresh: its object, id and origin, what a
 * kustomize build leaves on it, and what each of its position maps answers in and below the object.
 */
export function resourceAsData(r: Resource) {
  return {
    id: r.id,
    object: r.object,
    origin: r.origin,
    plain: r.plain ? [...r.plain].sort() : undefined,
    emptyNulls: r.emptyNulls ? [...r.emptyNulls].sort() : undefined,
    previous: r.previous,
    nameHash: r.nameHash,
    refVars: r.refVars,
    namePrefixes: r.namePrefixes,
    nameSuffixes: r.nameSuffixes,
    at: r.positions.map((m) => probePositions(m, r.object)),
    below: r.positions.map((m) => probeBelow(m, r.object)),
  };
}
