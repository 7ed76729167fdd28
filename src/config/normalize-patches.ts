import { BraidError } from "../diagnostics/diagnostic.js";
import { isNode, isScalar, type Document, type LineCounter, type Node } from "yaml";
import type { Diagnostic, SourceLocation } from "../diagnostics/diagnostic.js";
import type { Json, JsonObject, JsonPath } from "../model/resource.js";
import type { FleetReader } from "./fleet-files.js";
import { docPositionMap } from "../model/position-map.js";
import type { PatchDef, TargetSpec } from "./types.js";
import {
  documentToJs,
  annotationTexts,
  yamlV2Json,
  goJsonProblems,
  inexactIntegers,
  goTimestamped,
  nodeAt,
  parseYamlFile,
  positionOf,
  scalarShift,
  tabLedBlockScalars,
  type YamlFile,
} from "../model/yaml-file.js";
import { resolveInside } from "./safe-path.js";
import { plainVarPaths } from "../model/plain-scalars.js";
import { pushAll } from "../model/append.js";

interface PatchEntry {
  target?: TargetSpec;
  type?: PatchDef["type"];
  patch?: string | Json;
  path?: string;
  optional?: boolean;
}

/** Where a config entry lives, for normalizing the patches listed in it. */
export interface PatchContext {
  yaml: YamlFile;
  doc: Document.Parsed;
  /** Path of the patches list inside the document, e.g. ["spec", "patches"]. */
  basePath: JsonPath;
  layer: string;
  reader: FleetReader;
  /**
   * The patches are a kustomization's, which kustomize reads back through go-yaml: a block scalar whose value
   * starts with a tab fails its build (tabLedBlockScalars), so it is an error here too. braid's own patches
   * are braid's to read and keep such values.
   */
  kustomize?: boolean;
}

/** One patch body and what a PatchDef keeps beside it (where it was written, its positions). */
interface PatchBody {
  body: Json;
  /** The body with its plain timestamps as Go's JSON writes them, where it holds any (model/yaml-file.ts goTimestamped). */
  stamped?: Json;
  /** The texts of its annotations that YAML reads as something else (see {@link annotationsAsText}). */
  annotations?: Record<string, string>;
  def: Omit<PatchDef, "target" | "optional" | "layer" | "body" | "type">;
}

/** Normalizes a layer's `patches` list: inline text parsed, files read, one PatchDef per patch body. */
export async function normalizePatches(
  entries: readonly PatchEntry[],
  ctx: PatchContext,
): Promise<{ patches: PatchDef[]; diagnostics: Diagnostic[] }> {
  const patches: PatchDef[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const [i, entry] of entries.entries()) {
    const entryPath = [...ctx.basePath, i];
    // the bodies an entry holds: a file's documents, inline text's documents, or an inline mapping or list
    const bodies =
      entry.path !== undefined
        ? await bodiesFromFile(entry.path, entryPath, ctx, diagnostics)
        : typeof entry.patch === "string"
          ? bodiesFromText(entry.patch, entryPath, ctx, diagnostics)
          : entry.patch !== undefined
            ? bodiesFromValue(entry.patch, entryPath, ctx, diagnostics)
            : [];
    const common = { target: entry.target, optional: entry.optional ?? false, layer: ctx.layer };
    for (const { body: written, stamped, annotations, def } of bodies) {
      // as kustomize does, a list of operations is a JSON6902 patch unless the type says otherwise
      const type = entry.type ?? (Array.isArray(written) ? "json6902" : "strategic");
      // kustomize merges a strategic patch's YAML nodes into the object, which Go's JSON then writes (an
      // unquoted date becomes RFC 3339 text, as in the resources); a JSON6902 patch's values go through
      // sigs.k8s.io/yaml (go-yaml v2), which keeps a date's text — as braid's merge patches do
      let body = type === "strategic" && stamped !== undefined ? stamped : written;
      if (type === "strategic" && annotations) body = withAnnotations(body as JsonObject, annotations);
      const problem = checkBody(type, body, entry.target);
      if (problem) {
        diagnostics.push({
          code: "PATCH_INVALID",
          severity: "error",
          message: problem.message,
          hint: problem.hint,
          location: def.location,
        });
        continue;
      }
      patches.push({ ...common, type, ...def, body });
    }
  }
  return { patches, diagnostics };
}

/** `path:` — the documents of a file inside the fleet folder, each located in that file. */
async function bodiesFromFile(
  path: string,
  entryPath: JsonPath,
  ctx: PatchContext,
  diagnostics: Diagnostic[],
): Promise<PatchBody[]> {
  const at = (): SourceLocation => ({ file: ctx.yaml.file, ...positionOf(ctx.yaml, ctx.doc, [...entryPath, "path"]) });
  const rel = resolveInside(path);
  if (!rel) {
    diagnostics.push({
      code: "PATH_ESCAPE",
      severity: "error",
      message: `patch file "${path}" is outside the fleet folder`,
      location: at(),
      hint: "patch paths are relative to braid.yaml and must stay inside the fleet folder",
    });
    return [];
  }
  let text: string | undefined;
  try {
    text = await ctx.reader.read(rel);
  } catch (e) {
    if (e instanceof BraidError && (e.code === "YAML_SYNTAX" || e.code === "FILE_TOO_LARGE")) {
      diagnostics.push(e.diagnostic); // a file that is not UTF-8 (located in it), or too large
      return [];
    }
    if (!(e instanceof BraidError) || e.code !== "PATH_ESCAPE") throw e;
    // a symbolic link out of the fleet folder: located at the entry that names the file
    diagnostics.push({ ...e.diagnostic, location: at(), related: [{ message: "the link", location: { file: rel } }] });
    return [];
  }
  if (text === undefined) {
    diagnostics.push({
      code: "CONFIG_NOT_FOUND",
      severity: "error",
      message: `patch file "${rel}" does not exist`,
      location: at(),
      hint: "paths are relative to the folder holding braid.yaml",
    });
    return [];
  }
  const parsed = parseYamlFile(text, rel);
  pushAll(diagnostics, parsed.diagnostics);
  if (parsed.diagnostics.length) return [];
  if (ctx.kustomize) {
    const unreadable = tabLedBlockScalars(parsed);
    if (!unreadable.length) pushAll(unreadable, goJsonProblems(parsed, "PATCH_INVALID"));
    pushAll(diagnostics, unreadable);
    if (unreadable.length) return [];
  } else {
    const inexact = inexactIntegers(parsed, "PATCH_INVALID");
    pushAll(diagnostics, inexact);
    if (inexact.length) return [];
  }
  const bodies: PatchBody[] = [];
  for (const doc of parsed.docs) {
    // an empty document (a lone `---`, only comments, `~`) holds no patch, as kustomize reads patch files
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) continue;
    const js = documentToJs(doc, rel, parsed.lineCounter);
    if (js.diagnostic) {
      diagnostics.push(js.diagnostic);
      continue;
    }
    const at = (n: Node) => ({ file: rel, ...linePos(parsed.lineCounter, n) });
    const body = operationsAsRead(doc.contents, js.value as Json, at, diagnostics);
    if (body === undefined) continue;
    bodies.push({
      body,
      stamped: goTimestamped(doc) as Json | undefined,
      annotations: annotationsAsText(doc, [], js.value),
      def: {
        location: { file: rel, ...positionOf(parsed, doc, []) },
        positions: docPositionMap(parsed, doc, { file: rel }),
        opLocations: opLocations(js.value, parsed, doc, [], { file: rel }),
        plain: plainVarPaths(doc),
      },
    });
  }
  return bodies;
}

/** `patch: |` — the documents of inline YAML text, located in the config file (shifted to the text's place). */
function bodiesFromText(text: string, entryPath: JsonPath, ctx: PatchContext, diagnostics: Diagnostic[]): PatchBody[] {
  const location: SourceLocation = { file: ctx.yaml.file, ...positionOf(ctx.yaml, ctx.doc, entryPath) };
  const node = nodeAt(ctx.doc, [...entryPath, "patch"], true);
  const shift = scalarShift(ctx.yaml, node);
  const parsed = parseYamlFile(text, ctx.yaml.file);
  const problems = parsed.diagnostics.length ? parsed.diagnostics : ctx.kustomize ? tabLedBlockScalars(parsed) : [];
  // what kustomize reads but cannot write as JSON (a kustomization's own patches: braid's are checked on the
  // objects they change, render/render-cluster.ts)
  const unwritable = problems.length
    ? []
    : ctx.kustomize
      ? goJsonProblems(parsed, "PATCH_INVALID")
      : inexactIntegers(parsed, "PATCH_INVALID"); // a number braid would change is checked here, where its text is
  if (problems.length || unwritable.length) {
    for (const d of [...problems, ...unwritable])
      diagnostics.push({
        ...d,
        code: "PATCH_INVALID",
        message: problems.length ? `the patch text is not valid YAML: ${d.message}` : d.message,
        location: {
          file: ctx.yaml.file,
          line: (d.location?.line ?? 1) + shift.line,
          column: (d.location?.column ?? 1) + shift.column,
        },
      });
    return [];
  }
  const bodies: PatchBody[] = [];
  for (const doc of parsed.docs) {
    if (doc.contents === null) continue;
    const js = documentToJs(doc, ctx.yaml.file, parsed.lineCounter);
    if (js.diagnostic) {
      diagnostics.push(js.diagnostic);
      continue;
    }
    const base = { file: ctx.yaml.file };
    const shifted = (p?: { line: number; column: number }) =>
      p ? { line: p.line + shift.line, column: p.column + shift.column } : {};
    const at = (n: Node) => ({ ...base, ...shifted(linePos(parsed.lineCounter, n)) });
    const body = operationsAsRead(doc.contents, js.value as Json, at, diagnostics);
    if (body === undefined) continue;
    bodies.push({
      body,
      stamped: goTimestamped(doc) as Json | undefined,
      annotations: annotationsAsText(doc, [], js.value),
      def: {
        location,
        positions: docPositionMap(parsed, doc, base, [], shift),
        opLocations: Array.isArray(js.value)
          ? js.value.map((_, j) => ({ ...base, ...shifted(positionOf(parsed, doc, [j])) }))
          : undefined,
        plain: plainVarPaths(doc),
      },
    });
  }
  return bodies;
}

/** Where a node starts: line and column. */
function linePos(lineCounter: LineCounter, n: Node): { line: number; column: number } {
  const p = lineCounter.linePos(n.range?.[0] ?? 0);
  return { line: p.line, column: p.col };
}

/**
 * A list of operations (a JSON6902 patch) as kustomize reads it (model/yaml-file.ts yamlV2Json); any other
 * body as it is. Undefined, reported, for a null key, which kustomize cannot read.
 */
function operationsAsRead(
  node: unknown,
  value: Json,
  at: (n: Node) => SourceLocation,
  diagnostics: Diagnostic[],
): Json | undefined {
  if (!Array.isArray(value)) return value;
  const r = yamlV2Json(node, value);
  if ("value" in r) return r.value;
  diagnostics.push({
    code: "PATCH_INVALID",
    severity: "error",
    message:
      "a key of this JSON6902 patch is null to go-yaml v2, which kustomize reads it with (kubectl kustomize and Flux fail: unable to parse SM or JSON patch)",
    location: at(r.nullKey),
    hint: 'quote the key ("~": …)',
  });
  return undefined;
}

/**
 * The annotations of a strategic patch as kustomize writes them once merged: each value's YAML text
 * (`port: 8080`, `ratio: 1.50`, `on: true`, `day: 2024-01-01` become "8080", "1.50", "true", "2024-01-01"),
 * as the resources' own (render/load-manifests.ts). A null value deletes the annotation, as a strategic merge
 * does, and stays null. Undefined when no value needs its text.
 */
function annotationsAsText(doc: Document.Parsed, path: JsonPath, body: unknown): Record<string, string> | undefined {
  const meta = isPlainObject(body) ? body.metadata : undefined;
  const values = isPlainObject(meta) ? meta.annotations : undefined;
  if (!isPlainObject(values)) return undefined;
  const texts = annotationTexts(doc, path, values);
  for (const k of Object.keys(texts ?? {})) if (values[k] === null) delete texts![k];
  return texts && Object.keys(texts).length ? texts : undefined;
}

/** The patch with these annotation values. */
function withAnnotations(body: JsonObject, texts: Record<string, string>): JsonObject {
  const meta = body.metadata as JsonObject;
  return { ...body, metadata: { ...meta, annotations: { ...(meta.annotations as JsonObject), ...texts } } };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * `patch:` written as YAML (a mapping, or a list of operations) inside the config file: its one body (none
 * when it holds an integer braid would write as another number, reported).
 */
function bodiesFromValue(value: Json, entryPath: JsonPath, ctx: PatchContext, diagnostics: Diagnostic[]): PatchBody[] {
  const node = nodeAt(ctx.doc, [...entryPath, "patch"], true);
  const inexact = isNode(node) ? inexactIntegers(ctx.yaml, "PATCH_INVALID", node) : [];
  pushAll(diagnostics, inexact);
  return inexact.length ? [] : [bodyFromValue(value, entryPath, ctx)];
}

function bodyFromValue(value: Json, entryPath: JsonPath, ctx: PatchContext): PatchBody {
  // braid's config as YAML (1.2), as braid reads it: only a patch's text is read as kustomize would read it
  const base = { file: ctx.yaml.file };
  return {
    body: value,
    annotations: annotationsAsText(ctx.doc, [...entryPath, "patch"], value),
    def: {
      location: { ...base, ...positionOf(ctx.yaml, ctx.doc, entryPath) },
      positions: docPositionMap(ctx.yaml, ctx.doc, base, [...entryPath, "patch"]),
      opLocations: opLocations(value, ctx.yaml, ctx.doc, [...entryPath, "patch"], base),
      plain: plainVarPaths(ctx.doc, [...entryPath, "patch"]),
    },
  };
}

function opLocations(
  value: unknown,
  yaml: Pick<YamlFile, "lineCounter">,
  doc: Document.Parsed,
  basePath: JsonPath,
  base: { file: string },
): SourceLocation[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map((_, j) => ({ ...base, ...positionOf(yaml, doc, [...basePath, j]) }));
}

/** How far a block scalar's content is from the start of the file (for positions inside inline patch text). */

function checkBody(
  type: PatchDef["type"],
  body: Json,
  target: TargetSpec | undefined,
): { message: string; hint?: string } | undefined {
  if (type === "json6902") {
    if (!target) return { message: "a json6902 patch needs a target", hint: "add target: { kind: …, name: … }" };
    if (!Array.isArray(body))
      return {
        message: "a json6902 patch must be a list of operations",
        hint: "e.g. [ { op: replace, path: /spec/replicas, value: 3 } ]",
      };
    return undefined;
  }
  if (body === null || typeof body !== "object" || Array.isArray(body))
    return { message: `a ${type} patch must be a mapping (a partial resource)` };
  if (!target) {
    const o = body;
    const meta = o.metadata as JsonObject | undefined;
    if (typeof o.kind !== "string" || !meta || typeof meta.name !== "string")
      return {
        message: `a ${type} patch without a target must name its object (apiVersion, kind and metadata.name)`,
        hint: "add a target selector, or write kind and metadata.name into the patch",
      };
  }
  return undefined;
}
