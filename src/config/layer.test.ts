import { describe, expect, it } from "vitest";
import { effectiveCluster } from "./layer.js";
import type { ClusterDef, Fleet, GroupDef, LayerDef, PinDef, SourceDef } from "./types.js";

const loc = { file: "x.yaml", line: 1, column: 1 };
const source = (name: string, substitute?: boolean): SourceDef => ({
  name,
  url: `../${name}`,
  path: "",
  include: ["**/*.yaml"],
  exclude: [],
  ...(substitute !== undefined ? { substitute } : {}),
  location: loc,
});
const layer = (name: string, sources: PinDef[]): LayerDef => ({
  name,
  file: `${name}.yaml`,
  sources,
  vars: {},
  varLocations: {},
  patches: [],
});
const pin = (s: string, extra: Partial<PinDef> = {}): PinDef => ({ source: s, location: loc, ...extra });

function fleet(sources: SourceDef[], groups: GroupDef[] = []): Fleet {
  return {
    sources,
    defaults: layer(
      "fleet",
      sources.map((s) => pin(s.name)),
    ),
    groups,
    clusters: [],
  } as unknown as Fleet;
}
const cluster = (sources: PinDef[], labels: Record<string, string> = {}): ClusterDef => ({
  ...layer("c1", sources),
  labels,
  annotations: {},
  location: loc,
});
const group = (name: string, sources: PinDef[]): GroupDef => ({
  ...layer(name, sources),
  priority: 0,
  selector: {},
  location: loc,
});

const substituteOf = (f: Fleet, c: ClusterDef) =>
  Object.fromEntries(effectiveCluster(f, c).pins.map((p) => [p.source.name, p.substitute]));

describe("effectiveCluster: substitute per source, layered like pins", () => {
  it("defaults to true, and takes the source's own setting", () => {
    expect(substituteOf(fleet([source("a"), source("b", false)]), cluster([]))).toEqual({ a: true, b: false });
  });
  it("a group overrides the source, the cluster overrides the group; a layer that does not say keeps the setting below", () => {
    const f = fleet(
      [source("a", false), source("b")],
      [group("g", [pin("a", { substitute: true }), pin("b", { substitute: false })])],
    );
    expect(substituteOf(f, cluster([]))).toEqual({ a: true, b: false });
    expect(substituteOf(f, cluster([pin("a", { substitute: false }), pin("b")]))).toEqual({ a: false, b: false });
    expect(substituteOf(f, cluster([pin("b", { ref: { tag: "v2" } })]))).toEqual({ a: true, b: false });
  });
});
