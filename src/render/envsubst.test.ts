import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { envsubst, evalArithmetic, VAR_NAME_PATTERN } from "./envsubst.js";

const run = promisify(execFile);

const VARS: Record<string, string> = {
  v: "abcdef",
  e: "",
  f: "bash.string.txt",
  p: "/home/bozo/ideas/thoughts.for.today",
  z: "abcABC123ABCabc",
  s: "foo/bar/baz",
  m: "MiXeD Case",
  g: "a*b?c[d]",
  n2: "-2",
  t: "İᾳǅx",
  q: "ǅa\u00a0ª1٣.Ⅻ",
};

/**
 * Runs `printf %s "<expr>"` for every expression in one bash process, each in its own subshell, with
 * VARS set (u and w stay unset). Returns output and success per expression.
 */
async function bashAll(exprs: readonly string[], opts: { nounset?: boolean } = {}): Promise<Map<string, { out: string; ok: boolean }>> {
  const assigns = Object.entries(VARS)
    .map(([k, v]) => `${k}='${v.replaceAll("'", `'\\''`)}'`)
    .join("; ");
  const body = exprs.map((x) => `( printf '%s' "${x}" ) 2>/dev/null; printf '\\0%d\\0' $?`).join("\n");
  const script = `${opts.nounset ? "set -u; " : ""}${assigns}\n${body}\n`;
  const { stdout } = await run("bash", ["-c", script], { env: { PATH: process.env.PATH ?? "", LC_ALL: "C.UTF-8" } });
  const fields = stdout.split("\0");
  const out = new Map<string, { out: string; ok: boolean }>();
  exprs.forEach((x, i) => out.set(x, { out: fields[2 * i]!, ok: fields[2 * i + 1] === "0" }));
  return out;
}

describe("envsubst: same result as bash", () => {
  const cases = [
    // plain, length, case
    "${v}", "${#v}", "${#e}", "${#z}", "${v^}", "${v^^}", "${m,}", "${m,,}", "${m^^}", "${e^}", "${e,,}",
    // substring: offsets and lengths, negative and out of range
    "${p:11}", "${p:11:5}", "${v:0}", "${v:6}", "${v:7}", "${v:100}", "${v: -2}", "${v: -6}", "${v: -7}",
    "${v:(-3)}", "${v:(-3):2}", "${v:1:-1}", "${v:2:0}", "${v:2:100}", "${v::2}", "${v:1:}", "${v: -3:-1}",
    "${v:1+1:2*2}", "${v:010}", "${v:${n2}}", "${v:0:${n2}}", "${v:10:-1}", "${v: -10:2}",
    // remove prefix / suffix with globs
    "${f#*.}", "${f##*.}", "${f%.*}", "${f%%.*}", "${f#*}", "${f##*}", "${f%*}", "${f%%*}", "${f#b?sh}",
    "${f%t?t}", "${f#[a-c]}", "${f##[a-z]*[.]}", "${f%[!.]}", "${f%%[[:alpha:]]}", "${f#nomatch}", "${f#}",
    "${f%%}", "${s#*/}", "${s##*/}", "${s%/*}", "${s%%/*}", "${f#bash.}", "${f%.txt}", "${g#a\\*}", "${g%\\[d\\]}",
    "${f#[^b]}", "${f#[]b]}", "${f##*[[:punct:]]}", "${e#*}", "${e%%x}",
    // replace with globs
    "${z/abc/xyz}", "${z//abc/xyz}", "${z/#abc/XYZ}", "${z/%abc/XYZ}", "${z/#ABC/X}", "${z/%ABC/X}",
    "${z//[0-9]/#}", "${z/B*C/-}", "${z//?/.}", "${z/#a*c/X}", "${z/%a*c/X}", "${z//[aA]/}", "${s//\\//-}",
    "${s/\\//-}", "${v/#/>}", "${v/%/<}", "${v//}", "${v/x/y}", "${v//[bd]/_}", "${e/*/x}", "${e//*/x}",
    "${e/#/x}", "${g/\\*/S}", "${g//[?*]/_}", "${g/\\[d\\]/D}", "${v/b}", "${v//[ce]}", "${s//o/0}",
    "${z/[[:upper:]]*[[:digit:]]/_}", "${v/c/\\/}", "${v/c/\\\\}", "${z//b*/}",
    // defaults, nested
    "${u:-dflt}", "${e:-dflt}", "${v:-dflt}", "${u-dflt}", "${e-dflt}", "${v-dflt}", "${u:=x}", "${e:=x}",
    "${u=x}", "${e=x}", "${u:-${v}}", "${u:-pre${v}post}", "${u:-${w:-deep}}", "${u:-${v^^}}", "${u:-a b c}",
    "${u:-}", "${u=${v:1:2}}", "${u:-${f%%.*}-${#z}}", "${v:-${u}}",
    // text around
    "pre-${v}-post ${f%%.*}/${#z}", "a $ b", "${v}${v}", "x${u:-}y",
    // regressions found by envsubst-fuzz.test.ts
    "${s///}", "${s////-}", "${s///bar/X}", "${v///x}", // after `//` a `/` starts the pattern
    "${u/#/x}", "${u/%/x}", "${u//*/x}", "${u/*/x}", "${u:0:-1}", "${u: -1:-2}", // unset: nothing to replace
    "${t,,}", "${t^^}", "${t,}", "${t^}", // simple case mappings (İ → i, ᾳ → ᾼ)
    "${q//[[:upper:]]/U}", "${q//[[:lower:]]/l}", "${q//[[:space:]]/_}", "${q//[[:alpha:]]/a}",
    "${q//[[:alnum:]]/n}", "${q//[[:punct:]]/p}", "${q//[[:graph:]]/g}", "${q//[![:alnum:]]/-}", "${q//[a[:digit:]]/d}",
  ];
  const strictCases = [
    "${u}", "${#u}", "${u^}", "${u^^}", "${u,}", "${u,,}", "${u:0}", "${u:0:2}", "${u#a}", "${u##a}", "${u%a}",
    "${u%%a}", "${u/a/b}", "${u//a/b}", "${u/#a/b}", "${u/%a/b}", "${u:-x}", "${u:=x}", "${u-x}", "${u=x}",
    "${e}", "${#e}", "${u:-${v}}", "${u:-${w}}", "${v#${w}}",
    // evaluated lazily, as bash does: a length past the offset, a pattern with nothing to remove from
    "${v:10:${w}}", "${v:1:${w}}", "${e#${w}}", "${e%%${w}}", "${e/${w}/x}", "${e/x/${w}}",
  ];
  let refs: Map<string, { out: string; ok: boolean }>;
  let strictRefs: Map<string, { out: string; ok: boolean }>;
  beforeAll(async () => {
    [refs, strictRefs] = await Promise.all([bashAll([...cases, "${v:4:-3}"]), bashAll(strictCases, { nounset: true })]);
  });

  it("the bash harness runs (sanity)", () => {
    expect(refs.get("${v}")).toEqual({ out: "abcdef", ok: true });
    expect(refs.size).toBe(new Set([...cases, "${v:4:-3}"]).size);
  });

  it.each(cases)("%s", (expr) => {
    const ours = envsubst(expr, VARS, { strict: false });
    expect(ours.errors).toEqual([]);
    const ref = refs.get(expr)!;
    expect(ref.ok).toBe(true);
    expect(ours.output).toBe(ref.out);
  });

  it.each(strictCases)("strict %s errors exactly when bash set -u does", (expr) => {
    const ours = envsubst(expr, VARS, { strict: true });
    const ref = strictRefs.get(expr)!;
    expect(ours.errors.length === 0).toBe(ref.ok);
    if (ref.ok) expect(ours.output).toBe(ref.out);
    else expect(ours.errors.every((e) => e.code === "SUBST_UNDEFINED")).toBe(true);
  });

  it("a negative length ending before the offset is an error, as in bash", () => {
    const ours = envsubst("${v:4:-3}", VARS);
    expect(ours.errors).toMatchObject([{ code: "SUBST_SYNTAX", variable: "v" }]);
    expect(refs.get("${v:4:-3}")!.ok).toBe(false);
  });
});

describe("envsubst: Flux rules", () => {
  const table: [string, string][] = [
    // only the braced form; $$ escapes
    ["$v and $(date) and $1", "$v and $(date) and $1"],
    ["$${v}", "${v}"],
    ["$$v", "$v"],
    ["$$$${v}", "$${v}"],
    ["$$${v}", "$abcdef"],
    ["some text ${v}$${w$${v}$v${v}", "some text abcdef${w${v}$vabcdef"],
    ["something $${w=${v}}", "something ${w=abcdef}"],
    ["cost: 5$", "cost: 5$"],
    ["\\\\server ${v}", "\\\\server abcdef"],
    ["http://x/${v}", "http://x/abcdef"],
    // no assignment: ${u=x} leaves u unset
    ["${u=x}-${u:-unset}", "x-unset"],
    // & is literal in a replacement (no bash 5.2 patsub_replacement)
    ["${v/b/&&}", "a&&cdef"],
    // :+ and :? behave like :- (Flux parses them with its default function)
    ["${v:+alt}", "abcdef"],
    ["${e:+alt}", "alt"],
    ["${u:?msg}", "msg"],
    // quotes and backslashes in defaults are literal text
    ["${u:-'q'}", "'q'"],
    ['${u:-"a b"}', '"a b"'],
    ["${u:-a\\b}", "a\\b"],
    // $$ in a default is not an escape, in a pattern or replacement it is
    ["${u:-$${v}}", "$abcdef"],
    ["${v/b/$$}", "a$cdef"],
    // mixed casing operators return the value
    ["${v^,}", "abcdef"],
    // escaped slashes
    ["${s/\\//-}", "foo-bar/baz"],
    ["${s//\\//-}", "foo-bar-baz"],
    ["${v/c/}", "abdef"],
    // nested everywhere
    ["${s//${x}/${y}}", "f00/bar/baz"],
    ["${v:${one}:${two}}", "bc"],
    ["${f#${star}.}", "string.txt"],
    // code points, not bytes (Flux counts UTF-8 bytes: 6)
    ["${#uni}", "5"],
    ["${uni^^}", "HÉLLO"],
    ["${uni:1:2}", "él"],
    ["${uni/?l/_}", "h_lo"],
  ];
  const vars = { ...VARS, x: "o", y: "0", one: "1", two: "2", star: "*", uni: "héllo" };
  it.each(table)("%s → %s", (input, output) => {
    expect(envsubst(input, vars, { strict: false })).toEqual({ output, errors: [] });
  });

  it("does not touch strings without $", () => {
    const input = "plain text with { braces } and \\ backslashes";
    expect(envsubst(input, {}, { strict: true })).toEqual({ output: input, errors: [] });
  });

  it("strips newlines from values (Map or record)", () => {
    expect(envsubst("[${n}]", { n: "a\nb\n" }).output).toBe("[ab]");
    expect(envsubst("[${n}]", new Map([["n", "\nx\n"]])).output).toBe("[x]");
  });

  it("is strict by default and collects every undefined variable once", () => {
    const r = envsubst("${a} ${b} ${a} ${c:-x} ${d#x} ${#e2}", { c: "" });
    expect(r.errors.map((e) => [e.code, e.variable])).toEqual([
      ["SUBST_UNDEFINED", "a"],
      ["SUBST_UNDEFINED", "b"],
      ["SUBST_UNDEFINED", "d"],
      ["SUBST_UNDEFINED", "e2"],
    ]);
    expect(r.errors[1]!.offset).toBe(5);
    expect(r.output).toBe("   x  0");
  });

  it("non-strict: undefined variables become empty", () => {
    expect(envsubst("<${a}|${#a}|${a^^}|${a/x/y}>", {}, { strict: false })).toEqual({ output: "<|0||>", errors: [] });
  });

  it("strict: a defined empty variable is not an error", () => {
    expect(envsubst("<${e}>", { e: "" })).toEqual({ output: "<>", errors: [] });
  });

  it("strict: an undefined variable inside an unused default is not an error (evaluated lazily)", () => {
    expect(envsubst("${v:-${nope}}", { v: "x" })).toEqual({ output: "x", errors: [] });
    expect(envsubst("${v:-${nope}}", { v: "" }).errors).toMatchObject([{ code: "SUBST_UNDEFINED", variable: "nope" }]);
  });

  it("names are looked up as written: invalid names are simply undefined", () => {
    expect(envsubst("${1abc}", { "1abc": "x" }, { strict: true }).output).toBe("x");
    expect(envsubst("${é}", {}, { strict: true }).errors).toMatchObject([{ code: "SUBST_UNDEFINED", variable: "é" }]);
  });

  const syntax = [
    "${", "${v", "${}", "${ v}", "${v }", "${v!}", "${v:}", "${#}", "${#v:-x}", "${v^^^}", "${v+x}", "${v?x}",
    "${a${b}}", "${v/a/b", "${u:-${}", "ok ${v} then ${bad", "${v:-x",
  ];
  it.each(syntax)("syntax error: %s", (input) => {
    const r = envsubst(input, VARS);
    expect(r.output).toBe(input);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ code: "SUBST_SYNTAX" });
    expect(r.errors[0]!.offset).toBeTypeOf("number");
  });

  it("reports where the broken expression starts", () => {
    expect(envsubst("ok ${v} then ${bad", VARS).errors[0]!.offset).toBe(13);
  });
});

describe("evalArithmetic", () => {
  it.each([
    ["", 0], ["3", 3], [" -3 ", -3], ["(-3)", -3], ["1+2*3", 7], ["(1+2)*3", 9], ["7/2", 3], ["-7/2", -3],
    ["7%3", 1], ["010", 8], ["0x10", 16], ["--2", 2],
  ] as const)("%j = %d", (expr, value) => {
    expect(evalArithmetic(expr)).toBe(value);
  });
  it.each(["1.5", "x", "1+", "(1", "1/0", "08", "1 2"])("%j is not a number", (expr) => {
    expect(evalArithmetic(expr)).toBeUndefined();
  });
  it("leaves the value unchanged when the offset is not a number (as Flux)", () => {
    expect(envsubst("${v:x}", { v: "abc" }).output).toBe("abc");
    expect(envsubst("${v:1:y}", { v: "abc" }).output).toBe("abc");
  });
});

describe("VAR_NAME_PATTERN", () => {
  it.each([["a", true], ["_A1", true], ["1a", false], ["a-b", false], ["é", false], ["", false]] as const)(
    "%j → %s",
    (name, ok) => expect(VAR_NAME_PATTERN.test(name)).toBe(ok),
  );
});
