/**
 * The kustomization fields implemented in their own files, looked up by the build driver. The driver
 * (`build-kustomization.ts`) decides the order, as kustomize's `kusttarget` does; each file registers its
 * transformer here. `fixNameReferences` runs at the end of every kustomization's build.
 */
import type { AsyncTransformer, Transformer } from "./context.js";
import { configMapGenerator, secretGenerator } from "./generators.js";
import { images } from "./images.js";
import { commonAnnotations, commonLabels, labels } from "./labels.js";
import { namePrefix, nameSuffix } from "./name-affix.js";
import { addNameHashes } from "./name-hash.js";
import { fixNameReferences } from "./name-references.js";
import { replacements } from "./replacements.js";
import { replicas } from "./replicas.js";

/** Fields whose transformers live in their own files. */
export type RegisteredField =
  | "configMapGenerator"
  | "secretGenerator"
  | "namePrefix"
  | "nameSuffix"
  | "commonLabels"
  | "labels"
  | "commonAnnotations"
  | "images"
  | "replicas"
  | "replacements";

/** Transformer of each registered field (absent: not implemented yet — the driver reports it as unsupported). */
export const FIELD_TRANSFORMERS: Partial<Record<RegisteredField, Transformer | AsyncTransformer>> = {
  configMapGenerator,
  secretGenerator,
  namePrefix,
  nameSuffix,
  commonLabels,
  labels,
  commonAnnotations,
  images,
  replicas,
  replacements,
};

/** Updates references (env, volumes, roleRef, …) to objects renamed during the build; identity when unset. */
export const NAME_REFERENCES: { fix?: Transformer } = { fix: fixNameReferences };

/**
 * Runs once, on the root kustomization's result only, before its last NAME_REFERENCES.fix (kustomize's
 * `addHashesToNames`): appends the content hash to generated ConfigMaps and Secrets (`Resource.nameHash`).
 */
export const ROOT_TRANSFORMERS: { addNameHashes?: Transformer } = { addNameHashes };
