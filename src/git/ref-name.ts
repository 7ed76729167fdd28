/**
 * Git's rules for ref names (`git check-ref-format`, refs.c `check_refname_component`), in TypeScript:
 * a name that breaks them is never used, because a ref name becomes a file path under the gitdir
 * (`refs/heads/../../config` is `.git/config`) and a name git refuses is a ref git never sees.
 */

/**
 * Why `name` is not a valid ref name (undefined when it is). The rules, as git states them: no component
 * starts with `.` or ends with `.lock`; no `..`; no control characters, space, `~ ^ : ? * [ \`; no `@{`;
 * not `@` alone; no leading or trailing `/`, no `//`; no trailing `.`.
 */
export function refNameProblem(name: string): string | undefined {
  if (name === "") return "it is empty";
  if (name === "@") return 'it is "@" (git reads that as HEAD)';
  // eslint-disable-next-line no-control-regex
  const bad = /[\x00-\x20\x7f~^:?*[\\]/.exec(name);
  if (bad) return `it contains ${describeChar(bad[0])}`;
  if (name.includes("..")) return 'it contains ".."';
  if (name.includes("@{")) return 'it contains "@{"';
  if (name.startsWith("/")) return 'it starts with "/"';
  if (name.endsWith("/")) return 'it ends with "/"';
  if (name.includes("//")) return 'it contains "//"';
  if (name.endsWith(".")) return 'it ends with "."';
  for (const part of name.split("/")) {
    if (part.startsWith(".")) return `its component "${part}" starts with "."`;
    if (part.endsWith(".lock")) return `its component "${part}" ends with ".lock"`;
  }
  return undefined;
}

/**
 * Why `name` is not a valid branch name (as `git branch` checks it: the ref `refs/heads/<name>` must be
 * valid, and the name must not start with `-` nor be `HEAD`). Undefined when it is valid.
 */
export function branchNameProblem(name: string): string | undefined {
  if (name === "HEAD") return 'a branch may not be named "HEAD"';
  if (name.startsWith("-")) return 'it starts with "-"';
  if (name.startsWith("refs/")) return 'it starts with "refs/" (give the short branch name)';
  return refNameProblem(name);
}

function describeChar(c: string): string {
  if (c === " ") return "a space";
  const code = c.charCodeAt(0);
  if (code < 0x20 || code === 0x7f) return `a control character (0x${code.toString(16).padStart(2, "0")})`;
  return `"${c}"`;
}
