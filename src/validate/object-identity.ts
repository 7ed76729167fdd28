/**
 * The identity of every rendered object (kind, namespace, name) checked against the API server's own rules,
 * whatever the kind's schema and `validation.skipKinds` say: these three strings become the object's file
 * path in the output (`<namespace>/<kind>-<name>.yaml`), so a name such as `../../c2/kustomization` must be
 * an error located at its field, never a path.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { describeId, locateField, type Json, type Resource } from "../model/resource.js";
import { isDns1123Label, isDns1123Subdomain } from "./kube-formats.js";
import { nameProblem } from "./object-name.js";

/** A kind as Go type names are written (Kubernetes kinds are Go type names): letters, digits, `_`. */
const KIND = /^[A-Za-z_][A-Za-z0-9_]*$/;

const isMap = (v: Json | undefined): v is { [key: string]: Json } =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Why a kind is unusable, or undefined. */
function kindProblem(kind: string): string | undefined {
  return KIND.test(kind)
    ? undefined
    : `kind ${JSON.stringify(kind)} is not a kind name (letters, digits and '_', starting with a letter)`;
}

/** Why a namespace is invalid, or undefined. */
function namespaceProblem(namespace: string): string | undefined {
  return isDns1123Label(namespace)
    ? undefined
    : `namespace ${JSON.stringify(namespace)} must be a DNS-1123 label (at most 63 lower-case alphanumerics or '-', starting and ending with an alphanumeric)`;
}

/** Errors for an object's kind, namespace and name (a missing kind or name is left to schema validation). */
export function checkIdentity(r: Resource, cluster: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const base = { code: "SCHEMA_VIOLATION" as const, severity: "error" as const, cluster, resource: describeId(r.id) };
  const { kind } = r.id;
  const kindWhy = kind ? kindProblem(kind) : undefined;
  if (kindWhy) out.push({ ...base, message: kindWhy, location: locateField(r, ["kind"]), path: "/kind" });
  const { group, version } = r.id;
  // the group can become part of a file name (`<kind>.<group>-<name>.yaml`)
  if ((group && !isDns1123Subdomain(group)) || (version && !isDns1123Label(version)))
    out.push({
      ...base,
      message: `apiVersion ${JSON.stringify(r.object.apiVersion)} is not <group>/<version> (group a DNS-1123 subdomain, version a DNS-1123 label, e.g. apps/v1)`,
      location: locateField(r, ["apiVersion"]),
      path: "/apiVersion",
    });
  const meta = r.object.metadata;
  if (!isMap(meta)) return out; // the schema reports a missing or malformed metadata
  if (meta.namespace !== undefined && meta.namespace !== null && meta.namespace !== "") {
    const why = typeof meta.namespace === "string" ? namespaceProblem(meta.namespace) : "namespace must be a string";
    if (why)
      out.push({
        ...base,
        message: why,
        location: locateField(r, ["metadata", "namespace"]),
        path: "/metadata/namespace",
      });
  }
  if (typeof meta.name !== "string" || meta.name === "") {
    if (typeof meta.generateName === "string" && meta.generateName) return out;
    out.push({
      ...base,
      message: 'missing required field "name"',
      location: locateField(r, ["metadata"]),
      path: "/metadata/name",
    });
    return out;
  }
  const why = nameProblem(r.id.group, kindWhy ? "" : kind, meta.name);
  if (why) out.push({ ...base, message: why, location: locateField(r, ["metadata", "name"]), path: "/metadata/name" });
  return out;
}

/** checkIdentity over a cluster's resources. */
export function checkIdentities(resources: readonly Resource[], cluster: string): Diagnostic[] {
  return resources.flatMap((r) => checkIdentity(r, cluster));
}
