import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeOpenApi } from "../model/kube-openapi.js";
import { createKubeSchemaIndex } from "./kube-schema-index.js";
import { loadKubeOpenApi } from "../kube/openapi-load.js";
import { resourcesFromYaml } from "../../test/helpers/test-resource.js";
import { OPENAPI_DIR, openApiSkipReason } from "../../test/helpers/openapi-fixture.js";

const DATA = OPENAPI_DIR;
const NO_OPENAPI = openApiSkipReason("kube-schema-index", "1.35");
let cacheDir: string;
let openapi: KubeOpenApi;
beforeAll(async () => {
  if (NO_OPENAPI) return;
  cacheDir = await mkdtemp(join(tmpdir(), "braid-index-"));
  openapi = await loadKubeOpenApi({ kubernetesVersion: "1.35", envValue: DATA, fleetDir: cacheDir, cacheDir });
});
afterAll(() => rm(cacheDir, { recursive: true, force: true }));

const CRDS = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: clusterwidgets.example.com }
spec:
  group: example.com
  scope: Cluster
  names: { kind: ClusterWidget, plural: clusterwidgets }
  versions: [{ name: v1, served: true, storage: true }, { name: v2, served: true, storage: false }]
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: widgets.example.com }
spec:
  group: example.com
  scope: Namespaced
  names: { kind: Widget, plural: widgets }
  versions: [{ name: v1, served: true, storage: true }]
`;

describe.skipIf(NO_OPENAPI)("createKubeSchemaIndex", () => {
  it("knows scopes from the OpenAPI paths and from CRDs", () => {
    const index = createKubeSchemaIndex(openapi, resourcesFromYaml(CRDS));
    expect(index.kubernetesVersion).toBe("1.35");
    const table: [string, string, string, string | undefined][] = [
      ["apps", "v1", "Deployment", "Namespaced"],
      ["", "v1", "Namespace", "Cluster"],
      ["", "v1", "PersistentVolume", "Cluster"],
      ["rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "Cluster"],
      ["example.com", "v1", "ClusterWidget", "Cluster"],
      ["example.com", "v2", "ClusterWidget", "Cluster"],
      ["example.com", "v1", "Widget", "Namespaced"],
      ["example.com", "v1", "Unknown", undefined],
    ];
    for (const [group, version, kind, want] of table) expect(index.scope({ group, version, kind }), kind).toBe(want);
  });

  it("gives strategic-merge schemas for built-in kinds and none for CRD kinds", () => {
    const index = createKubeSchemaIndex(openapi, resourcesFromYaml(CRDS));
    const containers = index
      .patchSchema({ group: "apps", version: "v1", kind: "Deployment" })
      ?.property("spec")
      ?.property("template")
      ?.property("spec")
      ?.property("containers");
    expect(containers?.patchMergeKey).toBe("name");
    expect(containers?.patchStrategy).toContain("merge");
    expect(index.patchSchema({ group: "example.com", version: "v1", kind: "Widget" })).toBeUndefined();
    expect(index.patchSchema({ group: "nope", version: "v1", kind: "Nope" })).toBeUndefined();
  });
});
