/**
 * What validation learned about objects in one run, so an object shared by many clusters (unpatched, or
 * substituted to the same result) is checked once: the objects a compiled schema accepted, and the objects
 * whose identity and API-server checks found nothing (keyed by the id they were checked with). Only clean
 * results are kept; an object with problems is checked again for each cluster, so its diagnostics carry
 * that cluster. Validators and checks are pure functions of the object (ajv runs without defaults or
 * coercion), which is what makes this sound.
 */
import type { ValidateFunction } from "ajv";
import type { Resource } from "../model/resource.js";

/** The memo of one run (see pipeline/run-context.ts). */
export interface ValidationMemo {
  readonly passed: WeakMap<ValidateFunction, WeakSet<object>>;
  readonly identityClean: WeakMap<object, Resource["id"]>;
  readonly rulesClean: WeakMap<object, Resource["id"]>;
}

/** A fresh memo. */
export function createValidationMemo(): ValidationMemo {
  return { passed: new WeakMap(), identityClean: new WeakMap(), rulesClean: new WeakMap() };
}

/** Runs `validate` on the object unless it already accepted this very object in the run. */
export function validateOnce(memo: ValidationMemo | undefined, validate: ValidateFunction, object: object): boolean {
  if (!memo) return validate(object);
  let passed = memo.passed.get(validate);
  if (passed?.has(object)) return true;
  if (!validate(object)) return false;
  if (!passed) memo.passed.set(validate, (passed = new WeakSet()));
  passed.add(object);
  return true;
}

/** (one empty answer for every object found clean before: a thousand clusters' objects ask again) */
const NOTHING: readonly never[] = Object.freeze([]);

function sameId(a: Resource["id"], b: Resource["id"]): boolean {
  return (
    a === b ||
    (a.group === b.group &&
      a.version === b.version &&
      a.kind === b.kind &&
      a.namespace === b.namespace &&
      a.name === b.name)
  );
}

/**
 * Runs a check of one resource unless it found nothing for this object with this id before in the run
 * (the checks read the id and the object); remembers a clean result. The check and its cluster are passed
 * apart: a closure made for every object of every cluster, mostly never called, was garbage to collect.
 */
export function checkOnce<T, C>(
  clean: WeakMap<object, Resource["id"]> | undefined,
  r: Resource,
  check: (r: Resource, cluster: C) => T[],
  cluster: C,
): readonly T[] {
  if (!clean) return check(r, cluster);
  const seen = clean.get(r.object);
  if (seen && sameId(seen, r.id)) return NOTHING;
  const found = check(r, cluster);
  if (found.length === 0) clean.set(r.object, r.id);
  return found;
}
