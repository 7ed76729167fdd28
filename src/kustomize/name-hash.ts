/**
 * kustomize's content-hash name suffix (api/hasher): sha256 over a JSON encoding of the object's kind
 * and data — ConfigMap: `{binaryData?, data, kind, name}`; Secret: `{data, kind, name, stringData?, type}`
 * (a missing map or type is `""`; `name` is always `""`: kustomize looks the name up as one field called
 * `metadata/name`, which never exists — so prefixes and suffixes do not change the hash) — written as Go's encoding/json writes it (sorted keys, `<`, `>`, `&`,
 * U+2028 and U+2029 escaped), then the first 10 hex digits with 0,1,3,a,e mapped to g,h,k,m,t. The hash is
 * added once, at the root kustomization, after every transformer (so prefixes and merges count), as
 * kustomize's `addHashesToNames` does.
 */
import { createHash } from "node:crypto";
import type { Json, JsonObject, Resource, ResourceId } from "../model/resource.js";
import type { TransformResult, Transformer } from "./context.js";
import { isObject } from "./field-spec.js";
import { withObject } from "./resource-edit.js";

/** JSON as Go's encoding/json writes it: map keys sorted, HTML characters and line separators escaped. */
export function goJson(value: Json): string {
  const sorted = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(sorted);
    if (isObject(v)) {
      const out: JsonObject = {};
      for (const k of Object.keys(v).sort(byBytes)) out[k] = sorted(v[k]!);
      return out;
    }
    return v;
  };
  return JSON.stringify(sorted(value))
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** Go sorts map keys by their UTF-8 bytes. */
function byBytes(a: string, b: string): number {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return Buffer.compare(x, y);
}

/** kustomize's encoding of a hex digest into a name suffix. */
export function encodeHash(hex: string): string {
  const map: Record<string, string> = { "0": "g", "1": "h", "3": "k", a: "m", e: "t" };
  return Array.from(hex.slice(0, 10), (c) => map[c] ?? c).join("");
}

function mapOrEmpty(v: Json | undefined): Json {
  return isObject(v) ? v : "";
}

/** The hash kustomize appends to a generated ConfigMap's or Secret's name. */
function nameHash(object: JsonObject): string {
  const name = ""; // kustomize's quirk, kept for byte-identical names (see the header)
  let encoded: JsonObject;
  if (object.kind === "Secret") {
    encoded = {
      kind: "Secret",
      type: typeof object.type === "string" ? object.type : "",
      name,
      data: mapOrEmpty(object.data),
    };
    if (isObject(object.stringData)) encoded.stringData = object.stringData;
  } else {
    encoded = { kind: "ConfigMap", name, data: mapOrEmpty(object.data) };
    if (isObject(object.binaryData)) encoded.binaryData = object.binaryData;
  }
  return encodeHash(createHash("sha256").update(goJson(encoded)).digest("hex"));
}

/** Appends the content hash to every resource marked `nameHash`, recording the old id in `previous`. */
export const addNameHashes: Transformer = (resources, _args, ctx): TransformResult => {
  const out = resources.map((res): Resource => {
    if (!res.nameHash) return res;
    const object = structuredClone(res.object);
    const meta = isObject(object.metadata) ? object.metadata : (object.metadata = {});
    meta.name = `${typeof meta.name === "string" ? meta.name : ""}-${nameHash(res.object)}`;
    const previous: ResourceId[] = [...(res.previous ?? []), res.id];
    const { nameHash: _done, ...rest } = withObject(res, object, undefined, ctx);
    return { ...rest, previous };
  });
  return { resources: out, diagnostics: [] };
};
