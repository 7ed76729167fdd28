/**
 * The rule a kind's metadata.name must follow, as the API server applies it: DNS-1123 subdomain for most
 * kinds, DNS-1123 label for Namespaces, DNS-1035 label for Services, a path segment for RBAC kinds.
 */
import { isDns1035Label, isDns1123Label, isDns1123Subdomain, isPathSegmentName } from "./kube-formats.js";

/** Kinds whose names are only path segments (e.g. ClusterRole "system:aggregate-to-view"). */
const PATH_SEGMENT_KINDS = new Set([
  "rbac.authorization.k8s.io/Role",
  "rbac.authorization.k8s.io/ClusterRole",
  "rbac.authorization.k8s.io/RoleBinding",
  "rbac.authorization.k8s.io/ClusterRoleBinding",
]);

/** Why a name is invalid for a kind, or undefined when it is valid. */
export function nameProblem(group: string, kind: string, name: string): string | undefined {
  const gk = `${group}/${kind}`;
  if (PATH_SEGMENT_KINDS.has(gk)) {
    return isPathSegmentName(name) ? undefined : `name "${name}" may not be "." or ".." or contain "/" or "%"`;
  }
  if (gk === "/Namespace") {
    return isDns1123Label(name)
      ? undefined
      : `name "${name}" must be a DNS-1123 label (at most 63 lower-case alphanumerics or '-', starting and ending with an alphanumeric)`;
  }
  if (gk === "/Service") {
    return isDns1035Label(name)
      ? undefined
      : `name "${name}" must be a DNS-1035 label (at most 63 lower-case alphanumerics or '-', starting with a letter and ending with an alphanumeric)`;
  }
  return isDns1123Subdomain(name)
    ? undefined
    : `name "${name}" must be a DNS-1123 subdomain (lower-case alphanumerics, '-' and '.', at most 253, starting and ending with an alphanumeric)`;
}
