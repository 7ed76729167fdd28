/**
 * The parsed-config cache (`$BRAID_CACHE/config/`): each group and cluster file's normalized definition,
 * keyed by its text, so a run after a one-file change parses that file only (parsing 1,000 cluster files
 * and their inline patches with positions was two thirds of an incremental publish).
 *
 * One JSON file per fleet (named by the digest of where the fleet is read from), holding for each config
 * file: the sha256 of its text, the files it read besides (patch files, with their texts' digests) and the
 * definition it yielded. An entry is used only when the text and every one of those files are unchanged and
 * the braid that wrote it is this one (its code digest). Only files that loaded without any diagnostic are
 * kept: a file with problems is parsed again, so its messages are made afresh.
 *
 * Patch positions (a function over the parsed YAML) are kept as a table: the location of every node of the
 * patch body, by JSON pointer, which is exactly what the function answered. The file is written whole to a
 * temp file and renamed; an unreadable or foreign file is empty. The folder may be deleted at any time.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../git/mkdirp.js";
import { withinDefaultStack } from "../model/deep-stack.js";
import { fromPositionTable, jsonSafe, toPositionTable, type PositionTable } from "../model/position-table.js";
import type { FleetReader } from "./fleet-files.js";
import type { ClusterDef, GroupDef, PatchDef } from "./types.js";

const FORMAT = 1;

/** A group or cluster definition as loaded from its file. */
export type LayerFileDef = GroupDef | ClusterDef;

/** A patch as stored: its positions as a table, its plain scalars as a list. */
type StoredPatch = Omit<PatchDef, "positions" | "plain"> & { positions: PositionTable; plain?: string[] };

interface Entry {
  /** sha256 of the file's text. */
  text: string;
  /** Other files the definition was made from (patch files), with their texts' digests (null: absent). */
  deps: [string, string | null][];
  def: Omit<LayerFileDef, "patches"> & { patches: StoredPatch[] };
}

/** Data parsed from a file's text (not a layer). */
interface DataEntry {
  text: string;
  data: unknown;
}

interface CacheFile {
  format: number;
  braid: string;
  entries: Record<string, Entry>;
  data?: Record<string, DataEntry>;
}

const sha = (text: string): string => createHash("sha256").update(text).digest("hex");

/** The parsed-config cache of one fleet, for one run. */
export interface ConfigCache {
  /** The definition of a file whose text (and patch files) are unchanged since it was stored. */
  get(path: string, text: string, reader: FleetReader): Promise<LayerFileDef | undefined>;
  /**
   * Keeps a file's definition (made without any diagnostic) and the other files it read. Returns the
   * definition as the cache gives it back (patch positions as tables, the parsed YAML no longer held), or
   * undefined when it cannot be kept.
   */
  set(
    path: string,
    text: string,
    def: LayerFileDef,
    deps: ReadonlyMap<string, string | undefined>,
  ): LayerFileDef | undefined;
  /** The data parsed from a file (e.g. braid.lock) whose text is unchanged since it was stored. */
  getData(path: string, text: string): unknown;
  /** Keeps the data parsed (without any diagnostic) from a file's text: plain JSON data. */
  setData(path: string, text: string, data: unknown): void;
  /** Writes the cache when this run changed it: the entries of the files this run loaded. */
  save(): Promise<void>;
}

/**
 * Opens the cache of the fleet read from `fleetLabel`, written by braid `codeDigest`, under `cacheDir`.
 * Never fails: an unreadable cache is an empty one, and a failed save is ignored (it is only a cache).
 */
export async function openConfigCache(cacheDir: string, fleetLabel: string, codeDigest: string): Promise<ConfigCache> {
  const file = join(cacheDir, "config", `${sha(fleetLabel).slice(0, 32)}.json`);
  let stored: Record<string, Entry> = {};
  let storedData: Record<string, DataEntry> = {};
  try {
    const parsed = JSON.parse(await readFile(file, "utf8")) as Partial<CacheFile> | null;
    if (parsed?.format === FORMAT && parsed.braid === codeDigest && typeof parsed.entries === "object") {
      stored = parsed.entries;
      storedData = typeof parsed.data === "object" ? parsed.data : {};
    }
  } catch {
    // none yet, or unreadable: empty
  }
  /** The entries this run used or made (made ones as JSON text). */
  const used = new Map<string, Entry | string>();
  const usedData = new Map<string, DataEntry>();
  let changed = false;
  return {
    getData(path, text) {
      const entry = Object.hasOwn(storedData, path) ? storedData[path] : undefined;
      if (entry?.text !== sha(text)) return undefined;
      usedData.set(path, entry);
      return entry.data;
    },
    setData(path, text, data) {
      if (!jsonSafe(data)) return;
      usedData.set(path, { text: sha(text), data: JSON.parse(JSON.stringify(data)) as unknown });
      changed = true;
    },
    async get(path, text, reader) {
      const entry = Object.hasOwn(stored, path) ? stored[path] : undefined;
      if (entry?.text !== sha(text) || !Array.isArray(entry.deps)) return undefined;
      for (const [dep, digest] of entry.deps) {
        let depText: string | undefined;
        try {
          depText = await reader.read(dep);
        } catch {
          return undefined; // e.g. now a link out of the fleet: loaded again, which reports it
        }
        if ((depText === undefined ? null : sha(depText)) !== digest) return undefined;
      }
      let def: LayerFileDef;
      try {
        def = revive(entry.def);
      } catch {
        return undefined; // an entry not of this shape (edited by hand): the file is parsed
      }
      used.set(path, entry);
      return def;
    },
    set(path, text, def, deps) {
      const patches = def.patches.map(storePatch);
      if (patches.includes(undefined)) return undefined;
      const entry: Entry = {
        text: sha(text),
        deps: [...deps].map(([p, t]) => [p, t === undefined ? null : sha(t)]),
        def: { ...def, patches: patches as StoredPatch[] },
      };
      // (a definition nested deeper than the default stack reads is parsed again, on the large stack)
      if (!jsonSafe(entry) || !withinDefaultStack(def.patches.map((p) => p.body))) return undefined;
      used.set(path, JSON.stringify(entry)); // as text: the definition goes on into the run
      changed = true;
      return revive(entry.def);
    },
    async save() {
      if (!changed && used.size === Object.keys(stored).length && usedData.size === Object.keys(storedData).length)
        return;
      // a CacheFile, written from the entries' texts
      const entries = [...used].map(
        ([p, e]) => `${JSON.stringify(p)}:${typeof e === "string" ? e : JSON.stringify(e)}`,
      );
      const out = `{"format":${FORMAT},"braid":${JSON.stringify(codeDigest)},"entries":{${entries.join(",")}},"data":${JSON.stringify(Object.fromEntries(usedData))}}`;
      await writeFileAtomic(file, out, 0o600).catch(() => undefined); // patches may hold secrets
    },
  };
}

/** A patch as stored (undefined when its body cannot be stored as JSON). */
function storePatch(p: PatchDef): StoredPatch | undefined {
  const positions = toPositionTable(p.positions, p.body, { file: p.location.file });
  if (!positions) return undefined;
  const { positions: _positions, plain, ...rest } = p;
  return { ...rest, positions, ...(plain ? { plain: [...plain] } : {}) };
}

function revive(def: Entry["def"]): LayerFileDef {
  return { ...def, patches: def.patches.map(revivePatch) } as LayerFileDef;
}

function revivePatch(p: StoredPatch): PatchDef {
  const { positions, plain, ...rest } = p;
  return { ...rest, positions: fromPositionTable(positions), ...(plain ? { plain: new Set(plain) } : {}) };
}
