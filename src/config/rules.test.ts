import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { CODES } from "../diagnostics/codes.js";
import { checkFleetRules, FLEET_RULES } from "./rules.js";
import type { ClusterDef, Fleet, GroupDef, LayerDef, PinDef, RefSpec, SourceDef } from "./types.js";

const at = (file: string, line: number) => ({ file, line, column: 1 });
const source = (name: string, line: number): SourceDef => ({
  name,
  url: `https://example.com/${name}.git`,
  path: "",
  include: [],
  exclude: [],
  location: at("braid.yaml", line),
});
const pin = (name: string, file: string, line: number, ref?: RefSpec): PinDef => ({
  source: name,
  ...(ref ? { ref } : {}),
  location: at(file, line),
});
const layer = (name: string, file: string, sources: PinDef[]): LayerDef => ({
  name,
  file,
  sources,
  vars: {},
  varLocations: {},
  patches: [],
});
const group = (name: string, file: string, sources: PinDef[], selector: GroupDef["selector"]): GroupDef => ({
  ...layer(name, file, sources),
  priority: 0,
  selector,
  location: at(file, 1),
});
const cluster = (name: string, file: string, sources: PinDef[], labels: Record<string, string> = {}): ClusterDef => ({
  ...layer(name, file, sources),
  labels,
  annotations: {},
  location: at(file, 1),
});
const fleet = (parts: Partial<Fleet>): Fleet => ({
  dir: "/fleet",
  name: "f",
  sources: [],
  kubernetesVersion: "1.34",
  validation: { strict: true, ignoreMissingSchemas: false, skipKinds: [] },
  output: { branch: "deploy", path: "" },
  publish: { pruneThreshold: 0.5 },
  preview: { sensitivePaths: [] },
  kustomize: { remoteBases: true },
  defaults: layer("defaults", "braid.yaml", []),
  groups: [],
  clusters: [],
  ...parts,
});

/** One line per diagnostic: code, severity, file:line, message, related locations, hint. */
function lines(ds: Diagnostic[]): string[] {
  return ds.map((d) => {
    const loc = d.location ? `${d.location.file}${d.location.line ? `:${d.location.line}` : ""}` : "-";
    const rel = (d.related ?? []).map((r) => ` [${r.message} ${r.location.file}:${r.location.line}]`).join("");
    return `${d.code} ${d.severity} ${loc} ${d.message}${rel}${d.hint ? ` (hint: ${d.hint})` : ""}`;
  });
}

describe("FLEET_RULES", () => {
  it("is a list of named rules, each with a known code and a one-line description, in the order they run", () => {
    expect(FLEET_RULES.map((r) => `${r.on} ${r.name} ${r.code}`)).toEqual([
      "source source-defined-once CONFIG_DUPLICATE",
      "pin pin-source-defined CONFIG_UNKNOWN_SOURCE",
      "pin pin-listed-once CONFIG_DUPLICATE",
      "pin ref-fields-combine CONFIG_REF_CONFLICT",
      "pin ref-names-valid CONFIG_REF_NAME",
      "group group-defined-once CONFIG_DUPLICATE",
      "group group-file-name CONFIG_NAME_MISMATCH",
      "match-expression selector-values CONFIG_SELECTOR",
      "cluster cluster-defined-once CONFIG_DUPLICATE",
      "cluster cluster-file-name CONFIG_NAME_MISMATCH",
      "fleet fleet-not-empty FLEET_EMPTY",
      "group-match group-matches-a-cluster GROUP_MATCHES_NOTHING",
    ]);
    for (const r of FLEET_RULES) {
      expect(Object.keys(CODES)).toContain(r.code);
      expect(r.description).toMatch(/^[^\n]{10,100}$/);
      // a part of another kind is never checked, even when handed over
      const ctx = { fleet: fleet({}), sources: new Map(), reported: [] };
      expect(
        r.check(
          r.on === "fleet" ? { kind: "group-match", group: group("g", "groups/h.yaml", [], {}) } : { kind: "fleet" },
          ctx,
        ),
      ).toBeUndefined();
    }
  });
});

describe("checkFleetRules", () => {
  it("reports every problem in order: sources, default pins, each group (name, file, pins, selector), each cluster, then the fleet", () => {
    const f = fleet({
      sources: [source("a", 3), source("b", 4), source("a", 5), source("a", 6)],
      defaults: layer("defaults", "braid.yaml", [
        pin("zz", "braid.yaml", 10, { tag: "v1", semver: "1.x" }),
        pin("a", "braid.yaml", 11),
        pin("a", "braid.yaml", 12),
      ]),
      groups: [
        group(
          "g1",
          "groups/g1.yaml",
          [
            pin("x", "groups/g1.yaml", 5, { branch: "a..b" }),
            pin("a", "groups/g1.yaml", 6, { tag: "v1", branch: "main" }),
            pin("a", "groups/g1.yaml", 7),
            pin("a", "groups/g1.yaml", 8),
          ],
          {
            matchExpressions: [{ key: "env", operator: "In" }],
          },
        ),
        group("g1", "groups/other.yaml", [], { matchLabels: { env: "prod" } }),
        group("g1", "groups/g1b.yaml", [], { matchExpressions: [{ key: "env", operator: "Exists", values: ["x"] }] }),
        group("g2", "groups/g2.yaml", [pin("b", "groups/g2.yaml", 4, { semver: "1.x", tagPrefix: "v" })], {
          matchLabels: { env: "dev" },
        }),
      ],
      clusters: [
        cluster(
          "c1",
          "clusters/c1.yaml",
          [pin("b", "clusters/c1.yaml", 4, { name: "refs/heads/.bad" }), pin("q", "clusters/c1.yaml", 5)],
          { env: "prod" },
        ),
        cluster("c1", "clusters/c9.yaml", [pin("b", "clusters/c9.yaml", 4), pin("b", "clusters/c9.yaml", 5)]),
        cluster("c1", "clusters/c1.yaml", [], {}),
      ],
    });
    expect(lines(checkFleetRules(f))).toEqual(EXPECTED);
  });

  it("reports an empty fleet only when nothing else is wrong", () => {
    expect(lines(checkFleetRules(fleet({ sources: [source("a", 3)] })))).toEqual([
      "FLEET_EMPTY error clusters/ the fleet has no clusters (hint: add clusters/<name>.yaml files (kind: Cluster); publishing an empty fleet would prune every cluster)",
    ]);
    expect(lines(checkFleetRules(fleet({ sources: [source("a", 3), source("a", 4)] })))).toEqual([
      'CONFIG_DUPLICATE error braid.yaml:4 source "a" is defined twice [first defined here braid.yaml:3]',
    ]);
  });

  it("finds nothing wrong in a sound fleet", () => {
    const f = fleet({
      sources: [source("a", 3)],
      defaults: layer("defaults", "braid.yaml", [pin("a", "braid.yaml", 10, { semver: "1.x", tagPrefix: "v" })]),
      groups: [
        group(
          "prod",
          "groups/prod.yaml",
          [pin("a", "groups/prod.yaml", 5, { commit: "0".repeat(40), branch: "main" })],
          { matchLabels: { env: "prod" } },
        ),
      ],
      clusters: [cluster("c1", "clusters/c1.yaml", [pin("a", "clusters/c1.yaml", 4)], { env: "prod" })],
    });
    expect(checkFleetRules(f)).toEqual([]);
  });
});

/** What the rules report, in order (the order is part of the contract); a name repeated points at its first definition. */
const EXPECTED: string[] = [
  'CONFIG_DUPLICATE error braid.yaml:5 source "a" is defined twice [first defined here braid.yaml:3]',
  'CONFIG_DUPLICATE error braid.yaml:6 source "a" is defined twice [first defined here braid.yaml:3]',
  'CONFIG_UNKNOWN_SOURCE error braid.yaml:10 source "zz" is not defined in braid.yaml (hint: defined sources: a, b)',
  "CONFIG_REF_CONFLICT error braid.yaml:10 the ref sets both tag and semver (Flux would silently let the tag win); keep one",
  'CONFIG_UNKNOWN_SOURCE error groups/g1.yaml:5 source "x" is not defined in braid.yaml (hint: defined sources: a, b)',
  'CONFIG_REF_NAME error groups/g1.yaml:5 ref.branch "a..b" is not a valid Git branch name: it contains ".." (hint: use a name git accepts (git check-ref-format))',
  "CONFIG_REF_CONFLICT error groups/g1.yaml:6 the ref sets branch and tag; give one of them (only commit may be combined with branch)",
  'CONFIG_DUPLICATE error groups/g1.yaml:7 source "a" is listed twice in groups/g1.yaml [first listed here groups/g1.yaml:6]',
  'CONFIG_DUPLICATE error groups/g1.yaml:8 source "a" is listed twice in groups/g1.yaml [first listed here groups/g1.yaml:6]',
  "CONFIG_SELECTOR error groups/g1.yaml:1 matchExpressions[0] (env In) needs a non-empty values list",
  'CONFIG_DUPLICATE error groups/other.yaml:1 group "g1" is defined twice [first defined here groups/g1.yaml:1]',
  'CONFIG_NAME_MISMATCH error groups/other.yaml:1 Group "g1" is in groups/other.yaml; its metadata.name must equal the file name ("other") (hint: rename the file to groups/g1.yaml or set metadata.name: other)',
  'CONFIG_DUPLICATE error groups/g1b.yaml:1 group "g1" is defined twice [first defined here groups/g1.yaml:1]',
  'CONFIG_NAME_MISMATCH error groups/g1b.yaml:1 Group "g1" is in groups/g1b.yaml; its metadata.name must equal the file name ("g1b") (hint: rename the file to groups/g1.yaml or set metadata.name: g1b)',
  "CONFIG_SELECTOR error groups/g1b.yaml:1 matchExpressions[0] (env Exists) must not have values",
  'CONFIG_REF_NAME error clusters/c1.yaml:4 ref.name "refs/heads/.bad" is not a valid Git ref name: its component ".bad" starts with "." (hint: use a name git accepts (git check-ref-format))',
  'CONFIG_UNKNOWN_SOURCE error clusters/c1.yaml:5 source "q" is not defined in braid.yaml (hint: defined sources: a, b)',
  'CONFIG_DUPLICATE error clusters/c9.yaml:1 cluster "c1" is defined twice [first defined here clusters/c1.yaml:1]',
  'CONFIG_NAME_MISMATCH error clusters/c9.yaml:1 Cluster "c1" is in clusters/c9.yaml; its metadata.name must equal the file name ("c9") (hint: rename the file to clusters/c1.yaml or set metadata.name: c9)',
  'CONFIG_DUPLICATE error clusters/c9.yaml:5 source "b" is listed twice in clusters/c9.yaml [first listed here clusters/c9.yaml:4]',
  'CONFIG_DUPLICATE error clusters/c1.yaml:1 cluster "c1" is defined twice [first defined here clusters/c1.yaml:1]',
  'GROUP_MATCHES_NOTHING warning groups/g1.yaml:1 group "g1" matches no cluster (hint: check spec.selector against the clusters\' metadata.labels)',
  'GROUP_MATCHES_NOTHING warning groups/g2.yaml:1 group "g2" matches no cluster (hint: check spec.selector against the clusters\' metadata.labels)',
];
