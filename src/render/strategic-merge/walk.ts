/**
 * The walker (kyaml yaml/walk + merge2, on JSON values; dest = target, origin = patch): both sides of a
 * field must be of one kind; maps go to ./map.ts, lists with a merge strategy to ./associative-list.ts;
 * every other list (walk/nonassociative_sequence.go) and every scalar (walk/scalar.go) is replaced by the
 * patch's value when the patch has one.
 */
import type { PatchSchema } from "../../model/kube-schema.js";
import { walkAssociativeList } from "./associative-list.js";
import { directive } from "./directives.js";
import { walkMap } from "./map.js";
import { isMissingOrNull, kindName, MergeFailure, type MergeWalk, type Node, type Walked } from "./nodes.js";
import type { Tags } from "./plain-tags.js";

/** A new merge walk; `tags` when plain-scalar provenance is tracked, `empties` the target's empty nulls. */
export function mergeWalk(tags: Tags | undefined, empties?: Tags): MergeWalk {
  const w: MergeWalk = {
    tags,
    ...(empties ? { empties } : {}),
    walk: (dest, origin, schema, path) => walk(w, dest, origin, schema, path),
  };
  return w;
}

/** Walker.Walk: merges one field (`origin` into `dest`) by the kind of its first non-null side. */
function walk(w: MergeWalk, dest: Node, origin: Node, schema: PatchSchema | undefined, path: string[]): Walked {
  const first = !isMissingOrNull(dest) ? dest : !isMissingOrNull(origin) ? origin : undefined;
  if (first === undefined) return walkMap(w, dest, origin, schema, path);
  const kind = kindName(first);
  for (const n of [dest, origin]) {
    if (!isMissingOrNull(n) && kindName(n) !== kind) {
      throw new MergeFailure(path, `the patch has a ${kindName(origin)} where the target has a ${kindName(dest)}`);
    }
  }
  if (kind === "map") return walkMap(w, dest, origin, schema, path);
  if (kind === "list") {
    if (schema?.patchStrategy?.includes("merge")) return walkAssociativeList(w, dest, origin, schema, path);
    // kustomize copies list directives of replaced lists verbatim (an invalid list); braid honours them
    if (Array.isArray(origin) && directive(origin, path) === "delete") return undefined;
    return origin !== undefined ? origin : dest;
  }
  return origin !== undefined ? origin : dest;
}
