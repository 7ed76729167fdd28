/**
 * The registered kustomize fields together, as an overlay over a base (each built with its own
 * kustomization, the base first): prefix + suffix + generator merge + hash references + labels into
 * selectors + annotations + images with digest + replicas + replacements with delimiter, compared with
 * `kubectl kustomize` of the overlay.
 */
import { describe, expect, it } from "vitest";
import type { Resource } from "../src/model/resource.js";
import {
  buildFields,
  contextFor,
  kubectlKustomize,
  removeFolder,
  resourcesOf,
  sortObjects,
  writeFolder,
} from "./helpers/kustomize-fields.js";
import { kubectlSkipReason } from "./helpers/kubectl.js";

const skip = kubectlSkipReason("kustomize fields combined", false);

const BASE_APP = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 1
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      serviceAccountName: api
      containers:
      - name: api
        image: ghcr.io/acme/api:1.0.0
        envFrom:
        - configMapRef: {name: api-config}
        - secretRef: {name: api-secret}
        env:
        - name: DB_HOST
          value: localhost
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
---
apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector: {app: api}
  ports: [{port: 8080}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: api
spec:
  minAvailable: 1
  selector:
    matchLabels: {app: api}
`;

/** Builds base then overlay with braid's transformers; the overlay's own files come after the base's objects. */
async function braidBuild(
  dir: string,
  base: string,
  baseFiles: string[],
  overlayFiles: string[],
): Promise<{ objects: unknown[]; diagnostics: unknown[] }> {
  const b = await buildFields(
    await resourcesOf(
      dir,
      baseFiles.map((f) => `${base}/${f}`),
    ),
    await contextFor(dir, `${base}/kustomization.yaml`),
    false,
  );
  const list: Resource[] = [...b.resources, ...(await resourcesOf(dir, overlayFiles))];
  const o = await buildFields(list, await contextFor(dir), true);
  return { objects: sortObjects(o.resources.map((r) => r.object)), diagnostics: [...b.diagnostics, ...o.diagnostics] };
}

describe.skipIf(skip !== undefined)("registered fields together against kubectl kustomize", () => {
  it("overlay over a base: every field at once", async () => {
    const dir = await writeFolder({
      "base/kustomization.yaml": `resources: [app.yaml]
commonLabels:
  app.kubernetes.io/part-of: shop
configMapGenerator:
- name: api-config
  literals: [LOG_LEVEL=info, PORT="8080"]
secretGenerator:
- name: api-secret
  literals: [TOKEN=abc]
images:
- name: ghcr.io/acme/api
  newTag: 1.1.0
`,
      "base/app.yaml": BASE_APP,
      "kustomization.yaml": `resources: [base, extra.yaml]
namePrefix: prod-
nameSuffix: -eu
labels:
- pairs: {env: prod}
  includeSelectors: true
commonAnnotations:
  owner: team-shop
configMapGenerator:
- name: api-config
  behavior: merge
  literals: [LOG_LEVEL=warn, REGION=eu]
- name: db
  literals: [HOST=db.prod.internal]
images:
- name: ghcr.io/acme/api
  digest: sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
replicas:
- name: api
  count: 3
replacements:
- source: {kind: ConfigMap, name: db, fieldPath: data.HOST, options: {delimiter: ".", index: 0}}
  targets:
  - select: {kind: Deployment, name: api}
    fieldPaths:
    - spec.template.spec.containers.[name=api].env.[name=DB_HOST].value
`,
      "extra.yaml": `apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: report
            image: ghcr.io/acme/api:0.9
            envFrom:
            - configMapRef: {name: db}
`,
    });
    try {
      const expected = sortObjects(await kubectlKustomize(dir));
      const actual = await braidBuild(dir, "base", ["app.yaml"], ["extra.yaml"]);
      expect(actual.diagnostics).toEqual([]);
      expect(actual.objects).toEqual(expected);
    } finally {
      await removeFolder(dir);
    }
  });
});
