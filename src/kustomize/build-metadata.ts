/**
 * kustomize's build metadata (`buildMetadata: [originAnnotations, transformerAnnotations, managedByLabel]`), as
 * kustomize v5.5–v5.8 writes it (api/internal/target/kusttarget.go, api/resource/origin.go,
 * api/resmap/reswrangler.go, api/krusty/kustomizer.go):
 * - only the top kustomization's list counts: kustomize gives it to every folder it builds. A non-empty list
 *   turns origin tracking on for the whole build, whatever it holds;
 * - with tracking on, every object read from a file is annotated `config.kubernetes.io/origin` with the file's
 *   path (`path:`, joined from the entries as written, as Go's filepath.Join joins them, relative to the top
 *   folder); a generated object with the kustomization and generator that made it (`configuredIn`,
 *   `configuredBy`), unless it has one; after each transformer instance (one per `patches` entry, per image,
 *   per `labels` entry plus one for `commonLabels`, …) every object accumulated so far gets that transformer
 *   appended to `alpha.config.kubernetes.io/transformations` (an object without an origin gets it as origin);
 * - at the end, the origin annotations stay only with `originAnnotations`, the transformations only with
 *   `transformerAnnotations`. Both annotations are removed from every object of every other build, as kustomize
 *   removes them (so an input carrying one loses it).
 * The annotation values are YAML written as Go's yaml.v3 writes kustomize's Origin struct.
 */
import { posix } from "node:path";
import { parse } from "yaml";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { describeId, type Json, type JsonObject, type Resource } from "../model/resource.js";
import type { KustomizationFile } from "./kustomization-file.js";

export const ORIGIN_ANNOTATION = "config.kubernetes.io/origin";
export const TRANSFORMATIONS_ANNOTATION = "alpha.config.kubernetes.io/transformations";

/** kustomize's resource.Origin (field order is the YAML's). */
export interface KOrigin {
  path?: string;
  repo?: string;
  ref?: string;
  configuredIn?: string;
  configuredBy?: { apiVersion?: string; kind?: string; name?: string; namespace?: string };
}

/** What a build does with its metadata: track origins at all, and which annotations it keeps at the end. */
export interface BuildMetadata {
  origin: boolean;
  transformations: boolean;
}

/** Go's filepath.Join on Linux: the non-empty elements joined with "/" and cleaned; "" when all are empty. */
export function goJoin(...parts: string[]): string {
  const kept = parts.filter((p) => p !== "");
  if (kept.length === 0) return "";
  const n = posix.normalize(kept.join("/"));
  return n.length > 1 && n.endsWith("/") ? n.slice(0, -1) : n;
}

/**
 * Where a folder being built is, as kustomize's origins name it: `path` from the top folder as listed (inside
 * its repository for a remote base), with the remote base's `repo` and `ref`.
 */
export type FolderOrigin = { path: string; repo?: string; ref?: string };

/** The origin of kustomize's builtin generator or transformer of `kind`, configured in kustomization `k`. */
export function builtinOrigin(folder: FolderOrigin, k: KustomizationFile, kind: string): KOrigin {
  return {
    ...repoOf(folder),
    configuredIn: goJoin(folder.path, posix.basename(k.file)),
    configuredBy: { apiVersion: "builtin", kind },
  };
}

/**
 * A plugin configuration's origin (kustomize's OriginFromCustomPlugin): the configuration's own origin's repo
 * and ref, where it was written, and what it is.
 */
export function pluginOrigin(configOrigin: KOrigin, config: JsonObject): KOrigin {
  const meta = isMapping(config.metadata) ? config.metadata : {};
  const by: NonNullable<KOrigin["configuredBy"]> = {};
  if (typeof config.apiVersion === "string") by.apiVersion = config.apiVersion;
  if (typeof config.kind === "string") by.kind = config.kind;
  if (typeof meta.name === "string") by.name = meta.name;
  if (typeof meta.namespace === "string") by.namespace = meta.namespace;
  return { ...repoOf(configOrigin), configuredIn: configOrigin.path ?? "", configuredBy: by };
}

function repoOf(o: KOrigin): Pick<KOrigin, "repo" | "ref"> {
  return { ...(o.repo ? { repo: o.repo } : {}), ...(o.ref ? { ref: o.ref } : {}) };
}

/**
 * The kustomization's `buildMetadata` options (kustomize's strings; an unknown one does nothing but still
 * turns tracking on). Undefined: none. A value that is not a list of strings is an error, as Go's decoding
 * makes it.
 */
export function readBuildMetadata(k: KustomizationFile, diagnostics: Diagnostic[]): string[] | undefined {
  const v = k.value.buildMetadata;
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((e) => typeof e === "string")) {
    diagnostics.push({
      code: "KUSTOMIZE_INVALID",
      severity: "error",
      message: "buildMetadata must be a list of strings",
      location: k.locate(["buildMetadata"]),
      hint: "write buildMetadata: [originAnnotations]",
    });
    return undefined;
  }
  return v;
}

const KNOWN_OPTIONS = ["originAnnotations", "transformerAnnotations", "managedByLabel"];

/**
 * Checks the top kustomization's options: an unknown one is a warning (kustomize ignores it); `managedByLabel`
 * is an error, because kustomize as Flux and kubectl embed it labels every object
 * `app.kubernetes.io/managed-by: kustomize-(devel)`, a value the API server refuses.
 */
export function checkBuildMetadata(k: KustomizationFile, options: readonly string[], diagnostics: Diagnostic[]): void {
  options.forEach((o, i) => {
    if (o === "managedByLabel")
      diagnostics.push({
        code: "KUSTOMIZE_INVALID",
        severity: "error",
        message:
          'buildMetadata managedByLabel labels every object "app.kubernetes.io/managed-by: kustomize-(devel)" (the version kustomize reports inside Flux\'s kustomize-controller and kubectl), which is not a valid label value: the API server would refuse every object',
        location: k.locate(["buildMetadata", i]),
        hint: "remove managedByLabel, and set the label with labels: or commonLabels: if you want it",
      });
    else if (!KNOWN_OPTIONS.includes(o))
      diagnostics.push({
        code: "KUSTOMIZE_IGNORED",
        severity: "warning",
        message: `buildMetadata option ${JSON.stringify(o)} does nothing (kustomize knows ${KNOWN_OPTIONS.join(", ")})`,
        location: k.locate(["buildMetadata", i]),
        hint: "check its spelling",
      });
  });
}

/** The annotation text of an origin (Go yaml.v3's Marshal of kustomize's Origin). */
export function originText(o: KOrigin): string {
  return originLines(o, "", "").join("");
}

/** The annotation text of a list of transformations. */
export function transformationsText(list: readonly KOrigin[]): string {
  return list.map((o) => originLines(o, "- ", "  ").join("")).join("");
}

function originLines(o: KOrigin, first: string, indent: string): string[] {
  const out: string[] = [];
  const line = (key: string, value: string) => out.push(`${out.length ? indent : first}${key}: ${goString(value)}\n`);
  if (o.path) line("path", o.path);
  if (o.repo) line("repo", o.repo);
  if (o.ref) line("ref", o.ref);
  if (o.configuredIn) line("configuredIn", o.configuredIn);
  const by = o.configuredBy;
  if (by && (by.apiVersion || by.kind || by.name || by.namespace)) {
    out.push(`${out.length ? indent : first}configuredBy:\n`);
    for (const key of ["apiVersion", "kind", "name", "namespace"] as const)
      if (by[key]) out.push(`${indent}  ${key}: ${goString(by[key])}\n`);
  }
  if (out.length === 0) out.push(`${first}{}\n`);
  return out;
}

/**
 * A string as go-yaml v3 writes it in block context: double-quoted when a plain scalar would read back as
 * something else (null, a boolean — YAML 1.1's `yes`/`on` too —, a number Go's strconv parses, a sexagesimal
 * float, a timestamp); else plain when the emitter allows it (no leading indicator, no `: ` or ` #`, no
 * leading or trailing space); else single-quoted.
 */
function goString(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\ufeff]/.test(s) || s === "" || resolvesNonString(s)) return JSON.stringify(s);
  const plain =
    !",[]{}#&*!|>'\"%@`".includes(s[0]!) &&
    !(s[0] === "-" && (s.length === 1 || s[1] === " ")) &&
    !/^(?:---|\.\.\.)/.test(s) &&
    !/^ | $/.test(s) &&
    !/: |:$| #/.test(s);
  return plain ? s : `'${s.replace(/'/g, "''")}'`;
}

/**
 * Whether go-yaml v3 resolves the plain scalar to anything but a string (its `resolve` — numbers after removing
 * underscores: strconv.ParseInt with base 0, or its float pattern —, isOldBool, isBase60Float).
 */
function resolvesNonString(s: string): boolean {
  const digits = s.replace(/_/g, "");
  return (
    /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|<<)$/.test(s) ||
    /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/.test(s) ||
    /^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$/.test(s) ||
    /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.test(digits) ||
    /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/.test(digits) ||
    /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/.test(s) ||
    /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::?[0-9]{2})?))?)?$/.test(
      s,
    )
  );
}

function isMapping(v: Json | undefined): v is JsonObject {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function annotationsOf(r: Resource): JsonObject | undefined {
  const meta = r.object.metadata;
  const a = isMapping(meta) ? meta.annotations : undefined;
  return isMapping(a) ? a : undefined;
}

/** The resource with its annotations replaced (none left: no `annotations` key, as kyaml's SetAnnotations). */
function withAnnotations(r: Resource, annotations: JsonObject): Resource {
  const meta = isMapping(r.object.metadata) ? r.object.metadata : {};
  const { annotations: _old, ...rest } = meta;
  const metadata = Object.keys(annotations).length ? { ...rest, annotations } : rest;
  return { ...r, object: { ...r.object, metadata } };
}

/**
 * Sets the origin annotation of every resource: always (an object read from a file, kustomize's
 * `AnnotateAll`), or only where there is none (generated objects, kustomize's `AddOriginAnnotation`).
 */
export function annotateOrigin(resources: readonly Resource[], origin: KOrigin, overwrite: boolean): Resource[] {
  const text = originText(origin);
  return resources.map((r) => {
    const a = annotationsOf(r) ?? {};
    if (!overwrite && Object.hasOwn(a, ORIGIN_ANNOTATION)) return r;
    return withAnnotations(r, { ...a, [ORIGIN_ANNOTATION]: text });
  });
}

/**
 * kustomize's `AddTransformerAnnotation`, `times` times (one per transformer instance of a step): an object
 * with an origin gets the transformer appended to its transformations, one without gets it as its origin.
 */
export function addTransformations(
  resources: readonly Resource[],
  origin: KOrigin,
  times: number,
  diagnostics: Diagnostic[],
): Resource[] {
  if (times === 0) return [...resources];
  return resources.map((r) => {
    let a = annotationsOf(r) ?? {};
    for (let i = 0; i < times; i++) {
      if (!Object.hasOwn(a, ORIGIN_ANNOTATION)) {
        a = { ...a, [ORIGIN_ANNOTATION]: originText(origin) };
        continue;
      }
      if (!readsAs(a[ORIGIN_ANNOTATION], "mapping")) return fail(r, ORIGIN_ANNOTATION, diagnostics);
      const before = a[TRANSFORMATIONS_ANNOTATION];
      const list = before === undefined ? [] : readsAs(before, "list");
      if (!list) return fail(r, TRANSFORMATIONS_ANNOTATION, diagnostics);
      a = { ...a, [TRANSFORMATIONS_ANNOTATION]: transformationsText([...list, origin]) };
    }
    return withAnnotations(r, a);
  });
}

/** The origin a resource's annotation gives, when it has one that reads as an origin. */
export function originOfResource(r: Resource): KOrigin | undefined {
  const text = annotationsOf(r)?.[ORIGIN_ANNOTATION];
  if (typeof text !== "string") return undefined;
  try {
    const v = parse(text) as Json;
    return isMapping(v) ? toOrigin(v) : undefined;
  } catch {
    return undefined;
  }
}

/** An annotation's YAML read as kustomize unmarshals it (a mapping into Origin, a list into Transformations). */
function readsAs(text: Json | undefined, shape: "mapping"): boolean;
function readsAs(text: Json | undefined, shape: "list"): KOrigin[] | undefined;
function readsAs(text: Json | undefined, shape: "mapping" | "list"): boolean | KOrigin[] | undefined {
  let v: unknown;
  try {
    v = parse(typeof text === "string" ? text : JSON.stringify(text ?? null));
  } catch {
    return shape === "mapping" ? false : undefined;
  }
  if (shape === "mapping") return v === null || isMapping(v as Json);
  if (v === null) return [];
  if (!Array.isArray(v) || !v.every((e) => e === null || isMapping(e as Json))) return undefined;
  return (v as (JsonObject | null)[]).map((e) => toOrigin(e ?? {}));
}

function toOrigin(o: JsonObject): KOrigin {
  const str = (v: Json | undefined) => (typeof v === "string" ? v : undefined);
  const by = isMapping(o.configuredBy) ? o.configuredBy : {};
  const out: KOrigin = {};
  for (const key of ["path", "repo", "ref", "configuredIn"] as const) {
    const v = str(o[key]);
    if (v) out[key] = v;
  }
  const configuredBy: NonNullable<KOrigin["configuredBy"]> = {};
  for (const key of ["apiVersion", "kind", "name", "namespace"] as const) {
    const v = str(by[key]);
    if (v) configuredBy[key] = v;
  }
  if (Object.keys(configuredBy).length) out.configuredBy = configuredBy;
  return out;
}

function fail(r: Resource, key: string, diagnostics: Diagnostic[]): Resource {
  diagnostics.push({
    code: "KUSTOMIZE_INVALID",
    severity: "error",
    resource: describeId(r.id),
    message: `the annotation ${key} of ${describeId(r.id)} is not what kustomize writes there, and kustomize's build metadata cannot read it`,
    location: {
      file: r.origin.file,
      line: r.origin.line,
      column: r.origin.column,
      source: r.origin.source,
      commit: r.origin.commit,
    },
    hint: `remove the ${key} annotation from the object (kustomize sets it itself)`,
  });
  return r;
}

/**
 * What kustomize removes at the end of a build: the origin and transformations annotations, unless the
 * build keeps them. Objects without them are passed on as they are (objects are shared across clusters).
 */
export function finishBuildMetadata(resources: readonly Resource[], keep: BuildMetadata | undefined): Resource[] {
  return resources.map((r) => {
    const a = annotationsOf(r);
    if (!a) return r;
    const dropOrigin = !keep?.origin && Object.hasOwn(a, ORIGIN_ANNOTATION);
    const dropTransformations = !keep?.transformations && Object.hasOwn(a, TRANSFORMATIONS_ANNOTATION);
    if (!dropOrigin && !dropTransformations) return r;
    const next = { ...a };
    if (dropOrigin) delete next[ORIGIN_ANNOTATION];
    if (dropTransformations) delete next[TRANSFORMATIONS_ANNOTATION];
    return withAnnotations(r, next);
  });
}
