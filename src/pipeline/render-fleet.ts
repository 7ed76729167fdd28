import { join } from "node:path";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { BraidError, hasErrors, toDiagnostic } from "../diagnostics/diagnostic.js";
import { DamagedRepositoryError } from "../git/damaged.js";
import { recordingReader, type FleetReader } from "../config/fleet-files.js";
import { effectiveCluster } from "../config/layer.js";
import { loadFleet } from "../config/load-fleet.js";
import type { ConfigCache } from "../config/config-cache.js";
import type { ManifestStore } from "../render/manifest-store.js";
import { mapPool } from "../model/map-pool.js";
import type { EffectiveCluster, Fleet } from "../config/types.js";
import type { KubeOpenApi } from "../model/kube-openapi.js";
import type { KubeSchemaIndex } from "../model/kube-schema.js";
import type { Resource } from "../model/resource.js";
import { LOCK_FILE, parseLockCached, pinKey, type Lock } from "../sources/lock.js";
import type { SourceEnv } from "../sources/open-source.js";
import { lockFromPins, resolvePins, type ResolvedPin } from "../sources/resolve-pins.js";
import { isCrd } from "../validate/crd.js";
import { createKubeSchemaIndex } from "../validate/kube-schema-index.js";
import { loadKubeOpenApi, readKubeOpenApi, type OpenApiLoadOptions, type ReadOpenApi } from "../kube/openapi-load.js";
import { loadFleetSchemas } from "../validate/org-schemas.js";
import { createSchemaRegistry } from "../validate/registry.js";
import { patchSecretValues, scrubText, sensitiveValues } from "../model/secret-redaction.js";
import { checkIdentities } from "../validate/object-identity.js";
import { validateResources } from "../validate/validate-resources.js";
import { loadSource } from "../kustomize/load-source.js";
import type { SourceDef } from "../config/types.js";
import { rolloutStage } from "./rollout-stage.js";
import { layoutCluster, withDefaultNamespaces, type ClusterOutput } from "../render/output-tree.js";
import { renderCluster } from "../render/render-cluster.js";
import { createRunContext, type RunContext } from "./run-context.js";
import { defaultSeverityOf } from "../diagnostics/codes.js";
import { pinRemotes, remoteEnvOf, type RemoteBases } from "./remote-pins.js";
import { RemoteFiles } from "../sources/remote-files.js";
import { clusterDigest, schemasDigest, type ClusterDigests, type DigestInputs } from "../render/cluster-digest.js";
import { countKinds, type ClusterReuse, type ReusedOutput } from "../render/reuse.js";
import { pushAll } from "../model/append.js";

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
  /** With `explainSource`: what that source yielded for this cluster, before braid's patches and variables. */
  explained?: Resource[];
  /** Set when the result was not rendered but reused (same input digest); `resources` is then empty. */
  reused?: ReusedOutput;
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
  /** The repositories of the remote bases the run read, by URL as written (code frames of errors inside them). */
  remoteBases?: ReadonlyMap<string, string>;
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
  /** Keep what this source yields per cluster (its kustomize build or manifests) in `ClusterResult.explained`. */
  explainSource?: string;
  /** Previous results to reuse for clusters whose input digest is unchanged (render/reuse.ts). */
  reuse?: ClusterReuse;
  /** Definitions of the fleet's unchanged group and cluster files from an earlier run (config/config-cache.ts). */
  configCache?: ConfigCache;
  /** Sources' manifests as parsed by an earlier run (render/manifest-store.ts). */
  manifestStore?: ManifestStore;
}

/**
 * A fleet run's first stages (config, layering, pins, schemas), done: what every cluster's input digest
 * needs. A preview computes base's digests from it before head is rendered, then renders base from it.
 */
export interface PreparedFleetRun {
  /** The run so far: the fleet, its diagnostics, pins and lock (no clusters yet). */
  readonly run: FleetRun;
  /** Each selected cluster's input digest, by name (undefined when the fleet config did not load). */
  clusterDigests(): Promise<Map<string, string> | undefined>;
}

interface Prepared {
  run: FleetRun;
  context: RunContext;
  stages?: {
    fleet: Fleet;
    effective: EffectiveCluster[];
    pins: Map<string, ResolvedPin>;
    fleetSchemas: ReturnType<typeof loadFleetSchemas>;
    apiFor: (version: string) => Promise<KubeApi>;
    digests: DigestInputs;
    /** Each cluster's digests, computed once (by name). */
    digestOf: (cluster: EffectiveCluster) => Promise<ClusterDigests>;
    /** The run's remote files and bases (pinned in stage 3b). */
    remote: RemoteFiles;
    remoteBases: RemoteBases;
  };
}

const preparedRuns = new WeakMap<PreparedFleetRun, Prepared>();

/**
 * Stages 1–4 of {@link renderFleet}: load and check the fleet config, layer each cluster, resolve every pin,
 * read the fleet's own schemas. `opts.reuse` and `opts.onProgress` are not used here.
 */
export async function prepareFleetRun(opts: FleetRunOptions): Promise<PreparedFleetRun> {
  const run: FleetRun = { diagnostics: [], clusters: [], pins: new Map(), lock: { pins: [] }, lockChanged: false };
  const context = createRunContext();
  const prepared: Prepared = { run, context };
  const handle: PreparedFleetRun = {
    run,
    async clusterDigests() {
      const stages = prepared.stages;
      if (!stages) return undefined;
      await stages.digests.openapi(stages.fleet.kubernetesVersion);
      const list = await mapPool(
        stages.effective,
        16,
        async (c) => [c.name, (await stages.digestOf(c)).digest] as const,
      );
      return new Map(list);
    },
  };
  preparedRuns.set(handle, prepared);
  if (opts.manifestStore) context.manifests.store = opts.manifestStore;
  // 1. config (the text of every file read is kept for the clusters' input digests)
  const recorded = recordingReader(opts.reader);
  const loaded = await loadFleet(recorded.reader, { cache: opts.configCache });
  pushAll(run.diagnostics, loaded.diagnostics);
  const fleet = loaded.fleet;
  if (!fleet) return handle;
  run.fleet = fleet;

  // 2. layering
  const names = new Set(fleet.clusters.map((c) => c.name));
  for (const n of opts.only ?? [])
    if (!names.has(n))
      throw new BraidError({
        code: "USAGE",
        message: `no cluster named "${n}" in the fleet`,
        hint: `clusters: ${[...names].join(", ")}`,
      });
  const selected = fleet.clusters.filter((c) => !opts.only?.length || opts.only.includes(c.name));
  const effective = selected.map((c) => effectiveCluster(fleet, c));

  // 3. pins
  const lockText = await recorded.reader.read(LOCK_FILE);
  let lock: Lock | undefined;
  if (lockText !== undefined) {
    const parsed = parseLockCached(lockText, opts.configCache);
    pushAll(run.diagnostics, parsed.diagnostics);
    lock = parsed.lock;
  }
  await opts.configCache?.save();
  // 3a. rollouts: their state in braid.lock moves or holds the pins of their clusters
  pushAll(run.diagnostics, rolloutStage(fleet, effective, lock));
  const resolved = await resolvePins(effective, opts.senv, { lock, update: opts.update, gitCache: context.git });
  run.pins = resolved.pins;
  pushAll(run.diagnostics, resolved.diagnostics);
  // 3b. remote files of pins resolved in this run (a locked pin's are in braid.lock)
  const remote = new RemoteFiles(opts.senv.cacheDir, opts.senv.timeoutMs, opts.senv.env);
  const { bases: remoteBases } = await pinRemotes(resolved.pins.values(), remote, context.manifests, opts.senv, {
    scanLocked: false,
    remoteBases: fleet.kustomize.remoteBases,
  });
  run.lock = { ...lockFromPins(resolved.pins.values()), ...(lock?.rollouts ? { rollouts: lock.rollouts } : {}) };
  run.lockChanged = !lock || JSON.stringify(normalizeLock(lock)) !== JSON.stringify(normalizeLock(run.lock));

  // 4. schemas: the fleet's Kubernetes version first, every other version a cluster uses once, when needed
  const schemaFiles: { path: string; text: string }[] = [];
  for (const path of await opts.reader.walk("schemas"))
    if (/\.(ya?ml|json)$/.test(path)) schemaFiles.push({ path, text: (await opts.reader.read(path)) ?? "" });
  const fleetSchemas = loadFleetSchemas(schemaFiles);
  pushAll(run.diagnostics, fleetSchemas.diagnostics);
  const docs = openApiDocs(fleet, opts);
  const digests = digestInputs(fleet, recorded.files, resolved.pins, schemaFiles, docs);
  const known = new Map<string, Promise<ClusterDigests>>();
  prepared.stages = {
    fleet,
    effective,
    pins: resolved.pins,
    fleetSchemas,
    apiFor: kubeApiCache(fleet, fleetSchemas, opts, docs, digests.schemas),
    digests,
    digestOf(cluster) {
      let d = known.get(cluster.name);
      if (!d) known.set(cluster.name, (d = clusterDigest(digests, cluster)));
      return d;
    },
    remote,
    remoteBases,
  };
  return handle;
}

/**
 * Renders a fleet. The stages, in order:
 *  1. load and check the fleet config (braid.yaml, groups, clusters, patch files);
 *  2. layer each cluster's settings (fleet → groups → cluster);
 *  3. resolve every pin (braid.lock first, unless --update);
 *  4. read the Kubernetes OpenAPI and the fleet's own schemas;
 *  5. per cluster: its input digest → a previous result with that digest (opts.reuse), else
 *     load manifests → patch → substitute → duplicates → validate → lay out files.
 * Content problems are collected; only environment failures (OpenAPI, remotes) throw. `prepared`: stages
 * 1–4 already done by {@link prepareFleetRun} with the same options (each prepared run renders once).
 */
export async function renderFleet(opts: FleetRunOptions, prepared?: PreparedFleetRun): Promise<FleetRun> {
  const state = preparedRuns.get(prepared ?? (await prepareFleetRun(opts)));
  if (!state) throw new Error("renderFleet: a prepared run not made by prepareFleetRun");
  const { run, context, stages } = state;
  if (!stages) return run;
  const { fleet, effective, pins, fleetSchemas, apiFor, digests, remote, remoteBases } = stages;
  run.remoteBases = remoteBases.gitdirs;
  await digests.openapi(fleet.kubernetesVersion); // no OpenAPI reachable is an environment error, reused or not
  // a run that explains a source or skips validation has other results than the digest says: never reused
  const reuse = opts.explainSource === undefined && !opts.skipValidation ? opts.reuse : undefined;
  if (!reuse) run.openapi = (await apiFor(fleet.kubernetesVersion)).openapi;
  await reuse?.open?.(fleet);

  // 5. clusters: first every input digest and previous result, several lookups at a time (each reads a file)
  const previous = await mapPool(effective, 16, async (cluster) => {
    const d = await stages.digestOf(cluster);
    return { ...d, reused: await reuse?.lookup(cluster, d) };
  });
  let done = 0;
  for (const [i, cluster] of effective.entries()) {
    const { digest: inputDigest, key, reused } = previous[i]!;
    let result: ClusterResult;
    if (reused) result = reusedResult(cluster, pins, reused, inputDigest);
    else {
      const api = await apiFor(cluster.kubernetesVersion);
      run.openapi ??= (await apiFor(fleet.kubernetesVersion)).openapi;
      result = {
        ...(await renderOne(cluster, { pins, context, fleet, fleetSchemas, api, opts, remote, remoteBases })),
        inputDigest,
      };
      if (result.ok && result.output)
        await reuse?.store?.({
          name: result.name,
          digest: inputDigest,
          key,
          dir: result.output.dir,
          files: result.output.files,
          resources: result.resources.length,
          kinds: countKinds(result.resources.map((r) => r.id.kind)),
          diagnostics: result.diagnostics,
        });
    }
    run.clusters.push(result);
    opts.onProgress?.(++done, effective.length, cluster.name);
  }
  await reuse?.close?.();
  await opts.manifestStore?.close();
  return run;
}

/** The fleet-wide parts of the clusters' input digests; each OpenAPI document is read and hashed once. */
function digestInputs(
  fleet: Fleet,
  files: ReadonlyMap<string, string | undefined>,
  pins: Map<string, ResolvedPin>,
  schemaFiles: { path: string; text: string }[],
  docs: OpenApiDocs,
): DigestInputs {
  return {
    fleet,
    files,
    pins,
    schemas: schemasDigest(schemaFiles),
    openapi: async (version) => (await docs.read(version)).digest,
  };
}

/** The OpenAPI document of each Kubernetes version, read once per run: for the digests and for the schemas. */
interface OpenApiDocs {
  optionsFor(version: string): OpenApiLoadOptions;
  read(version: string): Promise<ReadOpenApi>;
}

function openApiDocs(fleet: Fleet, opts: FleetRunOptions): OpenApiDocs {
  const docs = new Map<string, Promise<ReadOpenApi>>();
  const optionsFor = (version: string): OpenApiLoadOptions => ({
    kubernetesVersion: version,
    envValue: opts.openapiEnv,
    configValue: fleet.validation.kubernetesOpenAPI,
    fleetDir: opts.senv.fleetDir,
    cwd: opts.cwd,
    cacheDir: opts.senv.cacheDir,
    env: opts.senv.env,
  });
  return {
    optionsFor,
    read(version) {
      let d = docs.get(version);
      if (!d) docs.set(version, (d = readKubeOpenApi(optionsFor(version))));
      return d;
    },
  };
}

/** A cluster's result taken from a previous run with the same input digest (nothing rendered). */
function reusedResult(
  cluster: EffectiveCluster,
  pins: Map<string, ResolvedPin>,
  reused: ReusedOutput,
  inputDigest: string,
): ClusterResult {
  const used = cluster.pins
    .map((p) => pins.get(pinKey(p.source.name, p.ref)))
    .filter((p): p is ResolvedPin => Boolean(p?.resolution && p.repo));
  return {
    name: cluster.name,
    cluster,
    pins: used,
    resources: [],
    output: { cluster: cluster.name, dir: reused.dir, files: reused.files ?? [] },
    diagnostics: reused.diagnostics,
    ok: true,
    inputDigest,
    reused,
  };
}

/** One Kubernetes version's API: the OpenAPI, its schema index and compiled validators. */
interface KubeApi {
  openapi: KubeOpenApi;
  baseIndex: KubeSchemaIndex;
  /** What `baseIndex` is made from: the OpenAPI document's digest and the fleet's schemas' digest. */
  baseDigest: string;
  registry: ReturnType<typeof createSchemaRegistry>;
  indexFor: ReturnType<typeof indexCache>;
}

/** Loads each Kubernetes version's OpenAPI once per run (clusters may run different versions). */
function kubeApiCache(
  fleet: Fleet,
  fleetSchemas: ReturnType<typeof loadFleetSchemas>,
  opts: FleetRunOptions,
  docs: OpenApiDocs,
  schemasDigest: string,
): (version: string) => Promise<KubeApi> {
  const apis = new Map<string, Promise<KubeApi>>();
  return (version) => {
    let api = apis.get(version);
    if (!api) {
      api = loadKubeOpenApi(docs.optionsFor(version), docs.read(version)).then((openapi) => ({
        openapi,
        baseIndex: createKubeSchemaIndex(openapi, fleetSchemas.crds),
        baseDigest: `${openapi.digest}\u0000${schemasDigest}`,
        registry: createSchemaRegistry(openapi, {
          strict: fleet.validation.strict,
          codeCache: join(opts.senv.cacheDir, "validators"),
        }),
        indexFor: indexCache(),
      }));
      apis.set(version, api);
    }
    return api;
  };
}

/** What rendering a cluster needs from its run. */
interface ClusterRun {
  pins: Map<string, ResolvedPin>;
  /** The run's caches. */
  context: RunContext;
  fleet: Fleet;
  fleetSchemas: ReturnType<typeof loadFleetSchemas>;
  /** The API of the cluster's Kubernetes version. */
  api: KubeApi;
  opts: FleetRunOptions;
  remote: RemoteFiles;
  remoteBases: RemoteBases;
}

async function renderOne(cluster: EffectiveCluster, run: ClusterRun): Promise<ClusterResult> {
  const { pins, context, fleet, fleetSchemas, api, opts, remote, remoteBases } = run;
  const cache = context.manifests;
  const { openapi, baseIndex, baseDigest, registry, indexFor } = api;
  const diagnostics: Diagnostic[] = [];
  const used: ResolvedPin[] = [];
  const manifests: Resource[] = [];
  let explained: Resource[] | undefined;
  const failedSources: string[] = [];
  for (const p of cluster.pins) {
    const pin = pins.get(pinKey(p.source.name, p.ref));
    if (!pin?.resolution || !pin.repo) {
      failedSources.push(p.source.name);
      continue;
    }
    used.push(pin);
    try {
      const commit = pin.resolution.commit;
      const loaded = await loadSource(
        cache,
        pin.repo.gitdir,
        commit,
        p.source,
        baseIndex,
        p.namespace,
        baseDigest,
        remoteEnvOf(pin, remote, remoteBases),
      );
      const yielded = loaded.resources;
      if (opts.explainSource === p.source.name) explained = yielded;
      pushAll(manifests, yielded);
      pushAll(
        diagnostics,
        loaded.diagnostics.map((d) => ({ ...d, cluster: cluster.name })),
      );
      if (
        loaded.resources.length === 0 &&
        !hasErrors(loaded.diagnostics) &&
        !loaded.diagnostics.some((d) => d.code === "SOURCE_EMPTY")
      )
        diagnostics.push(sourceEmpty(p.source, commit, loaded.kustomization, cluster.name));
    } catch (e) {
      const d = toDiagnostic(e);
      // a damaged repository: which source reads it, and where braid.yaml declares it
      if (e instanceof DamagedRepositoryError)
        diagnostics.push({
          ...d,
          message: `source "${p.source.name}": ${d.message}`,
          location: d.location ?? p.source.location,
          cluster: cluster.name,
        });
      else diagnostics.push({ ...d, cluster: cluster.name });
    }
  }
  const rendered = renderCluster(cluster, manifests, baseIndex, context);
  pushAll(diagnostics, suppressFollowOns(cluster, failedSources, rendered.diagnostics));
  const { substitutionFailed } = rendered;
  const checked = substitutionFailed.size
    ? rendered.resources.filter((r) => !substitutionFailed.has(r))
    : rendered.resources;
  const renderedCrds = checked.filter(isCrd);
  const index = renderedCrds.length
    ? indexFor(renderedCrds, () => createKubeSchemaIndex(openapi, [...fleetSchemas.crds, ...renderedCrds]))
    : baseIndex;
  if (!opts.skipValidation)
    pushAll(
      diagnostics,
      validateResources(checked, {
        cluster: cluster.name,
        openapi,
        crds: [...fleetSchemas.crds, ...renderedCrds],
        policies: fleetSchemas.policies,
        strict: fleet.validation.strict,
        ignoreMissingSchemas: fleet.validation.ignoreMissingSchemas,
        skipKinds: fleet.validation.skipKinds,
        registry,
        memo: context.validation,
      }),
    );
  // without validation (render --explain-source) the names still decide the file paths: check them anyway
  else pushAll(diagnostics, checkIdentities(checked, cluster.name));
  scrubSecretValues(diagnostics, [...manifests, ...rendered.resources], cluster.patches);
  let ok = !hasErrors(diagnostics);
  // published namespaced objects always carry metadata.namespace (Flux applies with server-side apply)
  const resources = withDefaultNamespaces(rendered.resources, index, context.output);
  let output: ClusterOutput | undefined;
  if (ok)
    try {
      output = layoutCluster(cluster.name, fleet.output.path, resources, index, context.output);
    } catch (e) {
      if (!(e instanceof BraidError)) throw e;
      diagnostics.push({ ...e.diagnostic, cluster: cluster.name });
      ok = false;
    }
  return {
    name: cluster.name,
    cluster,
    pins: used,
    resources,
    output,
    diagnostics,
    ok,
    inputDigest: "", // set by the caller (render/cluster-digest.ts)
    ...(explained ? { explained } : {}),
  };
}

/** Replaces every Secret value (before or after patches, or in a patch of a Secret) that a diagnostic quotes by its hash, in place. */
function scrubSecretValues(
  diagnostics: Diagnostic[],
  resources: readonly Resource[],
  patches: EffectiveCluster["patches"],
): void {
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
    diagnostics[i] = {
      ...d,
      message: scrubText(d.message, list),
      ...(d.hint ? { hint: scrubText(d.hint, list) } : {}),
    };
  }
}

/**
 * One root cause, one error: when a pin of the cluster failed, its source's objects are missing, so every
 * "patch matches nothing" is a likely follow-on. They are dropped and counted in the one cluster error.
 */
function suppressFollowOns(cluster: EffectiveCluster, failedSources: string[], rendered: Diagnostic[]): Diagnostic[] {
  if (!failedSources.length) return rendered;
  const kept = rendered.filter((d) => d.code !== "PATCH_NO_MATCH");
  const suppressed = rendered.length - kept.length;
  const names = failedSources.map((s) => `"${s}"`).join(", ");
  return [
    {
      code: "REF_NOT_FOUND",
      severity: "error",
      cluster: cluster.name,
      message:
        `the pin of source ${names} could not be resolved (see the error above), so its objects are missing` +
        (suppressed
          ? `; ${suppressed} follow-on "patch matches nothing" error${suppressed === 1 ? " was" : "s were"} suppressed`
          : ""),
      location: cluster.location,
      hint: suppressed ? "fix the pin; the suppressed patch errors are reported again if they remain" : undefined,
    },
    ...kept,
  ];
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
    .map((p) => ({
      k: pinKey(p.source, p.ref),
      u: p.url,
      c: p.commit,
      t: p.tag ?? null,
      b: p.branch ?? null,
      cl: [...(p.clusters ?? [])].sort(),
      r: p.remotes ?? [],
    }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
}

/** A source that yields no object: a warning naming the source and its path (Flux would apply nothing). */
function sourceEmpty(source: SourceDef, commit: string, kustomization: boolean, cluster: string): Diagnostic {
  const where = source.path ? `"${source.path}"` : "the repository root";
  return {
    code: "SOURCE_EMPTY",
    severity: defaultSeverityOf("SOURCE_EMPTY"),
    cluster,
    message: kustomization
      ? `source "${source.name}" yields no objects: the kustomization in ${where} builds nothing at ${commit.slice(0, 12)}`
      : `source "${source.name}" yields no objects: no manifest under ${where} matches include/exclude at ${commit.slice(0, 12)}`,
    location: source.location,
    hint: kustomization
      ? "check the kustomization's resources"
      : "check spec.sources[].path, include and exclude in braid.yaml",
  };
}
