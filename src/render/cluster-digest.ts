/**
 * The input digests of one cluster, so that a previous result can be reused instead of rendering again
 * (publish from the deploy tip, render/validate from the local cache). A digest that is too wide only costs
 * a render; one that is too narrow publishes stale output, so when in doubt a thing is in it.
 *
 * `digest` (the inventory's `inputDigest`) covers everything that decides the cluster's files and whether it
 * passes, by meaning:
 * - braid itself: package version and a digest of its own code and schemas (a new braid never reuses);
 * - the layered cluster: name, labels, annotations, groups, vars, every patch (type, target, body, options,
 *   which values are plain scalars, its layer), Kubernetes version, rollouts, disabled sources;
 * - each pin it runs: source, URL, path, include/exclude, namespace, substitute, ref, and what it resolved
 *   to (commit, tag, branch) or that it failed, and the digest of each remote file its kustomizations list;
 * - the fleet's output layout and validation settings, the OpenAPI document's digest for the cluster's
 *   Kubernetes version, and the fleet's `schemas/` (CRDs, org policies).
 * A comment in a cluster file leaves it unchanged, so publish stays a no-op.
 *
 * `key` adds the text of every fleet file that applies to the cluster (braid.yaml, its groups, its own file,
 * its patch files): the positions its diagnostics point at. A result is reused when `digest` matches and it
 * either had no diagnostics or was made under the same `key`.
 * A run without validation (`render --explain-source`) has the same digests but never reuses or stores results.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { EffectiveCluster, Fleet } from "../config/types.js";
import { givenBundleDigest, IN_BUNDLE } from "../model/bundle.js";
import { pinKey } from "../sources/lock.js";
import type { ResolvedPin } from "../sources/resolve-pins.js";
import { pushAll } from "../model/append.js";

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

/** A cluster's input digests (see the file header). */
export interface ClusterDigests {
  digest: string;
  key: string;
}

/** The digests of one cluster's inputs (see the file header for what is in them). */
export async function clusterDigest(inputs: DigestInputs, cluster: EffectiveCluster): Promise<ClusterDigests> {
  const pins = cluster.pins.map((p) => {
    const r = inputs.pins.get(pinKey(p.source.name, p.ref));
    const res = r?.resolution;
    const s = p.source;
    return [
      s.name,
      s.url,
      s.path,
      s.include,
      s.exclude,
      s.ignore ?? null,
      s.urlRefused ?? false,
      p.ref ?? null,
      res ? [res.commit, res.tag ?? null, res.branch ?? null] : "unresolved",
      p.substitute ?? null,
      p.namespace?.value ?? null,
      r?.remotes?.map((x) => [x.url, "sha256" in x ? x.sha256 : x.commit]) ?? null,
    ];
  });
  const patches = cluster.patches.map((p) => [
    p.type,
    p.target ?? null,
    p.body,
    p.optional,
    p.plain ? [...p.plain].sort() : null,
    p.layer,
    p.options ?? null,
  ]);
  const digest = sha(
    JSON.stringify({
      braid: braidDigest(),
      cluster: [
        cluster.name,
        cluster.labels,
        cluster.annotations,
        cluster.groups,
        cluster.vars,
        cluster.kubernetesVersion,
        cluster.rollouts ?? null,
        cluster.disabledSources,
      ],
      patches,
      pins,
      fleet: [inputs.fleet.output, inputs.fleet.validation, inputs.fleet.kustomize],
      openapi: await inputs.openapi(cluster.kubernetesVersion),
      schemas: inputs.schemas,
    }),
  );
  return { digest, key: sha(JSON.stringify([digest, fileTexts(inputs, cluster)])) };
}

/** The digest of the text of every fleet file that applies to the cluster, by path. */
function fileTexts(inputs: DigestInputs, cluster: EffectiveCluster): string[][] {
  const files = new Set<string>(["braid.yaml"]);
  if (cluster.location.file) files.add(cluster.location.file);
  const groupFiles = new Map(inputs.fleet.groups.map((g) => [g.name, g.location.file]));
  for (const g of cluster.groups) files.add(groupFiles.get(g) ?? `groups/${g}`);
  for (const p of cluster.patches) {
    if (p.location.file) files.add(p.location.file);
    for (const l of p.opLocations ?? []) if (l.file) files.add(l.file);
  }
  return [...files].sort().map((f) => [f, textDigest(inputs.files.get(f))]);
}

function textDigest(text: string | undefined): string {
  return text === undefined ? "absent" : sha(text);
}

/** Digest of the fleet's schema files (path and text of each). */
export function schemasDigest(files: readonly { path: string; text: string }[]): string {
  return sha(JSON.stringify(files.map((f) => [f.path, sha(f.text)])));
}

let braid: string | undefined;

/**
 * braid's own digest: the package version and every file of its code (the bundle the command runs, else
 * src/ or dist/, whichever runs) and of its config schemas. Computed once per process (the code does not
 * change while it runs).
 */
export function braidDigest(): string {
  if (braid) return braid;
  const here = fileURLToPath(import.meta.url);
  const codeRoot = fileURLToPath(new URL("..", import.meta.url));
  const packageRoot = join(codeRoot, "..");
  const h = createHash("sha256");
  const code = IN_BUNDLE ? { root: dirname(here), files: [here] } : { root: codeRoot, files: walk(codeRoot) };
  const schemas = join(packageRoot, "schemas");
  for (const { root, files } of [code, { root: schemas, files: walk(schemas) }])
    for (const file of files) {
      h.update(file.slice(root.length) + "\0");
      // the bundle by its digest, which the launcher has when it ran it
      if (IN_BUNDLE && file === here)
        h.update(givenBundleDigest() ?? createHash("sha256").update(readFileSync(file)).digest("hex"));
      else h.update(readFileSync(file));
      h.update("\0");
    }
  let version = "";
  try {
    version =
      (JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as { version?: string }).version ?? "";
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
    if (e.isDirectory()) pushAll(out, walk(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}
