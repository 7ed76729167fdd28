/**
 * A code frame under a located error in text output: the line before (context) and the line itself, with its
 * number, and a caret under the column, like compilers print:
 *
 *        11 |   vars:
 *      > 12 |     replicas: three
 *           |               ^
 *
 * Control characters are escaped as in the rest of the formatter (a tab shows as `\t`; the caret follows the
 * escaped text). A long line is cut to a window around the column, with `…` where text was left out. The user
 * info of any URL (`https://user:TOKEN@host`) shows as `***`, as braid never prints credentials. The line before
 * is shown only when it is indented less (the parent key or list), never a sibling's value.
 */
import { escapeControl } from "./format.js";

/** Visible width of the source text in a frame line; longer lines are cut around the column. */
export const FRAME_WIDTH = 100;
/** How much of the line before the column a cut window keeps. */
const LEAD = 40;

/** A surrogate: text without one has as many code points as UTF-16 units (long lines are then cut by slicing). */
const SURROGATE = /[\uD800-\uDFFF]/;

/** Code points (so an astral character counts once, as a terminal shows it). */
function width(s: string): number {
  return SURROGATE.test(s) ? Array.from(s).length : s.length;
}

const USERINFO = /([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)(?:[^\s@]*@)+/g;

/** A source line as a frame shows it: credentials in URLs hidden, control characters escaped. */
function show(line: string): string {
  return escapeControl(line.replace(USERINFO, "$1***@"));
}

/** Indentation as YAML nests: a list item's `- ` counts, so a sibling key after `- target:` is not a parent. */
const indentOf = (line: string): number => /^(?: |-(?= |$))*/.exec(line)![0].length;

function cut(text: string, start: number): string {
  const chars = SURROGATE.test(text) ? Array.from(text) : text;
  const end = start + FRAME_WIDTH;
  const shown = typeof chars === "string" ? chars.slice(start, end) : chars.slice(start, end).join("");
  return `${start > 0 ? "…" : ""}${shown}${chars.length > end ? "…" : ""}`;
}

/** A text's lines as {@link codeFrame} reads them (split once for many frames of one file). */
export function frameLines(text: string): string[] {
  return text.split(/\r?\n/);
}

/**
 * The frame lines for `line` (1-based) and, when given, `column` (1-based, counted in UTF-16 units as the yaml
 * package counts them) of a file's text (or its {@link frameLines}), each indented by two spaces; undefined when the
 * text has no such line.
 */
export function codeFrame(text: string | readonly string[], line: number, column?: number): string | undefined {
  const lines = typeof text === "string" ? frameLines(text) : text;
  if (!Number.isInteger(line) || line < 1 || line > lines.length) return undefined;
  if (line === lines.length && lines[line - 1] === "" && line > 1) return undefined; // past the final newline
  const raw = lines[line - 1]!;
  const shown = show(raw);
  const caret = column !== undefined && column >= 1 ? width(show(raw.slice(0, column - 1))) : undefined;
  const start = width(shown) > FRAME_WIDTH && caret !== undefined && caret > LEAD ? caret - LEAD : 0;
  const numWidth = String(line).length;
  const out: string[] = [];
  const before = line > 1 ? lines[line - 2]! : undefined;
  if (before !== undefined && before.trim() !== "" && indentOf(before) < indentOf(raw))
    out.push(`    ${String(line - 1).padStart(numWidth)} | ${cut(show(before), start)}`.trimEnd());
  out.push(`  > ${String(line).padStart(numWidth)} | ${cut(shown, start)}`.trimEnd());
  if (caret !== undefined)
    out.push(
      `    ${" ".repeat(numWidth)} | ${" ".repeat(Math.min(caret - start + (start > 0 ? 1 : 0), FRAME_WIDTH + 1))}^`,
    );
  return out.join("\n");
}
