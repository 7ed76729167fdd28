/**
 * Keys that come from input (YAML, patches, vars) are data, whatever their names: `__proto__`,
 * `constructor` or `toString` are ordinary keys to Kubernetes and kustomize. In JavaScript, assigning
 * `obj["__proto__"] = v` sets the prototype instead of adding a key, and `obj.toString` exists on every
 * plain object. These helpers keep such keys as own data properties.
 */
import type { Json, JsonObject } from "./resource.js";

/** Sets an own property, also for `__proto__` (where plain assignment would change the prototype). */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  if (key === "__proto__")
    Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A deep copy whose objects have no prototype: every key, `__proto__` included, is plain data. */
export function nullProtoClone(value: Json): Json {
  if (Array.isArray(value)) return value.map(nullProtoClone);
  if (!isMap(value)) return value;
  const out = Object.create(null) as JsonObject;
  for (const key of Object.keys(value)) out[key] = nullProtoClone(value[key] as Json);
  return out;
}

/** A deep copy with ordinary objects again (own `__proto__` keys kept as data). */
export function plainClone(value: Json): Json {
  if (Array.isArray(value)) return value.map(plainClone);
  if (!isMap(value)) return value;
  const out: JsonObject = {};
  for (const key of Object.keys(value)) setOwn(out, key, plainClone(value[key] as Json));
  return out;
}
