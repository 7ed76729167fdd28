import { mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BraidError } from "../diagnostics/diagnostic.js";
import { exitCodeOf } from "../diagnostics/codes.js";
import { compactCachePath, digestOf } from "./openapi-cache.js";
import { compactOpenApi } from "./openapi-compact.js";
import { loadKubeOpenApiWithInfo, type OpenApiLoadOptions } from "./openapi-load.js";
import { OPENAPI_DIR, openApiSkipReason } from "../../test/helpers/openapi-fixture.js";

const DATA = OPENAPI_DIR;
const NO_OPENAPI = openApiSkipReason("openapi-load", "1.34");

/** A tiny swagger 2.0 document: a namespaced and a cluster-scoped kind, one enum with duplicates. */
function miniDoc(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    swagger: "2.0",
    info: { title: "Kubernetes", version: "unversioned" },
    paths: {
      "/apis/example.com/v1/namespaces/{namespace}/widgets/{name}": {
        get: { "x-kubernetes-group-version-kind": { group: "example.com", version: "v1", kind: "Widget" } },
      },
      "/apis/example.com/v1/widgets": {
        get: { "x-kubernetes-group-version-kind": { group: "example.com", version: "v1", kind: "Widget" } },
      },
      "/apis/example.com/v1/gadgets/{name}": {
        put: { "x-kubernetes-group-version-kind": { group: "example.com", version: "v1", kind: "Gadget" } },
      },
    },
    definitions: {
      "com.example.v1.Widget": {
        description: "A widget.",
        type: "object",
        properties: {
          apiVersion: { type: "string", description: "x" },
          kind: { type: "string" },
          mode: { type: "string", enum: ["a", "b", "a", "b"], description: "dup enum" },
          description: { type: "string", description: "a property called description survives" },
          items: {
            type: "array",
            items: { type: "string" },
            "x-kubernetes-list-type": "set",
            "x-kubernetes-patch-strategy": "merge",
            example: ["dropped"],
          },
        },
        "x-kubernetes-group-version-kind": [{ group: "example.com", version: "v1", kind: "Widget" }],
      },
      "com.example.v1.Gadget": {
        type: "object",
        properties: { apiVersion: { type: "string" }, kind: { type: "string" } },
        "x-kubernetes-group-version-kind": [{ group: "example.com", version: "v1", kind: "Gadget" }],
      },
    },
    ...extra,
  };
}

let dir: string;
let server: Server;
let base: string;
let requests: string[] = [];

beforeAll(async () => {
  if (NO_OPENAPI) return;
  dir = await mkdtemp(join(tmpdir(), "braid-openapi-"));
  server = createServer((req, res) => {
    requests.push(req.url ?? "");
    if (req.url === "/private/swagger.json") {
      const ok = req.headers.authorization === `Basic ${Buffer.from("bot:s3cret").toString("base64")}`;
      res.writeHead(ok ? 200 : 401);
      res.end(ok ? JSON.stringify(miniDoc()) : "no");
      return;
    }
    const m = /^\/k8s\/v([\d.]+)\/swagger\.json$/.exec(req.url ?? "");
    if (m?.[1] === "1.34.0") {
      res.writeHead(200, { "content-type": "application/json" });
      void readFile(join(DATA, "v1.34.json")).then((b) => res.end(b));
    } else if (req.url === "/mini/swagger.json") {
      res.end(JSON.stringify(miniDoc()));
    } else {
      res.writeHead(404);
      res.end("not found");
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

function opts(o: Partial<OpenApiLoadOptions>): OpenApiLoadOptions {
  return {
    kubernetesVersion: "1.34",
    fleetDir: dir,
    cacheDir: join(dir, `cache-${Math.random()}`),
    timeoutMs: 5000,
    ...o,
  };
}

async function thrown(p: Promise<unknown>): Promise<BraidError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof BraidError) return e;
    throw e;
  }
  throw new Error("expected a BraidError");
}

describe.skipIf(NO_OPENAPI)("loadKubeOpenApi: where the document comes from", () => {
  it("reads a folder of v<version>.json and indexes kinds with scopes", async () => {
    const { openapi } = await loadKubeOpenApiWithInfo(opts({ envValue: DATA }));
    expect(openapi.kubernetesVersion).toBe("1.34");
    expect(openapi.origin).toBe(join(DATA, "v1.34.json"));
    expect(openapi.kinds["apps/v1/Deployment"]).toEqual({
      definition: "io.k8s.api.apps.v1.Deployment",
      scope: "Namespaced",
    });
    const table: [string, string | undefined][] = [
      ["/v1/Namespace", "Cluster"],
      ["/v1/Node", "Cluster"],
      ["/v1/ConfigMap", "Namespaced"],
      ["rbac.authorization.k8s.io/v1/ClusterRole", "Cluster"],
      ["rbac.authorization.k8s.io/v1/RoleBinding", "Namespaced"],
      ["apiextensions.k8s.io/v1/CustomResourceDefinition", "Cluster"],
      ["networking.k8s.io/v1/Ingress", "Namespaced"],
      ["storage.k8s.io/v1/StorageClass", "Cluster"],
    ];
    for (const [k, scope] of table) expect(openapi.kinds[k]?.scope, k).toBe(scope);
    // reduced: descriptions gone, patch extensions kept
    const podSpec = openapi.definitions["io.k8s.api.core.v1.PodSpec"]!;
    expect(podSpec.description).toBeUndefined();
    expect(
      (podSpec.properties as Record<string, Record<string, unknown>>).containers!["x-kubernetes-patch-merge-key"],
    ).toBe("name");
  });

  it("reads a single file (a cluster dump) and a file template with {version}", async () => {
    const a = await loadKubeOpenApiWithInfo(opts({ envValue: join(DATA, "v1.30.json"), kubernetesVersion: "1.30" }));
    expect(a.openapi.kinds["batch/v1/CronJob"]?.scope).toBe("Namespaced");
    const b = await loadKubeOpenApiWithInfo(
      opts({ configValue: join(DATA, "v{version}.json"), kubernetesVersion: "1.33" }),
    );
    expect(b.openapi.origin).toBe(join(DATA, "v1.33.json"));
  });

  it("resolves a relative validation.kubernetesOpenAPI against the fleet dir; the env value wins over it", async () => {
    const fleet = join(dir, "fleet");
    await mkdir(join(fleet, "api"), { recursive: true });
    await writeFile(join(fleet, "api", "v1.34.json"), JSON.stringify(miniDoc()));
    const a = await loadKubeOpenApiWithInfo(opts({ configValue: "api", fleetDir: fleet }));
    expect(Object.keys(a.openapi.kinds).sort()).toEqual(["example.com/v1/Gadget", "example.com/v1/Widget"]);
    const b = await loadKubeOpenApiWithInfo(opts({ configValue: "api", envValue: DATA, fleetDir: fleet }));
    expect(b.openapi.kinds["apps/v1/Deployment"]).toBeDefined();
  });

  it("downloads from a URL template", async () => {
    const { openapi } = await loadKubeOpenApiWithInfo(opts({ envValue: `${base}/k8s/v{version}.0/swagger.json` }));
    expect(openapi.origin).toBe(`${base}/k8s/v1.34.0/swagger.json`);
    expect(openapi.kinds["apps/v1/StatefulSet"]?.scope).toBe("Namespaced");
  });

  it("sends URL credentials as Basic auth and keeps them out of the origin", async () => {
    const url = base.replace("http://", "http://bot:s3cret@") + "/private/swagger.json";
    const { openapi } = await loadKubeOpenApiWithInfo(opts({ envValue: url }));
    expect(openapi.origin).toBe(`${base}/private/swagger.json`);
    const e = await thrown(loadKubeOpenApiWithInfo(opts({ envValue: url.replace("s3cret", "wrong") })));
    expect(e.code).toBe("OPENAPI_UNAVAILABLE");
    expect(e.message).not.toContain("wrong");
  });

  it("downloads the default upstream document once, then reads it from the cache", async () => {
    const cacheDir = join(dir, "cache-default");
    const template = `${base}/k8s/v{version}.0/swagger.json`;
    requests = [];
    const a = await loadKubeOpenApiWithInfo(opts({ cacheDir, defaultUrlTemplate: template }));
    const b = await loadKubeOpenApiWithInfo(opts({ cacheDir, defaultUrlTemplate: template }));
    expect(requests).toEqual(["/k8s/v1.34.0/swagger.json"]);
    expect(b.fromCache).toBe(true);
    expect(b.openapi.digest).toBe(a.openapi.digest);
  });

  it("is an environment error (exit 3) naming the three ways when nothing is reachable", async () => {
    const e = await thrown(
      loadKubeOpenApiWithInfo(opts({ defaultUrlTemplate: "http://127.0.0.1:9/v{version}.json", timeoutMs: 2000 })),
    );
    expect(e.code).toBe("OPENAPI_UNAVAILABLE");
    expect(exitCodeOf(e.code)).toBe(3);
    expect(e.diagnostic.hint).toMatch(/BRAID_KUBERNETES_OPENAPI/);
    expect(e.diagnostic.hint).toMatch(/validation\.kubernetesOpenAPI/);
    expect(e.diagnostic.hint).toMatch(/download/);
    const missing = await thrown(loadKubeOpenApiWithInfo(opts({ envValue: join(dir, "nope.json") })));
    expect(missing.code).toBe("OPENAPI_UNAVAILABLE");
  });

  it("names the versions a folder holds for an unknown kubernetesVersion", async () => {
    const e = await thrown(loadKubeOpenApiWithInfo(opts({ envValue: DATA, kubernetesVersion: "1.31" })));
    expect(e.code).toBe("OPENAPI_UNKNOWN_VERSION");
    expect(e.message).toContain("1.30, 1.32, 1.33, 1.34, 1.35");
    const url = await thrown(
      loadKubeOpenApiWithInfo(opts({ envValue: `${base}/k8s/v{version}/swagger.json`, kubernetesVersion: "1.99" })),
    );
    expect(url.code).toBe("OPENAPI_UNKNOWN_VERSION");
    const bad = await thrown(loadKubeOpenApiWithInfo(opts({ envValue: DATA, kubernetesVersion: "latest" })));
    expect(bad.code).toBe("OPENAPI_UNKNOWN_VERSION");
  });

  it("rejects a truncated or non-OpenAPI document with OPENAPI_INVALID", async () => {
    const full = await readFile(join(DATA, "v1.32.json"));
    const cases: [string, string | Buffer][] = [
      ["truncated.json", full.subarray(0, 100_000)],
      ["array.json", "[1,2,3]"],
      ["v3.json", JSON.stringify({ openapi: "3.0.0", components: {} })],
      ["nodefs.json", JSON.stringify({ swagger: "2.0", paths: {} })],
      ["nokinds.json", JSON.stringify({ swagger: "2.0", definitions: { a: { type: "string" } } })],
    ];
    for (const [name, body] of cases) {
      await writeFile(join(dir, name), body);
      const e = await thrown(loadKubeOpenApiWithInfo(opts({ envValue: join(dir, name) })));
      expect(e.code, name).toBe("OPENAPI_INVALID");
      expect(exitCodeOf(e.code)).toBe(1);
    }
  });
});

describe.skipIf(NO_OPENAPI)("compact form and its cache", () => {
  it("removes duplicate enum values, keeps x-kubernetes-* and properties named like keywords", () => {
    const c = compactOpenApi(miniDoc(), { kubernetesVersion: "1.34", digest: "d", origin: "mem" });
    const w = c.definitions["com.example.v1.Widget"]!;
    const props = w.properties as Record<string, Record<string, unknown>>;
    expect(props.mode!.enum).toEqual(["a", "b"]);
    expect(props.description).toEqual({ type: "string" });
    expect(props.items).toEqual({
      type: "array",
      items: { type: "string" },
      "x-kubernetes-list-type": "set",
      "x-kubernetes-patch-strategy": "merge",
    });
    expect(w.description).toBeUndefined();
    expect(c.kinds).toEqual({
      "example.com/v1/Widget": { definition: "com.example.v1.Widget", scope: "Namespaced" },
      "example.com/v1/Gadget": { definition: "com.example.v1.Gadget", scope: "Cluster" },
    });
  });

  it("uses the cache on the second run and rebuilds it when the document changes", async () => {
    const cacheDir = join(dir, "cache-digest");
    const file = join(dir, "mini.json");
    await writeFile(file, JSON.stringify(miniDoc()));
    const first = await loadKubeOpenApiWithInfo(opts({ envValue: file, cacheDir }));
    expect(first.fromCache).toBe(false);
    const entry = compactCachePath(cacheDir, first.openapi.digest);
    expect(first.openapi.digest).toBe(digestOf(await readFile(file)));

    // mark the cache entry: a second run must return the marked content, without converting again
    const cached = JSON.parse(await readFile(entry, "utf8")) as Record<string, Record<string, unknown>>;
    cached.definitions!["marker.FromCache"] = { type: "string" };
    await writeFile(entry, JSON.stringify(cached));
    const second = await loadKubeOpenApiWithInfo(opts({ envValue: file, cacheDir }));
    expect(second.fromCache).toBe(true);
    expect(second.openapi.definitions["marker.FromCache"]).toEqual({ type: "string" });

    // a changed document has another digest: converted afresh, no marker
    await writeFile(file, JSON.stringify(miniDoc({ info: { title: "Kubernetes", version: "changed" } })));
    const third = await loadKubeOpenApiWithInfo(opts({ envValue: file, cacheDir }));
    expect(third.fromCache).toBe(false);
    expect(third.openapi.digest).not.toBe(first.openapi.digest);
    expect(third.openapi.definitions["marker.FromCache"]).toBeUndefined();

    // a corrupt entry is ignored and rewritten
    await writeFile(compactCachePath(cacheDir, third.openapi.digest), "{ not json");
    const fourth = await loadKubeOpenApiWithInfo(opts({ envValue: file, cacheDir }));
    expect(fourth.fromCache).toBe(false);
    expect(Object.keys(fourth.openapi.kinds)).toHaveLength(2);
  });
});
