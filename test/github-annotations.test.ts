/**
 * `--format github` as a workflow sees it: the fleet lives in `infra/` of the repository, so annotation paths
 * carry `infra/`; one error every cluster repeats is one annotation listing them; beyond GitHub's 10 per type
 * and step, the first are annotated and the full list is appended to $GITHUB_STEP_SUMMARY.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { memoryIO } from "../src/cli/io.js";
import { githubAnnotations } from "../src/diagnostics/github-annotations.js";
import { makeFixtureRepo } from "./helpers/fixture-repo.js";
import { clusterYaml, fleetYaml } from "./helpers/fleet-dir.js";
import { makeSourceRepo, OPENAPI_ENV } from "./helpers/publish-fleet.js";
import { openApiSkipReason } from "./helpers/openapi-fixture.js";

const NO_OPENAPI = openApiSkipReason("github-annotations");

const GROUP = `apiVersion: braid/v1alpha1
kind: Group
metadata: { name: all }
spec:
  selector: { matchLabels: { env: prod } }
  patches:
    - target: { kind: Deployment, name: not-there }
      patch: |
        spec: { replicas: 2 }
`;

const names = (n: number) => Array.from({ length: n }, (_, i) => `prod-${String(i + 1).padStart(2, "0")}`);

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "braid-gh-annotations-"));
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function repoWith(clusters: Record<string, string>): Promise<string> {
  const base = await makeSourceRepo(await mkdtemp(join(root, "base-")));
  const files: Record<string, string> = {
    "README.md": "the repository root\n",
    "infra/braid.yaml": fleetYaml(
      `    - name: base\n      url: ${base.dir}\n      ref: { tag: v1.0.0 }\n      path: manifests`,
    ),
    "infra/groups/all.yaml": GROUP,
  };
  for (const [name, body] of Object.entries(clusters)) files[`infra/clusters/${name}.yaml`] = body;
  return (await makeFixtureRepo([{ files }], { dir: await mkdtemp(join(root, "repo-")) })).dir;
}

async function validate(repo: string, env: Record<string, string>, cwd = join(repo, "infra")) {
  const io = memoryIO({
    cwd,
    env: { BRAID_KUBERNETES_OPENAPI: OPENAPI_ENV, BRAID_CACHE: join(root, "cache"), ...env },
  });
  const code = await main(["validate", "--format", "github", "--fleet", join(repo, "infra")], io);
  return { code, lines: io.err.join("").split("\n").filter(Boolean) };
}

describe.skipIf(NO_OPENAPI)("validate --format github", () => {
  it("one annotation for an error three clusters repeat, at the path from the repository root", async () => {
    const repo = await repoWith(Object.fromEntries(names(3).map((n) => [n, clusterYaml(n, "", "{ env: prod }")])));
    const withWorkspace = await validate(repo, { GITHUB_WORKSPACE: repo });
    expect(withWorkspace.code, withWorkspace.lines.join("\n")).toBe(1);
    expect(withWorkspace.lines, withWorkspace.lines.join("\n")).toHaveLength(1);
    expect(withWorkspace.lines[0]).toMatch(
      /^::error file=infra\/groups\/all\.yaml,line=7,col=7,title=PATCH_NO_MATCH::error PATCH_NO_MATCH: the strategic patch from group all matches no re/,
    );
    expect(withWorkspace.lines[0]).toContain("(3 clusters: prod-01, prod-02, prod-03)");
    // without GITHUB_WORKSPACE: the Git top level
    const fromGit = await validate(repo, {});
    expect(fromGit.lines).toEqual(withWorkspace.lines);
  });

  it("beyond 10 errors: the first 10 are annotated, every one goes to $GITHUB_STEP_SUMMARY", async () => {
    const bad = (n: string) =>
      clusterYaml(
        n,
        `  patches:\n    - target: { kind: ConfigMap, name: ${n}-missing }\n      patch: |\n        data: { a: b }`,
        "{ env: prod }",
      );
    const repo = await repoWith(Object.fromEntries(names(12).map((n) => [n, bad(n)])));
    const summary = join(root, "summary.md");
    const r = await validate(repo, { GITHUB_WORKSPACE: repo, GITHUB_STEP_SUMMARY: summary });
    expect(r.code).toBe(1);
    const annotations = r.lines.filter((l) => l.startsWith("::error "));
    expect(annotations).toHaveLength(10);
    expect(annotations[0]).toMatch(
      /^::error file=infra\/groups\/all\.yaml,line=7,col=7,title=PATCH_NO_MATCH::.*\(12 clusters: prod-01, .*prod-12\)/,
    );
    expect(annotations[1]).toMatch(
      /^::error file=infra\/clusters\/prod-01\.yaml,line=\d+,col=\d+,title=PATCH_NO_MATCH::/,
    );
    expect(r.lines).toContain("braid: 3 more problems than GitHub shows per step; every one is in the step summary");
    const table = await readFile(summary, "utf8");
    expect(table).toContain("### braid: 13 problems");
    for (const n of names(12)) expect(table).toContain(`\`infra/clusters/${n}.yaml:`);
    expect(table.split("\n").filter((l) => l.startsWith("| error |"))).toHaveLength(13);
  });
});

describe("an environment failure under --format github", () => {
  it("is an ::error annotation too (exit 3)", async () => {
    const repo = await repoWith({ "prod-01": clusterYaml("prod-01", "", "{ env: prod }") });
    const r = await validate(repo, { BRAID_KUBERNETES_OPENAPI: join(root, "no-openapi") });
    expect(r.code).toBe(3);
    expect(r.lines[0]).toMatch(
      /^::error title=OPENAPI_UNAVAILABLE::error OPENAPI_UNAVAILABLE: BRAID_KUBERNETES_OPENAPI points to /,
    );
  });
});

describe("githubAnnotations", () => {
  it("keeps a single cluster's name in the text and names source files in the text only", () => {
    const out = githubAnnotations(
      [
        {
          code: "SCHEMA_VIOLATION",
          severity: "error",
          message: "bad",
          cluster: "a",
          location: { file: "x.yaml", line: 3, source: "base", commit: "abcdef0123" },
        },
        {
          code: "LOCK_STALE",
          severity: "warning",
          message: "edited",
          location: { file: "clusters/a.yaml", line: 2, column: 5 },
        },
      ],
      "infra",
    );
    expect(out.lines).toEqual([
      "::error title=SCHEMA_VIOLATION::base@abcdef0:x.yaml:3: error SCHEMA_VIOLATION: [cluster a] bad",
      "::warning file=infra/clusters/a.yaml,line=2,col=5,title=LOCK_STALE::warning LOCK_STALE: edited",
    ]);
    expect(out.summary).toBeUndefined();
  });
});
