import fs from "node:fs";
import { stat } from "node:fs/promises";
import git from "../sources/isogit.js";
import { BraidError } from "../diagnostics/diagnostic.js";
import { gitCache } from "../sources/git-objects.js";
import type { FleetReader } from "./fleet-files.js";
import { locateFleetRepo, type FleetRepo } from "./fleet-repo.js";

/** Finds the Git repository containing a fleet folder (the folder may be a subfolder of the repository). */
export async function findFleetRepo(fleetDir: string): Promise<FleetRepo> {
  if (!(await stat(fleetDir).catch(() => undefined))) throw new BraidError({ code: "USAGE", message: `fleet folder ${fleetDir} does not exist` });
  const repo = await locateFleetRepo(fleetDir);
  if (!repo)
    throw new BraidError({
      code: "PUBLISH_NOT_A_REPO",
      message: `${fleetDir} is not inside a Git repository`,
      hint: "preview compares two revisions of the fleet repository; run it in a clone of that repository",
    });
  return repo;
}

async function expandName(gitdir: string, name: string): Promise<string | undefined> {
  try {
    return await git.resolveRef({ fs, gitdir, ref: name });
  } catch {
    // not a ref name: maybe an (abbreviated) object id
  }
  if (/^[0-9a-f]{4,40}$/i.test(name)) {
    try {
      return await git.expandOid({ fs, gitdir, oid: name.toLowerCase(), cache: gitCache });
    } catch {
      return undefined;
    }
  }
  return undefined;
}

async function peel(gitdir: string, oid: string): Promise<string | undefined> {
  let current = oid;
  for (let i = 0; i < 10; i++) {
    let obj;
    try {
      obj = await git.readObject({ fs, gitdir, oid: current, format: "parsed", cache: gitCache });
    } catch {
      return undefined;
    }
    if (obj.type === "commit") return current;
    if (obj.type !== "tag") return undefined;
    current = (obj.object as { object: string }).object;
  }
  return undefined;
}

/**
 * Resolves a revision to a commit id: a full or abbreviated commit id, a branch, tag or full ref name
 * (as `git rev-parse` expands them), optionally followed by `~N`, `^` or `^N` steps. Unknown → REV_NOT_FOUND.
 */
export async function resolveRevision(gitdir: string, rev: string): Promise<string> {
  const notFound = (why: string) =>
    new BraidError({
      code: "REV_NOT_FOUND",
      message: `revision "${rev}" ${why} in the fleet repository`,
      hint: "give a commit id, a branch or a tag of the repository that contains the fleet (fetch it first in CI: actions/checkout with fetch-depth: 0)",
    });
  const m = /^(.+?)((?:~\d*|\^\d*)*)$/.exec(rev.trim());
  if (!m || !m[1]) throw notFound("is not a revision");
  const start = await expandName(gitdir, m[1]);
  let commit = start && (await peel(gitdir, start));
  if (!commit) throw notFound("does not exist");
  for (const step of m[2]!.match(/[~^]\d*/g) ?? []) {
    const n = step.length > 1 ? Number(step.slice(1)) : 1;
    const { commit: c } = await git.readCommit({ fs, gitdir, oid: commit, cache: gitCache });
    if (step[0] === "^") {
      if (n === 0) continue;
      const parent = c.parent[n - 1];
      if (!parent) throw notFound(`has no parent ${n}`);
      commit = parent;
    } else {
      for (let i = 0; i < n; i++) {
        const { commit: cc } = await git.readCommit({ fs, gitdir, oid: commit, cache: gitCache });
        const parent = cc.parent[0];
        if (!parent) throw notFound("goes past the first commit");
        commit = parent;
      }
    }
  }
  return commit;
}

interface TreeEntry {
  path: string;
  oid: string;
  type: "blob" | "tree" | "commit";
  mode: string;
}

/**
 * A FleetReader over one commit of a repository, reading straight from the object store (no checkout).
 * `subdir` is the fleet folder inside the repository; paths given to the reader are relative to it.
 * Symlinks and submodules are not followed (they read as absent).
 */
export function gitFleetReader(opts: { gitdir: string; commit: string; subdir?: string; label?: string }): FleetReader {
  const { gitdir, commit } = opts;
  const base = (opts.subdir ?? "").replace(/^\/+|\/+$/g, "");
  const trees = new Map<string, Promise<TreeEntry[] | undefined>>();
  const full = (p: string) => [base, p.replace(/^\.?\/+|\/+$/g, "")].filter(Boolean).join("/");

  function tree(path: string): Promise<TreeEntry[] | undefined> {
    let t = trees.get(path);
    if (!t) {
      t = git
        .readTree({ fs, gitdir, oid: commit, filepath: path || undefined, cache: gitCache })
        .then((r) => r.tree as TreeEntry[])
        .catch(() => undefined);
      trees.set(path, t);
    }
    return t;
  }
  async function entry(path: string): Promise<TreeEntry | undefined> {
    const i = path.lastIndexOf("/");
    const entries = await tree(i < 0 ? "" : path.slice(0, i));
    return entries?.find((e) => e.path === path.slice(i + 1));
  }
  const isFile = (e: TreeEntry) => e.type === "blob" && e.mode !== "120000";

  return {
    label: opts.label ?? `${commit.slice(0, 7)}:${base || "."}`,
    async read(path) {
      const p = full(path);
      if (!p) return undefined;
      const e = await entry(p);
      if (!e || !isFile(e)) return undefined;
      const { blob } = await git.readBlob({ fs, gitdir, oid: e.oid, cache: gitCache });
      return Buffer.from(blob).toString("utf8");
    },
    async list(dir) {
      const entries = await tree(full(dir));
      return (entries ?? []).filter(isFile).map((e) => e.path).sort();
    },
    async walk(dir) {
      const out: string[] = [];
      const rel = dir.replace(/^\.?\/+|\/+$/g, "");
      async function go(sub: string): Promise<void> {
        const entries = await tree(full(sub));
        for (const e of entries ?? []) {
          const p = sub ? `${sub}/${e.path}` : e.path;
          if (e.type === "tree") await go(p);
          else if (isFile(e)) out.push(p);
        }
      }
      await go(rel);
      return out.sort();
    },
  };
}
