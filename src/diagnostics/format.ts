import type { Diagnostic, SourceLocation } from "./diagnostic.js";

/** "file:line:col" (with "source@commit:" in front for files from source repos). */
export function formatLocation(loc: SourceLocation): string {
  let s = loc.file;
  if (loc.line !== undefined) s += `:${loc.line}`;
  if (loc.line !== undefined && loc.column !== undefined) s += `:${loc.column}`;
  if (loc.source) s = `${loc.source}@${(loc.commit ?? "").slice(0, 7)}:${s}`.replace("@:", ":");
  return s;
}

/** One diagnostic as one human line (plus hint and related lines, indented). */
export function formatText(d: Diagnostic): string {
  const head: string[] = [];
  if (d.location) head.push(formatLocation(d.location));
  head.push(`${d.severity} ${d.code}`);
  const ctx: string[] = [];
  if (d.cluster) ctx.push(`cluster ${d.cluster}`);
  if (d.resource) ctx.push(d.resource);
  if (d.path) ctx.push(d.path);
  let line = `${head.join(": ")}: ${ctx.length ? `[${ctx.join(" ")}] ` : ""}${d.message}`;
  for (const r of d.related ?? []) line += `\n  ${r.message}: ${formatLocation(r.location)}`;
  if (d.hint) line += `\n  hint: ${d.hint}`;
  return line;
}

/** GitHub Actions workflow-command annotation. */
export function formatGithub(d: Diagnostic): string {
  const props: string[] = [];
  if (d.location && !d.location.source) {
    props.push(`file=${d.location.file}`);
    if (d.location.line !== undefined) props.push(`line=${d.location.line}`);
    if (d.location.column !== undefined) props.push(`col=${d.location.column}`);
  }
  props.push(`title=${d.code}`);
  const cmd = d.severity === "error" ? "error" : d.severity === "warning" ? "warning" : "notice";
  const text = formatText({ ...d, location: d.location?.source ? d.location : undefined });
  const esc = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
  return `::${cmd} ${props.map((p) => p.replace(/,/g, "%2C")).join(",")}::${esc(text)}`;
}
