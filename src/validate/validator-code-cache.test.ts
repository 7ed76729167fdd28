import { chmod, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeOpenApi } from "../model/kube-openapi.js";
import { loadKubeOpenApi } from "../kube/openapi-load.js";
import { createSchemaRegistry, type SchemaRegistry } from "./registry.js";
import { resourcesFromYaml } from "../../test/helpers/test-resource.js";
import { validateResources } from "./validate-resources.js";
import { OPENAPI_DIR, openApiSkipReason } from "../../test/helpers/openapi-fixture.js";

const NO_OPENAPI = openApiSkipReason("validator-code-cache", "1.34");
let dir: string;
let openapi: KubeOpenApi;

beforeAll(async () => {
  if (NO_OPENAPI) return;
  dir = await mkdtemp(join(tmpdir(), "braid-codecache-"));
  openapi = await loadKubeOpenApi({ kubernetesVersion: "1.34", envValue: OPENAPI_DIR, fleetDir: dir, cacheDir: dir });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

// type errors, formats (quantity, int32, date-time), metadata rules, unknown fields (strict), enums
const DOCS = `apiVersion: apps/v1
kind: Deployment
metadata: { name: Web_1, namespace: apps, labels: { "bad key!": x } }
spec:
  replicas: "three"
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: main
          image: nginx
          imagePullPolicy: Sometimes
          ports: [ { containerPort: 99999999999 } ]
          resources: { requests: { cpu: lots, memory: 1Gi } }
          unknownField: 1
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: apps }
spec:
  ports: [ { port: "80" } ]
  sessionAffinity: Sometimes
---
apiVersion: batch/v1
kind: Job
metadata: { name: j, namespace: apps }
spec:
  activeDeadlineSeconds: 1.5
  template: { spec: { restartPolicy: Never, containers: [ { name: c, image: busybox } ] } }
status: { startTime: yesterday }
`;

function validate(registry: SchemaRegistry, strict: boolean) {
  return validateResources(resourcesFromYaml(DOCS, "app.yaml"), {
    cluster: "c",
    openapi,
    crds: [],
    policies: [],
    strict,
    ignoreMissingSchemas: false,
    skipKinds: [],
    registry,
  });
}

describe.skipIf(NO_OPENAPI)("validators of built-in kinds kept as standalone code", () => {
  it("gives the same diagnostics from cached code as from compiling, and a new registry compiles nothing", async () => {
    const codeCache = join(dir, "validators");
    for (const strict of [true, false]) {
      const compiled = createSchemaRegistry(openapi, { strict });
      const expected = validate(compiled, strict);
      expect(expected.length).toBeGreaterThan(5);
      const writing = createSchemaRegistry(openapi, { strict, codeCache });
      expect(validate(writing, strict)).toEqual(expected);
      expect(writing.stats().compiled).toBe(3);
      const reading = createSchemaRegistry(openapi, { strict, codeCache });
      expect(validate(reading, strict)).toEqual(expected);
      expect(reading.stats().compiled).toBe(0);
    }
    // one file per kind and strict setting: strict and non-strict code never mix
    expect((await readdir(codeCache)).filter((f) => f.endsWith(".cjs"))).toHaveLength(6);
    const strictErrors = validate(createSchemaRegistry(openapi, { strict: true, codeCache }), true).map(
      (d) => d.message,
    );
    expect(strictErrors.some((m) => m.includes("unknownField"))).toBe(true);
    expect(
      validate(createSchemaRegistry(openapi, { strict: false, codeCache }), false)
        .map((d) => d.message)
        .some((m) => m.includes("unknownField")),
    ).toBe(false);
  });

  it("compiles again when a cached file cannot be run", async () => {
    const codeCache = join(dir, "broken");
    const first = createSchemaRegistry(openapi, { strict: true, codeCache });
    const expected = validate(first, true);
    for (const f of await readdir(codeCache)) await writeFile(join(codeCache, f), "this is not JavaScript {");
    const again = createSchemaRegistry(openapi, { strict: true, codeCache });
    expect(validate(again, true)).toEqual(expected);
    expect(again.stats().compiled).toBe(3);
  });

  it("never runs code from a cache folder or file that others can write; its own files are private", async () => {
    const codeCache = join(dir, "shared");
    const first = createSchemaRegistry(openapi, { strict: true, codeCache });
    const expected = validate(first, true);
    expect((await stat(codeCache)).mode & 0o777).toBe(0o700);
    const files = (await readdir(codeCache)).filter((f) => f.endsWith(".cjs"));
    expect(files).toHaveLength(3);
    for (const f of files) expect((await stat(join(codeCache, f))).mode & 0o777).toBe(0o600);
    const marker = "__braidValidatorCacheRan";
    const planted = `globalThis.${marker} = true; module.exports = function validate() { return true; };`;
    for (const f of files) await writeFile(join(codeCache, f), planted);
    // the planted code is run when the folder is private (proving the test can fail)...
    const trusted = createSchemaRegistry(openapi, { strict: true, codeCache });
    expect(validate(trusted, true).length).toBeLessThan(expected.length);
    expect((globalThis as Record<string, unknown>)[marker]).toBe(true);
    delete (globalThis as Record<string, unknown>)[marker];
    // ...and never when a file or the folder is writable by group or others
    for (const f of files) await chmod(join(codeCache, f), 0o666);
    const writableFiles = createSchemaRegistry(openapi, { strict: true, codeCache });
    expect(validate(writableFiles, true)).toEqual(expected);
    expect(writableFiles.stats().compiled).toBe(3);
    for (const f of files) await writeFile(join(codeCache, f), planted, { mode: 0o600 });
    for (const f of files) await chmod(join(codeCache, f), 0o600);
    await chmod(codeCache, 0o777);
    const writableFolder = createSchemaRegistry(openapi, { strict: true, codeCache });
    expect(validate(writableFolder, true)).toEqual(expected);
    expect(writableFolder.stats().compiled).toBe(3);
    expect((globalThis as Record<string, unknown>)[marker]).toBeUndefined();
  });
});
