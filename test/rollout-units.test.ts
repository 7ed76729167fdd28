import { describe, expect, it } from "vitest";
import { diskFleetReader } from "../src/config/fleet-files.js";
import { effectiveCluster } from "../src/config/layer.js";
import { loadFleet } from "../src/config/load-fleet.js";
import { diffFleetRuns } from "../src/preview/diff-runs.js";
import { formatMarkdown } from "../src/preview/format-markdown.js";
import type { FleetRun } from "../src/pipeline/render-fleet.js";
import { advanceRollout } from "../src/rollout/advance.js";
import { planRollout } from "../src/config/rollout-plan.js";
import { healthFromStatuses } from "../src/rollout/flux-health.js";
import { batchSize } from "../src/config/rollout-def.js";
import type { RolloutState } from "../src/config/rollout-types.js";
import { clusterYaml, fleetYaml, writeFleet } from "./helpers/fleet-dir.js";

const ROLLOUT = (waves: string) => `apiVersion: braid/v1alpha1
kind: Rollout
metadata: { name: apps-v2 }
spec:
  source: apps
  target: { tag: v2.0.0 }
  waves:
${waves}`;

async function fleetWith(rollout: string | undefined, extra: Record<string, string> = {}) {
  const files: Record<string, string> = {
    "braid.yaml": fleetYaml("    - name: apps\n      url: ../apps\n      ref: { tag: v1.0.0 }"),
    "clusters/dev-1.yaml": clusterYaml("dev-1", "", "{ env: dev }"),
    "clusters/prod-1.yaml": clusterYaml("prod-1", "", "{ env: prod }"),
    "clusters/prod-2.yaml": clusterYaml("prod-2", "", "{ env: prod }"),
    ...extra,
  };
  if (rollout) files["rollouts/apps-v2.yaml"] = rollout;
  return loadFleet(diskFleetReader(await writeFleet(files)));
}

const WAVES = `    - { name: dev, selector: { matchLabels: { env: dev } }, gate: { soak: 2h, approval: go } }
    - { name: empty, selector: { matchLabels: { env: nowhere } }, gate: { soak: 1h } }
    - { name: prod, selector: { matchLabels: { env: prod } }, maxParallel: "50%", gate: { health: flux-commit-status } }
`;

describe("rollout units", () => {
  it.each<[number | string | undefined, number, number]>([
    [undefined, 7, 7],
    [2, 7, 2],
    ["50%", 7, 4],
    ["10%", 3, 1],
    ["100%", 3, 3],
  ])("maxParallel %s of %i clusters moves %i per step", (max, size, want) => expect(batchSize(max, size)).toBe(want));

  it.each<[string, { context: string; state: string }[], string]>([
    ["no status yet", [], "pending"],
    ["its Kustomization succeeded", [{ context: "kustomization/braid-prod-1/8f1c2d3e", state: "success" }], "success"],
    [
      "context is lower-cased by Flux",
      [{ context: "kustomization/braid-prod-1/8f1c2d3e", state: "success" }],
      "success",
    ],
    ["another cluster's failure", [{ context: "kustomization/braid-prod-10/8f1c2d3e", state: "failure" }], "pending"],
    [
      "a failure of its own wins",
      [
        { context: "kustomization/braid-prod-1/aaaa", state: "success" },
        { context: "kustomization/braid-prod-1/bbbb", state: "error" },
      ],
      "failure",
    ],
    ["a pending report", [{ context: "kustomization/braid-prod-1/8f1c2d3e", state: "pending" }], "pending"],
  ])("health of braid-prod-1: %s", (_n, statuses, want) =>
    expect(healthFromStatuses(statuses, "braid-Prod-1".toLowerCase())).toBe(want),
  );

  it("rejects a malformed rollout with its position", async () => {
    const { diagnostics } = await fleetWith(ROLLOUT("    - { name: dev, selector: {}, maxParallel: 0 }\n"));
    expect(diagnostics.map((d) => [d.code, d.location?.file, d.location?.line])).toEqual([
      ["CONFIG_SCHEMA", "rollouts/apps-v2.yaml", 8],
    ]);
  });

  it("an empty wave passes; soak counts from the wave's last deploy commit", async () => {
    const { fleet } = await fleetWith(ROLLOUT(WAVES));
    const def = fleet!.rollouts![0]!;
    const { plan, diagnostics } = planRollout(
      fleet!,
      def,
      fleet!.clusters.map((c) => effectiveCluster(fleet!, c)),
    );
    expect(diagnostics).toEqual([]);
    expect(plan.map((w) => [w.wave.name, w.clusters])).toEqual([
      ["dev", ["dev-1"]],
      ["empty", []],
      ["prod", ["prod-1", "prod-2"]],
    ]);
    const pinned = { commit: "a".repeat(40), tag: "v1.0.0" };
    const state: RolloutState = {
      name: "apps-v2",
      source: "apps",
      phase: "active",
      target: { commit: "b".repeat(40), tag: "v2.0.0" },
      clusters: [
        { name: "dev-1", wave: "dev", previous: pinned, movedAt: "2030-01-01T00:00:00.000Z" },
        { name: "prod-1", wave: "prod", previous: pinned },
        { name: "prod-2", wave: "prod", previous: pinned },
      ],
    };
    const deployedAt = Date.parse("2030-01-01T00:10:00Z");
    const facts = (minutes: number) => ({
      now: deployedAt + minutes * 60_000,
      deployed: new Map([["dev-1", { commit: "c".repeat(40), at: deployedAt }]]),
      health: new Map(),
    });
    expect(advanceRollout(def, plan, state, facts(119)).waiting).toBe(
      'wave dev: soaking until 2030-01-01T02:10:00.000Z; needs approval "go"',
    );
    expect(advanceRollout(def, plan, state, facts(120)).moved).toEqual([]);
    expect(advanceRollout(def, plan, state, facts(120)).waiting).toBe('wave dev: soaked 2h; needs approval "go"');
    const approved = { ...state, approvals: [{ name: "go", at: "2030-01-01T03:00:00Z" }] };
    const step = advanceRollout(def, plan, approved, facts(121));
    expect(step.moved).toEqual(["prod-1"]);
    expect(step.state.clusters.find((c) => c.name === "prod-1")!.movedAt).toBe("2030-01-01T02:11:00.000Z");
  });

  it("the preview of a PR that adds a rollout shows its wave plan", async () => {
    const base = await fleetWith(undefined);
    const head = await fleetWith(ROLLOUT(WAVES));
    const runOf = (f: typeof base) =>
      ({
        fleet: f.fleet,
        diagnostics: [],
        clusters: f.fleet!.clusters.map((c) => ({
          name: c.name,
          cluster: effectiveCluster(f.fleet!, c),
          pins: [],
          resources: [],
          diagnostics: [],
          ok: true,
          inputDigest: "",
        })),
      }) as unknown as FleetRun;
    const report = diffFleetRuns(runOf(base), runOf(head), { base: { rev: "main" }, head: { rev: "pr" } });
    const note =
      'rollout apps-v2 added: source apps → v2.0.0, waves in order: 1. dev: dev-1 (1 at a time; gate: soak 2h, approval "go"); 2. empty: no clusters (1 at a time; gate: soak 1h); 3. prod: prod-1, prod-2 (1 at a time; gate: Flux health (timeout 60m))';
    expect(report.notes).toEqual([note]);
    expect(formatMarkdown(report).text).toContain("rollout apps-v2 added");
    // unchanged at head: no note
    expect(diffFleetRuns(runOf(head), runOf(head), { base: { rev: "a" }, head: { rev: "b" } }).notes).toEqual([]);
  });
});
