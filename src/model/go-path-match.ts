/**
 * Go's `path/filepath.Match` on Unix (Go 1.22+): `*` any run of characters but `/`, `?` one character, `[…]`
 * a class (`[^…]` negated, `a-z` ranges, `\` escapes), `\c` the character c. A malformed pattern is an error
 * whatever the name (Go checks the rest of the pattern before it answers false). Characters are Unicode code
 * points, as Go reads runes. Used where Flux matches with it: the gitignore patterns of `.sourceignore`.
 * (Substitution's `${v#pattern}` uses fluxcd/pkg envsubst's fork of Go's `path.Match`, which differs — a star
 * crosses `/`, and a pattern is read on bytes — and has its own port in render/envsubst/funcs.ts.)
 */

/** Whether `name` matches `pattern`; "error" for a malformed pattern (Go's ErrBadPattern). */
export function goPathMatch(pattern: string, name: string): boolean | "error" {
  return match(Array.from(pattern), Array.from(name)); // code points, as Go decodes runes
}

function match(pattern: string[], name: string[]): boolean | "error" {
  pattern: while (pattern.length > 0) {
    const { star, chunk, rest } = scanChunk(pattern);
    pattern = rest;
    if (star && chunk.length === 0) return !name.includes("/"); // a trailing * matches the rest but a /
    const here = matchChunk(chunk, name);
    // the last chunk must use up the name; otherwise the star may still make it match further on
    if (here.ok && (here.rest.length === 0 || pattern.length > 0)) {
      name = here.rest;
      continue;
    }
    if (here.err) return "error";
    if (star)
      for (let i = 0; i < name.length && name[i] !== "/"; i++) {
        const m = matchChunk(chunk, name.slice(i + 1));
        if (m.ok) {
          if (pattern.length === 0 && m.rest.length > 0) continue;
          name = m.rest;
          continue pattern;
        }
        if (m.err) return "error";
      }
    // before answering false, the rest of the pattern must be well formed
    while (pattern.length > 0) {
      const next = scanChunk(pattern);
      pattern = next.rest;
      if (matchChunk(next.chunk, []).err) return "error";
    }
    return false;
  }
  return name.length === 0;
}

function scanChunk(pattern: string[]): { star: boolean; chunk: string[]; rest: string[] } {
  let star = false;
  let at = 0;
  while (at < pattern.length && pattern[at] === "*") {
    at++;
    star = true;
  }
  let inRange = false;
  let i = at;
  scan: for (; i < pattern.length; i++)
    switch (pattern[i]) {
      case "\\":
        if (i + 1 < pattern.length) i++; // a trailing \ is left to matchChunk, which refuses it
        break;
      case "[":
        inRange = true;
        break;
      case "]":
        inRange = false;
        break;
      case "*":
        if (!inRange) break scan;
        break;
      default:
    }
  return { star, chunk: pattern.slice(at, i), rest: pattern.slice(i) };
}

/**
 * Matches one chunk (no `*`) at the start of `s`: what is left of `s`, or not ok. Once it fails it goes on
 * reading the chunk with nothing to match, only to find a malformed pattern (`err`), as Go does.
 */
function matchChunk(chunk: string[], s: string[]): { rest: string[]; ok: boolean; err: boolean } {
  let failed = false;
  let c = 0;
  let at = 0;
  while (c < chunk.length) {
    if (!failed && at >= s.length) failed = true;
    switch (chunk[c]) {
      case "[": {
        const r = failed ? "" : s[at++]!;
        c++;
        let negated = false;
        if (chunk[c] === "^") {
          negated = true;
          c++;
        }
        let matched = false;
        let ranges = 0;
        for (;;) {
          if (c < chunk.length && chunk[c] === "]" && ranges > 0) {
            c++;
            break;
          }
          const lo = escaped(chunk, c);
          if (!lo) return { rest: [], ok: false, err: true };
          c = lo.next;
          let hi = lo.char;
          if (chunk[c] === "-") {
            const h = escaped(chunk, c + 1);
            if (!h) return { rest: [], ok: false, err: true };
            c = h.next;
            hi = h.char;
          }
          const at = r.codePointAt(0)!;
          if (!failed && lo.char.codePointAt(0)! <= at && at <= hi.codePointAt(0)!) matched = true;
          ranges++;
        }
        if (matched === negated) failed = true;
        break;
      }
      case "?":
        if (!failed) {
          if (s[at] === "/") failed = true;
          at++;
        }
        c++;
        break;
      case "\\":
        c++;
        if (c >= chunk.length) return { rest: [], ok: false, err: true };
      // falls through
      default:
        if (!failed) {
          if (chunk[c] !== s[at]) failed = true;
          at++;
        }
        c++;
    }
  }
  return failed ? { rest: [], ok: false, err: false } : { rest: s.slice(at), ok: true, err: false };
}

/** A class character at `c` (`\` escapes one): undefined where Go's getEsc says ErrBadPattern. */
function escaped(chunk: string[], c: number): { char: string; next: number } | undefined {
  if (c >= chunk.length || chunk[c] === "-" || chunk[c] === "]") return undefined;
  if (chunk[c] === "\\") {
    c++;
    if (c >= chunk.length) return undefined;
  }
  const char = chunk[c]!;
  c++;
  if (c >= chunk.length) return undefined; // a class never closed
  return { char, next: c };
}

/**
 * `goPathMatch(pattern, name) === true` as a compiled test, for a pattern matched against many names: a
 * regular expression built from the pattern's chunks (a malformed pattern never matches, as Go's error means
 * no match to its callers here).
 */
export function compileGoPathMatch(pattern: string): (name: string) => boolean {
  if (goPathMatch(pattern, "") === "error") return () => false; // Go refuses a malformed pattern whatever the name
  if (!/[*?[\\]/.test(pattern)) return (name) => name === pattern;
  const cp = (c: string) => `\\u{${c.codePointAt(0)!.toString(16)}}`;
  const chars = Array.from(pattern);
  let source = "";
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === "*") source += "[^/]*";
    else if (c === "?") source += "[^/]";
    else if (c === "\\") source += cp(chars[++i]!);
    else if (c === "[") {
      i++;
      let cls = "";
      if (chars[i] === "^") {
        cls = "^";
        i++;
      }
      for (let first = true; first || chars[i] !== "]"; first = false) {
        const lo = chars[i] === "\\" ? chars[++i]! : chars[i]!;
        i++;
        let hi = lo;
        if (chars[i] === "-") {
          hi = chars[i + 1] === "\\" ? chars[(i += 2)]! : chars[++i]!;
          i++;
        }
        // a range that holds nothing (z-a) matches nothing in Go; a regular expression refuses it
        if (lo.codePointAt(0)! <= hi.codePointAt(0)!) cls += lo === hi ? cp(lo) : `${cp(lo)}-${cp(hi)}`;
      }
      source += `[${cls}]`;
    } else source += cp(c);
  }
  const re = new RegExp(`^${source}$`, "u");
  return (name) => re.test(name);
}
