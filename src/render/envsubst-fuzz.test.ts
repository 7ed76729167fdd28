/**
 * Differential fuzzing of {@link envsubst} against bash, restricted to the forms where Flux's envsubst
 * (the specification, see envsubst.ts and envsubst.test.ts) and bash agree: a seeded generator writes a
 * few thousand random templates, one batched bash process evaluates them all (each in its own subshell,
 * values passed through environment variables, results NUL-separated), and braid must agree.
 *
 * Generated, because Flux and bash give the same answers there:
 * - `${v}`, case operators, `${v:-d}` / `${v:=d}` (nested expressions included), `$$` escapes and bare
 *   `$var` (rendered as `\$…` for bash), `${v=…}` / `${v:=…}` not assigning (rewritten to `-` forms for
 *   bash when the variable occurs again);
 * - `${#v}` and `${v:off}` / `${v:off:len}` only on ASCII values (`c`, `n`) and with plain non-negative
 *   offsets and lengths (Flux counts bytes and reads numbers with Atoi);
 * - `#`, `##`, `%`, `%%` with one non-empty literal pattern (Flux's glob matcher differs from bash's);
 * - `/`, `//`, `/#`, `/%` with a literal pattern (Flux has no globs) and a `/replacement` (a single
 *   nested expression or text; `/#` and `/%` with a non-empty one: Flux ignores an empty one).
 * Not generated (Flux differs; envsubst.test.ts covers them): `-`, `=`, `+`, `?` forms, globs, empty
 * patterns, negative or arithmetic offsets, unicode lengths and substrings. In strict mode, templates with
 * nested expressions inside arguments are not compared (Flux evaluates every argument, bash lazily).
 * The seed can be changed with BRAID_ENVSUBST_FUZZ_SEED to explore further.
 */
import { spawn } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { envsubst } from "./envsubst.js";

// ---------------------------------------------------------------------------------------------
// Deterministic random numbers (mulberry32)

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------
// Templates: each fragment is rendered for braid (Flux syntax) and for bash

interface Frag {
  flux: string;
  sh: string;
  /** Set on the head of `${v=` / `${v:=`: the variable it would assign in bash. */
  assigns?: string;
  /** A nested expression inside an argument (evaluated eagerly by Flux, lazily by bash). */
  nestedArg?: boolean;
}

type Op = "" | "len" | "^" | "^^" | "," | ",," | ":" | "#" | "##" | "%" | "%%" | ":-" | ":=" | "/" | "//" | "/#" | "/%";

const OPS: readonly Op[] = [
  "",
  "len",
  "^",
  "^^",
  ",",
  ",,",
  ":",
  "#",
  "##",
  "%",
  "%%",
  ":-",
  ":=",
  "/",
  "//",
  "/#",
  "/%",
];

/** Variable names: a–d get random values or stay unset per template (c: ASCII only); n holds a number or is unset. */
const NAMES = ["a", "b", "c", "d", "n"] as const;

/** Value alphabet: letters of both cases, glob characters, spaces, slashes, unicode. */
const VALUE_CHARS = [
  "a",
  "b",
  "c",
  "x",
  "A",
  "B",
  "C",
  "X",
  "1",
  "2",
  ".",
  "-",
  "/",
  " ",
  "*",
  "?",
  "[",
  "]",
  "!",
  "&",
  "#",
  "%",
  ":",
  "é",
  "É",
  "ß",
  "ü",
  "Σ",
  "σ",
  "😀",
  "ǅ",
  "İ",
  "\\",
  "'",
  "\t",
  "\u00a0",
  "\u3000",
  "ᾳ",
  "Ⅻ",
];
const PATTERN_LITERALS = ["a", "b", "c", "x", "A", "B", "1", ".", "-", " ", "é", "ß", "😀", "#", "%", ":"];
/** First characters of a pattern that cannot change the operator. */
const PATTERN_START = PATTERN_LITERALS.filter((c) => c !== "#" && c !== "%");
const TEXT_CHARS = [
  "x",
  "y",
  "-",
  " ",
  ":",
  ".",
  ",",
  "/",
  "=",
  "{",
  "}",
  "@",
  "#",
  "%",
  "*",
  "?",
  "[",
  "]",
  "é",
  "😀",
];
const DEFAULT_CHARS = ["d", "e", "f", "X", " ", "-", ".", "/", "*", "?", "[", "]", "é", "😀", "#", "%", ":", "&"];
const NUMBERS = ["0", "1", "2", "3", "5", "10", "100"];

class Gen {
  constructor(private readonly rnd: () => number) {}

  int(n: number): number {
    return Math.floor(this.rnd() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.rnd() < p;
  }

  value(): string {
    if (this.chance(0.15)) return "";
    let s = "";
    const len = 1 + this.int(7);
    for (let i = 0; i < len; i++) s += this.chance(0.5) ? this.pick(VALUE_CHARS.slice(0, 8)) : this.pick(VALUE_CHARS);
    // bash quirk left out: a pattern of the `/` forms that ends in a backslash coming from a variable
    // never matches in bash (`${d//$c}` with c='\'), while `${d#$c}` does
    return s.endsWith("\\") ? s + "x" : s;
  }

  asciiValue(): string {
    if (this.chance(0.15)) return "";
    let s = "";
    const len = 1 + this.int(7);
    for (let i = 0; i < len; i++) s += this.pick(VALUE_CHARS.slice(0, 8));
    return s;
  }

  vars(): Record<string, string> {
    const vars: Record<string, string> = {};
    for (const name of NAMES) {
      if (name === "n") {
        if (this.chance(0.7)) vars.n = (this.chance(0.4) ? "-" : "") + this.pick(NUMBERS);
      } else if (this.chance(0.8)) vars[name] = name === "c" ? this.asciiValue() : this.value();
    }
    return vars;
  }

  name(): string {
    return this.chance(0.85) ? this.pick(NAMES.slice(0, 4)) : this.pick(["u", "n"]);
  }

  /** A whole template: literal text, expressions and `$` escapes. */
  template(): Frag[] {
    const out: Frag[] = [];
    const n = 1 + this.int(4);
    for (let i = 0; i < n; i++) {
      const r = this.rnd();
      if (r < 0.6) out.push(...this.expr(0));
      else if (r < 0.85) out.push(this.text(TEXT_CHARS));
      else out.push(this.escape());
    }
    return out;
  }

  text(chars: readonly string[]): Frag {
    let s = "";
    const len = 1 + this.int(4);
    for (let i = 0; i < len; i++) s += this.pick(chars);
    return { flux: s, sh: s };
  }

  /** Flux's `$` rules, rendered for bash as the literal text Flux produces. */
  escape(): Frag {
    const name = this.pick(NAMES);
    switch (this.int(4)) {
      case 0:
        return { flux: `$\${${name}}`, sh: `\\\${${name}}` }; // $${a} → ${a}
      case 1:
        return { flux: `$$${name}`, sh: `\\$${name}` }; // $$a → $a
      case 2:
        return { flux: `$${name}`, sh: `\\$${name}` }; // $a stays $a
      default:
        return { flux: "$ ", sh: "\\$ " }; // a lone $
    }
  }

  /** One `${…}` expression, as fragments (so that nested `=` can be rewritten for bash later). */
  expr(depth: number): Frag[] {
    let name = this.name();
    const op = this.pick(OPS);
    const nest = depth < 2;
    const open = (s: string): Frag[] => [{ flux: s, sh: s }];
    switch (op) {
      case "":
        return open(`\${${name}}`);
      case "len":
        // Flux counts bytes: ASCII values only
        return open(`\${#${this.pick(["c", "n", "u"])}}`);
      case "^":
      case "^^":
      case ",":
      case ",,":
        return open(`\${${name}${op}}`);
      case ":": {
        // bytes, and Atoi: ASCII values, plain non-negative numbers
        name = this.pick(["c", "c", "n", "u"]);
        const parts: Frag[] = [...open(`\${${name}:${this.pick(NUMBERS)}`)];
        if (this.chance(0.6)) parts.push(...open(`:${this.pick(NUMBERS)}`));
        return [...parts, ...open("}")];
      }
      case "#":
      case "##":
      case "%":
      case "%%":
        // one literal pattern (Flux's globs differ from bash's)
        // (not starting with `#` or `%`, which would change the operator or empty the pattern)
        return open(
          `\${${name}${op}${this.text(PATTERN_START).flux}${this.chance(0.5) ? this.text(PATTERN_LITERALS).flux : ""}}`,
        );
      case ":-":
      case ":=": {
        const assign = op === ":=";
        return [
          { flux: `\${${name}${op}`, sh: `\${${name}${op}`, ...(assign ? { assigns: name } : {}) },
          ...this.default(nest, depth),
          ...open("}"),
        ];
      }
      default: {
        // a literal pattern that cannot change the operator (`/`, `#`, `%` first), always a delimiter,
        // and a replacement for `/#` and `/%` (Flux ignores an empty one)
        const pattern = this.pattern();
        const replacement = this.replacement(nest, depth, op === "/#" || op === "/%");
        return [...open(`\${${name}${op}`), ...pattern, ...open("/"), ...replacement, ...open("}")];
      }
    }
  }

  /** A literal pattern of the `/` forms: text, `\/` and `$$` (a literal dollar). */
  pattern(): Frag[] {
    const first = this.text(PATTERN_START);
    const out: Frag[] = [first];
    const len = this.int(3);
    for (let i = 0; i < len; i++) {
      if (this.chance(0.6)) out.push(this.text(PATTERN_LITERALS));
      else out.push(this.chance(0.5) ? { flux: "\\/", sh: "\\/" } : { flux: "$$", sh: "\\$" });
    }
    return out;
  }

  /** One nested expression, or text and escapes (Flux takes a single argument). */
  replacement(nest: boolean, depth: number, nonEmpty: boolean): Frag[] {
    if (nest && this.chance(0.2)) {
      const e = this.expr(depth + 1);
      e[0] = { ...e[0]!, nestedArg: true };
      return e;
    }
    const out: Frag[] = [];
    const len = (nonEmpty ? 1 : 0) + this.int(3);
    for (let i = 0; i < len; i++) {
      if (this.chance(0.75)) out.push(this.text([...PATTERN_LITERALS, "*", "?", "[", "]", "&", "É"]));
      else {
        const e = this.pick([
          ["\\/", "\\/"],
          ["$$", "\\$"],
          ["\\\\", "\\\\"],
        ] as const);
        out.push({ flux: e[0], sh: e[1] });
      }
    }
    return out;
  }

  default(nest: boolean, depth: number): Frag[] {
    const out: Frag[] = [];
    const len = this.int(3);
    for (let i = 0; i < len; i++) {
      if (nest && this.chance(0.35)) {
        const e = this.expr(depth + 1);
        e[0] = { ...e[0]!, nestedArg: true };
        out.push(...e);
      } else out.push(this.text(DEFAULT_CHARS));
    }
    return out;
  }
}

interface Case {
  flux: string;
  sh: string;
  vars: Record<string, string>;
  /** Holds a nested expression inside an argument: not compared in strict mode. */
  nestedArg: boolean;
}

/** Joins fragments; a `=`/`:=` whose variable appears elsewhere becomes `-`/`:-` for bash. */
function assemble(frags: readonly Frag[], vars: Record<string, string>): Case {
  const flux = frags.map((f) => f.flux).join("");
  const sh = frags
    .map((f) => {
      const name = f.assigns;
      if (name === undefined) return f.sh;
      const uses = flux.match(new RegExp(`\\$\\{#?${name}\\b`, "g"))?.length ?? 0;
      return uses > 1 ? f.sh.replace(/:?=$/, (m) => m.replace("=", "-")) : f.sh;
    })
    .join("");
  return { flux, sh, vars, nestedArg: frags.some((f) => f.nestedArg) };
}

/** The fuzz corpus for a seed. */
function generate(seed: number, count: number): Case[] {
  const g = new Gen(prng(seed));
  const seen = new Set<string>();
  const out: Case[] = [];
  while (out.length < count) {
    const vars = g.vars();
    const c = assemble(g.template(), vars);
    const key = c.flux + "\0" + JSON.stringify(vars);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(c);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// One bash process for the whole corpus

interface BashResult {
  out: string;
  ok: boolean;
}

/**
 * Evaluates every case in its own subshell of one bash process. Distinct values travel as environment
 * variables V0…Vk (never through the script text); each subshell unsets a–d, n, u and copies in its own.
 * Output is `<result>\0<status>\0` per case.
 */
async function bashBatch(cases: readonly Case[], nounset: boolean): Promise<BashResult[]> {
  const values = new Map<string, string>();
  const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C.UTF-8" };
  const ref = (v: string): string => {
    let k = values.get(v);
    if (k === undefined) {
      k = `V${values.size}`;
      values.set(v, k);
      env[k] = v;
    }
    return k;
  };
  const lines = ["shopt -u patsub_replacement"];
  if (nounset) lines.push("set -u");
  for (const c of cases) {
    const assigns = Object.entries(c.vars).map(([k, v]) => `${k}=$${ref(v)}`);
    lines.push(
      `( unset a b c d n u; ${assigns.join("; ")}${assigns.length ? "; " : ""}printf '%s' "${c.sh}" ) 2>/dev/null; printf '\\0%d\\0' $?`,
    );
  }
  const script = lines.join("\n") + "\n";
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = spawn("bash", ["-s"], { env, stdio: ["pipe", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => chunks.push(d));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve(Buffer.concat(chunks).toString("utf8"))
        : reject(new Error(`bash exited ${code}: ${stderr}`)),
    );
    child.stdin.end(script);
  });
  const fields = stdout.split("\0");
  if (fields.length !== 2 * cases.length + 1)
    throw new Error(`bash printed ${fields.length} fields for ${cases.length} cases`);
  return cases.map((_, i) => ({ out: fields[2 * i]!, ok: fields[2 * i + 1] === "0" }));
}

// ---------------------------------------------------------------------------------------------

const SEED = Number(process.env.BRAID_ENVSUBST_FUZZ_SEED ?? 20240611);
const COUNT = Number(process.env.BRAID_ENVSUBST_FUZZ_COUNT ?? 4000);

describe(`envsubst fuzzed against bash (seed ${SEED})`, () => {
  const cases = generate(SEED, COUNT);
  let loose: BashResult[];
  let strict: BashResult[];
  beforeAll(async () => {
    [loose, strict] = await Promise.all([bashBatch(cases, false), bashBatch(cases, true)]);
  });

  it("the generator covers every form and is deterministic", () => {
    expect(cases).toHaveLength(COUNT);
    expect(generate(SEED, 50)).toEqual(cases.slice(0, 50));
    const all = cases.map((c) => c.flux).join("\n");
    for (const form of [
      "${#",
      "^}",
      "^^}",
      ",}",
      ",,}",
      "${c:",
      "##",
      "%%",
      ":-",
      ":=",
      "//",
      "/#",
      "/%",
      "$$",
      "\\/",
    ]) {
      expect(all).toContain(form);
    }
    expect(loose.filter((r) => r.ok).length).toBeGreaterThan(COUNT * 0.9);
  });

  it("non-strict output equals bash's (and braid errors exactly when bash fails)", () => {
    const diffs: string[] = [];
    cases.forEach((c, i) => {
      const ref = loose[i]!;
      const ours = envsubst(c.flux, c.vars, { strict: false });
      const ok = ours.errors.length === 0;
      if (ok !== ref.ok || (ok && ours.output !== ref.out)) {
        diffs.push(
          `${JSON.stringify(c.flux)} vars=${JSON.stringify(c.vars)} bash=${ref.ok ? JSON.stringify(ref.out) : "error"} ` +
            `braid=${ok ? JSON.stringify(ours.output) : ours.errors.map((e) => e.code).join(",")}`,
        );
      }
    });
    expect(diffs.slice(0, 40)).toEqual([]);
  });

  it("strict: an undefined variable is an error exactly when bash set -u fails", () => {
    const diffs: string[] = [];
    cases.forEach((c, i) => {
      if (c.nestedArg) return;
      const ref = strict[i]!;
      const ours = envsubst(c.flux, c.vars, { strict: true });
      const undefinedError = ours.errors.some((e) => e.code === "SUBST_UNDEFINED");
      // bash stops at its first error; compare "undefined" only where the non-strict run succeeds
      const bashUndefined = !ref.ok && loose[i]!.ok;
      const mismatch = loose[i]!.ok
        ? undefinedError !== bashUndefined || (ref.ok && ours.output !== ref.out)
        : ours.errors.length === 0;
      if (mismatch) {
        diffs.push(
          `${JSON.stringify(c.flux)} vars=${JSON.stringify(c.vars)} bash -u=${ref.ok ? JSON.stringify(ref.out) : "error"} ` +
            `braid=${ours.errors.length === 0 ? JSON.stringify(ours.output) : ours.errors.map((e) => `${e.code}:${e.variable}`).join(",")}`,
        );
      }
    });
    expect(diffs.slice(0, 40)).toEqual([]);
  });
});
