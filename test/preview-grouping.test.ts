/**
 * Preview grouping by the change itself: the same image bump in dev-1 and prod-1 is one change listing both
 * clusters, although the diffs' context lines hold each cluster's own value; a change that differs between
 * clusters stays separate, each with its own context.
 */
import { describe, expect, it } from "vitest";
import { idOf, type JsonObject, type Resource } from "../src/model/resource.js";
import type { FleetRun } from "../src/pipeline/render-fleet.js";
import { changeKey, DIFFERS, mergeDiffs } from "../src/preview/change-key.js";
import { diffFleetRuns } from "../src/preview/diff-runs.js";
import { formatMarkdown } from "../src/preview/format-markdown.js";
import { formatPreviewText } from "../src/preview/format-text.js";

function res(object: JsonObject): Resource {
  return {
    id: idOf(object),
    object,
    origin: { source: "s", commit: "c", file: "f.yaml", docIndex: 0, line: 1, column: 1 },
    positions: [],
  };
}

/** A Deployment whose env holds the cluster's name right next to the image (so every diff's context differs). */
function web(cluster: string, image: string, replicas = 2): Resource {
  return res({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "web" },
    spec: {
      replicas,
      template: { spec: { containers: [{ name: "web", env: [{ name: "CLUSTER", value: cluster }], image }] } },
    },
  });
}

function run(clusters: Record<string, Resource[]>): FleetRun {
  return {
    fleet: { preview: { sensitivePaths: [] } },
    diagnostics: [],
    clusters: Object.entries(clusters).map(([name, resources]) => ({ name, resources, ok: true, diagnostics: [] })),
  } as unknown as FleetRun;
}

const sides = { base: { rev: "main", commit: "a".repeat(40) }, head: { rev: "pr", commit: "b".repeat(40) } };

describe("preview grouping", () => {
  it("one image bump in two clusters is one change listing both, context values that differ marked", () => {
    const report = diffFleetRuns(
      run({ "dev-1": [web("dev-1", "nginx:1.27")], "prod-1": [web("prod-1", "nginx:1.27")] }),
      run({ "dev-1": [web("dev-1", "nginx:1.28")], "prod-1": [web("prod-1", "nginx:1.28")] }),
      sides,
    );
    expect(report.sections).toHaveLength(1);
    const [section] = report.sections;
    expect(section!.clusters).toEqual(["dev-1", "prod-1"]);
    expect(section!.changes).toHaveLength(1);
    const diff = section!.changes[0]!.diff;
    expect(diff).toContain("-        image: nginx:1.27\n+        image: nginx:1.28");
    expect(diff).toContain(`\n           value: ${DIFFERS}\n`);
    expect(diff).not.toContain("value: dev-1");
    expect(diff).not.toContain("value: prod-1");
    const md = formatMarkdown(report).text;
    expect(md.match(/image: nginx:1\.28/g)).toHaveLength(1);
    expect(md).toContain("Applies to: `dev-1`, `prod-1`");
    expect(formatPreviewText(report).match(/image: nginx:1\.28/g)).toHaveLength(1);
  });

  it("a change that differs per cluster stays separate, each with its own context", () => {
    const report = diffFleetRuns(
      run({ "dev-1": [web("dev-1", "nginx:1.27")], "prod-1": [web("prod-1", "nginx:1.27")] }),
      run({ "dev-1": [web("dev-1", "nginx:1.28")], "prod-1": [web("prod-1", "nginx:1.29")] }),
      sides,
    );
    expect(report.sections.map((s) => s.clusters)).toEqual([["dev-1"], ["prod-1"]]);
    expect(report.sections[0]!.changes[0]!.diff).toContain("value: dev-1");
    expect(report.sections[1]!.changes[0]!.diff).toContain("value: prod-1");
  });

  it("changeKey keeps only the changed lines; mergeDiffs falls back to the first diff when shapes differ", () => {
    const a = "--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a: 1\n-b: 2\n+b: 3\n c: dev\n";
    const b = "--- a/x\n+++ b/x\n@@ -4,3 +4,3 @@\n a: 1\n-b: 2\n+b: 3\n c: prod\n";
    expect(changeKey(a)).toBe("-b: 2\n+b: 3");
    expect(changeKey(b)).toBe(changeKey(a));
    expect(mergeDiffs([a, b])).toBe(`--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a: 1\n-b: 2\n+b: 3\n c: ${DIFFERS}\n`);
    expect(mergeDiffs([a, b + " d: extra\n"])).toBe(a);
  });
});
