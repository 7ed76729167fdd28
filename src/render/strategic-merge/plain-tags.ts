/**
 * Plain-scalar provenance while merging (see ../plain-scalars.ts): the merge works on clones, so which
 * `${` strings were written plain is kept as tags on their (cloned) containers, by key or index, and read
 * back as JSON pointers at the end.
 */
import type { Json } from "../../model/resource.js";
import type { PlainPaths } from "../../model/plain-scalars.js";
import { escapeSegment } from "../../model/plain-scalars.js";

/** Containers of the merge in progress → keys of their plain `${` strings (undefined: not tracked). */
export type Tags = WeakMap<object, Set<string>>;

/** Tags the containers of `root` that hold the plain strings at `paths`. */
export function tagPaths(tags: Tags, root: Json, paths: PlainPaths): void {
  for (const p of paths) {
    const segs = p
      .slice(1)
      .split("/")
      .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
    let node: Json | undefined = root;
    for (const seg of segs.slice(0, -1))
      node = node !== null && typeof node === "object" ? (node as Record<string, Json>)[seg] : undefined;
    if (node !== null && typeof node === "object") setTag(tags, node, segs[segs.length - 1]!, true);
  }
}

/** Marks (or unmarks) the string at `container[key]` as written plain; nothing when not tracked. */
export function setTag(tags: Tags | undefined, container: object, key: string | number, plain: boolean): void {
  if (!tags) return;
  let set = tags.get(container);
  if (!set) {
    if (!plain) return;
    tags.set(container, (set = new Set()));
  }
  if (plain) set.add(String(key));
  else set.delete(String(key));
}

/** Whether the string at `container[key]` was written plain. */
export function hasTag(tags: Tags | undefined, container: object, key: string | number): boolean {
  return tags?.get(container)?.has(String(key)) ?? false;
}

/** The JSON pointers of the tagged `${` strings under `root`. */
export function taggedPaths(tags: Tags, root: Json): Set<string> {
  return tagged(tags, root, (v) => typeof v === "string" && v.includes("${"));
}

/** The JSON pointers of the tagged nulls under `root` (the empty nulls left after a merge). */
export function taggedNulls(tags: Tags, root: Json): Set<string> {
  return tagged(tags, root, (v) => v === null);
}

function tagged(tags: Tags, root: Json, leaf: (v: Json) => boolean): Set<string> {
  const out = new Set<string>();
  const visit = (node: Json, at: string): void => {
    if (node === null || typeof node !== "object") return;
    const entries: [string, Json][] = Array.isArray(node) ? node.map((v, i) => [String(i), v]) : Object.entries(node);
    for (const [k, v] of entries) {
      const here = `${at}/${escapeSegment(k)}`;
      if (v === null || typeof v !== "object") {
        if (leaf(v) && hasTag(tags, node, k)) out.add(here);
      } else visit(v, here);
    }
  };
  visit(root, "");
  return out;
}

/** The `${` strings of a list of scalars that were written plain. */
export function plainTexts(tags: Tags | undefined, list: Json | undefined): Set<string> {
  const out = new Set<string>();
  if (Array.isArray(list)) list.forEach((v, i) => typeof v === "string" && hasTag(tags, list, i) && out.add(v));
  return out;
}
