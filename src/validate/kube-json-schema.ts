/**
 * Turns Kubernetes schemas (the OpenAPI definitions of built-in kinds, a CRD's openAPIV3Schema) into JSON
 * schemas ajv runs with Kubernetes semantics: int-or-string, quantities, nullable, preserve-unknown-fields,
 * embedded resources, and `strict` (no unknown fields wherever properties are defined).
 */
import type { KubeOpenApi, SwaggerSchema } from "../model/kube-openapi.js";

/** `$id` of the shared definitions schema (no `/` in it: that would break relative refs). */
export const DEFS_ID = "k8s";
/** Definition names with special meaning. */
const OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
const QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";
const LABEL_SELECTOR = "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector";

/** Formats braid checks; any other format is ignored, as the API server ignores it. */
const CHECKED_FORMATS = new Set([
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
  "quantity",
]);

type Mode = "builtin" | "crd";
interface Ctx {
  mode: Mode;
  strict: boolean;
}

/** The shared definitions document: `{ $id: "k8s", definitions }`, every kind refers into it. */
export function builtinDefinitions(openapi: KubeOpenApi, strict: boolean): SwaggerSchema {
  const definitions: SwaggerSchema = {};
  for (const name of Object.keys(openapi.definitions)) definitions[name] = builtinDefinition(openapi, strict, name);
  return { $id: DEFS_ID, definitions };
}

/** One definition of the shared definitions document, converted (undefined when the OpenAPI lacks it). */
export function builtinDefinition(openapi: KubeOpenApi, strict: boolean, name: string): SwaggerSchema | undefined {
  if (!Object.hasOwn(openapi.definitions, name)) return undefined;
  if (name === QUANTITY) return { type: ["string", "number", "null"], format: "quantity" };
  const def = convert(openapi.definitions[name], { mode: "builtin", strict });
  if (name === OBJECT_META) return withMetadataRules(def);
  if (name === LABEL_SELECTOR && isObject(def.properties) && def.properties.matchLabels) {
    return { ...def, properties: { ...def.properties, matchLabels: labelMap() } };
  }
  return def;
}

/** The schema of a built-in kind's definition. */
export function builtinKindSchema(definition: string): SwaggerSchema {
  return { $ref: `${DEFS_ID}#/definitions/${definition}` };
}

/**
 * The schema of a custom resource from its CRD version's openAPIV3Schema: apiVersion, kind and metadata are
 * implicit at the root (metadata is checked as ObjectMeta); null is refused unless `nullable`.
 */
export function crdResourceSchema(openAPIV3Schema: unknown, strict: boolean): SwaggerSchema {
  const root = convert(openAPIV3Schema, { mode: "crd", strict });
  const props = isObject(root.properties) ? { ...root.properties } : undefined;
  const metaRef = { $ref: `${DEFS_ID}#/definitions/${OBJECT_META}` };
  if (props) {
    const own = props.metadata;
    props.apiVersion = { type: "string" };
    props.kind = { type: "string" };
    props.metadata = isObject(own) && hasConstraints(own) ? { allOf: [metaRef, relax(own)] } : metaRef;
    return { ...root, properties: props };
  }
  // no properties at the root: still check metadata, accept the rest
  return { ...root, properties: { metadata: metaRef } };
}

/** A plain JSON schema given for a kind (kubeconform style): strict is applied as to a CRD schema. */
export function kindSchemaFromFile(schema: SwaggerSchema, strict: boolean): SwaggerSchema {
  const { $id: _id, $schema: _s, ...rest } = schema;
  return strict ? addStrict(rest) : rest;
}

/**
 * Where `null` is accepted: in built-in kinds everywhere except required fields (the API server decodes null as
 * "unset"); in custom resources where the schema says `nullable`, and for object properties and map values,
 * which the API server prunes (PruneNonNullableNullsWithoutDefaults) — never as a list item.
 */
function convert(
  node: unknown,
  ctx: Ctx,
  position: "property" | "item" | "root" = "root",
  required = false,
): SwaggerSchema {
  if (!isObject(node)) return {};
  const out: SwaggerSchema = {};
  const preserve = node["x-kubernetes-preserve-unknown-fields"] === true;
  const intOrString = node["x-kubernetes-int-or-string"] === true || node.format === "int-or-string";
  const embedded = node["x-kubernetes-embedded-resource"] === true;
  const nullable =
    ctx.mode === "builtin" ? !required : node.nullable === true || (position === "property" && !required);
  for (const [key, value] of Object.entries(node)) {
    switch (key) {
      case "type":
        if (typeof value === "string" || Array.isArray(value)) out.type = value;
        break;
      case "format":
        if (typeof value === "string" && CHECKED_FORMATS.has(value === "datetime" ? "date-time" : value)) {
          out.format = value === "datetime" ? "date-time" : value;
        }
        break;
      case "properties":
        if (isObject(value)) {
          const props: SwaggerSchema = {};
          const req = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
          for (const [name, sub] of Object.entries(value)) {
            props[name] = convert(sub, ctx, "property", req.has(name));
            // a required field given as null is missing (a $ref node carries no type to take null away from)
            if (req.has(name) && ctx.mode === "builtin" && props[name] && (props[name] as SwaggerSchema).$ref)
              props[name] = { ...(props[name] as SwaggerSchema), not: { type: "null" } };
          }
          out.properties = props;
        }
        break;
      case "additionalProperties":
        out.additionalProperties = typeof value === "boolean" ? value : convert(value, ctx, "property");
        break;
      case "items":
        out.items = Array.isArray(value) ? value.map((v) => convert(v, ctx, "item")) : convert(value, ctx, "item");
        break;
      case "allOf":
      case "anyOf":
      case "oneOf":
        if (Array.isArray(value)) out[key] = value.map((v) => convert(v, ctx));
        break;
      case "not":
        out.not = convert(value, ctx);
        break;
      case "enum":
        if (Array.isArray(value)) out.enum = uniqueValues(nullable ? [...(value as unknown[]), null] : value);
        break;
      case "$ref":
        if (typeof value === "string") out.$ref = value.replace(/^#\/definitions\//, `${DEFS_ID}#/definitions/`);
        break;
      case "x-kubernetes-list-type":
        if (value === "set" && ctx.mode === "crd") out.uniqueItems = true;
        break;
      case "required":
      case "pattern":
      case "minimum":
      case "maximum":
      case "exclusiveMinimum":
      case "exclusiveMaximum":
      case "multipleOf":
      case "minLength":
      case "maxLength":
      case "minItems":
      case "maxItems":
      case "uniqueItems":
      case "minProperties":
      case "maxProperties":
        out[key] = value;
        break;
      default:
        break; // description, default, x-kubernetes-validations (CEL), … are not checked here
    }
  }
  if (intOrString) {
    out.type = ["integer", "string"];
    if (out.format === "int-or-string") delete out.format;
    if (Array.isArray(out.anyOf) && out.anyOf.every(isIntOrStringBranch)) delete out.anyOf;
  }
  if (embedded) {
    const props: SwaggerSchema = isObject(out.properties) ? { ...out.properties } : {};
    const defined = isObject(out.properties);
    props.apiVersion ??= { type: "string", minLength: 1 };
    props.kind ??= { type: "string", minLength: 1 };
    props.metadata = { $ref: `${DEFS_ID}#/definitions/${OBJECT_META}` };
    out.properties = props;
    out.required = [
      ...new Set([...(Array.isArray(out.required) ? (out.required as string[]) : []), "apiVersion", "kind"]),
    ];
    if (!defined && out.additionalProperties === undefined) out.additionalProperties = true; // nothing was defined: keep everything
  }
  if (ctx.strict && !preserve && isObject(out.properties) && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  if (nullable && out.type !== undefined) out.type = withNull(out.type);
  return out;
}

/** Adds `additionalProperties: false` where properties are defined (not under preserve-unknown-fields). */
function addStrict(node: SwaggerSchema): SwaggerSchema {
  const out: SwaggerSchema = { ...node };
  if (isObject(out.properties)) {
    const props: SwaggerSchema = {};
    for (const [k, v] of Object.entries(out.properties)) props[k] = isObject(v) ? addStrict(v) : v;
    out.properties = props;
    if (out.additionalProperties === undefined && out["x-kubernetes-preserve-unknown-fields"] !== true) {
      out.additionalProperties = false;
    }
  }
  if (isObject(out.items)) out.items = addStrict(out.items);
  if (isObject(out.additionalProperties)) out.additionalProperties = addStrict(out.additionalProperties);
  return out;
}

/** Label-style maps: keys are qualified names, values label values. */
function labelMap(): SwaggerSchema {
  return {
    type: ["object", "null"],
    propertyNames: { format: "k8s-qualified-name" },
    additionalProperties: { type: "string", format: "k8s-label-value" },
  };
}

function withMetadataRules(meta: SwaggerSchema): SwaggerSchema {
  const props = isObject(meta.properties) ? { ...meta.properties } : {};
  props.labels = labelMap();
  props.annotations = {
    type: ["object", "null"],
    propertyNames: { format: "k8s-annotation-key" },
    additionalProperties: { type: "string" },
  };
  props.namespace = { type: ["string", "null"], format: "k8s-dns-label" };
  return { ...meta, properties: props };
}

/** True when a CRD's metadata schema says more than "an object" (rare: constraints on name). */
function hasConstraints(s: SwaggerSchema): boolean {
  return Object.keys(s).some((k) => k !== "type" && k !== "additionalProperties");
}

/** A metadata schema from a CRD, applied beside ObjectMeta: its properties constrain, never forbid. */
function relax(s: SwaggerSchema): SwaggerSchema {
  const { additionalProperties: _a, ...rest } = s;
  return rest;
}

function isIntOrStringBranch(b: unknown): boolean {
  return isObject(b) && Object.keys(b).every((k) => k === "type") && (b.type === "integer" || b.type === "string");
}

function withNull(type: unknown): unknown {
  const list: unknown[] = Array.isArray(type) ? type : [type];
  return list.includes("null") ? list : [...list, "null"];
}

function uniqueValues(values: readonly unknown[]): unknown[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const k = JSON.stringify(v);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
