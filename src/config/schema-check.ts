import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Ajv, ErrorObject, ValidateFunction } from "ajv";
import type { Document } from "yaml";
import { bySourcePosition, explainAjvErrors } from "../diagnostics/ajv-errors.js";
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
function configValidator(kind: keyof typeof SCHEMA_FILES): ValidateFunction {
  const file = SCHEMA_FILES[kind];
  let fn = compiled.get(file);
  if (!fn) {
    // found from this module (dist/config/) and from the bundle the command runs (dist/cli/braid.cjs) alike
    if (precompiled === null)
      precompiled = loadConfigValidators(
        SCHEMA_DIR,
        SCHEMA_FILES,
        new URL(`../config/${PRECOMPILED_MODULE}`, import.meta.url),
      );
    fn = precompiled?.[kind];
    if (fn) {
      compiled.set(file, fn);
      return fn;
    }
    if (!ajv) {
      // ajv itself loads only here: the validators `npm run build` compiled need its small runtime helpers only
      const { Ajv } = createRequire(import.meta.url)("ajv") as typeof import("ajv");
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
  return configDiagnostics(validate.errors ?? [], yaml, doc, SCHEMA_FILES[kind]);
}

/** Locates the problems of one config file's ajv errors (diagnostics/ajv-errors.ts) in its YAML document. */
function configDiagnostics(
  errors: readonly ErrorObject[],
  yaml: YamlFile,
  doc: Document.Parsed,
  schemaFile: string,
): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const problem of explainAjvErrors(errors)) {
    const pos = positionOf(yaml, doc, pointerToPath(problem.locate), { preferKey: problem.atKey });
    const key = `${pos?.line}:${pos?.column}:${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      code: "CONFIG_SCHEMA",
      severity: "error",
      message: problem.message,
      path: problem.pointer || "/",
      location: { file: yaml.file, ...pos },
      hint: problem.hint ?? `see schemas/${schemaFile}`,
    });
  }
  return out.sort(bySourcePosition);
}
