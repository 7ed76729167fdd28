/**
 * The schema registry: one ajv instance holding the Kubernetes definitions once as a shared schema; each
 * kind (built-in, CRD version, org schema) is compiled lazily on first use and kept for the run, so it can be
 * reused across clusters.
 */
import type { ValidateFunction } from "ajv";
import { gvkKey, type KubeOpenApi, type SwaggerSchema } from "../model/kube-openapi.js";
import type { Gvk } from "../model/kube-schema.js";
import { kubeFormats } from "./kube-formats.js";
import { builtinKindSchema, crdResourceSchema, kindSchemaFromFile } from "./kube-json-schema.js";
import { createDefinitionsLoader } from "./registry-definitions.js";
import { loadValidator, saveValidator, validatorKey } from "./validator-code-cache.js";

/** Compiled validators, by kind. */
export interface SchemaRegistry {
  readonly openapi: KubeOpenApi;
  readonly strict: boolean;
  /** Validator of a kind the OpenAPI document serves; undefined when it does not know the kind. */
  builtin(gvk: Gvk): ValidateFunction | undefined;
  /** Validator of a custom resource from its CRD version's openAPIV3Schema (compiled once per distinct schema). */
  custom(openAPIV3Schema: unknown): ValidateFunction;
  /** Validator of an org schema or a kubeconform-style kind schema; throws when the schema does not compile. */
  org(schema: SwaggerSchema, asKindSchema: boolean): ValidateFunction;
  /** How many schemas were compiled, and the time spent compiling them. */
  stats(): { compiled: number; compileMs: number };
}

/**
 * Creates a registry over one compact OpenAPI document. `codeCache`: a folder (under BRAID_CACHE) where the
 * validators of built-in kinds are kept as standalone code across processes (validator-code-cache.ts).
 */
export function createSchemaRegistry(
  openapi: KubeOpenApi,
  opts: { strict: boolean; codeCache?: string },
): SchemaRegistry {
  // only the definitions the compiled schemas refer to are converted and given to ajv (see registry-definitions.ts)
  const definitions = createDefinitionsLoader(openapi, opts.strict, { source: opts.codeCache !== undefined });
  /** A built-in kind's validator: from the code cache, else compiled (and then kept there). */
  const builtinValidator = (schema: SwaggerSchema): ValidateFunction => {
    const dir = opts.codeCache;
    if (dir === undefined) return compile(schema, true);
    const key = validatorKey(schema, definitions.closureOf(schema));
    const cached = loadValidator(dir, key, kubeFormats);
    if (cached) return cached;
    const fn = compile(schema, true);
    saveValidator(dir, key, definitions.ajvFor(schema), fn);
    return fn;
  };
  const builtins = new Map<string, ValidateFunction | undefined>();
  const bySchema = new Map<string, ValidateFunction>();
  let compiled = 0;
  let compileMs = 0;

  /** `trusted`: a built-in kind's `{ $ref }`, valid against the meta-schema by construction (not checked). */
  const compile = (schema: SwaggerSchema, trusted = false): ValidateFunction => {
    const t0 = performance.now();
    try {
      if (!trusted) definitions.checkSchema(schema);
      return definitions.ajvFor(schema).compile(schema);
    } finally {
      compileMs += performance.now() - t0;
      compiled++;
    }
  };
  // by identity first (the same schema object is asked for once per resource), then by content
  const byObject = {
    "crd:": new WeakMap<object, ValidateFunction>(),
    "kind:": new WeakMap<object, ValidateFunction>(),
    "org:": new WeakMap<object, ValidateFunction>(),
  };
  const cachedByText = (
    prefix: "crd:" | "kind:" | "org:",
    schema: SwaggerSchema,
    make: () => SwaggerSchema,
  ): ValidateFunction => {
    const objects = byObject[prefix];
    let fn = objects.get(schema);
    if (fn) return fn;
    const key = prefix + JSON.stringify(schema);
    fn = bySchema.get(key);
    if (!fn) {
      fn = compile(make());
      bySchema.set(key, fn);
    }
    objects.set(schema, fn);
    return fn;
  };

  return {
    openapi,
    strict: opts.strict,
    builtin(gvk) {
      const key = gvkKey(gvk.group, gvk.version, gvk.kind);
      if (builtins.has(key)) return builtins.get(key);
      const entry = openapi.kinds[key];
      const fn = entry ? builtinValidator(builtinKindSchema(entry.definition)) : undefined;
      builtins.set(key, fn);
      return fn;
    },
    custom(openAPIV3Schema) {
      const s = (
        typeof openAPIV3Schema === "object" && openAPIV3Schema !== null ? openAPIV3Schema : {}
      ) as SwaggerSchema;
      return cachedByText("crd:", s, () => crdResourceSchema(s, opts.strict));
    },
    org(schema, asKindSchema) {
      return cachedByText(asKindSchema ? "kind:" : "org:", schema, () =>
        asKindSchema ? kindSchemaFromFile(schema, opts.strict) : stripIds(schema),
      );
    },
    stats: () => ({ compiled, compileMs }),
  };
}

/** User schemas may carry `$id`/`$schema`; both are dropped so many schemas can live in one ajv. */
export function stripIds(schema: SwaggerSchema): SwaggerSchema {
  const { $id: _id, $schema: _s, ...rest } = schema;
  return rest;
}
