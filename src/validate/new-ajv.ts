import { createRequire } from "node:module";
import type { Ajv } from "ajv";
import { addKubeFormats } from "./kube-formats.js";
import { kubePatternRegExp } from "./pattern-regexp.js";
import { FORMATS_MODULE } from "./validator-code-cache.js";

// ajv loads on first compile: a run whose validators all come from the code cache does not load it
const require = createRequire(import.meta.url);

/**
 * The ajv instance braid validates with (also used to check org schemas when they are loaded). `source`: keep
 * the generated code, for standalone code whose formats come from `require("braid:formats")`.
 */
export function newAjv(extra: { validateSchema?: false; source?: true } = {}): Ajv {
  const { Ajv, _ } = require("ajv") as typeof import("ajv");
  const { source, ...rest } = extra;
  const code = {
    optimize: false,
    regExp: kubePatternRegExp,
    ...(source ? { source: true, formats: _`require(${FORMATS_MODULE})` } : {}),
  };
  const ajv = new Ajv({
    allErrors: true,
    strict: false,
    verbose: true,
    logger: false,
    inlineRefs: false,
    code,
    ...rest,
  });
  addKubeFormats(ajv);
  return ajv;
}
