import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { Resource } from "../model/resource.js";
import {
  addTransformations,
  finishBuildMetadata,
  goJoin,
  originText,
  ORIGIN_ANNOTATION,
  TRANSFORMATIONS_ANNOTATION,
  transformationsText,
} from "./build-metadata.js";

const resource = (annotations?: Record<string, string>): Resource => ({
  id: { group: "", version: "v1", kind: "ConfigMap", namespace: "", name: "x" },
  object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", ...(annotations ? { annotations } : {}) } },
  origin: { source: "s", commit: "0".repeat(40), file: "x.yaml", docIndex: 0, line: 1, column: 1 },
  positions: [],
});

describe("build metadata", () => {
  it("joins paths as Go's filepath.Join: cleaned, empty elements ignored", () => {
    expect(goJoin("", "./cm.yaml")).toBe("cm.yaml");
    expect(goJoin("../../base/", "deploy.yaml")).toBe("../../base/deploy.yaml");
    expect(goJoin("a/b", "../../../c")).toBe("../c");
    expect(goJoin("", "")).toBe("");
    expect(goJoin("overlay", "../base/")).toBe("base");
  });

  // each as `kubectl kustomize` (kustomize v5.5, go-yaml v3) wrote it
  it("writes paths as go-yaml does: plain, single-quoted where plain cannot be, double-quoted where it would read back as another type", () => {
    const path = (p: string) => originText({ path: p }).slice("path: ".length, -1);
    expect(["x:y.yaml", "-a.yaml", "?q.yaml", "a'b", "é.yaml", "2024-01-01.yaml", "0b12"].map(path)).toEqual([
      "x:y.yaml",
      "-a.yaml",
      "?q.yaml",
      "a'b",
      "é.yaml",
      "2024-01-01.yaml",
      "0b12",
    ]);
    expect(["@y.yaml", "- odd.yaml", "a: b.yaml", "x #y.yaml", " lead", "'q.yaml", "---a", "-"].map(path)).toEqual([
      "'@y.yaml'",
      "'- odd.yaml'",
      "'a: b.yaml'",
      "'x #y.yaml'",
      "' lead'",
      "'''q.yaml'",
      "'---a'",
      "'-'",
    ]);
    expect(["yes", "Off", "~", "1.0", "0o17", "1_000.5", "12:30", "2024-01-01", ".inf"].map(path)).toEqual([
      '"yes"',
      '"Off"',
      '"~"',
      '"1.0"',
      '"0o17"',
      '"1_000.5"',
      '"12:30"',
      '"2024-01-01"',
      '".inf"',
    ]);
  });

  it("appends each transformer to an object's transformations; an object without origin takes it as its origin", () => {
    const by = {
      configuredIn: "kustomization.yaml",
      configuredBy: { apiVersion: "builtin", kind: "PatchTransformer" },
    };
    const diagnostics: Diagnostic[] = [];
    const [tracked, bare] = addTransformations(
      [resource({ [ORIGIN_ANNOTATION]: "path: cm.yaml\n" }), resource()],
      by,
      2,
      diagnostics,
    );
    const annotations = (r: Resource) => (r.object.metadata as { annotations?: Record<string, string> }).annotations;
    expect(annotations(tracked!)![TRANSFORMATIONS_ANNOTATION]).toBe(transformationsText([by, by]));
    expect(annotations(tracked!)![TRANSFORMATIONS_ANNOTATION]).toBe(
      "- configuredIn: kustomization.yaml\n  configuredBy:\n    apiVersion: builtin\n    kind: PatchTransformer\n".repeat(
        2,
      ),
    );
    expect(annotations(bare!)).toEqual({
      [ORIGIN_ANNOTATION]: originText(by),
      [TRANSFORMATIONS_ANNOTATION]: transformationsText([by]),
    });
    expect(diagnostics).toEqual([]);
    // an origin that is not kustomize's is an error, as kustomize fails to read it
    const broken = addTransformations([resource({ [ORIGIN_ANNOTATION]: "[1]" })], by, 1, diagnostics);
    expect(broken).toHaveLength(1);
    expect(diagnostics).toHaveLength(1);
  });

  it("removes what the build does not keep, and an annotations mapping left empty", () => {
    const r = resource({ [ORIGIN_ANNOTATION]: "path: a\n", [TRANSFORMATIONS_ANNOTATION]: "[]" });
    expect(finishBuildMetadata([r], undefined)[0]!.object.metadata).toEqual({ name: "x" });
    expect(finishBuildMetadata([r], { origin: true, transformations: false })[0]!.object.metadata).toEqual({
      name: "x",
      annotations: { [ORIGIN_ANNOTATION]: "path: a\n" },
    });
    const plain = resource({ keep: "me" });
    expect(finishBuildMetadata([plain], undefined)[0]).toBe(plain);
  });
});
