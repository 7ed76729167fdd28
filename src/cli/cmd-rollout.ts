import { exitCodeFor, type Diagnostic } from "../diagnostics/diagnostic.js";
import { BraidError } from "../diagnostics/diagnostic.js";
import { advanceRollout, waveStatuses, type WaveStatus } from "../rollout/advance.js";
import type { GithubStatusTarget } from "../rollout/flux-health.js";
import {
  currentState,
  gatherFacts,
  loadRolloutContext,
  planOf,
  RolloutProblems,
  selectRollouts,
  writeRolloutLock,
  type RolloutContext,
} from "../rollout/run-rollout.js";
import type { RolloutDef, RolloutState } from "../config/rollout-types.js";
import { braidNow } from "./clock.js";
import { commitAuthor } from "./cmd-publish.js";
import { fleetDir, pickFormat, printDiagnostics, sourceEnv, table } from "./common.js";
import { codeFrames } from "./code-frames.js";
import { diskFleetReader } from "../config/fleet-files.js";
import type { CliIO } from "./io.js";
import { pushAll } from "../model/append.js";

export const ROLLOUT_HELP = `braid rollout status  [NAME] [--format text|json]
braid rollout advance [NAME] [--dry-run] [--repo owner/name] [--format text|json]
braid rollout approve NAME [APPROVAL] [--by WHO]
braid rollout pause|resume|abort NAME

Moves a source's new version through the waves of rollouts/<name>.yaml. Every command that changes something
writes only braid.lock (the rollout state and the pins it implies) and commits it on its own; braid publish then
renders the moved clusters. advance is deterministic and idempotent: run it, then publish, from the scheduled job.
Health gates read Flux's commit statuses on the deploy commits through the GitHub API (GITHUB_TOKEN, --repo or
GITHUB_REPOSITORY, GITHUB_API_URL). BRAID_NOW sets the clock (ISO time or unix seconds).
Exit: 0 ok; 1 config problems or a failed health gate (the rollout is paused); 2 usage; 3 GitHub or network.
`;

interface RolloutFlags {
  fleet?: string;
  format?: string;
  quiet?: boolean;
  "dry-run"?: boolean;
  repo?: string;
  by?: string;
}

const VERBS = ["status", "advance", "approve", "pause", "resume", "abort"] as const;

/** `braid rollout <verb> …`. */
export async function rolloutCommand(io: CliIO, values: RolloutFlags, positionals: string[]): Promise<number> {
  const [verb, name, extra] = positionals;
  if (!verb || !(VERBS as readonly string[]).includes(verb))
    throw new BraidError({
      code: "USAGE",
      message: `braid rollout needs one of ${VERBS.join(", ")}${verb ? ` (got "${verb}")` : ""}`,
      hint: ROLLOUT_HELP.split("\n")[0],
    });
  const format = pickFormat(values.format, ["text", "json"], "text");
  const senv = sourceEnv(io, fleetDir(io, values.fleet));
  const { ctx, diagnostics } = await loadRolloutContext(senv);
  if (!ctx) {
    printDiagnostics(
      io,
      diagnostics,
      "text",
      false,
      await codeFrames(diagnostics, { reader: diskFleetReader(senv.fleetDir) }),
    );
    return exitCodeFor(diagnostics) || 1;
  }
  try {
    if (verb === "status") return await status(io, ctx, name, format, values);
    if (verb === "advance") return await advance(io, ctx, name, format, values);
    if (!name) throw new BraidError({ code: "USAGE", message: `braid rollout ${verb} needs the rollout's name` });
    return await change(io, ctx, verb as "approve" | "pause" | "resume" | "abort", name, extra, values);
  } catch (e) {
    if (e instanceof RolloutProblems) {
      printDiagnostics(
        io,
        e.diagnostics,
        "text",
        false,
        await codeFrames(e.diagnostics, { reader: diskFleetReader(senv.fleetDir) }),
      );
      return 1;
    }
    throw e;
  }
}

function githubTarget(io: CliIO, values: RolloutFlags): GithubStatusTarget | undefined {
  const token = io.env.GITHUB_TOKEN;
  const full = values.repo ?? io.env.GITHUB_REPOSITORY;
  if (!token || !full) return undefined;
  const [owner, repo] = full.split("/");
  if (!owner || !repo) throw new BraidError({ code: "USAGE", message: `--repo must be owner/name (got "${full}")` });
  return {
    token,
    owner,
    repo,
    apiUrl: (io.env.GITHUB_API_URL || "https://api.github.com").replace(/\/+$/, ""),
    env: io.env,
  };
}

const short = (p: { commit: string; tag?: string; branch?: string; version?: string }) =>
  p.version ? `Kubernetes ${p.version}` : `${p.tag ?? p.branch ?? "commit"} (${p.commit.slice(0, 7)})`;

async function status(
  io: CliIO,
  ctx: RolloutContext,
  name: string | undefined,
  format: "text" | "json",
  values: RolloutFlags,
): Promise<number> {
  const now = braidNow(io);
  const report = [];
  for (const def of selectRollouts(ctx.fleet, name)) {
    const plan = planOf(ctx, def);
    const state = ctx.lock.rollouts?.find((r) => r.name === def.name);
    if (!state) {
      report.push({
        name: def.name,
        source: def.source,
        phase: "not started",
        waves: plan.map((w) => ({ wave: w.wave.name, clusters: w.clusters.map((c) => ({ name: c, moved: false })) })),
      });
      continue;
    }
    const facts = await gatherFacts(ctx, def, plan, state, {
      now,
      healthOptional: true,
      ...githubFor(io, values, def, plan),
    });
    const statuses = waveStatuses(def, plan, state, facts);
    report.push(statusJson(def, state, statuses, facts.deployed));
  }
  if (format === "json") io.stdout(JSON.stringify({ rollouts: report }, null, 2) + "\n");
  else for (const r of report) io.stdout(statusText(r));
  return 0;
}

function githubFor(
  io: CliIO,
  values: RolloutFlags,
  _def: RolloutDef,
  plan: ReturnType<typeof planOf>,
): { github?: GithubStatusTarget } {
  if (!plan.some((w) => w.wave.gate.health)) return {};
  const t = githubTarget(io, values);
  return t ? { github: t } : {};
}

interface StatusJson {
  name: string;
  source: string;
  phase: string;
  reason?: string;
  target?: { commit: string; tag?: string; branch?: string };
  waves: {
    wave: string;
    gate?: string;
    passed?: boolean;
    deployedAt?: string;
    clusters: { name: string; moved: boolean; commit?: string; movedAt?: string; deployCommit?: string }[];
  }[];
}

function statusJson(
  def: RolloutDef,
  state: RolloutState,
  statuses: WaveStatus[],
  deployed: ReadonlyMap<string, { commit: string }>,
): StatusJson {
  const byName = new Map(state.clusters.map((c) => [c.name, c]));
  return {
    name: def.name,
    source: def.source,
    phase: state.phase,
    ...(state.reason ? { reason: state.reason } : {}),
    target: state.target,
    waves: statuses.map((w) => ({
      wave: w.wave,
      gate: w.gate,
      passed: w.passed,
      ...(w.deployedAt !== undefined ? { deployedAt: new Date(w.deployedAt).toISOString() } : {}),
      clusters: w.clusters.map((c) => {
        const cs = byName.get(c);
        const moved = !!cs?.movedAt && state.phase !== "aborted";
        return {
          name: c,
          moved,
          commit: (moved ? state.target : cs?.previous)?.commit || (moved ? state.target : cs?.previous)?.version || "",
          ...(cs?.movedAt ? { movedAt: cs.movedAt } : {}),
          ...(deployed.get(c) ? { deployCommit: deployed.get(c)!.commit } : {}),
        };
      }),
    })),
  };
}

function statusText(r: StatusJson): string {
  let out = `rollout ${r.name}: source ${r.source}${r.target ? ` → ${short(r.target)}` : ""}, ${r.phase}${r.reason ? ` (${r.reason})` : ""}\n`;
  for (const w of r.waves) {
    const moved = w.clusters.filter((c) => c.moved).length;
    out += `\nwave ${w.wave}: ${moved}/${w.clusters.length} on the target${w.gate ? ` — ${w.gate}` : ""}${w.passed ? " — passed" : ""}\n`;
    out += table([
      ["CLUSTER", "COMMIT", "SINCE", "DEPLOY COMMIT"],
      ...w.clusters.map((c) => [
        c.name,
        `${c.moved ? "new" : "old"} ${c.commit?.slice(0, 7) ?? ""}`.trim(),
        c.movedAt ?? "-",
        c.deployCommit?.slice(0, 7) ?? "-",
      ]),
    ]).replace(/^(?=.)/gm, "  ");
  }
  return out + "\n";
}

async function advance(
  io: CliIO,
  ctx: RolloutContext,
  name: string | undefined,
  format: "text" | "json",
  values: RolloutFlags,
): Promise<number> {
  const now = braidNow(io);
  const states = [...(ctx.lock.rollouts ?? [])];
  const diagnostics: Diagnostic[] = [];
  const results = [];
  const commitLines: string[] = [];
  for (const def of selectRollouts(ctx.fleet, name)) {
    const plan = planOf(ctx, def);
    const state = await currentState(ctx, def, plan);
    const facts = await gatherFacts(ctx, def, plan, state, { now, ...githubFor(io, values, def, plan) });
    const r = advanceRollout(def, plan, state, facts);
    pushAll(diagnostics, r.diagnostics);
    const i = states.findIndex((s) => s.name === def.name);
    if (i >= 0) states[i] = r.state;
    else states.push(r.state);
    const wave = r.moved.length ? plan.find((w) => w.clusters.includes(r.moved[0]!))!.wave.name : undefined;
    results.push({
      rollout: def.name,
      moved: r.moved,
      ...(wave ? { wave } : {}),
      phase: r.state.phase,
      ...(r.waiting ? { waiting: r.waiting } : {}),
    });
    if (r.moved.length)
      commitLines.push(`${def.name}: move ${r.moved.join(", ")} (wave ${wave}) to ${short(r.state.target)}`);
    else if (r.state.phase !== state.phase)
      commitLines.push(`${def.name}: ${r.state.phase}${r.state.reason ? ` (${r.state.reason})` : ""}`);
  }
  const changed = JSON.stringify(states) !== JSON.stringify(ctx.lock.rollouts ?? []);
  let commit: string | undefined;
  if (changed && !values["dry-run"])
    commit = await writeRolloutLock(ctx, states, {
      message: `braid: rollout advance\n\n${commitLines.join("\n")}\n`,
      author: { ...(await commitAuthor(io, ctx.repo)), timestamp: Math.floor(now / 1000) },
    });
  if (format === "json")
    io.stdout(
      JSON.stringify(
        { dryRun: Boolean(values["dry-run"]), changed, ...(commit ? { commit } : {}), rollouts: results, diagnostics },
        null,
        2,
      ) + "\n",
    );
  else {
    printDiagnostics(io, diagnostics, "text");
    for (const r of results)
      io.stdout(
        r.moved.length
          ? `rollout ${r.rollout}: ${values["dry-run"] ? "would move" : "moved"} ${r.moved.join(", ")} (wave ${r.wave})\n`
          : `rollout ${r.rollout}: nothing to move: ${r.waiting ?? r.phase}\n`,
      );
    if (commit)
      io.stdout(
        `braid.lock committed: ${commit.slice(0, 12)}${results.some((r) => r.moved.length) ? " — run braid publish to render the moved clusters" : ""}\n`,
      );
  }
  return exitCodeFor(diagnostics);
}

async function change(
  io: CliIO,
  ctx: RolloutContext,
  verb: "approve" | "pause" | "resume" | "abort",
  name: string,
  approval: string | undefined,
  values: RolloutFlags,
): Promise<number> {
  const [def] = selectRollouts(ctx.fleet, name);
  const plan = planOf(ctx, def!);
  const now = braidNow(io);
  let state = await currentState(ctx, def!, plan);
  const refuse = (message: string, hint?: string) => {
    throw new RolloutProblems([
      { code: "ROLLOUT_STATE", severity: "error", message, location: def!.location, ...(hint ? { hint } : {}) },
    ]);
  };
  if (verb === "approve") {
    const names = [...new Set(def!.waves.map((w) => w.gate.approval).filter((a): a is string => !!a))];
    const which = approval ?? (names.length === 1 ? names[0] : undefined);
    if (!which)
      refuse(
        `rollout ${name}: say which approval (${names.join(", ") || "it has none"})`,
        `braid rollout approve ${name} <approval>`,
      );
    if (!names.includes(which!))
      refuse(
        `rollout ${name} has no approval "${which}"`,
        names.length ? `approvals: ${names.join(", ")}` : "add gate.approval to a wave",
      );
    if (state.approvals?.some((a) => a.name === which)) {
      io.stdout(`rollout ${name}: "${which}" is already approved\n`);
      return 0;
    }
    const by = values.by ?? io.env.GITHUB_ACTOR ?? (await commitAuthor(io, ctx.repo)).name;
    state = {
      ...state,
      approvals: [...(state.approvals ?? []), { name: which!, at: new Date(now).toISOString(), by }],
    };
  } else if (verb === "pause") {
    if (state.phase !== "active") refuse(`rollout ${name} is ${state.phase}, not active`);
    state = { ...state, phase: "paused", reason: `paused by hand` };
  } else if (verb === "resume") {
    if (state.phase !== "paused")
      refuse(
        `rollout ${name} is ${state.phase}, not paused`,
        state.phase === "aborted"
          ? "an aborted rollout stays aborted: delete its state from braid.lock or define a new rollout"
          : undefined,
      );
    const { reason: _drop, ...rest } = state;
    state = { ...rest, phase: "active" };
  } else {
    if (state.phase === "aborted") refuse(`rollout ${name} is already aborted`);
    const moved = state.clusters.filter((c) => c.movedAt).map((c) => c.name);
    state = {
      ...state,
      phase: "aborted",
      reason: `aborted; ${moved.length} cluster${moved.length === 1 ? "" : "s"} returned to the previous commit`,
    };
  }
  const states = [...(ctx.lock.rollouts ?? []).filter((s) => s.name !== name), state];
  const commit = await writeRolloutLock(ctx, states, {
    message: `braid: rollout ${verb} ${name}${verb === "approve" ? ` (${state.approvals!.at(-1)!.name})` : ""}\n`,
    author: { ...(await commitAuthor(io, ctx.repo)), timestamp: Math.floor(now / 1000) },
  });
  io.stdout(
    `rollout ${name}: ${verb === "approve" ? `approved "${state.approvals!.at(-1)!.name}"` : state.phase}${commit ? ` (braid.lock committed: ${commit.slice(0, 12)})` : ""}\n`,
  );
  return 0;
}
