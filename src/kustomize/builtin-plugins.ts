/**
 * A kustomization's `generators` and `transformers` lists, as kustomize builds them with builtin plugins only
 * (Flux's kustomize-controller builds with `PluginRestrictionsBuiltinsOnly`): every object the list yields is a
 * plugin configuration; one of `apiVersion: builtin` is run by braid's own transformer of that kind, anything
 * else (an exec or KRM-function plugin) is refused, as Flux refuses it. kustomize's
 * api/internal/target/kusttarget.go (`configureExternalTransformers`, `runGenerators`) and
 * api/internal/plugins/loader/loader.go (`isBuiltinPlugin`, `makeBuiltinPlugin`):
 * - an entry that reads as YAML objects is an inline configuration; any other entry is a path: a file of
 *   configurations, or a folder whose kustomization builds them (read by the driver, build-kustomization.ts);
 * - the configurations run in order, after the kustomization's own fields of the same step (generators after
 *   configMapGenerator/secretGenerator, transformers after the builtin fields), each as its builtin does at
 *   kustomize v5.5.0 (api/internal/builtins): the field specs are the configuration's own, never the defaults
 *   the kustomization fields use; paths are relative to the kustomization that lists the plugin.
 * HashTransformer, ValueAddTransformer, HelmChartInflationGenerator and IAMPolicyGenerator are builtins
 * braid does not run yet: refused, located, never skipped.
 */
import { Document, Pair, Scalar, YAMLMap, YAMLSeq, type Node } from "yaml";
import type { Diagnostic, SourceLocation } from "../diagnostics/diagnostic.js";
import type { KubeSchemaIndex } from "../model/kube-schema.js";
import type { Json, JsonObject, JsonPath, Resource } from "../model/resource.js";
import { nodeAt, positionOf, type YamlFile } from "../model/yaml-file.js";
import type { KustomizationContext, TransformResult } from "./context.js";
import { cloneJson, type FieldSpec, isObject, specSelects, walkFieldSpec } from "./field-spec.js";
import { configMapGenerator, secretGenerator } from "./generators.js";
import { goFields, PLUGIN_CONFIGS, writtenPath, type GoFields } from "./go-json-fields.js";
import { imagesWith } from "./images.js";
import type { KustomizationFile } from "./kustomization-file.js";
import { applyKustomizationPatches, readKustomizationPatches, type PatchField } from "./kustomize-patches.js";
import { writePairs } from "./labels.js";
import { transformNamespaceWith } from "./namespace.js";
import { replacements } from "./replacements.js";
import { invalidField, withObject, WrittenFields } from "./resource-edit.js";
import { affixOne } from "./name-affix.js";
import type { SourceTree } from "./source-tree.js";
import { addTransformations, originText, type KOrigin } from "./build-metadata.js";
import { pushAll } from "../model/append.js";

/** One plugin configuration: an object of a `generators`/`transformers` entry, with where it was written. */
export interface PluginConfig {
  value: JsonObject;
  /** Its YAML (positions; shifted into the kustomization file for an inline entry). */
  yaml: YamlFile;
  doc: Document.Parsed;
  /** The file it was written in. */
  file: string;
  /** Where the configuration is (its document, or the kustomization entry), for what has no position of its own. */
  at: SourceLocation;
  /** Its origin for kustomize's build metadata, when the build tracks origins (build-metadata.ts). */
  buildOrigin?: KOrigin;
}

/** What a plugin run needs from the build. */
export interface PluginEnv {
  tree: SourceTree;
  source: string;
  schema: KubeSchemaIndex | undefined;
  /** The kustomization listing the plugins (paths inside configurations are relative to its folder). */
  k: KustomizationFile;
  /** Its context (readFile relative to its folder). */
  ctx: KustomizationContext;
}

type Role = "generator" | "transformer";

/** Builtin kinds braid runs, by role. */
const RUN: Record<string, Role> = {
  ConfigMapGenerator: "generator",
  SecretGenerator: "generator",
  LabelTransformer: "transformer",
  AnnotationsTransformer: "transformer",
  PrefixTransformer: "transformer",
  SuffixTransformer: "transformer",
  PrefixSuffixTransformer: "transformer",
  ImageTagTransformer: "transformer",
  ReplicaCountTransformer: "transformer",
  PatchTransformer: "transformer",
  PatchStrategicMergeTransformer: "transformer",
  PatchJson6902Transformer: "transformer",
  ReplacementTransformer: "transformer",
  NamespaceTransformer: "transformer",
};

/** Builtin kinds kustomize has and braid does not run yet, with the way around. */
const NOT_YET: Record<string, { role: Role; hint: string }> = {
  HashTransformer: { role: "transformer", hint: "generated ConfigMaps and Secrets get their hash suffix already" },
  ValueAddTransformer: { role: "transformer", hint: "use replacements or patches" },
  HelmChartInflationGenerator: {
    role: "generator",
    hint: "render the chart into the source repository (helm template) and list the output file",
  },
  IAMPolicyGenerator: { role: "generator", hint: "commit the ServiceAccount it would generate" },
};

function fail(code: Diagnostic["code"], message: string, location: SourceLocation, hint?: string): Diagnostic {
  return { code, severity: "error", message, location, ...(hint ? { hint } : {}) };
}

/**
 * Runs the configurations of a `generators` or `transformers` list over the accumulated resources, in order.
 * A configuration that cannot run is a located error; the resources are then left as they were.
 */
export async function runPlugins(
  field: "generators" | "transformers",
  configs: readonly PluginConfig[],
  resources: Resource[],
  env: PluginEnv,
  diagnostics: Diagnostic[],
): Promise<Resource[]> {
  const role: Role = field === "generators" ? "generator" : "transformer";
  // kustomize configures every plugin of the list before running any: one that cannot be loaded stops the step
  const runnable: PluginConfig[] = [];
  for (const cfg of configs) {
    const problem = loadProblem(cfg, role);
    if (problem) diagnostics.push(problem);
    else runnable.push(cfg);
  }
  if (runnable.length !== configs.length) return resources;
  let out = resources;
  for (const cfg of runnable) {
    const r = await runOne(cfg, out, env);
    pushAll(diagnostics, r.diagnostics);
    if (r.diagnostics.some((d) => d.severity === "error")) return out;
    // build metadata: a transformer is added to the transformations of every object (generate() gives a
    // generator's objects its origin)
    if (cfg.buildOrigin && role === "transformer")
      out = addTransformations(r.resources, cfg.buildOrigin, 1, diagnostics);
    else out = r.resources;
  }
  return out;
}

/** Why a configuration cannot be loaded as a plugin of this role (kustomize's loader checks). */
function loadProblem(cfg: PluginConfig, role: Role): Diagnostic | undefined {
  const { apiVersion, kind } = cfg.value;
  const what = typeof kind === "string" ? kind : "an object without kind";
  if (apiVersion !== "builtin")
    return fail(
      "KUSTOMIZE_UNSUPPORTED",
      `${what} (apiVersion ${JSON.stringify(apiVersion ?? null)}) is a ${role} plugin that runs code: braid runs only kustomize's builtin plugins (apiVersion: builtin), as Flux's kustomize-controller does`,
      locate(cfg, ["apiVersion"]),
      "use a builtin plugin (LabelTransformer, PatchTransformer, …) or the kustomization's own fields, or commit the plugin's output",
    );
  const k = typeof kind === "string" ? kind : "";
  const known = RUN[k] ?? NOT_YET[k]?.role;
  if (!known)
    return fail(
      "KUSTOMIZE_INVALID",
      `kustomize has no builtin plugin of kind ${JSON.stringify(kind ?? null)} (kustomize: unable to load builtin)`,
      locate(cfg, ["kind"]),
      "the builtin kinds are ConfigMapGenerator, SecretGenerator, LabelTransformer, AnnotationsTransformer, PatchTransformer, PrefixSuffixTransformer, ImageTagTransformer, ReplicaCountTransformer, ReplacementTransformer, …",
    );
  if (known !== role)
    return fail(
      "KUSTOMIZE_INVALID",
      `${k} is not a ${role} (kustomize: plugin ${k} not a ${role})`,
      locate(cfg, ["kind"]),
      role === "generator" ? "list it under transformers" : "list it under generators",
    );
  const notYet = NOT_YET[k];
  if (notYet)
    return fail("KUSTOMIZE_UNSUPPORTED", `braid does not run the builtin ${k} yet`, locate(cfg, ["kind"]), notYet.hint);
  return undefined;
}

/** Location of a path of the configuration (as written), else the configuration itself. */
function locate(cfg: PluginConfig, path: JsonPath): SourceLocation {
  for (let n = path.length; n >= 0; n--) {
    const pos = positionOf(cfg.yaml, cfg.doc, path.slice(0, n), { exact: true });
    if (pos) return { ...cfg.at, file: cfg.file, line: pos.line, column: pos.column };
  }
  return cfg.at;
}

/**
 * A context for braid's field transformers whose locations are the configuration's: `map` turns a path of the
 * field the transformer reads (`["images", 0, "newTag"]`) into the configuration's (`["imageTag", "newTag"]`).
 */
function pluginContext(
  cfg: PluginConfig,
  env: PluginEnv,
  fields: GoFields | undefined,
  kustomization: { [key: string]: Json },
  map: (path: JsonPath) => JsonPath,
): KustomizationContext {
  return {
    ...env.ctx,
    file: cfg.file,
    kustomization,
    locate: (path) => {
      const p = map(path);
      return locate(cfg, fields ? writtenPath(fields, p) : p);
    },
  };
}

/** `prefix` of a path replaced by `by` (other paths: the configuration's root). */
function under(prefix: JsonPath, by: JsonPath): (path: JsonPath) => JsonPath {
  return (path) =>
    path.length >= prefix.length && prefix.every((s, i) => String(s) === String(path[i]))
      ? [...by, ...path.slice(prefix.length)]
      : [];
}

async function runOne(cfg: PluginConfig, resources: Resource[], env: PluginEnv): Promise<TransformResult> {
  const kind = cfg.value.kind as string;
  if (kind === "PrefixTransformer" || kind === "SuffixTransformer" || kind === "PrefixSuffixTransformer")
    return affixPlugin(kind, cfg, resources, env);
  // the configuration reaches the plugin as kustomize re-serialized it from its YAML 1.2 reading: an unquoted
  // `yes` is the text "yes" (so `create: yes` is refused, as kustomize refuses it)
  const fields = goFields(cfg.value, PLUGIN_CONFIGS[kind]!);
  const v = fields.value;
  const specs = (at: string) => fieldSpecs(v[at], cfg, fields, at);
  switch (kind) {
    case "LabelTransformer":
    case "AnnotationsTransformer": {
      const key = kind === "LabelTransformer" ? "labels" : "annotations";
      const read = specs("fieldSpecs");
      if (read.diagnostics.length) return { resources, diagnostics: read.diagnostics };
      const pairs = v[key];
      // an empty map does nothing (kustomize returns before its filter)
      if (pairs === undefined || pairs === null || (isObject(pairs) && Object.keys(pairs).length === 0))
        return { resources, diagnostics: [] };
      const ctx = pluginContext(cfg, env, fields, {}, (p) => p);
      return writePairs(resources, pairs, read.specs, [key], ctx);
    }
    case "ImageTagTransformer": {
      const read = specs("fieldSpecs");
      if (read.diagnostics.length) return { resources, diagnostics: read.diagnostics };
      const ctx = pluginContext(cfg, env, fields, {}, under(["images", 0], ["imageTag"]));
      return imagesWith(read.specs, resources, [v.imageTag ?? {}], ctx);
    }
    case "ReplicaCountTransformer": {
      const read = specs("fieldSpecs");
      if (read.diagnostics.length) return { resources, diagnostics: read.diagnostics };
      return replicaCount(
        resources,
        v.replica,
        read.specs,
        pluginContext(cfg, env, fields, {}, (p) => p),
      );
    }
    case "NamespaceTransformer": {
      const read = specs("fieldSpecs");
      if (read.diagnostics.length) return { resources, diagnostics: read.diagnostics };
      const meta = isObject(v.metadata) ? v.metadata : {};
      const namespace = typeof meta.namespace === "string" ? meta.namespace : "";
      const mode = v.setRoleBindingSubjects ?? "";
      if (mode !== "" && mode !== "defaultOnly" && mode !== "allServiceAccounts" && mode !== "none")
        return {
          resources,
          diagnostics: [
            fail(
              "KUSTOMIZE_INVALID",
              `invalid value ${JSON.stringify(mode)} for setRoleBindingSubjects: must be one of "defaultOnly", "none" or "allServiceAccounts"`,
              locate(cfg, writtenPath(fields, ["setRoleBindingSubjects"])),
            ),
          ],
        };
      const options = { specs: read.specs, unsetOnly: v.unsetOnly === true, subjects: mode || "defaultOnly" } as const;
      const where = locate(cfg, writtenPath(fields, ["metadata", "namespace"]));
      return { resources: transformNamespaceWith(resources, namespace, options, where), diagnostics: [] };
    }
    case "ReplacementTransformer": {
      const ctx = pluginContext(cfg, env, fields, {}, (p) => p);
      return replacements(resources, v.replacements ?? null, ctx);
    }
    case "ConfigMapGenerator":
    case "SecretGenerator":
      return generate(kind, cfg, fields, resources, env);
    default:
      return patchPlugin(kind, cfg, fields, resources, env);
  }
}

/** A configuration's `fieldSpecs` (kustomize's types.FieldSpec: group, version, kind, path, create). */
function fieldSpecs(
  raw: Json | undefined,
  cfg: PluginConfig,
  fields: GoFields | undefined,
  at: string,
): { specs: FieldSpec[]; diagnostics: Diagnostic[] } {
  const where = (p: JsonPath) => locate(cfg, fields ? writtenPath(fields, p) : p);
  if (raw === undefined || raw === null) return { specs: [], diagnostics: [] };
  if (!Array.isArray(raw))
    return {
      specs: [],
      diagnostics: [fail("KUSTOMIZE_INVALID", `${at} must be a list of field specs`, where([at]))],
    };
  const specs: FieldSpec[] = [];
  const diagnostics: Diagnostic[] = [];
  raw.forEach((item, i) => {
    if (!isObject(item)) {
      diagnostics.push(fail("KUSTOMIZE_INVALID", `${at}[${i}] must be a mapping`, where([at, i])));
      return;
    }
    for (const key of ["path", "group", "version", "kind"] as const)
      if (item[key] !== undefined && item[key] !== null && typeof item[key] !== "string")
        diagnostics.push(fail("KUSTOMIZE_INVALID", `${at}[${i}].${key} must be a string`, where([at, i, key])));
    if (item.create !== undefined && item.create !== null && typeof item.create !== "boolean")
      diagnostics.push(fail("KUSTOMIZE_INVALID", `${at}[${i}].create must be true or false`, where([at, i, "create"])));
    const spec: FieldSpec = { path: typeof item.path === "string" ? item.path : "" };
    if (typeof item.kind === "string" && item.kind) spec.kind = item.kind;
    if (typeof item.group === "string" && item.group) spec.group = item.group;
    if (typeof item.version === "string" && item.version) spec.version = item.version;
    if (item.create === true) spec.create = true;
    specs.push(spec);
  });
  return { specs, diagnostics };
}

/**
 * PrefixTransformer, SuffixTransformer and PrefixSuffixTransformer (prefix, then suffix, with one
 * configuration): the value is added to the scalar at each field spec's path of each resource the spec selects,
 * except CustomResourceDefinitions, Namespaces and APIServices (by original id). `fieldSpecs` is required. These
 * read their configuration with go-yaml v3: keys match exactly and a scalar is its text.
 */
function affixPlugin(
  kind: "PrefixTransformer" | "SuffixTransformer" | "PrefixSuffixTransformer",
  cfg: PluginConfig,
  resources: Resource[],
  env: PluginEnv,
): TransformResult {
  const v = cfg.value;
  if (v.fieldSpecs === undefined || v.fieldSpecs === null)
    return {
      resources,
      diagnostics: [
        fail(
          "KUSTOMIZE_INVALID",
          `${kind} needs fieldSpecs (kustomize: fieldSpecs is not expected to be nil)`,
          cfg.at,
          "add fieldSpecs: [{path: metadata/name}]",
        ),
      ],
    };
  const read = fieldSpecs(v.fieldSpecs, cfg, undefined, "fieldSpecs");
  if (read.diagnostics.length) return { resources, diagnostics: read.diagnostics };
  const text = (x: Json | undefined) =>
    x === undefined || x === null ? "" : typeof x === "object" ? undefined : String(x);
  const steps: ["prefix" | "suffix", string | undefined][] = [];
  if (kind !== "SuffixTransformer") steps.push(["prefix", text(v.prefix)]);
  if (kind !== "PrefixTransformer") steps.push(["suffix", text(v.suffix)]);
  const ctx = pluginContext(cfg, env, undefined, {}, (p) => p);
  let out = resources;
  for (const [which, value] of steps) {
    if (value === undefined)
      return {
        resources,
        diagnostics: [invalidField(ctx, [which], `${which} must be a string`, `write ${which}: app-`)],
      };
    out = out.map((res) => affixOne(res, which, value, read.specs, ctx));
  }
  return { resources: out, diagnostics: [] };
}

/**
 * ReplicaCountTransformer: `replica.count` written at each field spec's path of the resources named
 * `replica.name` (current or any earlier name) whose kind the spec selects; none found is an error.
 */
function replicaCount(
  resources: Resource[],
  replica: Json | undefined,
  specs: readonly FieldSpec[],
  ctx: KustomizationContext,
): TransformResult {
  const r = isObject(replica) ? replica : {};
  const name = typeof r.name === "string" ? r.name : "";
  const count = r.count ?? 0;
  if (typeof count !== "number" || !Number.isInteger(count))
    return {
      resources,
      diagnostics: [invalidField(ctx, ["replica", "count"], "replica.count must be an integer", "write count: 3")],
    };
  let found = false;
  let out = resources;
  for (const spec of specs) {
    out = out.map((res) => {
      const ids = [res.id, ...(res.previous ?? [])];
      if (!ids.some((id) => id.name === name && specSelects(spec, id))) return res;
      found = true;
      const object = cloneJson(res.object);
      const written = new WrittenFields();
      walkFieldSpec(object, spec, (parent, key, path) => {
        if (parent[key] === undefined && !spec.create) return;
        parent[key] = count;
        written.add(path, ["replica", "count"]);
      });
      return withObject(res, object, written, ctx);
    });
  }
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set inside the map callback
  if (!found) {
    const gvks = specs.map((s) => [s.group || "[noGrp]", s.version || "[noVer]", s.kind || "[noKind]"].join("_"));
    return {
      resources,
      diagnostics: [
        invalidField(
          ctx,
          ["replica", "name"],
          `resource with name ${name} does not match a config with the following GVK [${gvks.join(" ")}]`,
          "name a resource of a kind that fieldSpecs selects",
        ),
      ],
    };
  }
  return { resources: out, diagnostics: [] };
}

/** The generator keys of kustomize's GeneratorArgs (and a Secret's type) a configuration passes on. */
const GENERATOR_KEYS = ["behavior", "literals", "files", "envs", "env", "options"] as const;

/**
 * ConfigMapGenerator / SecretGenerator: the configuration is one generator entry (`name` and `namespace`
 * default to its metadata's); the kustomization's generatorOptions do not apply, as in kustomize.
 */
async function generate(
  kind: "ConfigMapGenerator" | "SecretGenerator",
  cfg: PluginConfig,
  fields: GoFields,
  resources: Resource[],
  env: PluginEnv,
): Promise<TransformResult> {
  const v = fields.value;
  const meta = isObject(v.metadata) ? v.metadata : {};
  const args: JsonObject = {};
  const from: Record<string, JsonPath> = {};
  for (const key of ["name", "namespace"] as const) {
    const own = v[key];
    if (typeof own === "string" && own !== "") [args[key], from[key]] = [own, [key]];
    else if (meta[key] !== undefined && meta[key] !== null && meta[key] !== "")
      [args[key], from[key]] = [meta[key], ["metadata", key]];
  }
  const keys = kind === "SecretGenerator" ? [...GENERATOR_KEYS, "type"] : GENERATOR_KEYS;
  for (const key of keys) if (v[key] !== undefined && v[key] !== null) args[key] = v[key];
  const field = kind === "ConfigMapGenerator" ? "configMapGenerator" : "secretGenerator";
  const ctx = pluginContext(cfg, env, fields, { [field]: [args] }, (p) => {
    const rest = under([field, 0], [])(p);
    const head = rest[0];
    return typeof head === "string" && from[head] ? [...from[head], ...rest.slice(1)] : rest;
  });
  const run = kind === "ConfigMapGenerator" ? configMapGenerator : secretGenerator;
  if (cfg.buildOrigin) ctx.generatedOrigin = originText(cfg.buildOrigin);
  return run(resources, [args], ctx);
}

/** A YAML node of the configuration at `path` (as written), or a plain scalar when it has none. */
function nodeOf(cfg: PluginConfig, fields: GoFields, path: JsonPath, value: Json | undefined): Node {
  const n = nodeAt(cfg.doc, writtenPath(fields, path), true);
  return n ?? new Scalar(value ?? null);
}

/**
 * PatchTransformer, PatchStrategicMergeTransformer and PatchJson6902Transformer: read as the kustomization
 * field they configure (`patches`, `patchesStrategicMerge`, `patchesJson6902`) would be, from a kustomization
 * made of the configuration's own nodes (so every patch keeps its position in the configuration's file).
 */
async function patchPlugin(
  kind: string,
  cfg: PluginConfig,
  fields: GoFields,
  resources: Resource[],
  env: PluginEnv,
): Promise<TransformResult> {
  const v = fields.value;
  let field: PatchField;
  let value: Json[];
  let node: YAMLSeq;
  if (kind === "PatchTransformer") {
    field = "patches";
    const entry: JsonObject = {};
    const map = new YAMLMap();
    for (const key of ["path", "patch", "target", "options"])
      if (v[key] !== undefined && v[key] !== null) {
        entry[key] = key === "patch" && typeof v[key] === "string" ? v[key].trim() : v[key];
        map.items.push(new Pair(new Scalar(key), nodeOf(cfg, fields, [key], v[key])));
      }
    value = [entry];
    node = seqOf([withRange(map, cfg)]);
  } else if (kind === "PatchStrategicMergeTransformer") {
    field = "patchesStrategicMerge";
    const paths = Array.isArray(v.paths) ? v.paths : [];
    const patches = typeof v.patches === "string" ? v.patches : "";
    if (!paths.length && patches === "")
      return {
        resources,
        diagnostics: [
          fail("KUSTOMIZE_INVALID", `${kind}: empty file path and empty patch content`, cfg.at, "set paths or patches"),
        ],
      };
    value = [...paths, ...(patches ? [patches] : [])];
    node = seqOf([
      ...paths.map((p, i) => nodeOf(cfg, fields, ["paths", i], p)),
      ...(patches ? [nodeOf(cfg, fields, ["patches"], patches)] : []),
    ]);
  } else {
    field = "patchesJson6902";
    const target = isObject(v.target) ? v.target : undefined;
    const path = typeof v.path === "string" ? v.path : "";
    const op = typeof v.jsonOp === "string" ? v.jsonOp : "";
    const problem = !target?.name
      ? "must specify the target name"
      : path === "" && op === ""
        ? "empty file path and empty jsonOp"
        : path !== "" && op !== ""
          ? "must specify a file path or jsonOp, not both"
          : undefined;
    if (problem)
      return { resources, diagnostics: [fail("KUSTOMIZE_INVALID", `${kind}: ${problem}`, locate(cfg, ["target"]))] };
    const entry: JsonObject = { target: target! };
    const map = new YAMLMap();
    map.items.push(new Pair(new Scalar("target"), nodeOf(cfg, fields, ["target"], target)));
    if (path) {
      entry.path = path;
      map.items.push(new Pair(new Scalar("path"), nodeOf(cfg, fields, ["path"], path)));
    } else {
      entry.patch = op;
      map.items.push(new Pair(new Scalar("patch"), nodeOf(cfg, fields, ["jsonOp"], op)));
    }
    value = [entry];
    node = seqOf([withRange(map, cfg)]);
  }
  const top = new YAMLMap();
  top.items.push(new Pair(new Scalar(field), node));
  const doc = new Document() as unknown as Document.Parsed;
  doc.contents = top as unknown as Document.Parsed["contents"];
  const k: KustomizationFile = {
    file: cfg.file,
    dir: env.k.dir,
    value: { [field]: value },
    yaml: cfg.yaml,
    doc,
    locate(path) {
      const pos = positionOf(cfg.yaml, doc, path);
      return pos ? { ...cfg.at, file: cfg.file, line: pos.line, column: pos.column } : cfg.at;
    },
  };
  const base = { source: env.source, commit: env.tree.commit };
  const read = await readKustomizationPatches(k, field, env.tree, base);
  if (read.diagnostics.some((d) => d.severity === "error")) return { resources, diagnostics: read.diagnostics };
  const applied = applyKustomizationPatches(resources, read.patches, env.schema);
  return { resources: applied.resources, diagnostics: [...read.diagnostics, ...applied.diagnostics] };
}

/** The made-up entry stands where the configuration is (its errors point at the configuration). */
function withRange(map: YAMLMap, cfg: PluginConfig): YAMLMap {
  const range = (cfg.doc.contents as Node | null)?.range;
  if (range) map.range = range;
  return map;
}

function seqOf(items: Node[]): YAMLSeq {
  const seq = new YAMLSeq();
  pushAll(seq.items, items);
  return seq;
}
