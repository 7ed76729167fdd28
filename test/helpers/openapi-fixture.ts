/**
 * Test helper: where the upstream Kubernetes OpenAPI documents are, and a `KubeOpenApi` built straight from
 * them (never copied into the project). Found through, in order: `BRAID_KUBERNETES_OPENAPI` (a folder of
 * `v<version>.json`, as `.ci/run` sets it), else the user cache (`$BRAID_CACHE` or `$XDG_CACHE_HOME/braid` or
 * `~/.cache/braid`, under `openapi/upstream/`), which is filled by downloading each upstream release document
 * once, as braid itself does. When neither has a document, the suites that need it skip and say why.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { gvkKey, type KindEntry, type KubeOpenApi, type SwaggerSchema } from "../../src/model/kube-openapi.js";
import { DEFAULT_OPENAPI_URL } from "../../src/kube/openapi-source.js";

/** The versions the suites use. */
const VERSIONS = ["1.30", "1.31", "1.32", "1.33", "1.34", "1.35"];

function userCacheDir(): string {
  const env = process.env;
  if (env.BRAID_CACHE) return env.BRAID_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "braid");
}

/** Downloads missing upstream documents into `dir` (bounded; a failure is remembered for an hour). */
async function fillFromUpstream(dir: string): Promise<void> {
  const marker = join(dir, ".download-failed");
  try {
    if (Date.now() - Number(readFileSync(marker, "utf8")) < 3_600_000) return;
  } catch {
    /* no recent failure */
  }
  for (const version of VERSIONS) {
    const file = join(dir, `v${version}.json`);
    if (existsSync(file)) continue;
    try {
      const res = await fetch(DEFAULT_OPENAPI_URL.replaceAll("{version}", version), {
        signal: AbortSignal.timeout(20_000),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const bytes = Buffer.from(await res.arrayBuffer());
      mkdirSync(dir, { recursive: true });
      writeFileSync(`${file}.tmp-${process.pid}`, bytes);
      renameSync(`${file}.tmp-${process.pid}`, file);
    } catch {
      try {
        mkdirSync(dir, { recursive: true });
        writeFileSync(marker, String(Date.now()));
      } catch {
        /* a read-only cache: nothing to remember */
      }
      return;
    }
  }
}

async function locate(): Promise<string> {
  const env = process.env.BRAID_KUBERNETES_OPENAPI;
  if (env) return env;
  const dir = join(userCacheDir(), "openapi", "upstream");
  await fillFromUpstream(dir);
  return dir;
}

/** Folder holding the upstream v<version>.json documents (it may not exist: check `hasOpenApiFixture`). */
export const OPENAPI_DIR: string = await locate();

/** True when the upstream document of `version` is on this machine. */
export function hasOpenApiFixture(version = "1.34"): boolean {
  return existsSync(join(OPENAPI_DIR, `v${version}.json`));
}

const warned = new Set<string>();

/**
 * Why a suite that needs the OpenAPI of `version` must skip here (printed once per suite), or undefined when
 * it can run. Use as `describe.skipIf(openApiSkipReason("preview"))`.
 */
export function openApiSkipReason(suite: string, version = "1.34"): string | undefined {
  if (hasOpenApiFixture(version)) return undefined;
  const reason =
    `no Kubernetes ${version} OpenAPI document in ${OPENAPI_DIR}: the ${suite} cases are skipped ` +
    `(set BRAID_KUBERNETES_OPENAPI to a folder of v<version>.json files)`;
  if (!warned.has(suite)) {
    warned.add(suite);
    console.warn(`[${suite}] ${reason}`);
  }
  return reason;
}

const loaded = new Map<string, KubeOpenApi>();

/** Loads (once per process) the upstream OpenAPI of `version` in braid's compact shape. */
export function loadOpenApiFixture(version = "1.34"): KubeOpenApi {
  const hit = loaded.get(version);
  if (hit) return hit;
  const file = join(OPENAPI_DIR, `v${version}.json`);
  const doc = JSON.parse(readFileSync(file, "utf8")) as { definitions: Record<string, SwaggerSchema> };
  const kinds: Record<string, KindEntry> = {};
  for (const [name, def] of Object.entries(doc.definitions)) {
    const gvks = def["x-kubernetes-group-version-kind"];
    if (!Array.isArray(gvks)) continue;
    for (const g of gvks as { group: string; version: string; kind: string }[]) {
      const key = gvkKey(g.group, g.version, g.kind);
      // several definitions can claim a GVK (e.g. DeleteOptions); the first real one wins
      kinds[key] ??= { definition: name };
    }
  }
  const api: KubeOpenApi = {
    kubernetesVersion: version,
    digest: "fixture",
    origin: file,
    definitions: doc.definitions,
    kinds,
  };
  loaded.set(version, api);
  return api;
}

/** Definition name of a kind in the fixture (throws when unknown, so tests fail loudly). */
export function definitionOf(api: KubeOpenApi, group: string, version: string, kind: string): string {
  const entry = api.kinds[gvkKey(group, version, kind)];
  if (!entry) throw new Error(`kind ${gvkKey(group, version, kind)} not in the fixture`);
  return entry.definition;
}
