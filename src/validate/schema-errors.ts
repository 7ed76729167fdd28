/**
 * Turns ajv errors on a resource into diagnostics: the problems of diagnostics/ajv-errors.ts (the translator
 * config errors share), each located through the resource's position maps, with the cluster and resource.
 */
import type { ErrorObject } from "ajv";
import { pointerToPath } from "../model/yaml-file.js";
import { bySourcePosition, explainAjvErrors } from "../diagnostics/ajv-errors.js";
import type { Code } from "../diagnostics/codes.js";
import type { Diagnostic, SourceLocation } from "../diagnostics/diagnostic.js";
import { describeId, locateField, type Resource } from "../model/resource.js";

/** What every diagnostic of one validation shares. */
export interface SchemaErrorContext {
  code: Code;
  cluster: string;
  resource: Resource;
  /** Put before each message, e.g. 'policy "require-team":'. */
  prefix?: string;
  hint?: string;
  related?: { message: string; location: SourceLocation }[];
}

/** Diagnostics for the ajv errors of one resource, in source order. */
export function explainSchemaErrors(errors: readonly ErrorObject[], ctx: SchemaErrorContext): Diagnostic[] {
  return explainAjvErrors(errors)
    .map((problem): Diagnostic => ({
      code: ctx.code,
      severity: "error",
      message: ctx.prefix ? `${ctx.prefix} ${problem.message}` : problem.message,
      location: locateField(ctx.resource, pointerToPath(problem.locate)),
      cluster: ctx.cluster,
      resource: describeId(ctx.resource.id),
      path: problem.pointer || "/",
      ...(ctx.hint ? { hint: ctx.hint } : {}),
      ...(ctx.related ? { related: ctx.related } : {}),
    }))
    .sort(bySourcePosition);
}
