/**
 * Kubernetes value formats for ajv: the standard ones braid checks (from ajv-formats) plus quantities, label
 * keys and values, and DNS-1123 names.
 */
import { createRequire } from "node:module";
import type { Ajv, Format } from "ajv";

// ajv-formats (and ajv) load only when formats are needed: a render whose validators all come from the
// code cache (validator-code-cache.ts) never loads ajv itself
const require = createRequire(import.meta.url);

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

/** The standard formats braid checks, from ajv-formats. */
const STANDARD_FORMATS = [
  "int32",
  "int64",
  "double",
  "float",
  "byte",
  "date-time",
  "date",
  "uuid",
  "ipv4",
  "ipv6",
] as const;

/** braid's own formats. */
const KUBE_FORMATS: Record<string, Format> = {
  quantity: { type: "string", validate: (s: string) => QUANTITY.test(s) },
  "k8s-qualified-name": { type: "string", validate: isQualifiedName },
  // the API server lower-cases annotation keys before checking them (ValidateAnnotations: case does not matter)
  "k8s-annotation-key": { type: "string", validate: (s: string) => isQualifiedName(s.toLowerCase()) },
  "k8s-label-value": { type: "string", validate: isLabelValue },
  "k8s-dns-label": { type: "string", validate: isDns1123Label },
};

/** Registers every format braid's Kubernetes schemas use. */
export function addKubeFormats(ajv: Ajv): void {
  (require("ajv-formats") as { default: (ajv: Ajv, list: string[]) => Ajv }).default(ajv, [...STANDARD_FORMATS]);
  for (const [name, format] of Object.entries(KUBE_FORMATS)) ajv.addFormat(name, format);
}

/** The formats of {@link addKubeFormats} by name, as an ajv instance holds them, without loading ajv. */
export function kubeFormats(): Record<string, Format> {
  const { fullFormats } = require("ajv-formats/dist/formats") as { fullFormats: Record<string, Format> };
  const out: Record<string, Format> = {};
  for (const name of STANDARD_FORMATS) out[name] = fullFormats[name]!;
  return { ...out, ...KUBE_FORMATS };
}
