/**
 * Replays recorded answers of Flux's own code: semver-flux-answers.json holds 1,200 seeded random tag
 * sets (coerced, partial, pre-release and invalid tags; commit times that tie) with a range each, and the
 * tag Flux checks out, computed by fluxcd/pkg version.go `ParseVersion` + Masterminds semver v3
 * `NewConstraint`/`Check` + the sort of git/gogit `cloneSemVer` (equal versions by commit time, the last
 * wins). Sets where Flux's answer would depend on Go map order (equal versions, equal commit times) were
 * left out. `tag@n` gives the tag's commit time (n seconds after a base); null is "no match found".
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { selectSemverTag } from "./semver.js";

type Row = [range: string, tags: string[], flux: string | null];
const rows = JSON.parse(readFileSync(new URL("./semver-flux-answers.json", import.meta.url), "utf8")) as Row[];

describe("selectSemverTag agrees with recorded answers of Flux's cloneSemVer", () => {
  it("picks Flux's tag in every recorded set, in any input order", () => {
    expect(rows.length).toBe(1200);
    expect(rows.filter((r) => r[2] !== null).length).toBeGreaterThan(400);
    const diffs: string[] = [];
    for (const [range, tags, flux] of rows) {
      const candidates = tags.map((t) => {
        const at = t.lastIndexOf("@");
        return {
          tag: t.slice(0, at),
          commit: `c-${t.slice(0, at)}`,
          commitTime: 1_700_000_000 + Number(t.slice(at + 1)),
        };
      });
      for (const order of [candidates, [...candidates].reverse()]) {
        const got = selectSemverTag(order, range).selected?.tag ?? null;
        if (got !== flux) diffs.push(`${range} ${JSON.stringify(tags)}: flux ${flux}, braid ${got}`);
      }
    }
    expect(diffs.slice(0, 20)).toEqual([]);
  });
});
