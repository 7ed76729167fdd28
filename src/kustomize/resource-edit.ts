/**
 * Helpers shared by the kustomize transformers: a changed resource keeps its origin and positions, plus one
 * PositionMap that points the fields a transformer wrote at the kustomization entry that wrote them.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { SourceLocation } from "../diagnostics/diagnostic.js";
import { idOf, type Json, type JsonObject, type JsonPath, type PositionMap, type Resource } from "../model/resource.js";
import type { KustomizationContext } from "./context.js";

/** Records which fields of a resource were written from which kustomization entry. */
export class WrittenFields {
  private readonly entries: { path: JsonPath; from: JsonPath }[] = [];
  /** `path` inside the resource was written by the kustomization field at `from`. */
  add(path: JsonPath, from: JsonPath): void {
    this.entries.push({ path: [...path], from });
  }
  get size(): number {
    return this.entries.length;
  }
  /** A PositionMap answering for the written fields and anything below them. */
  positionMap(ctx: KustomizationContext): PositionMap {
    const entries = [...this.entries];
    const at = (e: (typeof entries)[number]): SourceLocation =>
      ctx.locate(e.from) ?? { file: ctx.file, source: ctx.source, commit: ctx.commit };
    return {
      locate(path: JsonPath): SourceLocation | undefined {
        for (let i = entries.length - 1; i >= 0; i--) {
          const e = entries[i]!;
          if (e.path.length <= path.length && e.path.every((s, j) => String(s) === String(path[j]))) return at(e);
        }
        return undefined;
      },
      prefixes: () => entries.map((e) => ({ path: e.path, at: at(e) })).reverse(),
    };
  }
}

/** The resource with a new object (id recomputed) and, when fields were written, one more position map. */
export function withObject(
  res: Resource,
  object: JsonObject,
  written: WrittenFields | undefined,
  ctx: KustomizationContext,
): Resource {
  const positions = written?.size ? [...res.positions, written.positionMap(ctx)] : res.positions;
  return { ...res, object, id: idOf(object), positions };
}

/** Where a kustomization entry is (falls back to the kustomization file itself). */
export function entryLocation(ctx: KustomizationContext, path: JsonPath): SourceLocation {
  for (let n = path.length; n >= 0; n--) {
    const loc = ctx.locate(path.slice(0, n));
    if (loc) return loc;
  }
  return { file: ctx.file, source: ctx.source, commit: ctx.commit };
}

/** A KUSTOMIZE_INVALID error located at a kustomization entry. */
export function invalidField(ctx: KustomizationContext, path: JsonPath, message: string, hint: string): Diagnostic {
  return { code: "KUSTOMIZE_INVALID", severity: "error", message, hint, location: entryLocation(ctx, path) };
}

/** The hint for a field that must be a string: quote a number or boolean; a list or a mapping has no string form. */
export function stringHint(key: string, value: Json): string {
  if (value !== null && typeof value === "object")
    return `write ${key} as a string, not a ${Array.isArray(value) ? "list" : "mapping"}`;
  // the text was one of YAML 1.1's booleans (a kustomization is read as YAML 1.1): which one is not known here
  if (typeof value === "boolean")
    return `quote it: kustomize reads an unquoted true, yes, on, y (or false, no, off, n) as a boolean`;
  return `quote it: ${key}: "${String(value)}"`;
}

/**
 * Unknown keys of a kustomization entry are errors, as kustomize's strict reading makes them (a typo such as
 * `newtag` would otherwise do nothing). Returns false when one was found.
 */
export function checkKeys(
  entry: { [key: string]: unknown },
  allowed: readonly string[],
  at: JsonPath,
  ctx: KustomizationContext,
  diagnostics: Diagnostic[],
): boolean {
  let ok = true;
  for (const key of Object.keys(entry)) {
    if (allowed.includes(key)) continue;
    ok = false;
    diagnostics.push(
      invalidField(
        ctx,
        [...at, key],
        `unknown field ${JSON.stringify(key)} in ${describePath(at)}`,
        `the fields here are: ${allowed.join(", ")}`,
      ),
    );
  }
  return ok;
}

/** `images[0]`, `configMapGenerator[1].options`, … */
function describePath(at: JsonPath): string {
  return at.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}
