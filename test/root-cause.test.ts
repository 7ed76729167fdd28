import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { memoryIO } from "../src/cli/io.js";
import { main } from "../src/cli/main.js";
import { makeFixtureRepo } from "./helpers/fixture-repo.js";
import { clusterYaml, fleetYaml, writeFleet } from "./helpers/fleet-dir.js";
import { OPENAPI } from "./helpers/golden.js";
import { openApiSkipReason } from "./helpers/openapi-fixture.js";

const NO_OPENAPI = openApiSkipReason("root-cause");

const deploy = (name: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: ${name}, namespace: apps }\nspec:\n  selector: { matchLabels: { app: ${name} } }\n  template:\n    metadata: { labels: { app: ${name} } }\n    spec: { containers: [ { name: ${name}, image: "x:1" } ] }\n`;

describe.skipIf(NO_OPENAPI)("one root cause, one error", () => {
  it("a wrong tag gives the pin error and one cluster error counting the suppressed patch errors (it gave 4 errors)", async () => {
    const apps = await makeFixtureRepo([{ files: { "web.yaml": deploy("web") }, tags: ["v1.0.0"] }]);
    const obs = await makeFixtureRepo([{ files: { "agent.yaml": deploy("agent") }, tags: ["v1.0.0"] }]);
    const patch = (name: string) =>
      `    - target: { kind: Deployment, name: ${name} }\n      patch: |\n        spec: { replicas: 2 }\n`;
    const fleetDir = await writeFleet({
      "braid.yaml": fleetYaml(
        `    - name: apps\n      url: ${apps.dir}\n      ref: { tag: v9.9.9 }\n    - name: obs\n      url: ${obs.dir}\n      ref: { tag: v1.0.0 }`,
      ),
      "clusters/a.yaml": clusterYaml("a", `  patches:\n${patch("web")}${patch("web")}${patch("agent")}`),
    });
    const io = memoryIO({
      cwd: fleetDir,
      env: { BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: join(fleetDir, ".cache") },
    });
    const code = await main(["validate", "--format", "json"], io);
    expect(code).toBe(1);
    const report = JSON.parse(io.out.join(""));
    const errors = report.diagnostics.filter((d: { severity: string }) => d.severity === "error");
    expect(
      errors.map((d: { code: string; location?: { file: string; line: number } }) => [
        d.code,
        d.location?.file,
        d.location?.line,
      ]),
    ).toEqual([
      ["REF_NOT_FOUND", "braid.yaml", 9],
      ["REF_NOT_FOUND", "clusters/a.yaml", 4],
    ]);
    expect(errors[1].message).toBe(
      'the pin of source "apps" could not be resolved (see the error above), so its objects are missing; 2 follow-on "patch matches nothing" errors were suppressed',
    );
  });
});
