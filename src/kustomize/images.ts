/**
 * `images`: rewrites container image references (kustomize's ImageTagTransformer). As kustomize does, two
 * passes per entry: every `containers`/`initContainers` list anywhere in the object, then the image field
 * specs; CustomResourceDefinitions are left alone. An image matches `name` when it is the name, optionally
 * followed by `:tag` and/or `@sha256:digest` (`name` is used as a regular expression, as kustomize does).
 * `newTag` drops an existing digest, `digest` drops an existing tag, both set both; `tagSuffix` appends to
 * the tag — twice, since both passes match again (kustomize v5.5 writes `nginx:1.0-fips-fips`).
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { Json, JsonObject, JsonPath, Resource } from "../model/resource.js";
import type { KustomizationContext, TransformResult, Transformer } from "./context.js";
import { cloneJson, type FieldSpec, isObject, specSelects, walkFieldSpec } from "./field-spec.js";
import { IMAGE_SPECS } from "./field-specs-data.js";
import { checkKeys, invalidField, stringHint, withObject, WrittenFields } from "./resource-edit.js";

/** One `images` entry. */
export interface ImageArgs {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
  tagSuffix?: string;
}

/** Splits an image reference into name, tag and digest (a `:` in the registry host is not a tag). */
export function splitImage(image: string): { name: string; tag: string; digest: string } {
  const slash = image.indexOf("/");
  const from = slash > 0 ? slash : 0;
  const search = image.slice(from);
  const at = search.indexOf("@");
  const colon = search.indexOf(":");
  if (colon < 0 && at < 0) return { name: image, tag: "", digest: "" };
  if (at >= 0 && (at < colon || colon < 0))
    return { name: image.slice(0, from + at), tag: "", digest: image.slice(from + at + 1) };
  if (at >= 0)
    return {
      name: image.slice(0, from + colon),
      tag: image.slice(from + colon + 1, from + at),
      digest: image.slice(from + at + 1),
    };
  return { name: image.slice(0, from + colon), tag: image.slice(from + colon + 1), digest: "" };
}

/** True when `image` is `name` with an optional tag and digest. */
function imageMatches(image: string, name: string): boolean {
  try {
    return new RegExp(`^${name}(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$`).test(image);
  } catch {
    return false;
  }
}

/** The new image reference, or undefined when `image` does not match. */
export function updateImage(image: string, args: ImageArgs): string | undefined {
  if (!imageMatches(image, args.name)) return undefined;
  let { name, tag, digest } = splitImage(image);
  if (args.newName) name = args.newName;
  if (args.newTag && args.digest) [tag, digest] = [args.newTag, args.digest];
  else if (args.newTag) [tag, digest] = [args.newTag, ""];
  else if (args.digest) [tag, digest] = ["", args.digest];
  else if (args.tagSuffix) [tag, digest] = [tag + args.tagSuffix, ""];
  return name + (tag ? `:${tag}` : "") + (digest ? `@${digest}` : "");
}

const IMAGE_KEYS = ["name", "newName", "newTag", "digest", "tagSuffix"] as const;

/** Reads one `images` entry (string fields; numbers are errors, as in kustomize). */
function readImage(
  entry: Json,
  i: number,
  ctx: KustomizationContext,
  diagnostics: Diagnostic[],
): ImageArgs | undefined {
  if (!isObject(entry)) {
    diagnostics.push(
      invalidField(ctx, ["images", i], "an images entry must be a map", "write - name: nginx\n  newTag: 1.27.0"),
    );
    return undefined;
  }
  const out: Partial<ImageArgs> = {};
  let ok = checkKeys(entry, IMAGE_KEYS, ["images", i], ctx, diagnostics);
  for (const key of IMAGE_KEYS) {
    const v = entry[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== "string") {
      diagnostics.push(
        invalidField(ctx, ["images", i, key], `images[${i}].${key} must be a string`, stringHint(key, v)),
      );
      ok = false;
      continue;
    }
    out[key] = v;
  }
  if (ok && !out.name) {
    diagnostics.push(
      invalidField(ctx, ["images", i], `images[${i}] has no name`, "name the image to replace, e.g. name: nginx"),
    );
    return undefined;
  }
  return ok ? (out as ImageArgs) : undefined;
}

/** Every `containers`/`initContainers` list anywhere in the object (kustomize's legacy image pass). */
function visitContainerLists(node: Json, path: JsonPath, visit: (container: JsonObject, path: JsonPath) => void): void {
  if (Array.isArray(node)) node.forEach((n, i) => visitContainerLists(n, [...path, i], visit));
  else if (isObject(node)) {
    for (const [k, v] of Object.entries(node)) {
      visitContainerLists(v, [...path, k], visit);
      if ((k === "containers" || k === "initContainers") && Array.isArray(v)) {
        v.forEach((c, i) => {
          if (isObject(c)) visit(c, [...path, k, i]);
        });
      }
    }
  }
}

/** `images`: each entry applied in order to every resource. */
export const images: Transformer = (resources, args, ctx) =>
  imagesWith(ctx.config?.images ?? IMAGE_SPECS, resources, args, ctx);

/**
 * Image entries applied with these field specs for the second pass (kustomize's ImageTagTransformer: the
 * `images` field uses the default specs, a builtin ImageTagTransformer configuration its own).
 */
export function imagesWith(
  specs: readonly FieldSpec[],
  resources: readonly Resource[],
  args: Json,
  ctx: KustomizationContext,
): TransformResult {
  const diagnostics: Diagnostic[] = [];
  if (args === null) return { resources: [...resources], diagnostics };
  if (!Array.isArray(args)) {
    diagnostics.push(invalidField(ctx, ["images"], "images must be a list", "write - name: nginx\n  newTag: 1.27.0"));
    return { resources: [...resources], diagnostics };
  }
  const entries = args.map((e, i) => readImage(e, i, ctx, diagnostics));
  if (diagnostics.length) return { resources: [...resources], diagnostics };
  const out = resources.map((res) => {
    if (res.id.kind === "CustomResourceDefinition") return res;
    const object = cloneJson(res.object);
    const written = new WrittenFields();
    entries.forEach((entry, i) => {
      const set = (holder: JsonObject, key: string, path: JsonPath): void => {
        const v = holder[key];
        if (typeof v !== "string") return;
        const next = updateImage(v, entry!);
        if (next === undefined) return;
        holder[key] = next;
        written.add(path, ["images", i]);
      };
      visitContainerLists(object, [], (c, path) => set(c, "image", [...path, "image"]));
      for (const spec of specs) if (specSelects(spec, res.id)) walkFieldSpec(object, { path: spec.path }, set);
    });
    return written.size ? withObject(res, object, written, ctx) : res;
  });
  return { resources: out, diagnostics };
}
