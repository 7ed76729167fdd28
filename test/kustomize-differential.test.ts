/**
 * Differential test of braid's patch engine against `kubectl kustomize` (kustomize v5.5): each case writes
 * base resources and a kustomization with `patches:` into a temp dir, runs kubectl, and compares its parsed
 * output (deep equality, list order included; resources compared sorted by id, since kustomize sorts its
 * output by kind and braid sorts later) with what `applyPatches` makes of the same resources and patches,
 * using a KubeSchemaIndex over the Kubernetes 1.34 OpenAPI (production compact form, with scopes).
 *
 * Known, deliberate differences (cases carry `expectBraid`/`braidFails` instead of comparing outputs):
 * - kustomize copies the directive keys it does not implement (`$setElementOrder/…`, `$retainKeys`,
 *   `$deleteFromPrimitiveList/…`) verbatim into its output; braid never lets a directive key through.
 * - `$retainKeys` clears the target map's other keys as Kubernetes does (kustomize ignores it);
 *   `$deleteFromPrimitiveList/<field>` removes the scalars as Kubernetes does (kustomize ignores it).
 * - `$patch: delete` as an element of a list without merge strategy removes the list in braid; kustomize
 *   leaves an invalid list `[{$patch: delete}]` behind; `{$patch: replace}` there is dropped by braid.
 * - A list directive (`$patch: replace|merge|delete` element) in a merge list the target lacks: braid
 *   applies it as Kubernetes does; kustomize outputs just `[{$patch: …}]` and drops the other elements.
 * - A target that matches nothing is an error in braid unless the patch is `optional` (kustomize skips it).
 * - JSON6902 `replace` of a missing key is an error in braid (RFC 6902); kustomize adds the key.
 * - JSON6902 `copy` from a missing path is an error in braid; kustomize writes null (not tested). A list
 *   index with leading zeros (`/items/01`) is an error in braid (RFC 6901); kustomize reads it as 1.
 * - braid reads a json6902 patch written as a YAML flow list (`[{op: …}]`); kustomize takes text starting
 *   with `[` for JSON and fails, so the cases write operations as block lists.
 *
 * Schema differences (excluded, not failures): kubectl's kustomize takes merge keys from its built-in
 * OpenAPI (Kubernetes 1.21-era), braid from 1.34. Fields newer than 1.21 are unknown to kustomize, so it
 * replaces lists that 1.34 merges (PodSpec `schedulingGates` by name, `resourceClaims`); kustomize knows
 * retired versions (batch/v1beta1 CronJob, policy/v1beta1 PDB) for which 1.34 has no schema (braid then
 * replaces lists). None of the fields the cases below patch differ between the two documents.
 *
 * Skipped (with a message) when kubectl or the OpenAPI fixture is missing.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments, stringify } from "yaml";
import type { PatchDef } from "../src/config/types.js";
import type { Json, JsonObject } from "../src/model/resource.js";
import type { KubeSchemaIndex } from "../src/model/kube-schema.js";
import { applyPatches } from "../src/render/apply-patches.js";
import type { TargetSelector } from "../src/model/select-targets.js";
import { createKubeSchemaIndex } from "../src/validate/kube-schema-index.js";
import { compactOpenApi } from "../src/kube/openapi-compact.js";
import { resourcesFromYaml } from "./helpers/test-resource.js";
import { OPENAPI_DIR } from "./helpers/openapi-fixture.js";

import { kubectl, kubectlSkipReason } from "./helpers/kubectl.js";

const run = promisify(execFile);

const skipReason = kubectlSkipReason("kustomize differential");

interface PatchCase {
  /** YAML text: a partial resource (strategic merge) or a list of JSON6902 operations. */
  patch: string;
  target?: TargetSelector;
  /** braid only: a target matching nothing is an error unless optional (kustomize ignores it silently). */
  optional?: boolean;
}

interface Case {
  name: string;
  resources: string;
  patches: PatchCase[];
  /** kubectl fails on this input with a message matching this; braid must report an error too. */
  failsWith?: RegExp;
  /** A known, deliberate difference: kubectl succeeds, braid reports an error (why). */
  braidFails?: string;
  /**
   * A known, deliberate difference: braid's expected output (YAML text of all resources), and why.
   * kubectl is still run, and must succeed.
   */
  expectBraid?: { why: string; yaml: string };
}

const DEPLOY = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: prod
  labels: {app: api}
  finalizers: [a.example.com/x, b.example.com/y]
spec:
  replicas: 2
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: app
        image: api:1
        command: [/bin/api]
        env:
        - {name: MODE, value: prod}
        - name: TOKEN
          valueFrom: {secretKeyRef: {name: tok, key: t}}
        - {name: LEVEL, value: info}
        ports:
        - {containerPort: 8080, protocol: TCP, name: http}
        - {containerPort: 8125, protocol: UDP, name: statsd}
        volumeMounts:
        - {name: data, mountPath: /data}
        - {name: conf, mountPath: /etc/api, readOnly: true}
        resources:
          requests: {cpu: 100m, memory: 128Mi}
          limits: {memory: 256Mi}
      - name: proxy
        image: envoy:1
        args: [--config, /etc/envoy.yaml]
      volumes:
      - name: data
        emptyDir: {}
      - name: conf
        configMap: {name: api-conf}
`;

/** A strategic patch header for the Deployment above. */
const DH = `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: prod}`;

const STS = `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: data}
spec:
  serviceName: db
  replicas: 3
  selector: {matchLabels: {app: db}}
  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 0}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: pg
        image: postgres:15
        volumeMounts: [{name: pgdata, mountPath: /var/lib/postgresql}]
  volumeClaimTemplates:
  - metadata: {name: pgdata}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 10Gi}}
  - metadata: {name: wal}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 2Gi}}
`;

const DAEMONSET = `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  selector: {matchLabels: {app: agent}}
  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 1}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      hostNetwork: true
      tolerations:
      - {key: node-role.kubernetes.io/control-plane, operator: Exists, effect: NoSchedule}
      containers:
      - name: agent
        image: agent:1
        securityContext: {privileged: true}
        volumeMounts: [{name: proc, mountPath: /host/proc, readOnly: true}]
      volumes:
      - name: proc
        hostPath: {path: /proc}
`;

const CRONJOB = `
apiVersion: batch/v1
kind: CronJob
metadata: {name: backup, namespace: ops}
spec:
  schedule: "0 2 * * *"
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      backoffLimit: 2
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: backup
            image: backup:1
            env: [{name: TARGET, value: s3}, {name: DEBUG, value: "0"}]
          - name: notify
            image: notify:1
`;

const JOB = `
apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: prod}
spec:
  backoffLimit: 4
  ttlSecondsAfterFinished: 100
  podFailurePolicy:
    rules:
    - action: FailJob
      onExitCodes: {operator: In, values: [42]}
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: migrate
        image: migrate:1
        args: [up]
`;

const POD = `
apiVersion: v1
kind: Pod
metadata: {name: worker, namespace: prod, labels: {app: worker}}
spec:
  initContainers:
  - {name: init-a, image: busybox, command: [sh, -c, "echo a"]}
  - {name: init-b, image: busybox, command: [sh, -c, "echo b"]}
  containers:
  - name: main
    image: worker:1
    volumeMounts: [{name: scratch, mountPath: /scratch}]
  volumes:
  - name: scratch
    ephemeral:
      volumeClaimTemplate:
        spec:
          accessModes: [ReadWriteOnce]
          resources: {requests: {storage: 1Gi}}
  tolerations:
  - {key: dedicated, operator: Equal, value: batch, effect: NoSchedule}
  topologySpreadConstraints:
  - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: worker}}}
  - {maxSkew: 2, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway}
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions:
          - {key: kubernetes.io/arch, operator: In, values: [amd64]}
      preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 10
        preference:
          matchExpressions: [{key: disk, operator: In, values: [ssd]}]
`;

const PH = `apiVersion: v1
kind: Pod
metadata: {name: worker, namespace: prod}`;

const SERVICE = `
apiVersion: v1
kind: Service
metadata: {name: dns, namespace: net}
spec:
  type: ClusterIP
  selector: {app: dns}
  ports:
  - {name: dns-udp, port: 53, protocol: UDP, targetPort: 5353}
  - {name: dns-tcp, port: 53, protocol: TCP, targetPort: 5353}
  - {name: metrics, port: 9153, protocol: TCP}
`;

const SH = `apiVersion: v1
kind: Service
metadata: {name: dns, namespace: net}`;

const INGRESS = `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: prod, annotations: {nginx.ingress.kubernetes.io/rewrite-target: /}}
spec:
  ingressClassName: nginx
  tls: [{hosts: [a.example.com], secretName: a-tls}]
  rules:
  - host: a.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
      - {path: /api, pathType: Prefix, backend: {service: {name: api, port: {number: 8080}}}}
`;

const NETPOL = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow, namespace: prod}
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Ingress, Egress]
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
    ports: [{port: 8080, protocol: TCP}]
  egress:
  - to: [{namespaceSelector: {matchLabels: {name: data}}}]
    ports: [{port: 5432}]
`;

const RBAC = `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: prod}
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: viewer, labels: {rbac.example.com/aggregate: "true"}}
rules:
- apiGroups: [apps]
  resources: [deployments]
  verbs: [get]
`;

const CONFIG = `
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: prod, labels: {app: api, tier: back}}
data: {LOG_LEVEL: info, FEATURE_X: "on", config.yaml: "a: 1\\n"}
binaryData: {blob: aGVsbG8=}
---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: prod, labels: {app: api}}
type: Opaque
data: {user: YWRtaW4=}
stringData: {password: hunter2}
`;

const HPA = `
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: api, namespace: prod}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  minReplicas: 2
  maxReplicas: 10
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
  behavior:
    scaleDown: {stabilizationWindowSeconds: 300}
`;

const PDB = `
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: api, namespace: prod}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: api}}
`;

const SA = `
apiVersion: v1
kind: ServiceAccount
metadata: {name: builder, namespace: ci}
imagePullSecrets: [{name: reg-a}, {name: reg-b}]
secrets: [{name: tok-a}, {name: tok-b}]
`;

const CR = `
apiVersion: db.example.com/v1alpha1
kind: Cluster
metadata: {name: main, namespace: data}
spec:
  instances: 3
  postgresql:
    parameters: {max_connections: "100", shared_buffers: 128MB}
  storage: {size: 10Gi, class: fast}
  backups:
  - {name: daily, schedule: "0 1 * * *"}
  - {name: weekly, schedule: "0 3 * * 0"}
`;

const MIXED = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: team-a, labels: {app: web, tier: front}, annotations: {owner: a}}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web:1}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: team-b, labels: {app: web, tier: back}, annotations: {owner: b, critical: "yes"}}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web:1}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: cache, namespace: team-a, labels: {app: cache, tier: db}}
spec:
  serviceName: cache
  selector: {matchLabels: {app: cache}}
  template:
    metadata: {labels: {app: cache}}
    spec:
      containers: [{name: redis, image: redis:7}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web, labels: {app: web}}
data: {k: v}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web, namespace: team-a, labels: {app: web}}
data: {k: v}
---
apiVersion: extensions.example.com/v1
kind: Deployment
metadata: {name: web, namespace: team-a}
spec: {size: 1}
`;

const CASES: Case[] = [
  // ---- Deployment: nested lists of maps, directives, nulls ----
  {
    name: "Deployment: env merges by name, valueFrom replaces value via null, new var appended by kustomize order",
    resources: DEPLOY,
    patches: [
      {
        patch: `${DH}
spec:
  template:
    spec:
      containers:
      - name: app
        env:
        - name: MODE
          value: null
          valueFrom: {configMapKeyRef: {name: settings, key: mode}}
        - {name: NEW, value: "1"}
        - name: TOKEN
          valueFrom: {secretKeyRef: {key: token}}
`,
      },
    ],
  },
  {
    name: "Deployment: volumeMounts merge by mountPath inside containers[]",
    resources: DEPLOY,
    patches: [
      {
        patch: `${DH}
spec:
  template:
    spec:
      containers:
      - name: app
        volumeMounts:
        - {mountPath: /etc/api, readOnly: false}
        - {name: cache, mountPath: /cache}
`,
      },
    ],
  },
  {
    name: "Deployment: containers reordered in the patch",
    resources: DEPLOY,
    patches: [
      {
        patch: `${DH}
spec:
  template:
    spec:
      containers:
      - {name: proxy, image: envoy:2}
      - {name: app, image: api:2}
`,
      },
    ],
  },
  {
    name: "Deployment: container port without protocol next to ports with protocol",
    resources: DEPLOY,
    patches: [
      {
        patch: `${DH}
spec:
  template:
    spec:
      containers:
      - name: app
        ports:
        - {containerPort: 8080, name: web}
        - {containerPort: 9000, name: admin}
`,
      },
    ],
  },
  {
    name: "Deployment: container port same number, other protocol",
    resources: DEPLOY,
    patches: [
      {
        patch: `${DH}
spec:
  template:
    spec:
      containers:
      - name: app
        ports:
        - {containerPort: 8125, protocol: TCP, name: statsd-tcp}
`,
      },
    ],
  },
  {
    name: "Deployment: $patch: delete on an env element and on a volumeMount",
    resources: DEPLOY,
    patches: [
      {
        patch: `${DH}
spec:
  template:
    spec:
      containers:
      - name: app
        env:
        - {name: TOKEN, $patch: delete}
        volumeMounts:
        - {mountPath: /data, $patch: delete}
`,
      },
    ],
  },
  {
    name: "Deployment: $patch: replace on the containers list and on a resources map",
    resources: DEPLOY,
    patches: [
      {
        patch: `${DH}
spec:
  template:
    spec:
      containers:
      - name: app
        resources:
          $patch: replace
          limits: {cpu: "2"}
`,
      },
      {
        patch: `${DH}
spec:
  template:
    spec:
      volumes:
      - $patch: replace
      - {name: only, emptyDir: {medium: Memory}}
`,
      },
    ],
  },
  {
    name: "Deployment: null removes fields at several depths",
    resources: DEPLOY,
    patches: [
      {
        patch: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: prod
  labels: {app: null, new: x}
spec:
  replicas: null
  strategy: {rollingUpdate: null}
  template:
    spec:
      containers:
      - name: app
        command: null
        resources: {requests: null}
      - name: proxy
        args: null
`,
      },
    ],
  },
  {
    name: "Deployment: empty list and empty map in the patch",
    resources: DEPLOY,
    patches: [
      {
        patch: `${DH}
spec:
  template:
    metadata: {annotations: {}}
    spec:
      nodeSelector: {}
      containers:
      - name: proxy
        args: []
      - name: app
        env: []
`,
      },
    ],
  },
  {
    name: "Deployment: patch introduces lists absent in the target (hostAliases, tolerations, initContainers)",
    resources: DEPLOY,
    patches: [
      {
        patch: `${DH}
spec:
  template:
    spec:
      hostAliases: [{ip: 10.0.0.1, hostnames: [db.local]}]
      tolerations: [{key: spot, operator: Exists}]
      initContainers:
      - name: wait
        image: busybox
        volumeMounts: [{name: data, mountPath: /data}]
      containers:
      - name: app
        envFrom: [{configMapRef: {name: settings}}]
`,
      },
    ],
  },
  {
    name: "Deployment: two patches in sequence on the same container",
    resources: DEPLOY,
    patches: [
      {
        patch: `${DH}
spec:
  template:
    spec:
      containers: [{name: app, image: api:2, env: [{name: LEVEL, value: debug}]}]
`,
      },
      {
        patch: `${DH}
spec:
  template:
    spec:
      containers: [{name: app, env: [{name: LEVEL, $patch: delete}, {name: EXTRA, value: x}]}]
`,
      },
    ],
  },
  {
    name: "Deployment: finalizers (merge set) union with duplicates",
    resources: DEPLOY,
    patches: [
      {
        patch: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: prod
  finalizers: [b.example.com/y, c.example.com/z, c.example.com/z]
`,
      },
    ],
  },
  {
    name: "Deployment: $setElementOrder is ignored by both (known: kubectl leaves the key in)",
    resources: DEPLOY,
    patches: [
      {
        patch: `${DH}
spec:
  template:
    spec:
      $setElementOrder/containers: [{name: proxy}, {name: app}]
      containers:
      - {name: app, image: api:3}
`,
      },
    ],
    expectBraid: {
      why: "kustomize copies $setElementOrder/containers into its output",
      yaml: DEPLOY.replace("image: api:1", "image: api:3"),
    },
  },
  {
    name: "Deployment: $retainKeys on strategy (known: braid clears other keys, kubectl keeps them and the directive)",
    resources: DEPLOY,
    patches: [
      {
        patch: `${DH}
spec:
  strategy:
    $retainKeys: [type]
    type: Recreate
`,
      },
    ],
    expectBraid: {
      why: "$retainKeys per Kubernetes; kustomize ignores it and leaves it in",
      yaml: DEPLOY.replace(
        "type: RollingUpdate\n    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}",
        "type: Recreate",
      ),
    },
  },
  {
    name: "Deployment: $deleteFromPrimitiveList on finalizers (known: kubectl leaves the key and the values)",
    resources: DEPLOY,
    patches: [
      {
        patch: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: prod
  $deleteFromPrimitiveList/finalizers: [a.example.com/x]
`,
      },
    ],
    expectBraid: {
      why: "$deleteFromPrimitiveList per Kubernetes; kustomize leaves it in",
      yaml: DEPLOY.replace("finalizers: [a.example.com/x, b.example.com/y]", "finalizers: [b.example.com/y]"),
    },
  },
  {
    name: "Deployment: swapping a volume's source keeps both sources (volumes are merge,retainKeys without $retainKeys)",
    resources: DEPLOY,
    patches: [
      {
        patch: `${DH}
spec:
  template:
    spec:
      volumes:
      - name: conf
        secret: {secretName: api-conf}
      - name: data
        emptyDir: null
        persistentVolumeClaim: {claimName: data}
`,
      },
    ],
  },
  {
    name: 'Deployment: quoted merge-key values match numbers (containerPort "8080")',
    resources: DEPLOY,
    patches: [
      {
        patch: `${DH}
spec:
  template:
    spec:
      containers:
      - name: app
        ports:
        - {containerPort: "8080", protocol: TCP, hostPort: 18080}
`,
      },
    ],
  },
  {
    name: "Deployment: $patch: delete of an element the target does not have",
    resources: DEPLOY,
    patches: [
      {
        patch: `${DH}
spec:
  template:
    spec:
      containers:
      - {name: ghost, $patch: delete}
      - name: app
        env: [{name: NOPE, $patch: delete}]
`,
      },
    ],
  },
  {
    name: "Deployment: $patch: delete elements inside a list the target does not have",
    resources: DEPLOY,
    patches: [
      {
        patch: `${DH}
spec:
  template:
    spec:
      initContainers:
      - {name: ghost, $patch: delete}
      - {name: init, image: init:1}
`,
      },
    ],
  },
  {
    name: "Deployment: list directives in merge lists the target does not have (known: kubectl writes [{$patch: …}])",
    resources: DEPLOY,
    patches: [
      {
        patch: `${DH}
spec:
  template:
    spec:
      hostAliases:
      - $patch: replace
      - {ip: 10.0.0.2, hostnames: [x]}
      imagePullSecrets:
      - {name: reg}
      - $patch: merge
      ephemeralContainers:
      - $patch: delete
`,
      },
    ],
    expectBraid: {
      why: "kustomize keeps only the directive element of a merge list absent from the target",
      yaml: DEPLOY.replace(
        "      volumes:",
        "      hostAliases: [{ip: 10.0.0.2, hostnames: [x]}]\n      imagePullSecrets: [{name: reg}]\n      volumes:",
      ),
    },
  },
  {
    name: "Deployment: $patch: replace on a map the target does not have, $patch: merge explicit",
    resources: DEPLOY,
    patches: [
      {
        patch: `${DH}
spec:
  template:
    spec:
      securityContext: {$patch: replace, runAsUser: 1000}
      containers:
      - name: app
        resources: {$patch: merge, limits: {cpu: "1"}}
`,
      },
    ],
  },
  {
    name: "Deployment: empty string, zero and false values are set, not deleted",
    resources: DEPLOY,
    patches: [
      {
        patch: `${DH}
spec:
  replicas: 0
  paused: false
  template:
    spec:
      containers:
      - name: app
        image: ""
        workingDir: ""
        tty: false
`,
      },
    ],
  },
  {
    name: "Deployment: target with persistent nulls and empty collections the patch does not touch",
    resources: DEPLOY.replace(
      "      volumes:",
      "      nodeSelector: null\n      dnsConfig: {}\n      hostAliases: []\n      volumes:",
    ),
    patches: [
      {
        patch: `${DH}
spec:
  template:
    spec:
      containers: [{name: app, image: api:9}]
`,
      },
    ],
  },
  {
    name: "Deployment: a merge list that is null in the target",
    resources: DEPLOY.replace("      volumes:", "      initContainers: null\n      volumes:"),
    patches: [
      {
        patch: `${DH}
spec:
  template:
    spec:
      initContainers: [{name: init, image: init:1}]
`,
      },
    ],
  },
  {
    name: "Deployment: target selector patch cannot rename or re-kind the object",
    resources: DEPLOY,
    patches: [
      {
        target: { kind: "Deployment", name: "api" },
        patch: `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: renamed, namespace: elsewhere, labels: {x: y}}
`,
      },
    ],
  },
  {
    name: "Deployment: $patch: delete at the top with a label selector removes every match",
    resources: MIXED,
    patches: [
      {
        target: { kind: "Deployment", labelSelector: "app=web" },
        patch: `$patch: delete
apiVersion: apps/v1
kind: Deployment
metadata: {name: any}
`,
      },
    ],
  },
  {
    name: "Service: ports in the target without protocol, patch with protocol TCP",
    resources: SERVICE.replace(/protocol: TCP, /g, "").replace(", protocol: TCP}", "}"),
    patches: [
      {
        patch: `${SH}
spec:
  ports:
  - {port: 9153, protocol: TCP, name: prom}
  - {port: 53, protocol: TCP, targetPort: 1053}
`,
      },
    ],
  },
  {
    name: "Service: targetPort int-or-string replaced by a name",
    resources: SERVICE,
    patches: [
      {
        patch: `${SH}
spec:
  ports:
  - {port: 53, protocol: UDP, targetPort: dns}
`,
      },
    ],
  },
  {
    name: "json6902: test with a number against a string fails in both",
    resources: DEPLOY,
    failsWith: /test/i,
    patches: [
      {
        target: { kind: "Deployment" },
        patch: `
- {op: test, path: /spec/replicas, value: "2"}
`,
      },
    ],
  },
  {
    name: "json6902: replace of a missing key (known: braid fails as RFC 6902 asks, kustomize adds the key)",
    resources: DEPLOY,
    braidFails: "RFC 6902: the target location of replace must exist",
    patches: [
      {
        target: { kind: "Deployment" },
        patch: `
- {op: replace, path: /spec/paused, value: true}
`,
      },
    ],
  },
  {
    name: "json6902: replace under a missing parent fails in both",
    resources: DEPLOY,
    failsWith: /missing path/,
    patches: [
      {
        target: { kind: "Deployment" },
        patch: `
- {op: replace, path: /spec/nope/deeper, value: true}
`,
      },
    ],
  },
  {
    name: "json6902: add of an annotation when the object has none works (kustomize's build annotations)",
    resources: CONFIG,
    patches: [
      {
        target: { kind: "ConfigMap" },
        patch: `
- {op: add, path: /metadata/annotations/team, value: a}
- {op: add, path: /metadata/annotations/example.com~1note, value: b}
`,
      },
      {
        target: { kind: "Secret" },
        patch: `
- {op: add, path: /metadata/annotations/tmp, value: x}
- {op: remove, path: /metadata/annotations/tmp}
`,
      },
    ],
  },
  {
    name: "json6902: add of a label when the object has no labels fails in both",
    resources: CR,
    failsWith: /missing path/,
    patches: [
      {
        target: { kind: "Cluster" },
        patch: `
- {op: add, path: /metadata/labels/team, value: a}
`,
      },
    ],
  },
  {
    name: "strategic: removing the last annotation drops the empty map, labels: {} stays",
    resources: CONFIG.replace(
      "labels: {app: api, tier: back}}",
      "labels: {app: api, tier: back}, annotations: {only: one}}",
    ).replace(
      "metadata: {name: creds, namespace: prod, labels: {app: api}}",
      "metadata: {name: creds, namespace: prod, labels: {app: api}, annotations: {a: b}}",
    ),
    patches: [
      {
        patch: `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: prod
  annotations: {only: null}
  labels: {app: null, tier: null}
`,
      },
      {
        target: { kind: "Secret" },
        patch: `
- {op: remove, path: /metadata/annotations/a}
`,
      },
    ],
  },
  {
    name: "json6902: add with '-' to a list the object lacks fails in both",
    resources: DEPLOY,
    failsWith: /missing path/,
    patches: [
      {
        target: { kind: "Deployment" },
        patch: `
- {op: add, path: /spec/template/spec/containers/1/env/-, value: {name: X, value: "1"}}
`,
      },
    ],
  },
  {
    name: "json6902: add over an existing key replaces it; add of a whole list; remove of a map",
    resources: DEPLOY,
    patches: [
      {
        target: { kind: "Deployment" },
        patch: `
- {op: add, path: /spec/replicas, value: 7}
- {op: add, path: /spec/template/spec/containers/1/env, value: [{name: X, value: "1"}]}
- {op: remove, path: /spec/strategy/rollingUpdate}
- {op: add, path: /metadata/finalizers/1, value: m.example.com/mid}
`,
      },
    ],
  },
  {
    name: "json6902: negative list indices count from the end",
    resources: DEPLOY,
    patches: [
      {
        target: { kind: "Deployment" },
        patch: `
- {op: test, path: /spec/template/spec/containers/-1/name, value: proxy}
- {op: remove, path: /spec/template/spec/containers/0/env/-1}
- {op: replace, path: /spec/template/spec/containers/0/env/-2/value, value: dev}
- {op: add, path: /spec/template/spec/containers/0/ports/-1, value: {containerPort: 1}}
- {op: add, path: /spec/template/spec/volumes/-3, value: {name: first, emptyDir: {}}}
- {op: copy, from: /spec/template/spec/volumes/-1, path: /spec/template/spec/volumes/-1}
`,
      },
    ],
  },
  {
    name: "json6902: rename through /metadata/name and move an element to the end",
    resources: `${CONFIG}---${DEPLOY}`,
    patches: [
      {
        target: { kind: "ConfigMap" },
        patch: `
- {op: replace, path: /metadata/name, value: settings-v2}
- {op: copy, from: /data/LOG_LEVEL, path: /data/COPIED}
- {op: test, path: /data/COPIED, value: info}
`,
      },
      {
        target: { kind: "Deployment" },
        patch: `
- {op: move, from: /spec/template/spec/containers/0, path: /spec/template/spec/containers/-}
`,
      },
    ],
  },
  {
    name: "Deployment: a map emptied by nulls, a label map set to null, annotations introduced",
    resources: DEPLOY,
    patches: [
      {
        patch: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: prod
  labels: null
  annotations: {deployed-by: braid}
spec:
  template:
    spec:
      containers:
      - name: app
        resources: {limits: {memory: null}}
        env: [{name: MODE, value: null}]
`,
      },
    ],
  },
  {
    name: "Deployment: ports without protocol on both sides merge by containerPort",
    resources: DEPLOY.replace(
      "- {containerPort: 8125, protocol: UDP, name: statsd}",
      "- {containerPort: 9000, name: admin}",
    ),
    patches: [
      {
        patch: `${DH}
spec:
  template:
    spec:
      containers:
      - name: app
        ports:
        - {containerPort: 9000, name: mgmt}
        - {containerPort: 8080, protocol: UDP, name: quic}
`,
      },
    ],
  },
  {
    name: "Deployment: $patch: replace on one env element's valueFrom and on the selector labels",
    resources: DEPLOY,
    patches: [
      {
        patch: `${DH}
spec:
  selector:
    matchLabels: {$patch: replace, app: api, track: stable}
  template:
    spec:
      containers:
      - name: app
        env:
        - name: TOKEN
          valueFrom: {$patch: replace, configMapKeyRef: {name: c, key: k}}
`,
      },
    ],
  },
  {
    name: "Deployment: a later patch selects by a label an earlier patch added",
    resources: `${DEPLOY}---${STS}`,
    patches: [
      {
        patch: `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: data, labels: {backup: "true"}}
`,
      },
      {
        target: { labelSelector: "backup=true" },
        patch: `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: any, annotations: {backup.example.com/schedule: daily}}
`,
      },
    ],
  },
  {
    name: "ServiceAccount: $patch: delete of a secret and order of merged secrets",
    resources: SA,
    patches: [
      {
        patch: `apiVersion: v1
kind: ServiceAccount
metadata: {name: builder, namespace: ci}
secrets: [{name: tok-b, $patch: delete}, {name: tok-z}]
`,
      },
    ],
  },
  {
    name: "StatefulSet: $patch: replace element in volumeClaimTemplates (known: kubectl keeps the directive)",
    resources: STS,
    patches: [
      {
        patch: `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: data}
spec:
  volumeClaimTemplates:
  - $patch: replace
  - metadata: {name: pgdata}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`,
      },
    ],
    expectBraid: {
      why: "kustomize leaves {$patch: replace} as a list element of a list without merge key",
      yaml: STS.replace(
        / {2}volumeClaimTemplates:\n[^]*$/,
        "  volumeClaimTemplates:\n  - metadata: {name: pgdata}\n    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n",
      ),
    },
  },
  {
    name: "selector: name and version regexes, kind is case-sensitive",
    resources: MIXED,
    patches: [
      {
        target: { name: "web|cache", version: "v1.*", kind: "StatefulSet" },
        patch: `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: any, labels: {by: regex}}
`,
      },
      {
        target: { kind: "deployment" },
        optional: true,
        patch: `apiVersion: apps/v1
kind: Deployment
metadata: {name: any, labels: {lower: case}}
`,
      },
    ],
  },
  {
    name: "selector: annotation selector with a set, json6902 on several kinds at once",
    resources: MIXED,
    patches: [
      {
        target: { annotationSelector: "owner in (a, b)" },
        patch: `
- {op: add, path: /metadata/annotations/audited, value: "true"}
`,
      },
    ],
  },
  {
    name: "json6902: change the namespace and labels of a selected object",
    resources: CONFIG,
    patches: [
      {
        target: { kind: "Secret", name: "creds" },
        patch: `
- {op: replace, path: /metadata/namespace, value: vault}
- {op: remove, path: /metadata/labels}
- {op: add, path: /type, value: kubernetes.io/basic-auth}
`,
      },
    ],
  },
  {
    name: "Deployment: a scalar patched over a map fails in both",
    resources: DEPLOY,
    failsWith: /.+/,
    patches: [
      {
        patch: `${DH}
spec:
  strategy: Recreate
`,
      },
    ],
  },
  {
    name: "Deployment: a map patched over a list fails in both",
    resources: DEPLOY,
    failsWith: /.+/,
    patches: [
      {
        patch: `${DH}
spec:
  template:
    spec:
      containers: {name: app, image: x}
`,
      },
    ],
  },
  {
    name: "Deployment: an unknown $patch directive fails in both",
    resources: DEPLOY,
    failsWith: /.+/,
    patches: [
      {
        patch: `${DH}
spec:
  template:
    spec:
      containers:
      - name: app
        resources: {$patch: remove}
`,
      },
    ],
  },
  // ---- StatefulSet, DaemonSet, CronJob, Job ----
  {
    name: "StatefulSet: volumeClaimTemplates (no merge key) are replaced, containers merge",
    resources: STS,
    patches: [
      {
        patch: `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: data}
spec:
  template:
    spec:
      containers: [{name: pg, image: postgres:16}]
  volumeClaimTemplates:
  - metadata: {name: pgdata}
    spec: {resources: {requests: {storage: 50Gi}}}
`,
      },
    ],
  },
  {
    name: "StatefulSet: updateStrategy map merge and null, serviceName change",
    resources: STS,
    patches: [
      {
        patch: `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: data}
spec:
  serviceName: db-headless
  updateStrategy: {type: OnDelete, rollingUpdate: null}
  persistentVolumeClaimRetentionPolicy: {whenDeleted: Delete}
`,
      },
    ],
  },
  {
    name: "DaemonSet: tolerations replaced, volumes and mounts merged",
    resources: DAEMONSET,
    patches: [
      {
        patch: `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  updateStrategy: {rollingUpdate: {maxUnavailable: 10%}}
  template:
    spec:
      tolerations: [{operator: Exists}]
      containers:
      - name: agent
        securityContext: {privileged: null, capabilities: {add: [SYS_ADMIN]}}
        volumeMounts: [{name: sys, mountPath: /host/sys, readOnly: true}]
      volumes:
      - {name: sys, hostPath: {path: /sys}}
`,
      },
    ],
  },
  {
    name: "CronJob: containers merge through jobTemplate nesting",
    resources: CRONJOB,
    patches: [
      {
        patch: `apiVersion: batch/v1
kind: CronJob
metadata: {name: backup, namespace: ops}
spec:
  schedule: "30 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: backup
            image: backup:2
            env: [{name: DEBUG, value: "1"}, {name: BUCKET, value: b}]
          - name: notify
            $patch: delete
`,
      },
    ],
  },
  {
    name: "CronJob: $patch: delete on the jobTemplate's template metadata and replace of a container",
    resources: CRONJOB.replace(
      "      template:\n        spec:",
      "      template:\n        metadata: {labels: {a: b}}\n        spec:",
    ),
    patches: [
      {
        patch: `apiVersion: batch/v1
kind: CronJob
metadata: {name: backup, namespace: ops}
spec:
  jobTemplate:
    spec:
      template:
        metadata: {$patch: delete}
        spec:
          containers:
          - $patch: replace
          - {name: only, image: only:1}
`,
      },
    ],
  },
  {
    name: "Job: podFailurePolicy rules replaced, args replaced, new container",
    resources: JOB,
    patches: [
      {
        patch: `apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: prod}
spec:
  backoffLimit: 0
  ttlSecondsAfterFinished: null
  podFailurePolicy:
    rules:
    - action: Ignore
      onPodConditions: [{type: DisruptionTarget}]
  template:
    spec:
      containers:
      - {name: migrate, args: [up, --verbose]}
      - {name: sidecar, image: s:1}
`,
      },
    ],
  },
  // ---- Pod ----
  {
    name: "Pod: initContainers merge by name (order), ephemeral volume merged",
    resources: POD,
    patches: [
      {
        patch: `${PH}
spec:
  initContainers:
  - {name: init-b, image: busybox:1.36}
  - {name: init-0, image: busybox}
  volumes:
  - name: scratch
    ephemeral:
      volumeClaimTemplate:
        spec:
          storageClassName: fast
          resources: {requests: {storage: 5Gi}}
`,
      },
    ],
  },
  {
    name: "Pod: tolerations replaced, topologySpreadConstraints merged by topologyKey+whenUnsatisfiable",
    resources: POD,
    patches: [
      {
        patch: `${PH}
spec:
  tolerations:
  - {key: gpu, operator: Exists, effect: NoSchedule}
  topologySpreadConstraints:
  - {topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, maxSkew: 5}
  - {topologyKey: topology.kubernetes.io/region, whenUnsatisfiable: DoNotSchedule, maxSkew: 1}
`,
      },
    ],
  },
  {
    name: "Pod: affinity nodeSelectorTerms replaced, preferred terms replaced, podAntiAffinity added",
    resources: POD,
    patches: [
      {
        patch: `${PH}
spec:
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions:
          - {key: kubernetes.io/arch, operator: In, values: [arm64]}
        - matchFields:
          - {key: metadata.name, operator: NotIn, values: [node-1]}
    podAntiAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm: {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: worker}}}
`,
      },
    ],
  },
  {
    name: "Pod: $patch: delete of a topology constraint and of the affinity map",
    resources: POD,
    patches: [
      {
        patch: `${PH}
spec:
  affinity: {$patch: delete}
  topologySpreadConstraints:
  - {topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, $patch: delete}
`,
      },
    ],
  },
  {
    name: "Pod: $patch: replace on the whole spec keeps only the patch",
    resources: POD,
    patches: [
      {
        patch: `${PH}
spec:
  $patch: replace
  containers: [{name: main, image: worker:2}]
`,
      },
    ],
  },
  // ---- Service, Ingress, NetworkPolicy ----
  {
    name: "Service: ports by port+protocol; a port without protocol in the patch",
    resources: SERVICE,
    patches: [
      {
        patch: `${SH}
spec:
  ports:
  - {port: 53, protocol: TCP, targetPort: 53}
  - {port: 9153, name: prom}
  - {port: 8080, name: http, targetPort: 80}
`,
      },
    ],
  },
  {
    name: "Service: $patch: delete of one port (port+protocol) and type change with null",
    resources: SERVICE,
    patches: [
      {
        patch: `${SH}
spec:
  type: LoadBalancer
  selector: {app: null, k8s-app: kube-dns}
  ports:
  - {port: 53, protocol: UDP, $patch: delete}
`,
      },
    ],
  },
  {
    name: "Ingress: rules and tls are replaced, annotations merged",
    resources: INGRESS,
    patches: [
      {
        patch: `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: prod
  annotations: {cert-manager.io/cluster-issuer: le}
spec:
  tls: [{hosts: [b.example.com], secretName: b-tls}]
  rules:
  - host: b.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
`,
      },
    ],
  },
  {
    name: "NetworkPolicy: ingress and egress lists are replaced, policyTypes replaced",
    resources: NETPOL,
    patches: [
      {
        patch: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow, namespace: prod}
spec:
  policyTypes: [Ingress]
  ingress:
  - from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]
  egress: null
`,
      },
    ],
  },
  // ---- RBAC, ConfigMap/Secret ----
  {
    name: "Role and ClusterRole: rules are replaced; aggregationRule introduced",
    resources: RBAC,
    patches: [
      {
        patch: `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: prod}
rules:
- apiGroups: [""]
  resources: [pods, pods/log]
  verbs: [get, list, watch]
`,
      },
      {
        patch: `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: viewer}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {rbac.example.com/aggregate-to-view: "true"}}]
rules: []
`,
      },
    ],
  },
  {
    name: "ConfigMap and Secret: data keys added and removed, binaryData, stringData",
    resources: CONFIG,
    patches: [
      {
        patch: `apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: prod}
data: {LOG_LEVEL: debug, FEATURE_X: null, NEW_KEY: "42"}
binaryData: {other: d29ybGQ=}
`,
      },
      {
        patch: `apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: prod}
data: {user: null}
stringData: {user: root, password: null, token: abc}
`,
      },
    ],
  },
  {
    name: "ConfigMap: $patch: replace on data, $patch: delete on binaryData",
    resources: CONFIG,
    patches: [
      {
        patch: `apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: prod}
data:
  $patch: replace
  ONLY: "1"
binaryData: {$patch: delete}
`,
      },
    ],
  },
  // ---- HPA, PDB, ServiceAccount, custom resource ----
  {
    name: "HorizontalPodAutoscaler: metrics replaced, behavior merged",
    resources: HPA,
    patches: [
      {
        patch: `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: api, namespace: prod}
spec:
  maxReplicas: 20
  metrics:
  - type: Resource
    resource: {name: memory, target: {type: AverageValue, averageValue: 500Mi}}
  behavior:
    scaleUp:
      policies: [{type: Pods, value: 4, periodSeconds: 60}]
`,
      },
    ],
  },
  {
    name: "PodDisruptionBudget: minAvailable swapped for maxUnavailable with null",
    resources: PDB,
    patches: [
      {
        patch: `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: api, namespace: prod}
spec:
  minAvailable: null
  maxUnavailable: 25%
  unhealthyPodEvictionPolicy: AlwaysAllow
`,
      },
    ],
  },
  {
    name: "ServiceAccount: secrets merge by name, imagePullSecrets replaced",
    resources: SA,
    patches: [
      {
        patch: `apiVersion: v1
kind: ServiceAccount
metadata: {name: builder, namespace: ci}
automountServiceAccountToken: false
imagePullSecrets: [{name: reg-c}]
secrets: [{name: tok-c}, {name: tok-a}]
`,
      },
    ],
  },
  {
    name: "custom resource: lists replaced, maps merged, $patch: delete and replace on maps",
    resources: CR,
    patches: [
      {
        patch: `apiVersion: db.example.com/v1alpha1
kind: Cluster
metadata: {name: main, namespace: data}
spec:
  postgresql:
    parameters: {max_connections: "200", work_mem: 4MB, shared_buffers: null}
  storage: {$patch: replace, size: 20Gi}
  backups:
  - {name: hourly, schedule: "0 * * * *"}
  monitoring: {enabled: true}
`,
      },
    ],
  },
  {
    name: "custom resource: list element $patch: delete in a replaced list (known: braid removes the list)",
    resources: CR,
    patches: [
      {
        patch: `apiVersion: db.example.com/v1alpha1
kind: Cluster
metadata: {name: main, namespace: data}
spec:
  backups: [{$patch: delete}]
`,
      },
    ],
    expectBraid: {
      why: "kustomize writes the invalid list [{$patch: delete}]",
      yaml: CR.replace(/ {2}backups:\n(.*\n){2}/, ""),
    },
  },
  // ---- JSON 6902 ----
  {
    name: "json6902: add with '-' to containers and env, add at index 0",
    resources: DEPLOY,
    patches: [
      {
        target: { kind: "Deployment", name: "api" },
        patch: `
- op: add
  path: /spec/template/spec/containers/-
  value: {name: added, image: added:1}
- op: add
  path: /spec/template/spec/containers/0/env/-
  value: {name: LAST, value: z}
- op: add
  path: /spec/template/spec/containers/0/env/0
  value: {name: FIRST, value: a}
`,
      },
    ],
  },
  {
    name: "json6902: move and copy between fields",
    resources: DEPLOY,
    patches: [
      {
        target: { kind: "Deployment" },
        patch: `
- {op: copy, from: /spec/template/spec/containers/0/env/0, path: /spec/template/spec/containers/1/env}
- {op: move, from: /spec/template/spec/containers/0/command, path: /spec/template/spec/containers/0/args}
- {op: move, from: /spec/template/spec/volumes/1, path: /spec/template/spec/volumes/0}
`,
      },
    ],
  },
  {
    name: "json6902: test then remove at indices",
    resources: DEPLOY,
    patches: [
      {
        target: { kind: "Deployment" },
        patch: `
- {op: test, path: /spec/template/spec/containers/0/env/2/name, value: LEVEL}
- {op: remove, path: /spec/template/spec/containers/0/env/2}
- {op: remove, path: /spec/template/spec/containers/0/env/0}
- {op: test, path: /spec/template/spec/containers/0/env/0/name, value: TOKEN}
- {op: replace, path: /spec/replicas, value: 5}
`,
      },
    ],
  },
  {
    name: "json6902: escaped ~1 and ~0 paths in labels and annotations",
    resources: INGRESS,
    patches: [
      {
        target: { group: "networking.k8s.io", kind: "Ingress" },
        patch: `
- {op: replace, path: /metadata/annotations/nginx.ingress.kubernetes.io~1rewrite-target, value: /$1}
- {op: add, path: /metadata/annotations/example.com~1a~0b, value: tilde}
- {op: add, path: /metadata/labels, value: {app.kubernetes.io/name: web}}
- {op: add, path: /metadata/labels/app.kubernetes.io~1part-of, value: shop}
`,
      },
    ],
  },
  {
    name: "json6902: a failing test operation is an error in both",
    resources: CONFIG,
    failsWith: /test/i,
    patches: [
      {
        target: { kind: "ConfigMap" },
        patch: `
- {op: test, path: /data/LOG_LEVEL, value: debug}
- {op: replace, path: /data/LOG_LEVEL, value: warn}
`,
      },
    ],
  },
  {
    name: "json6902: remove of a missing path is an error in both",
    resources: CONFIG,
    failsWith: /absent|remove|missing|not found|Unable/i,
    patches: [
      {
        target: { kind: "Secret" },
        patch: `
- {op: remove, path: /data/absent}
`,
      },
    ],
  },
  // ---- selectors ----
  {
    name: "selector: namespace regex and kind alternation",
    resources: MIXED,
    patches: [
      {
        target: { namespace: "team-.*", kind: "Deployment|StatefulSet" },
        patch: `apiVersion: apps/v1
kind: Deployment
metadata: {name: any}
spec:
  template:
    metadata: {annotations: {patched: "ns-regex"}}
`,
      },
    ],
  },
  {
    name: "selector: group and version (apps only, not the extension group's Deployment)",
    resources: MIXED,
    patches: [
      {
        target: { group: "apps", version: "v1", kind: "Deployment" },
        patch: `apiVersion: apps/v1
kind: Deployment
metadata: {name: any}
spec: {replicas: 4}
`,
      },
      {
        target: { group: "extensions.example.com" },
        patch: `apiVersion: extensions.example.com/v1
kind: Deployment
metadata: {name: any}
spec: {size: 9}
`,
      },
    ],
  },
  {
    name: "selector: set-based label selector",
    resources: MIXED,
    patches: [
      {
        target: { labelSelector: "app in (web, cache), tier notin (back), tier" },
        patch: `apiVersion: v1
kind: Any
metadata: {name: any, labels: {selected: "true"}}
`,
      },
    ],
  },
  {
    name: "selector: annotation selector with existence and equality",
    resources: MIXED,
    patches: [
      {
        target: { annotationSelector: "critical,owner=b" },
        patch: `apiVersion: apps/v1
kind: Deployment
metadata: {name: any}
spec:
  template:
    spec:
      containers: [{name: web, image: web:critical}]
`,
      },
    ],
  },
  {
    name: "selector: json6902 by labelSelector on ConfigMaps and namespace 'default' for the unnamespaced one",
    resources: MIXED,
    patches: [
      {
        target: { kind: "ConfigMap", namespace: "default", labelSelector: "app=web" },
        patch: `
- {op: add, path: /data/default, value: "yes"}
`,
      },
    ],
  },
  {
    name: "no target: the patch names its object by apiVersion/kind/name/namespace",
    resources: MIXED,
    patches: [
      {
        patch: `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: team-b}
spec:
  template:
    spec:
      containers: [{name: web, image: web:b}]
`,
      },
    ],
  },
  {
    name: "no target: a patch without namespace names the object in the default namespace",
    resources: MIXED,
    patches: [
      {
        patch: `apiVersion: v1
kind: ConfigMap
metadata: {name: web}
data: {k: default-ns}
`,
      },
    ],
  },
  {
    name: "no target: a namespaced object outside 'default' is not named by a patch without namespace",
    resources: MIXED.split("---").slice(2, 3).join(""),
    failsWith: /no matches for Id|failed to find unique target/,
    patches: [
      {
        patch: `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: cache}
spec: {replicas: 2}
`,
      },
    ],
  },
  {
    name: "no target: cluster-scoped ClusterRole, with and without a stray namespace in the patch",
    resources: RBAC,
    patches: [
      {
        patch: `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: viewer, labels: {patched: one}}
`,
      },
      {
        patch: `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: viewer, namespace: prod, annotations: {patched: two}}
`,
      },
    ],
  },
  {
    name: "selector: after a JSON6902 rename and move, later patches find the object by old or new name/namespace",
    resources: CONFIG,
    patches: [
      {
        target: { kind: "ConfigMap", name: "settings" },
        patch: `
- {op: replace, path: /metadata/name, value: settings-v2}
- {op: replace, path: /metadata/namespace, value: staging}
`,
      },
      {
        patch: `apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: prod}
data: {by: original-id}
`,
      },
      {
        patch: `apiVersion: v1
kind: ConfigMap
metadata: {name: settings-v2, namespace: staging}
data: {by2: current-id}
`,
      },
      {
        target: { name: "settings", namespace: "staging" },
        patch: `
- {op: add, path: /data/mixed, value: old-name-new-namespace}
`,
      },
    ],
  },
  {
    name: "no target: apiVersion picks the group (extension group's Deployment, not apps)",
    resources: MIXED,
    patches: [
      {
        patch: `apiVersion: extensions.example.com/v1
kind: Deployment
metadata: {name: web, namespace: team-a}
spec: {size: 3}
`,
      },
    ],
  },
];

function toObjects(text: string): JsonObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as JsonObject | null)
    .filter((o): o is JsonObject => o !== null);
}

/** kustomize sorts its output by kind; braid's order is decided later (by id), so compare sorted by id. */
function sortById(list: JsonObject[]): JsonObject[] {
  const key = (o: JsonObject): string => {
    const m = (o.metadata ?? {}) as JsonObject;
    return `${String(o.apiVersion)}|${String(o.kind)}|${String(m.namespace ?? "")}|${String(m.name)}`;
  };
  return [...list].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function patchDef(p: PatchCase, i: number): PatchDef {
  const body = parse(p.patch) as Json;
  return {
    type: Array.isArray(body) ? "json6902" : "strategic",
    ...(p.target ? { target: p.target } : {}),
    body,
    optional: p.optional ?? false,
    location: { file: "kustomization.yaml", line: i + 1 },
    positions: { locate: () => undefined },
    layer: "cluster diff",
  };
}

function applyBraid(c: Case, schema: KubeSchemaIndex): { objects: JsonObject[]; errors: string[] } {
  const out = applyPatches(resourcesFromYaml(c.resources), c.patches.map(patchDef), schema, "diff");
  return {
    objects: sortById(out.resources.map((r) => r.object)),
    errors: out.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code}: ${d.message}`),
  };
}

async function runKubectl(dir: string, c: Case): Promise<{ objects: JsonObject[] } | { error: string }> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "resources.yaml"), c.resources);
  const kustomization = {
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    resources: ["resources.yaml"],
    patches: c.patches.map((p) => ({ patch: p.patch.trim(), ...(p.target ? { target: p.target } : {}) })),
  };
  await writeFile(join(dir, "kustomization.yaml"), stringify(kustomization));
  try {
    const { stdout } = await run(kubectl!, ["kustomize", dir], { timeout: 60_000 });
    return { objects: sortById(toObjects(stdout)) };
  } catch (e) {
    const stderr = (e as { stderr?: string }).stderr;
    return { error: stderr && stderr !== "" ? stderr : String(e) };
  }
}

describe.skipIf(skipReason !== undefined)("kustomize differential (kubectl kustomize vs applyPatches)", () => {
  let dir = "";
  let schema: KubeSchemaIndex;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "braid-kzd-"));
    // the production compact form (with scopes from the document's paths), not the test fixture's
    const file = `${OPENAPI_DIR}/v1.34.json`;
    const doc = JSON.parse(await readFile(file, "utf8")) as unknown;
    schema = createKubeSchemaIndex(
      compactOpenApi(doc, { kubernetesVersion: "1.34", digest: "test", origin: file }),
      [],
    );
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("has at least 40 cases with unique names", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  // kubectl runs are independent: run a few at once (assertions use the test's own expect)
  it.concurrent.for(CASES.map((c, i) => [c.name, c, i] as const))("%s", async ([, c, i], { expect }) => {
    const reference = await runKubectl(join(dir, `case-${i}`), c);
    const ours = applyBraid(c, schema);
    if (c.failsWith) {
      expect("error" in reference, "kubectl should fail on this case").toBe(true);
      if ("error" in reference) expect(reference.error).toMatch(c.failsWith);
      expect(ours.errors.length, "braid should report an error").toBeGreaterThan(0);
      return;
    }
    if ("error" in reference) throw new Error(`kubectl kustomize failed: ${reference.error}`);
    if (c.braidFails) {
      expect(ours.errors.length, `braid should fail: ${c.braidFails}`).toBeGreaterThan(0);
      return;
    }
    expect(ours.errors).toEqual([]);
    if (c.expectBraid) {
      expect(
        reference.objects,
        `kubectl now agrees with braid (${c.expectBraid.why}): make it a plain case`,
      ).not.toEqual(ours.objects);
      expect(ours.objects).toEqual(sortById(toObjects(c.expectBraid.yaml)));
      return;
    }
    expect(ours.objects).toEqual(reference.objects);
  });
});
