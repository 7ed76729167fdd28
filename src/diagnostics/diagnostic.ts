import { type Code, exitCodeOf } from "./codes.js";

/** A place in a file. Lines and columns are 1-based. */
export interface SourceLocation {
  /** Path of the file: relative to the fleet for fleet files, to the repo root for source files. */
  file: string;
  line?: number;
  column?: number;
  /** For files read from a source repository: the source name and commit. */
  source?: string;
  commit?: string;
}

/** One problem, as data. The message is a sentence without location; formatters add that. */
export interface Diagnostic {
  code: Code;
  severity: "error" | "warning" | "info";
  message: string;
  location?: SourceLocation;
  /** Other places involved (e.g. the first definition of a duplicate). */
  related?: { message: string; location: SourceLocation }[];
  /** What to do about it. */
  hint?: string;
  cluster?: string;
  /** "Kind namespace/name" or "Kind name". */
  resource?: string;
  /** JSON path inside the resource, e.g. /spec/template/spec/containers/0/image. */
  path?: string;
}

/** An exception that carries a diagnostic: thrown only to abort (unreachable remote, bad usage, bugs). */
export class BraidError extends Error {
  readonly diagnostic: Diagnostic;
  /** Optional structured detail for the caller (e.g. the candidates a failed semver pin considered). */
  explain?: unknown;
  constructor(diagnostic: Omit<Diagnostic, "severity"> & { severity?: Diagnostic["severity"] }, explain?: unknown) {
    super(diagnostic.message);
    this.name = "BraidError";
    this.diagnostic = { severity: "error", ...diagnostic };
    this.explain = explain;
  }
  get code(): Code {
    return this.diagnostic.code;
  }
  get exitCode(): number {
    return exitCodeOf(this.diagnostic.code);
  }
}

/** True when any diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Highest exit code among the error diagnostics (0 when none). */
export function exitCodeFor(diagnostics: readonly Diagnostic[]): number {
  let code = 0;
  for (const d of diagnostics) if (d.severity === "error") code = Math.max(code, exitCodeOf(d.code));
  return code;
}

/** Turns anything thrown into a diagnostic; unknown exceptions are internal errors. */
export function toDiagnostic(e: unknown): Diagnostic {
  if (e instanceof BraidError) return e.diagnostic;
  const err = e instanceof Error ? e : new Error(String(e));
  return {
    code: "INTERNAL",
    severity: "error",
    message: `internal error: ${err.message}`,
    hint: `this is a bug in braid; please report it with this message and stack:\n${err.stack ?? ""}`,
  };
}
