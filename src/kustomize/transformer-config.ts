/**
 * kustomize's transformer configuration (`configurations:` files; api/internal/plugins/builtinconfig at
 * v5.5.0): the field specs the builtin fields write — namePrefix, nameSuffix, namespace, commonLabels,
 * templateLabels, commonAnnotations, images, replicas — and the nameReference table. A kustomization's
 * configuration is kustomize's defaults merged with its own files and with the configurations of the
 * folders it builds (resources and components), as kustomize's accumulator merges them upward. Kubebuilder's
 * scaffolds teach kustomize the CRD conversion webhook's Service this way.
 *
 * Merging follows kustomize's FsSlice.MergeAll: a field spec already there (same path, and a kind, group and
 * version that select each other) is not added again; the same spec with another `create` is an error
 * ("conflicting fieldspecs"). nameReference entries merge by referred kind. `varReference` is read and kept
 * but has no effect: braid does not build `vars`.
 */
import type { Json } from "../model/resource.js";
import type { FieldSpec } from "./field-spec.js";
import {
  COMMON_ANNOTATION_SPECS,
  COMMON_LABEL_SPECS,
  IMAGE_SPECS,
  NAME_REFERENCE_SPECS,
  REPLICA_SPECS,
  TEMPLATE_LABEL_SPECS,
  type NameReference,
} from "./field-specs-data.js";

/** The field-spec lists of a transformer configuration. */
const SPEC_LISTS = [
  "namePrefix",
  "nameSuffix",
  "namespace",
  "commonLabels",
  "labels",
  "templateLabels",
  "commonAnnotations",
  "varReference",
  "images",
  "replicas",
] as const;

type SpecList = (typeof SPEC_LISTS)[number];

/** A transformer configuration: field specs per transformer, and the nameReference table. */
export type TransformerConfig = Record<SpecList, readonly FieldSpec[]> & { nameReference: readonly NameReference[] };

/** kustomize's namespace field specs besides metadata/namespace (konfig/builtinpluginconsts/namespace.go). */
const NAMESPACE_SPECS: readonly FieldSpec[] = [
  { path: "metadata/name", kind: "Namespace", create: true },
  { path: "spec/service/namespace", group: "apiregistration.k8s.io", kind: "APIService", create: true },
  {
    path: "spec/conversion/webhook/clientConfig/service/namespace",
    group: "apiextensions.k8s.io",
    kind: "CustomResourceDefinition",
  },
];

/** kustomize's default configuration (what a kustomization without `configurations` uses). */
export const DEFAULT_CONFIG: TransformerConfig = {
  namePrefix: [{ path: "metadata/name" }],
  nameSuffix: [{ path: "metadata/name" }],
  namespace: NAMESPACE_SPECS,
  commonLabels: COMMON_LABEL_SPECS,
  labels: [],
  templateLabels: TEMPLATE_LABEL_SPECS,
  commonAnnotations: COMMON_ANNOTATION_SPECS,
  varReference: [],
  images: IMAGE_SPECS,
  replicas: REPLICA_SPECS,
  nameReference: NAME_REFERENCE_SPECS,
};

/** Two field specs kustomize takes for one (`effectivelyEquals`): same path, kinds that select each other. */
function same(a: FieldSpec, b: FieldSpec): boolean {
  const sel = (x: string | undefined, y: string | undefined) => !x || !y || x === y;
  return a.path === b.path && sel(a.group, b.group) && sel(a.version, b.version) && sel(a.kind, b.kind);
}

/** kustomize's FsSlice.MergeAll; a string names the conflict. */
function mergeSpecs(into: readonly FieldSpec[], more: readonly FieldSpec[]): FieldSpec[] | string {
  const out = [...into];
  for (const spec of more) {
    const there = out.find((s) => same(s, spec));
    if (!there) out.push(spec);
    else if (Boolean(there.create) !== Boolean(spec.create))
      return `conflicting fieldspecs: ${describe(spec)} is given with and without create`;
  }
  return out;
}

function describe(spec: FieldSpec): string {
  return [spec.group, spec.version, spec.kind].filter(Boolean).join("/") + (spec.kind ? " " : "") + spec.path;
}

/** Merges two configurations (kustomize's TransformerConfig.Merge); a string names a conflict. */
export function mergeConfig(a: TransformerConfig, b: TransformerConfig): TransformerConfig | string {
  const out = { ...a };
  for (const list of SPEC_LISTS) {
    const merged = mergeSpecs(a[list], b[list]);
    if (typeof merged === "string") return `${list}: ${merged}`;
    out[list] = merged;
  }
  const refs = [...a.nameReference];
  for (const ref of b.nameReference) {
    const i = refs.findIndex(
      (r) => r.kind === ref.kind && (r.group ?? "") === (ref.group ?? "") && (r.version ?? "") === (ref.version ?? ""),
    );
    if (i < 0) {
      refs.push(ref);
      continue;
    }
    const merged = mergeSpecs(refs[i]!.referrers, ref.referrers);
    if (typeof merged === "string") return `nameReference ${ref.kind}: ${merged}`;
    refs[i] = { ...refs[i]!, referrers: merged };
  }
  out.nameReference = refs;
  return out;
}

const isObj = (v: Json | undefined): v is { [key: string]: Json } =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Go's encoding/json key match: exact, else ignoring case. */
function field(obj: { [key: string]: Json }, name: string): Json | undefined {
  if (Object.hasOwn(obj, name)) return obj[name];
  const key = Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : obj[key];
}

/**
 * Reads one configuration file's value (sigs.k8s.io/yaml UnmarshalStrict: keys matched ignoring case, an
 * unknown key is an error). Returns the configuration, or the problem and the key path it is at.
 */
export function readConfig(value: Json): TransformerConfig | { problem: string; at: (string | number)[] } {
  const empty: TransformerConfig = { ...DEFAULT_CONFIG, nameReference: [] };
  for (const list of SPEC_LISTS) empty[list] = [];
  if (value === null) return empty;
  if (!isObj(value)) return { problem: "a configurations file must be a mapping of field spec lists", at: [] };
  const known = [...SPEC_LISTS, "nameReference"];
  for (const key of Object.keys(value))
    if (!known.some((k) => k.toLowerCase() === key.toLowerCase()))
      return { problem: `unknown field ${JSON.stringify(key)} (the fields are ${known.join(", ")})`, at: [key] };
  const out = empty;
  for (const list of SPEC_LISTS) {
    const specs = readSpecs(field(value, list), [list]);
    if ("problem" in specs) return specs;
    out[list] = specs.specs;
  }
  const refs = field(value, "nameReference");
  if (refs !== undefined && refs !== null) {
    if (!Array.isArray(refs)) return { problem: "nameReference must be a list", at: ["nameReference"] };
    const table: NameReference[] = [];
    for (const [i, ref] of refs.entries()) {
      if (!isObj(ref)) return { problem: "a nameReference entry must be a mapping", at: ["nameReference", i] };
      for (const key of Object.keys(ref))
        if (!["kind", "group", "version", "fieldSpecs"].some((k) => k.toLowerCase() === key.toLowerCase()))
          return {
            problem: `unknown field ${JSON.stringify(key)} in a nameReference entry`,
            at: ["nameReference", i, key],
          };
      const specs = readSpecs(field(ref, "fieldSpecs"), ["nameReference", i, "fieldSpecs"]);
      if ("problem" in specs) return specs;
      const entry: NameReference = { kind: str(field(ref, "kind")), referrers: specs.specs };
      const group = str(field(ref, "group"));
      const version = str(field(ref, "version"));
      if (group) entry.group = group;
      if (version) entry.version = version;
      table.push(entry);
    }
    // merged entry by entry, as kustomize merges each into the list it builds
    const merged = mergeConfig(empty, { ...empty, nameReference: table });
    if (typeof merged === "string") return { problem: merged, at: ["nameReference"] };
    out.nameReference = merged.nameReference;
  }
  return out;
}

function str(v: Json | undefined): string {
  return typeof v === "string" ? v : "";
}

function readSpecs(
  raw: Json | undefined,
  at: (string | number)[],
): { specs: FieldSpec[] } | { problem: string; at: (string | number)[] } {
  if (raw === undefined || raw === null) return { specs: [] };
  if (!Array.isArray(raw)) return { problem: `${at.join(".")} must be a list of field specs`, at };
  const specs: FieldSpec[] = [];
  for (const [i, item] of raw.entries()) {
    if (!isObj(item)) return { problem: "a field spec must be a mapping", at: [...at, i] };
    for (const key of Object.keys(item))
      if (!["path", "group", "version", "kind", "create"].some((k) => k.toLowerCase() === key.toLowerCase()))
        return { problem: `unknown field ${JSON.stringify(key)} in a field spec`, at: [...at, i, key] };
    const path = field(item, "path");
    if (typeof path !== "string" || path === "") return { problem: "a field spec needs a path", at: [...at, i] };
    const spec: FieldSpec = { path };
    for (const key of ["group", "version", "kind"] as const) {
      const v = field(item, key);
      if (typeof v === "string" && v !== "") spec[key] = v;
    }
    if (field(item, "create") === true) spec.create = true;
    const merged = mergeSpecs(specs, [spec]);
    if (typeof merged === "string") return { problem: merged, at: [...at, i] };
    specs.splice(0, specs.length, ...merged);
  }
  return { specs };
}
