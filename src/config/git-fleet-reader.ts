import fs from "node:fs";
import { posix } from "node:path";
import { stat } from "node:fs/promises";
import git from "../git/isogit.js";
import { BraidError } from "../diagnostics/diagnostic.js";
import { fleetFileText, symlinkEscape, type FleetReader } from "./fleet-files.js";
import { locateFleetRepo, type FleetRepo } from "../git/fleet-repo.js";

/**
 * Finds the Git repository containing a fleet folder (the folder may be a subfolder of the repository);
 * throws PUBLISH_NOT_A_REPO when there is none (`locateFleetRepo` in fleet-repo.ts returns undefined instead).
 */
export async function requireFleetRepo(fleetDir: string): Promise<FleetRepo> {
  if (!(await stat(fleetDir).catch(() => undefined)))
    throw new BraidError({ code: "USAGE", message: `fleet folder ${fleetDir} does not exist` });
  const repo = await locateFleetRepo(fleetDir);
  if (!repo)
    throw new BraidError({
      code: "PUBLISH_NOT_A_REPO",
      message: `${fleetDir} is not inside a Git repository`,
      hint: "preview compares two revisions of the fleet repository; run it in a clone of that repository",
    });
  return repo;
}

interface TreeEntry {
  path: string;
  oid: string;
  type: "blob" | "tree" | "commit";
  mode: string;
}

/** The blobs read, by object id: readers of one repository may share them (an object never changes). */
export type FleetBlobs = Map<string, Promise<Uint8Array>>;

/**
 * A FleetReader over one commit of a repository, reading straight from the object store (no checkout).
 * `subdir` is the fleet folder inside the repository; paths given to the reader are relative to it.
 * Symbolic links (mode 120000) are followed as the working tree would follow them, while the file they
 * lead to stays inside the fleet folder (else PATH_ESCAPE, as for a folder on disk); submodules read as absent.
 * Each reader has its own isomorphic-git cache (two readers, or two runs in one process, share none); readers
 * of two commits of one repository (a preview's base and head) may share `blobs`.
 */
export function gitFleetReader(opts: {
  gitdir: string;
  commit: string;
  subdir?: string;
  label?: string;
  blobs?: FleetBlobs;
}): FleetReader {
  const { gitdir, commit } = opts;
  const base = (opts.subdir ?? "").replace(/^\/+|\/+$/g, "");
  const trees = new Map<string, Promise<Map<string, TreeEntry> | undefined>>();
  const blobs: FleetBlobs = opts.blobs ?? new Map<string, Promise<Uint8Array>>();
  const cache = {};
  const full = (p: string) => [base, p.replace(/^\.?\/+|\/+$/g, "")].filter(Boolean).join("/");

  /** A folder's entries by name (in the tree's order). */
  function tree(path: string): Promise<Map<string, TreeEntry> | undefined> {
    let t = trees.get(path);
    if (!t) {
      t = git
        .readTree({ fs, gitdir, oid: commit, filepath: path || undefined, cache })
        .then((r) => new Map((r.tree as TreeEntry[]).map((e) => [e.path, e])))
        .catch(() => undefined);
      trees.set(path, t);
    }
    return t;
  }
  const isLink = (e: TreeEntry) => e.mode === "120000";
  const isFile = (e: TreeEntry) => e.type === "blob" && !isLink(e);
  const blobBytes = (oid: string): Promise<Uint8Array> => {
    let bytes = blobs.get(oid);
    if (!bytes) {
      bytes = git.readBlob({ fs, gitdir, oid, cache }).then((r) => r.blob);
      bytes.catch(() => blobs.delete(oid)); // a failed read is tried again
      blobs.set(oid, bytes);
    }
    return bytes;
  };

  /**
   * The blob a repository path leads to, following symbolic links in every segment (at most 40, as Linux);
   * undefined when nothing is there. A file reached outside the fleet folder throws PATH_ESCAPE.
   */
  async function resolveFile(fleetPath: string): Promise<TreeEntry | undefined> {
    let parts = full(fleetPath).split("/").filter(Boolean);
    let hops = 0;
    for (let i = 0; i < parts.length;) {
      const dir = parts.slice(0, i).join("/");
      const e = (await tree(dir))?.get(parts[i]!);
      if (!e) return undefined;
      if (isLink(e)) {
        if (++hops > 40) return undefined;
        const target = Buffer.from(await blobBytes(e.oid)).toString("utf8");
        const joined = posix.normalize(target.startsWith("/") ? target : [dir, target].filter(Boolean).join("/"));
        const rest = parts.slice(i + 1);
        if (target.startsWith("/") || joined === ".." || joined.startsWith("../")) {
          const up = base
            .split("/")
            .filter(Boolean)
            .map(() => "..");
          throw symlinkEscape(
            fleetPath,
            target.startsWith("/") ? target : posix.normalize([...up, joined, ...rest].join("/")),
          );
        }
        parts = [...joined.split("/").filter((x) => x && x !== "."), ...rest];
        i = 0;
        continue;
      }
      if (i < parts.length - 1) {
        if (e.type !== "tree") return undefined;
        i++;
        continue;
      }
      if (!isFile(e)) return undefined;
      const at = parts.join("/");
      if (base && !at.startsWith(`${base}/`)) throw symlinkEscape(fleetPath, posix.relative(base, at));
      return e;
    }
    return undefined;
  }
  /** A tree entry that is a file, or a symbolic link leading to one (or out of the fleet: read() reports it). */
  async function listable(dir: string, e: TreeEntry): Promise<boolean> {
    if (isFile(e)) return true;
    if (!isLink(e)) return false;
    try {
      return (await resolveFile(dir ? `${dir}/${e.path}` : e.path)) !== undefined;
    } catch {
      return true;
    }
  }

  return {
    label: opts.label ?? `${commit.slice(0, 7)}:${base || "."}`,
    async read(path) {
      if (!full(path)) return undefined;
      const e = await resolveFile(path);
      return e ? fleetFileText(await blobBytes(e.oid), path) : undefined;
    },
    async list(dir) {
      const rel = dir.replace(/^\.?\/+|\/+$/g, "");
      const out: string[] = [];
      for (const e of (await tree(full(dir)))?.values() ?? []) if (await listable(rel, e)) out.push(e.path);
      return out.sort();
    },
    async walk(dir) {
      const out: string[] = [];
      const rel = dir.replace(/^\.?\/+|\/+$/g, "");
      async function go(sub: string): Promise<void> {
        const entries = await tree(full(sub));
        for (const e of entries?.values() ?? []) {
          const p = sub ? `${sub}/${e.path}` : e.path;
          if (e.type === "tree") await go(p);
          else if (await listable(sub, e)) out.push(p);
        }
      }
      await go(rel);
      return out.sort();
    },
  };
}
