/**
 * The parsed-manifest cache (`$BRAID_CACHE/manifests/`): what a source yields at a commit (its objects,
 * where each was written and which strings were plain scalars; for a kustomize build also what the build
 * leaves on them: earlier names, hash suffixes to come, var marks, prefixes and suffixes), kept between runs
 * so that a run rendering one changed cluster does not read, parse and build its sources again. A commit
 * never changes, so an entry is keyed by everything the load reads (source name, URL, commit, path,
 * include, exclude; for a build also the OpenAPI document's and the fleet schemas' digests, which decide
 * kinds' scopes and merge keys) and by braid's own code digest. Only loads without any diagnostic are kept
 * (their messages point into braid.yaml, which may move), and only when every position map of every object
 * points into one file and lists what it answers (`all` or `prefixes`: a kept map answers every path, in
 * the object or not, as the map did; a builtin plugin's map cannot, and its build is made each run). One file per load, written to a temp file and renamed, private
 * (sources may hold Secrets); an unreadable or foreign file is a miss. The folder may be deleted at any time.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../git/mkdirp.js";
import { fromPositionTable, jsonSafe, toPositionTableOwnBase, type PositionTable } from "../model/position-table.js";
import { withinDefaultStack } from "../model/deep-stack.js";
import { idOf, type JsonObject, type Origin, type Resource, type ResourceId } from "../model/resource.js";

const FORMAT = 3;

interface StoredResource {
  object: JsonObject;
  origin: Origin;
  positions: PositionTable[];
  plain?: string[];
  emptyNulls?: string[];
  previous?: ResourceId[];
  nameHash?: boolean;
  refVars?: string[];
  namePrefixes?: string[];
  nameSuffixes?: string[];
}

/** Loads of sources kept between runs. */
export interface ManifestStore {
  /** The resources of a load made before under this key (fresh objects), or undefined. */
  get(key: string): Promise<Resource[] | undefined>;
  /** Keeps a load's resources (written in the background; see `close`). */
  set(key: string, resources: readonly Resource[]): void;
  /** Waits for the writes. */
  close(): Promise<void>;
}

/** The store under `cacheDir` for braid `codeDigest`. Never fails: a miss or a failed write only costs time. */
export function openManifestStore(cacheDir: string, codeDigest: string): ManifestStore {
  const path = (key: string) =>
    join(cacheDir, "manifests", `${createHash("sha256").update(`${codeDigest}\u0000${key}`).digest("hex")}.json`);
  const writes: Promise<void>[] = [];
  return {
    async get(key) {
      try {
        const stored = JSON.parse(await readFile(path(key), "utf8")) as {
          format?: number;
          key?: string;
          resources?: StoredResource[];
        } | null;
        if (stored?.format !== FORMAT || stored.key !== key || !Array.isArray(stored.resources)) return undefined;
        return stored.resources.map(revive);
      } catch {
        return undefined;
      }
    },
    set(key, resources) {
      const stored: StoredResource[] = [];
      for (const r of resources) {
        const base = { source: r.origin.source, commit: r.origin.commit, file: r.origin.file };
        const positions = r.positions.map((m) => toPositionTableOwnBase(m, base));
        // (a load nested deeper than the default stack reads is parsed again, on the large stack)
        if (positions.includes(undefined) || !jsonSafe(r.object) || !withinDefaultStack(r.object)) return;
        stored.push({
          object: r.object,
          origin: r.origin,
          positions: positions as PositionTable[],
          ...(r.plain ? { plain: [...r.plain] } : {}),
          ...(r.emptyNulls ? { emptyNulls: [...r.emptyNulls] } : {}),
          ...(r.previous ? { previous: [...r.previous] } : {}),
          ...(r.nameHash ? { nameHash: true } : {}),
          ...(r.refVars ? { refVars: [...r.refVars] } : {}),
          ...(r.namePrefixes ? { namePrefixes: [...r.namePrefixes] } : {}),
          ...(r.nameSuffixes ? { nameSuffixes: [...r.nameSuffixes] } : {}),
        });
      }
      const text = JSON.stringify({ format: FORMAT, key, resources: stored });
      writes.push(writeFileAtomic(path(key), text, 0o600).catch(() => undefined));
    },
    async close() {
      await Promise.all(writes);
    },
  };
}

function revive(s: StoredResource): Resource {
  return {
    id: idOf(s.object),
    object: s.object,
    origin: s.origin,
    positions: s.positions.map(fromPositionTable),
    ...(s.plain ? { plain: new Set(s.plain) } : {}),
    ...(s.emptyNulls ? { emptyNulls: new Set(s.emptyNulls) } : {}),
    ...(s.previous ? { previous: s.previous } : {}),
    ...(s.nameHash ? { nameHash: true } : {}),
    ...(s.refVars ? { refVars: s.refVars } : {}),
    ...(s.namePrefixes ? { namePrefixes: s.namePrefixes } : {}),
    ...(s.nameSuffixes ? { nameSuffixes: s.nameSuffixes } : {}),
  };
}
