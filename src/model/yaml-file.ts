import {
  isAlias,
  isCollection,
  isMap,
  isPair,
  isSeq,
  isScalar,
  LineCounter,
  parseAllDocuments,
  visit,
  Scalar,
  YAMLParseError,
  type Document,
  type Node,
} from "yaml";
import { isUtf8 } from "node:buffer";
import type { Diagnostic, SourceLocation } from "../diagnostics/diagnostic.js";
import { largerStackAvailable, stackExhausted } from "./deep-stack.js";
import { goBinary, goFormatFloatG, goInt, goIntExact, goNumber, goTimestamp, goYamlV2Word } from "./go-scalars.js";
import { setOwn } from "./own-keys.js";
import type { Json, JsonPath } from "./resource.js";
import { pushAll } from "./append.js";

/** A parsed YAML file: its documents with positions kept. */
export interface YamlFile {
  file: string;
  text: string;
  docs: Document.Parsed[];
  lineCounter: LineCounter;
}

/** go-yaml's spellings of infinities and NaN (the YAML core schema reads the plain ones alike). */
const SPECIAL_FLOATS = new Map<string, number>([
  ...[".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"].map((s): [string, number] => [s, Infinity]),
  ...["-.inf", "-.Inf", "-.INF"].map((s): [string, number] => [s, -Infinity]),
  ...[".nan", ".NaN", ".NAN"].map((s): [string, number] => [s, NaN]),
]);

/** A test the yaml parser accepts in place of a RegExp (it only calls `test`). */
const tester = (test: (s: string) => boolean) => ({ test }) as unknown as RegExp;

type OnError = (message: string) => void;

/**
 * Numbers as Kubernetes tooling reads them (go-yaml v3 in kustomize and Flux, go-yaml v2 in sigs.k8s.io/yaml:
 * the same strconv underneath): besides YAML 1.2's forms, Go's integer literals once every `_` is dropped
 * (`0644` is 420 — file modes —, `0b101`, `0X1F`, `-0x1F`, `1_000`) and go-yaml's floats (`08` is 8). Without
 * these, `defaultMode: 0440` would silently become 440. An explicit `!!int`/`!!float` that go-yaml cannot
 * read so is an error, as it is in kubectl.
 */
const GO_NUMBER_TAGS = [
  {
    // plain scalars go-yaml reads as numbers, and an explicit !!float
    identify: (v: unknown) => typeof v === "number",
    default: true,
    tag: "tag:yaml.org,2002:float",
    test: tester((s) => goNumber(s) !== undefined),
    resolve: (s: string, onError: OnError) => {
      const n = goNumber(s) ?? SPECIAL_FLOATS.get(s);
      if (n === undefined) onError(`cannot decode \`${s}\` as a !!float (go-yaml)`);
      return n ?? s;
    },
  },
  {
    // an explicit !!int
    identify: (v: unknown) => typeof v === "number",
    default: false,
    tag: "tag:yaml.org,2002:int",
    resolve: (s: string, onError: OnError) => {
      const int = goInt(s);
      if (int === undefined) onError(`cannot decode \`${s}\` as a !!int (go-yaml)`);
      return int ?? s;
    },
  },
  {
    // an explicit !!bool: go-yaml v3 reads only true and false so (`!!bool yes` fails kubectl)
    identify: (v: unknown) => typeof v === "boolean",
    default: false,
    tag: "tag:yaml.org,2002:bool",
    resolve: (s: string, onError: OnError) => {
      const b = /^(?:true|True|TRUE)$/.test(s) ? true : /^(?:false|False|FALSE)$/.test(s) ? false : undefined;
      if (b === undefined) onError(`cannot decode \`${s}\` as a !!bool (go-yaml)`);
      return b ?? s;
    },
  },
  {
    tag: "tag:yaml.org,2002:binary",
    default: false,
    resolve: (s: string, onError: OnError) => {
      const text = goBinary(s);
      if (text === undefined) onError("!!binary value contains invalid base64 data (go-yaml)");
      return text ?? s;
    },
  },
];

/**
 * go-yaml knows no `!!omap`, `!!pairs` or `!!set`: such a collection is the plain list or mapping it is
 * written as (the yaml parser would make a Map or Set of it, which JSON writes as `{}`).
 */
const GO_COLLECTION_TAGS = [
  { tag: "tag:yaml.org,2002:omap", collection: "seq", resolve: (seq: unknown) => seq },
  { tag: "tag:yaml.org,2002:pairs", collection: "seq", resolve: (seq: unknown) => seq },
  { tag: "tag:yaml.org,2002:set", collection: "map", resolve: (map: unknown) => map },
];

/**
 * Timestamps as kustomize hands them on (see model/go-scalars.ts): for resources, which kustomize writes
 * through Go's JSON (kustomization files are read as go-yaml v2 reads them into strings, and keep the text).
 */
const GO_TIMESTAMP_TAGS = [
  {
    identify: () => false,
    default: true,
    tag: "tag:yaml.org,2002:timestamp",
    test: tester((s) => goTimestamp(s) !== undefined),
    resolve: (s: string, onError: OnError) => {
      const t = goTimestamp(s);
      if (t === undefined) onError(`cannot decode \`${s}\` as a !!timestamp (go-yaml)`);
      else if (typeof t === "object") onError(`this timestamp cannot be written as JSON: ${t.error}`);
      return typeof t === "string" ? t : s;
    },
  },
];

/**
 * Most nodes the aliases of one document may add when expanded. kustomize de-anchors every document it reads
 * (kyaml's `DeAnchor`, copying each alias's anchor) without any limit, so kubectl kustomize and Flux read a
 * document with any number of aliases, and an alias bomb (a billion laughs) exhausts their memory. braid
 * reads the same documents, and refuses one whose aliases would add more than this many nodes.
 */
const MAX_ALIAS_NODES = 1_000_000;

/**
 * A character a YAML stream may not hold (YAML's c-printable): the C0 controls but tab, line feed and carriage
 * return, DEL, the C1 controls but NEL, U+FFFE and U+FFFF. go-yaml's reader refuses a file holding one
 * anywhere, comments included ("control characters are not allowed"), and so kubectl kustomize and Flux do;
 * the yaml parser reads it. (Text decoded from UTF-8 holds no lone surrogate.)
 */
// eslint-disable-next-line no-control-regex -- these are the characters looked for
const NOT_PRINTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uFFFE\uFFFF]/;

/** The located error of a text holding a character YAML does not allow (see NOT_PRINTABLE), if it does. */
function notPrintable(text: string, file: string, base: Partial<SourceLocation>): Diagnostic | undefined {
  const found = NOT_PRINTABLE.exec(text);
  if (!found) return undefined;
  const before = text.slice(0, found.index);
  const line = before.split("\n").length;
  const column = found.index - before.lastIndexOf("\n");
  const hex = found[0].charCodeAt(0).toString(16).toUpperCase();
  return {
    code: "YAML_SYNTAX",
    severity: "error",
    message: `control character U+${hex.padStart(4, "0")} is not allowed in YAML: kubectl kustomize and Flux (go-yaml) refuse the file`,
    location: { ...base, file, line, column },
    hint: `remove it; in a double-quoted string it may be written as an escape ("\\u${hex.padStart(4, "0")}")`,
  };
}

/** The UTF-16 encoding a file's byte-order mark names, if it starts with one. */
function utf16Bom(bytes: Uint8Array): "utf-16le" | "utf-16be" | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return "utf-16le";
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return "utf-16be";
  return undefined;
}

/**
 * The largest YAML file braid reads. Parsing takes about 40 bytes of memory per byte of YAML: a file of a few
 * hundred MiB would end the run out of memory (a crash, not an error) where a located error says which file.
 */
export const MAX_YAML_BYTES = 64 * 2 ** 20;

/**
 * The text of a YAML file's bytes, as go-yaml reads them: UTF-16 when a byte-order mark says so (`utf16`),
 * else UTF-8 (a byte-order mark dropped); else a located YAML_SYNTAX error at the first line that is not
 * UTF-8 (go-yaml: "invalid leading UTF-8 octet"), where a lenient decoding would put U+FFFD in place of the
 * bytes and render them changed.
 */
export function yamlText(
  bytes: Uint8Array,
  file: string,
  base: Partial<SourceLocation> = {},
): { text: string; utf16?: true } | { diagnostic: Diagnostic } {
  if (bytes.length > MAX_YAML_BYTES)
    return {
      diagnostic: {
        code: "FILE_TOO_LARGE",
        severity: "error",
        message: `${file} is ${(bytes.length / 2 ** 20).toFixed(1)} MiB: braid reads YAML files of up to ${MAX_YAML_BYTES / 2 ** 20} MiB`,
        location: { ...base, file, line: 1, column: 1 },
        hint: "split it into several files (the largest manifests of public projects, CRD bundles, are a few MiB), or leave it out of what braid reads",
      },
    };
  const utf16 = utf16Bom(bytes);
  if (utf16) {
    try {
      return { text: new TextDecoder(utf16, { fatal: true }).decode(bytes), utf16: true };
    } catch {
      return {
        diagnostic: {
          code: "YAML_SYNTAX",
          severity: "error",
          message: `${file} starts with a UTF-16 byte-order mark but is not UTF-16 text`,
          location: { ...base, file, line: 1, column: 1 },
          hint: "save the file as UTF-8",
        },
      };
    }
  }
  try {
    return { text: utf8.decode(bytes) };
  } catch {
    // not UTF-8: the first line that is not, below
  }
  let line = 1;
  for (let start = 0; start <= bytes.length; line++) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    if (!isUtf8(bytes.subarray(start, end))) break;
    start = end + 1;
  }
  return {
    diagnostic: {
      code: "YAML_SYNTAX",
      severity: "error",
      message: `${file} is not UTF-8 text (line ${line} is not)`,
      location: { ...base, file, line, column: 1 },
      hint: "save the file as UTF-8: YAML is read as UTF-8 (kubectl kustomize and Flux refuse other bytes too)",
    },
  };
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Parses every document of a file, collecting syntax errors with positions instead of throwing. A key given
 * twice in one mapping is an error (go-yaml v3: kubectl and Flux read manifests so), unless `lastKeyWins`:
 * then the last value counts, as kustomize reads its kustomization files (sigs.k8s.io/yaml, through JSON).
 * A character YAML does not allow (a control character) is an error too, as go-yaml's reader makes it.
 */
export function parseYamlFile(
  text: string,
  file: string,
  base: Partial<SourceLocation> = {},
  /** `timestamps`: the file is a resource or a patch of one (see GO_TIMESTAMP_TAGS). */
  opts: { lastKeyWins?: boolean; reindented?: boolean; timestamps?: boolean } = {},
): YamlFile & { diagnostics: Diagnostic[] } {
  const lineCounter = new LineCounter();
  const unprintable = notPrintable(text, file, base);
  if (unprintable) return { file, text, docs: [], lineCounter, diagnostics: [unprintable] };
  let parsed;
  try {
    parsed = parseAllDocuments(text, {
      lineCounter,
      prettyErrors: false,
      uniqueKeys: false, // (checked below, in linear time)
      merge: true, // `<<:` merge keys, as kubectl/kustomize read them
      customTags: (tags) => [
        ...((opts.timestamps ? GO_TIMESTAMP_TAGS : []) as typeof tags),
        ...(GO_NUMBER_TAGS as typeof tags),
        ...(GO_COLLECTION_TAGS as typeof tags),
        ...tags,
      ],
    }) as Document.Parsed[] | { errors?: unknown }; // EmptyStream
  } catch (e) {
    if (!isStackOverflow(e)) throw e;
    stackExhausted();
    return { file, text, docs: [], lineCounter, diagnostics: [tooDeep({ ...base, file, ...deepestLine(text) })] };
  }
  const list = Array.isArray(parsed) ? parsed : [];
  if (!opts.lastKeyWins) for (const doc of list) addDuplicateKeyErrors(doc);
  // go-yaml reads a quoted scalar's continuation lines at any indentation; the yaml parser wants them indented
  // deeper than their mapping. Indenting them changes no value (a flow scalar's line prefixes fold away)
  if (!opts.reindented && list.some((d) => d.errors.length)) {
    // each pass mends the scalars the parser reports; one mended may reveal the next (at most 100 passes, and
    // about 32 MB of text parsed again: a hostile file cannot make this slow)
    let current = { text, docs: list };
    const passes = Math.min(100, Math.floor(32_000_000 / (text.length + 1)));
    for (let pass = 0; pass < passes; pass++) {
      const fixed =
        reindentQuotedContinuations(current.text, current.docs) ?? spaceBeforeComments(current.text, current.docs);
      if (fixed === undefined) break;
      const again = parseYamlFile(fixed, file, base, { ...opts, reindented: true });
      if (!again.diagnostics.length) return again;
      current = again;
    }
  }
  // every later step recurses as deeply as the document nests: on a stack too small for it, move now
  if (largerStackAvailable()) for (const doc of list) if (!doc.errors.length) stackExhausted(nestingOf(doc).depth);
  const diagnostics: Diagnostic[] = [];
  const errors = list.flatMap((d) => d.errors);
  for (const e of errors.slice(0, 1)) {
    {
      const pos = lineCounter.linePos(e.pos[0]);
      if (isStackOverflow(e)) {
        stackExhausted();
        diagnostics.push(tooDeep({ ...base, file, line: pos.line, column: pos.col }));
        continue;
      }
      diagnostics.push({
        code: "YAML_SYNTAX",
        severity: "error",
        message:
          firstLine(e.message) +
          (errors.length > 1
            ? ` (${errors.length - 1} more error${errors.length > 2 ? "s" : ""} in this file follow from it, or come after it)`
            : ""),
        location: { ...base, file, line: pos.line, column: pos.col },
        hint: "fix the YAML syntax at this position",
      });
    }
  }
  if (!diagnostics.length && UNICODE_BREAK.test(text)) {
    const breaking = goYamlBreak(text, list, lineCounter, file, base);
    if (breaking) diagnostics.push(breaking);
  }
  if (text !== "" && !text.endsWith("\n") && !diagnostics.length) unclipLastBlockScalar(list, text.length);
  if (!diagnostics.length && FOLDED_HEADER.test(text)) for (const doc of list) foldAsGoYaml(doc);
  return { file, text, docs: list, lineCounter, diagnostics };
}

/**
 * A key given twice in one mapping, as the yaml parser's own `uniqueKeys` check reports it (same error, same
 * place, in document order among the parser's errors): keys are equal when they are the same node or scalars
 * of one value. The parser compares each key with every earlier key of its mapping, which made a mapping of
 * 200,000 keys take minutes; this keeps the keys seen by value.
 */
function addDuplicateKeyErrors(doc: Document.Parsed): void {
  const found: YAMLParseError[] = [];
  const pending: unknown[] = [doc.contents];
  while (pending.length) {
    const node = pending.pop();
    if (isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) pending.push(node.items[i]);
    } else if (isMap(node)) {
      const items = node.items;
      const duplicate = (key: unknown) => {
        const at = (key as Node | null)?.range?.[0] ?? 0;
        found.push(new YAMLParseError([at, at + 1], "DUPLICATE_KEY", "Map keys must be unique"));
      };
      if (items.length <= 16) {
        // (a small mapping, as most are: compared pair by pair, as the parser does)
        for (let i = 1; i < items.length; i++) {
          const key: unknown = items[i]!.key;
          for (let j = 0; j < i; j++) {
            const other: unknown = items[j]!.key;
            if (other === key || (isScalar(other) && isScalar(key) && other.value === key.value)) {
              duplicate(key);
              break;
            }
          }
        }
      } else {
        const seen = new Set<unknown>();
        const nodes = new Set<unknown>();
        for (const pair of items) {
          const key: unknown = pair.key;
          const value = isScalar(key) ? key.value : undefined;
          const primitive = isScalar(key) && (value === null || typeof value !== "object") && !Number.isNaN(value);
          if (nodes.has(key) || (primitive && seen.has(value))) duplicate(key);
          nodes.add(key);
          if (primitive) seen.add(value);
        }
      }
      for (let i = node.items.length - 1; i >= 0; i--) pending.push(node.items[i]!.value, node.items[i]!.key);
    }
  }
  if (!found.length) return;
  // in document order among the parser's errors (it reports each where it composes the key)
  found.sort((a, b) => a.pos[0] - b.pos[0]);
  const errors = [...doc.errors];
  doc.errors.length = 0;
  let i = 0;
  for (const e of found) {
    while (i < errors.length && errors[i]!.pos[0] <= e.pos[0]) doc.errors.push(errors[i++]!);
    doc.errors.push(e);
  }
  while (i < errors.length) doc.errors.push(errors[i++]!);
}

/** NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR: line breaks to go-yaml (YAML 1.1), ordinary characters to YAML 1.2. */
const UNICODE_BREAK = /[\u0085\u2028\u2029]/;

/**
 * The first NEL, LS or PS that go-yaml reads as a line break where braid's YAML 1.2 parser reads a character
 * (see UNICODE_BREAK), as a located error: anywhere but inside a quoted scalar (a plain scalar or a comment
 * ends there for go-yaml, and what follows is read as more YAML), and a NEL even there (go-yaml folds it to a
 * space). A quoted scalar keeps LS and PS in both.
 */
function goYamlBreak(
  text: string,
  docs: readonly Document.Parsed[],
  lineCounter: LineCounter,
  file: string,
  base: Partial<SourceLocation>,
): Diagnostic | undefined {
  const quoted: [number, number][] = [];
  for (const doc of docs)
    visit(doc, {
      Scalar(_, node) {
        // (keys too)
        if ((node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE") && node.range)
          quoted.push([node.range[0], node.range[1]]);
      },
    });
  const all = new RegExp(UNICODE_BREAK.source, "g");
  for (let m = all.exec(text); m; m = all.exec(text)) {
    const at = m.index;
    if (m[0] !== "\u0085" && quoted.some(([from, to]) => at > from && at < to)) continue;
    const pos = lineCounter.linePos(at);
    const hex = m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
    return {
      code: "YAML_SYNTAX",
      severity: "error",
      message: `U+${hex} is a line break to go-yaml, which kubectl kustomize and Flux read YAML with, and not to braid's YAML parser: the file would not read the same`,
      location: { ...base, file, line: pos.line, column: pos.col },
      hint: `write it as an escape in a double-quoted string ("\\u${hex}"), or as a real line break`,
    };
  }
  return undefined;
}

/** A line ending in a folded block scalar's header (`key: >-`, `- >2`), comment allowed. */
const FOLDED_HEADER = /(?:^|[\s:-])>[-+0-9]*[ \t]*(?:#.*)?$/m;

/**
 * Folded block scalars (`>`) as kustomize hands them on — and so as Flux applies them. kyaml writes a folded
 * scalar back out in folded style (go-yaml v3's emitter) and reads it again, and that emitter decides whether
 * to keep a line break by looking at the value's first line where it means the next one (`k := 0`). So when
 * the value does not start with a blank, a line break after an ordinary line before a more-indented one (or
 * before the end, under `>+`) comes back doubled; when it does start with one, a single break between two
 * ordinary lines comes back as a space, and a longer run one break shorter. A value the emitter may not write
 * in block style (a space before a line break or at the end, a control character) is written quoted, exactly.
 */
function foldAsGoYaml(doc: Document.Parsed): void {
  visit(doc, {
    Scalar(_, node) {
      if (node.type === Scalar.BLOCK_FOLDED && typeof node.value === "string") node.value = emittedFolded(node.value);
    },
  });
}

/**
 * Whether go-yaml v3's emitter may write `value` as a block scalar (yaml_emitter_analyze_scalar): not empty, no
 * space before a line break or at the end, only its printable characters (tab, line feed, ASCII, U+00A0–U+D7FF
 * and U+E000–U+FFFD but the byte-order mark). Otherwise it writes the value double-quoted.
 */
export function blockStyleAllowed(value: string): boolean {
  if (value === "" || value.endsWith(" ") || / [\n\r\u0085\u2028\u2029]/.test(value)) return false;
  return !/[^\t\n\x20-\x7e\u00a0-\ud7ff\ue000-\ufefe\uff00-\ufffd]/.test(value);
}

/**
 * Block scalars (`|`, `>`) that kustomize and Flux cannot read, both go-yaml's "found a tab character where an
 * indentation space is expected":
 * - as written: a block without an indentation indicator whose lines, up to its first content, hold a tab
 *   right after their leading spaces (go-yaml takes the indentation from those lines; YAML reads the tab as
 *   content);
 * - read back (`writeBack`, for files kustomize reads into its resource model, which writes each value and
 *   reads it again): a value starting with a tab, which go-yaml v3 writes in block style without an
 *   indentation indicator. A kustomization file is read once, as written.
 */
export function tabLedBlockScalars(yaml: YamlFile, { writeBack = true } = {}): Diagnostic[] {
  if (!/^[ \t]*[^\s#].*[|>][-+0-9]*[ \t]*(?:#.*)?$/m.test(yaml.text)) return [];
  const found: Diagnostic[] = [];
  for (const doc of yaml.docs)
    visit(doc, {
      Scalar(_, node) {
        if (node.type !== Scalar.BLOCK_LITERAL && node.type !== Scalar.BLOCK_FOLDED) return;
        if (typeof node.value !== "string" || !node.range) return;
        const asWritten = tabInAutoIndentation(yaml.text, node.range[0], node.range[2]);
        if (!asWritten && !(writeBack && node.value[0] === "\t" && blockStyleAllowed(node.value))) return;
        const pos = yaml.lineCounter.linePos(node.range[0]);
        found.push({
          code: "YAML_SYNTAX",
          severity: "error",
          message: asWritten
            ? 'this block scalar has a tab where go-yaml looks for its indentation (after the leading spaces of a line up to its first content): kustomize (kubectl kustomize, Flux) cannot read it ("found a tab character where an indentation space is expected")'
            : 'this block scalar\'s value starts with a tab: kustomize (kubectl kustomize, Flux) writes it back without an indentation indicator and then cannot read it ("found a tab character where an indentation space is expected")',
          location: { file: yaml.file, line: pos.line, column: pos.col },
          hint: asWritten
            ? 'indent those lines with spaces only, or write the value quoted ("\\t…")'
            : 'start the value with a space-indented line, or write it quoted ("\\t…")',
        });
      },
    });
  return found;
}

/**
 * go-yaml's block scalar scanner without an indentation indicator: while it looks for the indentation (every
 * line up to the first with content), a tab right after a line's leading spaces is an error.
 */
function tabInAutoIndentation(text: string, start: number, end: number): boolean {
  if (/^[|>](?:[1-9]|[-+][1-9])/.test(text.slice(start, start + 3))) return false;
  let i = text.indexOf("\n", start);
  while (i !== -1 && i < end) {
    let j = i + 1;
    while (text[j] === " ") j++;
    if (j >= end) return false;
    if (text[j] === "\t") return true;
    if (text[j] === "\r") j++;
    if (text[j] !== "\n") return false;
    i = j;
  }
  return false;
}

/**
 * A document's value with its plain timestamps as Go's JSON writes them (`2024-01-01` →
 * `2024-01-01T00:00:00Z`, see model/go-scalars.ts), or undefined when it holds none. For a strategic-merge
 * patch, whose nodes kustomize merges into a resource before writing it through Go's JSON.
 */
export function goTimestamped(doc: Document.Parsed): unknown {
  const stamp = (node: Scalar) =>
    node.type === Scalar.PLAIN && typeof node.value === "string" && /^[0-9]{4}-/.test(node.value)
      ? goTimestamp(node.value)
      : undefined;
  // looked for first: most documents hold none, and a clone of each costs more than the rest of its reading
  let any = false as boolean; // (set in the visitor)
  visit(doc, {
    Scalar(_, node) {
      if (typeof stamp(node) !== "string") return undefined;
      any = true;
      return visit.BREAK;
    },
  });
  if (!any) return undefined;
  const copy = doc.clone();
  visit(copy, {
    Scalar(_, node) {
      const t = stamp(node);
      if (typeof t === "string") node.value = t;
    },
  });
  return copy.toJS({ maxAliasCount: -1 });
}

/**
 * How many nodes the aliases of a document stand for, expanded (Infinity for an alias inside its own anchor),
 * counted without expanding: each node's expanded size once, in document order, so that an alias takes the
 * anchor defined last before it.
 */
function aliasExpansion(doc: Document.Parsed): number {
  const anchors = new Map<string, Node>();
  const size = new Map<unknown, number>();
  let expanded = 0;
  // in document order: a node is entered (its anchor defined), then its children, then it is left (sized)
  const stack: { node: unknown; left: boolean }[] = [{ node: doc.contents, left: false }];
  while (stack.length) {
    const { node, left } = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    if (left) {
      let n = 1;
      for (const item of (node as { items: unknown[] }).items)
        n += isPair(item) ? (size.get(item.key) ?? 0) + (size.get(item.value) ?? 0) : (size.get(item) ?? 0);
      size.set(node, n);
      continue;
    }
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      const n = target ? (size.get(target) ?? Infinity) : 1; // (an unknown anchor is yaml's own error)
      size.set(node, n);
      expanded += n;
      continue;
    }
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor) anchors.set(anchor, node as Node);
    if (!isCollection(node)) {
      size.set(node, 1);
      continue;
    }
    stack.push({ node, left: true });
    const items = node.items as unknown[];
    for (let i = items.length - 1; i >= 0; i--) {
      const item = items[i];
      if (isPair(item)) stack.push({ node: item.value, left: false }, { node: item.key, left: false });
      else stack.push({ node: item, left: false });
    }
  }
  return expanded;
}

/**
 * The documents kustomize's reader never sees: it splits a file at its later lines starting with `---` and
 * decodes one document from each part, so a document that follows a `...` end marker without a `---` line
 * is dropped (kubectl kustomize and Flux ignore it, without a word). It splits the file's bytes, so in a
 * UTF-16 file (`utf16`) it finds no `---` line, and reads the first document only.
 */
export function kyamlDroppedDocs(yaml: YamlFile, utf16 = false): Document.Parsed[] {
  if (utf16) return yaml.docs.slice(1);
  if (!/(?:^|\n)\.\.\./.test(yaml.text)) return [];
  const separators = [...yaml.text.matchAll(/\n---[^\n]*\n/g)].map((m) => m.index);
  const seen = new Set<number>();
  const dropped: Document.Parsed[] = [];
  for (const doc of yaml.docs) {
    const contents = doc.contents;
    if (contents === null || (isScalar(contents) && contents.value === null)) continue;
    const start = contents.range[0];
    const part = separators.filter((i) => i < start).length;
    if (seen.has(part)) dropped.push(doc);
    else seen.add(part);
  }
  return dropped;
}

/**
 * go-yaml reads a flow mapping's missing value (`{a}`, `{a: }`) as an empty string, where a block mapping's
 * (`a:`) is null: sets those values to "" in place, before the documents are read.
 */
export function flowEmptyValuesAsStrings(yaml: YamlFile): void {
  // a flow mapping entry without `:` (`{a}`, `{a, b}`), or with nothing after it (`{a: }`)
  if (!/[{,][^:{}\n]*[,}]|:[ \t]*[,}]/.test(yaml.text)) return;
  for (const doc of yaml.docs)
    visit(doc, {
      Map(_, map) {
        if (!map.flow) return;
        for (const pair of map.items) {
          const v = pair.value as Node | null;
          if (v === null || (isScalar(v) && v.type === Scalar.PLAIN && v.source === "" && v.value === null)) {
            const empty = new Scalar("");
            empty.range = v?.range ?? (pair.key as Node | null)?.range;
            pair.value = empty;
          }
        }
      },
    });
}

/**
 * What kustomize's reader (kyaml's ByteReader) refuses in a file of resources before go-yaml sees it: it
 * splits the text at every later line that starts with `---`, and such a line may hold nothing but a comment
 * after the dashes ("invalid document separator: --- !!map"); and a YAML directive (`%YAML 1.2`) is cut off
 * from its `---`, which go-yaml then misses ("did not find expected <document start>").
 */
export function kyamlSplitProblems(yaml: YamlFile): Diagnostic[] {
  const text = yaml.text;
  const found: Diagnostic[] = [];
  const at = (offset: number) => ({ file: yaml.file, line: yaml.lineCounter.linePos(offset).line, column: 1 });
  // a separator line with something after its dashes, followed by a line break (kyaml's `\n---.*\n`)
  for (const m of text.matchAll(/\n(---[^\n]*?)\r?(?=\n)/g)) {
    const rest = m[1]!.slice(3).trim();
    if (rest !== "" && !rest.startsWith("#"))
      found.push({
        code: "YAML_SYNTAX",
        severity: "error",
        message: `invalid document separator: ${m[1]!.trim()} (kustomize splits the file at every line starting with ---, which may only be followed by a comment; kubectl kustomize and Flux fail)`,
        location: at(m.index + 1),
        hint: "put the document's content on the next line",
      });
  }
  for (const m of text.matchAll(/^%/gm))
    found.push({
      code: "YAML_SYNTAX",
      severity: "error",
      message:
        "a YAML directive: kustomize splits the file at the --- after it and go-yaml then finds no document start (kubectl kustomize and Flux fail)",
      location: at(m.index),
      hint: "remove the directive line",
    });
  return found.sort((a, b) => a.location!.line! - b.location!.line!);
}

/** Whether a visit path ends at a value of `metadata.annotations` of the document's top mapping. */
function isAnnotationValue(path: readonly unknown[]): boolean {
  const keyOf = (n: unknown) => (isPair(n) && isScalar(n.key) ? n.key.value : undefined);
  return path.length === 7 && keyOf(path[2]) === "metadata" && keyOf(path[4]) === "annotations";
}

/**
 * Values kustomize cannot write as JSON, which fails `kubectl kustomize` and Flux's build
 * (`RNode.MarshalJSON`): NaN and infinities ("json: unsupported value"), and a mapping below the document's
 * top whose key is not a string to go-yaml — a number, boolean, null, timestamp or collection ("json:
 * unsupported type: map[interface {}]interface {}"). The top mapping's keys are read as strings. A document
 * that is a list (a JSON6902 patch, whose values kustomize reads through sigs.k8s.io/yaml, which writes such
 * keys as strings) is checked for NaN and infinities only. `code`: the diagnostics' code.
 */
export function goJsonProblems(
  yaml: YamlFile,
  code: "MANIFEST_INVALID" | "PATCH_INVALID" = "MANIFEST_INVALID",
): Diagnostic[] {
  // only a file that may hold such a value or key is walked: NaN or infinity written out, a key led by a
  // digit, sign, dot, `~`, `?`, `:`, a bracket, a tag, an anchor or alias, or a YAML 1.2 boolean or null word
  if (
    !/\.(?:nan|NaN|NAN|inf|Inf|INF)\b/.test(yaml.text) &&
    !/^[ \t]*(?:- +)*(?:[-+]?[.0-9]|[~?[{:!*&]|(?:true|false|null|True|False|Null|TRUE|FALSE|NULL)[ \t]*:)/m.test(
      yaml.text,
    ) &&
    !/[{,][ \t]*(?:[-+]?[.0-9]|[~?[{:!*&]|(?:true|false|null|True|False|Null|TRUE|FALSE|NULL)[ \t]*:)/.test(yaml.text)
  )
    return inexactIntegers(yaml, code);
  const found: Diagnostic[] = [];
  const at = (node: Node | null | undefined, message: string, hint: string) => {
    const pos = yaml.lineCounter.linePos(node?.range?.[0] ?? 0);
    found.push({
      code,
      severity: "error",
      message,
      location: { file: yaml.file, line: pos.line, column: pos.col },
      hint,
    });
  };
  pushAll(found, inexactIntegers(yaml, code));
  for (const doc of yaml.docs) {
    const operations = isSeq(doc.contents);
    visit(doc, {
      Scalar(_, node, path) {
        // kustomize writes annotations back as their text (render/load-manifests.ts), which JSON holds
        if (typeof node.value === "number" && !Number.isFinite(node.value) && !isAnnotationValue(path))
          at(
            node,
            `${node.source ?? String(node.value)} is not a number JSON can hold: kustomize cannot write it (kubectl kustomize and Flux fail: "json: unsupported value")`,
            "quote it if it is meant as text",
          );
      },
      Pair(_, pair, path) {
        // the path holds the document and the collections above this pair's mapping
        if (path.length <= 2 || operations) return;
        // an alias key (`*app :`, as Helm values often name a controller) is the node it stands for
        const written = pair.key as Node | null;
        const key = isAlias(written) ? (written.resolve(doc) ?? written) : written;
        const plain = isScalar(key) && (typeof key.value === "string" || key.value instanceof String);
        const timestamp = isScalar(key) && key.type === Scalar.PLAIN && goTimestamp(String(key.source)) !== undefined;
        if (plain && !timestamp) return;
        if (isScalar(key) && typeof key.value === "symbol") return; // the merge key <<
        at(
          written,
          `the key ${isScalar(key) ? `\`${String(key.source ?? key.value)}\`` : "here"} is not a string to go-yaml: kustomize cannot write this mapping as JSON (kubectl kustomize and Flux fail: "json: unsupported type: map[interface {}]interface {}")`,
          'quote the key ("1": …)',
        );
      },
    });
  }
  return found;
}

/**
 * Integers go-yaml keeps exactly (an int64 or uint64: kubectl writes 9223372036854775807) that a JavaScript number
 * cannot, so that braid would write another number (9223372036854776000): one located error each, `code` the
 * diagnostics' code. Annotation values are kept as their text, and are not checked. `within`: only the
 * values below this node (a patch written as YAML in a config file), annotations counted from it.
 */
export function inexactIntegers(
  yaml: YamlFile,
  code: "MANIFEST_INVALID" | "PATCH_INVALID",
  within?: Node,
): Diagnostic[] {
  if (!/[0-9a-fA-F]{14}/.test(yaml.text)) return []; // such an integer has 14 digits or more
  const found: Diagnostic[] = [];
  for (const top of within ? [within] : yaml.docs)
    visit(top, {
      Scalar(_, node, path) {
        if (typeof node.value !== "number" || Number.isSafeInteger(node.value) || !Number.isInteger(node.value)) return;
        // (below a node, the path starts at that node: one step shorter than from its document)
        if (isAnnotationValue(within ? [undefined, ...path] : path)) return;
        const exact = goIntExact(node.source ?? "");
        if (exact === undefined || BigInt(node.value) === exact) return;
        const pos = yaml.lineCounter.linePos(node.range?.[0] ?? 0);
        found.push({
          code,
          severity: "error",
          message: `${String(node.source)} is an integer beyond ±${Number.MAX_SAFE_INTEGER}, which braid cannot hold exactly: kustomize keeps it, braid would write ${String(node.value)}`,
          location: { file: yaml.file, line: pos.line, column: pos.col },
          hint: "quote it if it is meant as text; otherwise no value of this size can be rendered by braid",
        });
      },
    });
  return found;
}

/** What go-yaml v3 reads back from its own folded-style emission of `value` (see foldAsGoYaml). */
function emittedFolded(value: string): string {
  if (!blockStyleAllowed(value)) return value;
  const first = value.replace(/^\n+/, "")[0];
  const startsBlank = first === " " || first === "\t";
  // the emitter's chomping: keep (`+`) when the value ends with two breaks, or is one break
  const keep = value === "\n" || value.endsWith("\n\n");
  const ordinary = (line: string) => line !== "" && line[0] !== " " && line[0] !== "\t";
  const lines = value.split("\n");
  let out = lines[0]!;
  for (let i = 0; i < lines.length - 1;) {
    // the run of line breaks after line i: n of them, then line j (or the end)
    let j = i + 1;
    while (j < lines.length - 1 && lines[j] === "") j++;
    const atEnd = j === lines.length - 1 && lines[j] === "";
    let breaks = j - i;
    if (ordinary(lines[i]!)) {
      // not starting blank: one break more before a more-indented line, or at the end of a kept value;
      // starting blank: one fewer between two ordinary lines (a single one folds into a space)
      if (!startsBlank) breaks += (atEnd ? keep : !ordinary(lines[j]!)) ? 1 : 0;
      else if (!atEnd && ordinary(lines[j]!)) breaks -= 1;
    }
    out += (breaks === 0 ? " " : "\n".repeat(breaks)) + lines[j]!;
    i = j;
  }
  return out;
}

/**
 * The text with the continuation lines of every quoted scalar the parser could not close indented past the
 * scalar's opening quote (flagger's CRDs wrap `description: '…` onto lines at the key's indentation). Undefined
 * when there is none (or none has a closing quote further on: a real syntax error).
 */
function reindentQuotedContinuations(text: string, docs: readonly Document.Parsed[]): string | undefined {
  const starts: number[] = [];
  for (const d of docs)
    visit(d, {
      Scalar(_, n) {
        if (
          (n.type === "QUOTE_SINGLE" || n.type === "QUOTE_DOUBLE") &&
          n.range &&
          !closed(text.slice(n.range[0], n.range[1]))
        )
          starts.push(n.range[0]);
      },
    });
  let out = text;
  // from the last scalar to the first, so that earlier offsets stay valid
  for (const start of starts.sort((a, b) => b - a)) out = padContinuations(out, start) ?? out;
  return out === text ? undefined : out;
}

/**
 * go-yaml starts a comment at a `#` right after a quoted scalar or a flow collection (`"v"#c`, `[a]#c`); the
 * yaml parser wants a space before it. Adds one before each `#` it reports so (no value changes), or undefined.
 */
function spaceBeforeComments(text: string, docs: readonly Document.Parsed[]): string | undefined {
  const at = docs
    .flatMap((d) => d.errors)
    .filter((e) => e.code === "MISSING_CHAR" && text[e.pos[0]] === "#" && `"']}`.includes(text[e.pos[0] - 1] ?? ""))
    .map((e) => e.pos[0])
    .sort((a, b) => b - a);
  let out = text;
  for (const i of at) out = `${out.slice(0, i)} ${out.slice(i)}`;
  return out === text ? undefined : out;
}

/** Whether a quoted scalar's text as the parser took it ends with its closing quote (not an escaped one). */
function closed(raw: string): boolean {
  const quote = raw[0]!;
  if (raw.length < 2 || !raw.endsWith(quote)) return false;
  let n = 0; // the run before the last character: `''` pairs, or backslashes escaping a `"`
  for (let i = raw.length - 2; i > 0 && raw[i] === (quote === "'" ? "'" : "\\"); i--) n++;
  return n % 2 === 0;
}

/** The quoted scalar opening at `start`, with its continuation lines indented past the quote (go-yaml's scanner). */
function padContinuations(text: string, start: number): string | undefined {
  const quote = text[start];
  const want = start - (text.lastIndexOf("\n", start - 1) + 1) + 1;
  const parts: string[] = [];
  let last = 0;
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (quote === "'" && c === "'") {
      if (text[i + 1] !== "'") return parts.length ? [...parts, text.slice(last)].join("") : text;
      i++;
    } else if (quote === '"' && c === "\\") {
      // an escaped character is skipped; an escaped line break still starts a continuation line
      if (text[i + 1] !== "\n" && text[i + 1] !== "\r") i++;
    } else if (quote === '"' && c === '"') return parts.length ? [...parts, text.slice(last)].join("") : text;
    else if (c === "\n") {
      let j = i + 1;
      while (text[j] === " ") j++;
      const indent = j - (i + 1);
      // a document marker ends the scalar for go-yaml too ("found unexpected document indicator")
      if (indent === 0 && /^(?:---|\.\.\.)(?:\s|$)/.test(text.slice(j, j + 4))) return undefined;
      if (j < text.length && text[j] !== "\n" && text[j] !== "\r" && indent < want) {
        parts.push(text.slice(last, i + 1), " ".repeat(want - indent));
        last = i + 1;
      }
    }
  }
  return undefined;
}

/**
 * A block scalar that runs to the end of a file without a final line break has none (go-yaml v3, which kubectl
 * and Flux read with: `data: |` then `x` at the end of the file is "x"); the yaml parser adds one for clip and
 * keep chomping. Drops it from the last such scalar.
 */
function unclipLastBlockScalar(docs: readonly Document.Parsed[], end: number): void {
  const last = docs[docs.length - 1];
  if (!last) return;
  visit(last, {
    Scalar(_, node) {
      const block = node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED;
      if (block && node.range && node.range[1] >= end && typeof node.value === "string" && node.value.endsWith("\n"))
        node.value = node.value.slice(0, -1);
    },
  });
}

/**
 * How deep braid reads YAML. The yaml parser recurses once per nesting level, so its depth is bounded by the
 * JavaScript stack (measured: 800 levels of block or flow nesting read fine on Node 20's default stack);
 * `kubectl kustomize` (go-yaml v3) refuses beyond 10000 ("exceeded max depth of 10000").
 */
const YAML_DEPTH_NOTE = "braid reads at least 800 levels; kubectl kustomize stops at 10000";

/** go-yaml v3's limit (kubectl kustomize, Flux): more nested mappings and sequences than this is an error. */
const MAX_YAML_DEPTH = 10_000;

/**
 * How deeply a document nests (go-yaml v3 counts every mapping and sequence on the way down, the document's
 * root included), found without recursion, and the first collection nested deeper than go-yaml v3 accepts.
 * The `braid` command can run with a stack large enough to parse that deep, so braid refuses exactly where
 * kubectl does.
 */
function nestingOf(doc: Document.Parsed): Nesting {
  let n = NESTING.get(doc);
  if (!n) NESTING.set(doc, (n = nesting(doc)));
  return n;
}

interface Nesting {
  depth: number;
  tooDeep?: Node;
  /** Whether the document holds an alias (known when not too deep). */
  aliases?: boolean;
}

/** Each parsed document's nesting, found once. */
const NESTING = new WeakMap<Document.Parsed, Nesting>();

function nesting(doc: Document.Parsed): Nesting {
  const stack: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 0 }];
  let max = 0;
  let aliases = false;
  while (stack.length) {
    const { node, depth } = stack.pop()!;
    if (!isCollection(node)) {
      aliases ||= isAlias(node);
      continue;
    }
    max = Math.max(max, depth + 1);
    if (depth + 1 > MAX_YAML_DEPTH) return { depth: max, tooDeep: node };
    for (const item of node.items as unknown[]) {
      if (isPair(item)) {
        stack.push({ node: item.key, depth: depth + 1 });
        stack.push({ node: item.value, depth: depth + 1 });
      } else stack.push({ node: item, depth: depth + 1 });
    }
  }
  return { depth: max, aliases };
}

function isStackOverflow(e: unknown): boolean {
  const msg =
    e instanceof Error
      ? e.message
      : typeof e === "object" && e !== null && "message" in e
        ? String(e.message)
        : String(e);
  return e instanceof RangeError || msg.includes("Maximum call stack size exceeded");
}

function tooDeep(location: SourceLocation): Diagnostic {
  return {
    code: "YAML_TOO_DEEP",
    severity: "error",
    message: `the YAML nests too deeply to be read (${YAML_DEPTH_NOTE})`,
    location,
    hint: "flatten the structure: no Kubernetes object needs hundreds of nested levels (generated data belongs in a ConfigMap value or a file)",
  };
}

/** The line and column of the most indented or bracketed spot, for an overflow the parser could not place. */
function deepestLine(text: string): { line: number; column: number } {
  let best = { line: 1, column: 1, depth: -1 };
  text.split("\n").forEach((l, i) => {
    const indent = l.length - l.trimStart().length;
    let depth = indent;
    let open = 0;
    for (const c of l) if (c === "[" || c === "{") depth = Math.max(depth, indent + ++open);
    if (depth > best.depth) best = { line: i + 1, column: indent + 1, depth };
  });
  return { line: best.line, column: best.column };
}

function firstLine(s: string): string {
  return s.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
}

/** Converts a parsed document to plain JSON, refusing alias bombs with a diagnostic. */
export function documentToJs(
  doc: Document.Parsed,
  file: string,
  lineCounter: LineCounter,
  base: Partial<SourceLocation> = {},
): { value: unknown; diagnostic?: Diagnostic } {
  const { depth, tooDeep: deep, aliases } = nestingOf(doc);
  if (!deep) stackExhausted(depth);
  if (deep) {
    const pos = lineCounter.linePos(deep.range?.[0] ?? 0);
    return {
      value: undefined,
      diagnostic: {
        ...tooDeep({ ...base, file, line: pos.line, column: pos.col }),
        message: `the YAML nests more than ${MAX_YAML_DEPTH} levels, the most that kubectl kustomize and Flux (go-yaml v3) read`,
      },
    };
  }
  if (aliases && aliasExpansion(doc) > MAX_ALIAS_NODES) {
    const pos = lineCounter.linePos(doc.contents?.range[0] ?? 0);
    return {
      value: undefined,
      diagnostic: {
        code: "YAML_ALIAS_LIMIT",
        severity: "error",
        message: `the document's aliases expand to more than ${MAX_ALIAS_NODES.toLocaleString("en-US")} nodes (or into themselves); refusing a possible alias bomb, which would exhaust kubectl kustomize's and Flux's memory`,
        location: { ...base, file, line: pos.line, column: pos.col },
        hint: "write the repeated content out, or use fewer aliases",
      },
    };
  }
  try {
    return { value: doc.toJS({ maxAliasCount: -1 }) };
  } catch (e) {
    const start = doc.contents?.range[0] ?? 0;
    const pos = lineCounter.linePos(start);
    if (isStackOverflow(e)) {
      stackExhausted();
      return { value: undefined, diagnostic: tooDeep({ ...base, file, line: pos.line, column: pos.col }) };
    }
    return {
      value: undefined,
      diagnostic: {
        code: "YAML_SYNTAX",
        severity: "error",
        message: e instanceof Error ? e.message : String(e),
        location: { ...base, file, line: pos.line, column: pos.col },
      },
    };
  }
}

/** Finds the node at a path (keys or indexes); falls back to the closest existing parent. */
export function nodeAt(doc: Document.Parsed, path: JsonPath, exact = false): Node | undefined {
  let node: unknown = doc.contents;
  for (const seg of path) {
    if (!isCollection(node)) return exact ? undefined : (node as Node | undefined);
    const key = isMap(node) && typeof seg === "number" ? String(seg) : seg;
    const next = (node as { get(k: unknown, keepScalar: boolean): unknown }).get(key, true);
    if (next === undefined) {
      if (exact) return undefined;
      // point at the key of the map when the value is missing
      return node;
    }
    node = next;
  }
  return node as Node | undefined;
}

/** The key node of a map entry at path, when the last segment is a key. */
function keyNodeAt(doc: Document.Parsed, path: JsonPath): Node | undefined {
  if (path.length === 0) return undefined;
  const parent = nodeAt(doc, path.slice(0, -1), true);
  if (!parent || !isCollection(parent)) return undefined;
  const last = path[path.length - 1];
  for (const item of (parent as { items: unknown[] }).items) {
    if (item && typeof item === "object" && "key" in item) {
      const k = item.key;
      if ((isScalar(k) && k.value === last) || k === last) return isScalar(k) ? k : undefined;
    }
  }
  return undefined;
}

/** Line/column (1-based) of the value at path, or of its closest parent. */
export function positionOf(
  yaml: Pick<YamlFile, "lineCounter">,
  doc: Document.Parsed,
  path: JsonPath,
  opts: { preferKey?: boolean; exact?: boolean } = {},
): { line: number; column: number } | undefined {
  const node = (opts.preferKey ? keyNodeAt(doc, path) : undefined) ?? nodeAt(doc, path, opts.exact);
  const start = node?.range?.[0];
  if (start === undefined) return undefined;
  const p = yaml.lineCounter.linePos(start);
  return { line: p.line, column: p.col };
}

/** Parses a JSON pointer ("/a/0/b~1c") into segments; numeric segments become numbers. */
export function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === "" || pointer === "/") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

/**
 * How far the text of a scalar is shifted inside its file (lines and columns before its first character; for
 * a block scalar, the line after the indicator and that line's indentation): positions found in the scalar's
 * own text plus this are positions in the file.
 */
export function scalarShift(yaml: YamlFile, node: unknown): { line: number; column: number } {
  if (!isScalar(node) || !node.range) return { line: 0, column: 0 };
  const start = yaml.lineCounter.linePos(node.range[0]);
  const block = node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED;
  if (!block) return { line: start.line - 1, column: start.col - 1 };
  // content starts on the line after the indicator; its indentation is that line's leading spaces
  const lines = yaml.text.split("\n");
  const next = lines[start.line] ?? "";
  const indent = next.length - next.trimStart().length;
  return { line: start.line, column: indent };
}

/**
 * The YAML text of each annotation (of the object at `path` in the document) whose value is a scalar but not
 * a string, or a string read from other text (undefined when there is none): what kustomize writes back for
 * it (kyaml GetAnnotations/SetAnnotations read each value's text).
 */
export function annotationTexts(
  doc: Document.Parsed,
  path: readonly (string | number)[],
  values: Readonly<Record<string, unknown>>,
): Record<string, string> | undefined {
  const nonString = Object.keys(values).filter((k) => {
    const v = values[k];
    return v === null || typeof v === "number" || typeof v === "boolean";
  });
  const node = doc.getIn([...path, "metadata", "annotations"], true);
  if (!isMap(node)) return undefined;
  const out: Record<string, string> = {};
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (key === undefined) continue;
    // an alias is the node it stands for (kustomize de-anchors every document before it reads annotations)
    const written = pair.value as Node | null;
    const value = (isAlias(written) ? (written.resolve(doc) ?? null) : written) as Scalar.Parsed | null;
    if (value === null && nonString.includes(key))
      out[key] = ""; // `key:` with nothing after it
    // a value read as something else than its text (a number, a timestamp, a tagged scalar): the text
    else if (isScalar(value) && typeof value.source === "string" && (nonString.includes(key) || isRetyped(value)))
      out[key] = value.source;
  }
  return Object.keys(out).length ? out : undefined;
}

/** A plain or tagged scalar that reads as a string other than its text (a timestamp, `!!binary`). */
function isRetyped(node: Scalar.Parsed): boolean {
  if (typeof node.value !== "string") return false;
  if (node.value !== node.source && (node.type === "PLAIN" || node.tag !== undefined)) return true;
  // a timestamp read without the Go timestamp tags (a patch): Go's JSON would write it otherwise
  return node.type === "PLAIN" && node.tag === undefined && typeof goTimestamp(node.source) === "string";
}

/**
 * A JSON6902 patch document's value as kustomize reads it: through sigs.k8s.io/yaml, which is go-yaml v2
 * (YAML 1.1) into Go values, then JSON. Beyond what braid's reading already gives (Go's numbers, timestamps
 * kept as text), a plain `yes`, `on`, `y`, `no`, `off`, `n` (any spelling go-yaml v2 knows) is a boolean, and
 * a mapping key go-yaml v2 reads as another type is written as JSON writes it: `on:` → "true", `010:` → "8",
 * `1.50:` → "1.5". A null key is an error (kubectl: "unable to parse SM or JSON patch"): its node is returned.
 */
export function yamlV2Json(node: unknown, value: Json): { value: Json } | { nullKey: Node } {
  if (isScalar(node)) {
    if (node.type !== Scalar.PLAIN || typeof value !== "string" || typeof node.source !== "string") return { value };
    const word = goYamlV2Word(node.source);
    return { value: typeof word === "boolean" ? word : value };
  }
  if (isSeq(node) && Array.isArray(value)) {
    const out: Json[] = [];
    for (const [i, item] of value.entries()) {
      const r = yamlV2Json(node.items[i], item);
      if ("nullKey" in r) return r;
      out.push(r.value);
    }
    return { value: out };
  }
  if (!isMap(node) || value === null || typeof value !== "object" || Array.isArray(value)) return { value };
  for (const { key } of node.items)
    if (key === null || (isScalar(key) && key.value === null)) return { nullKey: (key ?? node) as Node };
  // merge keys (`<<`) and alias or collection keys make the pairs and the keys differ: left as read
  if (node.items.some((p) => !isScalar(p.key) || typeof p.key.value === "symbol")) return { value };
  const out: Record<string, Json> = {};
  for (const pair of node.items) {
    const key = pair.key;
    const jsKey = isScalar(key) ? String(key.value) : undefined;
    if (jsKey === undefined || !Object.hasOwn(value, jsKey)) continue;
    let name = jsKey;
    if (isScalar(key) && key.type === Scalar.PLAIN && typeof key.source === "string") {
      const word = goYamlV2Word(key.source);
      if (word === null) return { nullKey: key };
      const int = word === undefined ? goInt(key.source) : undefined;
      const float = word === undefined && int === undefined ? goNumber(key.source) : undefined;
      name =
        typeof word === "boolean"
          ? String(word)
          : int !== undefined
            ? String(int)
            : float !== undefined
              ? goFormatFloatG(float)
              : jsKey;
    }
    const r = yamlV2Json(pair.value, value[jsKey]!);
    if ("nullKey" in r) return r;
    setOwn(out, name, r.value);
  }
  return { value: out };
}
