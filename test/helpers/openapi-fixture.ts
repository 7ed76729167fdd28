/** Test helper: a `KubeOpenApi` built straight from the upstream document in ../shared/data (never copied). */
import { readFileSync, existsSync } from "node:fs";
import { gvkKey, type KindEntry, type KubeOpenApi, type SwaggerSchema } from "../../src/model/kube-openapi.js";

/** Folder holding the upstream v<version>.json documents. */
export const OPENAPI_DIR = "/work/shared/data/kubernetes-openapi";

const loaded = new Map<string, KubeOpenApi>();

/** True when the upstream document of `version` is on this machine. */
export function hasOpenApiFixture(version = "1.34"): boolean {
  return existsSync(`${OPENAPI_DIR}/v${version}.json`);
}

/** Loads (once per process) the upstream OpenAPI of `version` in braid's compact shape. */
export function loadOpenApiFixture(version = "1.34"): KubeOpenApi {
  const hit = loaded.get(version);
  if (hit) return hit;
  const file = `${OPENAPI_DIR}/v${version}.json`;
  const doc = JSON.parse(readFileSync(file, "utf8")) as { definitions: Record<string, SwaggerSchema> };
  const kinds: Record<string, KindEntry> = {};
  for (const [name, def] of Object.entries(doc.definitions)) {
    const gvks = def["x-kubernetes-group-version-kind"];
    if (!Array.isArray(gvks)) continue;
    for (const g of gvks as { group: string; version: string; kind: string }[]) {
      const key = gvkKey(g.group, g.version, g.kind);
      // several definitions can claim a GVK (e.g. DeleteOptions); the first real one wins
      if (!kinds[key]) kinds[key] = { definition: name };
    }
  }
  const api: KubeOpenApi = { kubernetesVersion: version, digest: "fixture", origin: file, definitions: doc.definitions, kinds };
  loaded.set(version, api);
  return api;
}

/** Definition name of a kind in the fixture (throws when unknown, so tests fail loudly). */
export function definitionOf(api: KubeOpenApi, group: string, version: string, kind: string): string {
  const entry = api.kinds[gvkKey(group, version, kind)];
  if (!entry) throw new Error(`kind ${gvkKey(group, version, kind)} not in the fixture`);
  return entry.definition;
}
