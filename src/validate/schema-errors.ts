/**
 * Turns ajv errors on a resource into diagnostics: one per problem, with the JSON path, a plain message and
 * the source location of the field (through the resource's position maps). The fan-out of anyOf/oneOf is
 * collapsed into one message per combinator.
 */
import type { ErrorObject } from "ajv";
import { pointerToPath } from "../model/yaml-file.js";
import type { Code } from "../diagnostics/codes.js";
import type { Diagnostic, SourceLocation } from "../diagnostics/diagnostic.js";
import { describeId, locateField, type Resource } from "../model/resource.js";

/** What every diagnostic of one validation shares. */
export interface SchemaErrorContext {
  code: Code;
  cluster: string;
  resource: Resource;
  /** Put before each message, e.g. 'policy "require-team":'. */
  prefix?: string;
  hint?: string;
  related?: { message: string; location: SourceLocation }[];
}

/** Friendly names of the formats braid checks. */
const FORMAT_TEXT: Record<string, string> = {
  quantity: "a quantity such as 500m, 2 or 1Gi",
  "k8s-label-value": "a label value (at most 63 characters: alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric)",
  "k8s-qualified-name": "a key of the form [prefix/]name (name: at most 63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric; prefix: a DNS subdomain)",
  "k8s-dns-label": "a DNS-1123 label (at most 63 lower-case alphanumerics or '-', starting and ending with an alphanumeric)",
  "date-time": "an RFC 3339 date-time such as 2024-01-31T12:00:00Z",
  date: "a date such as 2024-01-31",
  byte: "base64-encoded data",
  int32: "a 32-bit integer",
  int64: "a 64-bit integer",
};

/** Diagnostics for the ajv errors of one resource. */
export function explainSchemaErrors(errors: readonly ErrorObject[], ctx: SchemaErrorContext): Diagnostic[] {
  const consumed = new Set<number>();
  const summaries = new Map<number, string>();
  errors.forEach((e, i) => {
    if (e.keyword !== "anyOf" && e.keyword !== "oneOf") return;
    const branch: ErrorObject[] = [];
    for (let j = 0; j < i; j++) {
      if (!consumed.has(j) && errors[j]!.schemaPath.startsWith(`${e.schemaPath}/`)) {
        consumed.add(j);
        branch.push(errors[j]!);
      }
    }
    summaries.set(i, combinatorMessage(e, branch));
  });

  // a value of the wrong type: its enum/format/pattern errors only repeat the problem
  const wrongType = new Set(errors.filter((e, i) => e.keyword === "type" && !consumed.has(i)).map((e) => e.instancePath));
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  errors.forEach((e, i) => {
    if (consumed.has(i) || e.keyword === "propertyNames" || e.keyword === "if") return;
    if (e.keyword !== "type" && e.propertyName === undefined && wrongType.has(e.instancePath) && !summaries.has(i)) return;
    const { pointer, locatePointer, message } = describe(e, summaries.get(i));
    const key = `${pointer}|${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({
      code: ctx.code,
      severity: "error",
      message: ctx.prefix ? `${ctx.prefix} ${message}` : message,
      location: locateField(ctx.resource, pointerToPath(locatePointer)),
      cluster: ctx.cluster,
      resource: describeId(ctx.resource.id),
      path: pointer || "/",
      ...(ctx.hint ? { hint: ctx.hint } : {}),
      ...(ctx.related ? { related: ctx.related } : {}),
    });
  });
  return out.sort(byPosition);
}

/** Source order: line, column, then path. */
function byPosition(a: Diagnostic, b: Diagnostic): number {
  return (
    (a.location?.line ?? 0) - (b.location?.line ?? 0) ||
    (a.location?.column ?? 0) - (b.location?.column ?? 0) ||
    ((a.path ?? "") < (b.path ?? "") ? -1 : (a.path ?? "") > (b.path ?? "") ? 1 : 0)
  );
}

function describe(e: ErrorObject, summary: string | undefined): { pointer: string; locatePointer: string; message: string } {
  const p = e.params as Record<string, unknown>;
  const at = e.instancePath;
  if (summary !== undefined) return { pointer: at, locatePointer: at, message: summary };
  if (e.propertyName !== undefined) {
    const pointer = child(at, e.propertyName);
    const what = e.keyword === "format" ? `must be ${formatText(String(p.format))}` : (e.message ?? "is invalid");
    return { pointer, locatePointer: pointer, message: `invalid key "${e.propertyName}": ${what}` };
  }
  switch (e.keyword) {
    case "additionalProperties": {
      const name = String(p.additionalProperty);
      const pointer = child(at, name);
      const known = Object.keys(propertiesOf(e.parentSchema));
      const guess = closest(name, known);
      return { pointer, locatePointer: pointer, message: `unknown field "${name}"${guess ? ` (did you mean "${guess}"?)` : ""}` };
    }
    case "required": {
      const name = String(p.missingProperty);
      return { pointer: child(at, name), locatePointer: at, message: `missing required field "${name}"` };
    }
    case "type":
      return { pointer: at, locatePointer: at, message: `must be ${typeText(p.type)}, not ${kindOf(e.data)}` };
    case "format":
      return { pointer: at, locatePointer: at, message: `${JSON.stringify(e.data)} is not ${formatText(String(p.format))}` };
    case "enum":
      return {
        pointer: at,
        locatePointer: at,
        message: `${JSON.stringify(e.data)} is not one of ${(Array.isArray(p.allowedValues) ? p.allowedValues : []).filter((v) => v !== null).map((v) => JSON.stringify(v)).join(", ")}`,
      };
    case "const":
      return { pointer: at, locatePointer: at, message: `must be ${JSON.stringify(p.allowedValue)}` };
    case "not":
      if (e.data === null) return { pointer: at, locatePointer: at, message: "is required and must not be null" };
      return { pointer: at, locatePointer: at, message: "matches a schema it must not match" };
    default:
      return { pointer: at, locatePointer: at, message: e.message ?? `fails "${e.keyword}"` };
  }
}

function combinatorMessage(e: ErrorObject, branch: readonly ErrorObject[]): string {
  const p = e.params as Record<string, unknown>;
  if (e.keyword === "oneOf" && Array.isArray(p.passingSchemas)) {
    return `must match exactly one of the allowed forms, but matches ${p.passingSchemas.length} (alternatives ${p.passingSchemas.map((n) => Number(n) + 1).join(" and ")})`;
  }
  if (branch.length && branch.every((b) => b.keyword === "type" && b.instancePath === e.instancePath)) {
    const types = new Set<string>();
    for (const b of branch) for (const t of typeList(b.params.type)) types.add(t);
    return `must be ${[...types].join(" or ")}, not ${kindOf(e.data)}`;
  }
  // the alternative that came closest: fewest errors
  const byAlt = new Map<string, ErrorObject[]>();
  for (const b of branch) {
    const alt = b.schemaPath.slice(e.schemaPath.length + 1).split("/")[0] ?? "";
    byAlt.set(alt, [...(byAlt.get(alt) ?? []), b]);
  }
  const best = [...byAlt.values()].sort((a, b) => a.length - b.length)[0];
  const detail = best?.[0] ? `; closest: ${best[0].instancePath || "/"} ${shortMessage(best[0])}` : "";
  return `matches none of the ${byAlt.size || "allowed"} allowed forms${detail}`;
}

function shortMessage(e: ErrorObject): string {
  return describe(e, undefined).message;
}

function child(pointer: string, name: string): string {
  return `${pointer}/${name.replace(/~/g, "~0").replace(/\//g, "~1")}`;
}

function typeList(t: unknown): string[] {
  const list = (Array.isArray(t) ? t : String(t).split(",")).map(String);
  const real = list.filter((x) => x !== "null");
  return real.length ? real : list;
}

function typeText(t: unknown): string {
  return typeList(t).join(" or ");
}

function formatText(f: string): string {
  return FORMAT_TEXT[f] ?? `a valid ${f}`;
}

function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === "number") return Number.isInteger(v) ? `the integer ${v}` : `the number ${v}`;
  return `${typeof v} ${String(v)}`;
}

function propertiesOf(schema: unknown): Record<string, unknown> {
  const props = typeof schema === "object" && schema !== null ? (schema as { properties?: unknown }).properties : undefined;
  return typeof props === "object" && props !== null ? (props as Record<string, unknown>) : {};
}

/** The known name closest to a typo (case-insensitive equal, or within edit distance 2). */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const k of known) {
    if (k.toLowerCase() === name.toLowerCase()) return k;
    const d = distance(name, k, bestD);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best;
}

function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
