/**
 * Remote files in kustomizations (`resources: [http://…/x.yaml]`): fetched and pinned by sha256 when a pin is
 * resolved (`braid lock`, a pin not in braid.lock), read from the pin afterwards. A real HTTP server on
 * 127.0.0.1 serves the files; where kubectl is on the machine, the objects must equal `kubectl kustomize` of
 * the same folder (kubectl fetches the same URLs from the same server).
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { memoryIO } from "../src/cli/io.js";
import { main } from "../src/cli/main.js";
import { cachePathFor } from "../src/git/mirror-cache.js";
import { originAppend } from "../src/kustomize/remote-resources.js";
import { looksLikeGitRepo } from "../src/sources/remote-files.js";
import { git, makeFixtureRepo } from "./helpers/fixture-repo.js";
import { clusterYaml, fleetYaml, writeFleet } from "./helpers/fleet-dir.js";
import { OPENAPI, readTree } from "./helpers/golden.js";
import { kubectl } from "./helpers/kubectl.js";
import { WIDGET_CRD, WIDGET_SCHEMA } from "./helpers/widget-kind.js";
import { startGitServer } from "./helpers/git-http-server.js";
import { openApiSkipReason } from "./helpers/openapi-fixture.js";

const run = promisify(execFile);
const skip = openApiSkipReason("remote resources");

/** What the server answers per path; every request's path is recorded. */
const routes = new Map<
  string,
  { status?: number; body?: string | Buffer; location?: string; hang?: boolean; big?: number; delayMs?: number }
>();
const requests: string[] = [];
/** Requests being answered now, and the most at once. */
const inflight = { now: 0, max: 0 };
let server: Server;
let base = "";

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    requests.push(req.url ?? "/");
    const r = routes.get(path);
    if (!r) {
      res.writeHead(404, { "content-type": "text/plain" }).end("404 page not found\n");
      return;
    }
    if (r.hang) return; // never answers
    if (r.location) {
      res.writeHead(r.status ?? 302, { location: r.location }).end();
      return;
    }
    if (r.big) {
      res.writeHead(200, { "content-type": "text/plain" });
      const chunk = Buffer.alloc(2 ** 20, "# padding padding padding padding\n");
      let sent = 0;
      const more = (): void => {
        while (sent < r.big!) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", more);
        }
        res.end();
      };
      more();
      return;
    }
    inflight.max = Math.max(inflight.max, ++inflight.now);
    setTimeout(() => {
      inflight.now--;
      res.writeHead(r.status ?? 200, { "content-type": "text/plain" }).end(r.body ?? "");
    }, r.delayMs ?? 0);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const CM = (name: string, value: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\ndata:\n  v: "${value}"\n`;
const sha = (text: string) => createHash("sha256").update(text).digest("hex");

/** A source whose `base` folder lists `entries` (and a local ConfigMap), a one-cluster fleet pinning it. */
async function setup(entries: string[], extraKustomization = "", fleetExtra = "") {
  const { dir } = await makeFixtureRepo([
    {
      files: {
        "base/kustomization.yaml": `resources:\n${entries.map((e) => `- ${e}\n`).join("")}- local.yaml\n${extraKustomization}`,
        "base/local.yaml": CM("local", "0"),
      },
      tags: ["v1.0.0"],
    },
  ]);
  const fleetDir = await writeFleet({
    "braid.yaml": fleetYaml(
      `    - name: s\n      url: ${dir}\n      ref: { tag: v1.0.0 }\n      path: base`,
      fleetExtra,
    ),
    "clusters/c.yaml": clusterYaml("c", "  sources:\n    - name: s\n"),
  });
  const cache = await mkdtemp(join(tmpdir(), "braid-remote-cache-"));
  return { source: dir, fleetDir, cache };
}

async function braid(
  fleetDir: string,
  cache: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string; json?: any }> {
  const io = memoryIO({ cwd: fleetDir, env: { BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: cache, ...env } });
  const code = await main(args, io);
  const out = io.out.join("");
  let json: unknown;
  if (args.includes("json")) json = JSON.parse(out);
  return { code, out, err: io.err.join(""), json };
}

/** The run (`--format json`) reported a diagnostic of this code at this line of the source's kustomization. */
function expectDiagnosticAt(r: { json?: any }, code: string, line: number, more: Record<string, unknown> = {}): void {
  expect(r.json.diagnostics).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        code,
        ...more,
        location: expect.objectContaining({ file: "base/kustomization.yaml", line }) as object,
      }),
    ]),
  );
}

/** The objects of a rendered cluster folder, by kind/name. */
async function renderedObjects(out: string): Promise<Map<string, unknown>> {
  const tree = await readTree(join(out, "clusters", "c"));
  const objects = new Map<string, unknown>();
  for (const [path, text] of Object.entries(tree)) {
    if (path === "kustomization.yaml") continue;
    const o = parse(text) as { kind: string; metadata: { name: string } };
    objects.set(`${o.kind}/${o.metadata.name}`, o);
  }
  return objects;
}

describe.skipIf(skip)("remote resources in kustomizations", () => {
  it("renders a remote file's objects as kubectl kustomize does, after a redirect", async () => {
    routes.set("/v1/crds.yaml", { body: `${CM("remote-a", "1")}---\n${CM("remote-b", "2")}` });
    routes.set("/latest/crds.yaml", { location: "/v1/crds.yaml" });
    const { source, fleetDir, cache } = await setup([`${base}/latest/crds.yaml`]);
    const out = join(fleetDir, "out");
    const r = await braid(fleetDir, cache, ["render", "--out", out, "--quiet"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const objects = await renderedObjects(out);
    expect([...objects.keys()].sort()).toEqual(["ConfigMap/local", "ConfigMap/remote-a", "ConfigMap/remote-b"]);
    if (kubectl) expect(objects).toEqual(await kubectlObjects(join(source, "base")));
  });

  it("pins the file's sha256 in braid.lock, renders the pinned bytes offline, and re-pins on --update", async () => {
    routes.set("/pin/app.yaml", { body: CM("pinned", "1") });
    const url = `${base}/pin/app.yaml`;
    const { fleetDir, cache } = await setup([url]);
    expect((await braid(fleetDir, cache, ["lock", "--quiet"])).code).toBe(0);
    const lock = parse(await readFile(join(fleetDir, "braid.lock"), "utf8")) as {
      pins: { remotes?: { url: string; sha256: string }[] }[];
    };
    expect(lock.pins[0]!.remotes).toEqual([{ url, sha256: sha(CM("pinned", "1")) }]);
    const text = await braid(fleetDir, cache, ["lock"]);
    expect(text.out).toContain("wrote braid.lock (1 pins; 1 remote file, 0 remote bases)");
    const json = await braid(fleetDir, cache, ["lock", "--format", "json"]);
    expect(json.json.pins[0].remotes).toEqual([{ url, sha256: sha(CM("pinned", "1")) }]);

    // the URL now serves other bytes: the lock's still render, from the cache, without a request
    routes.set("/pin/app.yaml", { body: CM("pinned", "2") });
    const before = requests.length;
    const out = join(fleetDir, "out1");
    expect((await braid(fleetDir, cache, ["render", "--out", out, "--quiet"])).code).toBe(0);
    expect(requests.length).toBe(before);
    expect((await renderedObjects(out)).get("ConfigMap/pinned")).toMatchObject({ data: { v: "1" } });

    // an empty cache fetches again, and the bytes must be the pinned ones
    const fresh = await mkdtemp(join(tmpdir(), "braid-remote-cache-"));
    const changed = await braid(fleetDir, fresh, ["render", "--out", join(fleetDir, "out2"), "--format", "json"]);
    expect(changed.code).toBe(1);
    const d = (changed.json.diagnostics as { code: string; message: string; hint: string; location: any }[]).find(
      (x) => x.code === "REMOTE_CHANGED",
    );
    expect(d?.message).toContain(sha(CM("pinned", "1")).slice(0, 12));
    expect(d?.hint).toContain("braid lock --update s");
    expect(d?.location).toMatchObject({ file: "base/kustomization.yaml", line: 2 });

    // --update pins what the URL gives now, and the render follows (not the cached result of the old pin)
    const update = await braid(fleetDir, cache, ["lock", "--update"]);
    expect(update.code).toBe(0);
    expect(update.out).toContain(
      `remote ${url}: ${sha(CM("pinned", "1")).slice(0, 12)} → ${sha(CM("pinned", "2")).slice(0, 12)}`,
    );
    expect(await readFile(join(fleetDir, "braid.lock"), "utf8")).toContain(sha(CM("pinned", "2")));
    const out3 = join(fleetDir, "out3");
    expect((await braid(fleetDir, cache, ["render", "--out", out3, "--quiet"])).code).toBe(0);
    expect((await renderedObjects(out3)).get("ConfigMap/pinned")).toMatchObject({ data: { v: "2" } });
  });

  it("fetches the remote files of a pin several at a time, and reports them in their order", async () => {
    const names = ["a", "b", "c", "d", "e", "f"];
    for (const n of names) routes.set(`/many/${n}.yaml`, { body: CM(`many-${n}`, n), delayMs: 150 });
    const { fleetDir, cache } = await setup(names.map((n) => `${base}/many/${n}.yaml`));
    inflight.max = 0;
    expect((await braid(fleetDir, cache, ["lock", "--quiet"])).code).toBe(0);
    expect(inflight.max).toBeGreaterThan(1);
    const lock = parse(await readFile(join(fleetDir, "braid.lock"), "utf8")) as {
      pins: { remotes: { url: string }[] }[];
    };
    expect(lock.pins[0]!.remotes.map((r) => r.url)).toEqual(names.map((n) => `${base}/many/${n}.yaml`));
  });

  it("a file braid.lock does not pin is an error naming the fix", async () => {
    routes.set("/np/a.yaml", { body: CM("a", "1") });
    routes.set("/np/b.yaml", { body: CM("b", "1") });
    const { fleetDir, cache } = await setup([`${base}/np/a.yaml`]);
    expect((await braid(fleetDir, cache, ["lock", "--quiet"])).code).toBe(0);
    // the lock loses the entry (as a lock written before the file was listed would lack it)
    const text = await readFile(join(fleetDir, "braid.lock"), "utf8");
    await writeFile(join(fleetDir, "braid.lock"), text.replace(/ {4}remotes:\n(?: {6}.*\n| {8}.*\n)+/, ""));
    const r = await braid(fleetDir, cache, ["render", "--format", "json", "--out", join(fleetDir, "o")]);
    expect(r.code).toBe(1);
    expectDiagnosticAt(r, "REMOTE_NOT_PINNED", 2, { hint: expect.stringContaining("braid lock") });
    // braid lock pins it
    expect((await braid(fleetDir, cache, ["lock", "--quiet"])).code).toBe(0);
    expect((await braid(fleetDir, cache, ["render", "--quiet", "--out", join(fleetDir, "o2")])).code).toBe(0);
  });

  it("reports a missing file with its status, and a Git repository URL that is none with the clone's error", async () => {
    const missing = `${base}/gone.yaml`;
    const repo = `${base}/org/repo//deploy?ref=v1`;
    const a = await setup([missing, `${base}/rel/v1/missing.yaml`]);
    const r = await braid(a.fleetDir, a.cache, ["render", "--format", "json", "--out", join(a.fleetDir, "o")]);
    expect(r.code).toBe(1);
    // (a YAML file's URL is a missing file, though it has the two segments of a repository URL)
    expect((r.json.diagnostics as { code: string }[]).filter((d) => d.code === "REMOTE_HTTP")).toHaveLength(2);
    expectDiagnosticAt(r, "REMOTE_HTTP", 2, { message: expect.stringContaining("HTTP status 404") });
    const lock = await braid(a.fleetDir, a.cache, ["lock", "--format", "json"]);
    expect(lock.code).toBe(1);
    expect(JSON.stringify(lock.json)).toContain("REMOTE_HTTP");

    // a `//` marks a folder of a Git repository: cloned without a GET; a URL that reads as a repository and answers
    // 404 is cloned after its GET. Neither is a repository on this server.
    const b = await setup([repo, `${base}/org/other?ref=v1`]);
    const before = requests.length;
    const r2 = await braid(b.fleetDir, b.cache, ["render", "--format", "json", "--out", join(b.fleetDir, "o")]);
    expect(r2.code).toBe(1);
    expect(requests.slice(before)).toEqual([
      "/org/other?ref=v1",
      "/org/repo/info/refs?service=git-upload-pack",
      "/org/other/info/refs?service=git-upload-pack",
    ]);
    const d = r2.json.diagnostics as { code: string; message: string; location: { line: number } }[];
    expect(d.map((x) => [x.code, x.location.line, x.message.slice(0, x.message.indexOf(":", 30))])).toEqual([
      ["SOURCE_NOT_FOUND", 2, `remote base "${repo}"`],
      ["SOURCE_NOT_FOUND", 3, `remote base "${base}/org/other?ref=v1"`],
    ]);
  });

  it("refuses a remote URL carrying credentials, never fetching it, and never shows them", async () => {
    routes.set("/private/app.yaml", { body: CM("private", "1") });
    const file = base.replace("http://", "http://ci:S3CRET@") + "/private/app.yaml";
    const repo = base.replace("http://", "http://ci:S3CRET@") + "/org/base.git//deploy?ref=v1";
    const { fleetDir, cache } = await setup([file, repo]);
    const before = requests.length;
    const runs = [
      await braid(fleetDir, cache, ["render", "--format", "json", "--out", join(fleetDir, "o")]),
      await braid(fleetDir, cache, ["render", "--out", join(fleetDir, "o2")]),
      await braid(fleetDir, cache, ["lock", "--format", "json"]),
    ];
    expect(runs.map((r) => r.code)).toEqual([1, 1, 1]);
    expect(requests.length).toBe(before);
    expectDiagnosticAt(runs[0]!, "KUSTOMIZE_UNSUPPORTED", 2, {
      message: `remote "${base}/private/app.yaml" carries credentials in its user info: braid takes no credentials from config`,
    });
    expectDiagnosticAt(runs[0]!, "KUSTOMIZE_UNSUPPORTED", 3);
    for (const r of runs) expect(r.out + r.err).not.toContain("S3CRET");
  });

  it("never reads a cloud metadata address, named or reached by a redirect, and stops after 10 redirects as Go does", async () => {
    // (169.254.169.254 is where AWS IMDSv1 and others give the machine's credentials to a plain GET)
    routes.set("/to-metadata.yaml", { location: "http://169.254.169.254/latest/meta-data/iam/x.yaml" });
    for (let i = 1; i < 11; i++) routes.set(`/hop${i}.yaml`, { location: `/hop${i + 1}.yaml` });
    routes.set("/hop11.yaml", { body: CM("far", "1") });
    const cases: [string, string, string][] = [
      ["http://169.254.169.254/latest/meta-data/iam/x.yaml", "KUSTOMIZE_UNSUPPORTED", "is a cloud metadata address"],
      ["http://[::ffff:a9fe:a9fe]/x.yaml", "KUSTOMIZE_UNSUPPORTED", "is a cloud metadata address"],
      [`${base}/to-metadata.yaml`, "KUSTOMIZE_UNSUPPORTED", "redirected to http://169.254.169.254/latest"],
      [`${base}/hop1.yaml`, "REMOTE_FETCH", "stopped after 10 redirects"],
      // a remote base: git connects by itself, so its host is checked first
      ["http://169.254.169.254/org/repo.git//deploy?ref=v1", "KUSTOMIZE_UNSUPPORTED", "is a cloud metadata address"],
      ["git@[fe80::1]:org/repo//deploy?ref=v1", "KUSTOMIZE_UNSUPPORTED", "is a cloud metadata address"],
    ];
    for (const [url, code, message] of cases) {
      const before = requests.length;
      const { fleetDir, cache } = await setup([url]);
      const started = Date.now();
      const r = await braid(fleetDir, cache, ["render", "--format", "json", "--out", join(fleetDir, "o")]);
      expect(Date.now() - started, url).toBeLessThan(20_000); // (refused, not timed out)
      expect(r.json.diagnostics, url).toEqual([
        expect.objectContaining({
          code,
          message: expect.stringContaining(message) as string,
          location: expect.objectContaining({ file: "base/kustomization.yaml", line: 2 }) as object,
        }),
      ]);
      if (url.startsWith(base)) expect(requests.length, url).toBeGreaterThan(before);
    }
    // nine redirects are followed (Go's client makes ten requests at most)
    const { fleetDir, cache } = await setup([`${base}/hop2.yaml`]);
    const out = join(fleetDir, "out");
    expect((await braid(fleetDir, cache, ["render", "--out", out, "--quiet"])).code).toBe(0);
    expect([...(await renderedObjects(out)).keys()]).toContain("ConfigMap/far");
  });

  it("gives up on a file over 64 MiB and on a server that does not answer", async () => {
    routes.set("/big.yaml", { big: 65 * 2 ** 20 });
    routes.set("/slow.yaml", { hang: true });
    const a = await setup([`${base}/big.yaml`]);
    const r = await braid(a.fleetDir, a.cache, ["render", "--format", "json", "--out", join(a.fleetDir, "o")]);
    expect(r.code).toBe(1);
    expect(JSON.stringify(r.json.diagnostics)).toContain("FILE_TOO_LARGE");
    const b = await setup([`${base}/slow.yaml`]);
    const r2 = await braid(b.fleetDir, b.cache, ["render", "--format", "json", "--out", join(b.fleetDir, "o")], {
      BRAID_GIT_TIMEOUT_MS: "300",
    });
    expect(r2.code).toBe(3); // (network: an environment error)
    expect(JSON.stringify(r2.json.diagnostics)).toContain("REMOTE_FETCH");
  }, 60_000);

  it("reads patch files at http(s) URLs, pinned like resources, as kubectl kustomize does", async () => {
    routes.set("/p/smp.yaml", {
      body: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: local\n  namespace: default\ndata:\n  v: smp\n",
    });
    routes.set("/p/json.yaml", { body: "- op: add\n  path: /data/j\n  value: json\n" });
    routes.set("/p/psm.yaml", {
      body: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: local\n  namespace: default\ndata:\n  p: psm\n",
    });
    const { source, fleetDir, cache } = await setup(
      [],
      `patches:\n- path: ${base}/p/smp.yaml\n- path: ${base}/p/json.yaml\n  target: { kind: ConfigMap, name: local }\npatchesStrategicMerge:\n- ${base}/p/psm.yaml\n`,
    );
    const out = join(fleetDir, "out");
    const r = await braid(fleetDir, cache, ["render", "--out", out, "--quiet"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const objects = await renderedObjects(out);
    expect(objects.get("ConfigMap/local")).toMatchObject({ data: { v: "smp", j: "json", p: "psm" } });
    if (kubectl) expect(objects).toEqual(await kubectlObjects(join(source, "base")));
    expect((await braid(fleetDir, cache, ["lock", "--quiet"])).code).toBe(0);
    const lock = await readFile(join(fleetDir, "braid.lock"), "utf8");
    for (const f of ["smp", "json", "psm"]) expect(lock).toContain(`url: ${base}/p/${f}.yaml`);
    // a missing patch file is its status, at the patch's path
    const b = await setup([], `patches:\n- path: ${base}/p/gone.yaml\n`);
    const r2 = await braid(b.fleetDir, b.cache, ["render", "--format", "json", "--out", join(b.fleetDir, "o")]);
    expect(r2.code).toBe(1);
    expect(r2.json.diagnostics).toEqual([
      expect.objectContaining({
        code: "REMOTE_HTTP",
        location: expect.objectContaining({ file: "base/kustomization.yaml", line: 4 }) as object,
      }),
    ]);
  });

  it("reads an openapi schema at an http(s) URL, pinned like a patch file, as kubectl kustomize does", async () => {
    const widget =
      "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: default\nspec:\n  items:\n  - { id: a, size: 1 }\n  - { id: b, size: 2 }\n";
    routes.set("/w/widget.yaml", { body: `${widget}---\n${WIDGET_CRD}` });
    routes.set("/w/schema.json", { body: WIDGET_SCHEMA });
    const { source, fleetDir, cache } = await setup(
      [`${base}/w/widget.yaml`],
      `openapi:\n  path: ${base}/w/schema.json\npatches:\n- patch: |-\n    apiVersion: example.com/v1\n    kind: Widget\n    metadata: { name: w, namespace: default }\n    spec:\n      items: [{ id: b, size: 3 }]\n`,
    );
    const out = join(fleetDir, "out");
    const r = await braid(fleetDir, cache, ["render", "--out", out, "--quiet"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const objects = await renderedObjects(out);
    expect(objects.get("Widget/w")).toMatchObject({
      spec: {
        items: [
          { id: "b", size: 3 },
          { id: "a", size: 1 },
        ],
      },
    });
    if (kubectl) expect(objects).toEqual(await kubectlObjects(join(source, "base")));
    expect((await braid(fleetDir, cache, ["lock", "--quiet"])).code).toBe(0);
    const lock = await readFile(join(fleetDir, "braid.lock"), "utf8");
    expect(lock).toContain(`url: ${base}/w/schema.json\n`);
    expect(lock).toContain(sha(WIDGET_SCHEMA));
  });

  it("reads configMapGenerator and secretGenerator files at http(s) URLs, pinned, as kubectl kustomize does", async () => {
    routes.set("/gen/app.properties", { body: "color=blue\n" });
    routes.set("/gen/other.txt", { body: "hello\n" });
    routes.set("/gen/app.env", { body: "MODE=prod\n# comment\nLEVEL=2\n" });
    const { source, fleetDir, cache } = await setup(
      [],
      `configMapGenerator:\n- name: gen\n  namespace: default\n  files:\n  - ${base}/gen/app.properties\n  - greeting=${base}/gen/other.txt\n  envs:\n  - ${base}/gen/app.env\nsecretGenerator:\n- name: sec\n  namespace: default\n  files:\n  - ${base}/gen/other.txt\n`,
    );
    const out = join(fleetDir, "out");
    const r = await braid(fleetDir, cache, ["render", "--out", out, "--quiet"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const objects = await renderedObjects(out);
    const gen = [...objects.entries()].find(([k]) => k.startsWith("ConfigMap/gen-"))![1];
    expect(gen).toMatchObject({
      data: { "app.properties": "color=blue\n", greeting: "hello\n", MODE: "prod", LEVEL: "2" },
    });
    if (kubectl) expect(objects).toEqual(await kubectlObjects(join(source, "base")));
    expect((await braid(fleetDir, cache, ["lock", "--quiet"])).code).toBe(0);
    const lock = await readFile(join(fleetDir, "braid.lock"), "utf8");
    for (const f of ["app.properties", "other.txt", "app.env"]) expect(lock).toContain(`url: ${base}/gen/${f}\n`);
    // pinned: the lock renders without the server
    const before = requests.length;
    expect((await braid(fleetDir, cache, ["render", "--out", join(fleetDir, "out2"), "--quiet"])).code).toBe(0);
    expect(requests.length).toBe(before);
  });

  it("writes kustomize's origin annotation for a remote file", async () => {
    routes.set("/o/r/releases/download/v1/x.yaml", { body: CM("asset", "1") });
    routes.set("/one.yaml", { body: CM("one", "1") });
    const { source, fleetDir, cache } = await setup(
      [`${base}/o/r/releases/download/v1/x.yaml?ref=v1`, `${base}/one.yaml`],
      "buildMetadata: [originAnnotations]\n",
    );
    const out = join(fleetDir, "out");
    expect((await braid(fleetDir, cache, ["render", "--out", out, "--quiet"])).code).toBe(0);
    const objects = await renderedObjects(out);
    expect(objects.get("ConfigMap/asset")).toMatchObject({
      metadata: {
        annotations: {
          "config.kubernetes.io/origin": `path: releases/download/v1/x.yaml\nrepo: ${base}/o/r\nref: v1\n`,
        },
      },
    });
    if (kubectl) expect(objects).toEqual(await kubectlObjects(join(source, "base")));
  });
});

/** kubectl kustomize of a folder, as objects by kind/name. */
async function kubectlObjects(dir: string): Promise<Map<string, unknown>> {
  const { stdout } = await run(kubectl!, ["kustomize", dir], { timeout: 120_000 });
  return new Map(
    parseAllDocuments(stdout).map((d) => {
      const o = d.toJS() as { kind: string; metadata: { name: string } };
      return [`${o.kind}/${o.metadata.name}`, o];
    }),
  );
}

describe.skipIf(skip)("remote bases (Git repositories) in kustomizations", () => {
  it("builds a remote base at its ref's commit, remote files inside it included, as kubectl kustomize does", async () => {
    routes.set("/nested/extra.yaml", { body: CM("nested-remote", "1") });
    const root = await mkdtemp(join(tmpdir(), "braid-remote-git-"));
    const { dir: work } = await makeFixtureRepo([
      {
        files: {
          "deploy/kustomization.yaml": `namePrefix: base-\nresources:\n- cm.yaml\n- ../common\n- ${base}/nested/extra.yaml\n`,
          "deploy/cm.yaml": CM("app", "v1"),
          "common/kustomization.yaml": "resources:\n- sa.yaml\n",
          "common/sa.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n  namespace: default\n",
          // (a file outside its kustomization's folder: kustomize's loader refuses it in a clone)
          "bad/kustomization.yaml": "resources:\n- ../common/sa.yaml\n",
          "comp/kustomization.yaml":
            "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nlabels:\n- pairs: { team: platform }\nresources:\n- ../common\n",
        },
        tags: ["v1.0.0"],
      },
      { files: { "deploy/cm.yaml": CM("app", "v2") }, branch: "main" },
    ]);
    await git(root, ["clone", "-q", "--bare", work, join(root, "org", "base.git")]);
    const server = await startGitServer({ root });
    try {
      const url = `${server.url}/org/base.git//deploy?ref=v1.0.0`;
      const dotGit = `${server.url}/org/base.git/deploy`; // (no marker: a GET first, then a clone of the default branch)
      const { source, fleetDir, cache } = await setup([url]);
      const out = join(fleetDir, "out");
      // (with git on PATH: the system transport, which fetches a commit by id)
      const r = await braid(fleetDir, cache, ["render", "--out", out, "--quiet"], { PATH: process.env.PATH ?? "" });
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
      const objects = await renderedObjects(out);
      expect([...objects.keys()].sort()).toEqual([
        "ConfigMap/base-app",
        "ConfigMap/base-nested-remote",
        "ConfigMap/local",
        "ServiceAccount/base-sa",
      ]);
      expect(objects.get("ConfigMap/base-app")).toMatchObject({ data: { v: "v1" } });
      if (kubectl) expect(objects).toEqual(await kubectlObjects(join(source, "base")));
      // the ref was looked up on the server and only its commit fetched, without history (kustomize clones shallow)
      const tagged = await git(work, ["rev-parse", "v1.0.0^{commit}"]);
      const mirror = cachePathFor(cache, `${server.url}/org/base.git`);
      expect((await readFile(join(mirror, "shallow"), "utf8")).trim()).toBe(tagged);
      await expect(git(mirror, ["cat-file", "-e", await git(work, ["rev-parse", "main"])])).rejects.toThrow();

      // braid lock pins the base's commit and the file inside it; the lock renders without the server
      expect((await braid(fleetDir, cache, ["lock", "--quiet"])).code).toBe(0);
      const lock = parse(await readFile(join(fleetDir, "braid.lock"), "utf8")) as {
        pins: { remotes?: { url: string; sha256?: string; commit?: string }[] }[];
      };
      const tag = await git(work, ["rev-parse", "v1.0.0"]);
      expect(lock.pins[0]!.remotes).toEqual(
        [
          { url: `${base}/nested/extra.yaml`, sha256: sha(CM("nested-remote", "1")) },
          { url, commit: tag },
        ].sort((a, b) => (a.url < b.url ? -1 : 1)),
      );
      const before = server.requests.length;
      const out2 = join(fleetDir, "out2");
      expect((await braid(fleetDir, cache, ["render", "--out", out2, "--quiet"])).code).toBe(0);
      expect(server.requests.length).toBe(before);
      expect(await readTree(out2)).toEqual(await readTree(out));

      // the form without a marker, on the default branch
      const b = await setup([dotGit]);
      const out3 = join(b.fleetDir, "out");
      expect((await braid(b.fleetDir, b.cache, ["render", "--out", out3, "--quiet"])).code).toBe(0);
      const objects3 = await renderedObjects(out3);
      expect(objects3.get("ConfigMap/base-app")).toMatchObject({ data: { v: "v2" } });
      if (kubectl) expect(objects3).toEqual(await kubectlObjects(join(b.source, "base")));

      // a fleet that turns remote bases off, as kustomize-controller's --no-remote-bases: no clone; files still read
      const g = await setup([url, `${base}/nested/extra.yaml`], "", "  kustomize: { remoteBases: false }\n");
      const gitBefore = server.requests.length;
      const r7 = await braid(g.fleetDir, g.cache, ["render", "--format", "json", "--out", join(g.fleetDir, "o")]);
      expect(r7.code).toBe(1);
      expect(server.requests.length).toBe(gitBefore);
      expect(r7.json.diagnostics).toEqual([
        expect.objectContaining({
          code: "KUSTOMIZE_UNSUPPORTED",
          message: expect.stringContaining("spec.kustomize.remoteBases to false") as string,
          location: expect.objectContaining({ file: "base/kustomization.yaml", line: 2 }) as object,
        }),
      ]);
      expect((await braid(g.fleetDir, g.cache, ["lock", "--quiet"])).code).toBe(0);
      expect(await readFile(join(g.fleetDir, "braid.lock"), "utf8")).not.toContain("commit: " + tag);

      // a remote component
      const f = await setup([], `components:\n- ${server.url}/org/base.git//comp?ref=v1.0.0\n`);
      const out6 = join(f.fleetDir, "out");
      expect((await braid(f.fleetDir, f.cache, ["render", "--out", out6, "--quiet"])).code).toBe(0);
      const objects6 = await renderedObjects(out6);
      expect([...objects6.keys()].sort()).toEqual(["ConfigMap/local", "ServiceAccount/sa"]);
      expect(objects6.get("ConfigMap/local")).toMatchObject({ metadata: { labels: { team: "platform" } } });
      if (kubectl) expect(objects6).toEqual(await kubectlObjects(join(f.source, "base")));

      // inside a clone, a kustomization reads files only in or below its own folder (kustomize's RootOnly)
      const e = await setup([`${server.url}/org/base.git//bad?ref=v1.0.0`]);
      const r5 = await braid(e.fleetDir, e.cache, ["render", "--format", "json", "--out", join(e.fleetDir, "o")]);
      expect(r5.code).toBe(1);
      expect(r5.json.diagnostics).toEqual([
        expect.objectContaining({
          code: "PATH_ESCAPE",
          message: expect.stringContaining('is not in or below "bad"') as string,
          location: expect.objectContaining({ file: "bad/kustomization.yaml", line: 2 }) as object,
        }),
      ]);
      if (kubectl) await expect(kubectlObjects(join(e.source, "base"))).rejects.toThrow(/is not in or below/);
      // the text report shows the line in the base's own file, read from the base's repository
      const t5 = await braid(e.fleetDir, e.cache, ["render", "--out", join(e.fleetDir, "o2")]);
      expect(t5.out + t5.err).toMatch(
        /error PATH_ESCAPE[^\n]*\n +1 \| resources:\n +> 2 \| - \.\.\/common\/sa\.yaml\n/,
      );

      // a ref the repository does not have
      const c = await setup([`${server.url}/org/base.git//deploy?ref=v9`]);
      const r4 = await braid(c.fleetDir, c.cache, ["render", "--format", "json", "--out", join(c.fleetDir, "o")]);
      expect(r4.code).toBe(1);
      expectDiagnosticAt(r4, "REF_NOT_FOUND", 2);
    } finally {
      await server.close();
    }
  }, 120_000);
});

describe.skipIf(skip)("build metadata of remote bases", () => {
  it("writes the origins and transformations of a remote base's objects as kubectl kustomize does", async () => {
    routes.set("/meta/extra.yaml", { body: CM("meta-remote", "1") });
    const root = await mkdtemp(join(tmpdir(), "braid-remote-meta-"));
    const { dir: work } = await makeFixtureRepo([
      {
        files: {
          "deploy/kustomization.yaml": [
            "namePrefix: base-",
            "resources:\n- cm.yaml\n- ../common\n- " + `${base}/meta/extra.yaml`,
            "configMapGenerator:\n- name: gen\n  literals: [a=b]",
            "transformers:\n- labels.yaml",
            "",
          ].join("\n"),
          "deploy/cm.yaml": CM("app", "v1"),
          "deploy/labels.yaml":
            "apiVersion: builtin\nkind: LabelTransformer\nmetadata:\n  name: team\nlabels:\n  team: a\nfieldSpecs:\n- path: metadata/labels\n  create: true\n",
          "common/kustomization.yaml": "resources:\n- sa.yaml\n",
          "common/sa.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n  namespace: default\n",
          "kustomization.yaml": "resources:\n- top.yaml\n",
          "top.yaml": CM("top", "1"),
        },
        tags: ["v1.0.0"],
      },
    ]);
    await git(root, ["clone", "-q", "--bare", work, join(root, "org", "meta.git")]);
    const server = await startGitServer({ root });
    try {
      const deploy = `${server.url}/org/meta.git//deploy?ref=v1.0.0`;
      const top = `${server.url}/org/meta.git?ref=v1.0.0`; // (the repository's root)
      const { source, fleetDir, cache } = await setup(
        [deploy, top],
        "buildMetadata: [originAnnotations, transformerAnnotations]\nnamespace: apps\n",
      );
      const out = join(fleetDir, "out");
      const r = await braid(fleetDir, cache, ["render", "--out", out, "--quiet"], { PATH: process.env.PATH ?? "" });
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
      const objects = await renderedObjects(out);
      const annotations = (name: string) =>
        (objects.get(name) as { metadata: { annotations: Record<string, string> } }).metadata.annotations;
      const repo = `repo: ${server.url}/org/meta.git\nref: v1.0.0\n`;
      expect(annotations("ConfigMap/base-app")["config.kubernetes.io/origin"]).toBe(`path: deploy/cm.yaml\n${repo}`);
      expect(annotations("ServiceAccount/base-sa")["config.kubernetes.io/origin"]).toBe(
        `path: common/sa.yaml\n${repo}`,
      );
      // (kustomize names a file at the repository's root from "notCloned", the folder it has not cloned into)
      expect(annotations("ConfigMap/top")["config.kubernetes.io/origin"]).toBe(`path: notCloned/top.yaml\n${repo}`);
      // (a URL with two path segments reads to kustomize as a repository: Origin.Append gives it as one)
      expect(annotations("ConfigMap/base-meta-remote")["config.kubernetes.io/origin"]).toBe(
        `path: notCloned\nrepo: ${base}/meta/extra.yaml\n`,
      );
      expect(annotations("ConfigMap/base-app")["alpha.config.kubernetes.io/transformations"]).toContain(
        `- ${repo.replace("\nref", "\n  ref")}  configuredIn: deploy/kustomization.yaml\n  configuredBy:\n    apiVersion: builtin\n    kind: PrefixTransformer\n`,
      );
      // a plugin configuration of the base: its transformation carries the base's repository too
      expect(annotations("ConfigMap/base-app")["alpha.config.kubernetes.io/transformations"]).toContain(
        `- ${repo.replace("\nref", "\n  ref")}  configuredIn: deploy/labels.yaml\n  configuredBy:\n    apiVersion: builtin\n    kind: LabelTransformer\n    name: team\n`,
      );
      const generated = [...objects.keys()].find((k) => k.startsWith("ConfigMap/base-gen-"));
      expect(annotations(generated!)["config.kubernetes.io/origin"]).toBe(
        `${repo}configuredIn: deploy/kustomization.yaml\nconfiguredBy:\n  apiVersion: builtin\n  kind: ConfigMapGenerator\n`,
      );
      if (kubectl) expect(objects).toEqual(await kubectlObjects(join(source, "base")));
    } finally {
      await server.close();
    }
  }, 120_000);
});

describe("kustomize's reading of a remote URL", () => {
  it("tells a Git repository URL from a file URL as repospec.go does", () => {
    expect(looksLikeGitRepo("https://github.com/org/repo//path?ref=v1")).toBe(true);
    expect(looksLikeGitRepo("https://example.com/a/b.yaml")).toBe(true); // (two segments: kustomize tries a clone)
    expect(looksLikeGitRepo("https://example.com/x.yaml")).toBe(false);
    expect(looksLikeGitRepo("https://example.com/x.git")).toBe(true);
    expect(looksLikeGitRepo("https://host/p/_git/r")).toBe(true);
  });

  it("gives Origin.Append's repo, ref and path", () => {
    const cases: [string, ReturnType<typeof originAppend>][] = [
      [
        "https://github.com/o/r/releases/download/v1.9.4/crds.yaml",
        { path: "releases/download/v1.9.4/crds.yaml", repo: "https://github.com/o/r" },
      ],
      [
        "http://github.com/o/r.git/deploy/x.yaml?version=v2&ref=v3",
        { path: "deploy/x.yaml", repo: "https://github.com/o/r.git", ref: "v3" },
      ],
      ["https://git@github.com/o/r//a/../b.yaml", { path: "b.yaml", repo: "git@github.com:o/r" }],
      ["https://h/p/_git/r/sub/x.yaml?ref=a;b", { path: "sub/x.yaml", repo: "https://h/p/_git/r" }],
      ["https://example.com/x.yaml", { path: "https:/example.com/x.yaml" }],
      ["https://example.com/o/r", { path: "notCloned", repo: "https://example.com/o/r" }],
    ];
    for (const [url, origin] of cases) expect(originAppend({ path: "" }, url), url).toEqual(origin);
    // inside a remote base: a path keeps the base's repository; a URL of another repository starts its own origin
    const inBase = { path: "deploy", repo: "https://h/o/r", ref: "v1" };
    expect(originAppend(inBase, "../common/sa.yaml")).toEqual({ ...inBase, path: "common/sa.yaml" });
    expect(originAppend(inBase, "https://example.com/x.yaml")).toEqual({
      ...inBase,
      path: "deploy/https:/example.com/x.yaml",
    });
    expect(originAppend(inBase, "https://h/o/other//x.yaml")).toEqual({ path: "x.yaml", repo: "https://h/o/other" });
  });
});
