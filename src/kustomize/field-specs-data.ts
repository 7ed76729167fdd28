/**
 * kustomize's default field specs, as data: where commonLabels, template labels, commonAnnotations, images
 * and replicas are written, and which fields refer to which kinds by name (the nameReference table). Taken
 * from api/internal/konfig/builtinpluginconsts at kustomize/v5.5.0, the version inside kubectl 1.32 (the
 * oracle). Later kustomize versions write StatefulSet volumeClaimTemplates labels only with
 * `includeVolumeClaimTemplates`, and images also into image volumes.
 */
import type { FieldSpec } from "./field-spec.js";

/** commonLabels (and labels with includeSelectors): metadata, selectors, templates. */
export const COMMON_LABEL_SPECS: readonly FieldSpec[] = [
  { path: "spec/selector", version: "v1", kind: "Service", create: true },
  { path: "spec/selector", version: "v1", kind: "ReplicationController", create: true },
  { path: "spec/selector/matchLabels", kind: "Deployment", create: true },
  { path: "spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels", group: "apps", kind: "Deployment" },
  { path: "spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels", group: "apps", kind: "Deployment" },
  { path: "spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels", group: "apps", kind: "Deployment" },
  { path: "spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels", group: "apps", kind: "Deployment" },
  { path: "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels", group: "apps", kind: "Deployment" },
  { path: "spec/selector/matchLabels", kind: "ReplicaSet", create: true },
  { path: "spec/selector/matchLabels", kind: "DaemonSet", create: true },
  { path: "spec/selector/matchLabels", group: "apps", kind: "StatefulSet", create: true },
  { path: "spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels", group: "apps", kind: "StatefulSet" },
  { path: "spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels", group: "apps", kind: "StatefulSet" },
  { path: "spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels", group: "apps", kind: "StatefulSet" },
  { path: "spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels", group: "apps", kind: "StatefulSet" },
  { path: "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels", group: "apps", kind: "StatefulSet" },
  { path: "spec/selector/matchLabels", group: "batch", kind: "Job" },
  { path: "spec/jobTemplate/spec/selector/matchLabels", group: "batch", kind: "CronJob" },
  { path: "spec/selector/matchLabels", group: "policy", kind: "PodDisruptionBudget" },
  { path: "spec/podSelector/matchLabels", group: "networking.k8s.io", kind: "NetworkPolicy" },
  { path: "spec/ingress/from/podSelector/matchLabels", group: "networking.k8s.io", kind: "NetworkPolicy" },
  { path: "spec/egress/to/podSelector/matchLabels", group: "networking.k8s.io", kind: "NetworkPolicy" },
  { path: "metadata/labels", create: true },
  { path: "spec/template/metadata/labels", version: "v1", kind: "ReplicationController", create: true },
  { path: "spec/template/metadata/labels", kind: "Deployment", create: true },
  { path: "spec/template/metadata/labels", kind: "ReplicaSet", create: true },
  { path: "spec/template/metadata/labels", kind: "DaemonSet", create: true },
  { path: "spec/template/metadata/labels", group: "apps", kind: "StatefulSet", create: true },
  { path: "spec/volumeClaimTemplates[]/metadata/labels", group: "apps", kind: "StatefulSet", create: true },
  { path: "spec/template/metadata/labels", group: "batch", kind: "Job", create: true },
  { path: "spec/jobTemplate/metadata/labels", group: "batch", kind: "CronJob", create: true },
  { path: "spec/jobTemplate/spec/template/metadata/labels", group: "batch", kind: "CronJob", create: true },
];

/** labels with includeTemplates: metadata and pod templates (no selectors). */
export const TEMPLATE_LABEL_SPECS: readonly FieldSpec[] = [
  { path: "metadata/labels", create: true },
  { path: "spec/template/metadata/labels", version: "v1", kind: "ReplicationController", create: true },
  { path: "spec/template/metadata/labels", kind: "Deployment", create: true },
  { path: "spec/template/metadata/labels", kind: "ReplicaSet", create: true },
  { path: "spec/template/metadata/labels", kind: "DaemonSet", create: true },
  { path: "spec/template/metadata/labels", group: "apps", kind: "StatefulSet", create: true },
  { path: "spec/volumeClaimTemplates[]/metadata/labels", group: "apps", kind: "StatefulSet", create: true },
  { path: "spec/template/metadata/labels", group: "batch", kind: "Job", create: true },
  { path: "spec/jobTemplate/metadata/labels", group: "batch", kind: "CronJob", create: true },
  { path: "spec/jobTemplate/spec/template/metadata/labels", group: "batch", kind: "CronJob", create: true },
];

/** commonAnnotations: metadata and pod templates. */
export const COMMON_ANNOTATION_SPECS: readonly FieldSpec[] = [
  { path: "metadata/annotations", create: true },
  { path: "spec/template/metadata/annotations", version: "v1", kind: "ReplicationController", create: true },
  { path: "spec/template/metadata/annotations", kind: "Deployment", create: true },
  { path: "spec/template/metadata/annotations", kind: "ReplicaSet", create: true },
  { path: "spec/template/metadata/annotations", kind: "DaemonSet", create: true },
  { path: "spec/template/metadata/annotations", kind: "StatefulSet", create: true },
  { path: "spec/template/metadata/annotations", group: "batch", kind: "Job", create: true },
  { path: "spec/jobTemplate/metadata/annotations", group: "batch", kind: "CronJob", create: true },
  { path: "spec/jobTemplate/spec/template/metadata/annotations", group: "batch", kind: "CronJob", create: true },
];

/** images: container images and image volumes. */
export const IMAGE_SPECS: readonly FieldSpec[] = [
  { path: "spec/containers[]/image", create: true },
  { path: "spec/initContainers[]/image", create: true },
  { path: "spec/template/spec/containers[]/image", create: true },
  { path: "spec/template/spec/initContainers[]/image", create: true },
];

/** replicas: the kinds whose spec/replicas is set. */
export const REPLICA_SPECS: readonly FieldSpec[] = [
  { path: "spec/replicas", kind: "Deployment", create: true },
  { path: "spec/replicas", kind: "ReplicationController", create: true },
  { path: "spec/replicas", kind: "ReplicaSet", create: true },
  { path: "spec/replicas", kind: "StatefulSet", create: true },
];

/** A kind that can be referred to by name, and the fields that refer to it. */
export interface NameReference {
  kind: string;
  group?: string;
  version?: string;
  referrers: readonly FieldSpec[];
}

/** The nameReference table: for each referred kind, the referring fields. */
export const NAME_REFERENCE_SPECS: readonly NameReference[] = [
  {
    kind: "Deployment",
    referrers: [
      { path: "spec/scaleTargetRef/name", kind: "HorizontalPodAutoscaler" },
    ],
  },
  {
    kind: "ReplicationController",
    referrers: [
      { path: "spec/scaleTargetRef/name", kind: "HorizontalPodAutoscaler" },
    ],
  },
  {
    kind: "ReplicaSet",
    referrers: [
      { path: "spec/scaleTargetRef/name", kind: "HorizontalPodAutoscaler" },
    ],
  },
  {
    kind: "StatefulSet",
    referrers: [
      { path: "spec/scaleTargetRef/name", kind: "HorizontalPodAutoscaler" },
    ],
  },
  {
    kind: "ConfigMap", version: "v1",
    referrers: [
      { path: "spec/volumes/configMap/name", version: "v1", kind: "Pod" },
      { path: "spec/containers/env/valueFrom/configMapKeyRef/name", version: "v1", kind: "Pod" },
      { path: "spec/initContainers/env/valueFrom/configMapKeyRef/name", version: "v1", kind: "Pod" },
      { path: "spec/containers/envFrom/configMapRef/name", version: "v1", kind: "Pod" },
      { path: "spec/initContainers/envFrom/configMapRef/name", version: "v1", kind: "Pod" },
      { path: "spec/volumes/projected/sources/configMap/name", version: "v1", kind: "Pod" },
      { path: "template/spec/volumes/configMap/name", kind: "PodTemplate" },
      { path: "template/spec/containers/env/valueFrom/configMapKeyRef/name", kind: "PodTemplate" },
      { path: "template/spec/initContainers/env/valueFrom/configMapKeyRef/name", kind: "PodTemplate" },
      { path: "template/spec/containers/envFrom/configMapRef/name", kind: "PodTemplate" },
      { path: "template/spec/initContainers/envFrom/configMapRef/name", kind: "PodTemplate" },
      { path: "template/spec/volumes/projected/sources/configMap/name", kind: "PodTemplate" },
      { path: "spec/template/spec/volumes/configMap/name", kind: "Deployment" },
      { path: "spec/template/spec/containers/env/valueFrom/configMapKeyRef/name", kind: "Deployment" },
      { path: "spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name", kind: "Deployment" },
      { path: "spec/template/spec/containers/envFrom/configMapRef/name", kind: "Deployment" },
      { path: "spec/template/spec/initContainers/envFrom/configMapRef/name", kind: "Deployment" },
      { path: "spec/template/spec/volumes/projected/sources/configMap/name", kind: "Deployment" },
      { path: "spec/template/spec/volumes/configMap/name", kind: "ReplicaSet" },
      { path: "spec/template/spec/containers/env/valueFrom/configMapKeyRef/name", kind: "ReplicaSet" },
      { path: "spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name", kind: "ReplicaSet" },
      { path: "spec/template/spec/containers/envFrom/configMapRef/name", kind: "ReplicaSet" },
      { path: "spec/template/spec/initContainers/envFrom/configMapRef/name", kind: "ReplicaSet" },
      { path: "spec/template/spec/volumes/projected/sources/configMap/name", kind: "ReplicaSet" },
      { path: "spec/template/spec/volumes/configMap/name", kind: "DaemonSet" },
      { path: "spec/template/spec/containers/env/valueFrom/configMapKeyRef/name", kind: "DaemonSet" },
      { path: "spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name", kind: "DaemonSet" },
      { path: "spec/template/spec/containers/envFrom/configMapRef/name", kind: "DaemonSet" },
      { path: "spec/template/spec/initContainers/envFrom/configMapRef/name", kind: "DaemonSet" },
      { path: "spec/template/spec/volumes/projected/sources/configMap/name", kind: "DaemonSet" },
      { path: "spec/template/spec/volumes/configMap/name", kind: "StatefulSet" },
      { path: "spec/template/spec/containers/env/valueFrom/configMapKeyRef/name", kind: "StatefulSet" },
      { path: "spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name", kind: "StatefulSet" },
      { path: "spec/template/spec/containers/envFrom/configMapRef/name", kind: "StatefulSet" },
      { path: "spec/template/spec/initContainers/envFrom/configMapRef/name", kind: "StatefulSet" },
      { path: "spec/template/spec/volumes/projected/sources/configMap/name", kind: "StatefulSet" },
      { path: "spec/template/spec/volumes/configMap/name", kind: "Job" },
      { path: "spec/template/spec/containers/env/valueFrom/configMapKeyRef/name", kind: "Job" },
      { path: "spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name", kind: "Job" },
      { path: "spec/template/spec/containers/envFrom/configMapRef/name", kind: "Job" },
      { path: "spec/template/spec/initContainers/envFrom/configMapRef/name", kind: "Job" },
      { path: "spec/template/spec/volumes/projected/sources/configMap/name", kind: "Job" },
      { path: "spec/jobTemplate/spec/template/spec/volumes/configMap/name", kind: "CronJob" },
      { path: "spec/jobTemplate/spec/template/spec/volumes/projected/sources/configMap/name", kind: "CronJob" },
      { path: "spec/jobTemplate/spec/template/spec/containers/env/valueFrom/configMapKeyRef/name", kind: "CronJob" },
      { path: "spec/jobTemplate/spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name", kind: "CronJob" },
      { path: "spec/jobTemplate/spec/template/spec/containers/envFrom/configMapRef/name", kind: "CronJob" },
      { path: "spec/jobTemplate/spec/template/spec/initContainers/envFrom/configMapRef/name", kind: "CronJob" },
      { path: "spec/configSource/configMap", kind: "Node" },
      { path: "rules/resourceNames", kind: "Role" },
      { path: "rules/resourceNames", kind: "ClusterRole" },
      { path: "metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap", kind: "Ingress" },
    ],
  },
  {
    kind: "Secret", version: "v1",
    referrers: [
      { path: "spec/volumes/secret/secretName", version: "v1", kind: "Pod" },
      { path: "spec/containers/env/valueFrom/secretKeyRef/name", version: "v1", kind: "Pod" },
      { path: "spec/initContainers/env/valueFrom/secretKeyRef/name", version: "v1", kind: "Pod" },
      { path: "spec/containers/envFrom/secretRef/name", version: "v1", kind: "Pod" },
      { path: "spec/initContainers/envFrom/secretRef/name", version: "v1", kind: "Pod" },
      { path: "spec/imagePullSecrets/name", version: "v1", kind: "Pod" },
      { path: "spec/volumes/projected/sources/secret/name", version: "v1", kind: "Pod" },
      { path: "template/spec/volumes/secret/secretName", kind: "PodTemplate" },
      { path: "template/spec/containers/env/valueFrom/secretKeyRef/name", kind: "PodTemplate" },
      { path: "template/spec/initContainers/env/valueFrom/secretKeyRef/name", kind: "PodTemplate" },
      { path: "template/spec/containers/envFrom/secretRef/name", kind: "PodTemplate" },
      { path: "template/spec/initContainers/envFrom/secretRef/name", kind: "PodTemplate" },
      { path: "template/spec/imagePullSecrets/name", kind: "PodTemplate" },
      { path: "template/spec/volumes/projected/sources/secret/name", kind: "PodTemplate" },
      { path: "spec/template/spec/volumes/secret/secretName", kind: "Deployment" },
      { path: "spec/template/spec/containers/env/valueFrom/secretKeyRef/name", kind: "Deployment" },
      { path: "spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name", kind: "Deployment" },
      { path: "spec/template/spec/containers/envFrom/secretRef/name", kind: "Deployment" },
      { path: "spec/template/spec/initContainers/envFrom/secretRef/name", kind: "Deployment" },
      { path: "spec/template/spec/imagePullSecrets/name", kind: "Deployment" },
      { path: "spec/template/spec/volumes/projected/sources/secret/name", kind: "Deployment" },
      { path: "spec/template/spec/volumes/secret/secretName", kind: "ReplicaSet" },
      { path: "spec/template/spec/containers/env/valueFrom/secretKeyRef/name", kind: "ReplicaSet" },
      { path: "spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name", kind: "ReplicaSet" },
      { path: "spec/template/spec/containers/envFrom/secretRef/name", kind: "ReplicaSet" },
      { path: "spec/template/spec/initContainers/envFrom/secretRef/name", kind: "ReplicaSet" },
      { path: "spec/template/spec/imagePullSecrets/name", kind: "ReplicaSet" },
      { path: "spec/template/spec/volumes/projected/sources/secret/name", kind: "ReplicaSet" },
      { path: "spec/template/spec/volumes/secret/secretName", kind: "DaemonSet" },
      { path: "spec/template/spec/containers/env/valueFrom/secretKeyRef/name", kind: "DaemonSet" },
      { path: "spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name", kind: "DaemonSet" },
      { path: "spec/template/spec/containers/envFrom/secretRef/name", kind: "DaemonSet" },
      { path: "spec/template/spec/initContainers/envFrom/secretRef/name", kind: "DaemonSet" },
      { path: "spec/template/spec/imagePullSecrets/name", kind: "DaemonSet" },
      { path: "spec/template/spec/volumes/projected/sources/secret/name", kind: "DaemonSet" },
      { path: "spec/template/spec/volumes/secret/secretName", kind: "StatefulSet" },
      { path: "spec/template/spec/containers/env/valueFrom/secretKeyRef/name", kind: "StatefulSet" },
      { path: "spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name", kind: "StatefulSet" },
      { path: "spec/template/spec/containers/envFrom/secretRef/name", kind: "StatefulSet" },
      { path: "spec/template/spec/initContainers/envFrom/secretRef/name", kind: "StatefulSet" },
      { path: "spec/template/spec/imagePullSecrets/name", kind: "StatefulSet" },
      { path: "spec/template/spec/volumes/projected/sources/secret/name", kind: "StatefulSet" },
      { path: "spec/template/spec/volumes/secret/secretName", kind: "Job" },
      { path: "spec/template/spec/containers/env/valueFrom/secretKeyRef/name", kind: "Job" },
      { path: "spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name", kind: "Job" },
      { path: "spec/template/spec/containers/envFrom/secretRef/name", kind: "Job" },
      { path: "spec/template/spec/initContainers/envFrom/secretRef/name", kind: "Job" },
      { path: "spec/template/spec/imagePullSecrets/name", kind: "Job" },
      { path: "spec/template/spec/volumes/projected/sources/secret/name", kind: "Job" },
      { path: "spec/jobTemplate/spec/template/spec/volumes/secret/secretName", kind: "CronJob" },
      { path: "spec/jobTemplate/spec/template/spec/volumes/projected/sources/secret/name", kind: "CronJob" },
      { path: "spec/jobTemplate/spec/template/spec/containers/env/valueFrom/secretKeyRef/name", kind: "CronJob" },
      { path: "spec/jobTemplate/spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name", kind: "CronJob" },
      { path: "spec/jobTemplate/spec/template/spec/containers/envFrom/secretRef/name", kind: "CronJob" },
      { path: "spec/jobTemplate/spec/template/spec/initContainers/envFrom/secretRef/name", kind: "CronJob" },
      { path: "spec/jobTemplate/spec/template/spec/imagePullSecrets/name", kind: "CronJob" },
      { path: "spec/tls/secretName", kind: "Ingress" },
      { path: "metadata/annotations/ingress.kubernetes.io\\/auth-secret", kind: "Ingress" },
      { path: "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret", kind: "Ingress" },
      { path: "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret", kind: "Ingress" },
      { path: "spec/tls/secretName", kind: "Ingress" },
      { path: "imagePullSecrets/name", kind: "ServiceAccount" },
      { path: "parameters/secretName", kind: "StorageClass" },
      { path: "parameters/adminSecretName", kind: "StorageClass" },
      { path: "parameters/userSecretName", kind: "StorageClass" },
      { path: "parameters/secretRef", kind: "StorageClass" },
      { path: "rules/resourceNames", kind: "Role" },
      { path: "rules/resourceNames", kind: "ClusterRole" },
      { path: "spec/template/spec/containers/env/valueFrom/secretKeyRef/name", group: "serving.knative.dev", version: "v1", kind: "Service" },
      { path: "spec/azureFile/secretName", kind: "PersistentVolume" },
    ],
  },
  {
    kind: "Service", version: "v1",
    referrers: [
      { path: "spec/serviceName", group: "apps", kind: "StatefulSet" },
      { path: "spec/rules/http/paths/backend/serviceName", kind: "Ingress" },
      { path: "spec/backend/serviceName", kind: "Ingress" },
      { path: "spec/rules/http/paths/backend/service/name", kind: "Ingress" },
      { path: "spec/defaultBackend/service/name", kind: "Ingress" },
      { path: "spec/service/name", group: "apiregistration.k8s.io", kind: "APIService" },
      { path: "webhooks/clientConfig/service", group: "admissionregistration.k8s.io", kind: "ValidatingWebhookConfiguration" },
      { path: "webhooks/clientConfig/service", group: "admissionregistration.k8s.io", kind: "MutatingWebhookConfiguration" },
    ],
  },
  {
    kind: "Role", group: "rbac.authorization.k8s.io",
    referrers: [
      { path: "roleRef/name", group: "rbac.authorization.k8s.io", kind: "RoleBinding" },
    ],
  },
  {
    kind: "ClusterRole", group: "rbac.authorization.k8s.io",
    referrers: [
      { path: "roleRef/name", group: "rbac.authorization.k8s.io", kind: "RoleBinding" },
      { path: "roleRef/name", group: "rbac.authorization.k8s.io", kind: "ClusterRoleBinding" },
    ],
  },
  {
    kind: "ServiceAccount", version: "v1",
    referrers: [
      { path: "subjects", group: "rbac.authorization.k8s.io", kind: "RoleBinding" },
      { path: "subjects", group: "rbac.authorization.k8s.io", kind: "ClusterRoleBinding" },
      { path: "spec/serviceAccountName", kind: "Pod" },
      { path: "spec/template/spec/serviceAccountName", kind: "StatefulSet" },
      { path: "spec/template/spec/serviceAccountName", kind: "Deployment" },
      { path: "spec/template/spec/serviceAccountName", kind: "ReplicationController" },
      { path: "spec/jobTemplate/spec/template/spec/serviceAccountName", kind: "CronJob" },
      { path: "spec/template/spec/serviceAccountName", kind: "Job" },
      { path: "spec/template/spec/serviceAccountName", kind: "DaemonSet" },
    ],
  },
  {
    kind: "PersistentVolumeClaim", version: "v1",
    referrers: [
      { path: "spec/volumes/persistentVolumeClaim/claimName", kind: "Pod" },
      { path: "spec/template/spec/volumes/persistentVolumeClaim/claimName", kind: "StatefulSet" },
      { path: "spec/template/spec/volumes/persistentVolumeClaim/claimName", kind: "Deployment" },
      { path: "spec/template/spec/volumes/persistentVolumeClaim/claimName", kind: "ReplicationController" },
      { path: "spec/jobTemplate/spec/template/spec/volumes/persistentVolumeClaim/claimName", kind: "CronJob" },
      { path: "spec/template/spec/volumes/persistentVolumeClaim/claimName", kind: "Job" },
      { path: "spec/template/spec/volumes/persistentVolumeClaim/claimName", kind: "DaemonSet" },
    ],
  },
  {
    kind: "PersistentVolume", version: "v1",
    referrers: [
      { path: "spec/volumeName", kind: "PersistentVolumeClaim" },
      { path: "rules/resourceNames", kind: "ClusterRole" },
    ],
  },
  {
    kind: "StorageClass", group: "storage.k8s.io", version: "v1",
    referrers: [
      { path: "spec/storageClassName", kind: "PersistentVolume" },
      { path: "spec/storageClassName", kind: "PersistentVolumeClaim" },
      { path: "spec/volumeClaimTemplates/spec/storageClassName", kind: "StatefulSet" },
    ],
  },
  {
    kind: "PriorityClass", group: "scheduling.k8s.io", version: "v1",
    referrers: [
      { path: "spec/priorityClassName", kind: "Pod" },
      { path: "spec/template/spec/priorityClassName", kind: "StatefulSet" },
      { path: "spec/template/spec/priorityClassName", kind: "Deployment" },
      { path: "spec/template/spec/priorityClassName", kind: "ReplicationController" },
      { path: "spec/jobTemplate/spec/template/spec/priorityClassName", kind: "CronJob" },
      { path: "spec/template/spec/priorityClassName", kind: "Job" },
      { path: "spec/template/spec/priorityClassName", kind: "DaemonSet" },
    ],
  },
  {
    kind: "IngressClass", group: "networking.k8s.io/v1", version: "v1",
    referrers: [
      { path: "spec/ingressClassName", kind: "Ingress" },
    ],
  },
  {
    kind: "ValidatingAdmissionPolicy", group: "admissionregistration.k8s.io",
    referrers: [
      { path: "spec/policyName", group: "admissionregistration.k8s.io", kind: "ValidatingAdmissionPolicyBinding" },
    ],
  },
];
