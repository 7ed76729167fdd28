/**
 * The scanner of Flux's envsubst (fluxcd/pkg envsubst/parse/scan.go), ported to byte strings
 * (see bytes.ts). The parser drives it by setting `mode` (which tokens may be recognised), `accept`
 * (which runes an identifier token may hold) and `escapeChars` (`$$`, `\/`, `\\`), exactly as Flux's
 * parser does; quirks that decide answers are kept, e.g. `unread` steps back by the width of the last
 * rune read or peeked, not of the rune before the cursor.
 *
 * One deliberate difference: Go's scanner uses rune 0 as its end marker, so a NUL byte ends the text.
 * Flux scans the YAML text of a resource, where go-yaml always writes NUL escaped; braid scans scalar
 * values, so a NUL here is an ordinary character.
 */
import { decodeRune } from "./bytes.js";

/** End of input (Go's scanner uses rune 0). */
const EOF = -1;

export const enum Token {
  Illegal,
  EOF,
  Ident,
  Lbrack,
  Rbrack,
}

// mode bits
export const SCAN_IDENT = 1;
export const SCAN_LBRACK = 2;
export const SCAN_RBRACK = 4;
export const SCAN_ESCAPE = 8;

// escape bits
export const ESC_DOLLAR = 1;
const ESC_BACKSLASH = 2;
export const ESC_ALL = ESC_DOLLAR | ESC_BACKSLASH;

/** Whether an identifier token accepts rune `r` as its `i`-th byte count (Go: acceptFunc). */
export type AcceptFunc = (r: number, i: number) => boolean;

const DOLLAR = 0x24;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const BACKSLASH = 0x5c;
const SLASH = 0x2f;

export class Scanner {
  pos = 0;
  start = 0;
  width = 0;
  mode = 0;
  escapeChars = 0;
  accept: AcceptFunc = acceptRune;
  /**
   * Go's `skip` cuts the escaping character out of the buffer; here the buffer stays as it is and the
   * cut positions of the current token are remembered, so that positions stay those of the input.
   */
  private cut: number[] = [];

  constructor(readonly buf: string) {}

  read(): number {
    if (this.pos >= this.buf.length) {
      this.width = 0;
      return EOF;
    }
    const [r, w] = decodeRune(this.buf, this.pos);
    this.width = w;
    this.pos += w;
    return r;
  }

  unread(): void {
    this.pos -= this.width;
  }

  /** Drops the escaping character just read; the escaped one (one byte) is consumed with it. */
  private skip(): void {
    this.cut.push(this.pos - 1);
    this.pos += 1;
  }

  peek(): number {
    const r = this.read();
    this.unread();
    return r;
  }

  /** The text of the last token, escapes applied. */
  string(): string {
    if (this.cut.length === 0) return this.buf.slice(this.start, this.pos);
    let out = "";
    let from = this.start;
    for (const c of this.cut) {
      out += this.buf.slice(from, c);
      from = c + 1;
    }
    return out + this.buf.slice(from, this.pos);
  }

  /** Length of the current token in Go's (escape-cut) buffer. */
  private tokenLength(): number {
    return this.pos - this.start - this.cut.length;
  }

  scan(): Token {
    this.start = this.pos;
    this.cut = [];
    const r = this.read();
    if (r === EOF) return Token.EOF;
    if (this.scanLbrack(r)) return Token.Lbrack;
    if (this.scanRbrack(r)) return Token.Rbrack;
    if (this.scanIdent(r)) return Token.Ident;
    return Token.Illegal;
  }

  private scanIdent(r: number): boolean {
    if ((this.mode & SCAN_IDENT) === 0) return false;
    if (this.scanEscaped(r)) this.skip();
    else if (!this.accept(r, this.tokenLength())) return false;
    for (;;) {
      const c = this.read();
      if (c === EOF) {
        this.unread();
        break;
      }
      if (this.scanLbrack(c)) {
        this.unread();
        this.unread();
        break;
      }
      if (this.scanEscaped(c)) {
        this.skip();
        continue;
      }
      if (!this.accept(c, this.tokenLength())) {
        this.unread();
        break;
      }
    }
    return true;
  }

  private scanLbrack(r: number): boolean {
    if ((this.mode & SCAN_LBRACK) === 0) return false;
    if (r === DOLLAR) {
      if (this.read() === LBRACE) return true;
      this.unread();
    }
    return false;
  }

  private scanRbrack(r: number): boolean {
    if ((this.mode & SCAN_RBRACK) === 0) return false;
    return r === RBRACE;
  }

  private scanEscaped(r: number): boolean {
    if ((this.mode & SCAN_ESCAPE) === 0) return false;
    if (r === DOLLAR && (this.escapeChars & ESC_DOLLAR) !== 0) {
      if (this.peek() === DOLLAR) return true;
    }
    if (r === BACKSLASH && (this.escapeChars & ESC_BACKSLASH) !== 0) {
      const p = this.peek();
      return p === SLASH || p === BACKSLASH;
    }
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// accept functions (scan.go)

const LETTER = /\p{L}/u;
const DIGIT = /\p{Nd}/u;

export const acceptRune: AcceptFunc = () => true;

/** unicode.IsLetter || unicode.IsDigit || '_' */
export const acceptIdent: AcceptFunc = (r) => {
  if (r < 0x80) return (r >= 0x61 && r <= 0x7a) || (r >= 0x41 && r <= 0x5a) || (r >= 0x30 && r <= 0x39) || r === 0x5f;
  const c = String.fromCodePoint(r);
  return LETTER.test(c) || DIGIT.test(c);
};

const ch = (c: string): number => c.charCodeAt(0);

export const acceptColon: AcceptFunc = (r) => r === ch(":");
export const acceptOneHash: AcceptFunc = (r, i) => r === ch("#") && i === 1;
export const acceptNotClosing: AcceptFunc = (r) => r !== RBRACE;
export const acceptHashFunc: AcceptFunc = (r, i) => r === ch("#") && i < 3;
export const acceptPercentFunc: AcceptFunc = (r, i) => r === ch("%") && i < 3;
export const acceptDefaultFunc: AcceptFunc = (r, i) =>
  (i === 1 && r === ch(":")) || (i === 2 && (r === ch("=") || r === ch("-") || r === ch("?") || r === ch("+")));
export const acceptReplaceFunc: AcceptFunc = (r, i) =>
  (i === 1 && r === SLASH) || (i === 2 && (r === SLASH || r === ch("#") || r === ch("%")));
export const acceptOneEqual: AcceptFunc = (r, i) => i === 1 && r === ch("=");
export const acceptOneColon: AcceptFunc = (r, i) => i === 1 && r === ch(":");
export const rejectColonClose: AcceptFunc = (r) => r !== ch(":") && r !== RBRACE;
export const acceptSlash: AcceptFunc = (r) => r === SLASH;
export const acceptNotSlash: AcceptFunc = (r) => r !== SLASH;
export const acceptCasingFunc: AcceptFunc = (r, i) => (r === ch(",") || r === ch("^")) && i < 3;
