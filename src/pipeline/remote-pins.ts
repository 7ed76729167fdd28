/**
 * The pin stage of remote files (after the commits are resolved): every remote file a pin's kustomizations
 * list (kustomize/remote-resources.ts) gets the sha256 of its bytes, so builds read no network and a
 * cluster's input digest covers what they read.
 *
 * - A pin taken from braid.lock keeps the lock's digests. `render`, `publish`, `preview` and `validate` do not
 *   even look for remote files then: the lock says what there is, and a file it does not list is an error in
 *   the build (REMOTE_NOT_PINNED). `braid lock` looks, keeps the digest of every URL the lock holds and
 *   fetches the others.
 * - A pin resolved in this run (no lock entry, `--update`, a pin edited since the lock) fetches every remote
 *   file now.
 * A fetch that fails is reported by the build that lists the file; `braid lock` reports it itself.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { remoteFilesOfSource } from "../kustomize/load-source.js";
import type { RemoteEnv } from "../kustomize/remote-resources.js";
import type { ManifestCache } from "../render/load-manifests.js";
import type { RemoteFiles, RemotePin } from "../sources/remote-files.js";
import type { ResolvedPin } from "../sources/resolve-pins.js";

/** Fills each pin's `remotes` (see the file header); the fetch problems, located where a file is listed. */
export async function pinRemotes(
  pins: Iterable<ResolvedPin>,
  files: RemoteFiles,
  cache: ManifestCache,
  opts: { scanLocked: boolean },
): Promise<Diagnostic[]> {
  const diagnostics: Diagnostic[][] = [];
  await Promise.all(
    [...pins].map(async (pin, i) => {
      const found: Diagnostic[] = (diagnostics[i] = []);
      if (!pin.resolution || !pin.repo) return;
      if (pin.status === "locked" && !opts.scanLocked) return;
      let listed;
      try {
        listed = await remoteFilesOfSource(cache, pin.repo.gitdir, pin.resolution.commit, pin.source);
      } catch {
        return; // (the build reports what it cannot read, a damaged repository included, in its cluster's name)
      }
      const kept = new Map(pin.status === "locked" ? (pin.remotes ?? []).map((r) => [r.url, r.sha256]) : []);
      const remotes: RemotePin[] = [];
      let fresh = false;
      for (const { url, location } of listed) {
        const sha256 = kept.get(url);
        if (sha256 !== undefined) {
          remotes.push({ url, sha256 });
          continue;
        }
        const outcome = await files.pin(url);
        if ("sha256" in outcome) {
          remotes.push({ url, sha256: outcome.sha256 });
          fresh = true;
        } else if ("problem" in outcome)
          found.push({ severity: "error", ...outcome.problem, location: { ...location } });
      }
      if (remotes.length) pin.remotes = remotes;
      else delete pin.remotes;
      if (fresh) pin.remotesFresh = true;
    }),
  );
  return diagnostics.flat();
}

/** What a build of this pin may read (undefined: it lists no remote file). */
export function remoteEnvOf(pin: ResolvedPin, files: RemoteFiles): RemoteEnv {
  return { pins: new Map((pin.remotes ?? []).map((r) => [r.url, r.sha256])), files };
}
