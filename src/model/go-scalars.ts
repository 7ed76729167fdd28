/**
 * Plain scalars as go-yaml v3 resolves them (its `resolve`, with Go's strconv and time.Parse underneath), for
 * the values kustomize hands on: every resource kustomize builds goes through `RNode.MarshalJSON`, which
 * decodes the YAML into Go values and writes them as JSON, so Flux and kubectl see what go-yaml resolved.
 * - numbers: Go's integer literals after go-yaml drops every `_` (`0b101`, `0o17`, `0X1F`, `-0x1F`, `+017`,
 *   `0x_1F`, `1_000`), else a YAML-style float (`1_0.5`, `08` is 8.0); a scalar led by `.` is Go's ParseFloat
 *   (`.5_0` is 0.5);
 * - timestamps (`2001-12-14`, `2001-12-14 21:59:43.10`, `2001-12-14t21:59:43.10-05:00`): decoded to a Go
 *   time.Time and written as JSON, that is RFC 3339 with nanoseconds (`2001-12-14T00:00:00Z`);
 * - `!!binary`: the base64 decoded, as a string.
 * JavaScript numbers hold integers exactly up to 2^53; go-yaml keeps 64 bits (documented).
 */

/** go-yaml's `yamlStyleFloat`. */
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/** Go's strconv.ParseInt(s, 0, 64), falling back to ParseUint (no sign): the value, or undefined. */
function parseGoInt(s: string): bigint | undefined {
  // the common case (`replicas: 3`, `port: 8080`): a decimal that a double holds exactly
  if (/^[-+]?[1-9][0-9]{0,14}$/.test(s)) return BigInt(s.replace("+", ""));
  const m = /^([-+]?)(?:0([xX])([0-9a-fA-F]+)|0([bB])([01]+)|0([oO])([0-7]+)|(0[0-7]*)|([1-9][0-9]*))$/.exec(s);
  if (!m) return undefined;
  const digits = m[3] ?? m[5] ?? m[7] ?? m[8] ?? m[9]!;
  const base = m[2] ? 16 : m[4] ? 2 : m[6] || m[8] ? 8 : 10;
  let v = 0n;
  for (const c of digits) v = v * BigInt(base) + BigInt(parseInt(c, base));
  if (m[1] === "-") v = -v;
  // ParseInt's range, else ParseUint's (which takes no sign)
  if (v >= INT64_MIN && v < -INT64_MIN) return v;
  if (m[1] === "" && v <= UINT64_MAX) return v;
  return undefined;
}

/** Go's strconv underscoreOK: underscores only between digits (or after a base prefix). */
function underscoreOK(s: string): boolean {
  let saw = "^";
  let i = 0;
  if (s[0] === "-" || s[0] === "+") s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === "0" && "boxBOX".includes(s[1]!)) {
    i = 2;
    saw = "0";
    hex = s[1] === "x" || s[1] === "X";
  }
  for (; i < s.length; i++) {
    const c = s[i]!;
    if ((c >= "0" && c <= "9") || (hex && /[a-fA-F]/.test(c))) {
      saw = "0";
      continue;
    }
    if (c === "_") {
      if (saw !== "0") return false;
      saw = "_";
      continue;
    }
    if (saw === "_") return false;
    saw = "!";
  }
  return saw !== "_";
}

/** Go's strconv.ParseFloat for a decimal literal led by `.` (what go-yaml tries for such a scalar). */
function parseGoDotFloat(s: string): number | undefined {
  if (s.includes("_") && !underscoreOK(s)) return undefined;
  const plain = s.replace(/_/g, "");
  return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(plain) ? Number(plain) : undefined;
}

/** An explicit `!!int` as go-yaml reads it: Go's integer literal once every `_` is dropped, or undefined. */
export function goInt(s: string): number | undefined {
  const int = goIntExact(s);
  return int === undefined ? undefined : Number(int);
}

/** The exact value of a scalar go-yaml v3 reads as an integer (int64 or uint64), or undefined. */
export function goIntExact(s: string): bigint | undefined {
  return parseGoInt(s.replace(/_/g, ""));
}

/**
 * The number go-yaml v3 resolves a plain scalar to, or undefined where it is not a number to go-yaml (then
 * it is a string, a boolean, null, or a timestamp: see {@link goTimestamp}). `.inf`/`.nan` are left to the
 * YAML core schema, which reads them as go-yaml does.
 */
export function goNumber(s: string): number | undefined {
  const c = s[0];
  if (c === ".") return parseGoDotFloat(s);
  if (c !== "+" && c !== "-" && !(c !== undefined && c >= "0" && c <= "9")) return undefined;
  const plain = s.replace(/_/g, "");
  const int = parseGoInt(plain);
  if (int !== undefined) return Number(int);
  return YAML_STYLE_FLOAT.test(plain) ? Number(plain) : undefined;
}

const TIMESTAMP =
  /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:[Tt]|( ))([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:[.,]([0-9]+))?(Z|[-+][0-9]{2}:[0-9]{2})?)?$/;

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/**
 * What go-yaml v3 makes of a plain scalar that looks like a timestamp, as the JSON kustomize writes: the
 * RFC 3339 text (`2001-12-14T00:00:00Z`), `{ error }` where Go's time.Time cannot be written as JSON (an
 * offset of 24 hours or more: kubectl fails), or undefined where go-yaml does not read a timestamp (then the
 * text stays a string). The layouts are go-yaml's: `2006-1-2T15:4:5.999999999Z07:00` (also with `t`),
 * `2006-1-2 15:4:5.999999999` (UTC) and `2006-1-2` (UTC), with time.Parse's ranges.
 */
export function goTimestamp(s: string): string | { error: string } | undefined {
  const m = TIMESTAMP.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, space, h, mi, sec, frac, zone] = m;
  // the layout with `T` needs a zone; the one with a space takes none
  if (h !== undefined && (space ? zone !== undefined : zone === undefined)) return undefined;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12) return undefined;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  if (day < 1 || day > days) return undefined;
  const date = `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
  if (h === undefined) return `${date}T00:00:00Z`;
  const [hour, minute, second] = [Number(h), Number(mi), Number(sec)];
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  // nanoseconds: at most nine digits are read; trailing zeros are not written
  const nanos = (frac ?? "").slice(0, 9).replace(/0+$/, "");
  let offset = "Z";
  if (zone && zone !== "Z") {
    const zh = Number(zone.slice(1, 3));
    const zm = Number(zone.slice(4, 6));
    if (zh > 24 || zm > 60) return undefined; // time.Parse's range
    const total = zh * 60 + zm;
    if (Math.floor(total / 60) > 23)
      return { error: `its time zone offset ${zone} is 24 hours or more, which Go's time.Time cannot write as JSON` };
    if (total !== 0) offset = `${zone[0]}${pad(Math.floor(total / 60))}:${pad(total % 60)}`;
  }
  return `${date}T${pad(hour)}:${pad(minute)}:${pad(second)}${nanos ? `.${nanos}` : ""}${offset}`;
}

/** `!!binary` as go-yaml decodes it: base64 (line breaks ignored, padding required) to bytes, read as Go writes them to JSON. */
export function goBinary(s: string): string | undefined {
  const b64 = s.replace(/[\r\n]/g, "");
  if (b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) return undefined;
  return goJsonString(Buffer.from(b64, "base64"));
}

/** Bytes as Go's encoding/json writes them as a string: every byte of an invalid UTF-8 sequence is U+FFFD. */
function goJsonString(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  while (i < bytes.length) {
    const n = utf8SequenceLength(bytes, i);
    if (n === 0) {
      out += "\ufffd";
      i++;
    } else {
      out += Buffer.from(bytes.subarray(i, i + n)).toString("utf8");
      i += n;
    }
  }
  return out;
}

/** The length of the valid UTF-8 sequence at `i`, or 0 (Go's utf8.DecodeRune rules: no overlongs, no surrogates). */
function utf8SequenceLength(b: Uint8Array, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < b.length && b[i + k]! >= lo && b[i + k]! <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c >= 0xe1 && c <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/**
 * go-yaml v2's other words (YAML 1.1: `yes`, `on`, `y`, `no`, `off`, `n` and their spellings, besides true,
 * false and null's), as sigs.k8s.io/yaml reads a plain scalar: true, false, null, or undefined for any other
 * text.
 */
export function goYamlV2Word(s: string): boolean | null | undefined {
  return V2_WORDS.get(s);
}

const V2_WORDS = new Map<string, boolean | null>([
  ...["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"].map((w) => [w, true] as const),
  ...["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"].map((w) => [w, false] as const),
  ...["", "~", "null", "Null", "NULL"].map((w) => [w, null] as const),
]);

/**
 * A float64 as Go's `strconv.FormatFloat(f, 'g', -1, 64)` writes it, which is how go-yaml writes a number
 * that went through JSON (kustomize's JSON6902 patches, sigs.k8s.io/yaml's map keys): the shortest digits
 * that read back the same, with an exponent (at least two digits) when it is below -4 or 6 and above —
 * `1e+06`, `1.23456789e+08`, `1e-07`, `0.000123`, `16`.
 */
export function goFormatFloatG(f: number): string {
  if (Number.isNaN(f)) return "NaN";
  if (!Number.isFinite(f)) return f > 0 ? "+Inf" : "-Inf";
  if (f === 0) return Object.is(f, -0) ? "-0" : "0";
  // the shortest round-trip digits and the decimal exponent, from JavaScript's own shortest form
  const [mantissa, e] = Math.abs(f).toExponential().split("e") as [string, string];
  const digits = mantissa.replace(".", "");
  const exp = Number(e);
  const sign = f < 0 ? "-" : "";
  if (exp < -4 || exp >= 6) {
    const rest = digits.slice(1);
    const abs = Math.abs(exp);
    return `${sign}${digits[0]}${rest ? `.${rest}` : ""}e${exp < 0 ? "-" : "+"}${abs < 10 ? `0${abs}` : abs}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const whole = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
  const frac = digits.slice(exp + 1);
  return `${sign}${whole}${frac ? `.${frac}` : ""}`;
}
