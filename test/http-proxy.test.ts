/**
 * braid's own HTTP requests go through the proxy the environment names (HTTP_PROXY, HTTPS_PROXY, NO_PROXY), as
 * kustomize's, Flux's and kubectl's do: remote files of kustomizations, the Kubernetes OpenAPI download and the
 * GitHub API. A forwarding proxy on 127.0.0.1 records what it is asked; the targets are names that do not
 * resolve (`*.braid.test`), so a request that does not go through the proxy fails.
 */
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryIO } from "../src/cli/io.js";
import { main } from "../src/cli/main.js";
import { readOpenApiUrl } from "../src/kube/openapi-source.js";
import { upsertStickyComment } from "../src/preview/github-comment.js";
import { git, makeFixtureRepo } from "./helpers/fixture-repo.js";
import { startForwardProxy, type ForwardProxy } from "./helpers/forward-proxy.js";
import { startGitServer } from "./helpers/git-http-server.js";
import { clusterYaml, fleetYaml, writeFleet } from "./helpers/fleet-dir.js";

/** What the origin server was asked (method and path), and what it answers per path. */
const seen: string[] = [];
const answers = new Map<string, { status?: number; body: string }>();
let origin: Server;
let proxy: ForwardProxy;
/** What the proxy was asked: the request line's target and its Proxy-Authorization. */
let proxied: ForwardProxy["requests"] = [];
let originPort = 0;
let proxyUrl = "";

const listen = async (server: Server): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const a = server.address();
  return typeof a === "object" && a ? a.port : 0;
};

beforeAll(async () => {
  origin = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      seen.push(`${req.method} ${req.url}${body ? ` ${body}` : ""}`);
      const a = answers.get(`${req.method} ${(req.url ?? "/").split("?")[0]}`);
      res.writeHead(a?.status ?? (a ? 200 : 404), { "content-type": "application/json" }).end(a?.body ?? "{}");
    });
  });
  originPort = await listen(origin);
  proxy = await startForwardProxy();
  proxyUrl = proxy.url;
  proxied = proxy.requests;
});
afterAll(async () => {
  origin.closeAllConnections();
  origin.close();
  await proxy.close();
});

const CM = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: remote\n  namespace: default\ndata:\n  v: "1"\n`;

async function lockWith(url: string, env: Record<string, string>) {
  const { dir } = await makeFixtureRepo([
    { files: { "base/kustomization.yaml": `resources:\n- ${url}\n` }, tags: ["v1.0.0"] },
  ]);
  const fleetDir = await writeFleet({
    "braid.yaml": fleetYaml(`    - name: s\n      url: ${dir}\n      ref: { tag: v1.0.0 }\n      path: base`),
    "clusters/c.yaml": clusterYaml("c", "  sources:\n    - name: s\n"),
  });
  const cache = await mkdtemp(join(tmpdir(), "braid-proxy-cache-"));
  const io = memoryIO({ cwd: fleetDir, env: { BRAID_CACHE: cache, BRAID_GIT_TIMEOUT_MS: "10000", ...env } });
  const code = await main(["lock", "--format", "json"], io);
  return { code, json: JSON.parse(io.out.join("")) as { pins: { remotes?: unknown[] }[]; diagnostics?: unknown[] } };
}

describe("braid's HTTP requests through the environment's proxy", () => {
  it("fetches a kustomization's remote file through HTTP_PROXY, with the proxy URL's credentials; NO_PROXY bypasses it", async () => {
    answers.set("GET /crds/app.yaml", { body: CM });
    const url = `http://files.braid.test:${originPort}/crds/app.yaml`;
    const before = proxied.length;
    const withCreds = proxyUrl.replace("http://", "http://ci:p%40ss@");
    const r = await lockWith(url, { HTTP_PROXY: withCreds, NO_PROXY: "example.com" });
    expect(r.code, JSON.stringify(r.json.diagnostics)).toBe(0);
    expect(r.json.pins[0]!.remotes).toEqual([{ url, sha256: createHash("sha256").update(CM).digest("hex") }]);
    expect(proxied.slice(before)).toEqual([
      { method: "GET", target: url, auth: `Basic ${Buffer.from("ci:p@ss").toString("base64")}` },
    ]);

    // the same with the host in NO_PROXY (or no proxy at all): connected directly, and the name does not resolve
    const bypasses: Record<string, string>[] = [
      { HTTP_PROXY: proxyUrl, NO_PROXY: ".braid.test" },
      { http_proxy: proxyUrl, no_proxy: "*" },
      {},
    ];
    for (const env of bypasses) {
      const direct = await lockWith(url, env);
      expect(direct.code).not.toBe(0);
      expect(JSON.stringify(direct.json.diagnostics)).toContain("REMOTE_FETCH");
    }
    expect(proxied.length).toBe(before + 1);
  });

  it("sends an https URL to HTTPS_PROXY as a CONNECT tunnel, never to HTTP_PROXY", async () => {
    const before = proxied.length;
    const url = "https://secure.braid.test/app.yaml";
    const viaHttpsProxy = await lockWith(url, { HTTPS_PROXY: proxyUrl });
    expect(viaHttpsProxy.code).not.toBe(0);
    expect(JSON.stringify(viaHttpsProxy.json.diagnostics)).toContain(`through the proxy ${proxyUrl}:`);
    expect(proxied.slice(before)).toEqual([{ method: "CONNECT", target: "secure.braid.test:443", auth: undefined }]);
    await lockWith(url, { HTTP_PROXY: proxyUrl });
    expect(proxied.length).toBe(before + 1);
  });

  it("says why a proxy is not used: a scheme braid cannot use, HTTP_PROXY in a CGI process", async () => {
    const url = `http://files.braid.test:${originPort}/crds/app.yaml`;
    const cases: [Record<string, string>, string][] = [
      [{ HTTP_PROXY: "ftp://proxy.braid.test" }, "the proxy ftp://proxy.braid.test has a scheme braid cannot use"],
      [{ HTTP_PROXY: proxyUrl, REQUEST_METHOD: "GET" }, "refusing to use HTTP_PROXY value in CGI environment"],
    ];
    for (const [env, why] of cases) {
      const r = await lockWith(url, env);
      expect(r.code).not.toBe(0);
      expect(r.json.diagnostics).toEqual([
        expect.objectContaining({ code: "REMOTE_FETCH", message: expect.stringContaining(why) as string }),
      ]);
    }
  });

  it("fetches a source through the proxy with the embedded Git transport (no git on PATH)", async () => {
    const root = await mkdtemp(join(tmpdir(), "braid-proxy-git-"));
    const { dir: work } = await makeFixtureRepo([{ files: { "app/cm.yaml": CM }, tags: ["v1.0.0"] }]);
    await git(root, ["clone", "-q", "--bare", work, join(root, "org", "app.git")]);
    const server = await startGitServer({ root });
    try {
      const url = server.url.replace("127.0.0.1", "git.braid.test") + "/org/app.git";
      const fleetDir = await writeFleet({
        "braid.yaml": fleetYaml(`    - name: s\n      url: ${url}\n      ref: { tag: v1.0.0 }\n      path: app`),
        "clusters/c.yaml": clusterYaml("c", "  sources:\n    - name: s\n"),
      });
      const before = proxied.length;
      const env = {
        BRAID_CACHE: await mkdtemp(join(tmpdir(), "braid-proxy-cache-")),
        BRAID_GIT_TRANSPORT: "embedded",
        HTTP_PROXY: proxyUrl,
      };
      const io = memoryIO({ cwd: fleetDir, env });
      expect(await main(["lock", "--quiet"], io), io.err.join("")).toBe(0);
      // (the ref list, then the fetch's own discovery and pack request): every request went through the proxy
      const through = proxied.slice(before).map((p) => `${p.method} ${p.target}`);
      expect([...new Set(through)]).toEqual([
        `GET ${url}/info/refs?service=git-upload-pack`,
        `POST ${url}/git-upload-pack`,
      ]);
      expect(server.requests).toHaveLength(through.length);

      // a proxy that never answers: the idle timeout of Git requests holds through it
      const silent = createServer(() => undefined);
      const silentUrl = `http://127.0.0.1:${await listen(silent)}`;
      try {
        const cache = await mkdtemp(join(tmpdir(), "braid-proxy-cache-"));
        const hung = memoryIO({
          cwd: fleetDir,
          env: { ...env, BRAID_CACHE: cache, HTTP_PROXY: silentUrl, BRAID_GIT_TIMEOUT_MS: "300" },
        });
        expect(await main(["lock", "--quiet"], hung)).toBe(3);
        expect(hung.err.join("")).toContain(`${url} did not answer within`);
      } finally {
        silent.closeAllConnections();
        silent.close();
      }
    } finally {
      await server.close();
    }
  });

  it("downloads the Kubernetes OpenAPI document through the proxy", async () => {
    answers.set("GET /openapi/v1.34.json", { body: '{"swagger":"2.0"}' });
    const url = `http://openapi.braid.test:${originPort}/openapi/v1.34.json`;
    const got = await readOpenApiUrl(url, "1.34", 10_000, "BRAID_KUBERNETES_OPENAPI", { HTTP_PROXY: proxyUrl });
    expect(got.bytes.toString()).toBe('{"swagger":"2.0"}');
    expect(proxied.at(-1)).toMatchObject({ method: "GET", target: url });
    await expect(readOpenApiUrl(url, "1.34", 10_000, "BRAID_KUBERNETES_OPENAPI", {})).rejects.toThrow(
      "cannot download",
    );
  });

  it("posts the pull-request comment through the proxy (GitHub Enterprise behind a corporate proxy)", async () => {
    answers.set("GET /api/v3/repos/o/r/issues/7/comments", { body: "[]" });
    answers.set("POST /api/v3/repos/o/r/issues/7/comments", { status: 201, body: '{"id":1,"html_url":"h"}' });
    const apiUrl = `http://ghe.braid.test:${originPort}/api/v3`;
    const before = proxied.length;
    seen.length = 0;
    const r = await upsertStickyComment(
      { owner: "o", repo: "r", pr: 7, token: "t0k", apiUrl, env: { HTTP_PROXY: proxyUrl } },
      "the preview",
    );
    expect(r).toMatchObject({ action: "created" });
    expect(proxied.slice(before).map((p) => `${p.method} ${p.target}`)).toEqual([
      `GET ${apiUrl}/repos/o/r/issues/7/comments?per_page=100`,
      `POST ${apiUrl}/repos/o/r/issues/7/comments`,
    ]);
    expect(seen[1]).toContain("the preview");
  });
});
