/**
 * The README's first fleet works as written: its braid.yaml and cluster file (with the source URL pointed at
 * a local repository) lock and render; and the README links nothing outside this repository.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { memoryIO } from "../src/cli/io.js";
import { makeFixtureRepo } from "./helpers/fixture-repo.js";
import { writeFleet } from "./helpers/fleet-dir.js";
import { OPENAPI_ENV } from "./helpers/publish-fleet.js";
import { openApiSkipReason } from "./helpers/openapi-fixture.js";

const NO_OPENAPI = openApiSkipReason("readme-onboarding");

const README = await readFile(join(import.meta.dirname, "..", "README.md"), "utf8");

/** The fenced yaml block whose first line is `# <name>`. */
function block(name: string): string {
  const m = new RegExp("```yaml\\n# " + name.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&") + "\\n([\\s\\S]*?)```").exec(
    README,
  );
  if (!m) throw new Error(`README has no yaml block starting with "# ${name}"`);
  return m[1]!;
}

describe.skipIf(NO_OPENAPI)("README", () => {
  it("the first fleet (braid.yaml + clusters/dev-1.yaml) locks and renders as written", async () => {
    const source = await makeFixtureRepo([
      {
        files: {
          "manifests/app.yaml":
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  cluster: ${CLUSTER_NAME}\n",
        },
        tags: ["v1.0.0", "v1.2.0"],
      },
    ]);
    const fleetYaml = block("braid.yaml");
    expect(fleetYaml).toContain("url: https://github.com/my-org/platform-manifests.git");
    const fleet = await writeFleet({
      "braid.yaml": fleetYaml.replace("https://github.com/my-org/platform-manifests.git", source.dir),
      "clusters/dev-1.yaml": block("clusters/dev-1.yaml"),
    });
    const env = { BRAID_KUBERNETES_OPENAPI: OPENAPI_ENV, BRAID_CACHE: join(fleet, ".cache") };
    const lock = memoryIO({ cwd: fleet, env });
    expect(await main(["lock"], lock), lock.err.join("")).toBe(0);
    expect(await readFile(join(fleet, "braid.lock"), "utf8")).toContain("tag: v1.2.0");
    const render = memoryIO({ cwd: fleet, env });
    expect(await main(["render", "--out", "out"], render), render.err.join("")).toBe(0);
    expect(await readFile(join(fleet, "out/clusters/dev-1/default/configmap-app.yaml"), "utf8")).toBe(
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  namespace: default\ndata:\n  cluster: dev-1\n",
    );
  });

  it("links nothing outside the repository", () => {
    const links = [...README.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]!);
    expect(links.filter((l) => l.startsWith("../") || l.startsWith("/"))).toEqual([]);
    expect(README).not.toContain("../shared");
  });
});
