import { createHash } from "node:crypto";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { BraidError, hasErrors, toDiagnostic } from "../diagnostics/diagnostic.js";
import type { FleetReader } from "../config/fleet-files.js";
import { effectiveCluster } from "../config/layer.js";
import { loadFleet } from "../config/load-fleet.js";
import type { EffectiveCluster, Fleet } from "../config/types.js";
import type { KubeOpenApi } from "../model/kube-openapi.js";
import type { KubeSchemaIndex } from "../model/kube-schema.js";
import type { Resource } from "../model/resource.js";
import { LOCK_FILE, parseLock, pinKey, type Lock } from "../sources/lock.js";
import type { SourceEnv } from "../sources/open-source.js";
import { lockFromPins, resolvePins, type ResolvedPin } from "../sources/resolve-pins.js";
import { isCrd } from "../validate/crd.js";
import { createKubeSchemaIndex } from "../validate/kube-schema-index.js";
import { loadKubeOpenApi } from "../validate/openapi-load.js";
import { loadFleetSchemas } from "../validate/org-schemas.js";
import { createSchemaRegistry } from "../validate/registry.js";
import { patchSecretValues, scrubText, sensitiveValues } from "../preview/redact.js";
import { checkIdentities } from "../validate/object-identity.js";
import { validateResources } from "../validate/validate-resources.js";
import { createManifestCache, loadSourceManifests } from "./load-manifests.js";
import { layoutCluster, type ClusterOutput } from "./output-tree.js";
import { renderCluster } from "./render-cluster.js";

/** The result of rendering one cluster. */
export interface ClusterResult {
  name: string;
  cluster: EffectiveCluster;
  pins: ResolvedPin[];
  resources: Resource[];
  /** Undefined when the cluster failed. */
  output?: ClusterOutput;
  diagnostics: Diagnostic[];
  ok: boolean;
  /** sha256 over everything that decides this cluster's output. */
  inputDigest: string;
}

/** A whole fleet run. */
export interface FleetRun {
  fleet?: Fleet;
  /** Problems not tied to one cluster (config, lock, sources). */
  diagnostics: Diagnostic[];
  clusters: ClusterResult[];
  pins: Map<string, ResolvedPin>;
  /** The lock matching the pins used. */
  lock: Lock;
  /** Whether braid.lock differs from `lock`. */
  lockChanged: boolean;
  openapi?: KubeOpenApi;
}

/** Options of a fleet run (filled in by the CLI). */
export interface FleetRunOptions {
  reader: FleetReader;
  senv: SourceEnv;
  /** BRAID_KUBERNETES_OPENAPI, if set, and the directory relative env paths resolve against. */
  openapiEnv?: string;
  cwd?: string;
  /** Only these clusters (all when empty). */
  only?: string[];
  update?: boolean | string[];
  /** Skip schema validation (render still needs the OpenAPI for scopes and merge keys). */
  skipValidation?: boolean;
  onProgress?: (done: number, total: number, cluster: string) => void;
}

function digestOf(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex");
}

/**
 * Renders a fleet. The stages, in order:
 *  1. load and check the fleet config (braid.yaml, groups, clusters, patch files);
 *  2. layer each cluster's settings (fleet → groups → cluster);
 *  3. resolve every pin (braid.lock first, unless --update);
 *  4. read the Kubernetes OpenAPI and the fleet's own schemas;
 *  5. per cluster: load manifests → patch → substitute → duplicates → validate → lay out files.
 * Content problems are collected; only environment failures (OpenAPI, remotes) throw.
 */
export async function renderFleet(opts: FleetRunOptions): Promise<FleetRun> {
  const run: FleetRun = { diagnostics: [], clusters: [], pins: new Map(), lock: { pins: [] }, lockChanged: false };
  // 1. config
  const loaded = await loadFleet(opts.reader);
  run.diagnostics.push(...loaded.diagnostics);
  const fleet = loaded.fleet;
  if (!fleet) return run;
  run.fleet = fleet;

  // 2. layering
  const names = new Set(fleet.clusters.map((c) => c.name));
  for (const n of opts.only ?? [])
    if (!names.has(n))
      throw new BraidError({ code: "USAGE", message: `no cluster named "${n}" in the fleet`, hint: `clusters: ${[...names].join(", ")}` });
  const selected = fleet.clusters.filter((c) => !opts.only?.length || opts.only.includes(c.name));
  const effective = selected.map((c) => effectiveCluster(fleet, c));

  // 3. pins
  const lockText = await opts.reader.read(LOCK_FILE);
  let lock: Lock | undefined;
  if (lockText !== undefined) {
    const parsed = parseLock(lockText);
    run.diagnostics.push(...parsed.diagnostics);
    lock = parsed.lock;
  }
  const resolved = await resolvePins(effective, opts.senv, { lock, update: opts.update });
  run.pins = resolved.pins;
  run.diagnostics.push(...resolved.diagnostics);
  run.lock = lockFromPins(resolved.pins.values());
  run.lockChanged = !lock || JSON.stringify(normalizeLock(lock)) !== JSON.stringify(normalizeLock(run.lock));

  // 4. schemas
  const openapi = await loadKubeOpenApi({
    kubernetesVersion: fleet.kubernetesVersion,
    envValue: opts.openapiEnv,
    configValue: fleet.validation.kubernetesOpenAPI,
    fleetDir: opts.senv.fleetDir,
    cwd: opts.cwd,
    cacheDir: opts.senv.cacheDir,
  });
  run.openapi = openapi;
  const schemaFiles: { path: string; text: string }[] = [];
  for (const path of await opts.reader.walk("schemas"))
    if (/\.(ya?ml|json)$/.test(path)) schemaFiles.push({ path, text: (await opts.reader.read(path)) ?? "" });
  const fleetSchemas = loadFleetSchemas(schemaFiles);
  run.diagnostics.push(...fleetSchemas.diagnostics);
  const baseIndex = createKubeSchemaIndex(openapi, fleetSchemas.crds);
  const registry = createSchemaRegistry(openapi, { strict: fleet.validation.strict });

  // 5. clusters
  const cache = createManifestCache();
  const indexFor = indexCache();
  let done = 0;
  for (const cluster of effective) {
    const result = await renderOne(cluster, resolved.pins, cache, fleet, baseIndex, fleetSchemas, openapi, registry, opts, indexFor);
    run.clusters.push(result);
    opts.onProgress?.(++done, effective.length, cluster.name);
  }
  return run;
}

async function renderOne(
  cluster: EffectiveCluster,
  pins: Map<string, ResolvedPin>,
  cache: ReturnType<typeof createManifestCache>,
  fleet: Fleet,
  baseIndex: ReturnType<typeof createKubeSchemaIndex>,
  fleetSchemas: ReturnType<typeof loadFleetSchemas>,
  openapi: KubeOpenApi,
  registry: ReturnType<typeof createSchemaRegistry>,
  opts: FleetRunOptions,
  indexFor: ReturnType<typeof indexCache>,
): Promise<ClusterResult> {
  const diagnostics: Diagnostic[] = [];
  const used: ResolvedPin[] = [];
  const manifests: Resource[] = [];
  let pinFailed = false;
  for (const p of cluster.pins) {
    const pin = pins.get(pinKey(p.source.name, p.ref));
    if (!pin?.resolution || !pin.repo) {
      pinFailed = true;
      continue;
    }
    used.push(pin);
    try {
      const loaded = await loadSourceManifests(cache, pin.repo.gitdir, pin.resolution.commit, p.source);
      manifests.push(...loaded.resources);
      diagnostics.push(...loaded.diagnostics.map((d) => ({ ...d, cluster: cluster.name })));
    } catch (e) {
      diagnostics.push({ ...toDiagnostic(e), cluster: cluster.name });
    }
  }
  if (pinFailed)
    diagnostics.push({
      code: "REF_NOT_FOUND",
      severity: "error",
      cluster: cluster.name,
      message: "a source pin of this cluster could not be resolved (see the error above)",
      location: cluster.location,
    });
  const inputDigest = digestOf({
    kubernetesVersion: fleet.kubernetesVersion,
    pins: used.map((p) => ({ s: p.source.name, c: p.resolution!.commit, p: p.source.path, i: p.source.include, e: p.source.exclude })),
    vars: cluster.vars,
    patches: cluster.patches.map((p) => [p.type, p.target ?? null, p.body, p.optional]),
  });

  const rendered = renderCluster(cluster, manifests, baseIndex);
  diagnostics.push(...rendered.diagnostics);
  const renderedCrds = rendered.resources.filter(isCrd);
  const index = renderedCrds.length ? indexFor(renderedCrds, () => createKubeSchemaIndex(openapi, [...fleetSchemas.crds, ...renderedCrds])) : baseIndex;
  if (!opts.skipValidation)
    diagnostics.push(
      ...validateResources(rendered.resources, {
        cluster: cluster.name,
        openapi,
        crds: [...fleetSchemas.crds, ...renderedCrds],
        policies: fleetSchemas.policies,
        strict: fleet.validation.strict,
        ignoreMissingSchemas: fleet.validation.ignoreMissingSchemas,
        skipKinds: fleet.validation.skipKinds,
        registry,
      }),
    );
  // without validation (inventory) the names still decide the file paths: check them anyway
  else diagnostics.push(...checkIdentities(rendered.resources, cluster.name));
  scrubSecretValues(diagnostics, [...manifests, ...rendered.resources], cluster.patches);
  let ok = !hasErrors(diagnostics);
  let output: ClusterOutput | undefined;
  if (ok)
    try {
      output = layoutCluster(cluster.name, fleet.output.path, rendered.resources, index);
    } catch (e) {
      if (!(e instanceof BraidError)) throw e;
      diagnostics.push({ ...e.diagnostic, cluster: cluster.name });
      ok = false;
    }
  return {
    name: cluster.name,
    cluster,
    pins: used,
    resources: rendered.resources,
    output,
    diagnostics,
    ok,
    inputDigest,
  };
}

/** Replaces every Secret value (before or after patches, or in a patch of a Secret) that a diagnostic quotes by its hash, in place. */
function scrubSecretValues(diagnostics: Diagnostic[], resources: readonly Resource[], patches: EffectiveCluster["patches"]): void {
  if (!diagnostics.length) return;
  const values = new Set<string>(patches.flatMap(patchSecretValues));
  const seen = new Set<object>();
  for (const r of resources)
    if (r.object.kind === "Secret" && !seen.has(r.object)) {
      seen.add(r.object);
      for (const v of sensitiveValues(r.object)) values.add(v);
    }
  if (!values.size) return;
  const list = [...values];
  for (let i = 0; i < diagnostics.length; i++) {
    const d = diagnostics[i]!;
    diagnostics[i] = { ...d, message: scrubText(d.message, list), ...(d.hint ? { hint: scrubText(d.hint, list) } : {}) };
  }
}

/** Clusters that render the same CRD objects (shared, unpatched) share one schema index within a run. */
function indexCache(): (crds: readonly Resource[], make: () => KubeSchemaIndex) => KubeSchemaIndex {
  const objectIds = new WeakMap<object, number>();
  const indexes = new Map<string, KubeSchemaIndex>();
  let next = 0;
  return (crds, make) => {
    const key = crds
      .map((r) => {
        let id = objectIds.get(r.object);
        if (id === undefined) objectIds.set(r.object, (id = ++next));
        return id;
      })
      .join(",");
    let index = indexes.get(key);
    if (!index) indexes.set(key, (index = make()));
    return index;
  };
}

function normalizeLock(lock: Lock): unknown {
  return lock.pins
    .map((p) => ({ k: pinKey(p.source, p.ref), u: p.url, c: p.commit, t: p.tag ?? null, b: p.branch ?? null, cl: [...(p.clusters ?? [])].sort() }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
}
