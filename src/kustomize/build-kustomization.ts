/**
 * The kustomize build driver: builds the kustomization in a source's folder natively, in kustomize's order
 * (api/internal/target/kusttarget.go `accumulateTarget`, as released in v5.4–v5.8: generators before
 * components; kustomize's unreleased main branch swaps them):
 *  1. resources — files (every document) and folders holding their own kustomization, built recursively;
 *  2. generators — configMapGenerator, secretGenerator, then the builtin plugins of `generators`;
 *  3. components — folders of kind Component, each applied to everything accumulated so far, in order;
 *  4. transformers in kustomize's builtin order — patchesStrategicMerge, patches, namespace, namePrefix,
 *     nameSuffix, labels + commonLabels, commonAnnotations, patchesJson6902, replicas, images, replacements —
 *     then the builtin plugins of `transformers` (builtin-plugins.ts);
 *  5. for the top folder only: name hashes, name references over the whole build, vars, then sortOptions.
 * Fields implemented elsewhere are looked up in `FIELD_TRANSFORMERS`; a field braid does not build is a
 * located error (fields.ts). Every path stays inside the source repository. Resources keep their file and
 * line; nothing here reads the clock, the environment or the network.
 */
import { isClusterScoped } from "../model/kustomize-scope.js";
import { redactUrl } from "../diagnostics/redact-url.js";
import { BraidError, toDiagnostic, type Diagnostic, type SourceLocation } from "../diagnostics/diagnostic.js";
import type { SourceDef } from "../config/types.js";
import type { KubeSchemaIndex } from "../model/kube-schema.js";
import { describeId, idKey, type Json, type JsonPath, type Resource } from "../model/resource.js";
import { loadFileResources, type ManifestCache } from "../render/load-manifests.js";
import type { KustomizationContext, TransformResult, Transformer } from "./context.js";
import { checkFields, registeredField } from "./fields.js";
import { findKustomization, readKustomization, yaml11Booleans, type KustomizationFile } from "./kustomization-file.js";
import { applyKustomizationPatches, isRemote, readKustomizationPatches, type PatchField } from "./kustomize-patches.js";
import { transformNamespace, transformNamespaceWith } from "./namespace.js";
import {
  EMPTY_CONFIG,
  mergeConfig,
  readConfig,
  SORTED_DEFAULTS,
  type TransformerConfig,
} from "./transformer-config.js";
import * as registry from "./registry.js";
import { FIELD_TRANSFORMERS, NAME_REFERENCES, type RegisteredField } from "./registry.js";
import { parseSortOptions, sortResources } from "./sort-resources.js";
import { joinInside, type SourceTree } from "./source-tree.js";
import { originAppend, parseRepoSpec, remoteKind, type RemoteEnv } from "./remote-resources.js";
import {
  BUILTIN_OPENAPI_VERSION,
  customSchemaIndex,
  customScopeProblems,
  type OpenApiChoice,
} from "./custom-openapi.js";
import { listedTree, rootOnlyView } from "./source-tree.js";
import { isGitBaseUrl, isRemoteFile } from "../sources/remote-files.js";
import { runPlugins, type PluginConfig, type PluginEnv } from "./builtin-plugins.js";
import { VAR_REFERENCE_SPECS } from "./field-specs-data.js";
import { markVars, mergeVars, readVars, resolveVars, type KVar } from "./vars.js";
import { Document, isMap, LineCounter } from "yaml";
import {
  addTransformations,
  annotateOrigin,
  builtinOrigin,
  checkBuildMetadata,
  finishBuildMetadata,
  originOfResource,
  originText,
  pluginOrigin,
  readBuildMetadata,
  type BuildMetadata,
  type FolderOrigin,
  type KOrigin,
} from "./build-metadata.js";
import {
  documentToJs,
  nodeAt,
  parseYamlFile,
  positionOf,
  scalarShift,
  yamlText,
  type YamlFile,
} from "../model/yaml-file.js";
import { posix } from "node:path";
import { pushAll } from "../model/append.js";

/** What one build needs: the tree at the commit, the run's blob cache, and the schema for scopes and merge keys. */
export interface BuildEnv {
  tree: SourceTree;
  source: string;
  cache: ManifestCache;
  schema: KubeSchemaIndex | undefined;
  /**
   * The source's `namespace` (Flux's `targetNamespace`): kustomize-controller writes it into the top
   * kustomization's `namespace` field before the build, so it takes that field's place in kustomize's order.
   */
  targetNamespace?: { value: string; location: SourceLocation };
  /** The remote files and bases this build may read (kustomize/remote-resources.ts), pinned by the pin stage. */
  remote?: RemoteEnv;
  /** The URLs of the remote bases being built, outermost first (kustomize's cycle check). */
  remoteStack?: readonly string[];
  /** The schema the build's strategic merges read (an `openapi` field's); buildKustomization makes one. */
  openapi?: OpenApiChoice;
}

/** The schema a strategic merge of the build reads now. */
function mergeSchema(env: BuildEnv): KubeSchemaIndex | undefined {
  return env.openapi?.index ?? env.schema;
}

/** The result of building a folder. */
export interface BuildResult {
  resources: Resource[];
  diagnostics: Diagnostic[];
  /**
   * A `nested` build's vars (left for Flux's generated kustomization to resolve, as kustomize resolves every
   * var once, at the top) and its transformer configuration (undefined: kustomize's defaults), which that
   * kustomization folds as it folds the folders it builds.
   */
  nested?: NestedBuild;
}

/** What a folder listed by Flux's generated kustomization hands up to it. */
export interface NestedBuild {
  vars: KVar[];
  config?: TransformerConfig;
}

/** One step of kustomize's builtin transformers, and the builtin plugin kind that runs it (for build metadata). */
type Step = (
  | { kind: "patches"; field: PatchField }
  | { kind: "namespace" }
  | { kind: "field"; field: RegisteredField; names: string[] }
) & { plugin: string };

/** kustomize's builtin transformer order (kusttarget_configplugin.go `configureBuiltinTransformers`). */
const TRANSFORMER_STEPS: Step[] = [
  { kind: "patches", field: "patchesStrategicMerge", plugin: "PatchStrategicMergeTransformer" },
  { kind: "patches", field: "patches", plugin: "PatchTransformer" },
  { kind: "namespace", plugin: "NamespaceTransformer" },
  { kind: "field", field: "namePrefix", names: ["namePrefix"], plugin: "PrefixTransformer" },
  { kind: "field", field: "nameSuffix", names: ["nameSuffix"], plugin: "SuffixTransformer" },
  { kind: "field", field: "labels", names: ["labels"], plugin: "LabelTransformer" },
  { kind: "field", field: "commonLabels", names: ["commonLabels"], plugin: "LabelTransformer" },
  { kind: "field", field: "commonAnnotations", names: ["commonAnnotations"], plugin: "AnnotationsTransformer" },
  { kind: "patches", field: "patchesJson6902", plugin: "PatchJson6902Transformer" },
  { kind: "field", field: "replicas", names: ["replicas"], plugin: "ReplicaCountTransformer" },
  { kind: "field", field: "images", names: ["images", "imageTags"], plugin: "ImageTagTransformer" },
  { kind: "field", field: "replacements", names: ["replacements"], plugin: "ReplacementTransformer" },
];

const GENERATOR_STEPS: { field: RegisteredField; plugin: string }[] = [
  { field: "configMapGenerator", plugin: "ConfigMapGenerator" },
  { field: "secretGenerator", plugin: "SecretGenerator" },
];

/**
 * How many instances of its builtin plugin kustomize configures for a step (kusttarget_configplugin.go): each
 * adds one entry to the transformations of build metadata. `labels` and `commonLabels` are one configurator:
 * one LabelTransformer per `labels` entry and one for `commonLabels`, when either is set.
 */
function instances(step: Step, k: KustomizationFile, namespace: Json | undefined): number {
  const length = (v: Json | undefined) =>
    Array.isArray(v) ? v.length : v !== null && typeof v === "object" ? Object.keys(v).length : 0;
  const set = (v: Json | undefined) => (typeof v === "string" ? v !== "" : length(v) > 0);
  const v = k.value;
  if (step.kind === "namespace") return typeof namespace === "string" && namespace !== "" ? 1 : 0;
  switch (step.field) {
    case "patches":
    case "patchesJson6902":
    case "replicas":
      return length(v[step.field]);
    case "images":
      return length(v.images) + length(v.imageTags);
    case "labels":
      return length(v.labels) > 0 || length(v.commonLabels) > 0 ? length(v.labels) + 1 : 0;
    case "commonLabels":
      return 0;
    default:
      return set(v[step.field]) ? 1 : 0;
  }
}

/**
 * Builds the kustomization in `dir` as `kubectl kustomize <dir>` would. `dir` is the source's path (kustomize-
 * controller's own treatment of that kustomization applies), or, with `nested`, a folder that Flux's generated
 * kustomization lists as a resource (a kustomization under a plain source's path): built as a folder of that
 * build, whose own `buildMetadata` does not count.
 */
export async function buildKustomization(
  env: BuildEnv,
  dir: string,
  options: { nested?: boolean } = {},
): Promise<BuildResult> {
  const diagnostics: Diagnostic[] = [];
  if (!env.openapi) env = { ...env, openapi: { chosen: false } };
  const built = await buildFolder(env, dir, options.nested ? "nested" : "root", [], undefined, diagnostics);
  if (!built) return { resources: [], diagnostics };
  // (a folder Flux's generated kustomization lists: that build checks every object, load-source.ts)
  if (!options.nested) pushAll(diagnostics, customScopeProblems(env.openapi, built.resources));
  const resources = finishBuildMetadata(built.resources, built.metadata);
  const nested = options.nested
    ? { nested: { vars: built.vars, ...(built.config ? { config: built.config } : {}) } }
    : {};
  const sort = parseSortOptions(built.k.value.sortOptions);
  if (typeof sort === "string") {
    diagnostics.push(err("KUSTOMIZE_INVALID", sort, built.k.locate(["sortOptions"])));
    return { resources, diagnostics, ...nested };
  }
  return { resources: sortResources(resources, sort), diagnostics, ...nested };
}

/**
 * The build metadata of the source's kustomization as kustomize-controller builds it: fluxcd/pkg kustomize's
 * `Generator` sets `buildMetadata: [originAnnotations]` on a kustomization without `resources` (in place of
 * its own list: "to avoid the kustomization.yaml is empty build error"), so whatever it generates or takes from
 * components is annotated with its origin.
 */
function rootMetadata(
  k: KustomizationFile,
  diagnostics: Diagnostic[],
): { origin?: FolderOrigin; metadata?: BuildMetadata } {
  const own = readBuildMetadata(k, diagnostics);
  const resources = k.value.resources;
  const options = !Array.isArray(resources) || resources.length === 0 ? ["originAnnotations"] : own;
  if (!options?.length) return {};
  if (options === own) checkBuildMetadata(k, own, diagnostics);
  return {
    origin: { path: "" },
    metadata: {
      origin: options.includes("originAnnotations"),
      transformations: options.includes("transformerAnnotations"),
    },
  };
}

function err(code: Diagnostic["code"], message: string, location?: SourceLocation, hint?: string): Diagnostic {
  return { code, severity: "error", message, location, ...(hint ? { hint } : {}) };
}

/**
 * The error for a path a kustomization names that is not a file (or folder) here: a link out of the repository
 * is PATH_ESCAPE, a file `.sourceignore` leaves out says so; anything else does not exist at this commit.
 */
function absent(
  env: BuildEnv,
  k: KustomizationFile,
  what: string,
  path: string,
  at: SourceLocation | undefined,
): Diagnostic {
  const why = env.tree.whyAbsent?.(path);
  if (why?.startsWith("is a symbolic link") || why?.startsWith("is not in or below"))
    return err("PATH_ESCAPE", `${what} ${why}`, at, "files must be inside the source's repository");
  if (why)
    return err(
      "KUSTOMIZE_INVALID",
      `${what} ${why}`,
      at,
      "Flux would not find it either: include it again with a `!` pattern in that .sourceignore, or stop listing it",
    );
  return err(
    "KUSTOMIZE_INVALID",
    `${what} does not exist at this commit`,
    at,
    `paths are relative to ${k.dir || "the repository root"}`,
  );
}

/**
 * Where a folder was listed (for its diagnostics), the folders being built around it (for cycles), and — when
 * build metadata tracks origins — its path as kustomize's origins name it (from the top folder, as listed).
 */
type ListedFrom = { location: SourceLocation; stack: readonly string[]; origin?: FolderOrigin };

/** What a folder listed at `location` as `entry` is given: the stack, and its origin path when origins are tracked. */
function listedAs(
  location: SourceLocation,
  stack: readonly string[],
  origin: FolderOrigin | undefined,
  entry: string,
): ListedFrom {
  return { location, stack, ...(origin !== undefined ? { origin: originAppend(origin, entry) } : {}) };
}

/**
 * Builds one folder: `root` (`nested`: listed by Flux's generated kustomization) and `resource` folders start
 * from nothing; a `component` continues the accumulation it is given; only `root` ends with name references.
 * Undefined when the folder has no usable kustomization.
 */
async function buildFolder(
  env: BuildEnv,
  dir: string,
  as: "root" | "nested" | "resource" | "component",
  accumulated: readonly Resource[],
  from: ListedFrom | undefined,
  diagnostics: Diagnostic[],
): Promise<
  | { resources: Resource[]; k: KustomizationFile; config?: TransformerConfig; vars: KVar[]; metadata?: BuildMetadata }
  | undefined
> {
  const role = as === "nested" ? "root" : as;
  if (env.tree.rootOnly) env = { ...env, tree: rootOnlyView(env.tree, dir) };
  const k = await openKustomization(env, dir, as, from, diagnostics);
  if (!k) return undefined;
  const checked = checkFields(k, as === "root");
  pushAll(diagnostics, checked);
  const refused = checked.filter((d) => d.severity === "error");
  // the schema, before anything is built (kustomize sets it as it loads the kustomization)
  if (k.value.openapi !== undefined && k.value.openapi !== null)
    await chooseOpenApi(env, k, as === "root", diagnostics);
  // build metadata: the top kustomization's decides for the whole build (kustomize hands it to every folder)
  const top = as === "root" ? rootMetadata(k, diagnostics) : {};
  if (as !== "root") readBuildMetadata(k, diagnostics);
  const origin = as === "root" ? top.origin : from?.origin;
  const inner = [...(from?.stack ?? []), dir];
  let resources = [...accumulated];
  // the transformer configuration, folded as kustomize's accumulator folds it from an empty one: each folder
  // built (undefined: one that holds only kustomize's defaults), then this folder's own, then its components.
  // Left undefined while everything is kustomize's defaults (each transformer holds those itself).
  let config: TransformerConfig | undefined;
  let defaultsSeen = false;
  // the vars of this folder and of the folders it builds (kustomize's varSet)
  const vars: KVar[] = [];
  const mergeIn = (more: TransformerConfig | undefined, at: SourceLocation) => {
    if (!more && !config) {
      defaultsSeen = true;
      return;
    }
    let acc = config;
    if (!acc) {
      const start = defaultsSeen ? mergeConfig(EMPTY_CONFIG, SORTED_DEFAULTS) : EMPTY_CONFIG;
      acc = typeof start === "string" ? EMPTY_CONFIG : start;
    }
    const merged = mergeConfig(acc, more ?? SORTED_DEFAULTS);
    if (typeof merged === "string") diagnostics.push(err("KUSTOMIZE_INVALID", merged, at));
    else config = merged;
  };

  // 1. resources (and `bases`, which kustomize appends to them)
  const resourceEntries = [...listOf(k, "resources", diagnostics), ...listOf(k, "bases", diagnostics)];
  for (const { value: entry, path } of resourceEntries) {
    const at = k.locate(path);
    const loaded = await accumulateResource(env, k, entry, { location: at, stack: inner, origin }, diagnostics);
    resources = appendAll(resources, loaded.resources, diagnostics);
    if (loaded.folder) mergeIn(loaded.config, at);
    mergeVars(vars, loaded.vars ?? [], diagnostics);
  }
  // Unsupported fields stop here: half a build would render something the user did not write.
  if (refused.length) return { resources, k, vars };
  const own =
    k.value.configurations !== undefined && k.value.configurations !== null
      ? await readConfigurations(env, k, diagnostics)
      : undefined;
  mergeIn(own, k.locate(["configurations"]));
  const ctx = contextOf(env, k);
  if (config) ctx.config = config;
  const plugins: PluginEnv = {
    tree: env.tree,
    source: env.source,
    get schema() {
      return mergeSchema(env);
    },
    k,
    ctx,
  };
  // 2. generators: the fields, then the `generators` plugins
  for (const { field, plugin } of GENERATOR_STEPS) {
    if (k.value[field] === undefined) continue;
    const generatedOrigin = origin === undefined ? undefined : originText(builtinOrigin(origin, k, plugin));
    const run = generatedOrigin === undefined ? ctx : { ...ctx, generatedOrigin };
    resources = await runField(field, k.value[field], resources, run, diagnostics);
  }
  if (k.value.generators !== undefined && k.value.generators !== null) {
    const configs = await pluginConfigs(env, k, "generators", inner, origin, diagnostics);
    resources = await runPlugins("generators", configs, resources, plugins, diagnostics);
  }
  // 3. components
  for (const { value: entry, path } of listOf(k, "components", diagnostics)) {
    const at = k.locate(path);
    let built;
    if (remoteKind(env.tree, k.dir, entry, true) === "base") {
      // (a remote component: kustomize clones it)
      const opened = await openRemoteBase(env, entry, listedAs(at, inner, origin, entry), diagnostics);
      if (!opened) continue;
      built = await buildFolder(opened.env, opened.root, "component", resources, opened.from, diagnostics);
    } else {
      const target = resolveEntry(k, entry, at, "component", diagnostics);
      if (target === undefined) continue;
      built = await buildFolder(env, target, "component", resources, listedAs(at, inner, origin, entry), diagnostics);
    }
    if (built) resources = built.resources;
    if (built) mergeIn(built.config, at);
    if (built) mergeVars(vars, built.vars, diagnostics);
    if (config) ctx.config = config;
  }
  // 4. transformers: the fields in kustomize's builtin order, then the `transformers` plugins
  // the source's target namespace replaces the top kustomization's own (fluxcd/pkg kustomize Generator)
  const namespace = as === "root" && env.targetNamespace ? env.targetNamespace : undefined;
  for (const step of TRANSFORMER_STEPS) {
    resources = await runTransformerStep(step, resources, env, k, ctx, diagnostics, namespace);
    if (origin !== undefined) {
      const count = instances(step, k, namespace ? namespace.value : k.value.namespace);
      resources = addTransformations(resources, builtinOrigin(origin, k, step.plugin), count, diagnostics);
    }
  }
  if (k.value.transformers !== undefined && k.value.transformers !== null) {
    const configs = await pluginConfigs(env, k, "transformers", inner, origin, diagnostics);
    resources = await runPlugins("transformers", configs, resources, plugins, diagnostics);
  }
  // the folder's vars mark the objects they read (kustomize's MergeVars, after the transformers)
  const ownVars = readVars(k, diagnostics);
  if (ownVars.length) {
    resources = markVars(resources, ownVars, diagnostics);
    mergeVars(vars, ownVars, diagnostics);
  }
  // 5. for the top folder, kustomize's `addHashesToNames` (generated names get their content hash); then
  //    name references
  const addNameHashes = rootTransformers().addNameHashes;
  if (role === "root" && addNameHashes)
    resources = guard(() => addNameHashes(resources, null, ctx), resources, diagnostics, k.locate([]));
  // name references run once, over the whole build (kustomize's FixBackReferences in makeCustomizedResMap): a
  // base's references are resolved with every rename its overlays made. A folder Flux's generated kustomization
  // lists (`nested`) leaves them to that kustomization (load-source.ts)
  if (as === "root" && NAME_REFERENCES.fix) {
    const fixed = guard(() => NAME_REFERENCES.fix!(resources, null, ctx), resources, diagnostics, k.locate([]));
    resources = fixed;
  }
  // for the top folder, the vars are resolved last (kustomize's ResolveVars, after the name references); a folder
  // Flux's generated kustomization lists (`nested`) hands them up to it
  if (as === "root" && vars.length)
    resources = resolveVars(resources, vars, ctx.config?.varReference ?? VAR_REFERENCE_SPECS, diagnostics);
  return { resources, k, vars, ...(config ? { config } : {}), ...(top.metadata ? { metadata: top.metadata } : {}) };
}

/**
 * The kustomization of a folder, when it can be built in that role: not a folder already being built (a
 * cycle), a kustomization file that reads, of kind Kustomization, or Component exactly where one is listed.
 */
async function openKustomization(
  env: BuildEnv,
  dir: string,
  as: "root" | "nested" | "resource" | "component",
  from: ListedFrom | undefined,
  diagnostics: Diagnostic[],
): Promise<KustomizationFile | undefined> {
  const base = { source: env.source, commit: env.tree.commit };
  const role = as === "nested" ? "root" : as;
  const stack = from?.stack ?? [];
  if (stack.includes(dir)) {
    diagnostics.push(
      err(
        "KUSTOMIZE_INVALID",
        `"${dir || "/"}" includes itself (${[...stack, dir].join(" → ")})`,
        from?.location,
        "remove the cycle",
      ),
    );
    return undefined;
  }
  const found = findKustomization(env.tree, dir);
  pushAll(
    diagnostics,
    found.diagnostics.map((d) => ({ ...d, location: d.location && { ...base, ...d.location } })),
  );
  if (!found.blob) {
    diagnostics.push(
      err(
        "KUSTOMIZE_INVALID",
        `the folder "${dir || "/"}" has no kustomization.yaml, kustomization.yml or Kustomization`,
        from?.location,
        role === "component"
          ? "components name folders holding a kustomization of kind Component"
          : "a folder listed in resources must hold a kustomization; list its files instead",
      ),
    );
    return undefined;
  }
  const read = await readKustomization(env.tree, found.blob, base);
  pushAll(diagnostics, read.diagnostics);
  const k = read.kustomization;
  if (!k) return undefined;
  const kind = k.value.kind ?? "Kustomization";
  if (kind !== "Kustomization" && kind !== "Component") {
    diagnostics.push(
      err(
        "KUSTOMIZE_INVALID",
        `kind must be Kustomization or Component, not ${JSON.stringify(kind)}`,
        k.locate(["kind"]),
      ),
    );
    return undefined;
  }
  if (role === "component" && kind !== "Component") {
    diagnostics.push(
      err(
        "KUSTOMIZE_INVALID",
        `"${dir}" is listed in components but its kind is ${kind}`,
        from?.location,
        "set kind: Component (apiVersion: kustomize.config.k8s.io/v1alpha1) or list it in resources",
      ),
    );
    return undefined;
  }
  // a Component is built as the top folder like a Kustomization (kustomize's `build` of a component folder)
  if (role === "resource" && kind === "Component") {
    diagnostics.push(
      err(
        "KUSTOMIZE_INVALID",
        `"${dir || "/"}" is a Component: it can only be listed in components`,
        from?.location ?? k.locate(["kind"]),
        "list it under components: of a Kustomization",
      ),
    );
    return undefined;
  }
  // kustomize's EnforceFields: an apiVersion, when given, is the one of the kind
  const apiVersion = k.value.apiVersion;
  const wanted = kind === "Component" ? COMPONENT_VERSION : KUSTOMIZATION_VERSION;
  if (apiVersion !== undefined && apiVersion !== null && apiVersion !== "" && apiVersion !== wanted) {
    diagnostics.push(
      err(
        "KUSTOMIZE_INVALID",
        `apiVersion for ${kind} should be ${wanted}, not ${JSON.stringify(apiVersion)}`,
        k.locate(["apiVersion"]),
        `set apiVersion: ${wanted}`,
      ),
    );
    return undefined;
  }
  // kustomize's CheckEmpty: a kustomization that sets nothing beyond apiVersion and kind is an error — but never
  // the source's own: kustomize-controller gives one without resources build metadata first (rootMetadata)
  if (
    as !== "root" &&
    Object.entries(k.value).every(([key, v]) => key === "apiVersion" || key === "kind" || goZero(v))
  ) {
    diagnostics.push(
      err(
        "KUSTOMIZE_INVALID",
        `the kustomization in "${dir || "/"}" is empty (kustomize refuses it: "kustomization.yaml is empty")`,
        k.locate([]),
        "list its resources, or point the source at the folder that holds the manifests",
      ),
    );
    return undefined;
  }
  return k;
}

const KUSTOMIZATION_VERSION = "kustomize.config.k8s.io/v1beta1";
const COMPONENT_VERSION = "kustomize.config.k8s.io/v1alpha1";

/** A value Go decodes to its zero value (absent from the kustomization): null, "", false, 0. `[]` and `{}` are not. */
function goZero(v: unknown): boolean {
  return v === null || v === undefined || v === "" || v === false || v === 0;
}

/** One step of kustomize's builtin transformer order, when the kustomization sets its field. */
async function runTransformerStep(
  step: Step,
  resources: Resource[],
  env: BuildEnv,
  k: KustomizationFile,
  ctx: KustomizationContext,
  diagnostics: Diagnostic[],
  target?: { value: string; location: SourceLocation },
): Promise<Resource[]> {
  if (step.kind === "patches") {
    if (k.value[step.field] === undefined) return resources;
    const read = await readKustomizationPatches(
      k,
      step.field,
      env.tree,
      { source: env.source, commit: env.tree.commit },
      env.remote,
    );
    pushAll(diagnostics, read.diagnostics);
    const applied = applyKustomizationPatches(resources, read.patches, mergeSchema(env));
    // one root cause, one error: after a resource that could not be read (a missing file, a remote file or base
    // that could not be fetched), a patch that matches nothing most likely patches what it held; kustomize
    // stops at the first error. Such a patch error is reported again, if it remains, once the cause is fixed
    const failed = diagnostics.some((d) => d.severity === "error");
    pushAll(diagnostics, failed ? applied.diagnostics.filter((d) => d.code !== "PATCH_NO_MATCH") : applied.diagnostics);
    return applied.resources;
  }
  if (step.kind === "namespace") {
    const ns = target ? target.value : k.value.namespace;
    const where = target ? target.location : k.locate(["namespace"]);
    if (ns === undefined || ns === null || ns === "") return resources;
    if (typeof ns !== "string") {
      diagnostics.push(err("KUSTOMIZE_INVALID", "namespace must be a string", where));
      return resources;
    }
    if (ctx.config) {
      const options = { specs: ctx.config.namespace, unsetOnly: false, subjects: "defaultOnly" } as const;
      return transformNamespaceWith(resources, ns, options, where);
    }
    return transformNamespace(resources, ns, where);
  }
  for (const name of step.names) {
    const args = k.value[name];
    if (args === undefined || args === null) continue;
    resources = await runField(step.field, args, resources, ctx, diagnostics);
  }
  return resources;
}

/** Transformers that run once on the top folder's result, when the registry provides them. */
function rootTransformers(): { addNameHashes?: Transformer } {
  return (registry as unknown as { ROOT_TRANSFORMERS?: { addNameHashes?: Transformer } }).ROOT_TRANSFORMERS ?? {};
}

/** The entries of a list field, with their paths; anything but a list of strings is an error. */
function listOf(k: KustomizationFile, field: string, diagnostics: Diagnostic[]): { value: string; path: JsonPath }[] {
  const v = k.value[field];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    diagnostics.push(err("KUSTOMIZE_INVALID", `${field} must be a list of paths`, k.locate([field])));
    return [];
  }
  const out: { value: string; path: JsonPath }[] = [];
  v.forEach((e, i) => {
    if (typeof e === "string" && e !== "") out.push({ value: e, path: [field, i] });
    else diagnostics.push(err("KUSTOMIZE_INVALID", `${field}[${i}] must be a path`, k.locate([field, i])));
  });
  return out;
}

/** A resources/components/plugins entry as a repository path; remote and escaping paths are errors. */
function resolveEntry(
  k: KustomizationFile,
  entry: string,
  at: SourceLocation,
  what: "resource" | "component" | "generator" | "transformer" | "configuration",
  diagnostics: Diagnostic[],
): string | undefined {
  if (isRemote(entry)) {
    diagnostics.push(
      err(
        "KUSTOMIZE_UNSUPPORTED",
        isRemoteFile(entry) && !isGitBaseUrl(entry)
          ? `remote ${what} "${redactUrl(entry)}" is not fetched: braid reads remote files in resources only`
          : `remote ${what === "resource" ? "base" : what} "${redactUrl(entry)}" is not fetched: braid does not clone remote Git repositories`,
        at,
        "add the remote repository as its own braid source (spec.sources) with a pinned ref, or vendor its files into this repository",
      ),
    );
    return undefined;
  }
  const path = joinInside(k.dir, entry);
  if (path === undefined) {
    diagnostics.push(
      err(
        "PATH_ESCAPE",
        `${what} "${entry}" leaves the source repository`,
        at,
        "kustomization paths must stay inside the source's repository; make the other folder its own source",
      ),
    );
    return undefined;
  }
  return path;
}

/** One `resources` entry: a file's objects, or a folder's build. */
async function accumulateResource(
  env: BuildEnv,
  k: KustomizationFile,
  entry: string,
  listed: ListedFrom,
  diagnostics: Diagnostic[],
): Promise<{ resources: Resource[]; folder?: boolean; config?: TransformerConfig; vars?: KVar[] }> {
  const at = listed.location;
  const origin = listed.origin;
  const kind = remoteKind(env.tree, k.dir, entry, false);
  if (kind === "base" || (kind === "file" && env.remote?.bases.has(entry)))
    return accumulateRemoteBase(env, entry, listed, diagnostics);
  if (kind === "file") return { resources: await accumulateRemoteFile(env, entry, at, origin, diagnostics) };
  const path = resolveEntry(k, entry, at, "resource", diagnostics);
  if (path === undefined) return { resources: [] };
  const blob = env.tree.file(path);
  if (blob) {
    const loaded = await loadFileResources(env.cache, env.tree.gitdir, env.tree.commit, env.source, {
      path,
      oid: blob.oid,
    });
    pushAll(diagnostics, loaded.diagnostics);
    if (origin === undefined) return { resources: loaded.resources };
    return { resources: annotateOrigin(loaded.resources, originAppend(origin, entry), true) };
  }
  if (env.tree.isDir(path)) {
    const built = await buildFolder(env, path, "resource", [], listedAs(at, listed.stack, origin, entry), diagnostics);
    return {
      resources: built?.resources ?? [],
      folder: true,
      vars: built?.vars ?? [],
      ...(built?.config ? { config: built.config } : {}),
    };
  }
  diagnostics.push(absent(env, k, `resource "${entry}"`, path, at));
  return { resources: [] };
}

/**
 * A remote base (a Git repository URL), as kustomize builds it from a clone at the URL's ref — here the commit
 * the pin stage pinned, read from its mirror: the folder the URL names is built as a `resources` folder, inside
 * a tree of its own (every path stays inside that repository).
 */
async function accumulateRemoteBase(
  env: BuildEnv,
  url: string,
  listed: ListedFrom,
  diagnostics: Diagnostic[],
): Promise<{ resources: Resource[]; folder?: boolean; config?: TransformerConfig; vars?: KVar[] }> {
  const opened = await openRemoteBase(
    env,
    url,
    listedAs(listed.location, listed.stack, listed.origin, url),
    diagnostics,
  );
  if (!opened) return { resources: [] };
  const built = await buildFolder(opened.env, opened.root, "resource", [], opened.from, diagnostics);
  return {
    resources: built?.resources ?? [],
    folder: true,
    vars: built?.vars ?? [],
    ...(built?.config ? { config: built.config } : {}),
  };
}

/**
 * A kustomization's `openapi` (kyaml openapi `SetSchema`): `path`'s document (read even when the schema is
 * already chosen, as kustomize loads it) becomes the build's schema, or `version` keeps kustomize's built-in
 * one — for the top kustomization always, for another only when nothing chose one before.
 */
async function chooseOpenApi(env: BuildEnv, k: KustomizationFile, top: boolean, diagnostics: Diagnostic[]) {
  const field = k.value.openapi;
  const at = k.locate(["openapi"], true);
  if (typeof field !== "object" || field === null || Array.isArray(field)) {
    diagnostics.push(err("KUSTOMIZE_INVALID", "openapi must be a mapping (path: a schema file, or version)", at));
    return;
  }
  for (const [key, v] of Object.entries(field))
    if (typeof v !== "string") {
      diagnostics.push(err("KUSTOMIZE_INVALID", `openapi.${key} must be a string`, k.locate(["openapi", key])));
      return;
    }
  const { path, version } = field as { path?: string; version?: string };
  let bytes: Uint8Array | undefined;
  if (path !== undefined) {
    bytes = await readOpenApiFile(env, k, path, k.locate(["openapi", "path"]), diagnostics);
    if (!bytes) return;
  }
  const choice = env.openapi;
  if (!choice || (choice.chosen && !top)) return;
  if (bytes) {
    if (version !== undefined) {
      diagnostics.push(
        err(
          "KUSTOMIZE_INVALID",
          "openapi gives both version and path: builtin version and custom schema provided, cannot use both",
          at,
          "keep one",
        ),
      );
      return;
    }
    const index = customSchemaIndex(bytes, env.schema, path!);
    if ("problem" in index) {
      diagnostics.push(
        err(
          "KUSTOMIZE_INVALID",
          `openapi path "${redactUrl(path!)}" is not a schema kustomize can read: ${index.problem}`,
          k.locate(["openapi", "path"]),
          "give a JSON or YAML OpenAPI document with definitions (x-kubernetes-group-version-kind on each kind)",
        ),
      );
      return;
    }
    choice.chosen = true;
    choice.index = index;
    if (index.clusterKinds.size) choice.clusterKinds = { kinds: index.clusterKinds, at: k.locate(["openapi", "path"]) };
    else delete choice.clusterKinds;
  } else if (version !== undefined && version !== "") {
    if (version !== BUILTIN_OPENAPI_VERSION) {
      diagnostics.push(
        err(
          "KUSTOMIZE_INVALID",
          `openapi version "${version}" is not built into kustomize (the specified OpenAPI version is not built in)`,
          k.locate(["openapi", "version"]),
          `kustomize has only ${BUILTIN_OPENAPI_VERSION}, its default: remove the field, or give a schema file as openapi.path`,
        ),
      );
      return;
    }
    choice.chosen = true;
    delete choice.index;
    delete choice.clusterKinds;
  }
}

/**
 * The bytes of a remote file a kustomization reads with one GET (a schema, a generator's file), as braid.lock
 * pins them (`what` names it in messages), or why there are none.
 */
async function pinnedRemoteFile(
  env: BuildEnv,
  url: string,
  what: string,
  at: SourceLocation,
): Promise<Uint8Array | Diagnostic> {
  const sha256 = env.remote?.pins.get(url);
  if (sha256 === undefined) {
    const known = env.remote?.files.known(url);
    if (known && "problem" in known) return err(known.problem.code, known.problem.message, at, known.problem.hint);
    return notPinned(`${what} "${redactUrl(url)}"`, at, "it fetches the file and pins its sha256");
  }
  try {
    return await env.remote!.files.content(url, sha256, env.source);
  } catch (e) {
    if (!(e instanceof BraidError)) throw e;
    return { ...toDiagnostic(e), location: at };
  }
}

/** The bytes of an `openapi.path`: a file of the repository, or an http(s) URL pinned in braid.lock. */
async function readOpenApiFile(
  env: BuildEnv,
  k: KustomizationFile,
  path: string,
  at: SourceLocation,
  diagnostics: Diagnostic[],
): Promise<Uint8Array | undefined> {
  if (isRemoteFile(path) && !isGitBaseUrl(path)) {
    const got = await pinnedRemoteFile(env, path, "remote schema", at);
    if (got instanceof Uint8Array) return got;
    diagnostics.push(got);
    return undefined;
  }
  if (isRemote(path)) {
    diagnostics.push(
      err(
        "KUSTOMIZE_UNSUPPORTED",
        `openapi path "${redactUrl(path)}" is not fetched: a schema is a file (a path or an http(s) URL)`,
        at,
        "copy the schema into the source repository",
      ),
    );
    return undefined;
  }
  const repoPath = joinInside(k.dir, path);
  if (repoPath === undefined) {
    diagnostics.push(
      err("PATH_ESCAPE", `openapi path "${path}" leaves the source repository`, at, "files must be inside it"),
    );
    return undefined;
  }
  const blob = env.tree.file(repoPath);
  if (!blob) {
    diagnostics.push(absent(env, k, `openapi path "${path}"`, repoPath, at));
    return undefined;
  }
  return env.tree.read(blob);
}

/** A remote entry braid.lock does not pin (`how`: what braid lock does for it). */
function notPinned(what: string, at: SourceLocation, how: string): Diagnostic {
  return err(
    "REMOTE_NOT_PINNED",
    `${what} is not pinned in braid.lock`,
    at,
    `run braid lock (${how}) and commit braid.lock`,
  );
}

/** A remote base in a fleet that turned them off (`spec.kustomize.remoteBases: false`). */
function remoteBasesOff(url: string, at: SourceLocation): Diagnostic {
  return err(
    "KUSTOMIZE_UNSUPPORTED",
    `remote base "${redactUrl(url)}" is not built: the fleet sets spec.kustomize.remoteBases to false (kustomize-controller's --no-remote-bases)`,
    at,
    "add the repository as its own braid source, or allow remote bases in braid.yaml",
  );
}

/**
 * The build of a remote base's folder (a remote `resources` entry or component): its own tree at the pinned
 * commit, or undefined with the reason among the diagnostics (not pinned, no such folder, a cycle, …).
 * `listed.origin` is the base's own origin (its repository), when origins are tracked.
 */
async function openRemoteBase(
  env: BuildEnv,
  url: string,
  listed: ListedFrom,
  diagnostics: Diagnostic[],
): Promise<{ env: BuildEnv; root: string; from: ListedFrom } | undefined> {
  const at = listed.location;
  if (env.remote?.basesOff) {
    diagnostics.push(remoteBasesOff(url, at));
    return undefined;
  }
  const spec = parseRepoSpec(url);
  const stack = env.remoteStack ?? [];
  const enclosing = stack.find((s) => s.startsWith(url));
  if (enclosing !== undefined) {
    diagnostics.push(
      err(
        "KUSTOMIZE_INVALID",
        `cycle detected: URI '${redactUrl(url)}' referenced by previous URI '${redactUrl(enclosing)}'`,
        at,
      ),
    );
    return undefined;
  }
  const base = env.remote?.bases.get(url);
  if (!spec || !base) {
    const problem = env.remote?.problems.get(url);
    if (problem) diagnostics.push({ ...problem, location: at });
    else
      diagnostics.push(
        notPinned(`remote base "${redactUrl(url)}"`, at, "it resolves the base's ref and pins the commit"),
      );
    return undefined;
  }
  const tree = await listedTree(env.cache.trees, base.gitdir, base.commit, env.cache.git, undefined, true);
  const root = joinInside("", spec.root) ?? ""; // (repospec.go refuses a root that leaves the repository)
  const where = `${redactUrl(spec.cloneSpec)} at ${base.commit.slice(0, 12)}`;
  if (root !== "" && (tree.file(root) !== undefined || !tree.isDir(root))) {
    diagnostics.push(
      err(
        "KUSTOMIZE_INVALID",
        tree.file(root)
          ? `remote base "${redactUrl(url)}": "${root}" is a file of ${where}; a remote base names a folder`
          : `remote base "${redactUrl(url)}": ${where} has no folder "${spec.root}"`,
        at,
      ),
    );
    return undefined;
  }
  return {
    env: { ...env, tree, remoteStack: [...stack, spec.raw] },
    root,
    from: { location: at, stack: [], ...(listed.origin ? { origin: listed.origin } : {}) },
  };
}

/**
 * A remote `resources` file (`https://…`), as kustomize loads it with one GET — here from the bytes the pin
 * stage pinned (sources/remote-files.ts). A URL whose GET gave a page or an error status and that reads as a
 * Git repository is a remote base, which kustomize would clone: braid does not.
 */
async function accumulateRemoteFile(
  env: BuildEnv,
  url: string,
  at: SourceLocation,
  origin: FolderOrigin | undefined,
  diagnostics: Diagnostic[],
): Promise<Resource[]> {
  const sha256 = env.remote?.pins.get(url);
  if (sha256 === undefined) {
    // (not pinned: what the URL gives now says why — a fetch only on this error path)
    const failed = env.remote?.problems.get(url);
    if (failed) {
      diagnostics.push({ ...failed, location: at });
      return [];
    }
    const outcome = env.remote?.files.known(url) ?? (await env.remote?.files.pin(url));
    if (outcome && "problem" in outcome)
      diagnostics.push(err(outcome.problem.code, outcome.problem.message, at, outcome.problem.hint));
    else if (outcome && "gitBase" in outcome && env.remote?.basesOff) diagnostics.push(remoteBasesOff(url, at));
    else if (outcome && "gitBase" in outcome)
      diagnostics.push(
        notPinned(
          `remote base "${redactUrl(url)}" (its GET gave ${outcome.gitBase}: a Git repository)`,
          at,
          "it resolves the base's ref and pins the commit",
        ),
      );
    else
      diagnostics.push(notPinned(`remote resource "${redactUrl(url)}"`, at, "it fetches the file and pins its sha256"));
    return [];
  }
  let bytes: Uint8Array;
  try {
    bytes = await env.remote!.files.content(url, sha256, env.source);
  } catch (e) {
    if (!(e instanceof BraidError)) throw e;
    const d = toDiagnostic(e);
    diagnostics.push({ ...d, location: at });
    return [];
  }
  const loaded = await loadFileResources(
    env.cache,
    env.tree.gitdir,
    env.tree.commit,
    env.source,
    { path: url, oid: `sha256:${sha256}` },
    bytes,
  );
  pushAll(diagnostics, loaded.diagnostics);
  if (origin === undefined) return loaded.resources;
  return annotateOrigin(loaded.resources, originAppend(origin, url), true);
}

/**
 * A kustomization's `configurations` files merged over kustomize's defaults (`MakeTransformerConfig`); each
 * file is a transformer configuration (transformer-config.ts). Undefined when a file cannot be read.
 */
async function readConfigurations(
  env: BuildEnv,
  k: KustomizationFile,
  diagnostics: Diagnostic[],
): Promise<TransformerConfig | undefined> {
  const raw = k.value.configurations;
  if (!Array.isArray(raw)) {
    diagnostics.push(err("KUSTOMIZE_INVALID", "configurations must be a list of files", k.locate(["configurations"])));
    return undefined;
  }
  const base = { source: env.source, commit: env.tree.commit };
  // kustomize's MakeTransformerConfig: the files folded from an empty configuration, then merged into the defaults
  let config: TransformerConfig = EMPTY_CONFIG;
  for (const [i, entry] of raw.entries()) {
    const at = k.locate(["configurations", i]);
    if (typeof entry !== "string" || entry === "") {
      diagnostics.push(err("KUSTOMIZE_INVALID", `configurations[${i}] must be a path`, at));
      return undefined;
    }
    const path = resolveEntry(k, entry, at, "configuration", diagnostics);
    if (path === undefined) return undefined;
    const blob = env.tree.file(path);
    if (!blob) {
      diagnostics.push(absent(env, k, `configurations file "${entry}"`, path, at));
      return undefined;
    }
    const text = yamlText(await env.tree.read(blob), path, base);
    if ("diagnostic" in text) {
      diagnostics.push(text.diagnostic);
      return undefined;
    }
    const parsed = parseYamlFile(text.text, path, base);
    pushAll(diagnostics, parsed.diagnostics);
    if (parsed.diagnostics.length) return undefined;
    const doc = parsed.docs.find((d) => d.contents !== null) ?? parsed.docs[0];
    const js = doc ? documentToJs(doc, path, parsed.lineCounter, base) : { value: null };
    if (js.diagnostic) {
      diagnostics.push(js.diagnostic);
      return undefined;
    }
    // read as kustomize reads it: sigs.k8s.io/yaml, YAML 1.1 (`create: yes` is true)
    const read = readConfig(doc ? yaml11Booleans(doc.contents, (js.value ?? null) as Json) : null);
    if ("problem" in read) {
      const pos = doc ? positionOf(parsed, doc, read.at, { preferKey: true }) : undefined;
      diagnostics.push(
        err("KUSTOMIZE_INVALID", read.problem, { ...base, file: path, line: pos?.line ?? 1, column: pos?.column ?? 1 }),
      );
      return undefined;
    }
    const merged = mergeConfig(config, read);
    if (typeof merged === "string") {
      diagnostics.push(err("KUSTOMIZE_INVALID", merged, at));
      return undefined;
    }
    config = merged;
  }
  const withDefaults = mergeConfig(SORTED_DEFAULTS, config);
  if (typeof withDefaults === "string") {
    diagnostics.push(err("KUSTOMIZE_INVALID", withDefaults, k.locate(["configurations"])));
    return undefined;
  }
  return withDefaults;
}

/**
 * The plugin configurations of a `generators` or `transformers` list (kustomize's
 * `configureExternalTransformers`): an entry that reads as YAML objects is inline; any other is a path — a
 * file of configurations, or a folder whose kustomization builds them. In kustomize's order: every inline
 * configuration first, then those of the paths.
 */
async function pluginConfigs(
  env: BuildEnv,
  k: KustomizationFile,
  field: "generators" | "transformers",
  stack: readonly string[],
  origin: FolderOrigin | undefined,
  diagnostics: Diagnostic[],
): Promise<PluginConfig[]> {
  const raw = k.value[field];
  if (!Array.isArray(raw)) {
    diagnostics.push(err("KUSTOMIZE_INVALID", `${field} must be a list`, k.locate([field])));
    return [];
  }
  const base = { source: env.source, commit: env.tree.commit };
  // kustomize takes the inline configurations first, then those of the paths (each group in list order)
  const inlined: PluginConfig[] = [];
  const configs: PluginConfig[] = [];
  for (const [i, entry] of raw.entries()) {
    const at = k.locate([field, i]);
    if (typeof entry !== "string" || entry.trim() === "") {
      diagnostics.push(err("KUSTOMIZE_INVALID", `${field}[${i}] must be a path or a YAML configuration`, at));
      continue;
    }
    const inline = inlineConfigs(entry, k, [field, i], base);
    if (inline) {
      // kustomize gives an inline configuration the kustomization file as its origin
      const where = origin === undefined ? undefined : originAppend(origin, posix.basename(k.file));
      pushAll(
        inlined,
        inline.map((c) => withPluginOrigin(c, where)),
      );
      continue;
    }
    const path = resolveEntry(k, entry, at, field === "generators" ? "generator" : "transformer", diagnostics);
    if (path === undefined) continue;
    const blob = env.tree.file(path);
    if (blob) {
      const text = yamlText(await env.tree.read(blob), path, base);
      if ("diagnostic" in text) {
        diagnostics.push(text.diagnostic);
        continue;
      }
      const where = origin === undefined ? undefined : originAppend(origin, entry);
      const read = configsOfText(parseYamlFile(text.text, path, base), path, base, diagnostics);
      pushAll(
        configs,
        read.map((c) => withPluginOrigin(c, where)),
      );
    } else if (env.tree.isDir(path)) {
      const built = await buildFolder(env, path, "resource", [], listedAs(at, stack, origin, entry), diagnostics);
      for (const r of built?.resources ?? []) {
        const doc = new Document(r.object) as unknown as Document.Parsed;
        const yaml = { file: r.origin.file, text: "", docs: [doc], lineCounter: new LineCounter() };
        const config: PluginConfig = { value: r.object, yaml, doc, file: r.origin.file, at: originOf(r) };
        configs.push(withPluginOrigin(config, origin === undefined ? undefined : originOfResource(r)));
      }
    } else diagnostics.push(absent(env, k, `${field} entry "${entry}"`, path, at));
  }
  return [...inlined, ...configs];
}

/**
 * A configuration with its build-metadata origin (kustomize's OriginFromCustomPlugin) when origins are tracked:
 * `origin` is the configuration's own (undefined: none, and so none for the plugin either).
 */
function withPluginOrigin(config: PluginConfig, origin: KOrigin | undefined): PluginConfig {
  if (origin === undefined) return config;
  return { ...config, buildOrigin: pluginOrigin(origin, config.value) };
}

/** The configurations written inline in a list entry, or undefined when the entry is not YAML objects (a path). */
function inlineConfigs(
  entry: string,
  k: KustomizationFile,
  path: JsonPath,
  base: { source: string; commit: string },
): PluginConfig[] | undefined {
  const parsed = parseYamlFile(entry, k.file, base);
  if (parsed.diagnostics.length) return undefined;
  const docs = parsed.docs.filter((d) => d.contents !== null);
  if (!docs.length || !docs.every((d) => isMap(d.contents))) return undefined;
  // positions inside the entry's text, moved to where the text is in the kustomization file
  const shift = scalarShift(k.yaml, nodeAt(k.doc, path, true));
  const lineCounter = {
    linePos(offset: number) {
      const p = parsed.lineCounter.linePos(offset);
      return { line: p.line + shift.line, col: p.col + shift.column };
    },
  } as unknown as LineCounter;
  return configsOfText({ ...parsed, file: k.file, lineCounter }, k.file, base, []);
}

/** Every non-empty document of a parsed file as a configuration; a document that is not a mapping is an error. */
function configsOfText(
  parsed: YamlFile & { diagnostics: Diagnostic[] },
  file: string,
  base: { source: string; commit: string },
  diagnostics: Diagnostic[],
): PluginConfig[] {
  pushAll(diagnostics, parsed.diagnostics);
  if (parsed.diagnostics.length) return [];
  const out: PluginConfig[] = [];
  for (const doc of parsed.docs) {
    if (doc.contents === null) continue;
    const pos = positionOf(parsed, doc, []);
    const at: SourceLocation = { ...base, file, line: pos?.line ?? 1, column: pos?.column ?? 1 };
    const js = documentToJs(doc, file, parsed.lineCounter, base);
    if (js.diagnostic) {
      diagnostics.push(js.diagnostic);
      continue;
    }
    const value = js.value as Json;
    if (value === null) continue; // an empty document (comments, `~`)
    if (typeof value !== "object" || Array.isArray(value)) {
      diagnostics.push(err("KUSTOMIZE_INVALID", "a plugin configuration must be a mapping", at));
      continue;
    }
    out.push({ value, yaml: parsed, doc, file, at });
  }
  return out;
}

/** kustomize's `AppendAll`: an object whose id is already accumulated is an error. */
function appendAll(into: Resource[], more: readonly Resource[], diagnostics: Diagnostic[]): Resource[] {
  if (more.length === 0) return into;
  // kustomize's ResId: group, version and kind (a v1 and a v2 object of one name are two), effective namespace
  // (none for a kind it takes as cluster-scoped)
  const key = (r: Resource) =>
    `${r.id.version}|${idKey({ ...r.id, namespace: isClusterScoped(r.id) ? "" : r.id.namespace || "default" })}`;
  const seen = new Map(into.map((r) => [key(r), r]));
  for (const r of more) {
    const first = seen.get(key(r));
    if (first) {
      diagnostics.push({
        code: "DUPLICATE_RESOURCE",
        severity: "error",
        resource: describeId(r.id),
        message: `${describeId(r.id)} is accumulated twice by the kustomize build`,
        location: originOf(r),
        related: [{ message: "first accumulated", location: originOf(first) }],
        hint: "a kustomization may list an object once; remove one of the entries",
      });
      continue;
    }
    seen.set(key(r), r);
    into.push(r);
  }
  return into;
}

function originOf(r: Resource): SourceLocation {
  const o = r.origin;
  return { file: o.file, line: o.line, column: o.column, source: o.source, commit: o.commit };
}

/** The context handed to registered transformers and generators. */
function contextOf(env: BuildEnv, k: KustomizationFile): KustomizationContext {
  return {
    source: env.source,
    commit: env.tree.commit,
    file: k.file,
    dir: k.dir,
    kustomization: k.value,
    locate: (path) => k.locate(path),
    async readFile(relativePath) {
      const at = k.locate([]);
      // (a generator's file at an http(s) URL: kustomize's loader GETs it, as a resource file)
      if (isRemoteFile(relativePath) && !isGitBaseUrl(relativePath) && env.remote) {
        const got = await pinnedRemoteFile(env, relativePath, "remote file", at);
        if (got instanceof Uint8Array) return got;
        throw new BraidError(got);
      }
      if (isRemote(relativePath))
        throw new BraidError({
          code: "KUSTOMIZE_UNSUPPORTED",
          message: `remote file "${relativePath}" is not fetched`,
          location: at,
          hint: "copy it into the source repository",
        });
      const path = joinInside(k.dir, relativePath);
      if (path === undefined)
        throw new BraidError({
          code: "PATH_ESCAPE",
          message: `"${relativePath}" leaves the source repository`,
          location: at,
          hint: "files must be inside the source's repository",
        });
      const blob = env.tree.file(path);
      if (!blob) {
        const { code, message, hint } = absent(env, k, `file "${relativePath}"`, path, at);
        throw new BraidError({ code, message, location: at, ...(hint ? { hint } : {}) });
      }
      return env.tree.read(blob);
    },
  };
}

/** Runs a registered field's transformer; a thrown BraidError becomes its diagnostic (the resources are kept). */
async function runField(
  field: RegisteredField,
  args: Json,
  resources: Resource[],
  ctx: KustomizationContext,
  diagnostics: Diagnostic[],
): Promise<Resource[]> {
  const t = FIELD_TRANSFORMERS[registeredField(field) ?? field];
  if (!t) return resources; // reported by checkFields
  try {
    const r: TransformResult = await t(resources, args, ctx);
    pushAll(diagnostics, r.diagnostics);
    return r.resources;
  } catch (e) {
    if (e instanceof BraidError) {
      diagnostics.push({ ...e.diagnostic, location: e.diagnostic.location ?? ctx.locate([field]) });
      return resources;
    }
    throw e;
  }
}

function guard(
  run: () => TransformResult,
  resources: Resource[],
  diagnostics: Diagnostic[],
  at: SourceLocation,
): Resource[] {
  try {
    const r = run();
    pushAll(diagnostics, r.diagnostics);
    return r.resources;
  } catch (e) {
    if (e instanceof BraidError) {
      diagnostics.push({ ...e.diagnostic, location: e.diagnostic.location ?? at });
      return resources;
    }
    throw e;
  }
}

/**
 * What the top of Flux's generated kustomization does over a plain folder's objects: its `namespace` (the
 * source's target namespace), then name references across everything — so a manifest naming a ConfigMap that
 * a sub-folder's kustomization generated (and hashed) names it by its new name, and a RoleBinding subject
 * follows its moved ServiceAccount — then the vars of the folders it lists, over every object (kustomize
 * resolves vars once, at the top: after the target namespace, and in the plain manifests too). Its transformer
 * configuration is those folders' configurations folded, as kustomize's accumulator folds them.
 */
export function generatedRoot(
  source: SourceDef,
  commit: string,
  resources: Resource[],
  schema: KubeSchemaIndex | undefined,
  namespace: { value: string; location: SourceLocation } | undefined,
  nested: readonly NestedBuild[] = [],
): { resources: Resource[]; diagnostics: Diagnostic[] } {
  const moved = namespace ? transformNamespace(resources, namespace.value, namespace.location) : resources;
  const at = namespace?.location ?? source.location;
  const diagnostics: Diagnostic[] = [];
  const vars: KVar[] = [];
  for (const n of nested) mergeVars(vars, n.vars, diagnostics);
  const config = foldConfigs(
    nested.map((n) => n.config),
    diagnostics,
    at,
  );
  const ctx: KustomizationContext = {
    source: source.name,
    commit,
    file: at.file,
    dir: source.path,
    kustomization: namespace ? { namespace: namespace.value } : {},
    locate: () => at,
    readFile: () => Promise.reject(new Error("the generated kustomization reads no files")),
    ...(config ? { config } : {}),
  };
  const fixed = guard(() => NAME_REFERENCES.fix!(moved, null, ctx), moved, diagnostics, at);
  const resolved = vars.length
    ? resolveVars(fixed, vars, config?.varReference ?? VAR_REFERENCE_SPECS, diagnostics)
    : fixed;
  return { resources: resolved, diagnostics };
}

/**
 * The configuration of a kustomization that builds folders of these configurations and has none of its own
 * (kustomize's accumulator, from an empty one; then kustomize's defaults). Undefined: kustomize's defaults.
 */
function foldConfigs(
  configs: readonly (TransformerConfig | undefined)[],
  diagnostics: Diagnostic[],
  at: SourceLocation,
): TransformerConfig | undefined {
  if (configs.every((c) => c === undefined)) return undefined;
  let acc: TransformerConfig = EMPTY_CONFIG;
  for (const c of [...configs, undefined]) {
    const merged = mergeConfig(acc, c ?? SORTED_DEFAULTS);
    if (typeof merged === "string") diagnostics.push(err("KUSTOMIZE_INVALID", merged, at));
    else acc = merged;
  }
  return acc;
}
