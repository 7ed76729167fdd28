import { describe, expect, it } from "vitest";
import { diskFleetReader } from "../src/config/fleet-files.js";
import { effectiveCluster } from "../src/config/layer.js";
import { loadFleet } from "../src/config/load-fleet.js";
import { diffFleetRuns } from "../src/preview/diff-runs.js";
import { formatPreviewText as formatText } from "../src/preview/format-text.js";
import type { FleetRun } from "../src/pipeline/render-fleet.js";
import { clusterYaml, fleetYaml, writeFleet } from "./helpers/fleet-dir.js";

const SOURCES = `    - name: apps
      url: ../apps
      ref: { tag: v1.0.0 }
    - name: obs
      url: ../obs
      ref: { tag: v1.0.0 }
    - name: canary
      url: ../canary
      ref: { tag: v1.0.0 }
      enabled: false`;

const group = (name: string, env: string, sources: string) => `apiVersion: braid/v1alpha1
kind: Group
metadata: { name: ${name} }
spec:
  selector: { matchLabels: { env: ${env} } }
  sources: ${sources}
`;

async function pinsOf(files: Record<string, string>) {
  const { fleet, diagnostics } = await loadFleet(diskFleetReader(await writeFleet(files)));
  expect(diagnostics).toEqual([]);
  return Object.fromEntries(
    fleet!.clusters.map((c) => {
      const e = effectiveCluster(fleet!, c);
      return [c.name, { pins: e.pins.map((p) => `${p.source.name}@${p.ref?.tag}`), disabled: e.disabledSources }];
    }),
  );
}

describe("explicit source sets", () => {
  it("overriding one pin never drops the other sources (it did: listing only apps lost obs)", async () => {
    const got = await pinsOf({
      "braid.yaml": fleetYaml(SOURCES),
      "clusters/a.yaml": clusterYaml("a", "  sources: [ { name: apps, ref: { tag: v2.0.0 } } ]"),
      "clusters/b.yaml": clusterYaml("b"),
    });
    expect(got).toEqual({
      a: { pins: ["apps@v2.0.0", "obs@v1.0.0"], disabled: ["canary"] },
      b: { pins: ["apps@v1.0.0", "obs@v1.0.0"], disabled: ["canary"] },
    });
  });

  it("removes a source only with enabled: false; a disabled-by-default source is opted into with enabled: true", async () => {
    const got = await pinsOf({
      "braid.yaml": fleetYaml(SOURCES),
      "groups/dev.yaml": group("dev", "dev", "[ { name: canary, enabled: true }, { name: obs, enabled: false } ]"),
      "clusters/d1.yaml": clusterYaml("d1", "", "{ env: dev }"),
      // the cluster's layer comes last: it runs obs again, with its own pin
      "clusters/d2.yaml": clusterYaml(
        "d2",
        "  sources: [ { name: obs, enabled: true, ref: { tag: v3.0.0 } } ]",
        "{ env: dev }",
      ),
      // a ref alone does not enable a disabled source
      "clusters/p1.yaml": clusterYaml("p1", "  sources: [ { name: canary, ref: { tag: v9.0.0 } } ]", "{ env: prod }"),
    });
    expect(got).toEqual({
      d1: { pins: ["apps@v1.0.0", "canary@v1.0.0"], disabled: ["obs"] },
      d2: { pins: ["apps@v1.0.0", "obs@v3.0.0", "canary@v1.0.0"], disabled: [] },
      p1: { pins: ["apps@v1.0.0", "obs@v1.0.0"], disabled: ["canary"] },
    });
  });

  it("a group's pin survives a cluster entry without ref", async () => {
    const got = await pinsOf({
      "braid.yaml": fleetYaml(SOURCES),
      "groups/prod.yaml": group("prod", "prod", "[ { name: apps, ref: { tag: v1.5.0 } } ]"),
      "clusters/p.yaml": clusterYaml("p", "  sources: [ { name: apps } ]", "{ env: prod }"),
    });
    expect(got.p).toEqual({ pins: ["apps@v1.5.0", "obs@v1.0.0"], disabled: ["canary"] });
  });

  it("rejects enabled that is not a boolean, with its position", async () => {
    const { diagnostics } = await loadFleet(
      diskFleetReader(
        await writeFleet({
          "braid.yaml": fleetYaml(SOURCES),
          "clusters/a.yaml": clusterYaml("a", "  sources: [ { name: apps, enabled: nope } ]"),
        }),
      ),
    );
    expect(diagnostics.map((d) => [d.code, d.location?.file, d.location?.line])).toEqual([
      ["CONFIG_SCHEMA", "clusters/a.yaml", 7],
    ]);
  });
});

describe("a change of a cluster's source set in the preview", () => {
  const run = (sets: Record<string, string[]>) =>
    ({
      diagnostics: [],
      clusters: Object.entries(sets).map(([name, sources]) => ({
        name,
        cluster: { name, pins: sources.map((s) => ({ source: { name: s } })) },
        pins: [],
        resources: [],
        diagnostics: [],
        ok: true,
        inputDigest: "",
      })),
    }) as unknown as FleetRun;

  it("is a note in every format and a field of the cluster", () => {
    const report = diffFleetRuns(
      run({ a: ["apps", "obs"], b: ["apps"] }),
      run({ a: ["apps", "canary"], b: ["apps"] }),
      {
        base: { rev: "main" },
        head: { rev: "pr" },
      },
    );
    expect(report.clusters.map((c) => [c.cluster, c.sources])).toEqual([
      ["a", { added: ["canary"], removed: ["obs"] }],
      ["b", undefined],
    ]);
    expect(report.notes).toEqual(["cluster a changes which sources it runs: +canary -obs"]);
    expect(formatText(report)).toContain("note: cluster a changes which sources it runs: +canary -obs\n");
  });
});
