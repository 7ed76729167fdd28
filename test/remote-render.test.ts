import { rename } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { memoryIO } from "../src/cli/io.js";
import { git, makeFixtureRepo } from "./helpers/fixture-repo.js";
import { clusterYaml, fleetYaml, writeFleet } from "./helpers/fleet-dir.js";
import { startGitServer, type GitServer } from "./helpers/git-http-server.js";
import { OPENAPI } from "./helpers/golden.js";
import { openApiSkipReason } from "./helpers/openapi-fixture.js";

const NO_OPENAPI = openApiSkipReason("remote-render");

const CM =
  'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: shared, namespace: default }\ndata: { cluster: "${CLUSTER_NAME}" }\n';
const TOKEN = "s3cret-token-value";

let server: GitServer;
let bareDir: string;
let fleetDir: string;

beforeAll(async () => {
  const made = await makeFixtureRepo([{ files: { "cm.yaml": CM }, tags: ["v1.0.0"] }], { bare: true });
  const root = join(made.dir, "..", `served-${Date.now()}`);
  await import("node:fs/promises").then((fs) => fs.mkdir(root, { recursive: true }));
  bareDir = join(root, "shared.git");
  await rename(made.dir, bareDir);
  server = await startGitServer({ root, auth: { username: "x-access-token", password: TOKEN } });
  fleetDir = await writeFleet({
    "braid.yaml": fleetYaml(`    - name: shared\n      url: ${server.url}/shared.git\n      ref: { semver: "^1.0.0" }`),
    "clusters/one.yaml": clusterYaml("one"),
  });
});

afterAll(async () => {
  await server?.close();
});

function env(extra: Record<string, string> = {}) {
  return { BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: join(fleetDir, ".cache"), ...extra };
}

describe.skipIf(NO_OPENAPI)("remote sources over git http-backend", () => {
  it("fails with exit 3 and a hint naming the variable when no token is given; the token never shows", async () => {
    const io = memoryIO({ cwd: fleetDir, env: env({ BRAID_GIT_TOKEN_OTHER_HOST: TOKEN }) });
    expect(await main(["lock"], io)).toBe(3);
    const err = io.err.join("");
    expect(err).toContain("SOURCE_AUTH");
    expect(err).toContain("BRAID_GIT_TOKEN_127_0_0_1");
    expect(err).not.toContain(TOKEN);
  });

  it("locks with a token, renders from the cache without fetching again, and picks up a new tag with --update", async () => {
    const io = memoryIO({ cwd: fleetDir, env: env({ BRAID_GIT_TOKEN: TOKEN }) });
    expect(await main(["lock"], io)).toBe(0);
    expect(io.out.join("")).toContain("v1.0.0");
    const before = server.requests.length;
    const render = memoryIO({ cwd: fleetDir, env: env({ BRAID_GIT_TOKEN: TOKEN }) });
    expect(await main(["render", "--out", join(fleetDir, ".out"), "--format", "json"], render)).toBe(0);
    expect(server.requests.length).toBe(before); // locked commit already cached: no network
    expect(JSON.stringify(render.out)).not.toContain(TOKEN);

    // a new tag on the remote: the lock keeps the old commit until --update
    const work = join(fleetDir, ".work");
    await git(fleetDir, ["clone", "-q", bareDir, work]);
    await git(work, ["commit", "-q", "--allow-empty", "-m", "v1.1"], 1_800_000_000);
    await git(work, ["tag", "v1.1.0"], 1_800_000_000);
    await git(work, ["push", "-q", "origin", "main", "--tags"]);
    const kept = memoryIO({ cwd: fleetDir, env: env({ BRAID_GIT_TOKEN: TOKEN }) });
    expect(await main(["render", "--out", join(fleetDir, ".out2"), "--format", "json"], kept)).toBe(0);
    expect(JSON.parse(kept.out.join("")).clusters[0].sources[0].tag).toBe("v1.0.0");
    const updated = memoryIO({ cwd: fleetDir, env: env({ BRAID_GIT_TOKEN: TOKEN }) });
    expect(await main(["lock", "--update", "shared"], updated)).toBe(0);
    expect(updated.out.join("")).toMatch(/v1\.1\.0 .*updated/);
  });

  it("a server that is down fails fast with exit 3", async () => {
    const down = await writeFleet({
      "braid.yaml": fleetYaml(`    - name: shared\n      url: http://127.0.0.1:9/shared.git`),
      "clusters/one.yaml": clusterYaml("one"),
    });
    const io = memoryIO({ cwd: down, env: { BRAID_CACHE: join(down, ".cache"), BRAID_KUBERNETES_OPENAPI: OPENAPI } });
    const t = Date.now();
    expect(await main(["lock"], io)).toBe(3);
    expect(Date.now() - t).toBeLessThan(10_000);
    expect(io.err.join("")).toContain("SOURCE_UNREACHABLE");
  });
});
