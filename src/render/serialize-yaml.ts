import type { Json, JsonObject } from "../model/resource.js";

/**
 * Deterministic YAML for rendered resources. Key order: apiVersion, kind, metadata first at the top;
 * name, namespace first in metadata; every other mapping sorted by key (code-point order). Strings are plain
 * only when every YAML 1.1 and 1.2 reader takes them back as the same string (so `on`, `yes`, `0777`, `1e3`,
 * `2024-01-01` are quoted); multi-line strings use literal blocks. Same object → same bytes.
 */
export function serializeResource(object: JsonObject): string {
  const out: string[] = [];
  writeMap(object, "", out, TOP_ORDER);
  return out.join("");
}

/** Serializes any JSON value as a YAML document (used for kustomization.yaml and tests). */
export function serializeYaml(value: Json): string {
  const out: string[] = [];
  if (value !== null && typeof value === "object" && !Array.isArray(value)) writeMap(value, "", out, undefined);
  else if (Array.isArray(value)) writeSeq(value, "", out);
  else out.push(scalar(value, ""), "\n");
  return out.join("");
}

const TOP_ORDER = ["apiVersion", "kind", "metadata"];
const META_ORDER = ["name", "namespace"];

function orderedKeys(map: JsonObject, head: readonly string[] | undefined): string[] {
  const keys = Object.keys(map).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (!head) return keys;
  const first = head.filter((k) => k in map);
  return [...first, ...keys.filter((k) => !first.includes(k))];
}

/**
 * `first` replaces the indentation of the first line: a collection that is an item of a sequence starts on
 * the dash's line (`- a: 1`, `- - x`), as go-yaml writes it; so nested sequences take one line, not a line
 * and an indentation per level.
 */
function writeMap(
  map: JsonObject,
  indent: string,
  out: string[],
  head: readonly string[] | undefined,
  first = indent,
): void {
  const keys = orderedKeys(map, head);
  if (keys.length === 0) {
    out.push(first, "{}\n");
    return;
  }
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const lead = i === 0 ? first : indent;
    const v = map[k] as Json;
    const key = scalarString(k, indent);
    if (v !== null && typeof v === "object") {
      if (Array.isArray(v)) {
        if (v.length === 0) out.push(lead, key, ": []\n");
        else {
          out.push(lead, key, ":\n");
          writeSeq(v, indent, out);
        }
      } else if (Object.keys(v).length === 0) out.push(lead, key, ": {}\n");
      else {
        out.push(lead, key, ":\n");
        writeMap(v, indent + "  ", out, head === TOP_ORDER && k === "metadata" ? META_ORDER : undefined);
      }
    } else out.push(lead, key, ": ", scalar(v, indent + "  "), "\n");
  }
}

function writeSeq(seq: Json[], indent: string, out: string[], first = indent): void {
  for (let i = 0; i < seq.length; i++) {
    const item = seq[i] as Json;
    const lead = i === 0 ? first : indent;
    if (item !== null && typeof item === "object") {
      if (Array.isArray(item)) {
        if (item.length === 0) out.push(lead, "- []\n");
        else writeSeq(item, indent + "  ", out, lead + "- ");
      } else if (Object.keys(item).length === 0) out.push(lead, "- {}\n");
      else writeMap(item, indent + "  ", out, undefined, lead + "- ");
    } else out.push(lead, "- ", scalar(item, indent + "  "), "\n");
  }
}

function scalar(v: Exclude<Json, object> | null, blockIndent: string): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return formatNumber(v);
  return scalarString(v, blockIndent, true);
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return ".nan";
  if (n === Infinity) return ".inf";
  if (n === -Infinity) return "-.inf";
  return String(n);
}

// Plain strings: a conservative safe alphabet, and nothing another reader could take as non-string.
const SAFE_PLAIN = /^[A-Za-z0-9_./][A-Za-z0-9_./@+=,;()-]*(?:[ :][A-Za-z0-9_./@+=,;()-]+)*$/;
const AMBIGUOUS = new RegExp(
  [
    "^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~)$",
    "^[-+]?(?:[0-9][0-9_]*)?(?:\\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?$", // ints, floats, 1e3, 0777, .5, 1_000
    "^[-+]?0[xob][0-9a-fA-F_]+$",
    "^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\\.[0-9_]*)?$", // YAML 1.1 sexagesimal
    "^[-+]?\\.(?:inf|Inf|INF|nan|NaN|NAN)$",
    "^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}", // timestamps
    "^=$",
    "^<<$",
  ].join("|"),
);

function scalarString(s: string, blockIndent: string, allowBlock = false): string {
  if (s.length > 0 && SAFE_PLAIN.test(s) && !AMBIGUOUS.test(s) && !/: |:$/.test(s)) return s;
  if (allowBlock && s.includes("\n") && /\S/.test(s) && canBlock(s)) {
    const trailing = /\n+$/.exec(s)?.[0].length ?? 0;
    const chomp = trailing === 0 ? "-" : trailing === 1 ? "" : "+";
    const indicator = s.startsWith(" ") || s.startsWith("\n") ? "2" : "";
    const body = trailing ? s.slice(0, s.length - trailing) : s;
    const lines = body.split("\n").map((l) => (l.length ? blockIndent + l : ""));
    const extra = chomp === "+" ? "\n".repeat(trailing - 1) : "";
    return `|${indicator}${chomp}\n${lines.join("\n")}${extra}`;
  }
  return doubleQuoted(s);
}

function canBlock(s: string): boolean {
  // a value led by a tab: go-yaml (kubectl kustomize, Flux building the deploy folder) refuses the tab where it
  // looks for the block's indentation, and kyaml writes such a block back without an indicator
  if (s.startsWith("\t")) return false;
  // no carriage returns, tabs at line starts are fine, but no non-printable characters or BOM
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufeff\u2028\u2029\r]/.test(s)) return false;
  // trailing spaces on lines survive a literal block, but a line of only spaces before content is ambiguous
  return !/(^|\n) +\n/.test(s) && !/ +$/.test(s.replace(/\n+$/, ""));
}

function doubleQuoted(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0xfeff || c === 0x2028 || c === 0x2029)
      out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return out + '"';
}
