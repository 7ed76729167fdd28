/**
 * The registered kustomize fields end to end: each case is a folder of one real Git source repository
 * rendered by `braid render` (kcore's build driver with the registry's transformers, then braid's output
 * tree), and every object of the cluster must equal `kubectl kustomize`'s build of the same folder. The
 * cases are the tricky ones of the field transformers: hash suffixes through namespace + prefix + merge,
 * generator files (binary, long Secret values), references of every kind, replacements; and kustomize's
 * builtin plugins listed under `generators` and `transformers`. Skipped, with a
 * message, without kubectl.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { memoryIO } from "../src/cli/io.js";
import { main } from "../src/cli/main.js";
import { makeFixtureRepo } from "./helpers/fixture-repo.js";
import { clusterYaml, fleetYaml, writeFleet } from "./helpers/fleet-dir.js";
import { OPENAPI, readTree } from "./helpers/golden.js";
import { kubectl, kubectlSkipReason } from "./helpers/kubectl.js";

const run = promisify(execFile);
const skipReason = kubectlSkipReason("kustomize fields e2e");

const KUST = (body: string) => `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n${body}`;

const APP = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 1
  selector: { matchLabels: { app: api } }
  template:
    metadata: { labels: { app: api } }
    spec:
      serviceAccountName: api
      containers:
        - name: api
          image: ghcr.io/acme/api:1.0.0
          envFrom: [{ configMapRef: { name: settings } }, { secretRef: { name: creds } }]
          env:
            - name: HOST
              value: placeholder
      volumes:
        - name: tls
          secret: { secretName: tls }
---
apiVersion: v1
kind: ServiceAccount
metadata: { name: api }
---
apiVersion: v1
kind: Service
metadata: { name: api }
spec:
  selector: { app: api }
  ports: [{ port: 80, targetPort: 8080 }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: api }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: api }
subjects: [{ kind: ServiceAccount, name: api }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: api }
rules: [{ apiGroups: [""], resources: [configmaps], resourceNames: [settings], verbs: [get] }]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: api }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: api }
  minReplicas: 1
  maxReplicas: 4
`;

const CERT = `-----BEGIN CERTIFICATE-----\n${"MIIBszCCAVmgAwIBAgIUQ0123456789abcdefghijklmnopqrstuvwxyzABCDEFG\n".repeat(4)}-----END CERTIFICATE-----\n`;

const CASES: Record<string, { files: Record<string, string>; path: string }> = {
  "namespace-prefix-merge-hash-references": {
    path: "overlays/prod",
    files: {
      "base/kustomization.yaml": KUST(`resources: [app.yaml]
configMapGenerator:
  - name: settings
    literals: [MODE=base, LEVEL=info]
secretGenerator:
  - name: creds
    literals: [TOKEN=abc]
  - name: tls
    type: kubernetes.io/tls
    files: [tls.crt=certs/cert.pem, tls.key=certs/cert.pem]
`),
      "base/app.yaml": APP,
      "base/certs/cert.pem": CERT,
      "overlays/prod/kustomization.yaml": KUST(`resources: [../../base]
namespace: shop
namePrefix: prod-
nameSuffix: -eu
commonLabels: { env: prod }
commonAnnotations: { owner: team-shop }
configMapGenerator:
  - name: settings
    behavior: merge
    literals: [MODE=prod]
    envs: [extra.env]
images:
  - name: ghcr.io/acme/api
    newTag: 2.0.0
replicas:
  - { name: api, count: 3 }
replacements:
  - source: { kind: Service, fieldPath: metadata.name }
    targets:
      - select: { kind: Deployment }
        fieldPaths:
          - spec.template.spec.containers.[name=api].env.[name=HOST].value
`),
      "overlays/prod/extra.env": "# comment\nREGION=eu\nEMPTY=\n",
    },
  },
  // Flux's own install layout (fluxcd/flux2 manifests/bases/* and manifests/install): builtin LabelTransformer
  // configurations with their own field specs, at the base and at the overlay
  "flux-style-label-transformers": {
    path: "install",
    files: {
      "bases/source-controller/account.yaml": `apiVersion: v1
kind: ServiceAccount
metadata:
  name: source-controller
`,
      "bases/source-controller/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: source-controller
  labels:
    control-plane: controller
spec:
  selector:
    matchLabels:
      app: source-controller
  template:
    metadata:
      labels:
        app: source-controller
    spec:
      serviceAccountName: source-controller
      containers:
        - name: manager
          image: fluxcd/source-controller:v1.0.0
          args: [--log-level=info]
---
apiVersion: v1
kind: Service
metadata:
  name: source-controller
spec:
  selector:
    app: source-controller
  ports:
    - port: 80
      targetPort: http
`,
      "bases/source-controller/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
  - account.yaml
transformers:
  - labels.yaml
patches:
  - target:
      group: apps
      version: v1
      kind: Deployment
      name: source-controller
    path: patch.yaml
`,
      "bases/source-controller/labels.yaml": `apiVersion: builtin
kind: LabelTransformer
metadata:
  name: labels
labels:
  app.kubernetes.io/component: source-controller
  app.kubernetes.io/part-of: flux
fieldSpecs:
  - path: metadata/labels
    create: true
  - kind: Deployment
    path: spec/template/metadata/labels
    create: true
`,
      "bases/source-controller/patch.yaml": `- op: add
  path: /spec/template/spec/containers/0/args/-
  value: --storage-path=/data
`,
      "install/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: flux-system
resources:
  - namespace.yaml
  - ../bases/source-controller
transformers:
  - labels.yaml
images:
  - name: fluxcd/source-controller
    newName: ghcr.io/fluxcd/source-controller
`,
      "install/labels.yaml": `apiVersion: builtin
kind: LabelTransformer
metadata:
  name: labels
labels:
  app.kubernetes.io/part-of: flux
  app.kubernetes.io/instance: flux-system
fieldSpecs:
  - path: metadata/labels
    create: true
  - kind: Deployment
    path: spec/template/metadata/labels
    create: true
`,
      "install/namespace.yaml": `apiVersion: v1
kind: Namespace
metadata:
  name: flux-system
`,
    },
  },
  // a NamespaceTransformer of its own: unsetOnly, every ServiceAccount subject, custom field specs
  "namespace-transformer": {
    path: "app",
    files: {
      "app/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - objects.yaml
transformers:
  - |-
    apiVersion: builtin
    kind: NamespaceTransformer
    metadata:
      name: ns
      namespace: team
    unsetOnly: true
    setRoleBindingSubjects: allServiceAccounts
    fieldSpecs:
      - path: metadata/name
        kind: Namespace
        create: true
      - path: spec/service/namespace
        group: apiregistration.k8s.io
        kind: APIService
        create: true
      - path: data/namespace
        kind: ConfigMap
        create: true
`,
      "app/objects.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: keep
  namespace: other
data:
  namespace: mine
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: set
---
apiVersion: v1
kind: Namespace
metadata:
  name: old
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: rb
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: r }
subjects:
  - { kind: ServiceAccount, name: a }
  - { kind: ServiceAccount, name: b, namespace: elsewhere }
  - { kind: User, name: default, apiGroup: rbac.authorization.k8s.io }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: cr
rules: []
`,
    },
  },
  // a kubebuilder scaffold: configurations teach the CRD conversion webhook's Service name and namespace,
  // and reach the overlay from the folders that hold them
  "kubebuilder-configurations": {
    path: "config/default",
    files: {
      "config/crd/bases/example.com_widgets.yaml": `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names:
    kind: Widget
    listKind: WidgetList
    plural: widgets
    singular: widget
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
`,
      "config/crd/kustomization.yaml": `resources:
- bases/example.com_widgets.yaml

patches:
- path: patches/webhook_in_widgets.yaml

# the following config is for teaching kustomize how to do kustomization for CRDs.
configurations:
- kustomizeconfig.yaml
`,
      "config/crd/kustomizeconfig.yaml": `# This file is for teaching kustomize how to substitute name and namespace reference in CRD
nameReference:
- kind: Service
  version: v1
  fieldSpecs:
  - kind: CustomResourceDefinition
    version: v1
    group: apiextensions.k8s.io
    path: spec/conversion/webhook/clientConfig/service/name

namespace:
- kind: CustomResourceDefinition
  version: v1
  group: apiextensions.k8s.io
  path: spec/conversion/webhook/clientConfig/service/namespace
  create: false

varReference:
- path: metadata/annotations
`,
      "config/crd/patches/webhook_in_widgets.yaml": `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  conversion:
    strategy: Webhook
    webhook:
      clientConfig:
        service:
          namespace: system
          name: webhook-service
          path: /convert
      conversionReviewVersions:
      - v1
`,
      "config/default/kustomization.yaml": `namespace: myop-system
namePrefix: myop-
labels:
- includeSelectors: true
  pairs:
    app.kubernetes.io/name: myop
resources:
- ../crd
- ../rbac
- ../webhook
`,
      "config/rbac/kustomization.yaml": `resources:
- role.yaml
`,
      "config/rbac/role.yaml": `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: validating-webhook-configuration
webhooks:
- admissionReviewVersions: [v1]
  clientConfig:
    service:
      name: webhook-service
      namespace: system
      path: /validate
  failurePolicy: Fail
  name: vwidget.kb.io
  sideEffects: None
  rules:
  - apiGroups: [example.com]
    apiVersions: [v1]
    operations: [CREATE]
    resources: [widgets]
`,
      "config/webhook/kustomization.yaml": `resources:
- service.yaml
configurations:
- kustomizeconfig.yaml
`,
      "config/webhook/kustomizeconfig.yaml": `# the following config is for teaching kustomize where to look at when substituting nameReference.
# It requires kustomize v2.1.0 or newer to work properly.
nameReference:
- kind: Service
  version: v1
  fieldSpecs:
  - kind: MutatingWebhookConfiguration
    group: admissionregistration.k8s.io
    path: webhooks/clientConfig/service/name
  - kind: ValidatingWebhookConfiguration
    group: admissionregistration.k8s.io
    path: webhooks/clientConfig/service/name

namespace:
- kind: MutatingWebhookConfiguration
  group: admissionregistration.k8s.io
  path: webhooks/clientConfig/service/namespace
  create: true
- kind: ValidatingWebhookConfiguration
  group: admissionregistration.k8s.io
  path: webhooks/clientConfig/service/namespace
  create: true
`,
      "config/webhook/service.yaml": `apiVersion: v1
kind: Service
metadata:
  name: webhook-service
  namespace: system
spec:
  ports:
    - port: 443
      protocol: TCP
      targetPort: 9443
  selector:
    control-plane: controller-manager
`,
    },
  },
  // kubebuilder v3 with webhooks: vars read from the Service after prefix and namespace, replaced in the
  // default varReference fields and in one a configurations file adds; a block scalar ending the file
  // without a line break (manager.yaml's last line) has none, as go-yaml reads it
  "kubebuilder-vars": {
    path: "config/default",
    files: {
      "config/default/kustomization.yaml": `namespace: myop-system
namePrefix: myop-
resources:
- ../manager
- ../webhook
patches:
- path: manager_patch.yaml
configurations:
- kustomizeconfig.yaml
vars:
- name: SERVICE_NAMESPACE
  objref:
    kind: Service
    version: v1
    name: webhook-service
  fieldref:
    fieldPath: metadata.namespace
- name: SERVICE_NAME
  objref:
    kind: Service
    version: v1
    name: webhook-service
- name: PORT
  objref:
    kind: Service
    version: v1
    name: webhook-service
  fieldref:
    fieldPath: spec.ports.0.port
- name: SETTINGS
  objref:
    apiVersion: v1
    kind: ConfigMap
    name: settings
`,
      "config/default/kustomizeconfig.yaml": `varReference:
- kind: ConfigMap
  path: data
`,
      "config/default/manager_patch.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: controller-manager
  namespace: system
  annotations:
    webhook: $(SERVICE_NAMESPACE)/$(SERVICE_NAME)
    port: $(PORT)
spec:
  template:
    spec:
      containers:
      - name: manager
        args:
        - --webhook-host=$(SERVICE_NAME).$(SERVICE_NAMESPACE).svc
        - --port=$(PORT)
        - --settings=$(SETTINGS)
        - --literal=$$(NOT_A_VAR)
        - --unknown=$(UNKNOWN)
        env:
        - name: PORT
          value: port-$(PORT)
`,
      "config/manager/kustomization.yaml": `resources:
- manager.yaml
`,
      "config/manager/manager.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: controller-manager
  namespace: system
spec:
  selector:
    matchLabels:
      control-plane: controller-manager
  template:
    metadata:
      labels:
        control-plane: controller-manager
    spec:
      containers:
      - name: manager
        image: controller:latest
        args:
        - --leader-elect
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: system
data:
  endpoint: https://$(SERVICE_NAME).$(SERVICE_NAMESPACE).svc:$(PORT)/
  script: |
    echo start
    echo $(SERVICE_NAME)`,
      "config/webhook/kustomization.yaml": `resources:
- service.yaml
`,
      "config/webhook/service.yaml": `apiVersion: v1
kind: Service
metadata:
  name: webhook-service
  namespace: system
spec:
  ports:
  - port: 443
    targetPort: 9443
  selector:
    control-plane: controller-manager`,
    },
  },
  // every builtin plugin braid runs, inline (taken first, as kustomize does), from files and from a folder
  "builtin-plugins": {
    path: "app",
    files: {
      "app/annotations.yaml": `apiVersion: builtin
kind: AnnotationsTransformer
metadata:
  name: notes
annotations:
  owner: team-a
fieldSpecs:
  - path: metadata/annotations
    create: true
  - kind: Deployment
    path: spec/template/metadata/annotations
    create: true
`,
      "app/app.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 1
  selector: { matchLabels: { app: api } }
  template:
    metadata: { labels: { app: api } }
    spec:
      containers:
        - name: api
          image: ghcr.io/acme/api:1.0.0
          envFrom: [{ configMapRef: { name: settings } }, { secretRef: { name: creds } }]
---
apiVersion: v1
kind: Service
metadata: { name: api }
spec:
  selector: { app: api }
  ports: [{ port: 80 }]
`,
      "app/generators.yaml": `apiVersion: builtin
kind: ConfigMapGenerator
metadata:
  name: settings
behavior: merge
literals:
  - LEVEL=debug
---
apiVersion: builtin
kind: SecretGenerator
metadata:
  name: creds
type: Opaque
literals:
  - TOKEN=abc
`,
      "app/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: apps
resources:
  - app.yaml
configMapGenerator:
  - name: settings
    literals: [MODE=base]
generators:
  - generators.yaml
  - |-
    apiVersion: builtin
    kind: ConfigMapGenerator
    metadata:
      name: inline-settings
      namespace: apps
    literals:
      - A=1
    options:
      disableNameSuffixHash: true
transformers:
  - |-
    apiVersion: builtin
    kind: PrefixSuffixTransformer
    metadata:
      name: affix
    prefix: team-
    suffix: -v2
    fieldSpecs:
      - path: metadata/name
  - annotations.yaml
  - more
  - |-
    apiVersion: builtin
    kind: PatchTransformer
    metadata:
      name: inline-patch
    patch: |-
      - op: replace
        path: /spec/replicas
        value: 5
    target:
      kind: Deployment
`,
      "app/more/configs.yaml": `apiVersion: builtin
kind: ImageTagTransformer
metadata:
  name: image
imageTag:
  name: ghcr.io/acme/api
  newTag: 2.0.0
fieldSpecs:
  - path: spec/template/spec/containers/image
    kind: Deployment
---
apiVersion: builtin
kind: ReplicaCountTransformer
metadata:
  name: replicas
replica:
  name: api
  count: 3
fieldSpecs:
  - path: spec/replicas
    kind: Deployment
    group: apps
---
apiVersion: builtin
kind: PatchStrategicMergeTransformer
metadata:
  name: smp
paths:
  - more/smp.yaml
---
apiVersion: builtin
kind: PatchJson6902Transformer
metadata:
  name: json
target:
  version: v1
  kind: Service
  name: team-api-v2
jsonOp: '[{"op": "add", "path": "/spec/type", "value": "NodePort"}]'
---
apiVersion: builtin
kind: ReplacementTransformer
metadata:
  name: repl
replacements:
  - source: { kind: Service, fieldPath: metadata.name }
    targets:
      - select: { kind: Deployment }
        fieldPaths:
          - spec.template.spec.containers.[name=api].env.[name=SERVICE].value
`,
      "app/more/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - configs.yaml
`,
      "app/more/smp.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: team-api-v2
  namespace: apps
spec:
  template:
    spec:
      containers:
        - name: api
          env:
            - name: SERVICE
              value: placeholder
`,
    },
  },
  // kustomize issue 3489: one base built twice (once with a suffix) under a root namespace; every reference is
  // told apart by the prefixes and suffixes the referrer shares with its candidates (the namespace transformer
  // keeps every object's id before it, so an object that kept its name is a candidate too)
  "one-base-twice-under-a-namespace": {
    path: "root",
    files: {
      "base/kustomization.yaml": KUST(`resources: [rbac.yaml]
secretGenerator:
  - name: config
    literals: [A=1]
`),
      "base/rbac.yaml": `apiVersion: v1
kind: ServiceAccount
metadata: { name: dns }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: dns }
rules: [{ apiGroups: [""], resources: [services], verbs: [list] }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: dns-viewer }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: dns }
subjects: [{ kind: ServiceAccount, name: dns, namespace: default }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: dns }
spec:
  selector: { matchLabels: { app: dns } }
  template:
    metadata: { labels: { app: dns } }
    spec:
      serviceAccountName: dns
      containers: [{ name: dns, image: dns:1 }]
      volumes: [{ name: c, secret: { secretName: config } }]
`,
      "public/kustomization.yaml": KUST(`resources: [../base]
`),
      "private/kustomization.yaml": KUST(`resources: [../base]
nameSuffix: -private
`),
      "root/kustomization.yaml": KUST(`namespace: kube-system
resources: [../public, ../private]
`),
    },
  },
};

function objectsOf(yamlText: string): Record<string, unknown>[] {
  return parseAllDocuments(yamlText)
    .map((d) => d.toJS() as Record<string, unknown> | null)
    .filter((o): o is Record<string, unknown> => o !== null);
}

function byKey(objects: Record<string, unknown>[]): Record<string, unknown> {
  return Object.fromEntries(
    objects.map((o) => {
      const m = (o.metadata ?? {}) as { name?: string; namespace?: string };
      return [`${String(o.apiVersion)}|${String(o.kind)}|${m.namespace ?? ""}|${m.name ?? ""}`, o];
    }),
  );
}

describe.skipIf(skipReason !== undefined)("kustomize fields through braid render against kubectl kustomize", () => {
  let repo: string;
  let out: string;
  let code: number;
  let stderr: string;
  let diagnostics: unknown[];

  beforeAll(async () => {
    const files: Record<string, string> = {};
    for (const [name, c] of Object.entries(CASES))
      for (const [p, text] of Object.entries(c.files)) files[`cases/${name}/${p}`] = text;
    repo = (await makeFixtureRepo([{ files, tags: ["v1"] }])).dir;
    const sources = Object.entries(CASES)
      .map(
        ([name, c]) =>
          `    - name: ${name}\n      url: ${repo}\n      ref: { tag: v1 }\n      path: cases/${name}/${c.path}\n      enabled: false`,
      )
      .join("\n");
    const fleetFiles: Record<string, string> = { "braid.yaml": fleetYaml(sources) };
    for (const name of Object.keys(CASES))
      fleetFiles[`clusters/${name}.yaml`] = clusterYaml(name, `  sources:\n    - { name: ${name}, enabled: true }\n`);
    const fleetDir = await writeFleet(fleetFiles);
    const io = memoryIO({
      cwd: fleetDir,
      env: { BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: join(fleetDir, ".cache") },
    });
    out = join(fleetDir, "..", `out-${Math.random().toString(36).slice(2)}`);
    code = await main(["render", "--out", out, "--format", "json"], io);
    stderr = io.err.join("");
    diagnostics = (JSON.parse(io.out.join("") || "{}") as { diagnostics?: unknown[] }).diagnostics ?? [];
  }, 120_000);

  it("renders every case without a diagnostic", () => {
    expect(diagnostics, stderr).toEqual([]);
    expect(code, stderr).toBe(0);
  });

  for (const [name, c] of Object.entries(CASES))
    it(`${name}: each object equals kubectl kustomize's`, async () => {
      const { stdout } = await run(kubectl!, ["kustomize", join(repo, "cases", name, c.path)], { maxBuffer: 64 << 20 });
      const expected = byKey(objectsOf(stdout));
      const tree = await readTree(join(out, "clusters", name));
      const rendered = byKey(
        Object.entries(tree)
          .filter(([p]) => !p.endsWith("kustomization.yaml"))
          .flatMap(([, text]) => objectsOf(text)),
      );
      expect(Object.keys(rendered).sort()).toEqual(Object.keys(expected).sort());
      expect(rendered).toEqual(expected);
    });
});
