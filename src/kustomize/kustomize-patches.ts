/**
 * A kustomization's `patches`, `patchesStrategicMerge` and `patchesJson6902`, turned into braid's own
 * PatchDefs (config/normalize-patches.ts reads them, with positions) and applied with render/apply-patches.ts,
 * which already follows kustomize: strategic vs JSON6902 detected from the body (a list of operations is
 * JSON6902), targets selected by regex as `resmap.Select`, a patch without target selecting its object by
 * id. As in kustomize, a patch with a `target` that selects nothing is not an error; a patch without one
 * that finds no object is. Paths are relative to the kustomization's folder and stay inside the repository.
 */
import { redactUrl } from "../diagnostics/redact-url.js";
import { BraidError, type Diagnostic, type SourceLocation } from "../diagnostics/diagnostic.js";
import { yamlText } from "../model/yaml-file.js";
import type { FleetReader } from "../config/fleet-files.js";
import { normalizePatches } from "../config/normalize-patches.js";
import type { PatchDef } from "../config/types.js";
import type { KubeSchemaIndex } from "../model/kube-schema.js";
import type { Json, JsonObject, Resource } from "../model/resource.js";
import { applyPatches } from "../render/apply-patches.js";
import type { TargetSelector } from "../model/select-targets.js";
import type { KustomizationFile } from "./kustomization-file.js";
import { joinInside, type SourceTree } from "./source-tree.js";
import type { RemoteEnv } from "./remote-resources.js";
import { isGitBaseUrl, isRemoteFile } from "../sources/remote-files.js";
import { resolveInside } from "../config/safe-path.js";
import { pushAll } from "../model/append.js";

/** Which kustomization field the patches come from (they run at different steps of the build). */
export type PatchField = "patchesStrategicMerge" | "patches" | "patchesJson6902";

/**
 * A FleetReader over the source tree (paths are repository paths). A file that is not UTF-8 throws its
 * YAML_SYNTAX error (model/yaml-file.ts `yamlText`).
 */
function treeReader(tree: SourceTree, base: { source: string; commit: string }, remote?: RemoteEnv): FleetReader {
  // a pinned remote patch file, by the path the patch reader makes of its URL (model/safe-path.ts)
  const urls = new Map([...(remote?.pins.keys() ?? [])].map((url) => [resolveInside(url), url]));
  return {
    label: tree.commit.slice(0, 12),
    async read(path) {
      const url = urls.get(path);
      if (url !== undefined && remote) {
        const read = yamlText(await remote.files.content(url, remote.pins.get(url)!, base.source), url, base);
        if ("diagnostic" in read) throw new BraidError(read.diagnostic);
        return read.text;
      }
      const blob = tree.file(path);
      if (!blob) return undefined;
      const read = yamlText(await tree.read(blob), path, base);
      if ("diagnostic" in read) throw new BraidError(read.diagnostic);
      return read.text;
    },
    list: async () => [],
    walk: async () => [],
  };
}

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A remote path (kustomize would fetch it). */
export function isRemote(path: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(path) || /^(git@|github\.com\/|gitlab\.com\/|bitbucket\.org\/)/.test(path);
}

interface Entry {
  target?: TargetSelector;
  type?: PatchDef["type"];
  patch?: string | Json;
  path?: string;
  optional?: boolean;
}

/** Reads the patches of one field of a kustomization into PatchDefs. */
export async function readKustomizationPatches(
  k: KustomizationFile,
  field: PatchField,
  tree: SourceTree,
  base: { source: string; commit: string },
  /** The remote files this build may read (a patch `path` may be an http(s) URL, as kustomize loads it). */
  remote?: RemoteEnv,
): Promise<{ patches: PatchDef[]; diagnostics: Diagnostic[] }> {
  const raw = k.value[field];
  const diagnostics: Diagnostic[] = [];
  if (raw === undefined || raw === null) return { patches: [], diagnostics };
  if (!Array.isArray(raw)) {
    diagnostics.push({
      code: "KUSTOMIZE_INVALID",
      severity: "error",
      message: `${field} must be a list`,
      location: k.locate([field]),
    });
    return { patches: [], diagnostics };
  }
  // 1. each list item as an entry (an empty one where the item is refused, so indexes stay aligned)
  const entries: Entry[] = [];
  const options: (PatchDef["options"] | undefined)[] = [];
  for (const [i, item] of raw.entries()) {
    const read =
      field === "patchesStrategicMerge"
        ? strategicMergeEntry(item, i, k, tree, remote)
        : patchEntry(field, item, i, k, tree, remote);
    if ("problem" in read) diagnostics.push(read.problem);
    entries.push("problem" in read ? {} : read.entry);
    options.push("problem" in read ? undefined : read.options);
  }
  // 2. normalize each entry on its own index, so positions map back to the right list element
  const patches: PatchDef[] = [];
  for (const [i, entry] of entries.entries()) {
    if (entry.path === undefined && entry.patch === undefined) continue;
    const list: Entry[] = Array.from({ length: i + 1 }, (_, j) => (j === i ? entry : {}));
    const normalized = await normalizePatches(list, {
      yaml: k.yaml,
      doc: k.doc,
      basePath: [field],
      layer: `kustomization ${k.file}`,
      reader: treeReader(tree, base, remote),
      kustomize: true,
    });
    pushAll(
      diagnostics,
      normalized.diagnostics.map((d) => ({ ...d, location: d.location && { ...base, ...d.location } })),
    );
    for (const p of normalized.patches) patches.push(located(p, base, options[i]));
  }
  // kustomize's PatchStrategicMergeTransformer: entries that all hold no patch (empty or comment-only files)
  if (field === "patchesStrategicMerge" && raw.length && !patches.length && !diagnostics.length)
    diagnostics.push({
      code: "KUSTOMIZE_INVALID",
      severity: "error",
      message:
        "patchesStrategicMerge holds no patch: every file it lists is empty (kustomize: patch appears to be empty)",
      location: k.locate([field], true),
      hint: "remove the empty entries, or the field",
    });
  return { patches, diagnostics };
}

/** One list item read: the entry to normalize and its options, or why it is refused. */
type ReadEntry = { entry: Entry; options?: PatchDef["options"] } | { problem: Diagnostic };

function refused(
  message: string,
  location: SourceLocation,
  hint?: string,
  code: Diagnostic["code"] = "KUSTOMIZE_INVALID",
): { problem: Diagnostic } {
  return { problem: { code, severity: "error", message, location, hint } };
}

/** A `patchesStrategicMerge` item: a file path or the patch text (kustomize reads it as a file when one exists). */
function strategicMergeEntry(
  item: Json,
  i: number,
  k: KustomizationFile,
  tree: SourceTree,
  remote: RemoteEnv | undefined,
): ReadEntry {
  const at = k.locate(["patchesStrategicMerge", i]);
  if (typeof item !== "string") return refused("a patchesStrategicMerge entry is a file path or the patch text", at);
  if (isRemoteFile(item.trim()) && !item.trim().includes("\n")) {
    const resolved = resolvePatchPath(item.trim(), at, k, tree, remote);
    return typeof resolved === "string" ? { entry: { path: resolved, type: "strategic" } } : resolved;
  }
  const repoPath = !item.includes("\n") && joinInside(k.dir, item.trim());
  if (repoPath && tree.file(repoPath)) return { entry: { path: repoPath, type: "strategic" } };
  if (/^[^\s:]+\.ya?ml$/.test(item.trim())) {
    const resolved = resolvePatchPath(item.trim(), at, k, tree);
    // resolves only for "name.yaml\n" naming a file: dropped, as before this was a function of its own
    // (which also shifted the positions of later entries by one)
    return typeof resolved === "string" ? { entry: {} } : resolved;
  }
  return { entry: { patch: item, type: "strategic" } };
}

/** A `patches` or `patchesJson6902` item: a mapping with a path or a patch, a target and options. */
function patchEntry(
  field: "patches" | "patchesJson6902",
  item: Json,
  i: number,
  k: KustomizationFile,
  tree: SourceTree,
  remote: RemoteEnv | undefined,
): ReadEntry {
  const at = (...p: (string | number)[]): SourceLocation => k.locate([field, i, ...p]);
  if (!isObject(item)) return refused(`a ${field} entry is a mapping (path or patch, and target)`, at());
  const target = isObject(item.target) ? (item.target as TargetSelector) : undefined;
  if (field === "patchesJson6902" && !target)
    return refused("a patchesJson6902 entry needs a target", at(), "add target: { kind: …, name: … }");
  const hasPath = typeof item.path === "string" && item.path !== "";
  const hasPatch = item.patch !== undefined && item.patch !== null && item.patch !== "";
  if (hasPath === hasPatch)
    return refused(
      hasPath ? "patch and path can't be set at the same time" : "must specify one of patch and path",
      at(),
    );
  const entry: Entry = { target, optional: target !== undefined };
  if (field === "patchesJson6902") entry.type = "json6902";
  if (hasPath) {
    const repoPath = resolvePatchPath(item.path as string, at("path"), k, tree, remote);
    if (typeof repoPath !== "string") return repoPath;
    entry.path = repoPath;
  } else entry.patch = item.patch;
  const opts = isObject(item.options) ? item.options : undefined;
  return {
    entry,
    options: opts
      ? { allowNameChange: opts.allowNameChange === true, allowKindChange: opts.allowKindChange === true }
      : undefined,
  };
}

/** The repository path of a patch file named in a kustomization, or why it cannot be read. */
function resolvePatchPath(
  path: string,
  loc: SourceLocation,
  k: KustomizationFile,
  tree: SourceTree,
  remote?: RemoteEnv,
): string | { problem: Diagnostic } {
  if (remote && isRemoteFile(path) && !isGitBaseUrl(path)) {
    if (remote.pins.has(path)) return path;
    const failed = remote.files.known(path);
    if (failed && "problem" in failed)
      return refused(failed.problem.message, loc, failed.problem.hint, failed.problem.code);
    if (failed && "gitBase" in failed)
      return refused(`${redactUrl(path)}: ${failed.gitBase}`, loc, "a patch path names a file", "REMOTE_HTTP");
    return refused(
      `remote patch "${redactUrl(path)}" is not pinned in braid.lock`,
      loc,
      "run braid lock (it fetches the file and pins its sha256) and commit braid.lock",
      "REMOTE_NOT_PINNED",
    );
  }
  if (isRemote(path))
    return refused(
      `remote patch "${redactUrl(path)}" is not fetched`,
      loc,
      "copy the patch into the source repository",
      "KUSTOMIZE_UNSUPPORTED",
    );
  const repoPath = joinInside(k.dir, path);
  if (repoPath === undefined)
    return refused(
      `patch "${path}" is outside the source repository`,
      loc,
      "patches must be files of the same repository",
      "PATH_ESCAPE",
    );
  if (!tree.file(repoPath))
    return refused(
      `patch file "${path}" does not exist`,
      loc,
      `paths are relative to ${k.dir || "the repository root"}`,
    );
  return repoPath;
}

function located(p: PatchDef, base: { source: string; commit: string }, options: PatchDef["options"]): PatchDef {
  return {
    ...p,
    ...(options ? { options } : {}),
    location: { ...base, ...p.location },
    positions: {
      locate: (path) => {
        const l = p.positions.locate(path);
        return l && { ...base, ...l };
      },
      ...(p.positions.all
        ? {
            *all(): Iterable<[string, SourceLocation]> {
              for (const [pointer, l] of p.positions.all!()) yield [pointer, { ...base, ...l }];
            },
          }
        : {}),
    },
    ...(p.opLocations ? { opLocations: p.opLocations.map((l) => ({ ...base, ...l })) } : {}),
  };
}

/** Applies patches inside a build; diagnostics carry no cluster (the build is shared by every cluster). */
export function applyKustomizationPatches(
  resources: readonly Resource[],
  patches: readonly PatchDef[],
  schema: KubeSchemaIndex | undefined,
): { resources: Resource[]; diagnostics: Diagnostic[] } {
  if (patches.length === 0) return { resources: [...resources], diagnostics: [] };
  const r = applyPatches(resources, patches, schema, "", { previousIds: true, kustomizeJson6902: true });
  return { resources: r.resources, diagnostics: r.diagnostics.map(({ cluster: _c, ...d }) => d) };
}
