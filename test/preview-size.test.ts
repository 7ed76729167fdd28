/** Size safety of the markdown preview and grouping, on synthetic fleet runs (pure: no Git, no OpenAPI). */
import { describe, expect, it } from "vitest";
import { idOf, type JsonObject, type Resource } from "../src/model/resource.js";
import type { FleetRun } from "../src/render/render-fleet.js";
import { diffFleetRuns } from "../src/preview/diff-runs.js";
import { formatMarkdown, GITHUB_COMMENT_LIMIT } from "../src/preview/format-markdown.js";
import { formatPreviewJson } from "../src/preview/format-json.js";
import { formatPreviewText } from "../src/preview/format-text.js";

function res(object: JsonObject): Resource {
  return { id: idOf(object), object, origin: { source: "s", commit: "c", file: "f.yaml", docIndex: 0, line: 1, column: 1 }, positions: [] };
}

function cm(name: string, value: string): Resource {
  return res({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "ns" }, data: { value, other: "unchanged line" } });
}

/** A fake run: cluster name → resources (all ok). */
function run(clusters: Record<string, Resource[]>, sensitivePaths: string[] = []): FleetRun {
  return {
    fleet: { preview: { sensitivePaths } },
    diagnostics: [],
    clusters: Object.entries(clusters).map(([name, resources]) => ({ name, resources, ok: true, diagnostics: [] })),
  } as unknown as FleetRun;
}

const sides = { base: { rev: "main", commit: "a".repeat(40) }, head: { rev: "pr", commit: "b".repeat(40) } };

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

describe("markdown size", () => {
  it.each([
    ["one cluster, 2,000 changed resources", 1, 2000],
    ["20 clusters × 100 distinct changes", 20, 100],
    ["2,000 clusters × 1 distinct change", 2000, 1],
  ])("%s: under 65,536 characters and says what was cut", (_name, clusters, perCluster) => {
    const base: Record<string, Resource[]> = {};
    const head: Record<string, Resource[]> = {};
    for (const c of range(clusters)) {
      const name = `cluster-${String(c).padStart(4, "0")}`;
      base[name] = range(perCluster).map((i) => cm(`cm-${i}`, `old-${c}-${i}`));
      head[name] = range(perCluster).map((i) => cm(`cm-${i}`, `new-${c}-${i}`));
    }
    const report = diffFleetRuns(run(base), run(head), sides);
    expect(report.totals.changed).toBe(2000);
    const md = formatMarkdown(report, { fullReport: "preview-full.md" });
    expect(md.text.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(md.truncated).toBe(true);
    expect(md.text).toContain("Preview cut to fit one GitHub comment");
    expect(md.text).toContain("`preview-full.md`");
    // the numbers in the note add up: shown diffs + omitted = all changes
    const shownDiffs = md.text.split("```diff").length - 1;
    expect(shownDiffs + md.omittedChanges).toBe(2000);
    expect(md.text).toContain(`${md.omittedChanges} resource change`);
    if (md.omittedGroups) expect(md.text).toContain(`details of ${md.omittedGroups} section`);
    // details tags stay balanced
    expect(md.text.split("<details>").length).toBe(md.text.split("</details>").length);
    // the uncut report has everything
    const full = formatMarkdown(report, { limit: Infinity });
    expect(full.truncated).toBe(false);
    expect(full.text.split("```diff").length - 1).toBe(2000);
  });

  it("a small preview is not cut and has no note", () => {
    const report = diffFleetRuns(run({ a: [cm("x", "1")] }), run({ a: [cm("x", "2")] }), sides);
    const md = formatMarkdown(report);
    expect(md.truncated).toBe(false);
    expect(md.text).not.toContain("cut");
    expect(md.text).toContain('-  value: "1"');
  });
});

describe("grouping and statuses", () => {
  it("300 clusters with the same change are one group listing all of them; a different one is its own group", () => {
    const base: Record<string, Resource[]> = {};
    const head: Record<string, Resource[]> = {};
    for (const c of range(300)) {
      base[`c${c}`] = [cm("shared", "v1")];
      head[`c${c}`] = [cm("shared", c === 7 ? "v3" : "v2")];
    }
    base.same = [cm("shared", "v1")];
    head.same = [cm("shared", "v1")];
    const report = diffFleetRuns(run(base), run(head), sides);
    expect(report.groups.map((g) => g.clusters.length)).toEqual([299, 1]);
    expect(report.groups[1]!.clusters).toEqual(["c7"]);
    expect(report.unchanged).toEqual(["same"]);
    const md = formatMarkdown(report).text;
    expect(md.split("+  value: v2").length - 1).toBe(1);
    for (const c of range(300)) if (c !== 7) expect(md).toContain(`\`c${c}\``);
    expect(md).toContain("Unchanged: 1 cluster.");
  });

  it("classifies added, removed and changed resources and clusters", () => {
    const report = diffFleetRuns(
      run({ a: [cm("keep", "1"), cm("gone", "1")], old: [cm("x", "1")] }),
      run({ a: [cm("keep", "2"), cm("fresh", "1")], young: [cm("x", "1")] }),
      sides,
    );
    const byName = Object.fromEntries(report.clusters.map((c) => [c.cluster, c]));
    expect(byName.a).toMatchObject({ status: "changed", added: 1, changed: 1, removed: 1 });
    expect(byName.a!.changes.map((c) => [c.change, c.resource])).toEqual([
      ["added", "ConfigMap ns/fresh"],
      ["removed", "ConfigMap ns/gone"],
      ["changed", "ConfigMap ns/keep"],
    ]);
    expect(byName.old).toMatchObject({ status: "removed", removed: 1 });
    expect(byName.young).toMatchObject({ status: "added", added: 1 });
    expect(report.totals).toEqual({ added: 2, changed: 1, removed: 2, clustersChanged: 3, clustersUnchanged: 0 });
  });

  it("no base run: everything is added; a head cluster that failed with nothing rendered is 'failed', not all-removed", () => {
    const head = run({ a: [cm("x", "1")], b: [] });
    (head.clusters[1] as { ok: boolean }).ok = false;
    const report = diffFleetRuns(run({ b: [cm("x", "1")] }), head, sides);
    expect(report.clusters.map((c) => [c.cluster, c.status])).toEqual([
      ["a", "added"],
      ["b", "failed"],
    ]);
    expect(diffFleetRuns(undefined, run({ a: [cm("x", "1")] }), sides).clusters[0]!.status).toBe("added");
  });

  it("every format renders the same report", () => {
    const report = diffFleetRuns(run({ a: [cm("x", "1")] }), run({ a: [cm("x", "2")] }), sides);
    expect(JSON.parse(formatPreviewJson(report))).toMatchObject({ ok: true, totals: { changed: 1 }, groups: [{ clusters: ["a"] }] });
    expect(formatPreviewText(report)).toContain("~ ConfigMap ns/x  ns/configmap-x.yaml");
  });
});
