import type { SourceLocation } from "../diagnostics/diagnostic.js";

/** A JSON value as parsed from YAML. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** A JSON object. */
export type JsonObject = { [key: string]: Json };
/** A path into a JSON value. */
export type JsonPath = readonly (string | number)[];

/** Identity of a Kubernetes object. `group` is "" for the core group; `namespace` is "" when unset. */
export interface ResourceId {
  group: string;
  version: string;
  kind: string;
  namespace: string;
  name: string;
}

/** Where a document came from. */
export interface Origin {
  source: string;
  commit: string;
  /** Path of the file inside the source repository. */
  file: string;
  /** 0-based index of the document in its file. */
  docIndex: number;
  line: number;
  column: number;
}

/**
 * Maps a JSON path inside a resource to where that field was written. A resource carries a stack of
 * these: its own document first, then one per patch that touched it; lookups go from the last to the first.
 */
export interface PositionMap {
  locate(path: JsonPath): SourceLocation | undefined;
  /** Every path `locate` answers, by JSON pointer, with its answer (where the map can list them). */
  all?(): Iterable<[string, SourceLocation]>;
  /** What `locate` answers, where it answers by prefix (see {@link PrefixEntry}); nothing for any other path. */
  prefixes?(): Iterable<PrefixEntry>;
}

/**
 * One entry of a map that answers by prefix. The first entry whose `path` is the path asked or one of its
 * parents answers: where `inner` locates the rest of the path (by JSON pointer), there; else `at` (undefined:
 * nothing). With `dash`, a "-" segment of `path` matches any index (a JSON patch's append).
 */
export interface PrefixEntry {
  path: JsonPath;
  at: SourceLocation | undefined;
  inner?: Iterable<[string, SourceLocation]>;
  dash?: boolean;
}

/** A Kubernetes object with its provenance kept beside it (never inside it). */
export interface Resource {
  id: ResourceId;
  object: JsonObject;
  origin: Origin;
  positions: readonly PositionMap[];
  /**
   * Ids this resource had before a kustomize build renamed it (oldest first: namePrefix/nameSuffix,
   * generator hash suffixes, namespace), so references to the old names can be updated. Absent when never
   * renamed.
   */
  previous?: readonly ResourceId[];
  /**
   * JSON pointers of the strings written as plain (unquoted) YAML scalars holding `${` — by the source
   * or by a patch — which substitution types as Flux does (see model/plain-scalars.ts). Absent: none.
   */
  plain?: ReadonlySet<string>;
  /**
   * JSON pointers of the nulls written as nothing (`key:`): a strategic merge patch removes them, as kyaml's
   * merge does (it keeps a written `null`); see model/empty-nulls.ts. Absent: none.
   */
  emptyNulls?: ReadonlySet<string>;
  /**
   * Set on a ConfigMap or Secret a kustomize generator made without `disableNameSuffixHash`: the root
   * kustomization's build appends kustomize's content hash to its name (see kustomize/name-hash.ts).
   */
  nameHash?: boolean;
  /**
   * Inside a kustomize build: the names of the kustomization `vars` whose `objref` names this object (kustomize
   * marks the object when the var is declared; the value is read from it once the whole build is done).
   */
  refVars?: readonly string[];
  /**
   * Inside a kustomize build: the name prefixes and suffixes given to this object, oldest first (kustomize's
   * build annotations). Among several renamed objects a reference could name, kustomize prefers those whose
   * prefixes and suffixes end as the referrer's do. Absent: none.
   */
  namePrefixes?: readonly string[];
  nameSuffixes?: readonly string[];
}

/** Splits apiVersion into group and version. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.lastIndexOf("/");
  return i < 0
    ? { group: "", version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** Reads the id of an object (missing fields become ""). */
export function idOf(object: JsonObject): ResourceId {
  const apiVersion = typeof object.apiVersion === "string" ? object.apiVersion : "";
  const meta =
    object.metadata && typeof object.metadata === "object" && !Array.isArray(object.metadata) ? object.metadata : {};
  return {
    ...splitApiVersion(apiVersion),
    kind: typeof object.kind === "string" ? object.kind : "",
    namespace: typeof meta.namespace === "string" ? meta.namespace : "",
    name: typeof meta.name === "string" ? meta.name : "",
  };
}

/** Key used for duplicate detection: group/kind/namespace/name (version does not matter). */
export function idKey(id: ResourceId): string {
  return `${id.group}|${id.kind}|${id.namespace}|${id.name}`;
}

/** "Deployment ingress/nginx" or "Namespace ingress". */
export function describeId(id: ResourceId): string {
  return `${id.kind} ${id.namespace ? `${id.namespace}/` : ""}${id.name}`;
}

/** The best-known location of a field: the last position map that knows it, else the document's start. */
export function locateField(resource: Resource, path: JsonPath): SourceLocation {
  for (let i = resource.positions.length - 1; i >= 0; i--) {
    const loc = resource.positions[i]!.locate(path);
    if (loc) return loc;
  }
  // walk up the path until some layer knows a parent
  for (let n = path.length - 1; n >= 0; n--) {
    for (let i = resource.positions.length - 1; i >= 0; i--) {
      const loc = resource.positions[i]!.locate(path.slice(0, n));
      if (loc) return loc;
    }
  }
  const o = resource.origin;
  return { file: o.file, line: o.line, column: o.column, source: o.source, commit: o.commit };
}
