import { describe, expect, it } from "vitest";
import { BraidError } from "../diagnostics/diagnostic.js";
import {
  compareVersions,
  formatVersion,
  parseLooseVersion,
  parseSemverRange,
  parseTagVersion,
  selectSemverTag,
  type TagCandidate,
} from "./semver.js";

describe("parseTagVersion (fluxcd/pkg/version ParseVersion)", () => {
  const cases: [tag: string, expected: string | undefined][] = [
    ["1.2.3", "1.2.3"],
    ["v1.2.3", "1.2.3"],
    ["V1.2.3", undefined], // only a lowercase v is allowed
    ["1.2", undefined], // two parts: skipped
    ["v1.2", undefined],
    ["1", undefined],
    ["1.2.3.4", undefined], // four parts: skipped
    ["1.2.3-rc.1+build.5", "1.2.3-rc.1+build.5"],
    ["1.2.3+build", "1.2.3+build"],
    // ParseVersion: three `.` parts, then Masterminds NewVersion, which coerces leading zeros
    ["01.2.3", "1.2.3"],
    ["1.02.3", "1.2.3"],
    ["1.2.03", "1.2.3"],
    ["v01.4.0", "1.4.0"],
    ["2025.02.03-rc.1", "2025.2.3-rc.1"],
    ["v2025.01.15", "2025.1.15"],
    ["00.00.00", "0.0.0"],
    ["0.0.0", "0.0.0"],
    ["10.20.30", "10.20.30"],
    ["1.2.3-01", undefined], // numeric pre-release identifier with a leading zero
    ["1.2.3-rc.01", undefined],
    ["1.2.3-0a", "1.2.3-0a"], // alphanumeric identifier may start with 0
    ["1.2.3+001", "1.2.3+001"], // build metadata may have leading zeros
    ["1.2.3-rc-1", "1.2.3-rc-1"],
    // the three parts are counted on the whole tag, then the loose grammar lets minor/patch be missing
    ["1.2-rc.1", "1.2.0-rc.1"],
    ["1.2-rc.1.0", "1.2.0-rc.1.0"],
    ["1.2+b.1", "1.2.0+b.1"],
    ["1.2+build.7", "1.2.0+build.7"],
    ["1-a.b", undefined], // "1-a", "b": two parts
    ["1-a.b.c", "1.0.0-a.b.c"],
    ["v1+x.y", undefined],
    ["v1+x.y.z", "1.0.0+x.y.z"],
    ["1.2-rc1", undefined], // only two parts
    ["1-rc.01.x", undefined], // numeric pre-release identifier with a leading zero
    ["1.2.3-rc.1_x", undefined], // "_" is not allowed in identifiers
    ["1.2.3+b_1", undefined],
    ["1..3", undefined],
    ["1.2.3-", undefined],
    ["1.2.3-rc..1", undefined],
    ["1.2.3+", undefined],
    ["1.2.x", undefined],
    ["", undefined],
    ["latest", undefined],
    ["release-1.2.3", undefined],
    ["monitoring/v1.2.3", undefined],
    [" 1.2.3", undefined],
    ["1.2.3 ", undefined],
    ["18446744073709551615.0.0", "18446744073709551615.0.0"], // uint64 max
    ["18446744073709551616.0.0", undefined], // overflows uint64
  ];
  it.each(cases)("%j -> %j", (tag, expected) => {
    const v = parseTagVersion(tag);
    expect(v === undefined ? undefined : formatVersion(v)).toBe(expected);
  });

  it("keeps the original text", () => {
    expect(parseTagVersion("v1.2.3-rc.1")?.original).toBe("v1.2.3-rc.1");
  });
});

describe("parseLooseVersion (Masterminds NewVersion)", () => {
  it.each([
    ["1", "1.0.0"],
    ["1.4", "1.4.0"],
    ["v2", "2.0.0"],
    ["1.2-beta", "1.2.0-beta"],
  ])("%j -> %j", (text, expected) => {
    expect(formatVersion(parseLooseVersion(text)!)).toBe(expected);
  });
  it.each(["", "x", "1.x", "a.b.c", "1.2.3.4"])("rejects %j", (text) => {
    expect(parseLooseVersion(text)).toBeUndefined();
  });
});

describe("compareVersions (Masterminds Compare)", () => {
  const ordered = [
    "0.0.1",
    "0.1.0",
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.beta",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11", // numeric identifiers compare as numbers
    "1.0.0-rc.1",
    "1.0.0",
    "1.0.1",
    "1.10.0",
    "2.0.0",
    "10.0.0",
    "18446744073709551615.0.0",
  ];
  it("orders the semver.org precedence example", () => {
    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++) {
        const a = parseLooseVersion(ordered[i]!)!;
        const b = parseLooseVersion(ordered[j]!)!;
        expect(compareVersions(a, b), `${ordered[i]} vs ${ordered[j]}`).toBe(Math.sign(i - j));
      }
    }
  });
  it.each([
    ["1.0.0+a", "1.0.0+b", 0], // build metadata is ignored
    ["v1.0.0", "1.0.0", 0],
    ["1.0.0-1", "1.0.0-a", -1], // numbers before words
    ["1.0.0-a-b", "1.0.0-a", 1], // plain string comparison for words
    // Masterminds: an identifier too big for uint64 is compared as a word, so it is above any number.
    ["1.0.0-18446744073709551616", "1.0.0-2", 1],
    ["1.0.0-18446744073709551616", "1.0.0-a", -1],
  ])("%s vs %s = %d", (a, b, expected) => {
    expect(compareVersions(parseLooseVersion(a)!, parseLooseVersion(b)!)).toBe(expected);
  });
});

// [constraint, version, expected] — Masterminds v3 Constraints.Check semantics.
const CHECKS: [string, string, boolean][] = [
  // wildcards and equality
  ["*", "1.2.3", true],
  ["*", "0.0.0", true],
  ["*", "1.2.3-alpha", false],
  ["x", "4.5.6", true],
  ["X.x.x", "4.5.6", true],
  ["1.2.3", "1.2.3", true],
  ["1.2.3", "1.2.4", false],
  ["=1.2.3", "v1.2.3", true],
  ["= 1.2.3", "1.2.3+build", true], // build metadata ignored
  ["1.2.3+build", "1.2.3", true],
  ["v1.2.3", "1.2.3", true],
  ["01.2.3", "1.2.3", true], // leading zeros coerced in constraints too
  ["1.2", "1.2.0", true], // a partial version is a tilde range
  ["1.2", "1.2.9", true],
  ["1.2", "1.3.0", false],
  ["= 2.0", "2.0.5", true],
  ["= 2.0", "1.2.3", false],
  ["1", "1.9.9", true],
  ["1", "2.0.0", false],
  ["1.x", "1.4.0", true],
  ["1.x", "0.9.0", false],
  ["1.2.x", "1.2.7", true],
  ["1.2.x", "1.3.0", false],
  ["1.x.5", "1.0.0", true], // the patch after a wildcard is ignored
  ["0.0.0", "0.0.0", true],
  ["0.0.0", "1.2.3", false],
  ["0.x.x", "1.2.3", false],
  ["0.0.x", "0.0.4", true],
  ["0.0.x", "0.1.0", false],
  // !=
  ["!=1.2.3", "1.2.3", false],
  ["!=1.2.3", "1.2.4", true],
  ["!=4.1", "4.1.0", false],
  ["!=4.1", "4.1.5", false],
  ["!=4.1", "4.2.0", true],
  ["!=4.1", "5.1.0", true],
  ["!=4.x", "4.1.0", false],
  ["!=4.x", "5.1.0", true],
  ["!=4.1.x", "4.2.0", true],
  ["!=4.2.x", "4.2.3", false],
  ["!=4.1-alpha", "4.1.0-alpha", false],
  ["!=4.1-alpha", "4.1.1-alpha", false],
  ["!=4.1-alpha", "4.1.0", true],
  ["!=1.2.3", "1.2.4-beta", false], // pre-releases excluded: no comparator has one
  // Masterminds quirk: `!=*` is `!=0.0.0`, not "nothing".
  ["!=*", "1.0.0", true],
  ["!=*", "0.0.0", false],
  // >
  [">1.2.3", "1.2.4", true],
  [">1.2.3", "1.2.3", false],
  [">1.1", "1.1.9", false], // >1.1 needs 1.2.0 or more
  [">1.1", "1.2.0", true],
  [">1.1", "4.1.0", true],
  [">1", "1.9.9", false], // >1 needs 2.0.0 or more
  [">1", "2.0.0", true],
  [">1.x", "1.5.0", false],
  [">*", "0.0.1", true],
  [">*", "0.0.0", false],
  [">1.1", "4.1.0-beta", false],
  // <
  ["<1.2.3", "1.2.2", true],
  ["<1.2.3", "1.2.3", false],
  ["<1.1", "1.0.9", true],
  ["<1.1", "1.1.0", false],
  ["<1.x", "0.9.9", true],
  ["<1.x", "1.0.0", false],
  ["<1.1.x", "1.1.0", false],
  ["<1.1.x", "1.0.500", true],
  ["<1.1", "0.1.0-alpha", false],
  ["<*", "0.0.0", false],
  // >= and =>
  [">=1.1", "1.1.0", true],
  [">=1.1", "1.0.9", false],
  ["=>1.1", "1.1.0", true],
  [">= 1.1", "4.1.0", true],
  [">=1.1", "4.1.0-beta", false],
  [">=*", "9.9.9", true],
  // <= and =<
  ["<=1.1", "1.1.0", true],
  ["<=1.1", "1.1.9", true], // Masterminds: <=1.1 means any 1.1.x
  ["<=1.1", "1.2.0", false],
  ["<=1.1", "0.9.0", true],
  ["=<1.1", "1.1.9", true],
  ["<=1.2.3", "1.2.3", true],
  ["<=1.2.3", "1.2.4", false],
  ["<=1.x", "1.9.0", true],
  ["<=1.x", "2.0.0", false],
  ["<=4.5", "3.7.0", true],
  ["<=4.5", "4.6.3", false],
  ["<=1.1", "0.1.0-alpha", false],
  ["<=1.1-a", "0.1.0-alpha", true],
  // Masterminds quirk: `<=*` is only 0.0.x (the wildcard becomes 0.0.0 with patch-level slack).
  ["<=*", "0.0.9", true],
  ["<=*", "0.1.0", false],
  ["<=*", "1.0.0", false],
  // ~ and ~>
  ["~1.2.3", "1.2.3", true],
  ["~1.2.3", "1.2.9", true],
  ["~1.2.3", "1.2.2", false],
  ["~1.2.3", "1.3.0", false],
  ["~>1.2.3", "1.2.9", true],
  ["~>1.2.3", "1.3.0", false],
  ["~1.2", "1.2.0", true],
  ["~1.2", "1.3.0", false],
  ["~1", "1.9.0", true],
  ["~1", "2.0.0", false],
  ["~1.x", "1.3.5", true],
  ["~1.x", "2.1.1", false],
  ["~0", "0.9.0", true],
  ["~0", "1.0.0", false],
  ["~0.0", "0.0.9", true],
  ["~0.0", "0.1.0", false],
  ["~0.0.0", "5.0.0", true], // special case: ~0.0.0 is any
  ["~*", "2.1.1", true],
  ["~1.1", "1.1.1-alpha", false],
  ["~1.1-alpha", "1.1.1-beta", true],
  ["~1.1.1-beta", "1.1.1-alpha", false],
  ["~1.1.1-beta", "1.1.1", true],
  // ^
  ["^1.2.3", "1.2.3", true],
  ["^1.2.3", "1.9.0", true],
  ["^1.2.3", "2.0.0", false],
  ["^1.2.3", "1.2.2", false],
  ["^1.2", "1.2.0", true],
  ["^1.2", "1.99.0", true],
  ["^1.2", "1.1.9", false],
  ["^1", "1.0.0", true],
  ["^1", "2.0.0", false],
  ["^1.x", "1.1.1", true],
  ["^1.x", "2.1.1", false],
  ["^1.x", "1.1.1-beta1", false],
  ["^0.2.3", "0.2.3", true],
  ["^0.2.3", "0.2.9", true],
  ["^0.2.3", "0.3.0", false],
  ["^0.2.3", "0.2.2", false],
  ["^0.2", "0.2.5", true],
  ["^0.2", "0.3.0", false],
  ["^0.0.3", "0.0.3", true],
  ["^0.0.3", "0.0.4", false],
  ["^0.0", "0.0.3", true],
  ["^0.0", "0.1.0", false],
  ["^0", "0.9.9", true],
  ["^0", "1.0.0", false],
  ["^0.0.0", "0.0.0", true],
  ["^0.0.0", "0.0.1", false],
  ["^1.1.2-alpha", "1.2.1-beta1", true],
  ["^1.2.x-alpha", "1.1.1-beta1", false],
  ["^0.2.3-beta.2", "0.2.3-beta.4", true],
  ["^0.2.3-beta.2", "0.2.4-beta.2", true],
  ["^0.2.3-beta.2", "0.3.4-beta.2", false],
  // Masterminds quirk: `^*` becomes ^0.0.0, so it matches only 0.0.0 (npm: any version).
  ["^*", "0.0.0", true],
  ["^*", "1.2.3", false],
  ["^*", "0.1.0", false],
  // AND groups: comma or spaces
  [">1.1, <2", "1.1.1", false],
  [">1.1, <2", "1.2.1", true],
  [">1.1 <2", "1.2.1", true],
  [">1.1    <3", "4.3.2", false],
  [">= 1.1, <     2, !=1.2.3", "1.2.3", false],
  [">= 1.1, <     2, !=1.2.3", "1.2.4", true],
  [">=1.1 , <2", "1.5.0", true],
  ["12.3.34 ~1.2.3", "1.2.3", false], // both must hold
  // OR groups
  [">=1.1 <2 !=1.2.3 || > 3", "4.1.2", true],
  [">=1.1 <2 !=1.2.3 || > 3", "3.1.2", false], // >3 needs 4.0.0
  [">=1.1 <2 !=1.2.3 || >= 3", "3.0.0", true],
  [">=1.1 <2 !=1.2.3 || > 3", "1.2.3", false],
  ["1.x || >=3.0.0", "2.5.0", false],
  ["1.x || >=3.0.0", "1.5.0", true],
  ["1.x||>=3.0.0", "3.0.0", true],
  // hyphen ranges: `A - B` is `>= A, <= B` (with B's partial-version <= semantics)
  ["1.2 - 1.4.5", "1.2.0", true],
  ["1.2 - 1.4.5", "1.4.5", true],
  ["1.2 - 1.4.5", "1.4.6", false],
  ["1.2 - 1.4.5", "1.1.9", false],
  ["1.1 - 2", "2.9.9", true], // <= 2 is any 2.x
  ["1.1 - 2", "3.0.0", false],
  ["1.5.0 - 4.5", "4.5.9", true],
  ["1.0.0 - 2.0.0 <=1.5.0", "1.6.0", false],
  ["1.0.0 - 2.0.0, <=2.0.0", "1.5.0", true],
  ["3 - 4 || 6", "6.1.0", true],
  ["3 - 4 || 6", "5.0.0", false],
  ["1.1-3", "1.1.5", true], // no spaces: not a range, but the partial pre-release 1.1.0-3 (a tilde range)
  ["1.1-3", "4.3.2", false],
  ["1.1-3", "1.1.0-5", true],
  // pre-releases: any comparator with a pre-release makes every pre-release eligible in its AND-group
  [">=1.0.0-0", "1.0.0-alpha", true],
  [">=1.0.0-0", "3.4.0-rc.1", true], // npm: false (it only admits pre-releases of 1.0.0)
  [">=1.0.0-0 <2.0.0", "1.5.0-beta", true], // npm: false
  [">=1.0.0-0 <2.0.0", "2.0.0-rc.1", true], // 2.0.0-rc.1 < 2.0.0
  [">=1.0.0-0 <2.0.0", "2.0.0", false],
  [">= 1.0.0  <= 2.0.0-beta", "1.0.1-beta", true],
  [">= 1.0.0  <= 2.0.0-beta || > 3", "3.0.1-beta", false], // the >3 group has no pre-release
  [">= 1.0.0  <= 2.0.0-beta != 1.0.1-beta || > 3", "1.0.1-beta", false],
  ["~1.2.3-beta", "1.2.9-alpha", true], // npm: false
  ["*-0", "1.2.3-alpha", true],
  ["*-0", "1.2.3", true],
  ["1.0.0-0 - 2", "1.5.0-rc.1", true],
  [">=1.0.0", "1.5.0-rc.1", false],
  ["1.2.3-rc.1", "1.2.3-rc.1", true],
  ["1.2.3-rc.1", "1.2.3-rc.2", false],
];

describe("parseSemverRange / test (Masterminds Constraints.Check)", () => {
  it.each(CHECKS)("%j ∋ %j is %s", (range, version, expected) => {
    expect(parseSemverRange(range).test(version)).toBe(expected);
  });

  it("keeps the raw text", () => {
    expect(parseSemverRange(">= 1.0 <2").raw).toBe(">= 1.0 <2");
  });

  it("test() rejects text that is not a version", () => {
    expect(parseSemverRange("*").test("latest")).toBe(false);
  });

  it("excludesPrerelease tells a pre-release skipped for being one from one out of range", () => {
    const r = parseSemverRange(">=1.0.0 <2.0.0");
    expect(r.excludesPrerelease(parseLooseVersion("1.5.0-rc.1")!)).toBe(true);
    expect(r.excludesPrerelease(parseLooseVersion("3.0.0-rc.1")!)).toBe(false);
    expect(r.excludesPrerelease(parseLooseVersion("1.5.0")!)).toBe(false);
    expect(parseSemverRange(">=1.0.0-0").excludesPrerelease(parseLooseVersion("1.5.0-rc.1")!)).toBe(false);
  });
});

describe("parseSemverRange errors", () => {
  const bad = [
    "", // Masterminds NewConstraint rejects an empty range (only its internal parser treats "" as *)
    "   ",
    "||",
    ">=1.0.0 ||",
    "|| 1.0.0",
    ">= bar",
    "BAR >= 1.2.3",
    "latest",
    "1.2.3.4",
    "12.3.4.1234",
    "12.3.34~ 1.2.3",
    "v1.2.3-beta.01", // numeric pre-release identifier with a leading zero
    ">=1.0.0 <2.0.0 ,",
    "1.2.3,,1.3",
    ">=1.2.3<2", // comparators need a separator
    "==1.2.3",
    ">>1",
    "~=1.2",
    "1x", // passes the grammar, but is not a version
    "1.2.3 - ",
    "18446744073709551616.0.0",
    "^1.2.3 && <2",
  ];
  it.each(bad)("rejects %j with SEMVER_RANGE", (range) => {
    let caught: unknown;
    try {
      parseSemverRange(range);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(BraidError);
    expect((caught as BraidError).code).toBe("SEMVER_RANGE");
    expect((caught as BraidError).message).toContain(JSON.stringify(range));
  });

  it.each(["=>1.0", "=<1.0", "~>1.0", " >= 1.0 ", ">=1.0,<2", "1 2", "3 - 4 || => 3.0, < 4", "v1.2.3-0abc"])(
    "accepts %j",
    (range) => {
      expect(() => parseSemverRange(range)).not.toThrow();
    },
  );
});

const T = (tag: string, commitTime = 1_700_000_000, commit = `c-${tag}`): TagCandidate => ({ tag, commit, commitTime });

describe("selectSemverTag", () => {
  it("skips noise tags and picks the highest match", () => {
    const tags = ["latest", "release-1", "v1.2", "1.2.3.4", "V1.3.0", "v1.2.3", "v1.4.0", "2.0.0", "v0.9.0"].map((t) =>
      T(t),
    );
    const s = selectSemverTag(tags, ">=1.0.0 <2.0.0");
    expect(s.selected).toEqual({ tag: "v1.4.0", commit: "c-v1.4.0", commitTime: 1_700_000_000, version: "1.4.0" });
    expect(s.verdicts).toEqual([
      { tag: "v1.4.0", version: "1.4.0", taken: true, reason: "selected" },
      { tag: "2.0.0", version: "2.0.0", taken: false, reason: "does not satisfy >=1.0.0 <2.0.0" },
      { tag: "v1.2.3", version: "1.2.3", taken: false, reason: "lower than v1.4.0" },
      { tag: "v0.9.0", version: "0.9.0", taken: false, reason: "does not satisfy >=1.0.0 <2.0.0" },
      { tag: "1.2.3.4", taken: false, reason: "not a version (Flux's ParseVersion: invalid semantic version)" },
      { tag: "V1.3.0", taken: false, reason: "not a version (Flux's ParseVersion: invalid semantic version)" }, // names in code-unit order
      {
        tag: "latest",
        taken: false,
        reason: "not a version (Flux's ParseVersion: invalid semantic version: fewer than three dot-separated parts)",
      },
      {
        tag: "release-1",
        taken: false,
        reason: "not a version (Flux's ParseVersion: invalid semantic version: fewer than three dot-separated parts)",
      },
      {
        tag: "v1.2",
        taken: false,
        reason: "not a version (Flux's ParseVersion: invalid semantic version: fewer than three dot-separated parts)",
      },
    ]);
  });

  it("takes a tag with leading zeros, as Flux does (ParseVersion coerces)", () => {
    const s = selectSemverTag([T("v2025.01.15"), T("v2025.1.14"), T("v1.9.0")], ">=1.0.0");
    expect(s.selected?.tag).toBe("v2025.01.15");
    expect(s.verdicts.map((v) => [v.tag, v.version, v.reason])).toEqual([
      ["v2025.01.15", "2025.1.15", "selected"],
      ["v2025.1.14", "2025.1.14", "lower than v2025.01.15"],
      ["v1.9.0", "1.9.0", "lower than v2025.01.15"],
    ]);
  });

  describe("ties in precedence (build metadata only)", () => {
    it("go to the newest commit", () => {
      const tags = [T("1.0.0+b", 100), T("1.0.0+a", 200), T("0.9.0", 300)];
      const s = selectSemverTag(tags, "*");
      expect(s.selected?.tag).toBe("1.0.0+a");
      expect(s.verdicts.find((v) => v.tag === "1.0.0+b")?.reason).toBe(
        "same version as 1.0.0+a, whose commit is newer",
      );
    });
    it("do not depend on input order", () => {
      const tags = [T("1.0.0+a", 200), T("1.0.0+b", 100)];
      expect(selectSemverTag(tags, "*").selected?.tag).toBe("1.0.0+a");
      expect(selectSemverTag([...tags].reverse(), "*").selected?.tag).toBe("1.0.0+a");
    });
    it("with equal commit times go to the higher build metadata (numeric-aware), then the tag name", () => {
      const tags = [T("1.0.0+build.9"), T("1.0.0+build.10"), T("1.0.0")];
      for (const order of [tags, [...tags].reverse()]) {
        const s = selectSemverTag(order, "1.0.0");
        expect(s.selected?.tag).toBe("1.0.0+build.10");
        expect(s.verdicts.map((v) => v.tag)).toEqual(["1.0.0+build.10", "1.0.0", "1.0.0+build.9"]);
        expect(s.verdicts[1]?.reason).toMatch(/^same version and commit time as 1\.0\.0\+build\.10/);
      }
      const same = [T("v1.0.0+x"), T("1.0.0+x")];
      expect(selectSemverTag(same, "1.0.0").selected?.tag).toBe("1.0.0+x");
      expect(selectSemverTag([...same].reverse(), "1.0.0").selected?.tag).toBe("1.0.0+x");
    });
    it("a higher version wins over a newer commit", () => {
      const s = selectSemverTag([T("1.0.1", 1), T("1.0.0+new", 999)], "1.0.x");
      expect(s.selected?.tag).toBe("1.0.1");
    });
  });

  describe("pre-releases", () => {
    const tags = [T("v1.0.0"), T("v1.1.0-rc.1"), T("v2.0.0-beta.1")];
    it("are excluded when no comparator has a pre-release", () => {
      const s = selectSemverTag(tags, ">=1.0.0");
      expect(s.selected?.tag).toBe("v1.0.0");
      expect(s.verdicts.find((v) => v.tag === "v1.1.0-rc.1")).toEqual({
        tag: "v1.1.0-rc.1",
        version: "1.1.0-rc.1",
        taken: false,
        reason: "pre-release excluded by the range",
      });
    });
    it("of any version are eligible when a comparator has one", () => {
      expect(selectSemverTag(tags, ">=1.0.0-0").selected?.tag).toBe("v2.0.0-beta.1");
      // npm would refuse 2.0.0-beta.1 here (its pre-release tuple differs from 1.0.0-0's).
      expect(selectSemverTag(tags, ">=1.0.0-0 <2.0.0").selected?.tag).toBe("v2.0.0-beta.1");
      expect(selectSemverTag(tags, ">=1.0.0-0 <2.0.0-0").selected?.tag).toBe("v1.1.0-rc.1");
    });
    it("lose to the release of the same version", () => {
      const s = selectSemverTag([T("1.0.0-rc.1", 999), T("1.0.0", 1)], ">=1.0.0-0");
      expect(s.selected?.tag).toBe("1.0.0");
    });
    it("a pre-release out of range is reported as not satisfying", () => {
      const s = selectSemverTag([T("3.0.0-rc.1")], ">=1.0.0 <2.0.0");
      expect(s.verdicts[0]?.reason).toBe("does not satisfy >=1.0.0 <2.0.0");
    });
  });

  it("uses tagPrefix to select and strip", () => {
    const tags = [
      T("monitoring/v1.2.0"),
      T("monitoring/v1.3.0"),
      T("logging/v9.0.0"),
      T("v5.0.0"),
      T("monitoring/latest"),
    ];
    const s = selectSemverTag(tags, "^1.0.0", "monitoring/");
    expect(s.selected).toMatchObject({ tag: "monitoring/v1.3.0", version: "1.3.0" });
    expect(s.verdicts).toEqual([
      { tag: "monitoring/v1.3.0", version: "1.3.0", taken: true, reason: "selected" },
      { tag: "monitoring/v1.2.0", version: "1.2.0", taken: false, reason: "lower than monitoring/v1.3.0" },
      { tag: "logging/v9.0.0", taken: false, reason: 'does not start with tagPrefix "monitoring/"' },
      {
        tag: "monitoring/latest",
        taken: false,
        reason: "not a version (Flux's ParseVersion: invalid semantic version: fewer than three dot-separated parts)",
      },
      { tag: "v5.0.0", taken: false, reason: 'does not start with tagPrefix "monitoring/"' },
    ]);
  });

  it("without tagPrefix, prefixed tags are not candidates", () => {
    expect(selectSemverTag([T("monitoring/v1.2.0")], "*").selected).toBeUndefined();
  });

  it("supports OR groups", () => {
    const tags = [T("1.5.0"), T("2.5.0"), T("3.1.0"), T("4.0.0")];
    expect(selectSemverTag(tags, "1.x || ~3.0").selected?.tag).toBe("1.5.0");
    expect(selectSemverTag(tags, "1.x || ~3.1").selected?.tag).toBe("3.1.0");
    expect(selectSemverTag(tags, "<2 || >=4").selected?.tag).toBe("4.0.0");
  });

  it("supports hyphen ranges", () => {
    const tags = [T("1.1.9"), T("1.4.5"), T("1.4.6"), T("1.2.0")];
    expect(selectSemverTag(tags, "1.2 - 1.4.5").selected?.tag).toBe("1.4.5");
    expect(selectSemverTag(tags, "1.2 - 1.4").selected?.tag).toBe("1.4.6"); // <= 1.4 is any 1.4.x
  });

  it("returns no selection when nothing matches", () => {
    const s = selectSemverTag([T("v1.0.0"), T("junk")], ">=2");
    expect(s.selected).toBeUndefined();
    expect(s.verdicts.every((v) => !v.taken)).toBe(true);
    expect(s.verdicts.map((v) => v.tag)).toEqual(["v1.0.0", "junk"]);
    expect(selectSemverTag([], "*")).toEqual({ verdicts: [] });
  });

  it("throws SEMVER_RANGE on an invalid range even without tags", () => {
    expect(() => selectSemverTag([], ">= bar")).toThrow(BraidError);
    try {
      selectSemverTag([T("1.0.0")], "1.2.3.4");
    } catch (e) {
      expect((e as BraidError).code).toBe("SEMVER_RANGE");
    }
    expect.assertions(2);
  });
});

/**
 * Tag sets with the tag Flux checks out, each derived by hand from the Go code: fluxcd/pkg version.go
 * ParseVersion (strings.SplitN(tag, ".", 3) must give three parts, then Masterminds NewVersion, which
 * coerces: looseVersionRegex, ParseUint per segment, validatePrerelease), Constraints.Check, and
 * git/gogit cloneSemVer (sort.SliceStable by LessThan, equal versions by commit time; the last wins).
 * `tag@time` sets the commit time; `null` is Flux's "no match found for semver".
 */
describe("selectSemverTag picks what Flux's cloneSemVer checks out", () => {
  const sets: [range: string, tags: string[], flux: string | null, why: string][] = [
    [">=1.0.0", ["v2025.01.15", "v1.9.0"], "v2025.01.15", "leading zeros coerced: 2025.1.15"],
    [
      ">=1.0.0",
      ["1.2-rc.1.0", "1.1.0"],
      "1.1.0",
      "1.2.0-rc.1.0 parses (three parts on the whole tag) but is a pre-release",
    ],
    [">=1.2.0-0", ["1.2-rc.1.0", "1.1.0"], "1.2-rc.1.0", "pre-releases admitted: rc.1.0 > 0 (word > number)"],
    [">=1.2.0-rc.1", ["1.2-rc.1.0", "1.2.0-rc.1"], "1.2-rc.1.0", "rc.1.0 > rc.1 (more identifiers)"],
    ["^1.0.0", ["1.2+build.7", "1.1.9"], "1.2+build.7", "1.2.0+build.7"],
    ["*", ["v1.2", "1.2.3.4", "latest", "V1.0.0"], null, "two parts; four parts; no parts; capital V"],
    ["1.x", ["01.02.03", "1.2.2"], "01.02.03", "1.2.3 > 1.2.2"],
    [">=1.0.0", ["v1.0.0@100", "1.0.0@200"], "1.0.0", "equal versions: the newer commit"],
    [">=1.0.0", ["v1.0.0@300", "1.0.0@200"], "v1.0.0", "equal versions: the newer commit"],
    ["*", ["1.0.0+a@100", "1.0.0+b@50", "0.9.0@999"], "1.0.0+a", "build metadata is not compared"],
    ["~1.2", ["1.2.9", "1.3.0", "v1.2.10"], "v1.2.10", "numeric patch order"],
    [
      ">=1.0.0-0 <2.0.0",
      ["1.0.0-rc.2", "1.0.0-rc.10", "1.0.0-beta"],
      "1.0.0-rc.10",
      "numeric identifiers compare as numbers",
    ],
    [
      ">=1.0.0-0",
      ["1.0.0-01", "1.0.0-1"],
      "1.0.0-1",
      "a numeric pre-release identifier with a leading zero is invalid",
    ],
    ["*", ["18446744073709551616.0.0", "1.0.0"], "1.0.0", "uint64 overflow: not a version"],
    ["<1.0.0", ["0.0.0", "00.0.1"], "00.0.1", "0.0.1"],
    ["1.2.3", ["1.2.3@1", "v1.2.3+meta@999"], "v1.2.3+meta", "equal versions: the newer commit"],
    [">=2.0.0", ["2.0", "2.0.0.0", "v2.0.0-rc.1"], null, "two parts; four numbers; pre-release not admitted"],
    ["2.x || 3.x", ["3.0-alpha.1.2", "2.9.9", "3.0.0"], "3.0.0", "3.0.0 > 3.0.0-alpha.1.2"],
    ["2.x || 3.x", ["3.0-alpha.1.2", "2.9.9"], "2.9.9", "the pre-release is not admitted"],
    ["*", ["1.2.3-rc.1_x", "1.2.3_x.y", "1.2.3-", "1.2..3", "1.2.3+"], null, "invalid characters or empty identifiers"],
    [">= 1.0", ["1.0-0.0.0"], null, "1.0.0-0.0.0 is a pre-release"],
    [
      "^0.1.0",
      ["0.1.5@100", "v0.1.05@200", "0.2.0@300"],
      "v0.1.05",
      "0.1.5 twice: the newer commit; ^0.1 excludes 0.2.0",
    ],
    [">=1.0.0", ["1-rc.1.2", "1.0-rc.1"], null, "1.0.0-rc.1.2 is a pre-release; 1.0-rc.1 has two parts"],
    [">=0.0.0-0", ["1-rc.1.2", "1.0-rc.1"], "1-rc.1.2", "1.0.0-rc.1.2"],
    [">=1.0.0", ["v1.2.3 ", " v1.2.3", "v1.2.3\t"], null, "spaces are not part of the grammar"],
    ["!=1.2.3", ["01.2.3", "1.2.2"], "1.2.2", "01.2.3 is 1.2.3"],
    ["*", ["1.10.0", "1.9.0", "1.09.1"], "1.10.0", "numeric minor order: 10 > 9"],
    ["<=1.9.1", ["1.10.0", "1.9.0", "1.09.1"], "1.09.1", "1.9.1"],
  ];
  it.each(sets)("%s over %j: %s (%s)", (range, tags, flux) => {
    const candidates = tags.map((t) => {
      const at = t.lastIndexOf("@");
      return at < 0 ? T(t) : T(t.slice(0, at), Number(t.slice(at + 1)));
    });
    for (const order of [candidates, [...candidates].reverse()]) {
      expect(selectSemverTag(order, range).selected?.tag ?? null).toBe(flux);
    }
  });
});
