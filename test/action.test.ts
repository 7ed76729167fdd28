/**
 * The composite Action at the repository root, run the way a runner runs it: from a clean clone of this
 * repository (what `uses: owner/braid@ref` checks out), each `run:` step through `bash -eo pipefail` with its
 * `${{ … }}` expressions filled in, its env and working directory — the real `npm ci` install, then braid.
 * (`actions/setup-node` is the runner's business; the Node running this test stands in for it.)
 */
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, OPENAPI_ENV, testCluster, type Workspace } from "./helpers/publish-fleet.js";
import { openApiSkipReason } from "./helpers/openapi-fixture.js";

const NO_OPENAPI = openApiSkipReason("action");

const ROOT = resolve(import.meta.dirname, "..");
const exec = promisify(execFile);

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string | number | boolean>;
  "working-directory"?: string;
}
interface Action {
  inputs: Record<string, { required?: boolean; default?: string }>;
  runs: { using: string; steps: Step[] };
}

/** Fills `${{ inputs.x }}` and `${{ github.action_path }}`; any other expression fails the test. */
function expand(text: string, ctx: Record<string, string>): string {
  return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expr: string) => {
    if (!(expr in ctx)) throw new Error(`the test does not know the expression \${{ ${expr} }}`);
    return ctx[expr]!;
  });
}

function bash(
  script: string,
  cwd: string,
  env: Record<string, string | undefined>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const p = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], { cwd, env });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    p.on("error", fail);
    p.on("close", (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

let temp: string;
let clone: string;
let action: Action;
let ws: Workspace;

beforeAll(async () => {
  temp = await mkdtemp(join(tmpdir(), "braid-action-"));
  clone = join(temp, "braid");
  await exec("git", ["clone", "--quiet", "--no-hardlinks", ROOT, clone]);
  action = parse(await readFile(join(clone, "action.yml"), "utf8")) as Action;
  ws = await makeWorkspace({ "prod-eu-1": testCluster("prod-eu-1", { replicas: 2 }) });
}, 120_000);
afterAll(async () => {
  await ws?.cleanup();
  await rm(temp, { recursive: true, force: true });
});

/** Runs the action's steps with these inputs in the workspace; returns the last step's result and its outputs. */
async function runAction(inputs: Record<string, string>, only?: (s: Step) => boolean) {
  const ctx: Record<string, string> = { "github.action_path": clone };
  for (const [name, def] of Object.entries(action.inputs)) ctx[`inputs.${name}`] = inputs[name] ?? def.default ?? "";
  const outputFile = join(temp, `output-${Math.random().toString(36).slice(2)}`);
  await writeFile(outputFile, "");
  const base = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    BRAID_KUBERNETES_OPENAPI: OPENAPI_ENV,
    BRAID_CACHE: ws.cache,
    GITHUB_WORKSPACE: ws.root,
    GITHUB_OUTPUT: outputFile,
    npm_config_prefer_offline: "true",
  };
  let last = { code: 0, stdout: "", stderr: "" };
  for (const step of action.runs.steps) {
    if (!step.run || (only && !only(step))) continue;
    expect(step.shell).toBe("bash");
    const env: Record<string, string | undefined> = { ...base };
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = expand(String(v), ctx);
    const cwd = step["working-directory"] ? expand(step["working-directory"], ctx) : ws.root;
    last = await bash(expand(step.run, ctx), cwd, env);
    if (last.code !== 0) break;
  }
  return { ...last, outputs: await readFile(outputFile, "utf8") };
}

/** The run step alone, once an earlier test has installed braid in the clone (else every step). */
const runOnly = (s: Step) => s.id === "run" || !existsSync(join(clone, "node_modules"));

describe.skipIf(NO_OPENAPI)("action.yml", () => {
  it("is a composite action with the inputs command, fleet and args, set up by actions/setup-node", () => {
    expect(action.runs.using).toBe("composite");
    expect(Object.keys(action.inputs)).toEqual(expect.arrayContaining(["command", "fleet", "args"]));
    expect(action.inputs.command!.required).toBe(true);
    expect(action.runs.steps[0]!.uses).toMatch(/^actions\/setup-node@v\d+$/);
    // inputs never appear inside a script's text (only through env), so they cannot inject shell
    for (const s of action.runs.steps) expect(s.run ?? "").not.toMatch(/\$\{\{/);
  });

  it("installs braid with npm ci from its own checkout and renders a fleet", async () => {
    const out = join(ws.root, "rendered");
    const r = await runAction({ command: "render", fleet: "fleet", args: `--out ${out} --format json` });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { kind: string; ok: boolean; clusters: { name: string }[] };
    expect(doc).toMatchObject({ kind: "RenderResult", ok: true, clusters: [{ name: "prod-eu-1" }] });
    expect(await readFile(join(out, "clusters/prod-eu-1/web/deployment-web.yaml"), "utf8")).toContain("replicas: 2");
    expect(r.outputs).toBe("exit-code=0\n");
  }, 300_000);

  it("passes braid's exit code through (a usage error exits 2 and says so)", async () => {
    const r = await runAction({ command: "validate", fleet: "fleet", args: "--formt github" }, runOnly);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error USAGE: unknown flag --formt; did you mean --format?");
    expect(r.outputs).toBe("exit-code=2\n");
  }, 120_000);

  it("does not expand globs or shell syntax in args", async () => {
    const r = await runAction({ command: "validate", fleet: "fleet", args: "--cluster * $(touch pwned)" }, runOnly);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error USAGE: no cluster named "*"');
    expect(existsSync(join(ws.root, "pwned"))).toBe(false);
  }, 120_000);
});
