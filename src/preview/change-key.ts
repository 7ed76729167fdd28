/**
 * What a change is, apart from where it sits: the same image bump in dev-1 and prod-1 has equal added and
 * removed lines, but the unified diffs differ in their context lines (which hold per-cluster values such as
 * `${CLUSTER_NAME}`) and in their hunk line numbers. Grouping by the changed lines alone shows it once.
 */

const isHeader = (l: string) =>
  l.startsWith("--- ") || l.startsWith("+++ ") || l.startsWith("===") || l.startsWith("Index: ");

/** The changed lines of a unified diff (`+`/`-` lines, without file headers), in order: the change itself. */
export function changeKey(diff: string): string {
  return diff
    .split("\n")
    .filter((l) => (l.startsWith("+") || l.startsWith("-")) && !isHeader(l))
    .join("\n");
}

/** The text shown for a context line whose value differs between the clusters of one change. */
export const DIFFERS = "‹differs per cluster›";

/**
 * One diff for a change that several clusters share with different context: where all diffs have the same
 * shape (line for line), a context line that is not the same everywhere shows its key with DIFFERS instead of
 * one cluster's value; hunk headers are the first diff's. Otherwise the first diff is returned as it is.
 */
export function mergeDiffs(diffs: readonly string[]): string {
  const first = diffs[0] ?? "";
  if (diffs.length < 2) return first;
  const split = diffs.map((d) => d.split("\n"));
  const lines = split[0]!;
  if (split.some((l) => l.length !== lines.length)) return first;
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const same = split.every((l) => l[i] === line);
    if (same || line.startsWith("@@") || isHeader(line)) {
      out.push(line);
      continue;
    }
    if (!line.startsWith(" ") || split.some((l) => !l[i]!.startsWith(" "))) return first;
    const key = /^( +(?:- )?[^:]+:)/.exec(line);
    out.push(key ? `${key[1]} ${DIFFERS}` : ` ${DIFFERS}`);
  }
  return out.join("\n");
}
