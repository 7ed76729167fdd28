/**
 * Flux's artifact rules, checked against Flux's and Go's own answers: Go's path/filepath match_test.go table
 * for `filepath.Match`, and fluxcd/pkg sourceignore/gitignore's pattern and matcher tests (go-git's). Each
 * expected value is what those tests assert.
 */
import { describe, expect, it } from "vitest";
import { compileGoPathMatch, goPathMatch } from "./go-path-match.js";
import { artifactIgnore, matchIgnorePattern, parseIgnorePattern, readIgnorePatterns } from "./sourceignore.js";

describe("goPathMatch (Go's filepath.Match on Unix)", () => {
  const bad = "error" as const;
  const table: [string, string, boolean | "error"][] = [
    ["abc", "abc", true],
    ["*", "abc", true],
    ["*c", "abc", true],
    ["a*", "a", true],
    ["a*", "abc", true],
    ["a*", "ab/c", false],
    ["a*/b", "abc/b", true],
    ["a*/b", "a/c/b", false],
    ["a*b*c*d*e*/f", "axbxcxdxe/f", true],
    ["a*b*c*d*e*/f", "axbxcxdxexxx/f", true],
    ["a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false],
    ["a*b*c*d*e*/f", "axbxcxdxexxx/fff", false],
    ["a*b?c*x", "abxbbxdbxebxczzx", true],
    ["a*b?c*x", "abxbbxdbxebxczzy", false],
    ["ab[c]", "abc", true],
    ["ab[b-d]", "abc", true],
    ["ab[e-g]", "abc", false],
    ["ab[^c]", "abc", false],
    ["ab[^b-d]", "abc", false],
    ["ab[^e-g]", "abc", true],
    ["a\\*b", "a*b", true],
    ["a\\*b", "ab", false],
    ["a?b", "a☺b", true],
    ["a[^a]b", "a☺b", true],
    ["a???b", "a☺b", false],
    ["a[^a][^a][^a]b", "a☺b", false],
    ["[a-ζ]*", "α", true],
    ["*[a-ζ]", "A", false],
    ["a?b", "a/b", false],
    ["a*b", "a/b", false],
    ["[\\]a]", "]", true],
    ["[\\-]", "-", true],
    ["[x\\-]", "x", true],
    ["[x\\-]", "-", true],
    ["[x\\-]", "z", false],
    ["[\\-x]", "x", true],
    ["[\\-x]", "-", true],
    ["[\\-x]", "a", false],
    ["[]a]", "]", bad],
    ["[-]", "-", bad],
    ["[x-]", "x", bad],
    ["[x-]", "-", bad],
    ["[x-]", "z", bad],
    ["[-x]", "x", bad],
    ["[-x]", "-", bad],
    ["[-x]", "a", bad],
    ["\\", "a", bad],
    ["[a-b-c]", "a", bad],
    ["[", "a", bad],
    ["[^", "a", bad],
    ["[^bc", "a", bad],
    ["a[", "a", bad],
    ["a[", "ab", bad],
    ["a[", "x", bad],
    ["a/b[", "x", bad],
    ["*x", "xxx", true],
  ];
  it.each(table)("Match(%j, %j) = %j", (pattern, name, want) => {
    expect(goPathMatch(pattern, name)).toBe(want);
    expect(compileGoPathMatch(pattern)(name)).toBe(want === true); // a malformed pattern matches nothing
  });

  it("the compiled test answers as goPathMatch on random patterns and names (seeded)", () => {
    let seed = 7;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
    const pick = (alphabet: string[], max: number, min: number) =>
      Array.from({ length: min + rnd(max - min + 1) }, () => alphabet[rnd(alphabet.length)]).join("");
    const differ: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const pattern = pick(["a", "b", "*", "?", "[", "]", "^", "-", "\\", "é", "z", "/"], 7, 1);
      const test = compileGoPathMatch(pattern);
      for (let j = 0; j < 4; j++) {
        const name = pick(["a", "b", "é", "-", "]", "[", "^", "\\", "z", "*", "/"], 5, 0);
        if (test(name) !== (goPathMatch(pattern, name) === true)) differ.push(`${pattern} ${name}`);
      }
    }
    expect(differ).toEqual([]);
  });
});

describe("gitignore patterns (go-git's, as fluxcd/pkg sourceignore/gitignore tests them)", () => {
  const table: [string, string[], string[], boolean, "include" | "exclude" | undefined][] = [
    ["!vul?ano", [], ["value", "vulkano", "tail"], false, "include"],
    ["value", ["head", "middle", "tail"], ["head", "middle"], false, undefined],
    ["value", ["head", "middle", "tail"], ["head", "middle", "tail"], false, undefined],
    ["value", ["head", "middle", "tail"], ["head", "middle", "_tail_", "value"], false, undefined],
    ["middle/", ["value", "volcano"], ["value", "volcano", "middle", "tail"], false, "exclude"],
    ["volcano/", ["value", "volcano"], ["value", "volcano", "tail"], true, undefined],
    ["value", [], ["value", "tail"], false, "exclude"],
    ["value", [], ["head", "value", "tail"], false, "exclude"],
    ["value", [], ["head", "value"], false, "exclude"],
    ["value/", [], ["value", "tail"], false, "exclude"],
    ["value/", [], ["head", "value", "tail"], false, "exclude"],
    ["value/", [], ["head", "value"], true, "exclude"],
    ["value/", [], ["head", "value"], false, undefined],
    ["value", [], ["head", "val", "tail"], false, undefined],
    ["val", [], ["head", "value", "tail"], false, undefined],
    ["v*o", [], ["value", "vulkano", "tail"], false, "exclude"],
    ["vul?ano", [], ["value", "vulkano", "tail"], false, "exclude"],
    ["v[ou]l[kc]ano", [], ["value", "volcano"], false, "exclude"],
    ["v[ou]l[", [], ["value", "vol["], false, undefined],
    ["/value/vul?ano", [], ["value", "vulkano", "tail"], false, "exclude"],
    ["middle/tail/", ["value", "volcano"], ["value", "volcano", "middle", "tail"], true, "exclude"],
    ["volcano/tail", ["value", "volcano"], ["value", "volcano", "tail"], false, undefined],
    ["value/vul?ano", [], ["value", "vulkano", "tail"], false, "exclude"],
    ["value/vulkano", [], ["value", "volcano"], false, undefined],
    ["value/vul?ano", [], ["value"], false, undefined],
    ["/value/volcano", [], ["value", "value", "volcano"], false, undefined],
    ["**/*lue/vol?ano", [], ["value", "volcano", "tail"], false, "exclude"],
    ["**/*lue/vol?ano", [], ["head", "value", "volcano", "tail"], false, "exclude"],
    ["**/*lue/vol?ano", [], ["head", "value", "Volcano", "tail"], false, undefined],
    ["**/*lue/vol?ano/", [], ["head", "value", "volcano", "tail"], false, "exclude"],
    ["**/*lue/vol?ano/", [], ["head", "value", "volcano"], true, "exclude"],
    ["**/*lue/vol?ano/", [], ["head", "value", "Colcano"], true, undefined],
    ["**/*lue/vol?ano/", [], ["head", "value", "volcano"], false, undefined],
    ["/*lue/vol?ano/**", [], ["value", "volcano", "tail", "moretail"], false, "exclude"],
    ["/*lue/vol?ano/**", [], ["value", "volcano"], false, "exclude"],
    ["/*lue/**/vol?ano", [], ["value", "volcano"], false, "exclude"],
    ["/*lue/**/vol?ano", [], ["value", "middle", "volcano"], false, "exclude"],
    ["/*lue/**/vol?ano", [], ["value", "middle1", "middle2", "volcano"], false, "exclude"],
    ["/*lue/**/vol?ano/", [], ["value", "middle1", "middle2", "volcano"], true, "exclude"],
    ["/*lue/**/vol?ano/", [], ["value", "middle1", "middle2", "volcano"], false, undefined],
    ["/*lue/**/vol?ano/", [], ["value", "middle1", "middle2", "volcano", "tail"], false, "exclude"],
    ["/*lue/**foo/vol?ano", [], ["value", "foo", "volcano", "tail"], false, undefined],
    ["**/head/v[ou]l[kc]ano", [], ["value", "head", "volcano"], false, "exclude"],
    ["**/head/v[ou]l[", [], ["value", "head", "vol["], false, undefined],
    ["/value/**/v[ou]l[", [], ["value", "head", "vol["], false, undefined],
    [
      "**/android/**/GeneratedPluginRegistrant.java",
      [],
      ["packages", "flutter_tools", "lib", "src", "android", "gradle.dart"],
      false,
      undefined,
    ],
  ];
  it.each(table)("ParsePattern(%j, %j).Match(%j, %j) = %j", (pattern, domain, path, isDir, want) => {
    expect(matchIgnorePattern(parseIgnorePattern(pattern, domain), path, isDir)).toBe(want);
  });

  it("a matcher answers with the last pattern that matches (TestMatcher_Match)", () => {
    const ignore = artifactIgnore([{ path: ".sourceignore", text: "**/middle/v[uo]l?ano\n!volcano\n" }]);
    expect(ignore.excludedBy(["head", "middle", "vulkano"], false)).toBeDefined();
    expect(ignore.excludedBy(["head", "middle", "volcano"], false)).toBeUndefined();
  });

  it("reads a file as ReadPatterns does: # comments and blank lines skipped, CRLF, trailing blanks", () => {
    const ps = readIgnorePatterns("# c\n\n   \nfoo  \r\n !bar\n\\#x\nbaz\\ ", [], "f");
    expect(ps.map((p) => [p.segments, p.inclusion, p.line])).toEqual([
      [["foo"], false, 4],
      [[" !bar"], false, 5], // a pattern is not trimmed in front: this one is a name starting with a blank
      [["\\#x"], false, 6],
      [["baz\\ "], false, 7],
    ]);
  });
});

describe("fluxcd/pkg sourceignore's own cases", () => {
  /** A matcher over patterns (NewMatcher): the last pattern that matches decides. */
  const matcher = (ps: ReturnType<typeof readIgnorePatterns>) => (path: string) => {
    for (let i = ps.length - 1; i >= 0; i--) {
      const m = matchIgnorePattern(ps[i]!, path.split("/"), false);
      if (m) return m === "exclude";
    }
    return false;
  };

  it("TestReadPatterns", () => {
    const simple = matcher(readIgnorePatterns("ignore-dir/*\n!ignore-dir/include\n", []));
    expect(["ignore-dir/file.yaml"].map(simple)).toEqual([true]);
    expect(["file.yaml", "ignore-dir/include"].map(simple)).toEqual([false, false]);
    const comments = matcher(readIgnorePatterns("ignore-dir/*\n# !ignore-dir/include", []));
    expect(["ignore-dir/file.yaml", "ignore-dir/include"].map(comments)).toEqual([true, true]);
    const scoped = matcher(readIgnorePatterns("ignore-dir/*", ["domain", "scoped"]));
    expect(scoped("domain/scoped/ignore-dir/file.yaml")).toBe(true);
    expect(scoped("ignore-dir/file.yaml")).toBe(false);
  });

  it("TestVCSPatterns and TestDefaultPatterns", () => {
    const none = artifactIgnore([]);
    const out = (path: string) => none.excludedBy(path.split("/"), false) !== undefined;
    for (const p of [".git/config", ".gitignore", "image.jpg", "archive.tar.gz", ".github/workflows/workflow.yaml"])
      expect(out(p), p).toBe(true);
    for (const p of ["subdir/.flux.yaml", "subdir2/.sops.yaml"]) expect(out(p), p).toBe(true);
    for (const p of ["workload.yaml", "workload.yml", "simple.txt"]) expect(out(p), p).toBe(false);
    // a pattern of the repository's own: the defaults are gone, the VCS ones stay
    const own = artifactIgnore([{ path: ".sourceignore", text: "!*.jpg" }]);
    expect(own.excludedBy(["image.jpg"], false)).toBeUndefined();
    expect(own.excludedBy([".gitignore"], false)).toBeDefined();
  });

  it("TestLoadExcludePatterns: files are read in the walk's order, each scoped to its folder", () => {
    const ignore = artifactIgnore([
      { path: "z/.sourceignore", text: "last.txt" },
      { path: "a/b/.sourceignore", text: "subdir.txt" },
      { path: ".sourceignore", text: "root.txt" },
    ]);
    const by = (path: string) => ignore.excludedBy(path.split("/"), false);
    expect(by("root.txt")?.file).toBe(".sourceignore");
    expect(by("a/b/subdir.txt")?.file).toBe("a/b/.sourceignore");
    expect(by("a/c/subdir.txt")).toBeUndefined();
    expect(by("e/last.txt")).toBeUndefined();
    expect(by("z/last.txt")?.file).toBe("z/.sourceignore");
  });
});

describe("artifactIgnore (what source-controller's Storage.Archive leaves out)", () => {
  const kept = (ignore: ReturnType<typeof artifactIgnore>, path: string) => !ignore.excludedBy(path.split("/"), false);

  it("with no pattern, Flux's defaults: images, archives, CI files, .sops.yaml, .flux.yaml, .goreleaser.yml", () => {
    const ignore = artifactIgnore([]);
    for (const p of ["a/cloudbuild.yaml", "x.png", "deep/y.tar.gz", ".github/workflows/ci.yaml", "a/b/.sops.yaml"])
      expect(kept(ignore, p), p).toBe(false);
    for (const p of ["a/deploy.yaml", "appveyor.yaml", "x.tar", ".gitlab-ci.yaml"])
      expect(kept(ignore, p), p).toBe(true);
    expect(kept(ignore, ".gitmodules")).toBe(false);
  });

  it("any pattern replaces the defaults (the VCS ones stay)", () => {
    const ignore = artifactIgnore([{ path: "docs/.sourceignore", text: "*.md\n" }]);
    expect(kept(ignore, "a/cloudbuild.yaml")).toBe(true);
    expect(kept(ignore, "x.png")).toBe(true);
    expect(kept(ignore, ".gitignore")).toBe(false);
    expect(kept(ignore, "docs/a.md")).toBe(false);
    expect(kept(ignore, "a.md")).toBe(true); // a pattern is scoped to its file's folder
    // a file of comments only adds no pattern: the defaults apply
    expect(kept(artifactIgnore([{ path: ".sourceignore", text: "# nothing\n" }]), "x.png")).toBe(false);
  });

  it("exclude everything, then include folders again (a real repository's .sourceignore)", () => {
    const text = [
      "/*",
      "!/kubernetes",
      "/kubernetes/clusters/**/secrets/",
      "!/kubernetes/clusters/**/secrets/cluster-config.yaml",
    ].join("\n");
    const ignore = artifactIgnore([{ path: ".sourceignore", text }]);
    expect(kept(ignore, "README.md")).toBe(false);
    expect(kept(ignore, "docs/a/b.yaml")).toBe(false); // `/*` matches the leading segment of any depth
    expect(kept(ignore, "kubernetes/apps/a.yaml")).toBe(true);
    expect(kept(ignore, "kubernetes/clusters/c0/secrets/sops-age.yaml")).toBe(false);
    expect(kept(ignore, "kubernetes/clusters/c0/secrets/cluster-config.yaml")).toBe(true);
    expect(kept(ignore, "kubernetes/clusters/c0/ks.yaml")).toBe(true);
    expect(ignore.excludedBy(["docs"], true)?.text).toBe("/*");
  });

  it("patterns are ordered as the walk finds their files (a folder's, then its sub-folders' by name), spec last", () => {
    const files = [
      { path: "a/b/.sourceignore", text: "x.yaml\n" },
      { path: "a/.sourceignore", text: "!x.yaml\n" },
      { path: ".sourceignore", text: "x.yaml\n" },
    ];
    const ignore = artifactIgnore(files);
    expect(kept(ignore, "x.yaml")).toBe(false);
    expect(kept(ignore, "a/x.yaml")).toBe(true); // a/.sourceignore comes after the root's
    expect(kept(ignore, "a/b/x.yaml")).toBe(false); // a/b/.sourceignore after a/'s
    expect(kept(ignore, "a/c/x.yaml")).toBe(true);
    const spec = artifactIgnore(files, { text: "!x.yaml" });
    expect(kept(spec, "a/b/x.yaml")).toBe(true);
  });
});
