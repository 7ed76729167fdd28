/**
 * The parser of Flux's envsubst (fluxcd/pkg envsubst/parse/parse.go), ported function by function:
 * which text each operator takes as its arguments, and which inputs are errors, is decided here exactly
 * as Flux decides it. Errors carry Flux's messages; braid adds where the innermost `${` being parsed
 * starts. Positions are byte offsets into the (byte string) input.
 */
import {
  acceptCasingFunc,
  acceptColon,
  acceptDefaultFunc,
  acceptHashFunc,
  acceptIdent,
  acceptNotClosing,
  acceptNotSlash,
  acceptOneColon,
  acceptOneEqual,
  acceptOneHash,
  acceptPercentFunc,
  acceptReplaceFunc,
  acceptRune,
  acceptSlash,
  rejectColonClose,
  Scanner,
  Token,
  ESC_ALL,
  ESC_DOLLAR,
  SCAN_ESCAPE,
  SCAN_IDENT,
  SCAN_LBRACK,
  SCAN_RBRACK,
  type AcceptFunc,
} from "./scan.js";

export type Node = TextNode | FuncNode;

interface TextNode {
  kind: "text";
  value: string;
}

export interface FuncNode {
  kind: "func";
  /** The variable name. */
  param: string;
  /** The operator: "" (plain), "#" (length or shortest prefix), ":", ":-", "/", "^^", … */
  name: string;
  args: Node[];
  /** Byte offsets of the `${` and just after the closing `}`. */
  start: number;
  end: number;
}

const ERR_BAD_SUBSTITUTION = "bad substitution";
const ERR_MISSING_CLOSING_BRACE = "missing closing brace";
const ERR_PARSE_VARIABLE_NAME = "unable to parse variable name";
const ERR_PARSE_FUNC_SUBSTITUTION = "unable to parse substitution within function";
const ERR_PARSE_DEFAULT_FUNCTION = "unable to parse default function";

/** A parse error: Flux's message and the byte offset of the innermost `${` being parsed. */
export class ParseError {
  constructor(
    readonly message: string,
    public offset: number,
  ) {}
}

class Fail {
  constructor(readonly message: string) {}
}

const ch = (c: string): number => c.charCodeAt(0);

/** Parses a whole text into a list of nodes (Go's nested ListNodes, flattened). Throws ParseError. */
export function parse(buf: string): Node[] {
  const p = new Parser(buf);
  try {
    return p.parseAny();
  } catch (e) {
    if (e instanceof Fail) throw new ParseError(e.message, p.funcStart);
    throw e;
  }
}

class Parser {
  private readonly s: Scanner;
  /** Start of the innermost `${` being parsed (where an error is reported). */
  funcStart = 0;

  constructor(buf: string) {
    this.s = new Scanner(buf);
  }

  /** parseAny: text and `${…}` to the end (Go recurses once per token; this loops). */
  parseAny(): Node[] {
    const s = this.s;
    const nodes: Node[] = [];
    for (;;) {
      s.accept = acceptRune;
      s.mode = SCAN_IDENT | SCAN_LBRACK | SCAN_ESCAPE;
      s.escapeChars = ESC_DOLLAR;
      switch (s.scan()) {
        case Token.Ident:
          nodes.push({ kind: "text", value: s.string() });
          continue;
        case Token.EOF:
          return nodes;
        case Token.Lbrack:
          nodes.push(this.parseFunc());
          continue;
        default:
          throw new Fail(ERR_BAD_SUBSTITUTION);
      }
    }
  }

  /** After `${`. */
  private parseFunc(): FuncNode {
    const s = this.s;
    const outer = this.funcStart;
    const start = s.start;
    this.funcStart = start;
    const node = this.parseFuncBody(start);
    node.end = s.pos;
    this.funcStart = outer;
    return node;
  }

  private parseFuncBody(start: number): FuncNode {
    const s = this.s;
    // turn on all escape characters
    s.escapeChars = ESC_ALL;
    if (s.peek() === ch("#")) return this.parseLenFunc(start);

    s.accept = acceptIdent;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Token.Ident) throw new Fail(ERR_PARSE_VARIABLE_NAME);
    const name = s.string();

    switch (s.peek()) {
      case ch(":"):
        return this.parseDefaultOrSubstr(name, start);
      case ch("="):
        return this.parseDefaultFunc(name, start);
      case ch(","):
      case ch("^"):
        return this.parseCasingFunc(name, start);
      case ch("/"):
        return this.parseReplaceFunc(name, start);
      case ch("#"):
        return this.parseRemoveFunc(name, acceptHashFunc, start);
      case ch("%"):
        return this.parseRemoveFunc(name, acceptPercentFunc, start);
    }

    s.accept = acceptIdent;
    s.mode = SCAN_RBRACK;
    if (s.scan() === Token.Rbrack) return func(name, "", start);
    throw new Fail(ERR_MISSING_CLOSING_BRACE);
  }

  /** One function argument: a single `${…}`, or text up to what `accept` rejects (or `${`). */
  private parseParam(accept: AcceptFunc, mode: number): Node {
    const s = this.s;
    s.accept = accept;
    s.mode = mode | SCAN_LBRACK;
    switch (s.scan()) {
      case Token.Lbrack:
        return this.parseFunc();
      case Token.Ident:
      case Token.Rbrack:
        return { kind: "text", value: s.string() };
      default:
        throw new Fail(ERR_PARSE_FUNC_SUBSTITUTION);
    }
  }

  private parseDefaultOrSubstr(name: string, start: number): FuncNode {
    const s = this.s;
    s.read();
    const r = s.peek();
    s.unread(); // by the width of the peeked rune, as in Flux
    if (r === ch("=") || r === ch("-") || r === ch("?") || r === ch("+")) return this.parseDefaultFunc(name, start);
    return this.parseSubstrFunc(name, start);
  }

  /** `${param:offset}`, `${param:offset:length}` */
  private parseSubstrFunc(name: string, start: number): FuncNode {
    const s = this.s;
    const node = func(name, "", start);
    s.accept = acceptOneColon;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Token.Ident) throw new Fail(ERR_BAD_SUBSTITUTION);
    node.name = s.string();

    node.args.push(this.parseParam(rejectColonClose, SCAN_IDENT));

    // expect delimiter or close
    s.accept = acceptColon;
    s.mode = SCAN_IDENT | SCAN_RBRACK;
    switch (s.scan()) {
      case Token.Rbrack:
        return node;
      case Token.Ident:
        break;
      default:
        throw new Fail(ERR_BAD_SUBSTITUTION);
    }

    node.args.push(this.parseParam(acceptNotClosing, SCAN_IDENT));
    this.consumeRbrack();
    return node;
  }

  /** `${param#word}`, `${param##word}`, `${param%word}`, `${param%%word}` */
  private parseRemoveFunc(name: string, accept: AcceptFunc, start: number): FuncNode {
    const s = this.s;
    const node = func(name, "", start);
    s.accept = accept;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Token.Ident) throw new Fail(ERR_BAD_SUBSTITUTION);
    node.name = s.string();
    node.args.push(this.parseParam(acceptNotClosing, SCAN_IDENT));
    this.consumeRbrack();
    return node;
  }

  /** `${param/pattern/string}`, `${param//pattern/string}`, `${param/#pattern/string}`, `${param/%pattern/string}` */
  private parseReplaceFunc(name: string, start: number): FuncNode {
    const s = this.s;
    const node = func(name, "", start);
    s.accept = acceptReplaceFunc;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Token.Ident) throw new Fail(ERR_BAD_SUBSTITUTION);
    node.name = s.string();

    node.args.push(this.parseParam(acceptNotSlash, SCAN_IDENT | SCAN_ESCAPE));

    // expect delimiter (every `/` in a row)
    s.accept = acceptSlash;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Token.Ident) throw new Fail(ERR_BAD_SUBSTITUTION);

    // blank replacement
    if (s.peek() === ch("}")) {
      this.consumeRbrack();
      return node;
    }

    node.args.push(this.parseParam(acceptNotClosing, SCAN_IDENT | SCAN_ESCAPE));
    this.consumeRbrack();
    return node;
  }

  /** `${param=word}`, `${param:=word}`, `${param:-word}`, `${param:?word}`, `${param:+word}` */
  private parseDefaultFunc(name: string, start: number): FuncNode {
    const s = this.s;
    const node = func(name, "", start);
    s.accept = s.peek() === ch("=") ? acceptOneEqual : acceptDefaultFunc;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Token.Ident) throw new Fail(ERR_PARSE_DEFAULT_FUNCTION);
    node.name = s.string();

    for (;;) {
      if (s.peek() === ch("}")) {
        this.consumeRbrack();
        return node;
      }
      node.args.push(this.parseParam(acceptNotClosing, SCAN_IDENT));
    }
  }

  /** `${param,}`, `${param,,}`, `${param^}`, `${param^^}` (and any other mix of up to two) */
  private parseCasingFunc(name: string, start: number): FuncNode {
    const s = this.s;
    const node = func(name, "", start);
    s.accept = acceptCasingFunc;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Token.Ident) throw new Fail(ERR_BAD_SUBSTITUTION);
    node.name = s.string();
    this.consumeRbrack();
    return node;
  }

  /** `${#param}` */
  private parseLenFunc(start: number): FuncNode {
    const s = this.s;
    const node = func("", "", start);
    s.accept = acceptOneHash;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Token.Ident) throw new Fail(ERR_BAD_SUBSTITUTION);
    node.name = s.string();

    s.accept = acceptIdent;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Token.Ident) throw new Fail(ERR_BAD_SUBSTITUTION);
    node.param = s.string();
    this.consumeRbrack();
    return node;
  }

  private consumeRbrack(): void {
    this.s.mode = SCAN_RBRACK;
    if (this.s.scan() !== Token.Rbrack) throw new Fail(ERR_BAD_SUBSTITUTION);
  }
}

function func(param: string, name: string, start: number): FuncNode {
  return { kind: "func", param, name, args: [], start, end: start };
}
