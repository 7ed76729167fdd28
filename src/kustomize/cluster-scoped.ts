/**
 * Built-in cluster-scoped kinds, as kustomize knows them without a schema (its resid scope table): name
 * references from and to these ignore namespaces. Custom kinds are taken as namespaced, as in kustomize.
 */
import type { ResourceId } from "../model/resource.js";

const CLUSTER_SCOPED = new Set([
  "APIService",
  "CertificateSigningRequest",
  "ClusterRole",
  "ClusterRoleBinding",
  "ComponentStatus",
  "CSIDriver",
  "CSINode",
  "CustomResourceDefinition",
  "FlowSchema",
  "IngressClass",
  "MutatingAdmissionPolicy",
  "MutatingAdmissionPolicyBinding",
  "MutatingWebhookConfiguration",
  "Namespace",
  "Node",
  "PersistentVolume",
  "PodSecurityPolicy",
  "PriorityClass",
  "PriorityLevelConfiguration",
  "RuntimeClass",
  "SelfSubjectAccessReview",
  "SelfSubjectRulesReview",
  "StorageClass",
  "SubjectAccessReview",
  "TokenReview",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "ValidatingWebhookConfiguration",
  "VolumeAttachment",
]);

/** True for a built-in cluster-scoped kind. */
export function isClusterScoped(id: Pick<ResourceId, "kind">): boolean {
  return CLUSTER_SCOPED.has(id.kind);
}
