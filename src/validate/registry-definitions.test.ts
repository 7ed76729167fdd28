import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gvkKey, type KubeOpenApi } from "../model/kube-openapi.js";
import { builtinDefinitions, builtinKindSchema, crdResourceSchema } from "./kube-json-schema.js";
import { loadKubeOpenApi } from "../kube/openapi-load.js";
import { createDefinitionsLoader } from "./registry-definitions.js";
import { newAjv } from "./new-ajv.js";
import { createSchemaRegistry, stripIds } from "./registry.js";
import { OPENAPI_DIR, openApiSkipReason } from "../../test/helpers/openapi-fixture.js";

const NO_OPENAPI = openApiSkipReason("registry-definitions", "1.34");
let cacheDir: string;
let openapi: KubeOpenApi;

beforeAll(async () => {
  if (NO_OPENAPI) return;
  cacheDir = await mkdtemp(join(tmpdir(), "braid-registry-defs-"));
  openapi = await loadKubeOpenApi({ kubernetesVersion: "1.34", envValue: OPENAPI_DIR, fleetDir: cacheDir, cacheDir });
});
afterAll(() => (cacheDir ? rm(cacheDir, { recursive: true, force: true }) : undefined));

const BAD: Record<string, unknown> = {
  "apps/v1/Deployment": {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "Bad_Name", labels: { "a/b/c": "x" } },
    spec: {
      replicas: "3",
      selector: {},
      template: { spec: { containers: [{ name: 1, image: "x", ports: [{ containerPort: "80" }] }], extra: true } },
    },
  },
  "/v1/ConfigMap": {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "cm", annotations: { a: 1 } },
    data: { k: 2 },
    unknown: 1,
  },
  "/v1/Service": {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "s" },
    spec: { ports: [{ port: "x" }], type: 5 },
  },
};

describe.skipIf(NO_OPENAPI)("definitions loaded as compiled schemas need them", () => {
  it("converts only the definitions the compiled kinds refer to", () => {
    const loader = createDefinitionsLoader(openapi, true);
    loader.ajvFor(builtinKindSchema(openapi.kinds[gvkKey("", "v1", "ConfigMap")]!.definition));
    const afterConfigMap = loader.loaded();
    expect(afterConfigMap).toContain("io.k8s.api.core.v1.ConfigMap");
    expect(afterConfigMap).toContain("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
    expect(afterConfigMap).not.toContain("io.k8s.api.core.v1.PodSpec");
    expect(afterConfigMap.length).toBeLessThan(Object.keys(openapi.definitions).length / 10);
    const first = loader.ajvFor(builtinKindSchema(openapi.kinds[gvkKey("", "v1", "ConfigMap")]!.definition));
    const second = loader.ajvFor(builtinKindSchema(openapi.kinds[gvkKey("apps", "v1", "Deployment")]!.definition));
    expect(second).not.toBe(first);
    expect(loader.loaded()).toContain("io.k8s.api.core.v1.PodSpec");
    expect(loader.ajvFor(builtinKindSchema(openapi.kinds[gvkKey("", "v1", "ConfigMap")]!.definition))).toBe(second);
  });

  for (const strict of [true, false]) {
    it(`gives the errors of the whole definitions document (strict: ${strict}), kinds compiled one after another`, () => {
      const whole = newAjv();
      whole.addSchema(builtinDefinitions(openapi, strict), undefined, undefined, false);
      const registry = createSchemaRegistry(openapi, { strict });
      let failures = 0;
      for (const [key, object] of Object.entries(BAD)) {
        const [group, version, kind] = key.split("/") as [string, string, string];
        const lazy = registry.builtin({ group, version, kind })!;
        const full = whole.compile(builtinKindSchema(openapi.kinds[gvkKey(group, version, kind)]!.definition));
        expect(lazy(object)).toBe(false);
        expect(full(object)).toBe(false);
        expect(lazy.errors).toEqual(full.errors);
        failures += lazy.errors!.length;
      }
      const crd = {
        type: "object",
        properties: { spec: { type: "object", properties: { size: { type: "integer" } } } },
      };
      const lazyCrd = registry.custom(crd);
      const fullCrd = whole.compile(crdResourceSchema(crd, strict));
      const cr = {
        apiVersion: "x/v1",
        kind: "X",
        metadata: { name: "UPPER", labels: { k: 3 } },
        spec: { size: "big" },
      };
      expect(lazyCrd(cr)).toBe(false);
      expect(fullCrd(cr)).toBe(false);
      expect(lazyCrd.errors).toEqual(fullCrd.errors);
      expect(failures).toBeGreaterThan(6);
      // a schema that breaks the meta-schema is refused with ajv's own error, as a compile in one instance does
      const broken = { type: "object", properties: { a: { minimum: "x", type: "wrong" } } };
      let expected = "";
      try {
        whole.compile(stripIds(broken));
      } catch (e) {
        expected = (e as Error).message;
      }
      expect(expected).toMatch(/^schema is invalid: /);
      expect(() => registry.org(broken, false)).toThrow(expected);
    });
  }
});
