/**
 * The Kubernetes definitions a schema registry gives ajv, converted and added only as the compiled schemas
 * need them. A render uses a handful of kinds out of hundreds: converting every definition and letting ajv walk
 * the whole document cost more than compiling the kinds used. Each schema to compile is scanned for its refs
 * into the shared definitions document (`k8s#/definitions/…`), transitively; when a definition it needs is not
 * yet in the current ajv instance, a new instance is made holding every definition needed so far (validators
 * compiled by earlier instances stay valid; the meta-schema check is done once, apart). The document keeps its `$id` and definition names, so refs,
 * schema paths and errors are those of the whole document.
 */
import type { Ajv } from "ajv";
import type { KubeOpenApi, SwaggerSchema } from "../model/kube-openapi.js";
import { builtinDefinition, DEFS_ID } from "./kube-json-schema.js";
import { newAjv } from "./new-ajv.js";

const REF_PREFIX = `${DEFS_ID}#/definitions/`;

/** Gives the ajv instance to compile a schema with. */
export interface DefinitionsLoader {
  /** An instance that does not check schemas against the meta-schema (see checkSchema). */
  ajvFor(schema: SwaggerSchema): Ajv;
  /**
   * Checks a schema against the JSON Schema meta-schema and throws ajv's own "schema is invalid" error, as
   * `compile` does; one long-lived instance does it, so the meta-schema is compiled once per registry, and only
   * when a schema that is not a built-in kind's `{ $ref }` is compiled.
   */
  checkSchema(schema: SwaggerSchema): void;
  /** Names of the definitions converted so far. */
  loaded(): string[];
  /** The converted definitions a schema refers to, transitively, by name (what its compiled code is made of). */
  closureOf(schema: SwaggerSchema): Record<string, SwaggerSchema>;
}

/** `source`: instances keep their generated code, for ajv standalone code (validate/validator-code-cache.ts). */
export function createDefinitionsLoader(
  openapi: KubeOpenApi,
  strict: boolean,
  opts: { source?: boolean } = {},
): DefinitionsLoader {
  const converted = new Map<string, SwaggerSchema | undefined>();
  let ajv: Ajv | undefined;
  let inAjv = new Set<string>();
  let metaAjv: Ajv | undefined;

  const convert = (name: string): SwaggerSchema | undefined => {
    if (!converted.has(name)) converted.set(name, builtinDefinition(openapi, strict, name));
    return converted.get(name);
  };

  /** Definition names the schema refers to, with everything they refer to in turn. */
  const closure = (schema: unknown): Set<string> => {
    const names = new Set<string>();
    const pending: unknown[] = [schema];
    while (pending.length) {
      const node = pending.pop();
      if (Array.isArray(node)) {
        for (const v of node) if (v !== null && typeof v === "object") pending.push(v);
        continue;
      }
      if (node === null || typeof node !== "object") continue;
      for (const [key, value] of Object.entries(node)) {
        if (key === "$ref" && typeof value === "string" && value.startsWith(REF_PREFIX)) {
          const name = decodePointerSegment(value.slice(REF_PREFIX.length).split("/")[0]!);
          if (names.has(name)) continue;
          names.add(name);
          const def = convert(name);
          if (def) pending.push(def);
        } else if (value !== null && typeof value === "object") pending.push(value);
      }
    }
    return names;
  };

  return {
    ajvFor(schema) {
      const needed = closure(schema);
      let missing = !ajv;
      for (const n of needed) if (!inAjv.has(n)) missing = true;
      if (missing) {
        inAjv = new Set([...inAjv, ...needed]);
        const definitions: SwaggerSchema = {};
        for (const n of [...inAjv].sort()) {
          const def = convert(n);
          if (def) definitions[n] = def;
        }
        ajv = newAjv({ validateSchema: false, ...(opts.source ? { source: true } : {}) });
        // the definitions come from the API server's own document: not checked against the meta-schema (saves time)
        ajv.addSchema({ $id: DEFS_ID, definitions }, undefined, undefined, false);
      }
      return ajv!;
    },
    checkSchema(schema) {
      metaAjv ??= newAjv();
      void metaAjv.validateSchema(schema, true); // throws when invalid (a Promise only for $async schemas)
    },
    loaded: () => [...converted.keys()].filter((n) => converted.get(n)),
    closureOf(schema) {
      const out: Record<string, SwaggerSchema> = {};
      for (const n of closure(schema)) {
        const def = convert(n);
        if (def) out[n] = def;
      }
      return out;
    },
  };
}

function decodePointerSegment(s: string): string {
  let t = s;
  try {
    t = decodeURIComponent(s);
  } catch {
    // keep it as written
  }
  return t.replace(/~1/g, "/").replace(/~0/g, "~");
}
