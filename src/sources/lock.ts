import { stringify } from "yaml";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { RefSpec } from "../config/types.js";
import { checkConfigSchema } from "../config/schema-check.js";
import { documentToJs, parseYamlFile } from "../model/yaml-file.js";
import type { RolloutState } from "../config/rollout-types.js";
import type { ConfigCache } from "../config/config-cache.js";
import type { RemotePin } from "./remote-files.js";

/** The lock file name, next to braid.yaml. */
export const LOCK_FILE = "braid.lock";

/** One resolved pin. */
export interface LockEntry {
  source: string;
  url: string;
  ref?: RefSpec;
  commit: string;
  tag?: string;
  version?: string;
  branch?: string;
  /** Clusters using this pin (informative). */
  clusters?: string[];
  /** Remote files its kustomizations list, pinned by digest (sources/remote-files.ts). */
  remotes?: RemotePin[];
}

/** The lock: resolved commits of every pin. */
export interface Lock {
  pins: LockEntry[];
  /** Rollout state (braid rollout advance|approve|pause|resume|abort), kept by every other writer. */
  rollouts?: RolloutState[];
}

const REF_KEYS = ["branch", "commit", "name", "semver", "tag", "tagPrefix"] as const;

/** A ref with its keys in a fixed order and empty values dropped (for keys and for writing). */
export function canonicalRef(ref: RefSpec | undefined): RefSpec | undefined {
  if (!ref) return undefined;
  const out: RefSpec = {};
  for (const k of REF_KEYS) if (ref[k] !== undefined) out[k] = ref[k];
  return Object.keys(out).length ? out : undefined;
}

/** Identity of a pin: source name + the ref as written. */
export function pinKey(source: string, ref: RefSpec | undefined): string {
  return `${source}\u0000${JSON.stringify(canonicalRef(ref) ?? {})}`;
}

/** Parses braid.lock; problems come back as diagnostics (a broken lock is never silently ignored). */
export function parseLock(text: string, file = LOCK_FILE): { lock?: Lock; diagnostics: Diagnostic[] } {
  const yaml = parseYamlFile(text, file);
  if (yaml.diagnostics.length)
    return {
      diagnostics: yaml.diagnostics.map((d) => ({
        ...d,
        code: "LOCK_INVALID",
        hint: "fix it, or delete braid.lock and run braid lock",
      })),
    };
  const doc = yaml.docs.find((d) => d.contents !== null);
  if (!doc) return { lock: { pins: [] }, diagnostics: [] };
  const js = documentToJs(doc, file, yaml.lineCounter);
  if (js.diagnostic) return { diagnostics: [{ ...js.diagnostic, code: "LOCK_INVALID" }] };
  const problems = checkConfigSchema("Lock", js.value, yaml, doc);
  if (problems.length)
    return {
      diagnostics: problems.map((d) => ({
        ...d,
        code: "LOCK_INVALID",
        hint: "braid.lock is written by braid: delete it and run braid lock",
      })),
    };
  return { lock: js.value as Lock, diagnostics: [] };
}

/** braid.lock parsed, or taken from the parsed-config cache when its text is unchanged (a valid lock only). */
export function parseLockCached(text: string, cache: ConfigCache | undefined): ReturnType<typeof parseLock> {
  const hit = cache?.getData(LOCK_FILE, text) as Lock | undefined;
  if (hit && typeof hit === "object" && Array.isArray(hit.pins)) return { lock: hit, diagnostics: [] };
  const parsed = parseLock(text);
  if (parsed.lock && !parsed.diagnostics.length) cache?.setData(LOCK_FILE, text, parsed.lock);
  return parsed;
}
/** Serializes a lock deterministically (pins sorted by source, then ref). */
export function serializeLock(lock: Lock): string {
  const pins = [...lock.pins]
    .map((p) => {
      const e: Record<string, unknown> = { source: p.source, url: p.url };
      const ref = canonicalRef(p.ref);
      if (ref) e.ref = ref;
      e.commit = p.commit;
      if (p.tag !== undefined) e.tag = p.tag;
      if (p.version !== undefined) e.version = p.version;
      if (p.branch !== undefined) e.branch = p.branch;
      if (p.clusters?.length) e.clusters = [...p.clusters].sort();
      if (p.remotes?.length)
        e.remotes = [...p.remotes]
          .sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0))
          .map((r) => ("sha256" in r ? { url: r.url, sha256: r.sha256 } : { url: r.url, commit: r.commit }));
      return e;
    })
    .sort((a, b) => {
      const ka = pinKey(a.source as string, a.ref as RefSpec);
      const kb = pinKey(b.source as string, b.ref as RefSpec);
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
  return (
    "# Written by braid (braid lock). Resolved commits of every pin; commit this file.\n" +
    stringify(
      {
        apiVersion: "braid/v1alpha1",
        kind: "Lock",
        pins,
        ...(lock.rollouts?.length ? { rollouts: serializeRollouts(lock.rollouts) } : {}),
      },
      { lineWidth: 0, sortMapEntries: false },
    )
  );
}

/** Rollout states sorted by name, clusters by name, keys in a fixed order (deterministic lock files). */
function serializeRollouts(rollouts: readonly RolloutState[]): unknown[] {
  const pinned = (p: RolloutState["target"]) => ({
    ...(p.commit ? { commit: p.commit } : {}),
    ...(p.version ? { version: p.version } : {}),
    ...(p.tag ? { tag: p.tag } : {}),
    ...(p.branch ? { branch: p.branch } : {}),
  });
  return [...rollouts]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((r) => ({
      name: r.name,
      source: r.source,
      phase: r.phase,
      ...(r.reason ? { reason: r.reason } : {}),
      target: pinned(r.target),
      clusters: [...r.clusters]
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .map((c) => ({
          name: c.name,
          wave: c.wave,
          previous: pinned(c.previous),
          ...(c.movedAt ? { movedAt: c.movedAt } : {}),
        })),
      ...(r.approvals?.length
        ? { approvals: r.approvals.map((a) => ({ name: a.name, at: a.at, ...(a.by ? { by: a.by } : {}) })) }
        : {}),
    }));
}
