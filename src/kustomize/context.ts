/**
 * The contract between the kustomize build driver (`build-kustomization.ts`) and the transformers and
 * generators it runs (one file each under `src/kustomize/`). Every transformer is pure: it takes the
 * resources accumulated so far and one field of a kustomization file, and returns a new list plus
 * diagnostics; it never mutates its input (copy what you change) and never reads the environment.
 */
import type { Diagnostic, SourceLocation } from "../diagnostics/diagnostic.js";
import type { Json, JsonPath, Resource } from "../model/resource.js";
import type { TransformerConfig } from "./transformer-config.js";

/** Where one kustomization file lives and how to read the files it names. */
export interface KustomizationContext {
  /** Source name and commit (for locations). */
  source: string;
  commit: string;
  /** Path of the kustomization file inside the source repository (e.g. `deploy/base/kustomization.yaml`). */
  file: string;
  /** Folder of the kustomization file inside the repository (e.g. `deploy/base`); "" for the root. */
  dir: string;
  /** The whole parsed kustomization (e.g. generators read `generatorOptions` from it). */
  kustomization: { [key: string]: Json };
  /** Location of a field of the kustomization file (e.g. `["images", 0, "newTag"]`), when known. */
  locate(path: JsonPath): SourceLocation | undefined;
  /**
   * Reads a file named relative to `dir` (generators' `files` and `envs`). Paths that leave the source
   * repository are refused by the reader (kustomize's load restrictor), as a thrown BraidError.
   */
  readFile(relativePath: string): Promise<Uint8Array>;
  /**
   * The kustomization's transformer configuration when it or a folder it builds has `configurations`
   * (undefined: kustomize's defaults, which each transformer holds itself).
   */
  config?: TransformerConfig;
  /**
   * For a generator, when the build tracks origins (build metadata): the `config.kubernetes.io/origin`
   * annotation kustomize gives each object it makes (build-metadata.ts).
   */
  generatedOrigin?: string;
}

/** What every transformer and generator returns. */
export interface TransformResult {
  resources: Resource[];
  diagnostics: Diagnostic[];
}

/** A synchronous transformer over one kustomization field (`args` is the field's parsed value). */
export type Transformer = (resources: readonly Resource[], args: Json, ctx: KustomizationContext) => TransformResult;

/** An asynchronous generator or transformer (needs files). */
export type AsyncTransformer = (
  resources: readonly Resource[],
  args: Json,
  ctx: KustomizationContext,
) => Promise<TransformResult>;
