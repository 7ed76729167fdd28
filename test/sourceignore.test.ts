/**
 * What Flux's source-controller leaves out of a GitRepository artifact (`.sourceignore`, its default
 * patterns) is not part of a source: plain folders do not read it, kustomize builds do not find it.
 */
import { symlink } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { SourceDef } from "../src/config/types.js";
import { loadSource } from "../src/kustomize/load-source.js";
import { createManifestCache } from "../src/render/load-manifests.js";
import { git, makeFixtureRepo } from "./helpers/fixture-repo.js";
import { clusterYaml, fleetYaml, writeFleet } from "./helpers/fleet-dir.js";
import { OPENAPI } from "./helpers/golden.js";
import { openApiSkipReason } from "./helpers/openapi-fixture.js";
import { memoryIO } from "../src/cli/io.js";
import { main } from "../src/cli/main.js";

const NO_OPENAPI = openApiSkipReason(".sourceignore through braid render");

function source(path: string, ignore?: string): SourceDef {
  return {
    ...(ignore === undefined ? {} : { ignore }),
    name: "src",
    url: "x",
    path,
    include: ["**/*.yaml", "**/*.yml"],
    exclude: [],
    location: { file: "braid.yaml", line: 3, column: 7 },
  };
}

const CM = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ${name}, namespace: default }\n`;

async function load(files: Record<string, string>, path: string, ignore?: string) {
  const { dir, commits } = await makeFixtureRepo([{ files }]);
  return loadSource(createManifestCache(), join(dir, ".git"), commits[0]!, source(path, ignore), undefined);
}

const names = (r: { resources: { id: { name: string } }[] }) => r.resources.map((x) => x.id.name).sort();

describe(".sourceignore and Flux's default ignore patterns", () => {
  const REAL = [
    "# Exclude all by default",
    "/*",
    "",
    "!/kubernetes",
    "/kubernetes/clusters/**/secrets/",
    "!/kubernetes/clusters/**/secrets/cluster-config.yaml",
    "",
  ].join("\n");

  it("a plain folder reads only what the artifact holds", async () => {
    const loaded = await load(
      {
        ".sourceignore": REAL,
        "kubernetes/clusters/c0/secrets/cluster-config.yaml": CM("cluster-config"),
        "kubernetes/clusters/c0/secrets/sops-age.yaml": CM("sops-age"),
        "kubernetes/clusters/c0/secrets/sub/deeper.yaml": CM("deeper"),
      },
      "kubernetes/clusters/c0/secrets",
    );
    expect(loaded.diagnostics).toEqual([]);
    expect(names(loaded)).toEqual(["cluster-config"]);
  });

  it("without any pattern, Flux's defaults leave cloudbuild.yaml out; any .sourceignore replaces them", async () => {
    const files = { "m/a.yaml": CM("a"), "m/cloudbuild.yaml": CM("cloudbuild"), "m/sub/codeship-steps.yml": CM("cs") };
    expect(names(await load(files, "m"))).toEqual(["a"]);
    expect(names(await load({ ...files, "docs/.sourceignore": "*.md\n" }, "m"))).toEqual(["a", "cloudbuild", "cs"]);
  });

  it("dot files and folders are read as Flux's generator reads them, but what the defaults leave out", async () => {
    const loaded = await load(
      {
        "m/a.yaml": CM("a"),
        "m/.hidden.yaml": CM("hidden"),
        "m/.config/c.yml": CM("config"),
        "m/.github/workflows/ci.yaml": CM("ci"),
        "m/.sops.yaml": CM("sops"),
      },
      "m",
    );
    expect(loaded.diagnostics).toEqual([]);
    expect(names(loaded)).toEqual(["a", "config", "hidden"]);
  });

  it("a folder whose manifests the artifact all leaves out is SOURCE_EMPTY naming the pattern (a warning)", async () => {
    const loaded = await load(
      { ".sourceignore": "*.yaml\n", "m/a.yaml": CM("a"), "m/b.yaml": CM("b"), "m/README.md": "x" },
      "m",
    );
    expect(loaded.resources).toEqual([]);
    expect(loaded.diagnostics.map((d) => [d.code, d.severity, d.message])).toEqual([
      [
        "SOURCE_EMPTY",
        "warning",
        expect.stringContaining('the 2 manifests under "m" are left out of Flux\'s artifact at') as unknown as string,
      ],
    ]);
    expect(loaded.diagnostics[0]!.message).toContain('(.sourceignore:1 ("*.yaml"), for the first)');
  });

  it("a .sourceignore inside the folder, and one above it, both count; the deeper one wins", async () => {
    const loaded = await load(
      {
        ".sourceignore": "*.tmp.yaml\n",
        "m/.sourceignore": "!keep.tmp.yaml\n",
        "m/a.yaml": CM("a"),
        "m/b.tmp.yaml": CM("b"),
        "m/keep.tmp.yaml": CM("keep"),
      },
      "m",
    );
    expect(names(loaded)).toEqual(["a", "keep"]);
  });

  it("the source's ignore (GitRepository spec.ignore) comes after every .sourceignore, in plain folders and builds", async () => {
    const files = {
      ".sourceignore": "*.local.yaml\n",
      "m/a.yaml": CM("a"),
      "m/b.local.yaml": CM("b"),
      "m/secret-x.yaml": CM("x"),
      "k/kustomization.yaml": "resources: [a.yaml, secret-y.yaml]\n",
      "k/a.yaml": CM("ka"),
      "k/secret-y.yaml": CM("y"),
    };
    const spec = "secret-*.yaml\n!b.local.yaml\n";
    expect(names(await load(files, "m", spec))).toEqual(["a", "b"]);
    const built = await load(files, "k", spec);
    expect(built.diagnostics.find((d) => d.severity === "error")?.message).toContain(
      `resource "secret-y.yaml" is left out of the source by line 1 of the source's ignore in braid.yaml ("secret-*.yaml")`,
    );
    expect(names(await load(files, "k"))).toEqual(["ka", "y"]);
  });

  it("a folder the artifact leaves out entirely is SOURCE_NOT_FOUND, naming the pattern", async () => {
    const loaded = await load({ ".sourceignore": REAL, "docs/x.yaml": CM("x"), "kubernetes/a.yaml": CM("a") }, "docs");
    expect(loaded.diagnostics).toHaveLength(1);
    expect(loaded.diagnostics[0]).toMatchObject({
      code: "SOURCE_NOT_FOUND",
      location: { file: "braid.yaml", line: 3 },
    });
    expect(loaded.diagnostics[0]!.message).toContain('.sourceignore:2 ("/*")');
  });

  it("a kustomization naming a file the artifact leaves out fails as Flux's build would, saying why", async () => {
    const loaded = await load(
      {
        ".sourceignore": REAL,
        "kubernetes/apps/a/kustomization.yaml": "resources:\n- cm.yaml\n- ../../clusters/c0/secrets/sops-age.yaml\n",
        "kubernetes/apps/a/cm.yaml": CM("app"),
        "kubernetes/clusters/c0/secrets/sops-age.yaml": CM("sops-age"),
      },
      "kubernetes/apps/a",
    );
    expect(loaded.kustomization).toBe(true);
    const d = loaded.diagnostics.find((x) => x.severity === "error")!;
    expect(d).toMatchObject({
      code: "KUSTOMIZE_INVALID",
      location: { file: "kubernetes/apps/a/kustomization.yaml", line: 3 },
    });
    expect(d.message).toContain('is left out of the source by .sourceignore:5 ("/kubernetes/clusters/**/secrets/")');
  });

  it("a kustomization file the artifact leaves out is not there: Flux generates one over the folder", async () => {
    const loaded = await load(
      {
        ".sourceignore": "m/kustomization.yaml\n",
        "m/kustomization.yaml": "resources: [a.yaml]\nnamePrefix: p-\n",
        "m/a.yaml": CM("a"),
        "m/b.yaml": CM("b"),
      },
      "m",
    );
    expect(loaded.diagnostics).toEqual([]);
    expect(names(loaded)).toEqual(["a", "b"]);
  });

  it("a generator file that is a link out of the repository is PATH_ESCAPE, saying so", async () => {
    const { dir } = await makeFixtureRepo([
      { files: { "k/kustomization.yaml": "configMapGenerator:\n- name: leak\n  files: [host.txt]\n" } },
    ]);
    await symlink("/etc/hostname", join(dir, "k", "host.txt"));
    await git(dir, ["add", "-A"]);
    await git(dir, ["commit", "-q", "-m", "link"]);
    const commit = await git(dir, ["rev-parse", "HEAD"]);
    const loaded = await loadSource(createManifestCache(), join(dir, ".git"), commit, source("k"), undefined);
    const d = loaded.diagnostics.find((x) => x.severity === "error")!;
    expect(d.code).toBe("PATH_ESCAPE");
    expect(d.message).toContain('file "host.txt" is a symbolic link to /etc/hostname, outside the source repository');
  });
});

describe.skipIf(NO_OPENAPI)("the source's ignore in braid.yaml, through braid render", () => {
  it("is read from braid.yaml: its patterns leave files out and replace Flux's default ones", async () => {
    const { dir } = await makeFixtureRepo([
      { files: { "m/a.yaml": CM("a"), "m/b.yaml": CM("b"), "m/cloudbuild.yaml": CM("cloudbuild") } },
    ]);
    const run = async (ignore: string | undefined) => {
      const fleetDir = await writeFleet({
        "braid.yaml": fleetYaml(
          `    - name: s\n      url: ${dir}\n      ref: { branch: main }\n      path: m${ignore === undefined ? "" : `\n      ignore: ${JSON.stringify(ignore)}`}`,
        ),
        "clusters/c.yaml": clusterYaml("c"),
      });
      const io = memoryIO({
        cwd: fleetDir,
        env: { BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: join(dir, "..", "cache") },
      });
      const code = await main(["render", "--explain-source", "s", "--cluster", "c", "--format", "json"], io);
      const out = JSON.parse(io.out.join("")) as { objects: { object: { metadata: { name: string } } }[] };
      return { code, names: out.objects.map((o) => o.object.metadata.name).sort() };
    };
    expect(await run(undefined)).toEqual({ code: 0, names: ["a", "b"] }); // Flux's defaults: no cloudbuild.yaml
    expect(await run("b.yaml\n")).toEqual({ code: 0, names: ["a", "cloudbuild"] }); // a pattern replaces them
  });
});
