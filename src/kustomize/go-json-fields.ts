/**
 * Field names of a kustomization as kustomize reads them (api/types Kustomization.Unmarshal: YAML → JSON →
 * Go's encoding/json): a key matches its struct field exactly or, failing that, case-insensitively, so
 * `nameprefix:`, `Resources:` and `images[].newtag` are the fields `namePrefix`, `resources` and `newTag`.
 * Map keys (`commonLabels`, `patches[].options`, …) are data and are not matched.
 *
 * Several keys of one mapping that name the same field are all decoded into it, in the order Go sees them:
 * YAML → JSON writes a mapping's keys sorted, and encoding/json decodes each into the field — a later scalar or
 * list element replaces, a later mapping of a struct or map field merges into what is there, a later list is
 * decoded element by element into the elements there and cut to its own length.
 *
 * A key that matches no field is kept as it is, for the checks that refuse it. The value comes back
 * unchanged (the same object) when every key is already its field's name.
 */
import type { Json, JsonPath } from "../model/resource.js";

/** The shape of a Go field, as encoding/json decodes into it. */
export type GoType = "scalar" | "map" | { list: GoType } | { struct: Record<string, GoType> };

const scalar = "scalar";
const map = "map";
const list = (of: GoType): GoType => ({ list: of });
const struct = (fields: Record<string, GoType>): GoType => ({ struct: fields });

// kyaml resid.Gvk and resid.ResId, inlined where they are embedded
const GVK = { group: scalar, version: scalar, kind: scalar } as const;
const RES_ID = { ...GVK, name: scalar, namespace: scalar } as const;
const SELECTOR = struct({ ...RES_ID, annotationSelector: scalar, labelSelector: scalar });
const PATCH = struct({ path: scalar, patch: scalar, target: SELECTOR, options: map });
const IMAGE = struct({ name: scalar, newName: scalar, tagSuffix: scalar, newTag: scalar, digest: scalar });
const FIELD_OPTIONS = struct({ delimiter: scalar, index: scalar, encoding: scalar, create: scalar });
const GENERATOR_OPTIONS = struct({ labels: map, annotations: map, disableNameSuffixHash: scalar, immutable: scalar });
const FIELD_SPEC = struct({ ...GVK, path: scalar, create: scalar });
const REPLACEMENT = struct({
  source: struct({ ...RES_ID, fieldPath: scalar, options: FIELD_OPTIONS }),
  targets: list(struct({ select: SELECTOR, reject: list(SELECTOR), fieldPaths: list(scalar), options: FIELD_OPTIONS })),
  path: scalar,
});
const GENERATOR_ARGS = {
  namespace: scalar,
  name: scalar,
  behavior: scalar,
  literals: list(scalar),
  files: list(scalar),
  envs: list(scalar),
  env: scalar,
  options: GENERATOR_OPTIONS,
} as const;

/** kustomize v5 api/types Kustomization (the fields braid refuses are here too: they are matched the same way). */
const KUSTOMIZATION: { struct: Record<string, GoType> } = {
  struct: {
    apiVersion: scalar,
    kind: scalar,
    metadata: struct({ name: scalar, namespace: scalar, labels: map, annotations: map }),
    openapi: map,
    namePrefix: scalar,
    nameSuffix: scalar,
    namespace: scalar,
    commonLabels: map,
    labels: list(
      struct({
        pairs: map,
        includeSelectors: scalar,
        includeTemplates: scalar,
        fields: list(FIELD_SPEC),
      }),
    ),
    commonAnnotations: map,
    patchesStrategicMerge: list(scalar),
    patchesJson6902: list(PATCH),
    patches: list(PATCH),
    images: list(IMAGE),
    imageTags: list(IMAGE),
    replacements: list(REPLACEMENT),
    replicas: list(struct({ name: scalar, count: scalar })),
    vars: list(
      struct({
        name: scalar,
        objref: struct({ apiVersion: scalar, ...RES_ID }),
        fieldref: struct({ fieldPath: scalar }),
      }),
    ),
    sortOptions: struct({
      order: scalar,
      legacySortOptions: struct({ orderFirst: list(scalar), orderLast: list(scalar) }),
    }),
    resources: list(scalar),
    components: list(scalar),
    crds: list(scalar),
    bases: list(scalar),
    configMapGenerator: list(struct(GENERATOR_ARGS)),
    secretGenerator: list(struct({ ...GENERATOR_ARGS, type: scalar })),
    helmGlobals: scalar,
    helmCharts: scalar,
    helmChartInflationGenerator: scalar,
    generatorOptions: GENERATOR_OPTIONS,
    configurations: list(scalar),
    generators: list(scalar),
    transformers: list(scalar),
    validators: list(scalar),
    buildMetadata: list(scalar),
  },
};

const OBJECT_META = struct({ name: scalar, namespace: scalar, labels: map, annotations: map });

/**
 * kustomize's builtin plugins whose configuration is read with sigs.k8s.io/yaml (YAML → JSON → encoding/json,
 * so keys match case-insensitively and unknown keys are ignored), by kind (api/internal/builtins at v5.5.0).
 * The Prefix/Suffix transformers read theirs with go-yaml v3 (exact keys) and are not here.
 */
export const PLUGIN_CONFIGS: Record<string, { struct: Record<string, GoType> }> = {
  LabelTransformer: { struct: { labels: map, fieldSpecs: list(FIELD_SPEC) } },
  AnnotationsTransformer: { struct: { annotations: map, fieldSpecs: list(FIELD_SPEC) } },
  ImageTagTransformer: { struct: { imageTag: IMAGE, fieldSpecs: list(FIELD_SPEC) } },
  ReplicaCountTransformer: {
    struct: { replica: struct({ name: scalar, count: scalar }), fieldSpecs: list(FIELD_SPEC) },
  },
  NamespaceTransformer: {
    struct: { metadata: OBJECT_META, fieldSpecs: list(FIELD_SPEC), unsetOnly: scalar, setRoleBindingSubjects: scalar },
  },
  PatchTransformer: { struct: { path: scalar, patch: scalar, target: SELECTOR, options: map } },
  PatchStrategicMergeTransformer: { struct: { paths: list(scalar), patches: scalar } },
  PatchJson6902Transformer: { struct: { target: SELECTOR, path: scalar, jsonOp: scalar } },
  ReplacementTransformer: { struct: { replacements: list(REPLACEMENT) } },
  ConfigMapGenerator: { struct: { metadata: OBJECT_META, ...GENERATOR_ARGS } },
  SecretGenerator: { struct: { metadata: OBJECT_META, ...GENERATOR_ARGS, type: scalar } },
};

/** Go's case folding of a key (ASCII and the simple folds that reach ASCII letters: K, ſ). */
const fold = (key: string): string => key.toUpperCase().toLowerCase();

type Obj = { [key: string]: Json };
const isObj = (v: Json | undefined): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** Byte order of keys, as Go's JSON encoder sorts a map's keys (UTF-8 order: code points, not UTF-16 units). */
function byBytes(a: string, b: string): number {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return Buffer.compare(x, y);
}

/** A kustomization's value with every key named as kustomize reads it, and the key each renamed field was written as. */
export interface GoFields {
  value: { [key: string]: Json };
  /** For a mapping that has renamed keys: field name → the key written in the file (the last one Go decoded). */
  written: WeakMap<object, Map<string, string>>;
}

/** Matches the keys of a kustomization's value to kustomize's fields (see the file header). */
export function kustomizationFields(value: { [key: string]: Json }): GoFields {
  return goFields(value, KUSTOMIZATION);
}

/** Matches the keys of a mapping to the fields of a Go struct, as encoding/json decodes it. */
export function goFields(value: { [key: string]: Json }, type: { struct: Record<string, GoType> }): GoFields {
  const written = new WeakMap<object, Map<string, string>>();
  return { value: decode(undefined, value, type, written) as Obj, written };
}

/** The path as written in the file of a path of field names (for positions). */
export function writtenPath(fields: GoFields, path: JsonPath): JsonPath {
  let at: Json | undefined = fields.value;
  return path.map((seg) => {
    const key = typeof seg === "string" && isObj(at) ? (fields.written.get(at)?.get(seg) ?? seg) : seg;
    at = at !== null && typeof at === "object" ? (at as Record<string | number, Json>)[seg] : undefined;
    return key;
  });
}

/** encoding/json decoding `v` into a field of type `type` that holds `into` (undefined: nothing yet). */
function decode(into: Json | undefined, v: Json, type: GoType, written: WeakMap<object, Map<string, string>>): Json {
  if (type === "scalar") return v === null && into !== undefined ? into : v; // null leaves a scalar as it was
  if (v === null) return null; // a map, list or pointer set to nil
  if (type === "map") return isObj(v) && isObj(into) ? { ...into, ...v } : v;
  if ("list" in type) {
    if (!Array.isArray(v)) return v;
    const before = Array.isArray(into) ? into : [];
    const out = v.map((e, i) => decode(before[i], e, type.list, written));
    return into === undefined && out.every((e, i) => e === v[i]) ? v : out;
  }
  if (!isObj(v)) return v;
  const fields = type.struct;
  // each key's field: its exact name, else the first field equal under folding
  const fieldOf = (key: string): string | undefined =>
    Object.hasOwn(fields, key) ? key : Object.keys(fields).find((f) => fold(f) === fold(key));
  const keys = Object.keys(v);
  if (into === undefined && keys.every((k) => fieldOf(k) === k || fieldOf(k) === undefined)) {
    // nothing to rename here: decode the values (their own keys may need it)
    let changed = false;
    const out: Obj = {};
    for (const k of keys) {
      const f = fieldOf(k);
      const d = f ? decode(undefined, v[k]!, fields[f]!, written) : v[k]!;
      changed ||= d !== v[k];
      Object.defineProperty(out, k, { value: d, enumerable: true, writable: true, configurable: true });
    }
    return changed ? out : v;
  }
  const base: Obj = isObj(into) ? into : {};
  const out: Obj = {};
  const renamed = new Map<string, string>(written.get(base));
  const set = (k: string, d: Json) =>
    Object.defineProperty(out, k, { value: d, enumerable: true, writable: true, configurable: true });
  for (const k of Object.keys(base)) set(k, base[k]!);
  // values in Go's order (sorted keys), keys in the file's order
  const decoded = new Map<string, Json>();
  for (const k of [...keys].sort(byBytes)) {
    const f = fieldOf(k);
    if (f === undefined) continue;
    const prior = decoded.has(f) ? decoded.get(f) : Object.hasOwn(base, f) ? base[f] : undefined;
    decoded.set(f, decode(prior, v[k]!, fields[f]!, written));
    if (k === f) renamed.delete(f);
    else renamed.set(f, k);
  }
  for (const k of keys) {
    const f = fieldOf(k);
    if (f === undefined) set(k, v[k]!);
    else if (decoded.has(f)) {
      set(f, decoded.get(f)!);
      decoded.delete(f);
    }
  }
  if (renamed.size) written.set(out, renamed);
  return out;
}
