/**
 * Semver tag selection for `ref: { semver, tagPrefix? }`, with the semantics Flux's source-controller has:
 * tags are parsed by fluxcd/pkg/version `ParseVersion` (three `.`-separated parts, then Masterminds
 * `NewVersion`, which coerces: `v`, leading zeros, missing minor or patch) and ranges by Masterminds
 * semver v3 `NewConstraint` / `Check` (v3.5.0); the winner is chosen as fluxcd/pkg git/gogit
 * `cloneSemVer` sorts (highest version, then newest commit). This is a re-implementation from those
 * rules (not npm `semver`, whose range semantics differ). Pure: no I/O, no clock.
 */
import { BraidError } from "../diagnostics/diagnostic.js";

/** A tag that may be pinned: its name, the commit it points to and that commit's committer time. */
export interface TagCandidate {
  tag: string;
  commit: string;
  /** Unix seconds. */
  commitTime: number;
}

/** Why a tag was taken or skipped, for `braid lock --explain`. */
export interface CandidateVerdict {
  tag: string;
  /** The parsed version, normalized (no `v`, no leading zeros), when the tag is a semver candidate. */
  version?: string;
  taken: boolean;
  reason: string;
}

/** The outcome of a semver pin: the chosen tag (if any) and one verdict per tag. */
export interface SemverSelection {
  selected?: TagCandidate & { version: string };
  verdicts: CandidateVerdict[];
}

/** A parsed version (Masterminds `Version`): numeric parts are uint64, hence bigint. */
export interface ParsedVersion {
  readonly major: bigint;
  readonly minor: bigint;
  readonly patch: bigint;
  /** Pre-release identifiers without the `-`, or "". */
  readonly prerelease: string;
  /** Build metadata without the `+`, or "". */
  readonly build: string;
  /** The text that was parsed. */
  readonly original: string;
}

/** A parsed semver range (Masterminds `Constraints`). */
export interface SemverRange {
  readonly raw: string;
  /** True when the version text (parsed leniently, like Masterminds `NewVersion`) satisfies the range. */
  test(version: string): boolean;
  /** True when the version satisfies the range (Masterminds `Constraints.Check`). */
  matches(version: ParsedVersion): boolean;
  /** True when the version is a pre-release that fails only because no matching AND-group admits pre-releases. */
  excludesPrerelease(version: ParsedVersion): boolean;
}

// ---------------------------------------------------------------------------------------------------------
// Versions

const UINT64_MAX = (1n << 64n) - 1n;
const IDENTS = "[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*";
/** Masterminds' lenient version grammar: `v`, optional minor and patch, leading zeros allowed. */
const LOOSE_VERSION = new RegExp(`^v?([0-9]+)(?:\\.([0-9]+))?(?:\\.([0-9]+))?(?:-(${IDENTS}))?(?:\\+(${IDENTS}))?$`);

function toUint64(digits: string | undefined): bigint | undefined {
  if (digits === undefined || digits === "") return 0n;
  const n = BigInt(digits);
  return n > UINT64_MAX ? undefined : n;
}

/** Numeric pre-release identifiers must not have leading zeros (build metadata may). */
function validPrerelease(pre: string): boolean {
  return pre.split(".").every((id) => id !== "" && !(/^[0-9]+$/.test(id) && id.length > 1 && id.startsWith("0")));
}

/**
 * Parses a version leniently, as Masterminds `NewVersion` does: `1`, `1.2`, `v1.2.3`, `01.2.3` are accepted.
 * Undefined when the text is not a version.
 */
export function parseLooseVersion(text: string): ParsedVersion | undefined {
  const m = LOOSE_VERSION.exec(text);
  if (!m) return undefined;
  const [major, minor, patch] = [toUint64(m[1]), toUint64(m[2]), toUint64(m[3])];
  if (major === undefined || minor === undefined || patch === undefined) return undefined;
  const prerelease = m[4] ?? "";
  if (prerelease !== "" && !validPrerelease(prerelease)) return undefined;
  return { major, minor, patch, prerelease, build: m[5] ?? "", original: text };
}

/**
 * Why fluxcd/pkg/version `ParseVersion` rejects a tag (undefined when it accepts it). ParseVersion splits
 * the whole tag on `.` into at most three parts and needs three (so at least two dots anywhere, the
 * pre-release and build included), then runs Masterminds `NewVersion`, which coerces (v3.5.0,
 * `CoerceNewVersion`): optional `v`, optional minor and patch, leading zeros in them accepted, then
 * `-pre.release` (numeric identifiers without leading zeros) and `+build`, numbers within uint64.
 */
function tagParseProblem(tag: string): string | undefined {
  if (tag.split(".").length < 3) return "invalid semantic version: fewer than three dot-separated parts";
  const m = LOOSE_VERSION.exec(tag);
  if (!m) return "invalid semantic version";
  if ([m[1], m[2], m[3]].some((d) => toUint64(d) === undefined)) {
    return "error parsing version segment: value out of range (uint64)";
  }
  if (m[4] !== undefined && !validPrerelease(m[4]))
    return "version segment starts with 0 (a numeric pre-release identifier)";
  return undefined;
}

/**
 * Parses a tag as Flux would (after prefix stripping); undefined when it is not a candidate (see
 * {@link tagParseProblem}): `v2025.01.15` is 2025.1.15, `1.2-rc.1.0` is 1.2.0-rc.1.0, `1.2+build.7` is
 * 1.2.0+build.7; `v1.2`, `1.2.3.4`, `V1.2.3` are not versions.
 */
export function parseTagVersion(tag: string): ParsedVersion | undefined {
  return tagParseProblem(tag) === undefined ? parseLooseVersion(tag) : undefined;
}

/** Normalized text of a version: `major.minor.patch[-pre][+build]`, without `v`. */
export function formatVersion(v: ParsedVersion): string {
  return `${v.major}.${v.minor}.${v.patch}${v.prerelease ? `-${v.prerelease}` : ""}${v.build ? `+${v.build}` : ""}`;
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const NUMERIC = /^[0-9]+$/;

/** One identifier of a pre-release: numbers (that fit uint64) sort before words, "" before anything. */
function compareIdentifier(s: string, o: string): number {
  if (s === o) return 0;
  if (s === "") return -1;
  if (o === "") return 1;
  const sn = NUMERIC.test(s) ? toUint64(s) : undefined;
  const on = NUMERIC.test(o) ? toUint64(o) : undefined;
  if (sn === undefined && on === undefined) return s > o ? 1 : -1;
  if (on === undefined) return -1;
  if (sn === undefined) return 1;
  return sn > on ? 1 : -1;
}

/** Compares dot-separated identifier lists (pre-release precedence; also used to order build metadata). */
function compareIdentifiers(a: string, b: string): number {
  const as = a.split(".");
  const bs = b.split(".");
  for (let i = 0; i < Math.max(as.length, bs.length); i++) {
    const d = compareIdentifier(as[i] ?? "", bs[i] ?? "");
    if (d !== 0) return d;
  }
  return 0;
}

/** Semver precedence (Masterminds `Compare`): -1, 0 or 1; build metadata is ignored. */
export function compareVersions(a: ParsedVersion, b: ParsedVersion): number {
  const d = cmp(a.major, b.major) || cmp(a.minor, b.minor) || cmp(a.patch, b.patch);
  if (d !== 0) return d;
  if (a.prerelease === b.prerelease) return 0;
  if (a.prerelease === "") return 1;
  if (b.prerelease === "") return -1;
  return compareIdentifiers(a.prerelease, b.prerelease);
}

// ---------------------------------------------------------------------------------------------------------
// Ranges

type Op = "" | "=" | "!=" | ">" | "<" | ">=" | "=>" | "<=" | "=<" | "~" | "~>" | "^";

/** One comparator; `dirty` when the version had wildcards or missing parts (e.g. `1.x`, `1.2`, `*`). */
interface Comparator {
  readonly op: Op;
  readonly con: ParsedVersion;
  readonly dirty: boolean;
  readonly minorDirty: boolean;
  readonly patchDirty: boolean;
}

// Go's \s is [\t\n\f\r ]; the wildcard class includes `|` exactly as Masterminds' does.
const WS = "[\\t\\n\\f\\r ]";
const OP = "(?:!=|>=|=>|<=|=<|~>|>|<|=|~|\\^|)";
const XPART = "[0-9|xX*]+";
const CV = `v?${XPART}(?:\\.${XPART})?(?:\\.${XPART})?(?:-${IDENTS})?(?:\\+${IDENTS})?`;
const HYPHEN_RANGE = new RegExp(`${WS}*(${CV})${WS}+-${WS}+(${CV})${WS}*`, "g");
const VALID_GROUP = new RegExp(`^${WS}*${OP}${WS}*${CV}${WS}*(?:(?:${WS}+|,${WS}*)${OP}${WS}*${CV}${WS}*)*$`);
const FIND_COMPARATOR = new RegExp(`${OP}${WS}*${CV}`, "g");
const COMPARATOR = new RegExp(
  `^${WS}*(${OP})${WS}*(v?(${XPART})(\\.${XPART})?(\\.${XPART})?(-${IDENTS})?(?:\\+${IDENTS})?)${WS}*$`,
);

const isX = (s: string): boolean => s === "x" || s === "X" || s === "*";

function rangeError(raw: string, detail: string): BraidError {
  return new BraidError({
    code: "SEMVER_RANGE",
    message: `invalid semver range ${JSON.stringify(raw)}: ${detail}`,
    hint: 'use Masterminds semver syntax, e.g. ">=1.2.0 <2.0.0", "^1.4", "~1.2.x", "1.2 - 1.4.5" or ">=1.0.0-0" for pre-releases',
  });
}

/** `A - B` becomes `>= A, <= B ` (text replacement of the first occurrence, as Masterminds does). */
function rewriteHyphenRanges(text: string): string {
  let out = text;
  for (const m of text.matchAll(HYPHEN_RANGE)) {
    const replacement = `>= ${m[1] ?? ""}, <= ${m[2] ?? ""} `;
    out = out.replace(m[0], () => replacement);
  }
  return out;
}

function parseComparator(text: string, raw: string): Comparator {
  const m = COMPARATOR.exec(text);
  if (!m) throw rangeError(raw, `improper constraint ${JSON.stringify(text.trim())}`);
  const [, op = "", whole = "", major = "", minorDot = "", patchDot = "", preDash = ""] = m;
  const minor = minorDot.slice(1);
  const patch = patchDot.slice(1);
  let ver = whole;
  let dirty = true;
  let minorDirty = false;
  let patchDirty = false;
  if (isX(major)) ver = `0.0.0${preDash}`;
  else if (isX(minor) || minor === "") [minorDirty, ver] = [true, `${major}.0.0${preDash}`];
  else if (isX(patch) || patch === "") [patchDirty, ver] = [true, `${major}${minorDot}.0${preDash}`];
  else dirty = false;
  const con = parseLooseVersion(ver);
  if (!con) throw rangeError(raw, `${JSON.stringify(whole)} is not a valid version`);
  return { op: op as Op, con, dirty, minorDirty, patchDirty };
}

function notEqual(v: ParsedVersion, c: Comparator): boolean {
  const k = c.con;
  if (c.dirty) {
    if (k.major !== v.major) return true;
    if (k.minor !== v.minor && !c.minorDirty) return true;
    if (c.minorDirty) return false;
    if (k.patch !== v.patch && !c.patchDirty) return true;
    if (c.patchDirty) {
      if (v.prerelease !== "" || k.prerelease !== "") return compareIdentifiers(v.prerelease, k.prerelease) !== 0;
      return false;
    }
  }
  return compareVersions(v, k) !== 0;
}

function greaterThan(v: ParsedVersion, c: Comparator): boolean {
  const k = c.con;
  if (c.dirty) {
    if (v.major !== k.major) return v.major > k.major;
    if (c.minorDirty) return false; // >1 needs 2.0.0 or more
    if (c.patchDirty) return v.minor > k.minor; // >1.1 needs 1.2.0 or more
  }
  return compareVersions(v, k) > 0;
}

function lessThanEqual(v: ParsedVersion, c: Comparator): boolean {
  const k = c.con;
  if (!c.dirty) return compareVersions(v, k) <= 0;
  if (v.major > k.major) return false;
  return !(v.major === k.major && v.minor > k.minor && !c.minorDirty);
}

function tilde(v: ParsedVersion, c: Comparator): boolean {
  const k = c.con;
  if (compareVersions(v, k) < 0) return false;
  if (k.major === 0n && k.minor === 0n && k.patch === 0n && !c.minorDirty && !c.patchDirty) return true;
  if (v.major !== k.major) return false;
  return v.minor === k.minor || c.minorDirty;
}

function caret(v: ParsedVersion, c: Comparator): boolean {
  const k = c.con;
  if (compareVersions(v, k) < 0) return false;
  if (k.major > 0n || c.minorDirty) return v.major === k.major;
  if (v.major > 0n) return false;
  if (k.minor > 0n || c.patchDirty) return v.minor === k.minor;
  if (v.minor > 0n) return false;
  return v.patch === k.patch;
}

function satisfies(v: ParsedVersion, c: Comparator, includePre: boolean): boolean {
  if (v.prerelease !== "" && !includePre) return false;
  switch (c.op) {
    case "":
    case "=":
      return c.dirty ? tilde(v, c) : compareVersions(v, c.con) === 0;
    case "!=":
      return notEqual(v, c);
    case ">":
      return greaterThan(v, c);
    case "<":
      return compareVersions(v, c.con) < 0;
    case ">=":
    case "=>":
      return compareVersions(v, c.con) >= 0;
    case "<=":
    case "=<":
      return lessThanEqual(v, c);
    case "~":
    case "~>":
      return tilde(v, c);
    case "^":
      return caret(v, c);
  }
}

interface AndGroup {
  readonly comparators: readonly Comparator[];
  /** Some comparator has a pre-release: then pre-releases of any version are eligible in this group. */
  readonly hasPre: boolean;
}

/** Parses a range; throws BraidError code SEMVER_RANGE with a clear message on a bad range. */
export function parseSemverRange(range: string): SemverRange {
  const groups: AndGroup[] = rewriteHyphenRanges(range)
    .split("||")
    .map((text) => {
      if (!VALID_GROUP.test(text)) throw rangeError(range, `improper constraint ${JSON.stringify(text.trim())}`);
      const comparators = [...text.matchAll(FIND_COMPARATOR)].map((m) => parseComparator(m[0], range));
      return { comparators, hasPre: comparators.some((c) => c.con.prerelease !== "") };
    });
  const check = (v: ParsedVersion, includeAllPre: boolean): boolean =>
    groups.some((g) => g.comparators.every((c) => satisfies(v, c, includeAllPre || g.hasPre)));
  return {
    raw: range,
    test: (version) => {
      const v = parseLooseVersion(version);
      return v !== undefined && check(v, false);
    },
    matches: (v) => check(v, false),
    excludesPrerelease: (v) => v.prerelease !== "" && !check(v, false) && check(v, true),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Selection

interface Matched {
  readonly candidate: TagCandidate;
  readonly version: ParsedVersion;
}

/**
 * Best first: highest precedence; on equal precedence (build metadata only) the newest commit, as Flux.
 * Flux leaves a tie in commit time to map order; here: higher build metadata, then tag name, then commit.
 */
function compareMatched(a: Matched, b: Matched): number {
  return (
    compareVersions(b.version, a.version) ||
    b.candidate.commitTime - a.candidate.commitTime ||
    compareIdentifiers(b.version.build, a.version.build) ||
    byCodeUnit(a.candidate.tag, b.candidate.tag) ||
    byCodeUnit(a.candidate.commit, b.candidate.commit)
  );
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function loserReason(m: Matched, winner: Matched): string {
  if (compareVersions(m.version, winner.version) !== 0) return `lower than ${winner.candidate.tag}`;
  if (m.candidate.commitTime !== winner.candidate.commitTime) {
    return `same version as ${winner.candidate.tag}, whose commit is newer`;
  }
  // Flux sorts equal versions by commit time only; a tie there is left to Go's map order (not reproducible)
  return `same version and commit time as ${winner.candidate.tag}, which wins the tie (build metadata, then name; Flux's choice here depends on Go map order)`;
}

/** Picks the tag for a semver pin, with a verdict per candidate (sorted deterministically: taken first, then by version desc, then name). */
export function selectSemverTag(tags: readonly TagCandidate[], range: string, tagPrefix?: string): SemverSelection {
  const parsedRange = parseSemverRange(range);
  const prefix = tagPrefix ?? "";
  const verdicts: (CandidateVerdict & { parsed?: ParsedVersion })[] = [];
  const matched: Matched[] = [];
  for (const candidate of tags) {
    const { tag } = candidate;
    if (!tag.startsWith(prefix)) {
      verdicts.push({ tag, taken: false, reason: `does not start with tagPrefix ${JSON.stringify(prefix)}` });
      continue;
    }
    const parsed = parseTagVersion(tag.slice(prefix.length));
    if (!parsed) {
      const problem = tagParseProblem(tag.slice(prefix.length)) ?? "invalid semantic version";
      verdicts.push({ tag, taken: false, reason: `not a version (Flux's ParseVersion: ${problem})` });
      continue;
    }
    const version = formatVersion(parsed);
    if (parsedRange.matches(parsed)) {
      matched.push({ candidate, version: parsed });
      continue;
    }
    const reason = parsedRange.excludesPrerelease(parsed)
      ? "pre-release excluded by the range"
      : `does not satisfy ${range}`;
    verdicts.push({ tag, version, parsed, taken: false, reason });
  }
  matched.sort(compareMatched);
  const winner = matched[0];
  for (const m of matched) {
    const taken = m === winner;
    const reason = taken || !winner ? "selected" : loserReason(m, winner);
    verdicts.push({ tag: m.candidate.tag, version: formatVersion(m.version), parsed: m.version, taken, reason });
  }
  verdicts.sort(
    (a, b) =>
      Number(b.taken) - Number(a.taken) ||
      (a.parsed && b.parsed ? compareVersions(b.parsed, a.parsed) : Number(!!b.parsed) - Number(!!a.parsed)) ||
      byCodeUnit(a.tag, b.tag),
  );
  const selection: SemverSelection = {
    verdicts: verdicts.map(({ parsed: _parsed, ...v }) => v),
  };
  if (winner) selection.selected = { ...winner.candidate, version: formatVersion(winner.version) };
  return selection;
}
