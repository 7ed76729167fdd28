/**
 * The regular-expression engine ajv uses for `pattern`: Kubernetes schemas are written for Go's RE2, so a
 * pattern JavaScript rejects in unicode mode is retried without it, RE2's leading `(?i)` becomes the `i`
 * flag, and a pattern JavaScript cannot compile at all is not checked (the API server still checks it).
 */

/** What ajv needs from a compiled pattern. */
export interface PatternLike {
  test(s: string): boolean;
}

const ALWAYS: PatternLike = { test: () => true };

/** ajv `code.regExp` engine; `code` names it in standalone code (validator-code-cache.ts gives it to the code as it loads). */
export const kubePatternRegExp = Object.assign(
  (pattern: string, flags: string): PatternLike => {
    let p = pattern;
    let f = flags;
    const inline = /^\(\?([imsU]+)\)/.exec(p);
    if (inline) {
      p = p.slice(inline[0].length);
      if (inline[1]!.includes("i")) f += "i";
      if (inline[1]!.includes("s")) f += "s";
      if (inline[1]!.includes("m")) f += "m";
    }
    for (const flagSet of [f, f.replace("u", "")]) {
      try {
        return new RegExp(p, flagSet);
      } catch {
        // try the next form
      }
    }
    return ALWAYS;
  },
  { code: "kubePatternRegExp" },
);
