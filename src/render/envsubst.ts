/**
 * Flux post-build variable substitution, at the string level: the `${…}` language of fluxcd/pkg
 * `envsubst` (a fork of drone/envsubst), as kustomize-controller runs it.
 *
 * Where Flux follows its own rules, braid follows Flux:
 * - only the braced form substitutes (`$var`, `$(cmd)`, `$1` stay as they are);
 * - `$$` is an escape: `$${var}` gives `${var}`, `$$var` gives `$var` (pairs are read left to right);
 * - no shell quoting: quotes and backslashes in a default are literal text; in the pattern and
 *   replacement of the `/` forms only `\/`, `\\` and `$$` are escapes;
 * - `${var=def}` does not assign `var` (Flux's lookup is read-only);
 * - `&` in a replacement is literal (bash 5.2's `patsub_replacement` does not apply);
 * - `${var:+x}` and `${var:?x}` are not bash's: Flux parses them and treats them like `${var:-x}`;
 *   `${var+x}` and `${var?x}` are syntax errors, as in Flux;
 * - strict mode (Flux's default since kustomize-controller v1.9): a variable that is not defined is an
 *   error unless the operator supplies a default (`-`, `=`, `:-`, `:=`, `:+`, `:?`).
 *
 * Where Flux's implementation falls short of the bash behaviour its README promises, braid follows bash:
 * - `#`, `##`, `%`, `%%` and all `/` forms match glob patterns (`*`, `?`, `[...]` with `!`/`^`,
 *   ranges and `[:class:]`, `\` escapes), shortest/longest as bash does (Flux replaces literal text
 *   only, reverses patterns for `%`, and never matches an empty prefix, so `${v#*}` cut one character);
 *   character classes are those of bash in the C.UTF-8 locale (glibc: `[:upper:]` includes "ǅ",
 *   `[:alpha:]` marks and other scripts' digits, `[:punct:]` every printable non-alnum non-space);
 * - after `//`, a `/` is the first character of the pattern, as bash reads it (`${v///}` removes
 *   every `/`, `${v///a/b}` replaces every `/a`);
 * - an unset variable has no substring and nothing to replace: `${u:…}` and every `/` form give ""
 *   (Flux applies them to "", so `${u/#/x}` gave "x"; only visible when not strict);
 * - nothing is evaluated that bash does not evaluate, so an undefined variable there is no error in
 *   strict mode: the length of `${v:off:len}` when the offset is past the end, the pattern of `#`,
 *   `##`, `%`, `%%` when the value is empty, and unused defaults (below);
 * - substring offsets and lengths are integer arithmetic (`${v: -2}`, `${v:(-2)}`, `${v:1:-1}`);
 *   a negative offset past the start gives "" (Flux gave the whole value); an end before the
 *   offset is an error, as in bash;
 * - `${var-def}` (the SPEC lists it; Flux's parser rejects it) and `${var=def}` use the default only when
 *   `var` is unset, `${var:-def}` and `${var:=def}` also when it is empty (Flux treats all four alike);
 * - a default is evaluated only when it is used, so an undefined variable inside an unused default
 *   is not an error (Flux evaluates defaults eagerly);
 * - the pattern of `/` may be empty and the `/replacement` may be left out (`${v/#/x}`, `${v//x}`);
 *   a substring offset may be empty when a length follows (`${v::2}`), and the length may be empty;
 * - lengths, offsets and case changes count Unicode code points (Flux counts UTF-8 bytes; bash in a
 *   UTF-8 locale counts characters); case changes use the simple one-to-one mappings, as Go and glibc
 *   do ("ß" stays, "İ" lowercases to "i", "ᾳ" uppercases to "ᾼ").
 *
 * Bash quirks braid does not copy (its own `#`, `case` and `[[` disagree with them): in the `/` forms,
 * a bracket starting `[!]` or `[^]` never matches, an unclosed `[` before `*` matches one character
 * short, a pattern that ends in a backslash from a variable never matches, and a pattern whose
 * expansion starts with `#` or `%` becomes anchored. Characters newer than the machine's glibc may
 * classify and case-map differently (Unicode version skew). `envsubst-fuzz.test.ts` checks the rest
 * against bash.
 */

/** Codes of substitution errors (a subset of the diagnostic codes). */
export type EnvsubstErrorCode = "SUBST_UNDEFINED" | "SUBST_SYNTAX";

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
}

/** Valid variable names, as kustomize-controller checks them before substituting. */
export const VAR_NAME_PATTERN = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

type Op =
  | "" | "len" | "^" | "^^" | "," | ",," | "case?"
  | ":" | "#" | "##" | "%" | "%%" | "/" | "//" | "/#" | "/%"
  | "-" | "=" | ":-" | ":=" | ":?" | ":+";

type Part = string | Expr;

interface Expr {
  op: Op;
  name: string;
  /** Operator arguments; each is a sequence of text and nested expressions. */
  args: Part[][];
  start: number;
}

class SyntaxFault {
  constructor(readonly message: string, readonly offset: number) {}
}

/** Parses a template; throws SyntaxFault. */
class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  template(): Part[] {
    const { s } = this;
    const parts: Part[] = [];
    let text = "";
    while (this.i < s.length) {
      const j = s.indexOf("$", this.i);
      if (j < 0) {
        text += s.slice(this.i);
        break;
      }
      text += s.slice(this.i, j);
      const next = s[j + 1];
      if (next === "{") {
        if (text) parts.push(text);
        text = "";
        this.i = j;
        parts.push(this.expr());
      } else if (next === "$") {
        text += "$";
        this.i = j + 2;
      } else {
        text += "$";
        this.i = j + 1;
      }
    }
    if (text) parts.push(text);
    return parts;
  }

  /** At `${`. */
  private expr(): Expr {
    const { s } = this;
    const start = this.i;
    this.i += 2;
    if (s[this.i] === "#") {
      this.i++;
      const name = this.ident();
      if (!name) throw new SyntaxFault("bad substitution: `${#` must be followed by a variable name", start);
      this.close(start);
      return { op: "len", name, args: [], start };
    }
    const name = this.ident();
    if (!name) throw new SyntaxFault("unable to parse variable name", start);
    const c = s[this.i];
    switch (c) {
      case "}":
        this.i++;
        return { op: "", name, args: [], start };
      case ":": {
        const c2 = s[this.i + 1];
        if (c2 === "-" || c2 === "=" || c2 === "?" || c2 === "+") {
          this.i += 2;
          return this.defaulted((":" + c2) as Op, name, start);
        }
        this.i++;
        const offset = this.seq(":}", "plain", start);
        const args = [offset];
        if (s[this.i] === ":") {
          this.i++;
          args.push(this.seq("}", "plain", start));
        } else if (offset.length === 0) {
          throw new SyntaxFault("bad substitution: empty substring offset", start);
        }
        this.close(start);
        return { op: ":", name, args, start };
      }
      case "=":
      case "-":
        this.i++;
        return this.defaulted(c, name, start);
      case "^":
      case ",": {
        let op = c;
        if (s[this.i + 1] === "^" || s[this.i + 1] === ",") op += s[this.i + 1]!;
        this.i += op.length;
        this.close(start);
        const known: readonly string[] = ["^", "^^", ",", ",,"];
        return { op: (known.includes(op) ? op : "case?") as Op, name, args: [], start };
      }
      case "#":
      case "%": {
        const op = (s[this.i + 1] === c ? c + c : c) as Op;
        this.i += op.length;
        const pattern = this.seq("}", "plain", start);
        this.close(start);
        return { op, name, args: [pattern], start };
      }
      case "/": {
        this.i++;
        let op: Op = "/";
        const c2 = s[this.i];
        if (c2 === "/" || c2 === "#" || c2 === "%") {
          op = ("/" + c2) as Op;
          this.i++;
        }
        // as bash: after `//`, a `/` is the first character of the pattern (`${v///}` removes every `/`)
        let lead: Part[] = [];
        if (op === "//" && s[this.i] === "/") {
          lead = ["/"];
          this.i++;
        }
        const pattern = this.seq("/}", "pattern", start);
        const args = [lead.length ? mergeText(lead, pattern) : pattern];
        if (s[this.i] === "/") {
          this.i++;
          args.push(this.seq("}", "replacement", start));
        }
        this.close(start);
        return { op, name, args, start };
      }
      default:
        throw new SyntaxFault(`missing closing brace (unexpected ${c === undefined ? "end of text" : JSON.stringify(c)})`, start);
    }
  }

  private defaulted(op: Op, name: string, start: number): Expr {
    const value = this.seq("}", "plain", start);
    this.close(start);
    return { op, name, args: [value], start };
  }

  /** Letters, digits and `_` (Unicode, as Flux's scanner accepts them). */
  private ident(): string {
    IDENT.lastIndex = this.i;
    const m = IDENT.exec(this.s);
    const name = m ? m[0] : "";
    this.i += name.length;
    return name;
  }

  private close(start: number): void {
    if (this.s[this.i] !== "}") throw new SyntaxFault("bad substitution: missing closing brace", start);
    this.i++;
  }

  /**
   * Text and nested `${…}` up to one of `stops` (not consumed). In "pattern" and "replacement" mode,
   * `$$` gives `$` and `\/` gives `/`; `\\` gives `\` in a replacement and stays `\\` in a pattern
   * (where the glob reads it as a literal backslash).
   */
  private seq(stops: string, mode: "plain" | "pattern" | "replacement", start: number): Part[] {
    const { s } = this;
    const parts: Part[] = [];
    let text = "";
    for (;;) {
      const c = s[this.i];
      if (c === undefined) throw new SyntaxFault("bad substitution: missing closing brace", start);
      if (stops.includes(c)) break;
      if (c === "$" && s[this.i + 1] === "{") {
        if (text) parts.push(text);
        text = "";
        parts.push(this.expr());
        continue;
      }
      if (mode !== "plain") {
        const n = s[this.i + 1];
        if (c === "$" && n === "$") {
          text += "$";
          this.i += 2;
          continue;
        }
        if (c === "\\" && (n === "/" || n === "\\")) {
          text += n === "/" ? "/" : mode === "pattern" ? "\\\\" : "\\";
          this.i += 2;
          continue;
        }
      }
      text += c;
      this.i++;
    }
    if (text) parts.push(text);
    return parts;
  }
}

/** Prepends text parts to a sequence, joining adjacent text. */
function mergeText(lead: Part[], rest: Part[]): Part[] {
  const first = rest[0];
  if (typeof first === "string" && typeof lead[lead.length - 1] === "string") {
    return [...lead.slice(0, -1), (lead[lead.length - 1] as string) + first, ...rest.slice(1)];
  }
  return [...lead, ...rest];
}

const IDENT = /[\p{L}\p{Nd}_]+/uy;

const parseCache = new Map<string, Part[] | SyntaxFault>();
const PARSE_CACHE_MAX = 10_000;

function parse(input: string): Part[] | SyntaxFault {
  let t = parseCache.get(input);
  if (t === undefined) {
    try {
      t = new Parser(input).template();
    } catch (e) {
      if (!(e instanceof SyntaxFault)) throw e;
      t = e;
    }
    if (parseCache.size >= PARSE_CACHE_MAX) parseCache.clear();
    parseCache.set(input, t);
  }
  return t;
}

interface EvalState {
  vars: Vars;
  strict: boolean;
  errors: EnvsubstError[];
  reported: Set<string>;
}

const DEFAULT_OPS: ReadonlySet<Op> = new Set<Op>(["-", "=", ":-", ":=", ":?", ":+"]);

function evalParts(parts: readonly Part[], st: EvalState): string {
  let out = "";
  for (const p of parts) out += typeof p === "string" ? p : evalExpr(p, st);
  return out;
}

function evalExpr(e: Expr, st: EvalState): string {
  const value = lookup(st.vars, e.name);
  const set = value !== undefined;
  const v = value ?? "";
  if (DEFAULT_OPS.has(e.op)) {
    const useDefault = e.op === "-" || e.op === "=" ? !set : v === "";
    return useDefault ? evalParts(e.args[0]!, st) : v;
  }
  if (!set && st.strict && !st.reported.has(e.name)) {
    st.reported.add(e.name);
    st.errors.push({
      code: "SUBST_UNDEFINED",
      variable: e.name,
      message: `variable ${JSON.stringify(e.name)} is not defined and has no default`,
      offset: e.start,
    });
  }
  // as bash: an unset variable has no substring and no replacement, and an empty one nothing to
  // remove (the offset, pattern and replacement are then not evaluated: no undefined-variable error)
  if (!set && (e.op === ":" || e.op.startsWith("/"))) return "";
  if (v === "" && (e.op === "#" || e.op === "##" || e.op === "%" || e.op === "%%")) return "";
  if (e.op === ":") return substring(v, e, st);
  const args = e.args.map((a) => evalParts(a, st));
  switch (e.op) {
    case "":
    case "case?":
      return v;
    case "len":
      return String(codePointLength(v));
    case "^":
      return mapFirst(v, "upper");
    case ",":
      return mapFirst(v, "lower");
    case "^^":
      return mapAll(v, "upper");
    case ",,":
      return mapAll(v, "lower");
    case "#":
      return trimPrefix(v, args[0]!, false);
    case "##":
      return trimPrefix(v, args[0]!, true);
    case "%":
      return trimSuffix(v, args[0]!, false);
    case "%%":
      return trimSuffix(v, args[0]!, true);
    default:
      return replace(v, e.op, args[0]!, args[1] ?? "");
  }
}

/** The value of a variable, newlines removed (as kustomize-controller loads them); undefined when unset. */
function lookup(vars: Vars, name: string): string | undefined {
  const v = vars instanceof Map ? vars.get(name) : Object.hasOwn(vars, name) ? (vars as Record<string, string>)[name] : undefined;
  return typeof v === "string" && v.includes("\n") ? v.replaceAll("\n", "") : v;
}

/**
 * Substitutes `${…}` expressions in `input`. Returns the output and every problem found: each
 * undefined variable once (strict mode) and syntax errors. On a syntax error the output is the input
 * unchanged, as Flux returns it.
 */
export function envsubst(
  input: string,
  vars: Vars,
  opts: EnvsubstOptions = {},
): { output: string; errors: EnvsubstError[] } {
  if (!input.includes("$")) return { output: input, errors: [] };
  const tree = parse(input);
  if (tree instanceof SyntaxFault) {
    return { output: input, errors: [{ code: "SUBST_SYNTAX", message: tree.message, offset: tree.offset }] };
  }
  const st: EvalState = { vars, strict: opts.strict ?? true, errors: [], reported: new Set() };
  const output = evalParts(tree, st);
  return { output, errors: st.errors };
}

// ---------------------------------------------------------------------------------------------
// String functions

const ASCII = /^[\x00-\x7f]*$/;

function codePointLength(s: string): number {
  if (ASCII.test(s)) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * The simple (one to one) case mappings that differ from the first character of JavaScript's full
 * mapping: "İ" lowercases to "i", Greek letters with ypogegrammeni uppercase to their titlecase form.
 */
function simpleCase(cp: number, to: "upper" | "lower"): number | undefined {
  if (to === "lower") return cp === 0x130 ? 0x69 : undefined;
  if ((cp >= 0x1f80 && cp <= 0x1faf && (cp & 0xf) < 8) || cp === 0x1fb3 || cp === 0x1fc3 || cp === 0x1ff3) {
    return cp >= 0x1fb3 ? cp + 9 : cp + 8;
  }
  return undefined;
}

function mapChar(c: string, to: "upper" | "lower"): string {
  const m = to === "upper" ? c.toUpperCase() : c.toLowerCase();
  if (codePointLength(m) === 1) return m;
  // one character to one character, as Go's unicode.ToUpper/ToLower and glibc's towupper do
  // ("ß" stays "ß", "İ" lowercases to "i")
  const simple = simpleCase(c.codePointAt(0)!, to);
  return simple === undefined ? c : String.fromCodePoint(simple);
}

function mapFirst(s: string, to: "upper" | "lower"): string {
  if (!s) return s;
  const first = String.fromCodePoint(s.codePointAt(0)!);
  return mapChar(first, to) + s.slice(first.length);
}

function mapAll(s: string, to: "upper" | "lower"): string {
  if (ASCII.test(s)) return to === "upper" ? s.toUpperCase() : s.toLowerCase();
  let out = "";
  for (const c of s) out += mapChar(c, to);
  return out;
}

/**
 * Evaluates a substring offset or length: integers with + - * / % and parentheses, as bash's
 * arithmetic does for literal numbers (010 is octal, 0x10 hex). Undefined for anything else (Flux
 * then returns the value unchanged).
 */
export function evalArithmetic(expr: string): number | undefined {
  const tokens = expr.match(/\s+|0[xX][0-9a-fA-F]+|[0-9]+|[-+*/%()]|./g) ?? [];
  const toks = tokens.filter((t) => !/^\s+$/.test(t));
  let k = 0;
  const primary = (): number | undefined => {
    const t = toks[k++];
    if (t === undefined) return undefined;
    if (t === "(") {
      const v = sum();
      return toks[k++] === ")" ? v : undefined;
    }
    if (t === "-" || t === "+") {
      const v = primary();
      return v === undefined ? undefined : t === "-" ? -v : v;
    }
    if (/^0[xX]/.test(t)) return parseInt(t.slice(2), 16);
    if (/^0[0-7]+$/.test(t)) return parseInt(t, 8);
    if (/^[0-9]+$/.test(t) && !/^0[0-9]/.test(t)) return parseInt(t, 10);
    return undefined;
  };
  const product = (): number | undefined => {
    let v = primary();
    while (v !== undefined && (toks[k] === "*" || toks[k] === "/" || toks[k] === "%")) {
      const op = toks[k++];
      const r = primary();
      if (r === undefined || (op !== "*" && r === 0)) return undefined;
      v = op === "*" ? v * r : op === "/" ? Math.trunc(v / r) : v % r;
    }
    return v;
  };
  const sum = (): number | undefined => {
    let v = product();
    while (v !== undefined && (toks[k] === "+" || toks[k] === "-")) {
      const op = toks[k++];
      const r = product();
      if (r === undefined) return undefined;
      v = op === "+" ? v + r : v - r;
    }
    return v;
  };
  if (toks.length === 0) return 0; // an empty offset or length counts as 0, as in bash
  const v = sum();
  return k === toks.length && v !== undefined && Number.isSafeInteger(v) ? v : undefined;
}

/**
 * `${v:off:len}`. As in bash, the length (and any variable in it) is evaluated only when the offset
 * falls inside the value.
 */
function substring(v: string, e: Expr, st: EvalState): string {
  const off = evalArithmetic(evalParts(e.args[0]!, st));
  if (off === undefined) return v; // as Flux
  const chars = ASCII.test(v) ? null : Array.from(v);
  const n = chars ? chars.length : v.length;
  let from = off < 0 ? n + off : off;
  if (from < 0 || from > n) return "";
  const lenArg = e.args[1] === undefined ? undefined : evalParts(e.args[1], st);
  const len = lenArg === undefined ? undefined : evalArithmetic(lenArg);
  if (lenArg !== undefined && len === undefined) return v; // as Flux
  let to = n;
  if (len !== undefined) {
    to = len < 0 ? n + len : Math.min(n, from + len);
    if (to < from) {
      st.errors.push({
        code: "SUBST_SYNTAX",
        variable: e.name,
        message: `${lenArg!.trim()}: substring expression < 0`,
        offset: e.start,
      });
      return "";
    }
  }
  from = Math.max(0, from);
  return chars ? chars.slice(from, to).join("") : v.slice(from, to);
}

// ---------------------------------------------------------------------------------------------
// Glob patterns (bash pattern matching without extglob)

/** glibc's C.UTF-8 `isspace` set (no no-break spaces). */
const SPACE = "[\\t-\\r \\u1680\\u2000-\\u2006\\u2008-\\u200a\\u2028\\u2029\\u205f\\u3000]";
/** Assigned, non-surrogate code points. */
const ASSIGNED = "[^\\p{Cn}\\p{Cs}]";

/**
 * Character classes as bash matches them in the C.UTF-8 locale (glibc's ctype tables): letters are
 * Unicode Alphabetic (marks included), digits of other scripts count as alpha, titlecase letters
 * such as "ǅ" are upper (and lower), punct is every printable character that is not alnum or space.
 * Each is a regular expression matching one code point.
 */
const POSIX_CLASSES: Record<string, string> = {
  alpha: "(?![0-9])[\\p{Alphabetic}\\p{Nd}]",
  digit: "[0-9]",
  alnum: "[\\p{Alphabetic}\\p{Nd}]",
  upper: "[\\p{Uppercase}\\p{Lt}]",
  lower: "[\\p{Lowercase}\\u01c5\\u01c8\\u01cb\\u01f2]",
  space: SPACE,
  blank: "[ \\t\\u1680\\u2000-\\u2006\\u2008-\\u200a\\u205f\\u3000]",
  punct: `(?![\\p{Alphabetic}\\p{Nd}\\p{Cc}]|${SPACE})${ASSIGNED}`,
  graph: `(?!\\p{Cc}|${SPACE})${ASSIGNED}`,
  print: `(?![\\t-\\r\\u2028\\u2029\\p{Cc}])${ASSIGNED}`,
  cntrl: "[\\p{Cc}\\u2028\\u2029]",
  xdigit: "[0-9A-Fa-f]",
  word: "[\\p{Alphabetic}\\p{Nd}_]",
};

function escapeRe(c: string): string {
  return /[A-Za-z0-9 _]/.test(c) ? c : `\\u{${c.codePointAt(0)!.toString(16)}}`;
}

/** Parses a bracket expression at pattern[i] === "[". Returns a regex matching one code point and the next index. */
function bracket(chars: readonly string[], i: number): { re: string; next: number } | undefined {
  let k = i + 1;
  let negate = false;
  if (chars[k] === "!" || chars[k] === "^") {
    negate = true;
    k++;
  }
  const items: string[] = [];
  const classes: string[] = [];
  let first = true;
  for (;;) {
    const c = chars[k];
    if (c === undefined) return undefined;
    if (c === "]" && !first) break;
    first = false;
    if (c === "[" && chars[k + 1] === ":") {
      const end = chars.indexOf(":", k + 2);
      if (end > 0 && chars[end + 1] === "]") {
        const cls = POSIX_CLASSES[chars.slice(k + 2, end).join("")];
        if (cls === undefined) return undefined;
        classes.push(cls);
        k = end + 2;
        continue;
      }
    }
    let lo = c;
    k++;
    if (lo === "\\" && chars[k] !== undefined) lo = chars[k++]!;
    if (chars[k] === "-" && chars[k + 1] !== undefined && chars[k + 1] !== "]") {
      let hi = chars[k + 1]!;
      k += 2;
      if (hi === "\\" && chars[k] !== undefined) hi = chars[k++]!;
      if (lo.codePointAt(0)! <= hi.codePointAt(0)!) items.push(`${escapeRe(lo)}-${escapeRe(hi)}`);
      continue;
    }
    items.push(escapeRe(lo));
  }
  const alternatives = items.length ? [`[${items.join("")}]`, ...classes] : classes;
  const any = alternatives.join("|");
  const re = negate ? (any ? `(?!${any})[\\s\\S]` : "[\\s\\S]") : any ? `(?:${any})` : "[]";
  return { re, next: k + 1 };
}

/** Whether a pattern has glob syntax (else it is compared as plain text). */
function isLiteral(pattern: string): boolean {
  return !/[*?[\\]/.test(pattern);
}

const globCache = new Map<string, RegExp>();

/** Compiles a glob pattern into an anchored regular expression. */
function globRegExp(pattern: string): RegExp {
  let re = globCache.get(pattern);
  if (re) return re;
  const chars = Array.from(pattern);
  let src = "";
  for (let i = 0; i < chars.length; ) {
    const c = chars[i]!;
    if (c === "*") {
      src += "[\\s\\S]*";
      i++;
    } else if (c === "?") {
      src += "[\\s\\S]";
      i++;
    } else if (c === "\\") {
      src += escapeRe(chars[i + 1] ?? "\\");
      i += 2;
    } else if (c === "[") {
      const b = bracket(chars, i);
      if (b) {
        src += b.re;
        i = b.next;
      } else {
        src += escapeRe(c);
        i++;
      }
    } else {
      src += escapeRe(c);
      i++;
    }
  }
  re = new RegExp(`^(?:${src})$`, "u");
  if (globCache.size >= PARSE_CACHE_MAX) globCache.clear();
  globCache.set(pattern, re);
  return re;
}

/** Indices between code points, ascending. */
function cuts(s: string): number[] {
  const out = [0];
  let i = 0;
  for (const c of s) {
    i += c.length;
    out.push(i);
  }
  return out;
}

function trimPrefix(v: string, pattern: string, longest: boolean): string {
  if (isLiteral(pattern)) return v.startsWith(pattern) ? v.slice(pattern.length) : v;
  const re = globRegExp(pattern);
  const cs = cuts(v);
  if (longest) cs.reverse();
  for (const b of cs) if (re.test(v.slice(0, b))) return v.slice(b);
  return v;
}

function trimSuffix(v: string, pattern: string, longest: boolean): string {
  if (isLiteral(pattern)) return v.endsWith(pattern) ? v.slice(0, v.length - pattern.length) : v;
  const re = globRegExp(pattern);
  const cs = cuts(v);
  if (!longest) cs.reverse();
  for (const a of cs) if (re.test(v.slice(a))) return v.slice(0, a);
  return v;
}

/** Leftmost-longest match of the pattern in v at or after `from`: [start, end] or undefined. */
function findMatch(v: string, pattern: string, cs: readonly number[], from: number): [number, number] | undefined {
  if (isLiteral(pattern)) {
    const at = v.indexOf(pattern, from);
    return at < 0 ? undefined : [at, at + pattern.length];
  }
  const re = globRegExp(pattern);
  for (let a = 0; a < cs.length; a++) {
    if (cs[a]! < from) continue;
    for (let b = cs.length - 1; b >= a; b--) if (re.test(v.slice(cs[a], cs[b]))) return [cs[a]!, cs[b]!];
  }
  return undefined;
}

function replace(v: string, op: Op, pattern: string, rep: string): string {
  if (op === "/#") {
    if (pattern === "") return rep + v;
    if (isLiteral(pattern)) return v.startsWith(pattern) ? rep + v.slice(pattern.length) : v;
    const re = globRegExp(pattern);
    for (const b of cuts(v).reverse()) if (re.test(v.slice(0, b))) return rep + v.slice(b);
    return v;
  }
  if (op === "/%") {
    if (pattern === "") return v + rep;
    if (isLiteral(pattern)) return v.endsWith(pattern) ? v.slice(0, v.length - pattern.length) + rep : v;
    const re = globRegExp(pattern);
    for (const a of cuts(v)) if (re.test(v.slice(a))) return v.slice(0, a) + rep;
    return v;
  }
  if (pattern === "") return v;
  if (v === "") return !isLiteral(pattern) && globRegExp(pattern).test("") ? rep : v;
  const cs = isLiteral(pattern) ? [] : cuts(v);
  let out = "";
  let pos = 0;
  while (pos < v.length) {
    const m = findMatch(v, pattern, cs, pos);
    if (!m) break;
    const [a, b] = m;
    out += v.slice(pos, a) + rep;
    if (b === a) {
      // an empty match: bash copies one character and goes on
      if (a >= v.length) {
        pos = a;
        break;
      }
      const c = String.fromCodePoint(v.codePointAt(a)!);
      out += c;
      pos = a + c.length;
    } else {
      pos = b;
    }
    if (op === "/") break;
  }
  return out + v.slice(pos);
}
