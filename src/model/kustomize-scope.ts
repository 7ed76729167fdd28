/**
 * The kinds kustomize takes as cluster-scoped, by apiVersion and kind: kyaml's `precomputedIsNamespaceScoped`
 * (kyaml/openapi/openapi.go at kustomize v5.5.0, the `kubectl kustomize` Flux's kustomize-controller and braid
 * follow), which is what its default built-in schema (Kubernetes 1.21) says. Every other kind is namespaced to
 * kustomize — custom kinds, and built-in kinds that schema does not hold at that version (FlowSchema v1,
 * ValidatingAdmissionPolicy, IPAddress, DeviceClass…). So kustomize's namespace transformer (and Flux's
 * `targetNamespace`, which runs it) gives those a `metadata.namespace`, which the API server drops on apply
 * (fluxcd/pkg ssa: "a namespace injected by upstream tooling that the API server strips"), and name
 * references, replacements, vars, patch targets with a namespace (kustomize's and braid's, whose selectors
 * are kustomize's) and the build's own duplicate check compare their namespaces. braid's own steps (output
 * folders, the fleet's duplicate check, default namespaces) take scopes from the Kubernetes OpenAPI instead.
 */
import type { ResourceId } from "../model/resource.js";

const CLUSTER_SCOPED = new Set([
  "admissionregistration.k8s.io/v1 MutatingWebhookConfiguration",
  "admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration",
  "admissionregistration.k8s.io/v1beta1 MutatingWebhookConfiguration",
  "admissionregistration.k8s.io/v1beta1 ValidatingWebhookConfiguration",
  "apiextensions.k8s.io/v1 CustomResourceDefinition",
  "apiextensions.k8s.io/v1beta1 CustomResourceDefinition",
  "apiregistration.k8s.io/v1 APIService",
  "apiregistration.k8s.io/v1beta1 APIService",
  "certificates.k8s.io/v1 CertificateSigningRequest",
  "certificates.k8s.io/v1beta1 CertificateSigningRequest",
  "flowcontrol.apiserver.k8s.io/v1beta1 FlowSchema",
  "flowcontrol.apiserver.k8s.io/v1beta1 PriorityLevelConfiguration",
  "networking.k8s.io/v1 IngressClass",
  "networking.k8s.io/v1beta1 IngressClass",
  "node.k8s.io/v1 RuntimeClass",
  "node.k8s.io/v1beta1 RuntimeClass",
  "policy/v1beta1 PodSecurityPolicy",
  "rbac.authorization.k8s.io/v1 ClusterRole",
  "rbac.authorization.k8s.io/v1 ClusterRoleBinding",
  "rbac.authorization.k8s.io/v1beta1 ClusterRole",
  "rbac.authorization.k8s.io/v1beta1 ClusterRoleBinding",
  "scheduling.k8s.io/v1 PriorityClass",
  "scheduling.k8s.io/v1beta1 PriorityClass",
  "storage.k8s.io/v1 CSIDriver",
  "storage.k8s.io/v1 CSINode",
  "storage.k8s.io/v1 StorageClass",
  "storage.k8s.io/v1 VolumeAttachment",
  "storage.k8s.io/v1beta1 CSIDriver",
  "storage.k8s.io/v1beta1 CSINode",
  "storage.k8s.io/v1beta1 StorageClass",
  "storage.k8s.io/v1beta1 VolumeAttachment",
  "v1 ComponentStatus",
  "v1 Namespace",
  "v1 Node",
  "v1 NodeProxyOptions",
  "v1 PersistentVolume",
]);

/** True for a kind kustomize takes as cluster-scoped (see the file's comment). */
export function isClusterScoped(id: Pick<ResourceId, "group" | "version" | "kind">): boolean {
  return CLUSTER_SCOPED.has(`${id.group ? `${id.group}/` : ""}${id.version} ${id.kind}`);
}
