/** "did you mean --x?" for a mistyped flag or command: the closest known name within a small edit distance. */

/** Levenshtein distance (insert, delete, substitute; an adjacent swap counts once). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  return d[a.length]![b.length]!;
}

/** The known name closest to `word` (at most a third of its length away, at least 1, at most 3), or undefined. */
export function closest(word: string, known: readonly string[]): string | undefined {
  const max = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: { name: string; dist: number } | undefined;
  for (const name of known) {
    const dist = name.startsWith(word) && word.length >= 3 ? 0.5 : editDistance(word, name);
    if (dist <= max && (!best || dist < best.dist)) best = { name, dist };
  }
  return best?.name;
}

/**
 * The usage message for an unknown option from node:util parseArgs ("Unknown option '--fleets'"):
 * `unknown flag --fleets; did you mean --fleet?`. Undefined when the error is not about an unknown option.
 */
export function unknownFlagMessage(error: unknown, options: Record<string, unknown>): string | undefined {
  const e = error as { code?: string; message?: string };
  if (e.code !== "ERR_PARSE_ARGS_UNKNOWN_OPTION") return undefined;
  const flag = /'([^']+)'/.exec(e.message ?? "")?.[1] ?? "";
  const name = flag.replace(/^-+/, "").replace(/=.*$/, "");
  const guess = closest(name, Object.keys(options));
  return `unknown flag ${flag}${guess ? `; did you mean --${guess}?` : ""}`;
}
