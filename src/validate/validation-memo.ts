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

/** The memo of one run (see render/run-context.ts). */
export interface ValidationMemo {
  readonly passed: WeakMap<ValidateFunction, WeakSet<object>>;
  readonly identityClean: WeakMap<object, string>;
  readonly rulesClean: WeakMap<object, string>;
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

/** The id a check saw, as a key (the checks read the id and the object). */
export function checkedId(r: Resource): string {
  const id = r.id;
  return `${id.group}\u0000${id.version}\u0000${id.kind}\u0000${id.namespace}\u0000${id.name}`;
}

/**
 * Runs a check of one resource unless it found nothing for this object with this id before in the run;
 * remembers a clean result.
 */
export function checkOnce<T>(clean: WeakMap<object, string> | undefined, r: Resource, check: () => T[]): T[] {
  if (!clean) return check();
  const key = checkedId(r);
  if (clean.get(r.object) === key) return [];
  const found = check();
  if (found.length === 0) clean.set(r.object, key);
  return found;
}
