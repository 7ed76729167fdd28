/** Issue 15 (content side): hostile names, symlinks, secrets, prototype keys, deep YAML, control characters. */
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { memoryIO } from "../src/cli/io.js";
import { makeFixtureRepo } from "./helpers/fixture-repo.js";
import { clusterYaml, fleetYaml } from "./helpers/fleet-dir.js";
import { OPENAPI } from "./helpers/golden.js";

/** A fleet (a Git repository) over one source repo holding `files`. */
async function fleetRepo(files: Record<string, string>, fleetExtra = "", clusters: Record<string, string> = {}) {
  const { dir: src } = await makeFixtureRepo([{ files, tags: ["v1.0.0"] }]);
  const { dir } = await makeFixtureRepo([
    {
      files: {
        "braid.yaml": fleetYaml(`    - name: s\n      url: ${src}\n      ref: { tag: v1.0.0 }`, fleetExtra),
        "clusters/c0001.yaml": clusterYaml("c0001"),
        "clusters/c0002.yaml": clusterYaml("c0002"),
        ...clusters,
      },
    },
  ]);
  return dir;
}

async function cli(fleetDir: string, args: string[]) {
  const io = memoryIO({ cwd: fleetDir, env: { BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: join(fleetDir, ".git", "braid-test-cache") } });
  const code = await main(args, io);
  return { code, out: io.out.join(""), err: io.err.join("") };
}

async function listAll(dir: string): Promise<string[]> {
  return existsSync(dir) ? ((await readdir(dir, { recursive: true })) as string[]).sort() : [];
}

const evil = `apiVersion: example.com/v1
kind: Widget
metadata:
  name: ../../../../c0002/kustomization
spec: {}
`;
const slashKind = `apiVersion: example.com/v1
kind: Wid/../../../get
metadata:
  name: w
`;
const cm = `apiVersion: v1
kind: ConfigMap
metadata: { name: ok, namespace: "../up" }
`;

describe("15.4 object names, namespaces and kinds never become paths", () => {
  it("a skipKinds object named ../../../../c0002/kustomization: located error, nothing written (render --out, publish)", async () => {
    const fleet = await fleetRepo({ "w.yaml": evil }, "  validation: { skipKinds: [Widget] }\n");
    const out = join(fleet, "..", `out-${Math.random().toString(36).slice(2)}`);
    const r = await cli(fleet, ["render", "--out", out]);
    expect(r.code, r.err + r.out).toBe(1);
    expect(r.out + r.err).toMatch(/w\.yaml:4:9: error SCHEMA_VIOLATION: \[cluster c0001 Widget \.\.\/\.\.\/\.\.\/\.\.\/c0002\/kustomization \/metadata\/name\] name "\.\.\/\.\.\/\.\.\/\.\.\/c0002\/kustomization" must be a DNS-1123 subdomain/);
    expect(await listAll(out)).toEqual([]);
    const p = await cli(fleet, ["publish"]);
    expect(p.code, p.err + p.out).toBe(1);
    expect(p.out + p.err).toMatch(/w\.yaml:4:9: error SCHEMA_VIOLATION/);
  });

  it("a kind holding '/' under ignoreMissingSchemas: located error on render and publish", async () => {
    const fleet = await fleetRepo({ "w.yaml": slashKind }, "  validation: { ignoreMissingSchemas: true }\n");
    const out = join(fleet, "..", `out-${Math.random().toString(36).slice(2)}`);
    const r = await cli(fleet, ["render", "--out", out]);
    expect(r.code, r.err + r.out).toBe(1);
    expect(r.out + r.err).toMatch(/w\.yaml:2:7: error SCHEMA_VIOLATION: .*\/kind\] kind "Wid\/\.\.\/\.\.\/\.\.\/get" is not a kind name/);
    expect(await listAll(out)).toEqual([]);
    const p = await cli(fleet, ["publish"]);
    expect(p.code, p.err + p.out).toBe(1);
    expect(p.out + p.err).toMatch(/w\.yaml:2:7: error SCHEMA_VIOLATION/);
  });

  it("a namespace that is not a DNS-1123 label is located at metadata.namespace (inventory too, which skips validation)", async () => {
    const fleet = await fleetRepo({ "cm.yaml": cm });
    const r = await cli(fleet, ["validate"]);
    expect(r.code).toBe(1);
    expect(r.out + r.err).toMatch(/cm\.yaml:3:34: error SCHEMA_VIOLATION: .*\/metadata\/namespace\] (namespace )?"\.\.\/up" (must be|is not) a DNS-1123 label/);
    const i = await cli(fleet, ["inventory"]);
    expect(i.out + i.err).toMatch(/cm\.yaml:3:34: error SCHEMA_VIOLATION/);
  });
});

describe("15.4 the output layout's last guard", () => {
  it("refuses a file path that would leave the cluster folder (PATH_ESCAPE, located), whatever checked it before", async () => {
    const { layoutCluster } = await import("../src/render/output-tree.js");
    const { resourcesFromYaml } = await import("../src/validate/test-resource.js");
    const [r] = resourcesFromYaml(evil);
    expect(() => layoutCluster("c0001", "clusters/{cluster}", [r!], undefined)).toThrowError(
      expect.objectContaining({ diagnostic: expect.objectContaining({ code: "PATH_ESCAPE", resource: "Widget ../../../../c0002/kustomization", location: expect.objectContaining({ line: 4, column: 9 }) }) }),
    );
  });
});
