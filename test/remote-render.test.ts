import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { cachePathFor } from "../src/git/git-remote.js";
import { pathExists } from "../src/git/path-exists.js";
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

describe.skipIf(NO_OPENAPI)("a locked fleet on a new runner: only the locked commits are fetched", () => {
  it("fetches each locked commit without history (the system git), renders from it, and syncs whole on --update", async () => {
    // three releases of the source; the fleet is locked to the middle one
    const made = await makeFixtureRepo(
      [
        { files: { "cm.yaml": CM, "old.yaml": CM.replace("shared", "old") }, tags: ["v1.0.0"] },
        { files: { "cm.yaml": CM.replace("${CLUSTER_NAME}", "v2-${CLUSTER_NAME}") }, tags: ["v1.1.0"] },
        { files: { "cm.yaml": CM.replace("${CLUSTER_NAME}", "v3") }, tags: ["v1.2.0"] },
      ],
      { bare: true },
    );
    const served = join(made.dir, "..", `shallow-${Date.now()}`);
    await mkdir(served, { recursive: true });
    await rename(made.dir, join(served, "rel.git"));
    const local = await startGitServer({ root: served, auth: { username: "x-access-token", password: TOKEN } });
    try {
      const fleet = await writeFleet({
        "braid.yaml": fleetYaml(`    - name: rel\n      url: ${local.url}/rel.git\n      ref: { tag: v1.1.0 }`),
        "clusters/one.yaml": clusterYaml("one"),
      });
      // the system git does the fetching (PATH), with the token from the environment
      const runEnv = (cache: string) => ({
        ...env({ BRAID_GIT_TOKEN: TOKEN, PATH: process.env.PATH ?? "" }),
        BRAID_CACHE: cache,
      });
      expect(await main(["lock"], memoryIO({ cwd: fleet, env: runEnv(join(fleet, ".cache-lock")) }))).toBe(0);

      const cache = join(fleet, ".cache-new-runner");
      const render = memoryIO({ cwd: fleet, env: runEnv(cache) });
      expect(
        await main(["render", "--out", join(fleet, ".out"), "--format", "json"], render),
        render.err.join(""),
      ).toBe(0);
      expect(await readFile(join(fleet, ".out/clusters/one/default/configmap-shared.yaml"), "utf8")).toContain(
        "cluster: v2-one",
      );
      expect(render.err.join("") + render.out.join("")).not.toContain(TOKEN);
      const mirror = cachePathFor(cache, `${local.url}/rel.git`);
      const [v10, v11, v12] = made.commits;
      const has = (oid: string) =>
        git(mirror, ["cat-file", "-e", `${oid}^{commit}`]).then(
          () => true,
          () => false,
        );
      // the locked commit and its tree only: no parent, no later release, no refs
      expect(await readFile(join(mirror, "shallow"), "utf8")).toBe(`${v11}\n`);
      expect([await has(v10!), await has(v11!), await has(v12!)]).toEqual([false, true, false]);
      expect(await git(mirror, ["for-each-ref"])).toBe("");

      // --update needs the refs: the cache becomes a whole mirror
      const update = memoryIO({ cwd: fleet, env: runEnv(cache) });
      expect(await main(["lock", "--update"], update), update.err.join("")).toBe(0);
      expect(await pathExists(join(mirror, "shallow"))).toBe(false);
      expect([await has(v10!), await has(v11!), await has(v12!)]).toEqual([true, true, true]);
      expect(await git(mirror, ["rev-parse", "v1.2.0^{commit}"])).toBe(v12);
      expect(await git(mirror, ["fsck", "--no-progress"]).then(() => "sound")).toBe("sound");
    } finally {
      await local.close();
    }
  });

  it("a locked commit the server no longer has is LOCK_COMMIT_MISSING, as with a whole mirror", async () => {
    const made = await makeFixtureRepo([{ files: { "cm.yaml": CM }, tags: ["v1.0.0"] }], { bare: true });
    const served = join(made.dir, "..", `gone-${Date.now()}`);
    await mkdir(served, { recursive: true });
    await rename(made.dir, join(served, "gone.git"));
    const local = await startGitServer({ root: served });
    try {
      const fleet = await writeFleet({
        "braid.yaml": fleetYaml(`    - name: gone\n      url: ${local.url}/gone.git\n      ref: { tag: v1.0.0 }`),
        "clusters/one.yaml": clusterYaml("one"),
      });
      const runEnv = (cache: string) => ({ ...env({ PATH: process.env.PATH ?? "" }), BRAID_CACHE: cache });
      expect(await main(["lock"], memoryIO({ cwd: fleet, env: runEnv(join(fleet, ".c1")) }))).toBe(0);
      const lock = await readFile(join(fleet, "braid.lock"), "utf8");
      await writeFile(
        join(fleet, "braid.lock"),
        lock.replace(made.commits[0]!, "0123456789abcdef0123456789abcdef01234567"),
      );
      const io = memoryIO({ cwd: fleet, env: runEnv(join(fleet, ".c2")) });
      expect(await main(["render", "--out", join(fleet, ".out")], io)).toBe(1);
      expect(io.err.join("") + io.out.join("")).toContain("LOCK_COMMIT_MISSING");
      // the sync after the refused fetch left a whole mirror
      const mirror = cachePathFor(join(fleet, ".c2"), `${local.url}/gone.git`);
      expect(await pathExists(join(mirror, "shallow"))).toBe(false);
      expect(await git(mirror, ["rev-parse", "v1.0.0^{commit}"])).toBe(made.commits[0]);
    } finally {
      await local.close();
    }
  });
});
