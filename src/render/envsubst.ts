/**
 * Flux post-build variable substitution, at the string level: the `${…}` language of fluxcd/pkg
 * `envsubst` (a fork of drone/envsubst), as kustomize-controller drives it (`SubstituteVariables` in
 * fluxcd/pkg kustomize_varsub.go, strict mode on since v1.9). Flux's code is the specification, bash is
 * not: the scanner, parser and evaluator in ./envsubst/ are ports of Flux's scan.go, parse.go,
 * template.go and funcs.go, so every expression is read, rejected and evaluated as Flux does. In short:
 *
 * - only the braced form substitutes (`$var`, `$(cmd)`, `$1` stay as they are); `$$` is an escape
 *   (`$${var}` gives `${var}`, pairs read left to right);
 * - operators: `${v}`, `${#v}` (length in UTF-8 bytes), `${v^}`, `${v^^}`, `${v,}`, `${v,,}` (simple
 *   one-rune case mappings), `${v:off}` and `${v:off:len}` (bytes; each must be a plain decimal integer,
 *   otherwise the whole value: `${v: -2}` is `v`), `${v#p}`, `${v##p}`, `${v%p}`, `${v%%p}` (Flux's
 *   glob matcher over non-empty prefixes, `%` reverses value and pattern), `${v/p/r}`, `${v//p/r}`,
 *   `${v/#p/r}`, `${v/%p/r}` (literal patterns, no globs; `/#` and `/%` do nothing without `/r`; every
 *   `/` after the pattern is one delimiter), `${v=d}`, `${v:=d}`, `${v:-d}`, `${v:+d}`, `${v:?d}` (all
 *   the same: `d` when `v` is empty or unset; `v` is never assigned);
 * - `${v-d}`, `${v+d}`, `${v?d}` ("missing closing brace"), `${v/p}`, `${v///}`, `${v::2}`, `${v#}`,
 *   `${v%%}`, `${v:1:}` and other malformed forms are syntax errors: the whole text fails;
 * - every default and argument is evaluated, used or not, so `${a:-${b}}` fails when `b` is undefined;
 * - strict mode: an undefined variable is an error unless the operator is a default one (`=`, `:=`,
 *   `:-`, `:+`, `:?`); not strict, it is the empty string;
 * - variable values lose their newlines (kustomize-controller strips them when loading them).
 *
 * Where Flux's Go code panics (`${v:1:-1}`: a slice end before its start) or yields bytes that are not
 * UTF-8 (`${v:0:1}` with v = "é"; Flux's YAML parser then rejects the text), braid reports a located
 * SUBST_SYNTAX error instead of a value. Differences from Flux's text-level run that come from braid
 * substituting scalar by scalar are described in substitute.ts and in ./envsubst/scan.ts (NUL).
 */
import { fromBytes, toBytes } from "./envsubst/bytes.js";
import { evalNodes, type EvalState } from "./envsubst/eval.js";
import { parse, ParseError, type FuncNode, type Node } from "./envsubst/parse.js";
import { stackExhausted } from "../model/deep-stack.js";

/** Codes of substitution errors (a subset of the diagnostic codes). */
type EnvsubstErrorCode = "SUBST_UNDEFINED" | "SUBST_SYNTAX";

/** One substitution problem in a string. */
export interface EnvsubstError {
  variable?: string;
  message: string;
  code: EnvsubstErrorCode;
  /** Index in the input where the offending `${` starts. */
  offset?: number;
}

/** Variables by name. */
export type Vars = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

/** Options of {@link envsubst}. */
export interface EnvsubstOptions {
  /** An undefined variable without a default is an error (default true, as kustomize-controller ≥ v1.9). */
  strict?: boolean;
  /** Parsed expressions by text, kept by the caller (a run: render/substitute-memo.ts); none: parse every time. */
  parses?: ParseCache;
}

/** Parsed texts (or their syntax errors) by their UTF-8 bytes. */
export type ParseCache = Map<string, Node[] | ParseError>;

/** Valid variable names, as kustomize-controller checks them before substituting. */
export const VAR_NAME_PATTERN = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

/** Nesting deep enough to exhaust the JavaScript stack (thousands of levels; Go's grows). */
const TOO_DEEP = "expressions nested too deeply";

const PARSE_CACHE_MAX = 10_000;

function parseCached(bytes: string, parseCache: ParseCache | undefined): Node[] | ParseError {
  let t = parseCache?.get(bytes);
  if (t === undefined) {
    try {
      t = parse(bytes);
    } catch (e) {
      if (e instanceof RangeError) {
        stackExhausted();
        t = new ParseError(TOO_DEEP, 0);
      } else if (!(e instanceof ParseError)) throw e;
      else t = e;
    }
    if (parseCache) {
      if (parseCache.size >= PARSE_CACHE_MAX) parseCache.clear();
      parseCache.set(bytes, t);
    }
  }
  return t;
}

/** The value of a variable as UTF-8 bytes, newlines removed; undefined when unset. */
function lookup(vars: Vars, name: string): string | undefined {
  const v: unknown =
    vars instanceof Map
      ? vars.get(name)
      : Object.hasOwn(vars, name)
        ? (vars as Record<string, string>)[name]
        : undefined;
  if (typeof v !== "string") return undefined;
  return toBytes(v.includes("\n") ? v.replaceAll("\n", "") : v);
}

/** UTF-16 index of a byte offset (at a character boundary) of `bytes`. */
function charOffset(bytes: string, offset: number): number {
  return fromBytes(bytes.slice(0, offset))?.length ?? offset;
}

/**
 * Substitutes `${…}` expressions in `input`. Returns the output and every problem found: a syntax
 * error (the output is then the input unchanged, as Flux returns it), each undefined variable once
 * (strict mode), expressions Flux's code panics on, and a result that is not UTF-8.
 */
export function envsubst(
  input: string,
  vars: Vars,
  opts: EnvsubstOptions = {},
): { output: string; errors: EnvsubstError[] } {
  if (!input.includes("$")) return { output: input, errors: [] };
  const bytes = toBytes(input);
  const tree = parseCached(bytes, opts.parses);
  if (tree instanceof ParseError) {
    return {
      output: input,
      errors: [
        {
          code: "SUBST_SYNTAX",
          message: tree.message === TOO_DEEP ? TOO_DEEP : `${tree.message} (Flux's envsubst cannot parse this)`,
          offset: charOffset(bytes, tree.offset),
        },
      ],
    };
  }
  const strict = opts.strict ?? true;
  const names = new Map<string, string | undefined>();
  const st: EvalState = {
    mapper: (param) => {
      const name = fromBytes(param) ?? param;
      if (!names.has(name)) names.set(name, lookup(vars, name));
      const v = names.get(name);
      return v === undefined && !strict ? "" : v;
    },
    problems: [],
    reported: new Set(),
  };
  let out: string;
  try {
    out = evalNodes(tree, st);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    stackExhausted();
    return { output: input, errors: [{ code: "SUBST_SYNTAX", message: TOO_DEEP, offset: 0 }] };
  }
  const expr = (n: FuncNode): string => fromBytes(bytes.slice(n.start, n.end)) ?? "";
  const errors: EnvsubstError[] = st.problems.map((p) => {
    const variable = fromBytes(p.param) ?? p.param;
    return p.kind === "undefined"
      ? {
          code: "SUBST_UNDEFINED",
          variable,
          message: `variable ${JSON.stringify(variable)} is not defined and has no default`,
          offset: charOffset(bytes, p.node.start),
        }
      : {
          code: "SUBST_SYNTAX",
          variable,
          message: `${expr(p.node)} cannot be evaluated: Flux's envsubst panics (${p.message})`,
          offset: charOffset(bytes, p.node.start),
        };
  });
  const output = fromBytes(out);
  if (output !== undefined) return { output, errors };
  if (errors.length === 0) {
    // name the first expression whose own result is not UTF-8 (else the first expression)
    const funcs = tree.filter((n): n is FuncNode => n.kind === "func");
    const bad =
      funcs.find((n) => fromBytes(evalNodes([n], { ...st, problems: [], reported: new Set() })) === undefined) ??
      funcs[0];
    errors.push({
      code: "SUBST_SYNTAX",
      message:
        `the result is not valid UTF-8${bad ? `: ${expr(bad)} cuts a character` : ""} ` +
        "(Flux counts bytes, and its YAML parser then rejects the text)",
      ...(bad ? { offset: charOffset(bytes, bad.start) } : {}),
    });
  }
  return { output: Buffer.from(out, "latin1").toString("utf8"), errors };
}
