/**
 * Compiled validators of built-in kinds kept on disk under BRAID_CACHE as ajv standalone code, so a new
 * process loads a kind's validator (a few milliseconds) instead of compiling it again (a Deployment's schema
 * takes about 0.3 s of ajv's code generation). A file is named by the sha256 of everything its code is made
 * from: the schema, every definition it refers to (converted, as ajv gets them), ajv's version and braid's ajv
 * options. A changed OpenAPI document, `strict` setting or conversion therefore never finds an old file.
 *
 * The code needs three things from this process, given to it as it is loaded: the formats braid checks
 * (`require("braid:formats")`), the pattern engine (`kubePatternRegExp`) and ajv's runtime helpers
 * (`require("ajv/dist/runtime/…")`). A file that cannot be read, written or run is ignored: the kind is
 * compiled as before.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Ajv, ValidateFunction } from "ajv";
import { kubePatternRegExp } from "./pattern-regexp.js";

const require = createRequire(import.meta.url);

/** The module name standalone code reads the formats from. */
export const FORMATS_MODULE = "braid:formats";
/** Bump when braid's ajv options or the way code is loaded change. */
const CODE_FORMAT = "braid-ajv-standalone-1";

/** The key of a validator: sha256 over its schema and the definitions it refers to. */
export function validatorKey(schema: unknown, definitions: Record<string, unknown>): string {
  const ajvVersion = (require("ajv/package.json") as { version: string }).version;
  const hash = createHash("sha256").update(`${CODE_FORMAT}\0${ajvVersion}\0`).update(JSON.stringify(schema));
  for (const name of Object.keys(definitions).sort())
    hash.update(`\0${name}\0`).update(JSON.stringify(definitions[name]));
  return hash.digest("hex");
}

function fileOf(dir: string, key: string): string {
  return join(dir, `${key}.cjs`);
}

/**
 * Whether a path may hold code this process runs: owned by this user and writable by nobody else (the rule
 * sshd's StrictModes applies to authorized_keys). A cache another user could write is ignored, not trusted.
 */
function privatelyOwned(path: string): boolean {
  const uid = process.getuid?.();
  if (uid === undefined) return true; // no owners to compare (Windows)
  const st = statSync(path);
  return st.uid === uid && (st.mode & 0o022) === 0;
}

/** Loads a cached validator; undefined when there is none (or it cannot be used). */
export function loadValidator(
  dir: string,
  key: string,
  formats: () => Record<string, unknown>,
): ValidateFunction | undefined {
  let loadedFormats: Record<string, unknown> | undefined;
  let code: string;
  try {
    if (!privatelyOwned(dir) || !privatelyOwned(fileOf(dir, key))) return undefined;
    code = readFileSync(fileOf(dir, key), "utf8");
  } catch {
    return undefined;
  }
  try {
    const module = { exports: {} as unknown };
    const requireFor = (name: string): unknown =>
      name === FORMATS_MODULE ? (loadedFormats ??= formats()) : require(name);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- ajv's standalone code, written by braid into its own cache
    const run = new Function("module", "exports", "require", "kubePatternRegExp", code) as (...args: unknown[]) => void;
    run(module, module.exports, requireFor, kubePatternRegExp);
    const fn = module.exports as ValidateFunction;
    return typeof fn === "function" ? fn : undefined;
  } catch {
    return undefined;
  }
}

/** Writes a validator's standalone code (temp file + rename); failures are ignored. */
export function saveValidator(dir: string, key: string, ajv: Ajv, fn: ValidateFunction): void {
  try {
    const standaloneCode = (require("ajv/dist/standalone") as { default: (ajv: Ajv, fn: ValidateFunction) => string })
      .default;
    const code = standaloneCode(ajv, fn);
    // one level only, never Node's recursive mkdir (it spins forever under /proc); no cache folder yet: next run
    if (!existsSync(dir)) mkdirSync(dir, { mode: 0o700 });
    const tmp = `${fileOf(dir, key)}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(tmp, code, { mode: 0o600 });
    renameSync(tmp, fileOf(dir, key));
  } catch {
    // a read-only or full cache: compile next time too
  }
}
