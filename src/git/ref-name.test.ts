import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { branchNameProblem, refNameProblem } from "./ref-name.js";

const run = promisify(execFile);

/** Names from issue 15 and git's own rules; each compared with `git check-ref-format --branch`. */
const CASES: [string, boolean][] = [
  ["deploy", true],
  ["deploy/prod", true],
  ["release-1.2", true],
  ["feature/a.b", true],
  ["../../config", false],
  ["../../HEAD", false],
  ["../../../braid.yaml", false],
  ["../../../../../../tmp/x", false],
  ["a..b", false],
  ["x.lock", false],
  ["a/x.lock/b", false],
  ["has space", false],
  [".hidden", false],
  ["a/.hidden", false],
  ["ends/", false],
  ["/starts", false],
  ["a//b", false],
  ["dot.", false],
  ["@", false],
  ["a@{b", false],
  ["ti~lde", false],
  ["ca^ret", false],
  ["co:lon", false],
  ["que?", false],
  ["st*r", false],
  ["br[acket", false],
  ["back\\slash", false],
  ["ctl\x01", false],
  ["del\x7f", false],
  ["tab\tx", false],
  ["-dash", false],
  ["HEAD", false],
  ["", false],
];

describe("branchNameProblem", () => {
  it.each(CASES)("%j valid=%s", (name, valid) => {
    expect(branchNameProblem(name) === undefined).toBe(valid);
  });

  it("agrees with git check-ref-format --branch on every case", async () => {
    for (const [name] of CASES) {
      if (name === "") continue; // git reads an empty argument as "-" (the previous branch)
      const gitSays = await run("git", ["check-ref-format", "--branch", name]).then(
        () => true,
        () => false,
      );
      // `--branch @` expands "@" to the current branch first; the name "@" itself is refused by the rules
      const expected = name === "@" ? true : branchNameProblem(name) === undefined;
      expect([name, gitSays]).toEqual([name, expected]);
    }
  });

  it("explains the problem", () => {
    expect(branchNameProblem("../../config")).toBe('it contains ".."');
    expect(branchNameProblem("x.lock")).toBe('its component "x.lock" ends with ".lock"');
    expect(branchNameProblem("has space")).toBe("it contains a space");
    expect(branchNameProblem("HEAD")).toBe('a branch may not be named "HEAD"');
    expect(refNameProblem("refs/pull/42/head")).toBeUndefined();
  });
});
