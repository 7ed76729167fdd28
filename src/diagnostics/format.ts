import type { Diagnostic, SourceLocation } from "./diagnostic.js";

/** C0 and C1 control characters, DEL and the Unicode line/paragraph separators (LF is handled apart). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]/g;

/**
 * Escapes control characters in a text that came (possibly) from a source or the fleet: ESC, CR, NUL… as
 * `\x1b`, `\r`, `\x00`, so a file name or value can neither drive the terminal nor forge a diagnostic line.
 * A line feed becomes `\n` too, or, in a multi-line field (message, hint), a new line indented under the
 * diagnostic, so it can never start a line of its own.
 */
export function escapeControl(text: string, multiline = false): string {
  const s = text.replace(CONTROL, (c) => {
    if (c === "\r") return "\\r";
    if (c === "\t") return "\\t";
    const n = c.charCodeAt(0);
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, "0")}` : `\\u${n.toString(16).padStart(4, "0")}`;
  });
  return s.replace(/\n/g, multiline ? "\n    " : "\\n");
}

/** "file:line:col" (with "source@commit:" in front for files from source repos). */
export function formatLocation(loc: SourceLocation): string {
  return escapeControl(rawLocation(loc));
}

function rawLocation(loc: SourceLocation): string {
  let s = loc.file;
  if (loc.line !== undefined) s += `:${loc.line}`;
  if (loc.line !== undefined && loc.column !== undefined) s += `:${loc.column}`;
  if (loc.source) s = `${loc.source}@${(loc.commit ?? "").slice(0, 7)}:${s}`.replace("@:", ":");
  return s;
}

/**
 * One diagnostic as one human line (plus hint and related lines, indented). With `frame` (text output of the
 * CLI), a located error gets the code frame it returns (see code-frame.ts) under that line.
 */
export function formatText(d: Diagnostic, frame?: (d: Diagnostic) => string | undefined): string {
  const head: string[] = [];
  if (d.location) head.push(formatLocation(d.location));
  head.push(`${d.severity} ${d.code}`);
  const ctx: string[] = [];
  if (d.cluster) ctx.push(`cluster ${escapeControl(d.cluster)}`);
  if (d.resource) ctx.push(escapeControl(d.resource));
  if (d.path) ctx.push(escapeControl(d.path));
  let line = `${head.join(": ")}: ${ctx.length ? `[${ctx.join(" ")}] ` : ""}${escapeControl(d.message, true)}`;
  const shown = frame && d.severity === "error" && d.location?.line !== undefined ? frame(d) : undefined;
  if (shown) line += `\n${shown}`;
  for (const r of d.related ?? []) line += `\n  ${escapeControl(r.message)}: ${formatLocation(r.location)}`;
  if (d.hint) line += `\n  hint: ${escapeControl(d.hint, true)}`;
  return line;
}

/** GitHub Actions workflow-command annotation. */
export function formatGithub(d: Diagnostic): string {
  const props: string[] = [];
  if (d.location && !d.location.source) {
    props.push(`file=${escapeControl(d.location.file)}`);
    if (d.location.line !== undefined) props.push(`line=${d.location.line}`);
    if (d.location.column !== undefined) props.push(`col=${d.location.column}`);
  }
  props.push(`title=${d.code}`);
  const cmd = d.severity === "error" ? "error" : d.severity === "warning" ? "warning" : "notice";
  const text = formatText({ ...d, location: d.location?.source ? d.location : undefined });
  const esc = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
  // property values escaped as @actions/core escapes them (`:` and `,` too), after the key's `=`
  const prop = (p: string) => {
    const i = p.indexOf("=");
    return (
      p.slice(0, i + 1) +
      esc(p.slice(i + 1))
        .replace(/:/g, "%3A")
        .replace(/,/g, "%2C")
    );
  };
  return `::${cmd} ${props.map(prop).join(",")}::${esc(text)}`;
}
