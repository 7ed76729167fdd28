/**
 * kustomize's transformer-configuration merge, order and all: the outcomes below are what `kubectl kustomize`
 * (kustomize v5.5) builds for a kustomization with `namePrefix: p-` and one `configurations` file, checked by
 * hand against kubectl for each case.
 */
import { describe, expect, it } from "vitest";
import {
  EMPTY_CONFIG,
  mergeConfig,
  readConfig,
  SORTED_DEFAULTS,
  type TransformerConfig,
} from "./transformer-config.js";

/** kustomize's MakeTransformerConfig for one file, then the accumulator's merge of it into an empty one. */
function accumulate(file: unknown): TransformerConfig | string {
  const read = readConfig(file as never);
  if ("problem" in read) return read.problem;
  const own = mergeConfig(SORTED_DEFAULTS, mergeConfig(EMPTY_CONFIG, read) as TransformerConfig);
  return typeof own === "string" ? own : mergeConfig(EMPTY_CONFIG, own);
}

const prefixSpecs = (file: unknown) => {
  const c = accumulate(file);
  return typeof c === "string"
    ? c
    : c.namePrefix.map((s) => `${s.kind ?? "*"}${s.version ? `/${s.version}` : ""}:${s.path}`);
};

describe("configurations merge as kustomize merges them", () => {
  it("a metadata/name spec for one kind takes the place of the default (only Secrets get the prefix)", () => {
    expect(prefixSpecs({ namePrefix: [{ path: "metadata/name", kind: "Secret" }] })).toEqual(["Secret:metadata/name"]);
  });

  it("two kinds both stay; a spec narrowing only the version takes the default's place too (v1 objects keep it)", () => {
    expect(
      prefixSpecs({
        namePrefix: [
          { path: "metadata/name", kind: "Secret" },
          { path: "metadata/name", kind: "ConfigMap" },
        ],
      }),
    ).toEqual(["ConfigMap:metadata/name", "Secret:metadata/name"]);
    expect(prefixSpecs({ namePrefix: [{ path: "metadata/name", version: "v1" }] })).toEqual(["*/v1:metadata/name"]);
  });

  it("the default given again with create is a conflict; another path is added beside the default", () => {
    expect(prefixSpecs({ namePrefix: [{ path: "metadata/name", kind: "Secret", create: true }] })).toContain(
      "conflicting fieldspecs",
    );
    expect(prefixSpecs({ namePrefix: [{ path: "data/x", kind: "Secret" }] })).toEqual([
      "Secret:data/x",
      "*:metadata/name",
    ]);
  });

  it("unknown keys are refused with their path; keys match ignoring case", () => {
    expect(readConfig({ nameRefrence: [] })).toMatchObject({ at: ["nameRefrence"] });
    expect(readConfig({ commonlabels: [{ Path: "data", KIND: "ConfigMap" }] })).toMatchObject({
      commonLabels: [{ path: "data", kind: "ConfigMap" }],
    });
  });
});
