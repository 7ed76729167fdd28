/**
 * The one translator of ajv errors into problems, for braid's own config files (config/schema-check.ts),
 * Kubernetes resources and org policies (validate/): one problem per mistake, with a plain message, the JSON
 * pointer it is about, the pointer to show in the source, and "did you mean" for a mistyped field or enum
 * value. Callers only locate the pointer (a YAML document, a resource's position maps) and add their context.
 *
 * ajv reports every failed branch of an anyOf/oneOf and, for a value of the wrong type, its enum/format/pattern
 * errors too; both fan-outs collapse into one message (the combinator's, naming the closest alternative).
 */
import type { ErrorObject } from "ajv";
import type { Diagnostic } from "./diagnostic.js";
import { closest } from "./did-you-mean.js";

/** One schema problem, not yet located. */
export interface SchemaProblem {
  /** JSON pointer of what the problem is about (for a missing field: that field). */
  pointer: string;
  /** JSON pointer of the node to point at in the source (for a missing field: its parent). */
  locate: string;
  /** JSON pointer of the value ajv checked (for a missing or unknown field: the object holding it). */
  at: string;
  /** Point at the key rather than the value (a field that should not be there). */
  atKey: boolean;
  message: string;
  /** What to do, when the schema says more than the message (the allowed fields). */
  hint?: string;
  /** The known name an unknown field or enum value was probably meant to be. */
  guess?: string;
  /** A required field that is missing. */
  missing?: boolean;
}

/** Friendly names of the formats braid checks. */
const FORMAT_TEXT: Record<string, string> = {
  quantity: "a quantity such as 500m, 2 or 1Gi",
  "k8s-label-value":
    "a label value (at most 63 characters: alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric)",
  "k8s-qualified-name":
    "a key of the form [prefix/]name (name: at most 63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric; prefix: a DNS subdomain)",
  "k8s-dns-label":
    "a DNS-1123 label (at most 63 lower-case alphanumerics or '-', starting and ending with an alphanumeric)",
  "date-time": "an RFC 3339 date-time such as 2024-01-31T12:00:00Z",
  date: "a date such as 2024-01-31",
  byte: "base64-encoded data",
  int32: "a 32-bit integer",
  int64: "a 64-bit integer",
};

/** The problems of one failed validation (ajv run with `allErrors` and `verbose`), in ajv's order. */
export function explainAjvErrors(errors: readonly ErrorObject[]): SchemaProblem[] {
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
  const wrongType = new Set(
    errors.filter((e, i) => e.keyword === "type" && !consumed.has(i)).map((e) => e.instancePath),
  );
  const out: SchemaProblem[] = [];
  const seen = new Set<string>();
  errors.forEach((e, i) => {
    if (consumed.has(i) || e.keyword === "propertyNames" || e.keyword === "if") return;
    if (e.keyword !== "type" && e.propertyName === undefined && wrongType.has(e.instancePath) && !summaries.has(i))
      return;
    const problem = describe(e, summaries.get(i));
    const key = `${problem.pointer}|${problem.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(problem);
  });
  // a mistyped required field is one mistake: "unknown field "sorces" (did you mean "sources"?)" says it all
  const guessed = new Set(out.map((p) => (p.guess !== undefined ? child(p.at, p.guess) : "")));
  return out.filter((p) => !(p.missing && guessed.has(p.pointer)));
}

/** Source order for located schema diagnostics: line, column, then path. */
export function bySourcePosition(a: Diagnostic, b: Diagnostic): number {
  return (
    (a.location?.line ?? 0) - (b.location?.line ?? 0) ||
    (a.location?.column ?? 0) - (b.location?.column ?? 0) ||
    ((a.path ?? "") < (b.path ?? "") ? -1 : (a.path ?? "") > (b.path ?? "") ? 1 : 0)
  );
}

function describe(e: ErrorObject, summary: string | undefined): SchemaProblem {
  const p = e.params as Record<string, unknown>;
  const at = e.instancePath;
  const here = (message: string): SchemaProblem => ({ pointer: at, locate: at, at, atKey: false, message });
  if (summary !== undefined) return here(summary);
  if (e.propertyName !== undefined) {
    const pointer = child(at, e.propertyName);
    return { pointer, locate: pointer, at, atKey: true, message: `invalid key "${e.propertyName}": ${mustText(e)}` };
  }
  switch (e.keyword) {
    case "additionalProperties": {
      const name = String(p.additionalProperty);
      const pointer = child(at, name);
      const known = Object.keys(propertiesOf(e.parentSchema));
      const guess = closest(name, known);
      return {
        pointer,
        locate: pointer,
        at,
        atKey: true,
        message: `unknown field "${name}"${guess ? ` (did you mean "${guess}"?)` : ""}`,
        ...(guess !== undefined ? { guess } : {}),
        ...(known.length ? { hint: `the fields here are: ${known.join(", ")}` } : {}),
      };
    }
    case "required": {
      const name = String(p.missingProperty);
      return {
        pointer: child(at, name),
        locate: at,
        at,
        atKey: false,
        message: `missing required field "${name}"`,
        missing: true,
      };
    }
    case "type":
      return here(`must be ${typeText(p.type)}, not ${kindOf(e.data)}`);
    case "format":
      return here(`${JSON.stringify(e.data)} is not ${formatText(String(p.format))}`);
    case "pattern":
      return here(`${JSON.stringify(e.data)} ${mustText(e)}`);
    case "enum": {
      const allowed = (Array.isArray(p.allowedValues) ? p.allowedValues : []).filter((v) => v !== null);
      const guess =
        typeof e.data === "string"
          ? closest(
              e.data,
              allowed.filter((v): v is string => typeof v === "string"),
            )
          : undefined;
      return here(
        `${JSON.stringify(e.data)} is not one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}${guess !== undefined ? ` (did you mean "${guess}"?)` : ""}`,
      );
    }
    case "const":
      return here(`must be ${JSON.stringify(p.allowedValue)}`);
    case "minProperties":
      return here(p.limit === 1 ? "must not be empty" : (e.message ?? "has too few fields"));
    case "not":
      return here(e.data === null ? "is required and must not be null" : "matches a schema it must not match");
    default:
      return here(e.message ?? `fails "${e.keyword}"`);
  }
}

/** What a key or value must be, for format and pattern errors (with the schema's description of a pattern). */
function mustText(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  if (e.keyword === "format") return `must be ${formatText(String(p.format))}`;
  if (e.keyword === "pattern") {
    const desc = descriptionOf(e.parentSchema);
    return `does not match ${String(p.pattern)}${desc ? ` (${desc})` : ""}`;
  }
  return e.message ?? "is invalid";
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
  const desc = descriptionOf(e.parentSchema);
  const best = [...byAlt.values()].sort((a, b) => a.length - b.length)[0];
  const detail = best?.[0] ? `; closest: ${best[0].instancePath || "/"} ${describe(best[0], undefined).message}` : "";
  return `matches none of the ${byAlt.size || "allowed"} allowed forms${desc ? ` (${desc})` : ""}${detail}`;
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
  return typeof v === "boolean" ? `boolean ${v}` : typeof v;
}

function propertiesOf(schema: unknown): Record<string, unknown> {
  const props =
    typeof schema === "object" && schema !== null ? (schema as { properties?: unknown }).properties : undefined;
  return typeof props === "object" && props !== null ? (props as Record<string, unknown>) : {};
}

function descriptionOf(schema: unknown): string | undefined {
  const d =
    typeof schema === "object" && schema !== null ? (schema as { description?: unknown }).description : undefined;
  return typeof d === "string" && d ? d : undefined;
}
