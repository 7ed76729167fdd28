import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { BraidError, toDiagnostic } from "../diagnostics/diagnostic.js";
import type { CandidateVerdict } from "./semver.js";
import type { EffectiveCluster, RefSpec, SourceDef } from "../config/types.js";
import { canonicalRef, pinKey, type Lock, type LockEntry } from "./lock.js";
import { openSource, type SourceEnv } from "./open-source.js";
import { resolveRef, type RepoHandle, type Resolution } from "./resolve-ref.js";
import { hasObject } from "../git/git-objects.js";
import { defaultSeverityOf } from "../diagnostics/codes.js";
import type { RemotePin } from "./remote-files.js";

/** One distinct pin of the fleet and what it resolved to. */
export interface ResolvedPin {
  key: string;
  source: SourceDef;
  ref: RefSpec | undefined;
  clusters: string[];
  /** undefined when it failed (see diagnostics). */
  resolution?: Resolution;
  repo?: RepoHandle;
  /** "locked": taken from braid.lock; "resolved": no lock entry; "updated": re-resolved by --update; "stale": the pin changed since the lock. */
  status: "locked" | "resolved" | "updated" | "stale";
  /** The lock entry it replaced, when it changed. */
  previous?: LockEntry;
  /** Why a pin is not taken from braid.lock (status "stale"). */
  staleReason?: "url" | "edited" | "new";
  /** Candidates considered when resolution failed (for `braid lock --explain`). */
  explain?: CandidateVerdict[];
  /**
   * Remote files and bases its kustomizations list, by URL (pipeline/remote-pins.ts): from braid.lock for a
   * locked pin, else pinned in this run.
   */
  remotes?: RemotePin[];
}

/** Options of a resolution run. */
export interface ResolveOptions {
  lock?: Lock;
  /** true: re-resolve every pin; a list: re-resolve the pins of these sources. */
  update?: boolean | string[];
  /** The run's isomorphic-git cache (RunContext.git); one per call when absent. */
  gitCache?: object;
}

/**
 * Resolves every distinct pin of the given clusters, reusing braid.lock where it still matches the pin and no
 * update was asked for. Each source is opened once; failures become diagnostics naming the pin.
 */
export async function resolvePins(
  clusters: readonly EffectiveCluster[],
  senv: SourceEnv,
  opts: ResolveOptions = {},
): Promise<{ pins: Map<string, ResolvedPin>; diagnostics: Diagnostic[] }> {
  const gitCache = opts.gitCache ?? {};
  const pins = new Map<string, ResolvedPin>();
  for (const c of clusters)
    for (const p of c.pins) {
      const key = pinKey(p.source.name, p.ref);
      const entry = pins.get(key) ?? {
        key,
        source: p.source,
        ref: canonicalRef(p.ref),
        clusters: [],
        status: "resolved" as const,
      };
      entry.clusters.push(c.name);
      pins.set(key, entry);
    }

  const locked = new Map<string, LockEntry>();
  const lockedBySource = new Map<string, LockEntry[]>();
  for (const e of opts.lock?.pins ?? []) {
    locked.set(pinKey(e.source, e.ref), e);
    lockedBySource.set(e.source, [...(lockedBySource.get(e.source) ?? []), e]);
  }
  const updating = (source: string) =>
    opts.update === true || (Array.isArray(opts.update) && opts.update.includes(source));

  const bySource = new Map<string, ResolvedPin[]>();
  for (const pin of pins.values()) bySource.set(pin.source.name, [...(bySource.get(pin.source.name) ?? []), pin]);

  // sources are opened concurrently; each keeps its own list so the report's order does not depend on timing
  const perSource = [...bySource.values()].map(() => [] as Diagnostic[]);
  await Promise.all(
    [...bySource.values()].map(async (list, index) => {
      const diagnostics = perSource[index]!;
      const source = list[0]!.source;
      const usable = (pin: ResolvedPin) => {
        const e = locked.get(pin.key);
        return e?.url === source.url && !updating(source.name) ? e : undefined;
      };
      const allLocked = list.every((p) => usable(p));
      let repo: RepoHandle;
      try {
        repo = {
          ...(await openSource(source, senv, {
            refresh: !allLocked,
            commits: list.map((p) => usable(p)?.commit).filter((c): c is string => Boolean(c)),
            extraRefs: list.map((p) => p.ref?.name).filter((n): n is string => Boolean(n)),
          })),
          cache: gitCache,
        };
      } catch (e) {
        const d = toDiagnostic(e);
        diagnostics.push({ ...d, location: d.location ?? source.location });
        return;
      }
      for (const pin of list) {
        pin.repo = repo;
        const e = usable(pin);
        if (e) {
          if (await hasObject(repo.gitdir, e.commit, gitCache)) {
            pin.status = "locked";
            if (e.remotes?.length) pin.remotes = e.remotes;
            pin.resolution = {
              commit: e.commit,
              tag: e.tag,
              version: e.version,
              branch: e.branch,
              explain: [
                {
                  tag: e.tag ?? e.branch ?? e.commit,
                  taken: true,
                  reason: `locked in braid.lock at ${e.commit.slice(0, 12)}`,
                },
              ],
            };
          } else {
            // never silently replace a locked commit: what was previewed must be what is published
            diagnostics.push({
              code: "LOCK_COMMIT_MISSING",
              severity: "error",
              message: `braid.lock pins ${describePin(pin)} to commit ${e.commit.slice(0, 12)}, which source "${source.name}" no longer has (${repo.displayUrl})`,
              location: pinLocation(clusters, pin),
              hint: `the branch or tag was rewritten upstream; run "braid lock --update ${source.name}" to pin what it points to now, review and commit braid.lock`,
            });
          }
          continue;
        }
        const previous = locked.get(pin.key);
        if (previous) {
          pin.previous = previous;
          pin.status = updating(source.name) ? "updated" : "stale";
          if (pin.status === "stale") pin.staleReason = previous.url !== source.url ? "url" : "edited";
        } else if (opts.lock) {
          pin.status = "stale";
          pin.previous = lockedBySource.get(source.name)?.[0];
          pin.staleReason = lockedBySource.has(source.name) ? "edited" : "new";
        }
        try {
          pin.resolution = await resolveRef(repo, pin.ref);
        } catch (err) {
          const d = toDiagnostic(err);
          pin.explain = err instanceof BraidError ? (err.explain as CandidateVerdict[] | undefined) : undefined;
          diagnostics.push({ ...d, location: d.location ?? pinLocation(clusters, pin) });
        }
      }
    }),
  );
  const diagnostics = perSource.flat();
  const why = {
    url: "its source URL changed since the lock was written",
    edited: "edited since the lock was written",
    new: "new since the lock was written",
  };
  for (const pin of pins.values()) {
    if (pin.status === "stale" && pin.resolution && !opts.update)
      diagnostics.push({
        code: "LOCK_STALE",
        severity: defaultSeverityOf("LOCK_STALE"),
        message:
          `pin ${describePin(pin)} is not in braid.lock (${why[pin.staleReason ?? "edited"]}); re-resolved to ${pin.resolution.tag ?? pin.resolution.branch ?? ""} ${pin.resolution.commit.slice(0, 12)}`.replace(
            "  ",
            " ",
          ),
        location: pinLocation(clusters, pin),
        hint: "run braid lock and commit braid.lock so previews and publishes use the same commits",
      });
  }
  return { pins, diagnostics };
}

/** "platform-base@{semver: >=1.2.0}" */
export function describePin(pin: { source: { name: string }; ref: RefSpec | undefined }): string {
  const ref = canonicalRef(pin.ref);
  if (!ref) return `${pin.source.name} (default branch)`;
  return `${pin.source.name} ${Object.entries(ref)
    .map(([k, v]) => `${k}: ${v}`)
    .join(", ")}`;
}

function pinLocation(clusters: readonly EffectiveCluster[], pin: ResolvedPin): Diagnostic["location"] {
  for (const c of clusters) for (const p of c.pins) if (pinKey(p.source.name, p.ref) === pin.key) return p.location;
  return pin.source.location;
}

/** The lock that records these pins. */
export function lockFromPins(pins: Iterable<ResolvedPin>): Lock {
  const out: LockEntry[] = [];
  for (const p of pins) {
    if (!p.resolution) continue;
    out.push({
      source: p.source.name,
      url: p.source.url,
      ref: p.ref,
      commit: p.resolution.commit,
      tag: p.resolution.tag,
      version: p.resolution.version,
      branch: p.resolution.branch,
      clusters: [...p.clusters].sort(),
      ...(p.remotes?.length ? { remotes: p.remotes } : {}),
    });
  }
  return { pins: out };
}
