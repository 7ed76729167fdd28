/**
 * Differential table against Flux's envsubst (fluxcd/pkg envsubst, as kustomize-controller drives it in
 * strict mode). Every expected answer was derived by hand from the Go code path that decides it, named
 * in the comment of its group (parse.go, scan.go, template.go, funcs.go, path/match.go); none comes from
 * running braid. `ERR` means Flux's Parse fails (syntax), `UNDEF` that Execute fails with "variable not
 * set (strict mode)", `PANIC` that the Go code panics; braid must fail with the located code instead.
 */
import { describe, expect, it } from "vitest";
import { envsubst, VAR_NAME_PATTERN } from "./envsubst.js";

const VARS: Record<string, string> = {
  a: "hello",
  e: "",
  s: "a/b/c",
  m: "MiXeD",
  h: "héllo",
  g: "a*b?c",
  n: "-2",
  two: "2",
  c: "abB:a",
  star: "*",
  d: "a-b-c",
  p: "bash.string.txt",
  t: "İᾳǅßx",
  nl: "one\ntwo",
  sp: " -2",
};

const ERR = { error: "SUBST_SYNTAX" } as const;
const UNDEF = { error: "SUBST_UNDEFINED" } as const;
const PANIC = { error: "SUBST_SYNTAX", panic: true } as const;
/** Flux's result is not UTF-8: its YAML parser rejects the text. */
const NOT_UTF8 = { error: "SUBST_SYNTAX" } as const;
type Want = string | typeof ERR | typeof UNDEF | typeof PANIC;

/** [template, Flux's answer] groups, each with the Go code that decides it. */
const TABLE: Record<string, [string, Want][]> = {
  // scan.go scanEscaped in parseAny (escapeChars = dollar): `$$` drops one `$`, the kept one is
  // consumed, so `$${a}` is literal text; parseAny only opens on `${`
  "text and escapes (parseAny, scanEscaped)": [
    ["plain text", "plain text"],
    ["$a $1 $(cmd) $ {a}", "$a $1 $(cmd) $ {a}"],
    ["$${a}", "${a}"],
    ["$$a", "$a"],
    ["$$$${a}", "$${a}"],
    ["$$${a}", "$hello"],
    ["a$", "a$"],
    ["${a}${a}", "hellohello"],
    ["x${a}y", "xhelloy"],
    ["}{$}", "}{$}"],
    ["\\/ \\\\ ${a}", "\\/ \\\\ hello"], // backslash escapes are off outside functions
  ],
  // parseFunc: name by acceptIdent (letters, digits, `_`), then peek decides the form; anything else
  // must be `}` or it is ErrMissingClosingBrace
  "names and the closing brace (parseFunc)": [
    ["${}", ERR],
    ["${ a}", ERR],
    ["${a }", ERR],
    ["${a", ERR],
    ["${a-d}", ERR], // `-` is not a form: missing closing brace
    ["${e-d}", ERR],
    ["${u-d}", ERR],
    ["${a+d}", ERR],
    ["${a?d}", ERR],
    ["${a.b}", ERR],
    ["${__data.fields.X}", ERR],
    ["${1}", UNDEF], // a digit is an identifier rune
    ["${a}}", "hello}"],
    ["${a${a}}", ERR],
    ["${é}", UNDEF],
  ],
  // parseLenFunc + lookupFunc("#", 0 args) = toLen: len(s) counts bytes
  "length (parseLenFunc, toLen)": [
    ["${#a}", "5"],
    ["${#h}", "6"],
    ["${#e}", "0"],
    ["${#}", ERR],
    ["${##a}", ERR],
    ["${#a:1}", ERR],
    ["${#a#}", ERR],
    ["${#u}", UNDEF], // strict: `#` is not a default operator (template.go isDefaultOp)
  ],
  // parseCasingFunc: up to two of `,` `^` (acceptCasingFunc i < 3); unknown mixes are toDefault
  "case (parseCasingFunc, toUpper/toLower/…First)": [
    ["${a^}", "Hello"],
    ["${a^^}", "HELLO"],
    ["${m,}", "miXeD"],
    ["${m,,}", "mixed"],
    ["${m^,}", "MiXeD"], // lookupFunc default: toDefault(value)
    ["${m,^}", "MiXeD"],
    ["${a^^^}", ERR],
    ["${e^^}", ""],
    ["${t,,}", "iᾳǆßx"], // unicode.ToLower: İ → i (simple mapping)
    ["${t^^}", "İᾼǄßX"], // unicode.ToUpper: ᾳ → ᾼ, ß stays
    ["${h^}", "Héllo"],
    ["${u^}", UNDEF],
  ],
  // parseDefaultOrSubstr → parseDefaultFunc: `=` or `:` + one of `=-?+`; args are text and nested
  // functions up to `}`; every lookupFunc choice is toDefault (value if non-empty, else args joined)
  "defaults (parseDefaultFunc, toDefault)": [
    ["${a:-d}", "hello"],
    ["${e:-d}", "d"],
    ["${u:-d}", "d"],
    ["${a=d}", "hello"],
    ["${e=d}", "d"], // set but empty: toDefault still uses the default
    ["${u=d}", "d"],
    ["${u:=d}${u:-x}", "dx"], // nothing is assigned
    ["${a:+d}", "hello"], // toDefault, not bash's alternative value
    ["${e:+d}", "d"],
    ["${u:+d}", "d"],
    ["${a:?d}", "hello"],
    ["${u:?d}", "d"],
    ["${u:-}", ""],
    ["${u:-a b c}", "a b c"],
    ["${u:-'q' \"w\" \\x}", "'q' \"w\" \\x"], // no escapes in defaults
    ["${u:-$$x}", "$$x"], // no `$$` escape in defaults (mode without scanEscape)
    ["${u:-$${a}}", "$hello"], // so `$${` there is a `$` and then a nested expression
    ["${u:-${a}}", "hello"],
    ["${u:-pre${a}post}", "prehellopost"],
    ["${u:-${e:-${a^^}}}", "HELLO"],
    ["${a:-${u}}", UNDEF], // defaults are evaluated eagerly (evalFunc evaluates Args first)
    ["${a:-${b}}", UNDEF],
    ["${u:-x", ERR], // parseParam at EOF: ErrParseFuncSubstitution
    ["${a==d}", "hello"], // acceptOneEqual: name "=", default "=d"
    ["${e==d}", "=d"],
    ["${e:==d}", "=d"],
    ["${e:-:-d}", ":-d"],
    ["${e:--d}", "-d"],
    ["${u:-{x}}", "{x}"], // the default stops at the first `}`
    ["${e:-a}b}", "ab}"],
    ["${u:-${a:1:2}}", "el"],
  ],
  // parseSubstrFunc: offset by rejectColonClose (not empty), `:` by acceptColon, length by
  // acceptNotClosing; toSubstr: strconv.Atoi on bytes, otherwise the whole value
  "substrings (parseSubstrFunc, toSubstr)": [
    ["${a:1}", "ello"],
    ["${a:1:2}", "el"],
    ["${a:0}", "hello"],
    ["${a:5}", ""],
    ["${a:9}", ""],
    ["${a:2:0}", ""],
    ["${a:2:100}", "llo"],
    ["${a:3:2}", "lo"], // pos+length >= len: the rest
    ["${a: -2}", "hello"], // " -2" is no integer for Atoi
    ["${a:(-2)}", "hello"],
    ["${a:1+1}", "hello"],
    ["${a:-2}", "hello"], // a default, not an offset
    ["${a:${n}}", "lo"], // Atoi("-2"): from the end
    ["${a:-9}", "hello"],
    ["${a:${n}:1}", "l"],
    ["${a:${sp}}", "hello"],
    ["${a:+1}", "hello"], // `:+` is a default
    ["${a:0:+2}", "he"], // Atoi accepts a sign
    ["${a:010}", ""], // decimal 10, past the end
    ["${a:01:02}", "el"],
    ["${h:1:2}", "é"], // bytes 1..3 are é
    ["${h:2}", NOT_UTF8], // starts inside é
    ["${a::2}", ERR],
    ["${a:}", ERR],
    ["${a:1:}", ERR],
    ["${a:1:2:3}", "hello"], // the length is "2:3" (acceptNotClosing), which Atoi rejects
    ["${a:1${e}}", ERR],
    ["${a:${two}x}", ERR], // a nested offset is the whole argument
    ["${a:x}", "hello"],
    ["${a:1:x}", "hello"],
    ["${a:1:-1}", PANIC], // s[1:0]
    ["${a:4:-3}", PANIC],
    ["${a:7:-3}", PANIC], // pos past the end with pos+length < len
    ["${a:1:-9}", PANIC],
    ["${a:9:-1}", ""], // pos+length >= len(s) and pos past the end: "" before any slicing
    ["${a:${n}:-1}", PANIC],
    ["${a:99999999999999999999}", "hello"], // out of range for Atoi
    ["${u:1}", UNDEF],
    ["${e:1:1}", ""],
  ],
  // parseRemoveFunc: one or two `#`/`%` (i < 3), then a non-empty pattern up to `}`;
  // trimShortest/trimLongest try prefixes longest first and never the empty one; `%` reverses
  // value and pattern by runes; path.Match: a trailing `*` matches anything
  "remove prefix and suffix (parseRemoveFunc, trim*, path.Match)": [
    ["${a#}", ERR],
    ["${a##}", ERR],
    ["${a%}", ERR],
    ["${a%%}", ERR],
    ["${a###}", "hello"], // pattern "#"
    ["${a#*}", "ello"], // shortest non-empty prefix
    ["${a##*}", ""],
    ["${a%*}", "hell"],
    ["${a%%*}", ""],
    ["${a#he}", "llo"],
    ["${a#x}", "hello"],
    ["${a#h*l}", "lo"],
    ["${a##h*l}", "o"],
    ["${a%l*}", "hel"],
    ["${a%%l*}", "he"],
    ["${a#?}", "ello"],
    ["${a#[gh]}", "ello"],
    ["${a#[^h]}", "hello"],
    ["${a#[!h]}", "ello"], // `!` is no negation in Flux's matcher: the class holds `!` and `h`
    ["${a#[}", "hello"], // ErrBadPattern: unchanged
    ["${p#*.}", "string.txt"],
    ["${p##*.}", "txt"],
    ["${p%.*}", "bash.string"],
    ["${p%%.*}", "bash"],
    ["${s#*/}", "b/c"], // `*` matches `/`
    ["${s%/*}", "a/b"],
    ["${g#a\\*}", "b?c"],
    ["${e#*}", ""],
    ["${a#${e}}", "hello"], // empty pattern from a variable: no non-empty prefix matches ""
    ["${a#x${e}}", ERR], // only one argument, then `}`
    ["${u#x}", UNDEF],
    ["${a%[ol]}", "hello"], // the reversed pattern "]lo[" matches nothing
    ["${a%%o}", "hell"],
    ["${h#h?}", NOT_UTF8], // "h" + the first byte of é is the shortest match (`?` takes one invalid byte)
    ["${h##h?}", "llo"],
  ],
  // parseReplaceFunc: `/`, `//`, `/#`, `/%`; pattern by acceptNotSlash (non-empty, escapes `\/` `\\`
  // `$$`), then every `/` in a row is the delimiter (acceptSlash), then an optional replacement;
  // strings.Replace is literal; replacePrefix/replaceSuffix need both arguments
  "replace (parseReplaceFunc, replace*)": [
    ["${a/l/L}", "heLlo"],
    ["${a//l/L}", "heLLo"],
    ["${a/#h/H}", "Hello"],
    ["${a/%o/O}", "hellO"],
    ["${a/#l/L}", "hello"],
    ["${a/l}", ERR], // no delimiter: the pattern runs to the end
    ["${a//l}", ERR],
    ["${a/l/}", "helo"],
    ["${a//l/}", "heo"],
    ["${a/#h/}", "hello"], // one argument: replacePrefix does nothing
    ["${star/%?/}", "*"],
    ["${a/l*/X}", "hello"], // no globs
    ["${g/\\*/S}", "a*b?c"], // `\*` is no escape: pattern "\*" literally
    ["${g/*/S}", "aSb?c"],
    ["${a///}", ERR], // the pattern cannot start with `/`
    ["${s///x}", ERR],
    ["${s//\\//-}", "a-b-c"],
    ["${s/\\//\\\\}", "a\\b/c"],
    ["${c//b//.}", "a.B:a"], // `//` after the pattern is one delimiter
    ["${c/b///.}", "a.B:a"],
    ["${a/l/$$}", "he$lo"], // `$$` escapes in the replacement
    ["${a/l/${m}}", "heMiXeDlo"],
    ["${a/l/x${m}}", ERR], // the replacement is one argument
    ["${a/${e}/x}", "xhello"], // an empty pattern (nested) matches before the first rune
    ["${a//${e}/-}", "-h-e-l-l-o-"],
    ["${a/#${e}/x}", "xhello"],
    ["${a/%${e}/x}", "hellox"],
    ["${a/l/&}", "he&lo"],
    ["${a/l/}}", "helo}"],
    ["${u/a/b}", UNDEF],
    ["${h/é/e}", "hello"],
    ["${a/#/x}", ERR],
  ],
  // template.go evalFunc: strict errors only for non-default operators, after the arguments
  "strict mode (evalFunc, isDefaultOp)": [
    ["${u}", UNDEF],
    ["${u:-x}", "x"],
    ["${u=x}", "x"],
    ["${u//a/b}", UNDEF],
    ["${u,,}", UNDEF],
    ["${u:0:1}", UNDEF],
    ["${a:-${u}}", UNDEF],
    ["${a#${u}}", UNDEF],
    ["$${u}", "${u}"],
  ],
  // kustomize_varsub.go: values lose their newlines when loaded
  values: [
    ["${nl}", "onetwo"],
    ["${#nl}", "6"],
  ],
};

describe("envsubst answers as Flux's envsubst does", () => {
  for (const [group, rows] of Object.entries(TABLE)) {
    it(group, () => {
      const got = rows.map(([tpl]) => {
        const r = envsubst(tpl, VARS, { strict: true });
        return r.errors.length
          ? { error: r.errors[0]!.code, ...(r.errors[0]!.message.includes("panics") ? { panic: true } : {}) }
          : r.output;
      });
      expect(
        rows.map(([tpl], i) => [tpl, got[i]]).filter((_, i) => JSON.stringify(got[i]) !== JSON.stringify(rows[i]![1])),
      ).toEqual([]);
    });
  }
});

describe("envsubst errors", () => {
  it("names Flux's parse error and where the innermost `${` starts (UTF-16 index)", () => {
    expect(envsubst("héllo ${a:-${b-x}}", VARS)).toEqual({
      output: "héllo ${a:-${b-x}}",
      errors: [
        { code: "SUBST_SYNTAX", message: "missing closing brace (Flux's envsubst cannot parse this)", offset: 11 },
      ],
    });
    expect(envsubst("x ${a/l}", VARS).errors).toEqual([
      { code: "SUBST_SYNTAX", message: "bad substitution (Flux's envsubst cannot parse this)", offset: 2 },
    ]);
    expect(envsubst("${a::2}", VARS).errors[0]!.message).toBe(
      "unable to parse substitution within function (Flux's envsubst cannot parse this)",
    );
    expect(envsubst("${}", VARS).errors[0]!.message).toBe(
      "unable to parse variable name (Flux's envsubst cannot parse this)",
    );
  });

  it("reports each undefined variable once, at its first use, nested defaults included", () => {
    expect(envsubst("é ${u} ${a:-${w}} ${u}", VARS).errors).toEqual([
      { code: "SUBST_UNDEFINED", variable: "u", message: 'variable "u" is not defined and has no default', offset: 2 },
      { code: "SUBST_UNDEFINED", variable: "w", message: 'variable "w" is not defined and has no default', offset: 12 },
    ]);
  });

  it("turns Flux's panic into a located SUBST_SYNTAX error, never a value", () => {
    expect(envsubst("v: ${a:1:-1}", VARS).errors).toEqual([
      {
        code: "SUBST_SYNTAX",
        variable: "a",
        message: "${a:1:-1} cannot be evaluated: Flux's envsubst panics (slice bounds out of range [1:0])",
        offset: 3,
      },
    ]);
  });

  it("rejects a result that is not UTF-8 (a byte slice through a character), naming the expression", () => {
    expect(envsubst("x ${h:0:2}", VARS).errors).toEqual([
      {
        code: "SUBST_SYNTAX",
        message:
          "the result is not valid UTF-8: ${h:0:2} cuts a character (Flux counts bytes, and its YAML parser then rejects the text)",
        offset: 2,
      },
    ]);
    // two halves that join again are fine, as the text Flux parses is whole
    expect(envsubst("${h:0:2}${h:2}", VARS)).toEqual({ output: "héllo", errors: [] });
  });

  it("non-strict: an undefined variable is empty, and still no value where Flux panics", () => {
    expect(envsubst("[${u}|${#u}|${u:-d}|${u/#x/y}|${u:0:1}]", VARS, { strict: false })).toEqual({
      output: "[|0|d||]",
      errors: [],
    });
    expect(envsubst("${u:1:-1}", VARS, { strict: false })).toEqual({ output: "", errors: [] }); // pos >= len: ""
    expect(envsubst("${a:2:-1}", VARS, { strict: false }).errors[0]!.code).toBe("SUBST_SYNTAX");
  });

  it("fails, never crashes, on nesting deeper than the JavaScript stack", () => {
    const deep = "${a:-".repeat(20000) + "}".repeat(20000);
    expect(envsubst(deep, VARS).errors).toEqual([
      { code: "SUBST_SYNTAX", message: "expressions nested too deeply", offset: 0 },
    ]);
    expect(envsubst("${e:-".repeat(50) + "x" + "}".repeat(50), VARS)).toEqual({ output: "x", errors: [] });
  });

  it("accepts Map variables and leaves text without `$` alone", () => {
    expect(
      envsubst(
        "${a}-${b}",
        new Map([
          ["a", "1"],
          ["b", "2"],
        ]),
      ),
    ).toEqual({ output: "1-2", errors: [] });
    expect(envsubst("no dollars", {})).toEqual({ output: "no dollars", errors: [] });
  });

  it("VAR_NAME_PATTERN is kustomize-controller's name check", () => {
    expect(["a", "_x", "A_1"].every((n) => VAR_NAME_PATTERN.test(n))).toBe(true);
    expect(["1a", "a-b", "é", ""].some((n) => VAR_NAME_PATTERN.test(n))).toBe(false);
  });
});
