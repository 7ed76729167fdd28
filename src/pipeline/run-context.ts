/**
 * The state of one fleet run: every cache the stages share lives here, created by the pipeline's entry
 * (`renderFleet`), so two runs in one process never share state. Most entries are keyed by object identity:
 * a source's object is loaded once per run and shared by every cluster that leaves it unchanged, so its
 * substitution, validation and serialization happen once per run, not once per cluster.
 */
import { createValidationMemo, type ValidationMemo } from "../validate/validation-memo.js";
import type { DuplicateKeys } from "../render/check-duplicates.js";
import { createManifestCache, type ManifestCache } from "../render/load-manifests.js";
import { createOutputMemo, type OutputMemo } from "../render/output-tree.js";
import { createSubstitutionMemo, type SubstitutionMemo } from "../render/substitute-memo.js";

/** The caches of one run. */
export interface RunContext {
  /** isomorphic-git's cache (parsed packfile indexes) for every object read of the run: pins and sources. */
  readonly git: object;
  /** Parsed blobs, listed trees and loaded sources (by oid, commit and selection). */
  readonly manifests: ManifestCache;
  readonly substitutions: SubstitutionMemo;
  /** Each id's key for the duplicate check. */
  readonly duplicateKeys: DuplicateKeys;
  readonly validation: ValidationMemo;
  readonly output: OutputMemo;
}

/** A fresh context for one run. */
export function createRunContext(): RunContext {
  const git = {};
  return {
    git,
    manifests: createManifestCache(git),
    substitutions: createSubstitutionMemo(),
    duplicateKeys: new WeakMap(),
    validation: createValidationMemo(),
    output: createOutputMemo(),
  };
}
