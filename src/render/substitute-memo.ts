/**
 * Substitution results shared across the clusters of one run. A source's object is substituted once per
 * distinct combination of the values of the variables it reads (e.g. once per region), not once per cluster:
 * clusters with equal values get the very same result object, so it is serialized and validated once.
 *
 * Sound because substitution is deterministic and reads variables only through the lookup: a run that
 * gets the same answers to the same lookups, in the same order, makes the same lookups and gives the same
 * result. The names an object read on its first run are kept; a later run with other names (cannot happen
 * with Flux's envsubst, which evaluates every argument) turns the memo off for that object.
 */
import { idOf, type Json, type JsonObject, type Resource, type ResourceId } from "../model/resource.js";
import type { EnvsubstOptions, ParseCache, Vars } from "./envsubst.js";
import { NO_PLAIN, type PlainPaths } from "../model/plain-scalars.js";
import { substituteObject, type SubstError } from "./substitute.js";

type Result = { object: JsonObject; errors: SubstError[]; changed: boolean };

/** A resource with its object substituted: one per resource and result object (resources are never changed). */
export function withSubstituted(memo: SubstitutionMemo, r: Resource, object: JsonObject): Resource {
  let byObject = memo.resources.get(r);
  if (!byObject) memo.resources.set(r, (byObject = new WeakMap()));
  let out = byObject.get(object);
  if (!out) byObject.set(object, (out = { ...r, object, id: idOfShared(memo, object) }));
  return out;
}

/** The id of a substituted object, read once per result object. */
function idOfShared(memo: SubstitutionMemo, object: JsonObject): ResourceId {
  let id = memo.ids.get(object);
  if (!id) memo.ids.set(object, (id = idOf(object)));
  return id;
}

interface Entry {
  /** Variables read by the first run, in order; null when runs read different ones (no memo). */
  names: string[] | null;
  results: Map<string, Result>;
}

/** The memo of one run (create one per run: see pipeline/run-context.ts). */
export interface SubstitutionMemo {
  readonly entries: WeakMap<JsonObject, Map<PlainPaths, Entry>>;
  /**
   * Whether an object has any `$`: false when it has, else its result, the object as it is (one for every
   * cluster holding it).
   */
  readonly inert: WeakMap<object, Result | false>;
  /** The ids of substituted objects. */
  readonly ids: WeakMap<JsonObject, ResourceId>;
  /** Each resource with a substituted object, by resource and object (shared by the clusters making it). */
  readonly resources: WeakMap<Resource, WeakMap<JsonObject, Resource>>;
  /** envsubst's parsed expressions, by text. */
  readonly parses: ParseCache;
}

/** A fresh memo. */
export function createSubstitutionMemo(): SubstitutionMemo {
  return {
    entries: new WeakMap(),
    inert: new WeakMap(),
    ids: new WeakMap(),
    resources: new WeakMap(),
    parses: new Map(),
  };
}

function rawValue(vars: Vars, name: string): string | undefined {
  const v: unknown =
    vars instanceof Map
      ? vars.get(name)
      : Object.hasOwn(vars, name)
        ? (vars as Record<string, string>)[name]
        : undefined;
  return typeof v === "string" ? v : undefined;
}

/** The variables as envsubst sees them, recording every name it looks up. */
class RecordingVars extends Map<string, string> {
  readonly read = new Set<string>();
  constructor(private readonly vars: Vars) {
    super();
  }
  override get(name: string): string | undefined {
    this.read.add(name);
    return rawValue(this.vars, name);
  }
}

function keyOf(names: readonly string[], vars: Vars): string {
  let key = "";
  for (const n of names) {
    const v = rawValue(vars, n);
    key += v === undefined ? "\u0001" : `\u0002${v}`;
    key += "\u0000";
  }
  return key;
}

function hasWork(value: Json): boolean {
  if (typeof value === "string") return value.includes("$");
  if (value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) return value.some(hasWork);
  for (const k in value) if (k.includes("$") || hasWork(value[k]!)) return true;
  return false;
}

/** {@link substituteObject}, sharing results across clusters through `memo`. */
export function substituteShared(
  memo: SubstitutionMemo,
  object: JsonObject,
  vars: Vars,
  opts: EnvsubstOptions,
  plain: PlainPaths = NO_PLAIN,
): Result {
  let inert = memo.inert.get(object);
  if (inert === undefined)
    memo.inert.set(object, (inert = hasWork(object) ? false : { object, errors: [], changed: false }));
  if (inert) return inert;
  let byPlain = memo.entries.get(object);
  if (!byPlain) memo.entries.set(object, (byPlain = new Map<PlainPaths, Entry>()));
  const entry = byPlain.get(plain);
  if (entry?.names) {
    const hit = entry.results.get(keyOf(entry.names, vars));
    if (hit) return hit;
  }
  const recording = new RecordingVars(vars);
  const result = substituteObject(object, recording, { ...opts, parses: memo.parses }, plain);
  const names = [...recording.read];
  if (!entry) byPlain.set(plain, { names, results: new Map([[keyOf(names, vars), result]]) });
  else if (entry.names?.length === names.length && entry.names.every((n, i) => n === names[i]))
    entry.results.set(keyOf(names, vars), result);
  else entry.names = null;
  return result;
}
