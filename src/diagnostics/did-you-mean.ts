/**
 * "did you mean …?": the closest known name to a mistyped one, for flags and commands (cli/) and for unknown
 * fields and enum values in schema errors (ajv-errors.ts), so every layer suggests the same way.
 */

/** Levenshtein distance (insert, delete, substitute; an adjacent swap counts once). */
export function editDistance(a: string, b: string): number {
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

/**
 * The known name closest to `word`, or undefined: a name equal but for case first, then one that starts with
 * `word` (3 characters or more), else the nearest within a third of its length (at least 1, at most 3 edits).
 */
export function closest(word: string, known: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const sameButCase = known.find((name) => name !== word && name.toLowerCase() === lower);
  if (sameButCase !== undefined) return sameButCase;
  const max = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: { name: string; dist: number } | undefined;
  for (const name of known) {
    if (name === word) continue;
    const dist = name.startsWith(word) && word.length >= 3 ? 0.5 : editDistance(word, name);
    if (dist <= max && (!best || dist < best.dist)) best = { name, dist };
  }
  return best?.name;
}
