/**
 * Kubernetes value formats for ajv: the standard ones braid checks (from ajv-formats) plus quantities, label
 * keys and values, and DNS-1123 names.
 */
import type { Ajv } from "ajv";
import addFormats from "ajv-formats";

/** DNS-1123 label: at most 63 lower-case alphanumerics or '-', starting and ending alphanumeric. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** DNS-1123 subdomain: dot-separated labels, at most 253 characters. */
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** DNS-1035 label (Service names): like DNS-1123 but starting with a letter. */
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
/** A resource quantity: "500m", "1Gi", "1.5", "1e3", "+2k". */
export const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** True for a DNS-1123 label. */
export function isDns1123Label(s: string): boolean {
  return s.length <= 63 && DNS1123_LABEL.test(s);
}

/** True for a DNS-1123 subdomain. */
export function isDns1123Subdomain(s: string): boolean {
  return s.length <= 253 && DNS1123_SUBDOMAIN.test(s);
}

/** True for a DNS-1035 label. */
export function isDns1035Label(s: string): boolean {
  return s.length <= 63 && DNS1035_LABEL.test(s);
}

/** True for a label or annotation key: optional DNS-1123 subdomain prefix and '/', then a name of ≤ 63. */
export function isQualifiedName(s: string): boolean {
  const i = s.lastIndexOf("/");
  const name = i < 0 ? s : s.slice(i + 1);
  if (i >= 0) {
    const prefix = s.slice(0, i);
    if (prefix.length === 0 || !isDns1123Subdomain(prefix)) return false;
  }
  return name.length > 0 && name.length <= 63 && QUALIFIED_NAME_PART.test(name);
}

/** True for a label value: empty, or ≤ 63 alphanumerics, '-', '_', '.', starting and ending alphanumeric. */
export function isLabelValue(s: string): boolean {
  return s === "" || (s.length <= 63 && QUALIFIED_NAME_PART.test(s));
}

/** A name is a valid path segment (RBAC and similar kinds): not "." or "..", no '/' or '%'. */
export function isPathSegmentName(s: string): boolean {
  return s !== "." && s !== ".." && !/[/%]/.test(s);
}

/** Registers every format braid's Kubernetes schemas use. */
export function addKubeFormats(ajv: Ajv): void {
  addFormats.default(ajv, ["int32", "int64", "double", "float", "byte", "date-time", "date", "uuid", "ipv4", "ipv6"]);
  ajv.addFormat("quantity", { type: "string", validate: (s: string) => QUANTITY.test(s) });
  ajv.addFormat("k8s-qualified-name", { type: "string", validate: isQualifiedName });
  // the API server lower-cases annotation keys before checking them (ValidateAnnotations: case does not matter)
  ajv.addFormat("k8s-annotation-key", { type: "string", validate: (s: string) => isQualifiedName(s.toLowerCase()) });
  ajv.addFormat("k8s-label-value", { type: "string", validate: isLabelValue });
  ajv.addFormat("k8s-dns-label", { type: "string", validate: isDns1123Label });
}
