/** The target kustomize infers for a strategic-merge patch that names none. */
import { splitApiVersion, type JsonObject } from "../../model/resource.js";
import type { TargetSelector } from "../../model/select-targets.js";
import { isMap } from "./nodes.js";

/**
 * The target kustomize infers for a strategic-merge patch that has none: its group/version, kind, name
 * and namespace (each matched exactly: regex characters are escaped). Undefined when the patch names no
 * kind and no name. The namespace is left out when the patch has none (`applyPatches` then matches
 * `default`, as kustomize does).
 */
export function targetFromPatchDocument(patch: JsonObject): TargetSelector | undefined {
  const sel: TargetSelector = {};
  if (typeof patch.apiVersion === "string" && patch.apiVersion !== "") {
    const { group, version } = splitApiVersion(patch.apiVersion);
    sel.group = group === "" ? "" : escapeRegex(group);
    sel.version = escapeRegex(version);
  }
  if (typeof patch.kind === "string" && patch.kind !== "") sel.kind = escapeRegex(patch.kind);
  const meta = isMap(patch.metadata) ? patch.metadata : {};
  if (typeof meta.name === "string" && meta.name !== "") sel.name = escapeRegex(meta.name);
  if (typeof meta.namespace === "string" && meta.namespace !== "") sel.namespace = escapeRegex(meta.namespace);
  if (sel.kind === undefined && sel.name === undefined) return undefined;
  return sel;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
