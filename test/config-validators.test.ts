/**
 * braid's config schemas compiled ahead of time (src/config/config-validators.ts): the standalone validators
 * give exactly the errors of a run-time compile, and a stale, corrupt or missing module is ignored.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Ajv } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  COMMON_SCHEMA,
  CONFIG_AJV_OPTIONS,
  loadConfigValidators,
  standaloneConfigValidators,
} from "../src/config/config-validators.js";
import { SCHEMA_DIR, SCHEMA_FILES } from "../src/config/schema-check.js";
import { readFileSync } from "node:fs";

const ROOT = resolve(import.meta.dirname, "..");
let dir: string;
let code: string;

// inside the repository, so the generated module finds ajv's runtime helpers in node_modules
beforeAll(async () => {
  dir = await mkdtemp(join(ROOT, ".tmp-config-validators-"));
  code = await standaloneConfigValidators(SCHEMA_DIR, SCHEMA_FILES);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function moduleWith(name: string, text: string): Promise<URL> {
  const file = join(dir, name);
  await writeFile(file, text);
  return pathToFileURL(file);
}

function runtimeValidators(): Ajv {
  const ajv = new Ajv({ ...CONFIG_AJV_OPTIONS });
  ajv.addSchema(JSON.parse(readFileSync(new URL(COMMON_SCHEMA, SCHEMA_DIR), "utf8")) as object);
  return ajv;
}

const meta = { name: "a" };
const SAMPLES: Record<keyof typeof SCHEMA_FILES, unknown[]> = {
  Fleet: [
    {
      apiVersion: "braid/v1alpha1",
      kind: "Fleet",
      metadata: meta,
      spec: { kubernetesVersion: "1.34", sources: [{ name: "s", url: "https://x/y.git", ref: { tag: "v1" } }] },
    },
    {},
    { apiVersion: "braid/v1", kind: "Fleet", metadata: { name: "Bad Name" }, spec: { sources: "no", extra: 1 } },
    {
      apiVersion: "braid/v1alpha1",
      kind: "Fleet",
      metadata: meta,
      spec: { kubernetesVersion: 1, sources: [{ name: 3, url: "x", ref: { tag: "v1", branch: "b" }, path: 5 }] },
    },
    [],
  ],
  Cluster: [
    { apiVersion: "braid/v1alpha1", kind: "Cluster", metadata: meta, spec: {} },
    {
      apiVersion: "braid/v1alpha1",
      kind: "Cluster",
      metadata: meta,
      spec: { vars: { A: { b: 1 } }, patches: [{ nope: true }], unknown: 1 },
    },
    { kind: "Cluster", spec: null },
  ],
  Group: [
    { apiVersion: "braid/v1alpha1", kind: "Group", metadata: meta, spec: { clusters: ["a"] } },
    { apiVersion: "braid/v1alpha1", kind: "Group", metadata: {}, spec: { clusters: [1, {}], x: [] } },
  ],
  Rollout: [
    {
      apiVersion: "braid/v1alpha1",
      kind: "Rollout",
      metadata: meta,
      spec: { waves: [], source: "s", target: { tag: "v2" }, extra: 1 },
    },
    {
      apiVersion: "braid/v1alpha1",
      kind: "Rollout",
      metadata: meta,
      spec: { waves: "x", source: "s", kubernetesVersion: "1.34" },
    },
  ],
  Lock: [
    { apiVersion: "braid/v1alpha1", kind: "Lock", sources: {} },
    { apiVersion: "braid/v1alpha1", kind: "Lock", sources: { s: { commit: "zz", url: 1 } }, more: true },
    "text",
  ],
};

describe("precompiled config validators", () => {
  it("give the same verdict and the same errors as a run-time compile, for every config kind", async () => {
    const loaded = loadConfigValidators(SCHEMA_DIR, SCHEMA_FILES, await moduleWith("same.cjs", code));
    expect(loaded).toBeDefined();
    const ajv = runtimeValidators();
    let failures = 0;
    for (const [kind, file] of Object.entries(SCHEMA_FILES)) {
      const runtime = ajv.compile(JSON.parse(readFileSync(new URL(file, SCHEMA_DIR), "utf8")) as object);
      for (const sample of SAMPLES[kind as keyof typeof SCHEMA_FILES]) {
        const pre = loaded![kind]!;
        const ok = pre(sample);
        expect(ok).toBe(runtime(sample));
        if (!ok) failures++;
        expect(pre.errors ?? null).toEqual(runtime.errors ?? null);
      }
    }
    expect(failures).toBeGreaterThanOrEqual(8);
  });

  it("are ignored when made from other schema texts (a stale build)", async () => {
    const stale = code.replace(/exports\.digest = "[0-9a-f]+";/, `exports.digest = "${"0".repeat(64)}";`);
    expect(stale).not.toBe(code);
    expect(loadConfigValidators(SCHEMA_DIR, SCHEMA_FILES, await moduleWith("stale.cjs", stale))).toBeUndefined();
  });

  it("are ignored when the module is corrupt, lacks a kind, or is missing", async () => {
    expect(
      loadConfigValidators(SCHEMA_DIR, SCHEMA_FILES, await moduleWith("corrupt.cjs", code.slice(0, 5000))),
    ).toBeUndefined();
    const noLock = code.replace(/exports\.Lock = /, "exports.NotLock = ");
    expect(noLock).not.toBe(code);
    expect(loadConfigValidators(SCHEMA_DIR, SCHEMA_FILES, await moduleWith("nolock.cjs", noLock))).toBeUndefined();
    expect(loadConfigValidators(SCHEMA_DIR, SCHEMA_FILES, pathToFileURL(join(dir, "absent.cjs")))).toBeUndefined();
  });
});
