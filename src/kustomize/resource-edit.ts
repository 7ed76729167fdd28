/**
 * Helpers shared by the kustomize transformers: a changed resource keeps its origin and positions, plus one
 * PositionMap that points the fields a transformer wrote at the kustomization entry that wrote them.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { SourceLocation } from "../diagnostics/diagnostic.js";
import { idOf, type JsonObject, type JsonPath, type PositionMap, type Resource } from "../model/resource.js";
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
    return {
      locate(path: JsonPath): SourceLocation | undefined {
        for (let i = entries.length - 1; i >= 0; i--) {
          const e = entries[i]!;
          if (e.path.length <= path.length && e.path.every((s, j) => String(s) === String(path[j]))) {
            return ctx.locate(e.from) ?? { file: ctx.file, source: ctx.source, commit: ctx.commit };
          }
        }
        return undefined;
      },
    };
  }
}

/** The resource with a new object (id recomputed) and, when fields were written, one more position map. */
export function withObject(res: Resource, object: JsonObject, written: WrittenFields | undefined, ctx: KustomizationContext): Resource {
  const positions = written && written.size ? [...res.positions, written.positionMap(ctx)] : res.positions;
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
