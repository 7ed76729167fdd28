/**
 * Go strings for the envsubst port: Flux's envsubst works on UTF-8 bytes (`len` counts bytes, slicing
 * can cut a character), so the port works on "byte strings" — JavaScript strings whose every code unit
 * is one byte (0–255) — and converts at the edges.
 */

/** Go's utf8.RuneError. */
export const RUNE_ERROR = 0xfffd;

/** The UTF-8 bytes of a string, one code unit per byte. */
export function toBytes(s: string): string {
  // fast path: ASCII is its own encoding
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(s) ? s : Buffer.from(s, "utf8").toString("latin1");
}

const fatal = new TextDecoder("utf-8", { fatal: true });

/** The string a byte string encodes; undefined when it is not valid UTF-8. */
export function fromBytes(b: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(b)) return b;
  try {
    return fatal.decode(Buffer.from(b, "latin1"));
  } catch {
    return undefined;
  }
}

/** Go's utf8.DecodeRuneInString(b[i:]): the rune and its width; (RuneError, 1) on an invalid sequence. */
export function decodeRune(b: string, i: number): [rune: number, width: number] {
  if (i >= b.length) return [RUNE_ERROR, 0];
  const c0 = b.charCodeAt(i);
  if (c0 < 0x80) return [c0, 1];
  const cont = (k: number, lo = 0x80, hi = 0xbf): number => {
    const c = i + k < b.length ? b.charCodeAt(i + k) : -1;
    return c >= lo && c <= hi ? c & 0x3f : -1;
  };
  if (c0 >= 0xc2 && c0 <= 0xdf) {
    const c1 = cont(1);
    return c1 < 0 ? [RUNE_ERROR, 1] : [((c0 & 0x1f) << 6) | c1, 2];
  }
  if (c0 >= 0xe0 && c0 <= 0xef) {
    const c1 = c0 === 0xe0 ? cont(1, 0xa0) : c0 === 0xed ? cont(1, 0x80, 0x9f) : cont(1);
    if (c1 < 0) return [RUNE_ERROR, 1];
    const c2 = cont(2);
    return c2 < 0 ? [RUNE_ERROR, 1] : [((c0 & 0x0f) << 12) | (c1 << 6) | c2, 3];
  }
  if (c0 >= 0xf0 && c0 <= 0xf4) {
    const c1 = c0 === 0xf0 ? cont(1, 0x90) : c0 === 0xf4 ? cont(1, 0x80, 0x8f) : cont(1);
    if (c1 < 0) return [RUNE_ERROR, 1];
    const c2 = cont(2);
    if (c2 < 0) return [RUNE_ERROR, 1];
    const c3 = cont(3);
    return c3 < 0 ? [RUNE_ERROR, 1] : [((c0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3, 4];
  }
  return [RUNE_ERROR, 1];
}

/** The UTF-8 bytes of one rune. */
export function encodeRune(r: number): string {
  return r < 0x80 ? String.fromCharCode(r) : toBytes(String.fromCodePoint(r));
}

/** Go's []rune(s): invalid bytes become RuneError. */
export function runes(b: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < b.length;) {
    const [r, w] = decodeRune(b, i);
    out.push(r);
    i += w;
  }
  return out;
}
