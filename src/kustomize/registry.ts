/**
 * The kustomization fields implemented in their own files, looked up by the build driver. The driver
 * (`build-kustomization.ts`) decides the order, as kustomize's `kusttarget` does; each file registers its
 * transformer here. `fixNameReferences` runs at the end of every kustomization's build.
 */
import type { AsyncTransformer, Transformer } from "./context.js";

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
export const FIELD_TRANSFORMERS: Partial<Record<RegisteredField, Transformer | AsyncTransformer>> = {};

/** Updates references (env, volumes, roleRef, …) to objects renamed during the build; identity when unset. */
export const NAME_REFERENCES: { fix?: Transformer } = {};
