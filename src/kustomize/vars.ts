/**
 * kustomize's `vars` (deprecated in kustomize, still in kubebuilder v3 scaffolds with cert-manager and in
 * operators built from them), as kustomize v5.5 runs them (api/internal/accumulator/resaccumulator.go
 * `MergeVars`/`ResolveVars`, api/filters/refvar):
 * - when a kustomization's build is done, each of its vars marks the one object its `objref` names (by
 *   group, version, kind and name, current or earlier; also by namespace when the objref gives one or the
 *   kind is cluster-scoped); two such objects are an error; the vars of the folders built are kept, and a
 *   name declared twice is an error;
 * - once the top kustomization is built (after hash suffixes and name references), each var's value is read
 *   from its object at `fieldref.fieldPath` (default `metadata.name`), and `$(NAME)` is replaced in the fields
 *   of the varReference field specs (kustomize's defaults, plus `configurations`): a field that is exactly
 *   `$(NAME)` takes the value with its type, inside text the value's text; `$$` is `$`; an unknown name stays.
 */
import { isClusterScoped } from "../model/kustomize-scope.js";
import type { Diagnostic, SourceLocation } from "../diagnostics/diagnostic.js";
import {
  type Json,
  type JsonObject,
  type JsonPath,
  type PositionMap,
  type Resource,
  type ResourceId,
} from "../model/resource.js";
import { cloneJson, type FieldSpec, isObject, specSelects, walkFieldSpec } from "./field-spec.js";
import { lookup, splitFieldPath } from "./field-path.js";
import type { KustomizationFile } from "./kustomization-file.js";

/** One var, with where it was declared. */
export interface KVar {
  name: string;
  target: { group: string; version: string; kind: string; name: string; namespace: string };
  fieldPath: string;
  at: SourceLocation;
}

function invalid(message: string, location: SourceLocation, hint?: string): Diagnostic {
  return { code: "KUSTOMIZE_INVALID", severity: "error", message, location, ...(hint ? { hint } : {}) };
}

const str = (v: Json | undefined): string => (typeof v === "string" ? v : "");

/** The `vars` of a kustomization (already matched to kustomize's field names). */
export function readVars(k: KustomizationFile, diagnostics: Diagnostic[]): KVar[] {
  const raw = k.value.vars;
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    diagnostics.push(invalid("vars must be a list", k.locate(["vars"])));
    return [];
  }
  const out: KVar[] = [];
  for (const [i, v] of raw.entries()) {
    const at = k.locate(["vars", i]);
    if (!isObject(v)) {
      diagnostics.push(invalid(`vars[${i}] must be a mapping (name, objref, fieldref)`, at));
      continue;
    }
    const unknown = Object.keys(v).find((key) => !["name", "objref", "fieldref"].includes(key));
    if (unknown !== undefined) {
      diagnostics.push(
        invalid(`unknown field ${JSON.stringify(unknown)} in vars[${i}]`, k.locate(["vars", i, unknown])),
      );
      continue;
    }
    const ref = isObject(v.objref) ? v.objref : {};
    // kustomize's Target.GVK: apiVersion, when given, sets group and version
    let { group, version } = { group: str(ref.group), version: str(ref.version) };
    const apiVersion = str(ref.apiVersion);
    if (apiVersion) {
      const parts = apiVersion.split("/");
      if (parts.length === 2) [group, version] = [parts[0]!, parts[1]!];
      else if (parts.length === 1) version = parts[0]!;
    }
    const fieldref = isObject(v.fieldref) ? v.fieldref : {};
    out.push({
      name: str(v.name),
      target: { group, version, kind: str(ref.kind), name: str(ref.name), namespace: str(ref.namespace) },
      fieldPath: str(fieldref.fieldPath) || "metadata.name",
      at,
    });
  }
  return out;
}

/** Adds `more` to `into`; a name already there is an error ("var 'X' already encountered"). */
export function mergeVars(into: KVar[], more: readonly KVar[], diagnostics: Diagnostic[]): void {
  for (const v of more) {
    if (into.some((x) => x.name === v.name)) {
      diagnostics.push(
        invalid(`var '${v.name}' already encountered (kustomize refuses a var declared twice)`, v.at, "rename one"),
      );
      continue;
    }
    into.push(v);
  }
}

/** kustomize's ResId.EffectiveNamespace. */
function effectiveNamespace(ns: string, clusterScoped: boolean): string {
  return clusterScoped ? "" : ns || "default";
}

/**
 * kustomize's MergeVars: each var marks the object its objref names (`refVars`); several is an error. Returns
 * the resources with their marks.
 */
export function markVars(resources: readonly Resource[], vars: readonly KVar[], diagnostics: Diagnostic[]): Resource[] {
  let out = [...resources];
  for (const v of vars) {
    const t = v.target;
    const clusterScoped = isClusterScoped(t);
    const byNamespace = t.namespace !== "" || clusterScoped;
    const matches = (id: ResourceId) =>
      id.group === t.group &&
      id.version === t.version &&
      id.kind === t.kind &&
      id.name === t.name &&
      (!byNamespace ||
        effectiveNamespace(id.namespace, clusterScoped) === effectiveNamespace(t.namespace, clusterScoped));
    const matched = out.filter((r) => [r.id, ...(r.previous ?? [])].some(matches));
    if (matched.length > 1) {
      diagnostics.push(
        invalid(
          `found ${matched.length} objects for var ${v.name} (unable to disambiguate: ${matched.map((r) => `${r.id.kind} ${r.id.namespace ? `${r.id.namespace}/` : ""}${r.id.name}`).join(", ")})`,
          v.at,
          "give the objref a namespace",
        ),
      );
      continue;
    }
    const only = matched[0];
    if (only) out = out.map((r) => (r === only ? { ...r, refVars: [...(r.refVars ?? []), v.name] } : r));
  }
  return out;
}

/** kyaml's convertSliceIndex (GetFieldValue): `ports[0]` is the field `ports`, then its element 0. */
function sliceIndexes(segments: readonly string[]): string[] {
  return segments.flatMap((s) => {
    const m = /^(.*)\[(\d+)\]$/.exec(s);
    return m ? [...(m[1] ? [m[1]] : []), m[2]!] : [s];
  });
}

type Value = string | number | boolean;

/** kustomize's DoReplacements: `$(NAME)` replaced by `mapping`; a field that is exactly `$(NAME)` keeps the value's type. */
function doReplacements(input: string, mapping: (name: string) => Value | undefined): Value {
  let out = "";
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== "$" || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const rest = input.slice(cursor + 1);
    let advance = 1;
    if (rest[0] === "$") out += "$";
    else if (rest[0] === "(") {
      const close = rest.indexOf(")", 1);
      if (close < 0) out += "$(";
      else {
        const name = rest.slice(1, close);
        const mapped = mapping(name);
        if (input === `$(${name})`) return mapped ?? input;
        out += mapped === undefined ? `$(${name})` : String(mapped);
        advance = close + 1;
      }
    } else out += `$${rest[0]}`;
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

/**
 * kustomize's ResolveVars on the top folder's result: the value of each var, then `$(NAME)` replaced in the
 * varReference fields of every object.
 */
export function resolveVars(
  resources: readonly Resource[],
  vars: readonly KVar[],
  specs: readonly FieldSpec[],
  diagnostics: Diagnostic[],
): Resource[] {
  if (!vars.length) return [...resources];
  const values = new Map<string, Json>();
  const declared = new Map(vars.map((v) => [v.name, v]));
  for (const v of [...vars].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const source = resources.find((r) => r.refVars?.includes(v.name));
    if (!source) {
      diagnostics.push(
        invalid(
          `var '${v.name}' cannot be mapped to a field in the set of known resources (no ${v.target.kind} ${v.target.name} matches its objref)`,
          v.at,
          "the objref needs the object's kind, name and version (apiVersion)",
        ),
      );
      return [...resources];
    }
    const value = lookup(source.object, sliceIndexes(splitFieldPath(v.fieldPath)));
    if (value === undefined) {
      diagnostics.push(
        invalid(
          `field ${v.fieldPath} specified in var '${v.name}' not found in ${source.id.kind} ${source.id.name}`,
          v.at,
        ),
      );
      return [...resources];
    }
    values.set(v.name, value);
  }
  // kustomize's primitive replacer: a map or list value is not substituted
  const mapping = (name: string): Value | undefined => {
    const value = values.get(name);
    return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? value : undefined;
  };
  const replacedBy = (text: string): string | undefined =>
    [...text.matchAll(/\$\(([^)]*)\)/g)].map((m) => m[1]!).find((n) => mapping(n) !== undefined);
  const out: Resource[] = [];
  for (const res of resources) {
    let object: JsonObject | undefined;
    const written: { path: JsonPath; at: SourceLocation }[] = [];
    for (const spec of specs) {
      if (!specSelects(spec, res.id)) continue;
      object ??= cloneJson(res.object);
      const replace = (holder: JsonObject | Json[], key: string | number, path: JsonPath) => {
        const text = (holder as Record<string | number, Json>)[key];
        if (typeof text !== "string" || !text.includes("$")) return;
        const next = doReplacements(text, mapping);
        if (next === text) return;
        (holder as Record<string | number, Json>)[key] = next;
        const name = replacedBy(text);
        const at = name === undefined ? undefined : declared.get(name)?.at;
        if (at) written.push({ path, at });
      };
      let problem: string | undefined;
      walkFieldSpec(object, { path: spec.path }, (parent, key, path) => {
        const v = parent[key];
        if (v === undefined || v === null) return;
        if (typeof v === "string") replace(parent, key, path);
        else if (Array.isArray(v)) {
          v.forEach((item, i) => {
            if (typeof item !== "string") problem ??= `${path.join(".")}[${i}] is not a string`;
            else replace(v, i, [...path, i]);
          });
        } else if (isObject(v)) for (const k of Object.keys(v)) replace(v, k, [...path, k]);
      });
      if (problem) {
        diagnostics.push(
          invalid(
            `${res.id.kind} ${res.id.name}: ${problem}; kustomize replaces vars only in lists of strings`,
            {
              file: res.origin.file,
              line: res.origin.line,
              column: res.origin.column,
              source: res.origin.source,
              commit: res.origin.commit,
            },
            "quote the value",
          ),
        );
        return [...resources];
      }
    }
    const { refVars: _marks, ...clean } = res;
    if (!object || !written.length) {
      out.push(clean);
      continue;
    }
    // a replaced field points at the var that gave its value
    const positions: PositionMap = {
      locate: (path) =>
        written.find((w) => w.path.length <= path.length && w.path.every((seg, i) => String(seg) === String(path[i])))
          ?.at,
      prefixes: () => written.map((w) => ({ path: w.path, at: w.at })),
    };
    out.push({ ...clean, object, positions: [...clean.positions, positions] });
  }
  return out;
}
