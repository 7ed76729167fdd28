/**
 * kustomize's transformer configuration (`configurations:` files; api/internal/plugins/builtinconfig at
 * v5.5.0): the field specs the builtin fields write — namePrefix, nameSuffix, namespace, commonLabels,
 * templateLabels, commonAnnotations, images, replicas — and the nameReference table. A kustomization's
 * configuration is kustomize's defaults merged with its own files and with the configurations of the
 * folders it builds (resources and components), as kustomize's accumulator merges them upward. Kubebuilder's
 * scaffolds teach kustomize the CRD conversion webhook's Service this way.
 *
 * Merging follows kustomize exactly, order included (it decides which spec survives): FsSlice.MergeAll adds a
 * spec unless one already there is "effectively equal" to it (`same` below; the same spec with another
 * `create` is "conflicting fieldspecs"), nameReference entries merge by referred kind, and every merge sorts
 * its lists by group/version/kind. A folder's configuration is folded from an empty one: the folders it
 * builds, then kustomize's defaults merged with its own files, then its components. `varReference` names the
 * fields where `vars` are replaced (vars.ts).
 */
import type { Json } from "../model/resource.js";
import type { FieldSpec } from "./field-spec.js";
import { KIND_ORDER_FIRST, KIND_ORDER_LAST } from "./sort-resources.js";
import {
  COMMON_ANNOTATION_SPECS,
  COMMON_LABEL_SPECS,
  IMAGE_SPECS,
  NAME_REFERENCE_SPECS,
  REPLICA_SPECS,
  TEMPLATE_LABEL_SPECS,
  NAMESPACE_SPECS,
  VAR_REFERENCE_SPECS,
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

/** kustomize's default configuration (what a kustomization without `configurations` uses). */
const DEFAULT_CONFIG: TransformerConfig = {
  namePrefix: [{ path: "metadata/name" }],
  nameSuffix: [{ path: "metadata/name" }],
  namespace: NAMESPACE_SPECS,
  commonLabels: COMMON_LABEL_SPECS,
  labels: [],
  templateLabels: TEMPLATE_LABEL_SPECS,
  commonAnnotations: COMMON_ANNOTATION_SPECS,
  varReference: VAR_REFERENCE_SPECS,
  images: IMAGE_SPECS,
  replicas: REPLICA_SPECS,
  nameReference: NAME_REFERENCE_SPECS,
};

/**
 * kustomize's FieldSpec.effectivelyEquals, as FsSlice.MergeOne asks it of a spec already in the list: the same
 * path, and the incoming spec's group, version and kind (where set) select the spec already there. It is not
 * symmetric: `metadata/name` of Secrets arriving after a plain `metadata/name` is new; a plain one arriving
 * after it is the same and is dropped (this is how a custom spec can take a default's place).
 */
function same(existing: FieldSpec, incoming: FieldSpec): boolean {
  const sel = (x: string | undefined, selector: string | undefined) => !selector || x === selector;
  return (
    existing.path === incoming.path &&
    sel(existing.group, incoming.group) &&
    sel(existing.version, incoming.version) &&
    sel(existing.kind, incoming.kind)
  );
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

/** kyaml's Gvk.IsLessThan: kinds in kustomize's apply order first (its legacy sort's lists), then `group_version_kind`. */
const ORDER_FIRST = KIND_ORDER_FIRST;
const ORDER_LAST = KIND_ORDER_LAST;

function typeOrder(kind: string | undefined): number {
  const first = ORDER_FIRST.indexOf(kind ?? "");
  if (first >= 0) return first - ORDER_FIRST.length;
  const last = ORDER_LAST.indexOf(kind ?? "");
  return last >= 0 ? last + 1 : 0;
}

function sortString(g: { group?: string; version?: string; kind?: string }): string {
  return [g.group || "~G", g.version || "~V", g.kind || "~K"].join("_");
}

function compareGvk(a: { group?: string; version?: string; kind?: string }, b: typeof a): number {
  const d = typeOrder(a.kind) - typeOrder(b.kind);
  if (d) return d;
  const x = sortString(a);
  const y = sortString(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** kustomize's sortFields: every list, and the nameReference table, by group/version/kind. */
function sorted(config: TransformerConfig): TransformerConfig {
  const out = { ...config };
  for (const list of SPEC_LISTS) out[list] = [...config[list]].sort(compareGvk);
  out.nameReference = [...config.nameReference].sort(compareGvk);
  return out;
}

/** A configuration with nothing in it (kustomize's empty accumulator). */
export const EMPTY_CONFIG: TransformerConfig = {
  namePrefix: [],
  nameSuffix: [],
  namespace: [],
  commonLabels: [],
  labels: [],
  templateLabels: [],
  commonAnnotations: [],
  varReference: [],
  images: [],
  replicas: [],
  nameReference: [],
};

/** kustomize's MakeDefaultConfig: the defaults, sorted. */
export const SORTED_DEFAULTS: TransformerConfig = sorted(DEFAULT_CONFIG);

/** Merges `b` into `a` (kustomize's TransformerConfig.Merge, which sorts the result); a string names a conflict. */
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
  return sorted(out);
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
  const empty: TransformerConfig = { ...EMPTY_CONFIG };
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
    out.nameReference = table;
  }
  return sorted(out);
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
    specs.push(spec);
  }
  return { specs };
}
