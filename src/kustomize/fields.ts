/**
 * Every field of a kustomization file (kustomize api/types/kustomization.go), and what braid does with
 * it: built by the driver, built by a registered transformer, or refused with the way around it. A field
 * outside this table is refused too (kustomize rejects unknown fields): nothing is ever silently ignored.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { KustomizationFile } from "./kustomization-file.js";
import { FIELD_TRANSFORMERS, type RegisteredField } from "./registry.js";

/** Fields the driver builds itself. */
const DRIVER_FIELDS = new Set([
  "apiVersion",
  "kind",
  "metadata",
  "resources",
  "bases",
  "components",
  "namespace",
  "patches",
  "patchesStrategicMerge",
  "patchesJson6902",
  "sortOptions",
  "generatorOptions",
  "generators",
  "transformers",
  "configurations",
  "vars",
  "buildMetadata",
  "openapi",
]);

/** Fields built by the transformers of src/kustomize/registry.ts (`imageTags` is kustomize's old name of `images`). */
const REGISTERED_FIELDS: Record<string, RegisteredField> = {
  configMapGenerator: "configMapGenerator",
  secretGenerator: "secretGenerator",
  namePrefix: "namePrefix",
  nameSuffix: "nameSuffix",
  commonLabels: "commonLabels",
  labels: "labels",
  commonAnnotations: "commonAnnotations",
  images: "images",
  imageTags: "images",
  replicas: "replicas",
  replacements: "replacements",
};

/** Refused fields and what to do instead. */
const REFUSED: Record<string, string> = {
  helmCharts:
    "render the chart into the source repository (helm template … > manifests.yaml) and list that file, or deploy it with a Flux HelmRelease",
  helmGlobals: "render the chart into the source repository (helm template) and list the output file",
  helmChartInflationGenerator: "render the chart into the source repository (helm template) and list the output file",
  validators: "validator plugins run code at build time; use the fleet's schemas/ policies instead",
  crds: "kustomize's crds field only teaches name references for custom kinds; remove it (braid validates CRs against the CRDs it renders)",
};

/** The transformer name of a registered field (`imageTags` → `images`). */
export function registeredField(field: string): RegisteredField | undefined {
  return REGISTERED_FIELDS[field];
}

/**
 * Checks every field of a kustomization: refused, unknown, or registered but not implemented yet. An unknown
 * field of the source's own kustomization (`fluxRoot`) is a warning: kustomize-controller rewrites that file
 * through Go's non-strict decoding first (fluxcd/pkg kustomize `Generator`), which drops it; kustomize refuses
 * one anywhere else.
 */
export function checkFields(k: KustomizationFile, fluxRoot = false): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const field of Object.keys(k.value)) {
    if (DRIVER_FIELDS.has(field)) continue;
    const registered = REGISTERED_FIELDS[field];
    if (registered) {
      if (!FIELD_TRANSFORMERS[registered])
        out.push({
          code: "KUSTOMIZE_UNSUPPORTED",
          severity: "error",
          message: `braid does not build the kustomization field "${field}" yet`,
          location: k.locate([field], true),
          hint: "apply the change with braid patches (spec.patches) instead, or build the base with kustomize and commit the output",
        });
      continue;
    }
    const refused = REFUSED[field];
    // a refused field left empty builds nothing in kustomize (kubebuilder v3 scaffolds keep a bare `vars:`)
    if (refused && emptyValue(k.value[field])) continue;
    if (!refused && fluxRoot) {
      out.push({
        code: "KUSTOMIZE_IGNORED",
        severity: "warning",
        message: `"${field}" is not a kustomization field: Flux's kustomize-controller drops it from the source's kustomization (kubectl kustomize refuses it)`,
        location: k.locate([field], true),
        hint: "remove it, or check its spelling against https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/",
      });
      continue;
    }
    out.push({
      code: "KUSTOMIZE_UNSUPPORTED",
      severity: "error",
      message: refused
        ? `braid does not build the kustomization field "${field}"`
        : `"${field}" is not a kustomization field (kustomize refuses unknown fields)`,
      location: k.locate([field], true),
      hint:
        refused ?? "check its spelling against https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/",
    });
  }
  return out;
}

/** null, an empty list or an empty mapping: what Go decodes to a nil or empty field. */
function emptyValue(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === "object" && Object.keys(v).length === 0;
}
