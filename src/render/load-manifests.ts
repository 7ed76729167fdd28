import fs from "node:fs";
import { posix } from "node:path";
import git from "../git/isogit.js";
import { rethrowDamaged } from "../git/damaged.js";
import { minimatch } from "minimatch";
import { isScalar, type Document } from "yaml";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { SourceDef } from "../config/types.js";
import { docPositionMap } from "../model/position-map.js";
import {
  annotationTexts,
  documentToJs,
  flowEmptyValuesAsStrings,
  goJsonProblems,
  kyamlDroppedDocs,
  kyamlSplitProblems,
  parseYamlFile,
  positionOf,
  tabLedBlockScalars,
  yamlText,
  type YamlFile,
} from "../model/yaml-file.js";
import { idOf, type JsonObject, type Resource } from "../model/resource.js";
import { emptyNullPaths } from "../model/empty-nulls.js";
import { plainVarPaths } from "../model/plain-scalars.js";
import type { ManifestStore } from "./manifest-store.js";
import { describeIgnorePattern, type ArtifactIgnore } from "../model/sourceignore.js";
import { folderIgnore } from "../sources/artifact-ignore.js";
import { pushAll } from "../model/append.js";

/** A file of a source at a commit. */
export interface TreeFile {
  /** Path inside the repository. */
  path: string;
  oid: string;
}

/** A blob parsed once per run, whatever the number of clusters and paths that use it. */
interface ParsedBlob {
  yaml?: YamlFile;
  docs: { doc: Document.Parsed; value?: unknown; error?: Diagnostic }[];
  problems: Diagnostic[];
}

/** Caches of one run: parsed blobs by oid, loaded lists by source/commit/selection, listed trees. */
export interface ManifestCache {
  blobs: Map<string, Promise<ParsedBlob>>;
  loads: Map<string, Promise<{ resources: Resource[]; diagnostics: Diagnostic[] }>>;
  /** Commit trees listed for kustomize builds, by gitdir and commit (kustomize/load-source.ts). */
  trees: Map<string, Promise<unknown>>;
  /** The run's isomorphic-git cache (parsed packfile indexes). */
  git: object;
  /** Loads kept between runs (render/manifest-store.ts), when the run has them. */
  store?: ManifestStore;
  /** What Flux's artifact leaves out of a whole commit (sources/artifact-ignore.ts), by gitdir, commit and ignore. */
  ignores?: Map<string, Promise<ArtifactIgnore>>;
}

/** A fresh cache for one run (`git`: the run's isomorphic-git cache, when the run has one already). */
export function createManifestCache(git: object = {}): ManifestCache {
  return { blobs: new Map(), loads: new Map(), trees: new Map(), git, ignores: new Map() };
}

async function parseBlob(
  gitCache: object,
  gitdir: string,
  oid: string,
  file: string,
  bytes?: Uint8Array,
): Promise<ParsedBlob> {
  const blob = bytes ?? (await git.readBlob({ fs, gitdir, oid, cache: gitCache })).blob;
  // UTF-8, or UTF-16 when its byte-order mark says so, as go-yaml reads it (decoded once)
  const read = yamlText(blob, file);
  if ("diagnostic" in read && read.diagnostic.code === "FILE_TOO_LARGE")
    return { docs: [], problems: [read.diagnostic] };
  if ("diagnostic" in read || (!read.utf16 && blob.includes(0)))
    return {
      docs: [],
      problems: [
        {
          code: "MANIFEST_BINARY",
          severity: "error",
          message: `${file} matches the include globs but is not UTF-8 text`,
          hint: "exclude it (exclude: [...]) or narrow include",
        },
      ],
    };
  const yaml = parseYamlFile(read.text, file, {}, { timestamps: true });
  if (yaml.diagnostics.length) return { yaml, docs: [], problems: yaml.diagnostics };
  const utf16 = read.utf16 === true;
  const split = utf16 ? [] : kyamlSplitProblems(yaml); // (kustomize splits no UTF-16 file)
  const unreadable = [...split, ...tabLedBlockScalars(yaml), ...goJsonProblems(yaml)];
  if (unreadable.length) return { yaml, docs: [], problems: unreadable };
  flowEmptyValuesAsStrings(yaml);
  const dropped = kyamlDroppedDocs(yaml, utf16);
  const docs: ParsedBlob["docs"] = [];
  for (const doc of yaml.docs) {
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) continue;
    if (dropped.includes(doc)) continue;
    const js = documentToJs(doc, file, yaml.lineCounter);
    docs.push({ doc, value: js.value, error: js.diagnostic });
  }
  const ignored = dropped.map((doc): Diagnostic => {
    const pos = yaml.lineCounter.linePos(doc.contents?.range[0] ?? 0);
    return {
      code: "KUSTOMIZE_IGNORED",
      severity: "warning",
      ...(utf16
        ? {
            message:
              "this document is not the first of a UTF-16 file: kustomize's reader finds no --- line in UTF-16 and reads the first document only, so kubectl kustomize and Flux ignore it, and so does braid",
            hint: "save the file as UTF-8 if every document is meant to be applied",
          }
        : {
            message:
              "this document follows a `...` end marker without a `---` line: kustomize's reader takes one document between --- lines, so kubectl kustomize and Flux ignore it, and so does braid",
            hint: "start it with a --- line if it is meant to be applied, or remove it",
          }),
      location: { file, line: pos.line, column: pos.col },
    };
  });
  return { yaml, docs, problems: ignored };
}

/** The entry name of isomorphic-git's refusal to parse a tree holding `..`, `.git`… (undefined for other errors). */
function unsafeEntry(e: unknown): string | undefined {
  const err = e as { code?: string; data?: { filepath?: string } } | null | undefined;
  return err?.code === "UnsafeFilepathError" ? (err.data?.filepath ?? "") : undefined;
}

/** Entry names Git itself refuses (verify_path, fsck hasDot/hasDotdot/hasDotgit): never paths. */
function badEntryName(name: string): boolean {
  return name === "" || name === "." || name === ".." || name.toLowerCase() === ".git" || /[/\0]/.test(name);
}

/**
 * The folder on the way to `path` whose tree holds an entry Git refuses (isomorphic-git names only the entry): the
 * first one along the path that cannot be read.
 */
async function unsafeFolder(gitCache: object, gitdir: string, commit: string, path: string): Promise<string> {
  const parts = path ? path.split("/") : [];
  for (let i = 0; i < parts.length; i++) {
    const folder = parts.slice(0, i).join("/");
    try {
      await git.readTree({ fs, gitdir, oid: commit, filepath: folder || undefined, cache: gitCache });
    } catch {
      return folder;
    }
  }
  return path;
}

function unsafeDiagnostic(source: SourceDef, commit: string, path: string): Diagnostic {
  return {
    code: "PATH_ESCAPE",
    severity: "error",
    message: `source "${source.name}" at ${commit.slice(0, 12)} holds a tree entry ${JSON.stringify(path)}, a name Git refuses (such as "." or ".." or ".git"); the source is not read there`,
    location: source.location,
    related: [{ message: "the entry", location: { source: source.name, commit, file: path } }],
    hint: "the source repository was written by a tool that bypasses Git's checks (git fsck reports it); rewrite the commit without that entry",
  };
}

async function listTree(
  gitCache: object,
  gitdir: string,
  oid: string,
  prefix: string,
  out: (TreeFile & { mode: string })[],
  bad: string[] = [],
): Promise<string[]> {
  let tree;
  try {
    ({ tree } = await git.readTree({ fs, gitdir, oid, cache: gitCache }));
  } catch (e) {
    const unsafe = unsafeEntry(e);
    if (unsafe === undefined) throw e;
    bad.push(prefix ? `${prefix}/${unsafe}` : unsafe);
    return bad;
  }
  for (const e of tree) {
    const path = prefix ? `${prefix}/${e.path}` : e.path;
    if (badEntryName(e.path)) bad.push(path);
    else if (e.type === "tree") await listTree(gitCache, gitdir, e.oid, path, out, bad);
    else if (e.type === "blob") out.push({ path, oid: e.oid, mode: e.mode });
  }
  return bad;
}

/**
 * Whether a source's `include`/`exclude` globs keep a path (relative to its `path`). Dot files and folders match
 * as any other: Flux's generated kustomization reads every `.yaml`/`.yml` of the artifact, `.hidden.yaml`
 * included (what the artifact leaves out, `.github/` by default, is left out before).
 */
export function selectedBySource(rel: string, source: SourceDef): boolean {
  return source.include.some((g) => minimatch(rel, g, DOT)) && !source.exclude.some((g) => minimatch(rel, g, DOT));
}

const DOT = { dot: true };

/** Lists the files of a source at a commit under its path that match include/exclude; symlinks are followed inside the root only. */
async function listSourceFiles(
  cache: ManifestCache,
  gitdir: string,
  commit: string,
  source: SourceDef,
): Promise<{ files: TreeFile[]; diagnostics: Diagnostic[] }> {
  const gitCache = cache.git;
  const diagnostics: Diagnostic[] = [];
  const base = { source: source.name, commit };
  let rootOid: string;
  try {
    rootOid = (await git.readTree({ fs, gitdir, oid: commit, filepath: source.path || undefined, cache: gitCache }))
      .oid;
  } catch (e) {
    rethrowDamaged(e);
    const unsafe = unsafeEntry(e);
    const holder = unsafe === undefined ? "" : await unsafeFolder(gitCache, gitdir, commit, source.path);
    return {
      files: [],
      diagnostics: [
        unsafe !== undefined
          ? unsafeDiagnostic(source, commit, holder ? `${holder}/${unsafe}` : unsafe)
          : {
              code: "SOURCE_NOT_FOUND",
              severity: "error",
              message: `source "${source.name}" has no folder "${source.path}" at ${commit.slice(0, 12)}`,
              location: source.location,
              hint: "check spec.sources[].path in braid.yaml",
            },
      ],
    };
  }
  const all: (TreeFile & { mode: string })[] = [];
  for (const path of await listTree(gitCache, gitdir, rootOid, source.path, all))
    diagnostics.push(unsafeDiagnostic(source, commit, path));
  const byPath = new Map(all.map((f) => [f.path, f]));
  // what Flux's source-controller leaves out of the artifact (.sourceignore, its defaults) is not there
  const ignore = await folderIgnore(
    gitdir,
    commit,
    source.path,
    source.ignore,
    all,
    cache.git,
    (cache.ignores ??= new Map<string, Promise<ArtifactIgnore>>()),
  );
  const kept = all.filter((f) => !ignore.excludedBy(f.path.split("/"), false));
  const folderLeftOut = source.path && !kept.length ? ignore.excludedBy(source.path.split("/"), true) : undefined;
  if (folderLeftOut)
    return {
      files: [],
      diagnostics: [
        {
          code: "SOURCE_NOT_FOUND",
          severity: "error",
          message: `source "${source.name}" has no folder "${source.path}" in what Flux reads at ${commit.slice(0, 12)}: ${describeIgnorePattern(folderLeftOut)} leaves it out of the artifact, and nothing under it is included again`,
          location: source.location,
          hint: "include the folder again with a `!` pattern in that .sourceignore, or check spec.sources[].path",
        },
      ],
    };
  const files: TreeFile[] = [];
  for (const f of kept) {
    const rel = source.path ? f.path.slice(source.path.length + 1) : f.path;
    if (!selectedBySource(rel, source)) continue;
    if (f.mode === "120000") {
      const { blob } = await git.readBlob({ fs, gitdir, oid: f.oid, cache: gitCache });
      const target = new TextDecoder().decode(blob);
      const resolved = posix.normalize(posix.join(posix.dirname(f.path), target));
      const inside =
        !target.startsWith("/") &&
        (source.path === "" ? !resolved.startsWith("..") : resolved.startsWith(`${source.path}/`));
      const dest = inside ? byPath.get(resolved) : undefined;
      if (!dest || dest.mode === "120000") {
        diagnostics.push({
          code: "PATH_ESCAPE",
          severity: "error",
          message: inside
            ? `symlink ${f.path} points to ${target}, which is not a file of the source`
            : `symlink ${f.path} points to ${target}, outside the source's root "${source.path || "/"}"; refused`,
          location: { ...base, file: f.path },
          hint: "sources may only link to files inside their own path",
        });
        continue;
      }
      files.push({ path: f.path, oid: dest.oid });
      continue;
    }
    files.push({ path: f.path, oid: f.oid });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (!files.length && !diagnostics.length) {
    // nothing is read because the artifact leaves the manifests out: say which pattern did
    const keptSet = new Set(kept);
    const leftOut = all.filter(
      (f) => !keptSet.has(f) && selectedBySource(f.path.slice(source.path ? source.path.length + 1 : 0), source),
    );
    const by = leftOut.length ? ignore.excludedBy(leftOut[0]!.path.split("/"), false) : undefined;
    if (by)
      diagnostics.push({
        code: "SOURCE_EMPTY",
        severity: "warning",
        message: `source "${source.name}" yields no objects: the ${leftOut.length === 1 ? "manifest" : `${leftOut.length} manifests`} under ${source.path ? `"${source.path}"` : "the repository root"} ${leftOut.length === 1 ? "is" : "are"} left out of Flux's artifact at ${commit.slice(0, 12)} (${describeIgnorePattern(by)}${leftOut.length > 1 ? ", for the first" : ""})`,
        location: source.location,
        hint: "include them again with a `!` pattern in that .sourceignore (or the source's ignore)",
      });
  }
  return { files, diagnostics };
}

/**
 * `metadata.annotations` as kustomize (and so Flux, which builds every source with it) writes them: never empty
 * or null, and every value a string. kustomize reads each value as its YAML text and writes it back as a string
 * (kyaml GetAnnotations/SetAnnotations when it removes its build annotations), so `port: 8080`, `happy: true`,
 * `ratio: 1.50` and `empty: null` become "8080", "true", "1.50" and "null" — the text as written, which is why
 * this is done here, where the text is known. Values that are mappings or lists are left for validation.
 */
function kustomizeAnnotations(o: JsonObject, doc: Document.Parsed, path: readonly (string | number)[]): JsonObject {
  const meta = o.metadata as JsonObject;
  if (!("annotations" in meta)) return o;
  let a = meta.annotations;
  if (isObject(a) && Object.keys(a).some((k) => BUILD_ANNOTATIONS.has(k)))
    a = Object.fromEntries(Object.entries(a).filter(([k]) => !BUILD_ANNOTATIONS.has(k)));
  if (a === null || (isObject(a) && Object.keys(a).length === 0)) return dropAnnotations(o);
  if (!isObject(a)) return o; // a list or a scalar: validation says what is wrong
  const written = annotationTexts(doc, path, a);
  if (!written && a === meta.annotations) return o;
  return { ...o, metadata: { ...meta, annotations: written ? { ...a, ...written } : a } };
}

/** kustomize's build annotations that change what a build does with the object carrying them. */
const DRIVING_BUILD_ANNOTATIONS = [
  "previousKinds",
  "previousNames",
  "prefixes",
  "suffixes",
  "previousNamespaces",
  "allowNameChange",
  "allowKindChange",
  "refBy",
  "generatorBehavior",
  "needsHashSuffix",
].map((k) => `internal.config.kubernetes.io/${k}`);

/** The first of those an object carries, if any. */
function drivingBuildAnnotation(o: JsonObject): string | undefined {
  const meta = o.metadata as JsonObject;
  const a = meta.annotations;
  if (!isObject(a)) return undefined;
  return DRIVING_BUILD_ANNOTATIONS.find((k) => Object.hasOwn(a, k));
}

/**
 * The annotations kustomize keeps for itself during a build and removes from every object at its end
 * (api/resource/resource.go `BuildAnnotations`, kustomize v5.8 as Flux embeds it) that do nothing else: an
 * object that carries one (the output of a KRM function, `kustomize cfg`, a kpt package) loses it. The others
 * (DRIVING_BUILD_ANNOTATIONS) are refused.
 */
const BUILD_ANNOTATIONS: ReadonlySet<string> = new Set([
  ...["path", "index", "seqindent", "id", "annotations-migration-resource-id", "helm-generated"].map(
    (k) => `internal.config.kubernetes.io/${k}`,
  ),
  "config.kubernetes.io/path",
  "config.kubernetes.io/index",
  "config.k8s.io/id",
]);

function dropAnnotations(o: JsonObject): JsonObject {
  const { annotations: _drop, ...rest } = o.metadata as JsonObject;
  return { ...o, metadata: rest };
}

function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function checkObject(o: unknown): string | undefined {
  if (!isObject(o)) return "a manifest document must be a mapping (a Kubernetes object)";
  if (typeof o.apiVersion !== "string" || !o.apiVersion) return "the document has no apiVersion";
  if (typeof o.kind !== "string" || !o.kind) return "the document has no kind";
  const meta = o.metadata;
  if (!isObject(meta) || typeof meta.name !== "string" || !meta.name) return `${o.kind} has no metadata.name`;
  return undefined;
}

/**
 * Loads every manifest of a source at a commit: files selected by path/include/exclude, each YAML document
 * parsed once per run, `List` kinds expanded and empty documents skipped as kubectl does, provenance kept.
 */
export function loadSourceManifests(
  cache: ManifestCache,
  gitdir: string,
  commit: string,
  source: SourceDef,
): Promise<{ resources: Resource[]; diagnostics: Diagnostic[] }> {
  const key = `${source.name}\u0000${source.url}\u0000${commit}\u0000${source.path}\u0000${source.include.join(",")}\u0000${source.exclude.join(",")}\u0000${source.ignore ?? ""}`;
  let p = cache.loads.get(key);
  if (!p) {
    p = load(cache, gitdir, commit, source, key);
    cache.loads.set(key, p);
  }
  return p;
}

async function load(
  cache: ManifestCache,
  gitdir: string,
  commit: string,
  source: SourceDef,
  key: string,
): Promise<{ resources: Resource[]; diagnostics: Diagnostic[] }> {
  const kept = await cache.store?.get(key);
  if (kept) return { resources: kept, diagnostics: [] };
  const { files, diagnostics } = await listSourceFiles(cache, gitdir, commit, source);
  const resources: Resource[] = [];
  for (const loaded of await inOrder(files, (f) => loadFileResources(cache, gitdir, commit, source.name, f))) {
    pushAll(resources, loaded.resources);
    pushAll(diagnostics, loaded.diagnostics);
  }
  if (!diagnostics.length) cache.store?.set(key, resources);
  return { resources, diagnostics };
}

/** How many files are read at once (reading one overlaps parsing another; bounded to spare file handles). */
const READ_AHEAD = 8;

/**
 * `fn` over every item, up to READ_AHEAD at a time; the results in the items' order. A failure is thrown once
 * every item has finished, the first in the items' order, as a loop would have thrown it.
 */
async function inOrder<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const settled = new Array<PromiseSettledResult<R>>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      settled[i] = await fn(items[i]!).then(
        (value) => ({ status: "fulfilled" as const, value }),
        (reason: unknown) => ({ status: "rejected" as const, reason }),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_AHEAD, items.length) }, worker));
  return settled.map((r) => {
    if (r.status === "rejected") throw r.reason;
    return r.value;
  });
}

/**
 * The objects of one file of a source at a commit: the blob parsed once per run (by oid), `List` kinds
 * expanded, empty documents skipped, each object with its file and line. Shared by the plain loader and the
 * kustomize build driver (a kustomization's `resources` files).
 */
export async function loadFileResources(
  cache: ManifestCache,
  gitdir: string,
  commit: string,
  sourceName: string,
  f: TreeFile,
  /** The file's bytes when they are not a blob of the repository (a remote file: `f.oid` names them). */
  bytes?: Uint8Array,
): Promise<{ resources: Resource[]; diagnostics: Diagnostic[] }> {
  const resources: Resource[] = [];
  const diagnostics: Diagnostic[] = [];
  let parsedP = cache.blobs.get(f.oid);
  if (!parsedP) {
    parsedP = parseBlob(cache.git, gitdir, f.oid, f.path, bytes);
    cache.blobs.set(f.oid, parsedP);
  }
  const parsed = await parsedP;
  const base = { source: sourceName, commit, file: f.path };
  for (const d of parsed.problems) diagnostics.push({ ...d, location: { ...d.location, ...base, file: f.path } });
  if (!parsed.yaml) return { resources, diagnostics };
  const yaml = parsed.yaml;
  for (const [docIndex, entry] of parsed.docs.entries()) {
    if (entry.error) {
      diagnostics.push({ ...entry.error, location: { ...entry.error.location, ...base } });
      continue;
    }
    const items: { value: unknown; path: (string | number)[] }[] = [];
    const v = entry.value;
    if (isObject(v) && typeof v.kind === "string" && v.kind.endsWith("List") && Array.isArray(v.items))
      v.items.forEach((item, i) => items.push({ value: item, path: ["items", i] }));
    else items.push({ value: v, path: [] });
    for (const item of items) {
      const pos = positionOf(yaml, entry.doc, item.path) ?? { line: 1, column: 1 };
      const problem = checkObject(item.value);
      if (problem) {
        diagnostics.push({
          code: "MANIFEST_INVALID",
          severity: "error",
          message: problem,
          location: { ...base, ...pos },
          hint: "every document needs apiVersion, kind and metadata.name (or exclude the file)",
        });
        continue;
      }
      const driving = drivingBuildAnnotation(item.value as JsonObject);
      if (driving) {
        const at = positionOf(yaml, entry.doc, [...item.path, "metadata", "annotations", driving], { preferKey: true });
        diagnostics.push({
          code: "MANIFEST_INVALID",
          severity: "error",
          message: `the object carries kustomize's internal build annotation ${driving}, which changes how kustomize (and so Flux) builds it (a hash suffix, a record of renames, …): braid does not build with it`,
          location: { ...base, ...(at ?? pos) },
          hint: "remove the annotation: it is kustomize's bookkeeping inside one build, not an input",
        });
        continue;
      }
      const object = kustomizeAnnotations(item.value as JsonObject, entry.doc, item.path);
      // which `${` strings were written unquoted: provenance for typing them after substitution
      const plain = plainVarPaths(entry.doc, item.path);
      const emptyNulls = emptyNullPaths(entry.doc, item.path);
      resources.push({
        id: idOf(object),
        object,
        origin: { source: sourceName, commit, file: f.path, docIndex, line: pos.line, column: pos.column },
        positions: [docPositionMap(yaml, entry.doc, base, item.path)],
        ...(plain.size ? { plain } : {}),
        ...(emptyNulls.size ? { emptyNulls } : {}),
      });
    }
  }
  return { resources, diagnostics };
}
