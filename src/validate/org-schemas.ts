/**
 * The fleet's `schemas/` folder: braid `Policy` documents (org schemas applied on top of the Kubernetes
 * schema), kubeconform-style JSON schemas naming a group/version/kind, and CRDs. Pure: the CLI reads the
 * files and passes their text in.
 */
import { readFileSync } from "node:fs";
import type { ValidateFunction } from "ajv";
import type { Document } from "yaml";
import type { LabelSelector } from "../config/types.js";
import { docPositionMap } from "../model/position-map.js";
import { documentToJs, parseYamlFile, pointerToPath, positionOf } from "../model/yaml-file.js";
import { explainAjvErrors } from "../diagnostics/ajv-errors.js";
import type { Diagnostic, SourceLocation } from "../diagnostics/diagnostic.js";
import type { SwaggerSchema } from "../model/kube-openapi.js";
import { idOf, type JsonObject, type Resource } from "../model/resource.js";
import { matchesLabelSelectorObject } from "../model/select-targets.js";
import { gvkList } from "../kube/openapi-compact.js";
import { newAjv } from "./new-ajv.js";
import { stripIds } from "./registry.js";
import { pushAll } from "../model/append.js";

/** Which resources a policy applies to (all given conditions must hold). */
interface PolicyMatch {
  /** Any of these; an omitted group/version matches any. Omitted: every kind. */
  kinds?: { group?: string; version?: string; kind: string }[];
  labelSelector?: LabelSelector;
}

/** An org schema, or a kubeconform-style kind schema, from the fleet's schemas/. */
export interface OrgPolicy {
  /** The Policy's metadata.name, or the file path for plain JSON schemas. */
  name: string;
  /** Where the policy (its schema) is written. */
  location: SourceLocation;
  match: PolicyMatch;
  /** JSON schema applied to the whole resource. */
  schema: SwaggerSchema;
  /** True for a plain JSON schema carrying x-kubernetes-group-version-kind: it is that kind's schema (counts
   * as "a schema exists", strict applies, violations are SCHEMA_VIOLATION). False for braid Policies (ORG_POLICY). */
  kindSchema: boolean;
  /** Why the policy exists (Policy spec.description); shown as the hint. */
  description?: string;
}

/** What the fleet's schemas/ folder holds. */
export interface FleetSchemas {
  crds: Resource[];
  policies: OrgPolicy[];
  diagnostics: Diagnostic[];
}

const POLICY_SCHEMA_URL = new URL("../../schemas/policy.schema.json", import.meta.url);
let policyValidator: ValidateFunction | undefined;

/** Reads the documents of the files under schemas/ (paths relative to the fleet). */
export function loadFleetSchemas(files: readonly { path: string; text: string }[]): FleetSchemas {
  try {
    return readFleetSchemas(files);
  } finally {
    checker = undefined; // the ajv that checked this run's schemas keeps them: not past the run
  }
}

function readFleetSchemas(files: readonly { path: string; text: string }[]): FleetSchemas {
  const out: FleetSchemas = { crds: [], policies: [], diagnostics: [] };
  const names = new Map<string, SourceLocation>();
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const yaml = parseYamlFile(f.text, f.path, { source: "fleet" });
    pushAll(out.diagnostics, yaml.diagnostics);
    if (yaml.diagnostics.length) continue;
    yaml.docs.forEach((doc, docIndex) => {
      if (doc.contents === null) return;
      const { value, diagnostic } = documentToJs(doc, f.path, yaml.lineCounter);
      if (diagnostic) return void out.diagnostics.push({ ...diagnostic, code: "ORG_SCHEMA_INVALID" });
      const at = (path: (string | number)[]): SourceLocation => {
        const p = positionOf(yaml, doc, path, { preferKey: true });
        return { file: f.path, line: p?.line, column: p?.column };
      };
      const before = out.policies.length;
      readDocument(value, f.path, docIndex, yaml, doc, at, out);
      for (const p of out.policies.slice(before)) {
        const first = names.get(p.name);
        if (first) {
          out.diagnostics.push({
            code: "ORG_SCHEMA_INVALID",
            severity: "error",
            message: `policy "${p.name}" is defined twice`,
            location: p.location,
            related: [{ message: "first defined here", location: first }],
          });
        } else names.set(p.name, p.location);
      }
    });
  }
  return out;
}

function readDocument(
  value: unknown,
  file: string,
  docIndex: number,
  yaml: ReturnType<typeof parseYamlFile>,
  doc: Document.Parsed,
  at: (path: (string | number)[]) => SourceLocation,
  out: FleetSchemas,
): void {
  if (!isObject(value)) {
    out.diagnostics.push(bad("the document is not an object", at([])));
    return;
  }
  if (value.kind === "Policy" && typeof value.apiVersion === "string" && value.apiVersion.startsWith("braid/")) {
    const policy = readPolicy(value, at, out.diagnostics);
    if (policy) out.policies.push(policy);
    return;
  }
  if (
    value.kind === "CustomResourceDefinition" &&
    typeof value.apiVersion === "string" &&
    value.apiVersion.startsWith("apiextensions.k8s.io/")
  ) {
    const pos = at([]);
    out.crds.push({
      id: idOf(value as JsonObject),
      object: value as JsonObject,
      origin: { source: "fleet", commit: "", file, docIndex, line: pos.line ?? 1, column: pos.column ?? 1 },
      positions: [docPositionMap(yaml, doc, { file, source: "fleet" })],
    });
    return;
  }
  if (value.kind === "List" && Array.isArray(value.items)) {
    value.items.forEach((item, i) => {
      if (isObject(item) && item.kind === "CustomResourceDefinition") {
        const pos = at(["items", i]);
        out.crds.push({
          id: idOf(item as JsonObject),
          object: item as JsonObject,
          origin: { source: "fleet", commit: "", file, docIndex, line: pos.line ?? 1, column: pos.column ?? 1 },
          positions: [docPositionMap(yaml, doc, { file, source: "fleet" }, ["items", i])],
        });
      } else
        out.diagnostics.push(bad("only CustomResourceDefinitions are read from a List in schemas/", at(["items", i])));
    });
    return;
  }
  const gvks = gvkList(value["x-kubernetes-group-version-kind"]);
  if (gvks.length) {
    const schema = value as SwaggerSchema;
    const location = at([]);
    const err = compileError(schema);
    if (err) return void out.diagnostics.push(bad(`the JSON schema does not compile: ${err}`, location));
    out.policies.push({
      name: docIndex ? `${file}#${docIndex}` : file,
      location,
      match: { kinds: gvks.map((g) => ({ group: g.group, version: g.version, kind: g.kind })) },
      schema,
      kindSchema: true,
    });
    return;
  }
  out.diagnostics.push(
    bad(
      "not a braid Policy, a CustomResourceDefinition, or a JSON schema with x-kubernetes-group-version-kind",
      at([]),
      "see examples/fleet-repo/schemas for the formats braid reads from schemas/",
    ),
  );
}

function readPolicy(
  value: Record<string, unknown>,
  at: (path: (string | number)[]) => SourceLocation,
  diags: Diagnostic[],
): OrgPolicy | undefined {
  policyValidator ??= newAjv().compile(JSON.parse(readFileSync(POLICY_SCHEMA_URL, "utf8")) as object);
  if (!policyValidator(value)) {
    for (const problem of explainAjvErrors(policyValidator.errors ?? []))
      diags.push(
        bad(
          `Policy ${problem.at || "/"}: ${problem.message}`,
          at(pointerToPath(problem.locate)),
          problem.hint ?? "see schemas/policy.schema.json",
        ),
      );
    return undefined;
  }
  const meta = value.metadata as { name: string };
  const spec = value.spec as { match: PolicyMatch; schema: SwaggerSchema; description?: string };
  const location = at(["spec", "schema"]);
  const err = compileError(spec.schema);
  if (err) {
    diags.push(bad(`policy "${meta.name}": spec.schema does not compile: ${err}`, location));
    return undefined;
  }
  return {
    name: meta.name,
    location,
    match: spec.match,
    schema: spec.schema,
    kindSchema: false,
    description: spec.description,
  };
}

/** The ajv of one `loadFleetSchemas` call (synchronous, so no other run sees it). */
let checker: ReturnType<typeof newAjv> | undefined;

/** Compiles a user schema once to report mistakes at load time (the registry compiles it again for use). */
function compileError(schema: SwaggerSchema): string | undefined {
  checker ??= newAjv();
  try {
    checker.compile(stripIds(schema));
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** True when a policy applies to a resource (its kinds and label selector). */
export function policyApplies(policy: OrgPolicy, r: Resource): boolean {
  const kinds = policy.match.kinds;
  if (
    kinds &&
    !kinds.some(
      (k) =>
        k.kind === r.id.kind &&
        (k.group === undefined || k.group === r.id.group) &&
        (k.version === undefined || k.version === r.id.version),
    )
  ) {
    return false;
  }
  if (policy.match.labelSelector) {
    const meta = r.object.metadata;
    const raw = isObject(meta) && isObject(meta.labels) ? meta.labels : {};
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(raw)) if (typeof v === "string") labels[k] = v;
    if (!matchesLabelSelectorObject(labels, policy.match.labelSelector)) return false;
  }
  return true;
}

function bad(message: string, location: SourceLocation, hint?: string): Diagnostic {
  return { code: "ORG_SCHEMA_INVALID", severity: "error", message, location, ...(hint ? { hint } : {}) };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
