import { Ajv } from "ajv";
import { addKubeFormats } from "./kube-formats.js";
import { kubePatternRegExp } from "./pattern-regexp.js";

/** The ajv instance braid validates with (also used to check org schemas when they are loaded). */
export function newAjv(extra: { validateSchema?: false } = {}): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, verbose: true, logger: false, inlineRefs: false, code: { optimize: false, regExp: kubePatternRegExp }, ...extra });
  addKubeFormats(ajv);
  return ajv;
}
