import { stat } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import { BraidError } from "../diagnostics/diagnostic.js";
import type { SourceDef } from "../config/types.js";
import { redactUrl } from "../diagnostics/redact-url.js";
import { classifyRemote } from "../diagnostics/remote-url.js";
import { locateFleetRepo } from "../git/fleet-repo.js";
import { ensureCommits, syncRemote } from "../git/mirror-cache.js";
import { connect, listWith, type RemoteOptions, type RemoteRef } from "../git/remote-connection.js";
import type { RepoHandle } from "./resolve-ref.js";

/** Where sources live and how to reach them (filled in by the CLI from flags and the environment). */
export interface SourceEnv {
  /** Folder holding braid.yaml on disk (local source paths are relative to it). */
  fleetDir: string;
  /** Cache folder for remote mirrors. */
  cacheDir: string;
  env: Record<string, string | undefined>;
  timeoutMs?: number;
}

/** True for http(s) and SSH remotes (and malformed URLs, refused when connecting); everything else is a local path. */
function isRemoteUrl(url: string): boolean {
  return classifyRemote(url).kind !== "local";
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** The gitdir of a local repository (bare or not). */
async function localGitdir(source: SourceDef, fleetDir: string): Promise<string> {
  const path = isAbsolute(source.url) ? source.url : resolve(fleetDir, source.url.replace(/^file:\/\//, ""));
  if (await isDir(join(path, ".git"))) return join(path, ".git");
  if ((await isDir(join(path, "objects"))) && (await isDir(join(path, "refs")))) return path;
  throw new BraidError({
    code: "SOURCE_NOT_FOUND",
    message: `source "${source.name}": ${path} is not a Git repository`,
    location: source.location,
    hint: "url is an http(s) remote or a path (relative to braid.yaml) to a local repository, bare or not",
  });
}

/**
 * Opens a source for reading. Remote sources are mirrored in the cache: `refresh` fetches the current refs
 * (for resolving floating pins); otherwise the mirror is fetched only when one of `commits` is missing.
 */
export async function openSource(
  source: SourceDef,
  senv: SourceEnv,
  opts: { refresh: boolean; commits?: string[]; extraRefs?: string[] },
): Promise<RepoHandle> {
  if (source.urlRefused)
    throw new BraidError({
      code: "CONFIG_URL",
      message: `source "${source.name}" is not fetched: its url was refused (see above)`,
      location: source.location,
    });
  if (!isRemoteUrl(source.url)) {
    return { source: source.name, gitdir: await localGitdir(source, senv.fleetDir), displayUrl: source.url };
  }
  const ropts = await remoteOptions(source, senv);
  const { gitdir } = opts.refresh
    ? await syncRemote({ ...ropts, extraRefs: opts.extraRefs })
    : await ensureCommits(ropts, opts.commits ?? []);
  return { source: source.name, gitdir, displayUrl: redactUrl(source.url) };
}

/** How to reach a remote source: its URL, the cache, the environment, and the fleet repository's git config. */
async function remoteOptions(source: SourceDef, senv: SourceEnv): Promise<RemoteOptions> {
  const configFrom = (await locateFleetRepo(senv.fleetDir))?.gitdir;
  return {
    url: source.url,
    cacheDir: senv.cacheDir,
    env: senv.env,
    timeoutMs: senv.timeoutMs,
    ...(configFrom ? { configFrom } : {}),
  };
}

/**
 * The refs a remote source has now (`git ls-remote`: tags with their peeled commits, and the branch HEAD
 * names), without fetching anything; undefined for a local source.
 */
export async function listRemoteRefs(
  source: SourceDef,
  senv: SourceEnv,
): Promise<{ refs: RemoteRef[]; head?: string } | undefined> {
  if (source.urlRefused || !isRemoteUrl(source.url)) return undefined;
  return listWith(connect(await remoteOptions(source, senv)));
}
