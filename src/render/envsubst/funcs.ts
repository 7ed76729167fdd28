/**
 * The string functions of Flux's envsubst (fluxcd/pkg envsubst/funcs.go and path/match.go), ported to
 * byte strings (see bytes.ts): lengths and offsets count bytes, patterns of `/` forms are literal text,
 * `#`/`%` use Flux's own glob matcher over prefixes (never the empty one), `%` reverses value and pattern.
 * Go's slicing panics are reported as {@link GoPanic}.
 */
import { decodeRune, encodeRune, runes, RUNE_ERROR } from "./bytes.js";

/** Thrown where Flux's Go code panics (kustomize-controller fails the reconciliation). */
export class GoPanic {
  constructor(readonly message: string) {}
}

export type SubstituteFunc = (s: string, args: readonly string[]) => string;

/** toLen: the length in bytes. */
export const toLen: SubstituteFunc = (s) => String(s.length);

export const toLower: SubstituteFunc = (s) => mapRunes(s, "lower");
export const toUpper: SubstituteFunc = (s) => mapRunes(s, "upper");

export const toLowerFirst: SubstituteFunc = (s) => mapFirstRune(s, "lower");
export const toUpperFirst: SubstituteFunc = (s) => mapFirstRune(s, "upper");

/** toDefault: the value, or (when it is empty) the arguments joined. */
export const toDefault: SubstituteFunc = (s, args) => (s.length === 0 && args.length > 0 ? args.join("") : s);

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.Atoi on a 64-bit platform: optional sign and decimal digits only, in range. */
function atoi(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

/** Go's int64 addition (wraps). */
function add64(a: bigint, b: bigint): bigint {
  return BigInt.asIntN(64, a + b);
}

/** toSubstr: `${v:pos}` / `${v:pos:length}` on bytes; an argument Atoi cannot read gives the value. */
export const toSubstr: SubstituteFunc = (s, args) => {
  if (args.length === 0) return s;
  let pos = atoi(args[0]!);
  if (pos === undefined) return s;
  const len = BigInt(s.length);
  if (pos < 0n) {
    pos = len + pos;
    if (pos < 0n) pos = 0n;
  }
  if (args.length === 1) return pos < len ? s.slice(Number(pos)) : "";
  const length = atoi(args[1]!);
  if (length === undefined) return s;
  const end = add64(pos, length);
  if (end >= len) return pos < len ? s.slice(Number(pos)) : "";
  // s[pos:end] with end < len(s): Go panics when end < pos (a negative length, or an offset past the end)
  // (Go's runtime message: a negative end first, then an end before the start)
  if (end < 0n) throw new GoPanic(`slice bounds out of range [:${end}]`);
  if (end < pos) throw new GoPanic(`slice bounds out of range [${pos}:${end}]`);
  return s.slice(Number(pos), Number(end));
};

/** strings.Replace(s, old, new, n) with Go's rule for an empty `old` (before each rune and at the end). */
function goReplace(s: string, old: string, neu: string, n: number): string {
  if (old === neu || n === 0) return s;
  let m: number;
  if (old.length === 0) m = runes(s).length + 1;
  else {
    m = 0;
    for (let i = s.indexOf(old); i >= 0; i = s.indexOf(old, i + old.length)) m++;
  }
  if (m === 0) return s;
  if (n < 0 || m < n) n = m;
  let out = "";
  let start = 0;
  for (let i = 0; i < n; i++) {
    let j = start;
    if (old.length === 0) {
      if (i > 0) j += decodeRune(s, start)[1];
    } else j = s.indexOf(old, start);
    out += s.slice(start, j) + neu;
    start = j + old.length;
  }
  return out + s.slice(start);
}

export const replaceAll: SubstituteFunc = (s, args) =>
  args.length === 0 ? s : goReplace(s, args[0]!, args.length === 1 ? "" : args[1]!, -1);

export const replaceFirst: SubstituteFunc = (s, args) =>
  args.length === 0 ? s : goReplace(s, args[0]!, args.length === 1 ? "" : args[1]!, 1);

/** `/#`: only with a replacement (`${v/#x/}` leaves the value as it is). */
export const replacePrefix: SubstituteFunc = (s, args) => {
  if (args.length !== 2) return s;
  return s.startsWith(args[0]!) ? goReplace(s, args[0]!, args[1]!, 1) : s;
};

/** `/%`: only with a replacement. */
export const replaceSuffix: SubstituteFunc = (s, args) => {
  if (args.length !== 2) return s;
  return s.endsWith(args[0]!) ? s.slice(0, s.length - args[0]!.length) + args[1]! : s;
};

export const trimShortestPrefix: SubstituteFunc = (s, args) => (args.length !== 0 ? trimShortest(s, args[0]!) : s);
export const trimLongestPrefix: SubstituteFunc = (s, args) => (args.length !== 0 ? trimLongest(s, args[0]!) : s);
export const trimShortestSuffix: SubstituteFunc = (s, args) =>
  args.length !== 0 ? reverse(trimShortest(reverse(s), reverse(args[0]!))) : s;
export const trimLongestSuffix: SubstituteFunc = (s, args) =>
  args.length !== 0 ? reverse(trimLongest(reverse(s), reverse(args[0]!))) : s;

/** The shortest non-empty prefix that matches is removed (prefixes are byte cuts). */
function trimShortest(s: string, arg: string): string {
  let shortest = "";
  for (let i = 0; i < s.length; i++) {
    const m = match(arg, s.slice(0, s.length - i));
    if (m === "error") return s;
    if (m) shortest = s.slice(0, s.length - i);
  }
  return shortest !== "" && s.startsWith(shortest) ? s.slice(shortest.length) : s;
}

function trimLongest(s: string, arg: string): string {
  for (let i = 0; i < s.length; i++) {
    const prefix = s.slice(0, s.length - i);
    const m = match(arg, prefix);
    if (m === "error") return s;
    if (m) return s.slice(prefix.length);
  }
  return s;
}

/** Go's reverse: by runes, invalid bytes becoming RuneError. */
function reverse(s: string): string {
  return runes(s).reverse().map(encodeRune).join("");
}

// ---------------------------------------------------------------------------------------------
// Case mapping: Go's unicode.ToUpper/ToLower are one rune to one rune (simple mappings)

// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;

function simpleCase(cp: number, to: "upper" | "lower"): number | undefined {
  if (to === "lower") return cp === 0x130 ? 0x69 : undefined;
  if ((cp >= 0x1f80 && cp <= 0x1faf && (cp & 0xf) < 8) || cp === 0x1fb3 || cp === 0x1fc3 || cp === 0x1ff3) {
    return cp >= 0x1fb3 ? cp + 9 : cp + 8;
  }
  return undefined;
}

function mapRune(r: number, to: "upper" | "lower"): number {
  if (r === RUNE_ERROR) return r;
  const c = String.fromCodePoint(r);
  const m = to === "upper" ? c.toUpperCase() : c.toLowerCase();
  const cp = m.codePointAt(0)!;
  if (m.length === String.fromCodePoint(cp).length) return cp;
  // a full mapping to several characters: Go keeps the simple one ("ß" stays, "İ" lowercases to "i")
  return simpleCase(r, to) ?? r;
}

/** strings.ToUpper/ToLower: ASCII bytewise, otherwise rune by rune (invalid bytes become RuneError). */
function mapRunes(s: string, to: "upper" | "lower"): string {
  if (ASCII.test(s)) return to === "upper" ? s.toUpperCase() : s.toLowerCase();
  return runes(s)
    .map((r) => encodeRune(mapRune(r, to)))
    .join("");
}

function mapFirstRune(s: string, to: "upper" | "lower"): string {
  if (s === "") return s;
  const [r, n] = decodeRune(s, 0);
  return encodeRune(mapRune(r, to)) + s.slice(n);
}

// ---------------------------------------------------------------------------------------------
// path.Match of fluxcd/pkg envsubst/path (a fork of Go's path.Match: a trailing `*` matches anything,
// `/` included). Returns "error" for ErrBadPattern.

function match(pattern: string, name: string): boolean | "error" {
  pattern: while (pattern.length > 0) {
    let star: boolean;
    let chunk: string;
    [star, chunk, pattern] = scanChunk(pattern);
    if (star && chunk === "") return true;
    const first = matchChunk(chunk, name);
    if (first.ok && (first.rest.length === 0 || pattern.length > 0)) {
      name = first.rest;
      continue;
    }
    if (first.err) return "error";
    if (star) {
      for (let i = 0; i < name.length; i++) {
        const m = matchChunk(chunk, name.slice(i + 1));
        if (m.ok) {
          if (pattern.length === 0 && m.rest.length > 0) continue;
          name = m.rest;
          continue pattern;
        }
        if (m.err) return "error";
      }
    }
    return false;
  }
  return name.length === 0;
}

function scanChunk(pattern: string): [boolean, string, string] {
  let star = false;
  while (pattern.length > 0 && pattern[0] === "*") {
    pattern = pattern.slice(1);
    star = true;
  }
  let inrange = false;
  let i: number;
  scan: for (i = 0; i < pattern.length; i++) {
    switch (pattern.charAt(i)) {
      case "\\":
        if (i + 1 < pattern.length) i++;
        break;
      case "[":
        inrange = true;
        break;
      case "]":
        inrange = false;
        break;
      case "*":
        if (!inrange) break scan;
        break;
    }
  }
  return [star, pattern.slice(0, i), pattern.slice(i)];
}

interface ChunkMatch {
  rest: string;
  ok: boolean;
  err: boolean;
}

function matchChunk(chunk: string, s: string): ChunkMatch {
  const fail = (err = false): ChunkMatch => ({ rest: "", ok: false, err });
  while (chunk.length > 0) {
    if (s.length === 0) return fail();
    switch (chunk[0]) {
      case "[": {
        const [r, n] = decodeRune(s, 0);
        s = s.slice(n);
        chunk = chunk.slice(1);
        let notNegated = true;
        if (chunk.length > 0 && chunk[0] === "^") {
          notNegated = false;
          chunk = chunk.slice(1);
        }
        let matched = false;
        let nrange = 0;
        for (;;) {
          if (chunk.length > 0 && chunk[0] === "]" && nrange > 0) {
            chunk = chunk.slice(1);
            break;
          }
          const lo = getEsc(chunk);
          if (lo === undefined) return fail(true);
          chunk = lo.rest;
          let hi = lo.r;
          if (chunk[0] === "-") {
            const h = getEsc(chunk.slice(1));
            if (h === undefined) return fail(true);
            chunk = h.rest;
            hi = h.r;
          }
          if (lo.r <= r && r <= hi) matched = true;
          nrange++;
        }
        if (matched !== notNegated) return fail();
        break;
      }
      case "?": {
        const n = decodeRune(s, 0)[1];
        s = s.slice(n);
        chunk = chunk.slice(1);
        break;
      }
      case "\\":
        chunk = chunk.slice(1);
        if (chunk.length === 0) return fail(true);
      // falls through
      default:
        if (chunk[0] !== s[0]) return fail();
        s = s.slice(1);
        chunk = chunk.slice(1);
    }
  }
  return { rest: s, ok: true, err: false };
}

function getEsc(chunk: string): { r: number; rest: string } | undefined {
  if (chunk.length === 0 || chunk[0] === "-" || chunk[0] === "]") return undefined;
  if (chunk[0] === "\\") {
    chunk = chunk.slice(1);
    if (chunk.length === 0) return undefined;
  }
  const [r, n] = decodeRune(chunk, 0);
  if (r === RUNE_ERROR && n === 1) return undefined;
  const rest = chunk.slice(n);
  if (rest.length === 0) return undefined;
  return { r, rest };
}
