/**
 * Every `--format json` document braid prints is `{ apiVersion: braid/v1alpha1, kind: <X>Result, … }` with
 * camelCase fields, and matches `schemas/<x>-result.schema.json`. Exit 2 and 3 print an `ErrorResult`.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";

/** The apiVersion of braid's JSON output (the same as its config files). */
export const API_VERSION = "braid/v1alpha1";

/** The kinds of JSON documents braid prints. `inventory --format json` prints inventory.json (kind Inventory). */
export type ResultKind =
  "RenderResult" | "ValidationResult" | "LockResult" | "PublishResult" | "PreviewResult" | "ErrorResult";

/** The header of a result document. */
export function resultHeader(kind: ResultKind): { apiVersion: typeof API_VERSION; kind: ResultKind } {
  return { apiVersion: API_VERSION, kind };
}

/** A result document as pretty JSON with a trailing newline. */
function jsonDocument(kind: ResultKind, body: Record<string, unknown>): string {
  return JSON.stringify({ ...resultHeader(kind), ...body }, null, 2) + "\n";
}

/** The document printed for a usage (2), environment (3) or internal (4) failure under `--format json`. */
export function errorDocument(command: string, exitCode: number, diagnostic: Diagnostic): string {
  return jsonDocument("ErrorResult", { command, ok: false, exitCode, diagnostics: [diagnostic] });
}

/** True when the raw arguments ask for `--format <format>` (read before parsing, so a usage error can honour it). */
export function wantsFormat(args: readonly string[], format: string): boolean {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--") break;
    if (args[i] === `--format=${format}` || (args[i] === "--format" && args[i + 1] === format)) return true;
  }
  return false;
}

/** True when the raw arguments ask for `--format json`. */
export function wantsJson(args: readonly string[]): boolean {
  return wantsFormat(args, "json");
}
