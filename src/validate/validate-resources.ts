/**
 * Validates one cluster's rendered resources: each against its kind's schema (a CRD in the render or under
 * schemas/, else the Kubernetes OpenAPI, else a kind schema from schemas/), its metadata name rule, and the
 * org policies that match it. Every problem is reported, with cluster, resource, JSON path and source line.
 */
import type { ValidateFunction } from "ajv";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { gvkKey, type KubeOpenApi } from "../model/kube-openapi.js";
import { describeId, locateField, type Resource } from "../model/resource.js";
import { apiServerRules } from "./api-rules.js";
import { indexCrds, isCrd, type CrdVersion } from "./crd.js";
import { checkIdentity } from "./object-identity.js";
import { policyApplies, type OrgPolicy } from "./org-schemas.js";
import { createSchemaRegistry, type SchemaRegistry } from "./registry.js";
import { explainSchemaErrors } from "./schema-errors.js";
import { defaultSeverityOf } from "../diagnostics/codes.js";
import { checkOnce, validateOnce, type ValidationMemo } from "./validation-memo.js";
import { pushAll } from "../model/append.js";

/** Everything validation needs for one cluster. */
export interface ValidationContext {
  cluster: string;
  openapi: KubeOpenApi;
  /** CRDs from the fleet's schemas/ (CRDs in the rendered resources are picked up as well, and win). */
  crds: Resource[];
  policies: OrgPolicy[];
  strict: boolean;
  ignoreMissingSchemas: boolean;
  /** Kinds not checked against a Kubernetes schema (org policies still apply): "Kind", "group/version/Kind"
   * or "apiVersion/Kind" (e.g. "v1/ConfigMap"). */
  skipKinds: string[];
  /** Reuse across clusters (same openapi and strict); created when absent. */
  registry?: SchemaRegistry;
  /** Clean results of this run, reused for objects shared across clusters. */
  memo?: ValidationMemo;
}

/** Validates resources; returns every diagnostic (errors, warnings for ignored missing schemas, a CEL note). */
/** A SOPS-encrypted document: a top-level `sops` mapping (as Flux's kustomize-controller detects it). */
function isSopsEncrypted(r: Resource): boolean {
  const s = r.object.sops;
  return s !== null && typeof s === "object" && !Array.isArray(s);
}

/** A kind listed under validation.skipKinds (in {@link KindEntry}). */
const SKIPPED = Symbol("skipped");

interface KindEntry {
  key: string;
  crd?: CrdVersion;
  /** The validator; undefined: no schema; null: a schema that does not compile (reported). */
  validate: ValidateFunction | undefined | null | typeof SKIPPED;
}

export function validateResources(resources: readonly Resource[], ctx: ValidationContext): Diagnostic[] {
  const registry =
    ctx.registry?.openapi === ctx.openapi && ctx.registry.strict === ctx.strict
      ? ctx.registry
      : createSchemaRegistry(ctx.openapi, { strict: ctx.strict });
  const crds = indexCrds([...ctx.crds, ...resources.filter(isCrd)]);
  const kindSchemas = new Set<string>();
  for (const p of ctx.policies) {
    if (p.kindSchema)
      for (const k of p.match.kinds ?? []) kindSchemas.add(gvkKey(k.group ?? "", k.version ?? "", k.kind));
  }
  const celUsed = new Map<string, CrdVersion>();
  const broken = new Set<string>();
  const out: Diagnostic[] = [];
  let sops = 0;
  /**
   * What each kind of the list needs (by group, version and kind: nothing made per object), worked out at its
   * first object: its key, its CRD, and its validator (compiled or reported there), or SKIPPED.
   */
  const kinds = new Map<string, Map<string, Map<string, KindEntry>>>();
  const kindOf = (r: Resource, group: string, version: string, kind: string): KindEntry => {
    let byVersion = kinds.get(group);
    if (!byVersion) kinds.set(group, (byVersion = new Map<string, Map<string, KindEntry>>()));
    let byKind = byVersion.get(version);
    if (!byKind) byVersion.set(version, (byKind = new Map<string, KindEntry>()));
    let entry = byKind.get(kind);
    if (entry) return entry;
    const key = gvkKey(group, version, kind);
    if (skipped(ctx.skipKinds, group, version, kind)) entry = { key, validate: SKIPPED };
    else {
      const crd = crds.versions.get(key);
      if (crd && crd.celRules > 0) celUsed.set(`${crd.crd}/${crd.version}`, crd);
      const validate = compileOnce(broken, out, ctx, r, crd, () =>
        crd ? registry.custom(crd.schema ?? {}) : registry.builtin({ group, version, kind }),
      );
      entry = { key, crd, validate };
    }
    byKind.set(kind, entry);
    return entry;
  };

  for (const r of resources) {
    const { group, version, kind } = r.id;
    // kind, namespace and name become the output path: checked for every object, skipped kind or not
    const identity = checkOnce(ctx.memo?.identityClean, r, checkIdentity, ctx.cluster);
    /** The paths the schema's errors were reported at (made only when there are errors). */
    let schemaPaths: Set<string | undefined> | undefined;
    if (isSopsEncrypted(r)) {
      // values are ciphertext until Flux decrypts them: only the cleartext metadata can be checked
      sops++;
      pushAll(out, identity);
      continue;
    }
    if (!kind || !version) {
      out.push({
        code: "SCHEMA_VIOLATION",
        severity: "error",
        message: "the document has no apiVersion or kind",
        location: locateField(r, []),
        cluster: ctx.cluster,
        resource: describeId(r.id),
        path: "/",
      });
      pushAll(out, identity);
      continue;
    }
    const { key, validate } = kindOf(r, group, version, kind);
    if (validate !== SKIPPED) {
      if (validate) {
        if (!validateOnce(ctx.memo, validate, r.object)) {
          const errors = explainSchemaErrors(validate.errors ?? [], {
            code: "SCHEMA_VIOLATION",
            cluster: ctx.cluster,
            resource: r,
          });
          pushAll(out, errors);
          schemaPaths = new Set(errors.map((d) => d.path));
        }
      } else if (validate === undefined && !kindSchemas.has(key)) {
        out.push(missingSchema(r, crds.servedByGroupKind.get(`${group}/${kind}`), ctx));
      }
      // the schema may check the same fields (ObjectMeta formats): report each once
      if (identity.length) pushAll(out, schemaPaths ? identity.filter((d) => !schemaPaths!.has(d.path)) : identity);
      pushAll(out, checkOnce(ctx.memo?.rulesClean, r, apiServerRules, ctx.cluster));
    } else pushAll(out, identity);
    for (const p of ctx.policies) {
      if (!policyApplies(p, r)) continue;
      const validate = compileOnce(broken, out, ctx, r, undefined, () => registry.org(p.schema, p.kindSchema), p);
      if (!validate || validateOnce(ctx.memo, validate, r.object)) continue;
      pushAll(
        out,
        explainSchemaErrors(validate.errors ?? [], {
          code: p.kindSchema ? "SCHEMA_VIOLATION" : "ORG_POLICY",
          cluster: ctx.cluster,
          resource: r,
          prefix: p.kindSchema ? undefined : `policy "${p.name}":`,
          hint: p.description,
          related: [{ message: p.kindSchema ? `schema ${p.name}` : `policy "${p.name}"`, location: p.location }],
        }),
      );
    }
  }
  if (celUsed.size) out.push(celSummary([...celUsed.values()], ctx.cluster));
  if (sops)
    out.push({
      code: "SOPS_NOT_VALIDATED",
      severity: defaultSeverityOf("SOPS_NOT_VALIDATED"),
      cluster: ctx.cluster,
      message: `${sops} SOPS-encrypted document${sops === 1 ? " was" : "s were"} checked by metadata only (their values stay encrypted until Flux decrypts them)`,
    });
  return out;
}

/**
 * Gets a validator; a schema that does not compile (a broken CRD, a pattern JavaScript cannot run) is
 * reported once and gives `null` (the kind is then not validated) instead of aborting the run.
 */
function compileOnce(
  broken: Set<string>,
  out: Diagnostic[],
  ctx: ValidationContext,
  r: Resource,
  crd: CrdVersion | undefined,
  get: () => ValidateFunction | undefined,
  policy?: OrgPolicy,
): ValidateFunction | undefined | null {
  try {
    return get();
  } catch (e) {
    const where = policy
      ? `the schema of ${policy.kindSchema ? policy.name : `policy "${policy.name}"`}`
      : crd
        ? `the schema of CustomResourceDefinition ${crd.crd} (${crd.version})`
        : `the OpenAPI schema of ${r.id.kind}`;
    const msg = `${where} cannot be compiled: ${e instanceof Error ? e.message : String(e)}`;
    if (!broken.has(msg)) {
      broken.add(msg);
      out.push({
        code: policy ? "ORG_SCHEMA_INVALID" : "SCHEMA_MISSING",
        severity: ctx.ignoreMissingSchemas && !policy ? "warning" : "error",
        message: `${msg}; it is not applied`,
        location: policy
          ? policy.location
          : crd
            ? locateField(crd.source, ["spec", "versions"])
            : locateField(r, ["kind"]),
        cluster: ctx.cluster,
        resource: describeId(r.id),
      });
    }
    return null;
  }
}

/** True when a kind is listed under validation.skipKinds. */
function skipped(skipKinds: readonly string[], group: string, version: string, kind: string): boolean {
  if (!skipKinds.length) return false;
  const apiVersion = group ? `${group}/${version}` : version;
  return skipKinds.some((s) => s === kind || s === `${group}/${version}/${kind}` || s === `${apiVersion}/${kind}`);
}

function missingSchema(r: Resource, served: string[] | undefined, ctx: ValidationContext): Diagnostic {
  const { group, version, kind } = r.id;
  const apiVersion = group ? `${group}/${version}` : version;
  // a built-in kind at a version this Kubernetes no longer (or not yet) serves: name the versions it does serve
  const builtinVersions = Object.keys(ctx.openapi.kinds)
    .map((k) => k.split("/"))
    .filter((p) => p.length === 3 && p[0] === group && p[2] === kind)
    .map((p) => (p[0] ? `${p[0]}/${p[1]}` : p[1]!))
    .sort();
  const message = served
    ? `no schema for ${kind} ${apiVersion}: its CustomResourceDefinition serves ${served.join(", ")}, not ${version}`
    : builtinVersions.length
      ? `${kind} ${apiVersion} is not served by Kubernetes ${ctx.openapi.kubernetesVersion}: use ${builtinVersions.join(" or ")}`
      : `no schema for ${kind} ${apiVersion}: Kubernetes ${ctx.openapi.kubernetesVersion} does not serve it and no CustomResourceDefinition defines it`;
  return {
    code: "SCHEMA_MISSING",
    severity: ctx.ignoreMissingSchemas ? "warning" : "error",
    message: ctx.ignoreMissingSchemas ? `${message} (not validated: ignoreMissingSchemas is set)` : message,
    location: locateField(r, ["apiVersion"]),
    cluster: ctx.cluster,
    resource: describeId(r.id),
    path: "/apiVersion",
    hint: builtinVersions.length
      ? `the API server would reject it on apply; change apiVersion to ${builtinVersions[builtinVersions.length - 1]} (check the fields that changed between versions)`
      : `add its CustomResourceDefinition to the render or under schemas/, add a JSON schema with ` +
        `x-kubernetes-group-version-kind ${group || '""'}/${version}/${kind} under schemas/, or list "${kind}" under validation.skipKinds`,
  };
}

function celSummary(used: CrdVersion[], cluster: string): Diagnostic {
  const rules = used.reduce((n, v) => n + v.celRules, 0);
  const names = [...new Set(used.map((v) => `${v.kind} (${v.crd} ${v.version})`))].sort();
  return {
    code: "CEL_NOT_EVALUATED",
    severity: defaultSeverityOf("CEL_NOT_EVALUATED"),
    message: `${rules} CEL rule${rules === 1 ? "" : "s"} (x-kubernetes-validations) of ${names.join(", ")} ${rules === 1 ? "was" : "were"} not evaluated; the API server checks ${rules === 1 ? "it" : "them"} on apply`,
    cluster,
    // the CRD's own document (never a patch of it: a cluster patch on the CRD would point at the cluster file)
    location: (({ file, line, column, source, commit }) => ({ file, line, column, source, commit }))(
      used[0]!.source.origin,
    ),
  };
}
