/**
 * `configMapGenerator` and `secretGenerator` (kustomize's generators and kv loader, v5.5): pairs from
 * `envs` (and the legacy `env`), then `literals`, then `files` (`key=path` or `path`, key = base name);
 * a ConfigMap value that is not UTF-8 goes to `binaryData`; Secret values are base64 (wrapped at 70
 * characters, as kustomize writes them). `options` and the kustomization's `generatorOptions` add labels,
 * annotations, `immutable`, and turn off the content-hash suffix (added at the root: name-hash.ts).
 * `behavior: merge|replace` folds the object into one of the same id (current or earlier) from the bases:
 * it keeps that object's name and namespace, merges labels and annotations (and, for merge, data); the
 * hash suffix stays only when both the base's object and the new entry want it.
 */
import { BraidError, type Diagnostic } from "../diagnostics/diagnostic.js";
import { idOf, type Json, type JsonObject, type JsonPath, type Resource, type ResourceId } from "../model/resource.js";
import type { AsyncTransformer, KustomizationContext, TransformResult } from "./context.js";
import { isObject } from "./field-spec.js";
import { ORIGIN_ANNOTATION } from "./build-metadata.js";
import { checkKeys, entryLocation, invalidField, WrittenFields } from "./resource-edit.js";
import { blockStyleAllowed } from "../model/yaml-file.js";
import { pushAll } from "../model/append.js";

type Kind = "ConfigMap" | "Secret";

interface Pair {
  key: string;
  value: Uint8Array;
  from: JsonPath;
}

interface Options {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  disableNameSuffixHash: boolean;
  immutable: boolean;
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const DATA_KEY = /^[-._a-zA-Z0-9]+$/;
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Base64 as kustomize writes generated data: lines of 70 characters, each ending in a newline, when longer. */
export function kustomizeBase64(bytes: Uint8Array): string {
  const b64 = Buffer.from(bytes).toString("base64");
  if (b64.length < 70) return b64;
  let out = "";
  for (let i = 0; i < b64.length; i += 70) out += `${b64.slice(i, i + 70)}\n`;
  return out;
}

function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function strings(v: Json | undefined): string[] | undefined {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v) && v.every((s) => typeof s === "string")) return v;
  return undefined;
}

function stringMap(v: Json | undefined): Record<string, string> | undefined {
  if (v === undefined || v === null) return {};
  if (!isObject(v) || !Object.values(v).every((s) => typeof s === "string")) return undefined;
  return v as Record<string, string>;
}

/** Local options over the kustomization's generatorOptions (local labels and annotations win). */
function readOptions(
  local: Json | undefined,
  global: Json | undefined,
  at: JsonPath,
  ctx: KustomizationContext,
  diagnostics: Diagnostic[],
  globalDiagnostics: Diagnostic[],
): Options {
  const out: Options = { labels: {}, annotations: {}, disableNameSuffixHash: false, immutable: false };
  const layers: [Json | undefined, JsonPath, Diagnostic[]][] = [
    [global, ["generatorOptions"], globalDiagnostics],
    [local, at, diagnostics],
  ];
  for (const [opts, path, sink] of layers) {
    const diagnostics = sink;
    if (opts === undefined || opts === null) continue;
    if (!isObject(opts)) {
      diagnostics.push(
        invalidField(
          ctx,
          path,
          "generator options must be a map",
          "write labels, annotations, disableNameSuffixHash or immutable",
        ),
      );
      continue;
    }
    checkKeys(opts, ["labels", "annotations", "disableNameSuffixHash", "immutable"], path, ctx, diagnostics);
    for (const key of ["labels", "annotations"] as const) {
      const m = stringMap(opts[key]);
      if (!m)
        diagnostics.push(
          invalidField(
            ctx,
            [...path, key],
            `${key} must be a map of strings`,
            "quote values that YAML reads as numbers or booleans",
          ),
        );
      else Object.assign(out[key], m);
    }
    for (const key of ["disableNameSuffixHash", "immutable"] as const) {
      const v = opts[key];
      if (v === undefined || v === null) continue;
      if (typeof v !== "boolean")
        diagnostics.push(invalidField(ctx, [...path, key], `${key} must be true or false`, `write ${key}: true`));
      else if (v) out[key] = true;
    }
  }
  return out;
}

/** Reads a file of the kustomization; problems become diagnostics at the entry that names it. */
async function read(
  ctx: KustomizationContext,
  path: string,
  at: JsonPath,
  diagnostics: Diagnostic[],
): Promise<Uint8Array | undefined> {
  try {
    return await ctx.readFile(path);
  } catch (e) {
    if (e instanceof BraidError) {
      // the entry that names the file is a better place than wherever the reader pointed
      diagnostics.push({ ...e.diagnostic, location: entryLocation(ctx, at) });
    } else {
      diagnostics.push(
        invalidField(
          ctx,
          at,
          `cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`,
          "name a file inside the kustomization's folder",
        ),
      );
    }
    return undefined;
  }
}

/** Pairs of an env file: `KEY=value` lines; blank lines and `#` comments skipped; a BOM dropped. */
function envPairs(
  bytes: Uint8Array,
  file: string,
  at: JsonPath,
  ctx: KustomizationContext,
  diagnostics: Diagnostic[],
): Pair[] {
  const text = utf8Text(bytes);
  if (text === undefined) {
    diagnostics.push(invalidField(ctx, at, `env file ${file} is not UTF-8 text`, "an env file holds KEY=value lines"));
    return [];
  }
  const out: Pair[] = [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  lines.forEach((raw, n) => {
    let line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (n === 0 && line.startsWith("\uFEFF")) line = line.slice(1);
    line = line.replace(/^\s+/, "");
    if (line === "" || line.startsWith("#")) return;
    const eq = line.indexOf("=");
    const key = eq < 0 ? line : line.slice(0, eq);
    if (!ENV_NAME.test(key)) {
      diagnostics.push(
        invalidField(
          ctx,
          at,
          `line ${n + 1} of ${file}: ${JSON.stringify(key)} is not a valid variable name`,
          "keys are letters, digits, '-', '.' and '_', not starting with a digit",
        ),
      );
      return;
    }
    out.push({ key, value: Buffer.from(eq < 0 ? "" : line.slice(eq + 1)), from: at });
  });
  return out;
}

/** A literal `KEY=value` (matching quotes around the value are removed). */
function literalPair(s: string, at: JsonPath, ctx: KustomizationContext, diagnostics: Diagnostic[]): Pair | undefined {
  const eq = s.indexOf("=");
  if (eq <= 0) {
    diagnostics.push(invalidField(ctx, at, `literal ${JSON.stringify(s)} is not key=value`, "write KEY=value"));
    return undefined;
  }
  let value = s.slice(eq + 1);
  const quote = value[0];
  if (value.length >= 2 && (quote === '"' || quote === "'") && value.endsWith(quote)) value = value.slice(1, -1);
  return { key: s.slice(0, eq), value: Buffer.from(value), from: at };
}

/** `key=path` or `path` of a `files` entry (kustomize's ParseFileSource). */
export function fileSource(s: string): { key: string; path: string } | { error: string } {
  const n = s.split("=").length - 1;
  if (n === 0) return { key: s.slice(s.lastIndexOf("/") + 1), path: s };
  if (n > 1) return { error: `${JSON.stringify(s)}: the key or the path contains '='` };
  const [key, path] = s.split("=") as [string, string];
  if (!key) return { error: `${JSON.stringify(s)}: the key is missing` };
  if (!path) return { error: `${JSON.stringify(s)}: the file path is missing` };
  return { key, path };
}

/** Reads every pair of one generator entry, in kustomize's order: envs, literals, files. */
async function readPairs(
  entry: JsonObject,
  at: JsonPath,
  ctx: KustomizationContext,
  diagnostics: Diagnostic[],
): Promise<Pair[]> {
  const pairs: Pair[] = [];
  const envs = strings(entry.envs);
  if (!envs)
    diagnostics.push(
      invalidField(ctx, [...at, "envs"], "envs must be a list of file names", "write envs: [config.env]"),
    );
  const envFiles: [string, JsonPath][] = (envs ?? []).map((f, j) => [f, [...at, "envs", j]]);
  if (typeof entry.env === "string" && entry.env !== "") envFiles.push([entry.env, [...at, "env"]]);
  for (const [file, path] of envFiles) {
    const bytes = await read(ctx, file, path, diagnostics);
    if (bytes) pushAll(pairs, envPairs(bytes, file, path, ctx, diagnostics));
  }
  const literals = strings(entry.literals);
  if (!literals)
    diagnostics.push(
      invalidField(
        ctx,
        [...at, "literals"],
        "literals must be a list of KEY=value strings",
        'quote each literal: - "PORT=8080"',
      ),
    );
  (literals ?? []).forEach((s, j) => {
    const p = literalPair(s, [...at, "literals", j], ctx, diagnostics);
    if (p) pairs.push(p);
  });
  const files = strings(entry.files);
  if (!files)
    diagnostics.push(
      invalidField(
        ctx,
        [...at, "files"],
        "files must be a list of paths (or key=path)",
        "write files: [app.properties]",
      ),
    );
  for (const [j, s] of (files ?? []).entries()) {
    const src = fileSource(s);
    if ("error" in src) {
      diagnostics.push(invalidField(ctx, [...at, "files", j], src.error, "write key=path or path"));
      continue;
    }
    const bytes = await read(ctx, src.path, [...at, "files", j], diagnostics);
    if (bytes) pairs.push({ key: src.key, value: bytes, from: [...at, "files", j] });
  }
  return pairs;
}

/** Builds the generated object of one entry (undefined after a diagnostic). */
async function generateOne(
  kind: Kind,
  entry: JsonObject,
  at: JsonPath,
  ctx: KustomizationContext,
  diagnostics: Diagnostic[],
  globalDiagnostics: Diagnostic[],
): Promise<{ object: JsonObject; written: WrittenFields; keys: WrittenFields; options: Options } | undefined> {
  const before = diagnostics.length;
  const options = readOptions(
    entry.options,
    ctx.kustomization.generatorOptions,
    [...at, "options"],
    ctx,
    diagnostics,
    globalDiagnostics,
  );
  const pairs = await readPairs(entry, at, ctx, diagnostics);
  // `written` answers for the whole generated object; `keys` only for its data keys (a merge keeps the
  // base's positions for everything else)
  const written = new WrittenFields();
  const keys = new WrittenFields();
  written.add([], at);
  written.add(["metadata", "name"], [...at, "name"]);
  const seen = new Set<string>();
  const data: JsonObject = {};
  const binaryData: JsonObject = {};
  for (const p of [...pairs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
    if (!DATA_KEY.test(p.key) || p.key.length > 253 || p.key.startsWith("..") || p.key === ".") {
      diagnostics.push(
        invalidField(
          ctx,
          p.from,
          `${JSON.stringify(p.key)} is not a valid ${kind} key`,
          "keys are letters, digits, '-', '_' and '.' (at most 253)",
        ),
      );
      continue;
    }
    if (seen.has(p.key)) {
      diagnostics.push(
        invalidField(
          ctx,
          p.from,
          `${kind} ${entry.name as string} repeats the key ${p.key}`,
          "give every literal, file and env entry its own key",
        ),
      );
      continue;
    }
    seen.add(p.key);
    const text = kind === "ConfigMap" ? utf8Text(p.value) : undefined;
    // kyaml writes a value with line breaks as a literal block scalar; one led by a tab it cannot read back
    if (text?.[0] === "\t" && text.includes("\n") && blockStyleAllowed(text)) {
      diagnostics.push(
        invalidField(
          ctx,
          p.from,
          `the value of ${p.key} starts with a tab and has line breaks: kustomize (kubectl kustomize, Flux) writes it as a block scalar without an indentation indicator and then cannot read it ("found a tab character where an indentation space is expected")`,
          "indent the first line with spaces, or keep such a file out of the generator (a Makefile: a ConfigMap written as a manifest, its value quoted)",
        ),
      );
      continue;
    }
    if (kind === "Secret") data[p.key] = kustomizeBase64(p.value);
    else if (text !== undefined) data[p.key] = text;
    else binaryData[p.key] = kustomizeBase64(p.value);
    const field = text === undefined && kind === "ConfigMap" ? "binaryData" : "data";
    written.add([field, p.key], p.from);
    keys.add([field, p.key], p.from);
  }
  if (diagnostics.length > before) return undefined;
  const metadata: JsonObject = { name: entry.name as string };
  if (typeof entry.namespace === "string" && entry.namespace !== "") metadata.namespace = entry.namespace;
  const labelKeys = Object.keys(options.labels).sort();
  const annotationKeys = Object.keys(options.annotations).sort();
  if (labelKeys.length) metadata.labels = Object.fromEntries(labelKeys.map((k) => [k, options.labels[k]!]));
  if (annotationKeys.length)
    metadata.annotations = Object.fromEntries(annotationKeys.map((k) => [k, options.annotations[k]!]));
  const object: JsonObject = { apiVersion: "v1", kind, metadata };
  if (kind === "Secret") {
    object.type = typeof entry.type === "string" && entry.type !== "" ? entry.type : "Opaque";
    object.data = data;
  } else {
    if (Object.keys(data).length) object.data = data;
    if (Object.keys(binaryData).length) object.binaryData = binaryData;
  }
  if (options.immutable) object.immutable = true;
  return { object, written, keys, options };
}

function sameNamespace(a: string, b: string): boolean {
  return (a || "default") === (b || "default");
}

function sameId(a: ResourceId, b: ResourceId): boolean {
  return (
    a.group === b.group &&
    a.version === b.version &&
    a.kind === b.kind &&
    a.name === b.name &&
    sameNamespace(a.namespace, b.namespace)
  );
}

function mergeMaps(old: Json | undefined, next: Json | undefined): JsonObject | undefined {
  if (!isObject(old) && !isObject(next)) return undefined;
  return { ...(isObject(old) ? old : {}), ...(isObject(next) ? next : {}) };
}

/** The object with the origin annotation, unless it has one. */
function withOrigin(object: JsonObject, origin: string): JsonObject {
  const meta = object.metadata as JsonObject;
  const annotations = isObject(meta.annotations) ? meta.annotations : {};
  if (Object.hasOwn(annotations, ORIGIN_ANNOTATION)) return object;
  return { ...object, metadata: { ...meta, annotations: { ...annotations, [ORIGIN_ANNOTATION]: origin } } };
}

/** Folds a generated object into the existing one (merge or replace), as kustomize's resource map does. */
function fold(old: Resource, object: JsonObject, behavior: "merge" | "replace"): JsonObject {
  const out = structuredClone(object);
  const meta = out.metadata as JsonObject;
  const oldMeta = isObject(old.object.metadata) ? old.object.metadata : {};
  meta.name = oldMeta.name ?? meta.name!;
  if (typeof oldMeta.namespace === "string") meta.namespace = oldMeta.namespace;
  else delete meta.namespace;
  for (const key of ["labels", "annotations"] as const) {
    const m = mergeMaps(oldMeta[key], meta[key]);
    if (m) meta[key] = m;
  }
  if (behavior === "merge") {
    // kustomize keeps the origin of the object merged into ("ensure the origin annotation doesn't get overwritten")
    const oldAnnotations = isObject(oldMeta.annotations) ? oldMeta.annotations : {};
    if (Object.hasOwn(oldAnnotations, ORIGIN_ANNOTATION) && isObject(meta.annotations))
      meta.annotations[ORIGIN_ANNOTATION] = oldAnnotations[ORIGIN_ANNOTATION]!;
    for (const key of ["data", "binaryData"] as const) {
      const m = mergeMaps(old.object[key], out[key]);
      if (m && Object.keys(m).length) out[key] = m;
      else if (m) delete out[key];
    }
  }
  return out;
}

/** What generateOne makes of one entry. */
type Generated = NonNullable<Awaited<ReturnType<typeof generateOne>>>;
type Behavior = "create" | "merge" | "replace";

function makeGenerator(kind: Kind): AsyncTransformer {
  const field = kind === "ConfigMap" ? "configMapGenerator" : "secretGenerator";
  return async (resources, args, ctx): Promise<TransformResult> => {
    const diagnostics: Diagnostic[] = [];
    let out = [...resources];
    if (args === null) return { resources: out, diagnostics };
    if (!Array.isArray(args)) {
      diagnostics.push(
        invalidField(ctx, [field], `${field} must be a list`, `write - name: app-config\n  literals: [KEY=value]`),
      );
      return { resources: out, diagnostics };
    }
    for (const [i, entry] of args.entries()) {
      const at: JsonPath = [field, i];
      // 1. the entry: a name, known keys, a behavior
      const behavior = checkEntry(kind, field, entry, i, ctx, diagnostics);
      if (!behavior || !isObject(entry)) continue;
      // 2. the object; generatorOptions problems are reported once: by the first generator entry of the kustomization
      const first = i === 0 && (kind === "ConfigMap" || ctx.kustomization.configMapGenerator === undefined);
      const globalSink: Diagnostic[] = [];
      const made = await generateOne(kind, entry, at, ctx, diagnostics, globalSink);
      if (first) pushAll(diagnostics, globalSink);
      if (globalSink.length) continue;
      if (!made) continue;
      // build metadata: what a generator makes carries its origin, unless its options gave it one
      if (ctx.generatedOrigin !== undefined) made.object = withOrigin(made.object, ctx.generatedOrigin);
      // 3. into the list: a new object, or merged into (or replacing) the one of a base
      out = placeGenerated(kind, out, made, behavior, at, ctx, diagnostics);
    }
    return { resources: out, diagnostics };
  };
}

/** A generator entry's behavior, when the entry has a name and only known keys (else reported, undefined). */
function checkEntry(
  kind: Kind,
  field: string,
  entry: Json,
  i: number,
  ctx: KustomizationContext,
  diagnostics: Diagnostic[],
): Behavior | undefined {
  const at: JsonPath = [field, i];
  if (!isObject(entry) || typeof entry.name !== "string" || entry.name === "") {
    diagnostics.push(invalidField(ctx, at, `${field}[${i}] needs a name`, "write name: app-config"));
    return undefined;
  }
  const keys = [
    "name",
    "namespace",
    "behavior",
    "options",
    "literals",
    "files",
    "envs",
    "env",
    ...(kind === "Secret" ? ["type"] : []),
  ];
  if (!checkKeys(entry, keys, at, ctx, diagnostics)) return undefined;
  const behavior = entry.behavior;
  if (behavior === "create" || behavior === "merge" || behavior === "replace") return behavior;
  if (behavior === undefined || behavior === null || behavior === "unspecified") return "create";
  if (typeof behavior !== "string") {
    diagnostics.push(
      invalidField(
        ctx,
        [...at, "behavior"],
        `behavior must be create, merge or replace, not ${JSON.stringify(behavior)}`,
        "write behavior: merge",
      ),
    );
    return undefined;
  }
  // kustomize's NewGenerationBehavior: any other text is "unspecified", built as create
  diagnostics.push({
    ...invalidField(
      ctx,
      [...at, "behavior"],
      `behavior ${JSON.stringify(behavior)} is not create, merge or replace: kustomize builds it as create`,
      "write behavior: create, merge or replace",
    ),
    code: "KUSTOMIZE_IGNORED",
    severity: "warning",
  });
  return "create";
}

/** The resources with the generated object added (create) or folded into the base's object (merge, replace). */
function placeGenerated(
  kind: Kind,
  out: Resource[],
  made: Generated,
  behavior: Behavior,
  at: JsonPath,
  ctx: KustomizationContext,
  diagnostics: Diagnostic[],
): Resource[] {
  const id = idOf(made.object);
  const matches = out.filter((r) => sameId(r.id, id) || (r.previous ?? []).some((p) => sameId(p, id)));
  const location = entryLocation(ctx, at);
  if (matches.length > 1) {
    diagnostics.push(
      invalidField(
        ctx,
        at,
        `${kind} ${id.name} matches ${matches.length} objects; cannot ${behavior}`,
        "give the objects distinct names or namespaces",
      ),
    );
    return out;
  }
  const old = matches[0];
  if (!old) {
    if (behavior !== "create") {
      diagnostics.push(
        invalidField(
          ctx,
          [...at, "behavior"],
          `no ${kind} ${id.name} in the bases to ${behavior}`,
          "use behavior: create, or name a generator of a base",
        ),
      );
      return out;
    }
    out.push({
      id,
      object: made.object,
      origin: {
        source: ctx.source,
        commit: ctx.commit,
        file: ctx.file,
        docIndex: 0,
        line: location.line ?? 1,
        column: location.column ?? 1,
      },
      positions: [made.written.positionMap(ctx)],
      ...(made.options.disableNameSuffixHash ? {} : { nameHash: true }),
    });
    return out;
  }
  if (behavior === "create") {
    diagnostics.push({
      ...invalidField(
        ctx,
        at,
        `${kind} ${id.name} already exists; behavior must be merge or replace`,
        "write behavior: merge (or replace) to change a base's object",
      ),
      related: [
        {
          message: "defined here",
          location: {
            file: old.origin.file,
            line: old.origin.line,
            column: old.origin.column,
            source: old.origin.source,
            commit: old.origin.commit,
          },
        },
      ],
    });
    return out;
  }
  const object = fold(old, made.object, behavior);
  const folded: Resource = {
    ...old,
    id: idOf(object),
    object,
    positions: behavior === "merge" ? [...old.positions, made.keys.positionMap(ctx)] : [made.written.positionMap(ctx)],
    ...(behavior === "replace"
      ? {
          origin: {
            source: ctx.source,
            commit: ctx.commit,
            file: ctx.file,
            docIndex: 0,
            line: location.line ?? 1,
            column: location.column ?? 1,
          },
        }
      : {}),
  };
  // kustomize keeps the base's build annotations: the hash stays only when both sides want it
  if (made.options.disableNameSuffixHash || !old.nameHash) delete folded.nameHash;
  else folded.nameHash = true;
  return out.map((r) => (r === old ? folded : r));
}

/** `configMapGenerator`. */
export const configMapGenerator: AsyncTransformer = makeGenerator("ConfigMap");
/** `secretGenerator`. */
export const secretGenerator: AsyncTransformer = makeGenerator("Secret");
