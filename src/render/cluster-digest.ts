/**
 * The input digest of one cluster: sha256 over everything that decides the cluster's output files and its
 * diagnostics, so that a previous result with the same digest can be reused instead of rendering again
 * (publish from the deploy tip, render/validate from the local cache). A digest that is too wide only costs
 * a render; one that is too narrow publishes stale output, so when in doubt a thing is in it:
 *
 * - braid itself: package version and a digest of its own code and schemas (a new braid never reuses);
 * - the text of every fleet file that applies to the cluster: braid.yaml, the groups it matches, its own
 *   file, every patch file its patches came from (text, not meaning: a moved line moves a diagnostic);
 * - each pin it runs: source, URL, ref, and what it resolved to (commit, tag, branch) or that it failed;
 * - the rollouts it is in (the inventory names them), its Kubernetes version and the OpenAPI document's
 *   digest for it, and the fleet's `schemas/` (CRDs, org policies).
 * Validation settings, output layout and every other fleet-wide setting are in braid.yaml's text. A run
 * without validation (`braid inventory`) has the same digests (inventory.json is the same) but never reuses
 * or stores results.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FleetReader } from "../config/fleet-files.js";
import type { EffectiveCluster, Fleet } from "../config/types.js";
import { pinKey } from "../sources/lock.js";
import type { ResolvedPin } from "../sources/resolve-pins.js";

/** Everything a cluster digest needs besides the cluster: fleet-wide parts, computed once per run. */
export interface DigestInputs {
  fleet: Fleet;
  /** Text of each fleet file the run read (path → text). */
  files: ReadonlyMap<string, string | undefined>;
  pins: ReadonlyMap<string, ResolvedPin>;
  /** Digest of the fleet's schemas/ files. */
  schemas: string;
  /** Digest of the OpenAPI document of a Kubernetes version. */
  openapi: (version: string) => Promise<string>;
}

const sha = (text: string): string => createHash("sha256").update(text).digest("hex");

/** The digest of one cluster's inputs (see the file header for what is in it). */
export async function clusterDigest(inputs: DigestInputs, cluster: EffectiveCluster): Promise<string> {
  const files = new Set<string>(["braid.yaml"]);
  if (cluster.location.file) files.add(cluster.location.file);
  const groupFiles = new Map(inputs.fleet.groups.map((g) => [g.name, g.location.file ?? g.file]));
  for (const g of cluster.groups) files.add(groupFiles.get(g) ?? `groups/${g}`);
  for (const p of cluster.patches) {
    if (p.location.file) files.add(p.location.file);
    for (const l of p.opLocations ?? []) if (l.file) files.add(l.file);
  }
  const texts = [...files].sort().map((f) => [f, textDigest(inputs.files.get(f))]);
  const pins = cluster.pins.map((p) => {
    const r = inputs.pins.get(pinKey(p.source.name, p.ref));
    const res = r?.resolution;
    return [p.source.name, p.source.url, p.ref ?? null, res ? [res.commit, res.tag ?? null, res.branch ?? null] : "unresolved", p.substitute ?? null, p.namespace?.value ?? null];
  });
  return sha(
    JSON.stringify({
      braid: braidDigest(),
      texts,
      pins,
      groups: cluster.groups,
      rollouts: cluster.rollouts ?? null,
      kubernetesVersion: cluster.kubernetesVersion,
      openapi: await inputs.openapi(cluster.kubernetesVersion),
      schemas: inputs.schemas,
    }),
  );
}

function textDigest(text: string | undefined): string {
  return text === undefined ? "absent" : sha(text);
}

/** Digest of the fleet's schema files (path and text of each). */
export function schemasDigest(files: readonly { path: string; text: string }[]): string {
  return sha(JSON.stringify(files.map((f) => [f.path, sha(f.text)])));
}

/** A FleetReader that remembers the text of every file read through it (for the digests). */
export function recordingReader(reader: FleetReader): { reader: FleetReader; files: Map<string, string | undefined> } {
  const files = new Map<string, string | undefined>();
  return {
    files,
    reader: {
      label: reader.label,
      list: (dir) => reader.list(dir),
      walk: (dir) => reader.walk(dir),
      async read(path) {
        const text = await reader.read(path);
        files.set(path, text);
        return text;
      },
    },
  };
}

let braid: string | undefined;

/**
 * braid's own digest: the package version and every file of its code (src/ or dist/, whichever runs) and of
 * its config schemas. Computed once per process (the code does not change while it runs).
 */
export function braidDigest(): string {
  if (braid) return braid;
  const codeRoot = fileURLToPath(new URL("..", import.meta.url));
  const packageRoot = join(codeRoot, "..");
  const h = createHash("sha256");
  for (const root of [codeRoot, join(packageRoot, "schemas")])
    for (const file of walk(root)) {
      h.update(file.slice(root.length) + "\0");
      h.update(readFileSync(file));
      h.update("\0");
    }
  let version = "";
  try {
    version = (JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as { version?: string }).version ?? "";
  } catch {
    // no package.json beside the code: the code digest alone
  }
  return (braid = `${version}+${h.digest("hex")}`);
}

function walk(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}
