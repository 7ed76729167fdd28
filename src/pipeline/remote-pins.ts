/**
 * The pin stage of remote entries (after the commits are resolved): every remote file a pin's kustomizations
 * list gets the sha256 of its bytes, and every remote base (a Git repository URL) the commit its `?ref=`
 * resolves to — also those listed inside remote bases — so builds read no network and a cluster's input digest
 * covers what they read (kustomize/remote-resources.ts says what is which).
 *
 * - A pin taken from braid.lock keeps the lock's digests and commits. `render`, `publish`, `preview` and
 *   `validate` do not look for remote entries then: the lock says what there is (its bases' commits are fetched
 *   when the cache lacks them), and an entry it does not list is an error in the build (REMOTE_NOT_PINNED).
 *   `braid lock` looks, keeps what the lock holds and pins the others.
 * - A pin resolved in this run (no lock entry, `--update`, a pin edited since the lock) pins everything now.
 * A remote base's ref is read as `git fetch origin <ref>` reads it (kustomize's cloner): a full commit id, else
 * the first of `<ref>`, `refs/<ref>`, `refs/tags/<ref>`, `refs/heads/<ref>` that exists; no ref is the default
 * branch. Problems are reported by the build that lists the entry; `braid lock` reports them itself.
 */
import type { Diagnostic, SourceLocation } from "../diagnostics/diagnostic.js";
import { BraidError, toDiagnostic } from "../diagnostics/diagnostic.js";
import { classifyRemote } from "../diagnostics/remote-url.js";
import { redactUrl } from "../diagnostics/redact-url.js";
import type { SourceDef } from "../config/types.js";
import { remotesOfBase, remotesOfSource } from "../kustomize/load-source.js";
import { parseRepoSpec, type ListedRemotes, type RemoteEnv } from "../kustomize/remote-resources.js";
import type { ManifestCache } from "../render/load-manifests.js";
import { mapPool } from "../model/map-pool.js";
import { listRemoteRefs, openSource, type SourceEnv } from "../sources/open-source.js";
import { metadataBaseProblem, withCredentials, type RemoteFiles, type RemotePin } from "../sources/remote-files.js";
import { resolveRef, type Resolution } from "../sources/resolve-ref.js";
import type { ResolvedPin } from "../sources/resolve-pins.js";

/** How many remote files are fetched at once. */
const FETCHES = 8;

/** How deep remote bases may list remote bases (kustomize has no limit but its cycle check). */
const MAX_DEPTH = 10;

/** What the builds of a run need besides the pins: where each remote base's commit is, and why one is not. */
export interface RemoteBases {
  /** By URL as written: the mirror holding the pinned commit. */
  gitdirs: Map<string, string>;
  /** By URL as written: why it could not be pinned (reported where the build meets it). */
  problems: Map<string, Diagnostic>;
  /** The fleet turned remote bases off (`spec.kustomize.remoteBases: false`): none is fetched or built. */
  off: boolean;
}

/** Fills each pin's `remotes` (see the file header); the problems, located where an entry is listed. */
export async function pinRemotes(
  pins: Iterable<ResolvedPin>,
  files: RemoteFiles,
  cache: ManifestCache,
  senv: SourceEnv,
  opts: { scanLocked: boolean; remoteBases: boolean },
): Promise<{ diagnostics: Diagnostic[]; bases: RemoteBases }> {
  const bases: RemoteBases = { gitdirs: new Map(), problems: new Map(), off: !opts.remoteBases };
  const opened = new Map<string, Promise<{ gitdir: string; commit: string }>>();
  /** A remote base's repository with the commit (kept from the lock, or resolved from the URL's ref). */
  const openBase = (url: string, at: SourceLocation, kept: string | undefined) => {
    const key = `${url}\u0000${kept ?? ""}`;
    let p = opened.get(key);
    if (!p) opened.set(key, (p = resolveBase(url, at, kept, senv, cache.git)));
    return p;
  };
  const all = [...pins];
  const diagnostics = all.map(() => [] as Diagnostic[]);
  await Promise.all(
    all.map(async (pin, i) => {
      const found = diagnostics[i]!;
      if (!pin.resolution || !pin.repo) return;
      const kept = new Map(pin.status === "locked" ? (pin.remotes ?? []).map((r) => [r.url, r]) : []);
      if (pin.status === "locked" && !opts.scanLocked) {
        if (bases.off) return;
        // the lock's bases: their commits must be in the mirror (fetched once when the cache lacks them)
        for (const r of pin.remotes ?? [])
          if ("commit" in r)
            await openBase(r.url, pin.source.location, r.commit).then(
              (b) => bases.gitdirs.set(r.url, b.gitdir),
              (e: unknown) => bases.problems.set(r.url, toDiagnostic(e)),
            );
        return;
      }
      const remotes = new Map<string, RemotePin>();
      const problem = (url: string, e: Diagnostic, at: SourceLocation) => {
        const shown = redactUrl(url);
        const d = e.message.includes(shown) ? e : { ...e, message: `remote base "${shown}": ${e.message}` };
        bases.problems.set(url, d);
        found.push({ ...d, location: { ...at } });
      };
      const visit = async (listed: ListedRemotes, stack: string[]): Promise<void> => {
        const gitBases = [...listed.bases];
        // files (a patch file is never a base: a GET that gives a page or an error status is its error)
        const patches = listed.patches.map((f) => ({ ...f, patch: true }));
        const all = [...patches, ...listed.files.map((f) => ({ ...f, patch: false }))];
        // fetched several at a time (a fetch is memoized per URL); taken in order below, so reports are stable
        await mapPool(all, FETCHES, async ({ url }) => {
          const k = kept.get(url);
          if (!(k && "sha256" in k)) await files.pin(url);
        });
        for (const { url, location, patch } of all) {
          const k = kept.get(url);
          if (k && "sha256" in k) {
            remotes.set(url, k);
            continue;
          }
          const outcome = await files.pin(url);
          if ("sha256" in outcome) remotes.set(url, { url, sha256: outcome.sha256 });
          else if ("problem" in outcome)
            found.push({ severity: "error", ...outcome.problem, location: { ...location } });
          else if (patch)
            found.push({
              severity: "error",
              code: "REMOTE_HTTP",
              message: `${redactUrl(url)}: ${outcome.gitBase}`,
              hint: "a patch path names a file",
              location: { ...location },
            });
          else gitBases.push({ url, location }); // (its GET gave a page or an error: kustomize clones it)
        }
        for (const { url, location } of gitBases) {
          if (bases.off || remotes.has(url) || bases.problems.has(url)) continue;
          const spec = parseRepoSpec(url);
          if (!spec) continue; // (the build says why)
          // kustomize's cycle check: a URL that an enclosing base's URL starts with
          if (stack.some((s) => s.startsWith(spec.raw)) || stack.length >= MAX_DEPTH) continue;
          const k = kept.get(url);
          let base;
          try {
            base = await openBase(url, location, k && "commit" in k ? k.commit : undefined);
          } catch (e) {
            problem(url, toDiagnostic(e), location);
            continue;
          }
          bases.gitdirs.set(url, base.gitdir);
          remotes.set(url, { url, commit: base.commit });
          const inner = await remotesOfBase(cache, base.gitdir, base.commit, spec.root, pin.source.name).catch(
            () => undefined,
          );
          if (inner) await visit(inner, [...stack, spec.raw]);
        }
      };
      let listed;
      try {
        listed = await remotesOfSource(cache, pin.repo.gitdir, pin.resolution.commit, pin.source);
      } catch {
        return; // (the build reports what it cannot read, a damaged repository included, in its cluster's name)
      }
      await visit(listed, []);
      const sorted = [...remotes.values()].sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
      if (sorted.length) pin.remotes = sorted;
      else delete pin.remotes;
    }),
  );
  return { diagnostics: diagnostics.flat(), bases };
}

/** Opens a remote base's repository (a mirror in the cache) and resolves the URL's ref, or checks a kept commit. */
async function resolveBase(
  url: string,
  at: SourceLocation,
  kept: string | undefined,
  senv: SourceEnv,
  gitCache: object,
): Promise<{ gitdir: string; commit: string }> {
  const spec = parseRepoSpec(url)!;
  const credentials = withCredentials(spec.cloneSpec, url);
  if (credentials) throw new BraidError(credentials);
  const metadata = await metadataBaseProblem(spec.cloneSpec, url);
  if (metadata) throw new BraidError(metadata);
  // only a repository on a server: never one of the machine braid runs on (file://, or anything else that is not
  // an http(s) or SSH remote to git, such as a scp-like form whose host holds a `/`)
  const kind = classifyRemote(spec.cloneSpec).kind;
  if (kind !== "http" && kind !== "ssh")
    throw new BraidError({
      code: "KUSTOMIZE_UNSUPPORTED",
      message: `remote base "${redactUrl(url)}" is ${/^file:\/\//i.test(spec.cloneSpec) ? "a file://" : "not a remote"} repository: braid reads no repository of the machine it runs on`,
      hint: "add the repository as its own braid source (spec.sources)",
    });
  const source: SourceDef = {
    name: `remote base ${spec.cloneSpec}`,
    url: spec.cloneSpec,
    path: "",
    include: [],
    exclude: [],
    location: at,
  };
  const hex = /^[0-9a-f]{40}$/.test(spec.ref) ? spec.ref : undefined;
  const names = spec.ref && !hex ? refCandidates(spec.ref) : [];
  // a ref is looked up on the server first (ls-remote), so that only its commit is fetched, without history, as
  // kustomize's shallow clone does: a base is often a folder of a large project (argo-cd, Flux, kubeflow)
  const commits = kept ? [kept] : hex ? [hex] : await listedCommit(source, senv, names, { url, ...spec });
  const repo = {
    ...(await openSource(source, senv, { refresh: !commits.length, commits, extraRefs: names })),
    cache: gitCache,
  };
  if (commits.length) return { gitdir: repo.gitdir, commit: (await resolveRef(repo, { commit: commits[0] })).commit };
  let resolution: Resolution | undefined;
  for (const name of names) {
    resolution = await resolveRef(repo, { name }).catch(() => undefined);
    if (resolution) break;
  }
  if (!spec.ref) resolution = await resolveRef(repo, undefined);
  if (!resolution) throw refNotFound(url, spec.cloneSpec, spec.ref);
  return { gitdir: repo.gitdir, commit: resolution.commit };
}

/**
 * The commit a base's ref names on the server now (`git ls-remote`), or REF_NOT_FOUND; `[]` when the repository is
 * not remote or the server names no default branch (the whole repository is then fetched and the ref resolved in it).
 */
async function listedCommit(
  source: SourceDef,
  senv: SourceEnv,
  names: readonly string[],
  { url, cloneSpec, ref }: { url: string; cloneSpec: string; ref: string },
): Promise<string[]> {
  const listed = await listRemoteRefs(source, senv);
  if (!listed) return [];
  const wanted = names.length ? names : listed.head ? [listed.head] : [];
  for (const name of wanted) {
    const r = listed.refs.find((x) => x.ref === name);
    if (r) return [r.peeled ?? r.oid];
  }
  if (!names.length) return [];
  throw refNotFound(url, cloneSpec, ref);
}

function refNotFound(url: string, cloneSpec: string, ref: string): BraidError {
  return new BraidError({
    code: "REF_NOT_FOUND",
    message: `remote base "${redactUrl(url)}": ${redactUrl(cloneSpec)} has no ref "${ref}"`,
    hint: "?ref= takes a tag, a branch or a full commit id, as git fetch does",
  });
}

/** The refs `git fetch origin <ref>` tries, in git's order (refs.c `ref_rev_parse_rules`). */
function refCandidates(ref: string): string[] {
  const out = ref.startsWith("refs/") ? [ref] : [];
  out.push(`refs/${ref}`, `refs/tags/${ref}`, `refs/heads/${ref}`);
  return out;
}

/** What a build of this pin may read. */
export function remoteEnvOf(pin: ResolvedPin, files: RemoteFiles, bases: RemoteBases): RemoteEnv {
  const pinned = new Map<string, string>();
  const commits = new Map<string, { gitdir: string; commit: string }>();
  for (const r of pin.remotes ?? []) {
    if ("sha256" in r) pinned.set(r.url, r.sha256);
    else {
      const gitdir = bases.gitdirs.get(r.url);
      if (gitdir) commits.set(r.url, { gitdir, commit: r.commit });
    }
  }
  return { pins: pinned, bases: commits, problems: bases.problems, files, ...(bases.off ? { basesOff: true } : {}) };
}
