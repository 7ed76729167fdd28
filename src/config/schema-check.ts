import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import type { Document } from "yaml";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { CONFIG_AJV_OPTIONS, COMMON_SCHEMA, loadConfigValidators, PRECOMPILED_MODULE } from "./config-validators.js";
import { pointerToPath, positionOf, type YamlFile } from "../model/yaml-file.js";

/** The folder holding braid's own JSON schemas (shipped with the package). */
export const SCHEMA_DIR = new URL("../../schemas/", import.meta.url);

/** Config kinds that have a schema, keyed by kind. */
export const SCHEMA_FILES = {
  Fleet: "fleet.schema.json",
  Cluster: "cluster.schema.json",
  Group: "group.schema.json",
  Lock: "lock.schema.json",
  Rollout: "rollout.schema.json",
} as const;

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();
/** The validators `npm run build` compiled ahead of time (undefined: none usable, compile at run time). */
let precompiled: Record<string, ValidateFunction> | undefined | null = null;

function loadSchema(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(file, SCHEMA_DIR), "utf8")) as Record<string, unknown>;
}

/** The ajv validator of one config kind (compiled once). */
export function configValidator(kind: keyof typeof SCHEMA_FILES): ValidateFunction {
  const file = SCHEMA_FILES[kind];
  let fn = compiled.get(file);
  if (!fn) {
    if (precompiled === null) precompiled = loadConfigValidators(SCHEMA_DIR, SCHEMA_FILES, new URL(PRECOMPILED_MODULE, import.meta.url));
    fn = precompiled?.[kind];
    if (fn) {
      compiled.set(file, fn);
      return fn;
    }
    if (!ajv) {
      ajv = new Ajv({ ...CONFIG_AJV_OPTIONS });
      ajv.addSchema(loadSchema(COMMON_SCHEMA));
    }
    fn = ajv.compile(loadSchema(file));
    compiled.set(file, fn);
  }
  return fn;
}

/** Checks a config document against its kind's schema; every error gets file, line and column. */
export function checkConfigSchema(
  kind: keyof typeof SCHEMA_FILES,
  value: unknown,
  yaml: YamlFile,
  doc: Document.Parsed,
): Diagnostic[] {
  const validate = configValidator(kind);
  if (validate(value)) return [];
  return explainAjvErrors(validate.errors ?? [], yaml, doc, SCHEMA_FILES[kind]);
}

/** Turns ajv errors into diagnostics with positions, collapsing oneOf/anyOf fan-out. */
export function explainAjvErrors(
  errors: readonly ErrorObject[],
  yaml: YamlFile,
  doc: Document.Parsed,
  schemaFile: string,
): Diagnostic[] {
  const combinators = new Set(
    errors.filter((e) => e.keyword === "oneOf" || e.keyword === "anyOf").map((e) => `${e.instancePath}|${e.schemaPath}`),
  );
  const kept = errors.filter((e) => {
    for (const c of combinators) {
      const [ip, sp] = c.split("|") as [string, string];
      if (e.instancePath === ip && e.schemaPath.startsWith(`${sp}/`)) return false;
    }
    return true;
  });
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const e of kept) {
    const path = pointerToPath(e.instancePath);
    const { message, atKey, hint } = describe(e, path);
    const fullPath = atKey ? [...path, atKey] : path;
    const pos = positionOf(yaml, doc, fullPath, { preferKey: Boolean(atKey) });
    const key = `${pos?.line}:${pos?.column}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      code: "CONFIG_SCHEMA",
      severity: "error",
      message,
      path: "/" + fullPath.join("/"),
      location: { file: yaml.file, ...pos },
      hint: hint ?? `see schemas/${schemaFile}`,
    });
  }
  return out;
}

function fieldName(path: readonly (string | number)[]): string {
  return path.length ? path.join(".") : "the document";
}

function describe(e: ErrorObject, path: (string | number)[]): { message: string; atKey?: string; hint?: string } {
  const where = fieldName(path);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "required":
      return { message: `${where} is missing the required field "${String(p.missingProperty)}"` };
    case "additionalProperties": {
      const allowed = Object.keys((e.parentSchema as { properties?: object })?.properties ?? {});
      return {
        message: `unknown field "${String(p.additionalProperty)}" in ${where}`,
        atKey: String(p.additionalProperty),
        hint: allowed.length ? `allowed fields: ${allowed.join(", ")}` : undefined,
      };
    }
    case "const":
      return { message: `${where} must be ${JSON.stringify(p.allowedValue)}` };
    case "enum":
      return { message: `${where} must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}` };
    case "type":
      return { message: `${where} must be of type ${String(p.type).replace(",", " or ")}` };
    case "pattern": {
      const desc = (e.parentSchema as { description?: string })?.description;
      return { message: `${where} ${JSON.stringify(e.data)} does not match ${String(p.pattern)}${desc ? ` (${desc})` : ""}` };
    }
    case "oneOf":
    case "anyOf": {
      const desc = (e.parentSchema as { description?: string })?.description;
      return { message: `${where} does not match any allowed form${desc ? `: ${desc}` : ""}` };
    }
    case "minProperties":
      return { message: `${where} must not be empty` };
    default:
      return { message: `${where} ${e.message ?? "is invalid"}` };
  }
}
