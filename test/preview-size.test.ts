/** Size safety of the markdown preview and grouping, on synthetic fleet runs (pure: no Git, no OpenAPI). */
import { describe, expect, it } from "vitest";
import { idOf, type JsonObject, type Resource } from "../src/model/resource.js";
import type { FleetRun } from "../src/pipeline/render-fleet.js";
import { diffFleetRuns } from "../src/preview/diff-runs.js";
import { formatMarkdown, GITHUB_COMMENT_LIMIT } from "../src/preview/format-markdown.js";
import { formatPreviewJson } from "../src/preview/format-json.js";
import { formatPreviewText } from "../src/preview/format-text.js";

function res(object: JsonObject): Resource {
  return {
    id: idOf(object),
    object,
    origin: { source: "s", commit: "c", file: "f.yaml", docIndex: 0, line: 1, column: 1 },
    positions: [],
  };
}

function cm(name: string, value: string): Resource {
  return res({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: "ns" },
    data: { value, other: "unchanged line" },
  });
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
    if (md.omittedSections) expect(md.text).toContain(`${md.omittedSections} whole section`);
    expect(md.text).toContain(`${md.omittedClusters} cluster`);
    // details tags stay balanced
    expect(md.text.split("<details>").length).toBe(md.text.split("</details>").length);
    // the uncut report has everything
    const full = formatMarkdown(report, { limit: Infinity });
    expect(full.truncated).toBe(false);
    expect(full.text.split("```diff").length - 1).toBe(2000);
    expect(full.text).not.toContain("… and");
  });

  it("cuts whole distinct changes in section order: a change too big to fit is left out, later ones still shown", () => {
    const big = "x".repeat(5000);
    const base: Record<string, Resource[]> = {};
    const head: Record<string, Resource[]> = {};
    // section 1 (3 clusters): one huge change; sections 2..4 (one cluster each): small changes
    for (const c of ["a", "b", "c"]) {
      base[c] = [cm("huge", "old"), cm(`own-${c}`, "1")];
      head[c] = [cm("huge", big), cm(`own-${c}`, "2")];
    }
    const report = diffFleetRuns(run(base), run(head), sides);
    expect(report.sections.map((sec) => sec.clusters)).toEqual([["a", "b", "c"], ["a"], ["b"], ["c"]]);
    const md = formatMarkdown(report, { limit: 4000 });
    expect(md.text.length).toBeLessThan(4000);
    expect(md).toMatchObject({
      truncated: true,
      omittedChanges: 1,
      omittedSections: 1,
      omittedClusters: 3,
      shortenedLists: 0,
      omittedRows: 0,
    });
    expect(md.text).not.toContain(big.slice(0, 100));
    for (const c of ["a", "b", "c"]) expect(md.text).toContain(`<b>${c}</b>`);
    expect(md.text).toContain("1 resource change left out (1 whole section, 3 clusters affected)");
    expect(md.text).toContain("run `braid preview --out FILE` for the full report");
    expect(md.text.split("<details>").length).toBe(md.text.split("</details>").length);
  });

  it("thousands of clusters sharing one change: the cluster lists are shortened, the note says so", () => {
    const base: Record<string, Resource[]> = {};
    const head: Record<string, Resource[]> = {};
    for (const c of range(3000)) {
      const name = `a-rather-long-cluster-name-${String(c).padStart(4, "0")}`;
      base[name] = [cm("shared", "v1")];
      head[name] = [cm("shared", "v2")];
    }
    const report = diffFleetRuns(run(base), run(head), sides);
    expect(report.sections).toHaveLength(1);
    const md = formatMarkdown(report);
    expect(md.text.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(md).toMatchObject({ truncated: true, omittedChanges: 0, shortenedLists: 2 });
    expect(md.text.split("```diff").length - 1).toBe(1);
    expect(md.text).toContain("<details><summary>3000 clusters</summary>a-rather-long-cluster-name-0000, ");
    expect(md.text).toContain("<details><summary>Applies to 3000 clusters</summary>");
    expect(md.text).toMatch(/, … and \d+ more \(see the full report\)/);
    expect(md.text).toContain("2 cluster lists shortened");
    const full = formatMarkdown(report, { limit: Infinity });
    expect(full.truncated).toBe(false);
    expect(full.text).toContain("`a-rather-long-cluster-name-2999`");
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
  it("300 clusters with the same change are one section listing all of them; a different one is its own section", () => {
    const base: Record<string, Resource[]> = {};
    const head: Record<string, Resource[]> = {};
    for (const c of range(300)) {
      base[`c${c}`] = [cm("shared", "v1")];
      head[`c${c}`] = [cm("shared", c === 7 ? "v3" : "v2")];
    }
    base.same = [cm("shared", "v1")];
    head.same = [cm("shared", "v1")];
    const report = diffFleetRuns(run(base), run(head), sides);
    expect(report.sections.map((g) => g.clusters.length)).toEqual([299, 1]);
    expect(report.sections[1]!.clusters).toEqual(["c7"]);
    expect(report.unchanged).toEqual(["same"]);
    // the table still has per-cluster counts: every cluster ~1, so one row
    expect(report.rows).toEqual([
      {
        clusters: report.clusters.filter((c) => c.cluster !== "same").map((c) => c.cluster),
        status: "changed",
        errors: false,
        added: 0,
        changed: 1,
        removed: 0,
      },
    ]);
    const md = formatMarkdown(report).text;
    expect(md.split("+  value: v2").length - 1).toBe(1);
    for (const c of range(300)) if (c !== 7) expect(md).toContain(`\`c${c}\``);
    expect(md).toContain("Unchanged: 1 cluster.");
    expect(md).toContain("| <details><summary>300 clusters</summary>c0, c1, c10, ");
  });

  describe("30 clusters share change X, 5 of them also have their own change Y", () => {
    const names = range(30).map((i) => `k${String(i).padStart(2, "0")}`);
    const withY = ["k03", "k07", "k11", "k19", "k23"];
    const SECRET_OLD = "old-shared-secret-value";
    const SECRET_NEW = "new-shared-secret-value";
    const secret = (v: string) =>
      res({ apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "ns" }, stringData: { password: v } });
    const base: Record<string, Resource[]> = {};
    const head: Record<string, Resource[]> = {};
    // listed in reverse order: the output must not depend on the order of the input
    for (const n of [...names].reverse()) {
      base[n] = [cm("x", "x-old"), secret(SECRET_OLD), cm("y", `y-old-${n}`)];
      head[n] = [cm("x", "x-new"), secret(SECRET_NEW), cm("y", withY.includes(n) ? `y-new-${n}` : `y-old-${n}`)];
    }
    const report = diffFleetRuns(run(base), run(head), sides);
    const outputs = {
      markdown: formatMarkdown(report).text,
      "markdown (full)": formatMarkdown(report, { limit: Infinity }).text,
      text: formatPreviewText(report),
      json: formatPreviewJson(report),
    };

    it("groups per resource change: X once for all 30 clusters, each Y once for its cluster", () => {
      expect(report.sections.map((sec) => [sec.clusters, sec.changes.map((c) => c.resource)])).toEqual([
        [names, ["ConfigMap ns/x", "Secret ns/db"]],
        ...withY.map((n) => [[n], ["ConfigMap ns/y"]]),
      ]);
      expect(report.rows.map((r) => [r.clusters.length, r.changed])).toEqual([
        [25, 2],
        [5, 3],
      ]);
      expect(report.rows[1]!.clusters).toEqual(withY);
    });

    it.each(["markdown", "markdown (full)", "text"] as const)(
      "%s: X's diff appears exactly once and lists all 30 clusters; each Y once",
      (format) => {
        const out = outputs[format];
        expect(out.split("+  value: x-new").length - 1).toBe(1);
        expect(out.split("-  value: x-old").length - 1).toBe(1);
        const sections = out.split(format === "text" ? "\n=== " : "<details><summary><b>");
        const x = sections.filter((sec) => sec.includes("+  value: x-new"));
        expect(x).toHaveLength(1);
        expect(
          x[0]!.startsWith(format === "text" ? `30 clusters: ${names.join(", ")} (changed) ===` : "30 clusters</b>"),
        ).toBe(true);
        for (const n of names) expect(x[0]).toContain(format === "text" ? n : `\`${n}\``);
        expect(x[0]).toContain("+  password: sha256:"); // the Secret change is in the same section
        for (const n of withY) expect(out.split(`+  value: y-new-${n}`).length - 1).toBe(1);
        expect(out).not.toContain("y-new-k00");
        for (const secret of [SECRET_OLD, SECRET_NEW]) expect(out).not.toContain(secret);
      },
    );

    it("markdown collapses the long cluster list to a count plus <details>; the table keeps per-cluster counts", () => {
      const md = outputs.markdown;
      expect(md).toContain(
        `<details><summary><b>30 clusters</b> — ✏️ changed: ~2</summary>\n\n<details><summary>Applies to 30 clusters</summary>\n\n${names.map((n) => `\`${n}\``).join(", ")}\n\n</details>`,
      );
      expect(md).toContain(
        `| <details><summary>25 clusters</summary>${names.filter((n) => !withY.includes(n)).join(", ")}</details> | ✏️ changed | 0 | 2 | 0 |`,
      );
      expect(md).toContain(`| ${withY.join(", ")} | ✏️ changed | 0 | 3 | 0 |`);
      expect(md.indexOf("<b>30 clusters</b>")).toBeLessThan(md.indexOf("<b>k03</b>"));
      expect(md.split("<details>").length).toBe(md.split("</details>").length);
      expect(outputs.markdown).toBe(outputs["markdown (full)"]);
    });

    it("json: every distinct change once with its clusters; per-cluster counts kept", () => {
      const json = JSON.parse(outputs.json);
      expect(json.changes.map((c: { resource: string; clusters: string[] }) => [c.resource, c.clusters])).toEqual([
        ["ConfigMap ns/x", names],
        ["Secret ns/db", names],
        ...withY.map((n) => ["ConfigMap ns/y", [n]]),
      ]);
      expect(json.changes[0].diff).toContain("+  value: x-new");
      expect(json.clusters).toHaveLength(30);
      expect(json.clusters.find((c: { cluster: string }) => c.cluster === "k03")).toEqual({
        cluster: "k03",
        status: "changed",
        added: 0,
        changed: 3,
        removed: 0,
        errors: false,
      });
      expect(json.totals).toEqual({ added: 0, changed: 65, removed: 0, clustersChanged: 30, clustersUnchanged: 0 });
    });

    it("output does not depend on the order of clusters in the runs", () => {
      const sorted: Record<string, Resource[]> = {};
      const sortedHead: Record<string, Resource[]> = {};
      for (const n of names) [sorted[n], sortedHead[n]] = [base[n]!, head[n]!];
      const again = diffFleetRuns(run(sorted), run(sortedHead), sides);
      expect(formatMarkdown(again).text).toBe(outputs.markdown);
      expect(formatPreviewText(again)).toBe(outputs.text);
      expect(formatPreviewJson(again)).toBe(outputs.json);
    });
  });

  it("a new cluster's resource identical to one added in a changed cluster is shown once, with its diff", () => {
    const report = diffFleetRuns(
      run({ a: [cm("keep", "1")] }),
      run({ a: [cm("keep", "1"), cm("fresh", "1")], young: [cm("fresh", "1"), cm("own", "1")] }),
      sides,
    );
    expect(report.sections.map((sec) => [sec.clusters, sec.status, sec.changes.map((c) => c.resource)])).toEqual([
      [["a", "young"], undefined, ["ConfigMap ns/fresh"]],
      [["young"], "added", ["ConfigMap ns/own"]],
    ]);
    const md = formatMarkdown(report).text;
    expect(md).toContain("<b>2 clusters</b> — +1</summary>");
    expect(md).toContain("Applies to: `a`, `young`");
    expect(md.split("```diff").length - 1).toBe(1); // the whole new cluster's own resource is listed, not dumped
    expect(md).toContain("<b>young</b> — 🆕 added: +1");
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
    expect(JSON.parse(formatPreviewJson(report))).toMatchObject({
      ok: true,
      totals: { changed: 1 },
      changes: [{ change: "changed", resource: "ConfigMap ns/x", clusters: ["a"] }],
    });
    expect(formatPreviewText(report)).toContain("~ ConfigMap ns/x  ns/configmap-x.yaml");
  });
});
