import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { batchSize } from "../config/rollout-def.js";
import type { WavePlan } from "../config/rollout-plan.js";
import type { RolloutDef, RolloutState } from "../config/rollout-types.js";

/** A cluster's deploy commit that carries its target output, and its commit time. */
export interface Deployed {
  commit: string;
  /** Milliseconds since the epoch. */
  at: number;
}

/** What the I/O edge found out for a step: deploy commits and Flux's commit statuses. */
export interface RolloutFacts {
  now: number;
  /** Per moved cluster: the first deploy commit carrying its target output (absent: not published yet). */
  deployed: ReadonlyMap<string, Deployed>;
  /** Per moved cluster of a wave with a health gate: what Flux reported on that deploy commit. */
  health: ReadonlyMap<string, "success" | "failure" | "pending">;
}

/** Gate state of one wave, for `status` and `advance`. */
export interface WaveStatus {
  wave: string;
  clusters: string[];
  moved: string[];
  /** Moved clusters whose new output is on the deploy branch. */
  deployed: string[];
  /** Time of the wave's last deploy commit, once every cluster is deployed. */
  deployedAt?: number;
  gate: string;
  passed: boolean;
}

/** The result of one advance step. */
export interface AdvanceResult {
  state: RolloutState;
  /** Clusters moved to the target by this step. */
  moved: string[];
  /** Why nothing (more) moved. */
  waiting?: string;
  diagnostics: Diagnostic[];
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The gate state of every wave (pure). */
export function waveStatuses(
  def: RolloutDef,
  plan: readonly WavePlan[],
  state: RolloutState,
  facts: RolloutFacts,
): WaveStatus[] {
  const movedAt = new Map(state.clusters.filter((c) => c.movedAt).map((c) => [c.name, c.movedAt!]));
  const approved = new Set((state.approvals ?? []).map((a) => a.name));
  return plan.map(({ wave, clusters }) => {
    if (clusters.length === 0)
      return { wave: wave.name, clusters, moved: [], deployed: [], gate: "no clusters", passed: true };
    const moved = clusters.filter((c) => movedAt.has(c));
    const deployed = moved.filter((c) => facts.deployed.has(c));
    const all = moved.length === clusters.length && deployed.length === moved.length;
    const deployedAt = all && clusters.length ? Math.max(...clusters.map((c) => facts.deployed.get(c)!.at)) : undefined;
    const parts: string[] = [];
    let passed = all;
    if (moved.length < clusters.length) parts.push(`${clusters.length - moved.length} to move`);
    else if (deployed.length < moved.length)
      parts.push(`waiting for braid publish (${moved.length - deployed.length})`);
    if (wave.gate.health) {
      const bad = deployed.filter((c) => facts.health.get(c) === "failure");
      const pending = deployed.filter((c) => facts.health.get(c) !== "success" && facts.health.get(c) !== "failure");
      if (bad.length) parts.push(`health failed: ${bad.join(", ")}`);
      else if (pending.length) parts.push(`health pending: ${pending.length}`);
      else if (all) parts.push("healthy");
      passed &&= bad.length === 0 && pending.length === 0;
    }
    if (wave.gate.soakMs !== undefined && deployedAt !== undefined) {
      const until = deployedAt + wave.gate.soakMs;
      const soaked = facts.now >= until;
      parts.push(soaked ? `soaked ${wave.gate.soak}` : `soaking until ${iso(until)}`);
      passed &&= soaked;
    } else if (wave.gate.soakMs !== undefined) passed = false;
    if (wave.gate.approval) {
      const ok = approved.has(wave.gate.approval);
      parts.push(ok ? `approved (${wave.gate.approval})` : `needs approval "${wave.gate.approval}"`);
      passed &&= ok;
    }
    return {
      wave: wave.name,
      clusters,
      moved,
      deployed,
      ...(deployedAt !== undefined ? { deployedAt } : {}),
      gate: parts.join("; ") || (passed ? "passed" : ""),
      passed,
    };
  });
}

/**
 * One advance step (pure, deterministic, idempotent): in the first wave that has not passed its gate, wait for
 * the moved clusters to be published (and healthy, with a health gate), then move the next batch of at most
 * `maxParallel` clusters (by name); once every cluster of the wave is out, wait for soak and approval before the
 * next wave. A failed or timed-out health check pauses the rollout with an error. Running it again without new
 * facts moves nothing.
 */
export function advanceRollout(
  def: RolloutDef,
  plan: readonly WavePlan[],
  state: RolloutState,
  facts: RolloutFacts,
): AdvanceResult {
  if (state.phase !== "active")
    return {
      state,
      moved: [],
      waiting: `the rollout is ${state.phase}${state.reason ? ` (${state.reason})` : ""}`,
      diagnostics: [],
    };
  const statuses = waveStatuses(def, plan, state, facts);
  for (const [i, { wave, clusters }] of plan.entries()) {
    const st = statuses[i]!;
    if (st.passed) continue;
    if (st.deployed.length < st.moved.length)
      return {
        state,
        moved: [],
        waiting: `wave ${wave.name}: waiting for braid publish of ${st.moved.filter((c) => !st.deployed.includes(c)).join(", ")}`,
        diagnostics: [],
      };
    if (wave.gate.health && st.moved.length) {
      const bad = st.moved.filter((c) => facts.health.get(c) === "failure");
      const since = Math.max(...st.moved.map((c) => facts.deployed.get(c)!.at));
      const pending = st.moved.filter((c) => facts.health.get(c) !== "success" && facts.health.get(c) !== "failure");
      const timedOut = pending.length > 0 && facts.now - since > wave.gate.healthTimeoutMs;
      if (bad.length || timedOut) {
        const reason = bad.length
          ? `Flux reported a failure for ${bad.join(", ")} in wave ${wave.name}`
          : `no success from Flux for ${pending.join(", ")} in wave ${wave.name} within ${Math.round(wave.gate.healthTimeoutMs / 60000)}m`;
        return {
          state: { ...state, phase: "paused", reason },
          moved: [],
          diagnostics: [
            {
              code: "ROLLOUT_HEALTH",
              severity: "error",
              message: `rollout ${def.name} paused: ${reason}`,
              location: wave.location,
              hint: `inspect the clusters; then braid rollout resume ${def.name} (to retry) or braid rollout abort ${def.name} (to return every moved cluster)`,
            },
          ],
        };
      }
      if (pending.length)
        return {
          state,
          moved: [],
          waiting: `wave ${wave.name}: waiting for Flux to report on ${pending.join(", ")}`,
          diagnostics: [],
        };
    }
    const unmoved = clusters.filter((c) => !st.moved.includes(c));
    if (unmoved.length) {
      const batch = unmoved.slice(0, batchSize(wave.maxParallel, clusters.length));
      const at = iso(facts.now);
      const names = new Set(batch);
      return {
        state: { ...state, clusters: state.clusters.map((c) => (names.has(c.name) ? { ...c, movedAt: at } : c)) },
        moved: batch,
        diagnostics: [],
      };
    }
    return { state, moved: [], waiting: `wave ${wave.name}: ${st.gate}`, diagnostics: [] };
  }
  return { state: { ...state, phase: "complete" }, moved: [], waiting: "every wave has passed", diagnostics: [] };
}
