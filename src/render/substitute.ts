/**
 * Flux post-build substitution applied to one resource.
 *
 * Flux serializes the resource to YAML, runs envsubst over the text and parses it back (sigs.k8s.io/yaml,
 * go-yaml v2, YAML 1.1 resolution), so a plain `replicas: ${R}` becomes a number. braid substitutes
 * scalar by scalar on the parsed object, so positions survive, and gets the same types this way: the
 * resource carries the JSON pointers of the strings that were written as plain (unquoted) scalars holding
 * `${` — by its source or by a patch (model/plain-scalars.ts) — and each of those is substituted and then
 * resolved as go-yaml v2 resolves a plain scalar. Every other string stays a string.
 *
 * Where braid differs from Flux, on purpose (SPEC): Flux's text is kustomize's JSON→YAML re-encoding,
 * which drops the quotes the author wrote, so in Flux a quoted `"${PORT}"` also becomes a number; in
 * braid it stays the string "3000". Not modelled: a value whose text would change the YAML structure in
 * Flux (a plain `${X}` with X = "a: b" or "[1]" or "x # y") stays one string here; leading and trailing
 * spaces of a plain result are trimmed, as the YAML parser would.
 */
import { goIntExact, goNumber, goYamlV2Word } from "../model/go-scalars.js";
import { setOwn } from "../model/own-keys.js";
import type { Json, JsonObject } from "../model/resource.js";
import { envsubst, type EnvsubstOptions, type Vars } from "./envsubst.js";
import { escapeSegment, NO_PLAIN, type PlainPaths } from "../model/plain-scalars.js";

/** A substitution problem inside a resource, with the JSON path of the value (or key) it is in. */
export interface SubstError {
  path: (string | number)[];
  variable?: string;
  message: string;
  /** Where in the string value the offending expression starts (UTF-16 index). */
  offset?: number;
  /** MANIFEST_INVALID: the substituted text is a number braid cannot hold exactly (see {@link substString}). */
  code: "SUBST_UNDEFINED" | "SUBST_SYNTAX" | "MANIFEST_INVALID";
}

const DISABLE_KEYS = ["kustomize.toolkit.fluxcd.io/substitute", "braid/substitute"];

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * True when the resource must not be substituted: labelled or annotated
 * `kustomize.toolkit.fluxcd.io/substitute: disabled` or `braid/substitute: disabled`, or SOPS-encrypted
 * (a top-level `sops` mapping).
 */
export function isSubstitutionDisabled(object: JsonObject): boolean {
  if (isObject(object.sops)) return true;
  const meta = object.metadata;
  if (!isObject(meta)) return false;
  for (const field of ["labels", "annotations"]) {
    const m = meta[field];
    if (!isObject(m)) continue;
    for (const key of DISABLE_KEYS) if (m[key] === "disabled") return true;
  }
  return false;
}

interface WalkState {
  vars: Vars;
  opts: EnvsubstOptions;
  plain: PlainPaths;
  errors: SubstError[];
  path: (string | number)[];
}

/** Spaces and tabs around a plain scalar are not part of it. */
function trimPlain(s: string): string {
  return s.replace(/^[ \t]+|[ \t]+$/g, "");
}

function isPlain(st: WalkState): boolean {
  if (st.plain.size === 0) return false;
  let p = "";
  for (const seg of st.path) p += "/" + escapeSegment(seg);
  return st.plain.has(p);
}

function substString(s: string, st: WalkState, isKey: boolean): Json {
  const { output, errors } = envsubst(s, st.vars, st.opts);
  for (const e of errors) {
    st.errors.push({
      path: [...st.path],
      code: e.code,
      message: e.message,
      ...(e.variable !== undefined ? { variable: e.variable } : {}),
      ...(e.offset !== undefined ? { offset: e.offset } : {}),
    });
  }
  if (isKey || !s.includes("${") || !isPlain(st)) return output;
  const text = trimPlain(output);
  const typed = resolvePlainScalar(text);
  // Flux parses the substituted text with go-yaml, which keeps an int64 exactly; a double may not
  if (typeof typed === "number" && Number.isInteger(typed) && !Number.isSafeInteger(typed)) {
    const exact = goIntExact(text);
    if (exact !== undefined && BigInt(typed) !== exact)
      st.errors.push({
        path: [...st.path],
        code: "MANIFEST_INVALID",
        message: `the substituted value ${text} is an integer beyond ±${Number.MAX_SAFE_INTEGER}, which braid cannot hold exactly: Flux keeps it, braid would write ${String(typed)}`,
      });
  }
  return typed;
}

function walk(value: Json, st: WalkState): Json {
  if (typeof value === "string") return value.includes("$") ? substString(value, st, false) : value;
  if (Array.isArray(value)) {
    let out: Json[] | undefined;
    for (let i = 0; i < value.length; i++) {
      st.path.push(i);
      const s = walk(value[i]!, st);
      st.path.pop();
      if (s !== value[i] && !out) out = value.slice(0, i);
      if (out) out.push(s);
    }
    return out ?? value;
  }
  if (value === null || typeof value !== "object") return value;
  let out: JsonObject | undefined;
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    st.path.push(k);
    const nk = k.includes("$") ? (substString(k, st, true) as string) : k;
    const s = walk(value[k]!, st);
    st.path.pop();
    if ((s !== value[k] || nk !== k) && !out) {
      out = {};
      for (let j = 0; j < i; j++) setOwn(out, keys[j]!, value[keys[j]!]!);
    }
    if (out) setOwn(out, nk, s); // `__proto__` is a key like any other
  }
  return out ?? value;
}

/**
 * Substitutes variables in every string (values and map keys) of a resource. `plain` names the strings
 * written as plain YAML scalars (JSON pointers): after substitution those are typed as YAML types them.
 * Returns a new object — the input is never mutated; subtrees without `$` are shared with it — the errors
 * with the JSON path of each offending value, and whether the result differs from the input. When nothing
 * changes, the input object itself comes back, so identical resources stay shared across clusters.
 * A disabled resource ({@link isSubstitutionDisabled}) comes back untouched. Across clusters, use
 * `substituteShared` (substitute-memo.ts), which runs this once per distinct set of values read.
 */
export function substituteObject(
  object: JsonObject,
  vars: Vars,
  opts: EnvsubstOptions = {},
  plain: PlainPaths = NO_PLAIN,
): { object: JsonObject; errors: SubstError[]; changed: boolean } {
  if (isSubstitutionDisabled(object)) return { object, errors: [], changed: false };
  const st: WalkState = { vars, opts, plain, errors: [], path: [] };
  const out = walk(object, st) as JsonObject;
  return { object: out, errors: st.errors, changed: out !== object };
}

// ---------------------------------------------------------------------------------------------
// Plain scalar resolution as go-yaml v2 does it (then converted to JSON by sigs.k8s.io/yaml).
// Differences from the `yaml` package's YAML 1.1 schema: no sexagesimal numbers (`1:30` is a string),
// `0o17` is an int, timestamps stay strings, `08` is the float 8.

/**
 * Resolves the text of a plain YAML scalar the way go-yaml v2 does into an untyped value: null, bool
 * (yes/no/on/off/y/n too), int (decimal, 0x, 0o, 0b, leading-0 octal, `_` separators), float; anything
 * else — and infinities or NaN, which JSON cannot hold — stays a string.
 */
export function resolvePlainScalar(text: string): Json {
  const word = goYamlV2Word(text);
  if (word !== undefined) return word;
  // numbers: go-yaml v2 and v3 read them alike (Go's strconv underneath)
  const n = goNumber(text);
  return n === undefined ? text : finiteOr(n, text);
}

function finiteOr(n: number, text: string): Json {
  return Number.isFinite(n) ? n : text;
}
