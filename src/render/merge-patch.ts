/** RFC 7386 JSON merge patch (`type: merge`). */
import { setOwn } from "../model/own-keys.js";
import type { Json, JsonObject } from "../model/resource.js";

function isMap(v: Json | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Applies an RFC 7386 merge patch and returns a NEW value (inputs are never mutated): objects merge
 * recursively, `null` removes a key, anything else (lists included) replaces. A patch that is not an
 * object replaces the target.
 */
export function applyMergePatch(target: Json, patch: Json): Json {
  if (!isMap(patch)) return structuredClone(patch);
  const out: JsonObject = isMap(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else setOwn(out, key, applyMergePatch(Object.hasOwn(out, key) ? out[key]! : null, value));
  }
  // untouched members are shared with the target only by reference; copy them so the result is independent
  for (const key of Object.keys(out)) {
    if (!Object.hasOwn(patch, key)) setOwn(out, key, structuredClone(out[key]!));
  }
  return out;
}
