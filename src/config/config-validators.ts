/**
 * braid's own config schemas (schemas/*.schema.json), compiled ahead of time. `npm run build` writes
 * dist/config/config-validators.cjs with ajv's standalone code (CommonJS, as ajv's docs ask) plus a digest of
 * the schema texts it was made from; at run time braid loads that module instead of compiling the schemas (and
 * the JSON Schema meta-schema) with ajv at every start. When the module is missing (tests and tsx run the
 * TypeScript sources), does not load, or was made from other schema texts, braid compiles at run time as before.
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { ValidateFunction } from "ajv";
import { IN_BUNDLE } from "../model/bundle.js";

/** The ajv options of config validation; the same for the run-time and the ahead-of-time compile. */
export const CONFIG_AJV_OPTIONS = { allErrors: true, verbose: true, strict: false } as const;

/** The schema every config schema refers to; added to ajv first. */
export const COMMON_SCHEMA = "common.schema.json";

/** Name of the generated module, beside this file in dist/config/. */
export const PRECOMPILED_MODULE = "config-validators.cjs";

/** Digest of the schema texts (common first, then each kind's file in key order). */
function configSchemasDigest(texts: Record<string, string>): string {
  const h = createHash("sha256");
  for (const name of Object.keys(texts).sort()) h.update(`${name}\0${texts[name]}\0`);
  return h.digest("hex");
}

function readTexts(schemaDir: URL, files: Record<string, string>): Record<string, string> {
  const texts: Record<string, string> = { [COMMON_SCHEMA]: readFileSync(new URL(COMMON_SCHEMA, schemaDir), "utf8") };
  for (const file of Object.values(files)) texts[file] = readFileSync(new URL(file, schemaDir), "utf8");
  return texts;
}

/** The standalone module's source: one export per kind, and `digest`. */
export async function standaloneConfigValidators(schemaDir: URL, files: Record<string, string>): Promise<string> {
  const { Ajv } = await import("ajv");
  const standaloneCode = (
    createRequire(import.meta.url)("ajv/dist/standalone") as typeof import("ajv/dist/standalone/index.js")
  ).default;
  const texts = readTexts(schemaDir, files);
  const ajv = new Ajv({ ...CONFIG_AJV_OPTIONS, code: { source: true } });
  ajv.addSchema(JSON.parse(texts[COMMON_SCHEMA]!) as object);
  const refs: Record<string, string> = {};
  for (const [kind, file] of Object.entries(files)) {
    const schema = JSON.parse(texts[file]!) as { $id?: string };
    ajv.addSchema(schema, schema.$id ? undefined : file);
    refs[kind] = schema.$id ?? file;
  }
  const code = standaloneCode(ajv, refs);
  return `${code}\nexports.digest = ${JSON.stringify(configSchemasDigest(texts))};\n`;
}

/**
 * Writes the standalone module to `out` (run by `npm run build`: scripts/precompile-config-schemas.mjs imports it
 * from dist/, where knip cannot follow).
 * @public
 */
export async function writeConfigValidators(schemaDir: URL, files: Record<string, string>, out: URL): Promise<void> {
  writeFileSync(out, await standaloneConfigValidators(schemaDir, files));
}

/**
 * The precompiled validators, by kind, from `moduleUrl`; undefined when the module is absent, does not load,
 * lacks a kind, or was made from schema texts other than those in `schemaDir` now (a stale build).
 */
export function loadConfigValidators(
  schemaDir: URL,
  files: Record<string, string>,
  moduleUrl: URL,
): Record<string, ValidateFunction> | undefined {
  try {
    const mod =
      // the bundle the command runs (CommonJS) holds the module under this name (scripts/bundle-cli.mjs), compiled
      // with the rest of braid through one code cache; ES modules read it from moduleUrl
      (
        IN_BUNDLE
          ? // eslint-disable-next-line @typescript-eslint/no-require-imports -- resolved by the bundler
            require("braid:config-validators")
          : createRequire(import.meta.url)(fileURLToPath(moduleUrl))
      ) as Record<string, unknown>;
    if (mod.digest !== configSchemasDigest(readTexts(schemaDir, files))) return undefined;
    for (const kind of Object.keys(files)) if (typeof mod[kind] !== "function") return undefined;
    return mod as Record<string, ValidateFunction>;
  } catch {
    return undefined;
  }
}
