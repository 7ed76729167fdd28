/**
 * Nulls written as nothing (`key:`), as opposed to a written `null` or `~`. kyaml tells them apart: its
 * strategic merge keeps an explicit null of the target ("preserve explicitly set null", merge2's VisitMap)
 * and drops an empty one, wherever it walks the target (every mapping, and the elements of merged lists).
 * istioctl and helm output is full of them (`nodeAffinity: {preferred…:, required…:}`), so a patched object
 * loses them under kustomize (and Flux) and must lose them under braid. Kept as JSON pointers beside the
 * object, like plain-scalar provenance (./plain-scalars.ts).
 */
import { isAlias, isMap, isScalar, isSeq, type Document } from "yaml";
import type { JsonPath } from "./resource.js";
import { escapeSegment } from "./plain-scalars.js";

/** JSON pointers (below `basePath` of the document, re-rooted there) of the mapping values written as nothing. */
export function emptyNullPaths(doc: Document.Parsed, basePath: JsonPath = []): Set<string> {
  const out = new Set<string>();
  let node: unknown = doc.contents;
  for (const seg of basePath) {
    if (isMap(node) || isSeq(node))
      node = (node as { get(k: unknown, keep: boolean): unknown }).get(isMap(node) ? String(seg) : seg, true);
    else return out;
  }
  collect(node, "", out, 0);
  return out;
}

function collect(node: unknown, at: string, out: Set<string>, depth: number): void {
  if (depth > 200 || isAlias(node)) return;
  if (isSeq(node)) {
    node.items.forEach((item, i) => collect(item, `${at}/${i}`, out, depth + 1));
    return;
  }
  if (!isMap(node)) return;
  for (const pair of node.items) {
    if (!isScalar(pair.key) || typeof pair.key.value === "symbol") continue; // `<<` merges: not followed
    const key = pair.key.value === null || pair.key.value === undefined ? "" : pair.key.toString();
    const here = `${at}/${escapeSegment(key)}`;
    const v = pair.value;
    if (v === null || (isScalar(v) && v.value === null && v.source === "")) out.add(here);
    else collect(v, here, out, depth + 1);
  }
}
