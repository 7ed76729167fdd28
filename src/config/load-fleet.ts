import { BraidError } from "../diagnostics/diagnostic.js";
import type { Document } from "yaml";
import { setOwn } from "../model/own-keys.js";
import type { Diagnostic, SourceLocation } from "../diagnostics/diagnostic.js";
import type { JsonPath } from "../model/resource.js";
import { recordingReader, type FleetReader } from "./fleet-files.js";
import { normalizePatches } from "./normalize-patches.js";
import { checkFleetRules } from "./rules.js";
import { branchNameProblem } from "../git/ref-name.js";
import { redactUrl } from "../diagnostics/redact-url.js";
import { sourceUrlProblem } from "../diagnostics/remote-url.js";
import { checkConfigSchema, type SCHEMA_FILES } from "./schema-check.js";
import type { ClusterDef, Fleet, GroupDef, LabelSelector, LayerDef, PinDef, RefSpec, SourceDef } from "./types.js";
import { isScalar } from "yaml";
import { toRolloutDef } from "./rollout-def.js";
import type { ConfigCache, LayerFileDef } from "./config-cache.js";
import { mapPool } from "../model/map-pool.js";
import type { RolloutDef } from "./rollout-types.js";
import { documentToJs, nodeAt, parseYamlFile, positionOf, type YamlFile } from "../model/yaml-file.js";
import { pushAll } from "../model/append.js";

/** The fleet file name. */
const FLEET_FILE = "braid.yaml";

interface LoadedDoc {
  value: Record<string, unknown>;
  yaml: YamlFile;
  doc: Document.Parsed;
}

/** Reads one config file: exactly one YAML document of the given kind, schema-checked. */
async function loadConfigDoc(
  reader: FleetReader,
  path: string,
  kind: keyof typeof SCHEMA_FILES,
  diagnostics: Diagnostic[],
): Promise<LoadedDoc | undefined> {
  const text = await readConfigText(reader, path, kind, diagnostics);
  return text === undefined ? undefined : parseConfigDoc(text, path, kind, diagnostics);
}

/** A config file's text (undefined, reported, when it is missing or a link out of the fleet folder). */
async function readConfigText(
  reader: FleetReader,
  path: string,
  kind: keyof typeof SCHEMA_FILES,
  diagnostics: Diagnostic[],
): Promise<string | undefined> {
  let text: string | undefined;
  try {
    text = await reader.read(path);
  } catch (e) {
    if (!(e instanceof BraidError) || !["PATH_ESCAPE", "YAML_SYNTAX", "FILE_TOO_LARGE"].includes(e.code)) throw e;
    diagnostics.push(e.diagnostic); // a symbolic link out of the fleet folder, a file that is not UTF-8 or too large
    return undefined;
  }
  if (text === undefined) {
    diagnostics.push({
      code: "CONFIG_NOT_FOUND",
      severity: "error",
      message: `${path} not found in ${reader.label}`,
      location: { file: path },
      hint:
        kind === "Fleet"
          ? "run braid in the fleet folder, or pass --fleet DIR (the folder holding braid.yaml)"
          : undefined,
    });
    return undefined;
  }
  return text;
}

/** Parses one config file's text: exactly one YAML document of the given kind, schema-checked. */
function parseConfigDoc(
  text: string,
  path: string,
  kind: keyof typeof SCHEMA_FILES,
  diagnostics: Diagnostic[],
): LoadedDoc | undefined {
  const yaml = parseYamlFile(text, path);
  if (yaml.diagnostics.length) {
    pushAll(diagnostics, yaml.diagnostics);
    return undefined;
  }
  const docs = yaml.docs.filter((d) => d.contents !== null);
  if (docs.length !== 1) {
    diagnostics.push({
      code: "CONFIG_SCHEMA",
      severity: "error",
      message: docs.length
        ? `${path} holds ${docs.length} YAML documents; a config file holds exactly one`
        : `${path} is empty`,
      location: { file: path, ...(docs[1] ? positionOf(yaml, docs[1], []) : { line: 1, column: 1 }) },
      hint: kind === "Cluster" || kind === "Group" ? `one ${kind} per file` : undefined,
    });
    return undefined;
  }
  const doc = docs[0]!;
  const js = documentToJs(doc, path, yaml.lineCounter);
  if (js.diagnostic) {
    diagnostics.push(js.diagnostic);
    return undefined;
  }
  const value = js.value;
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    diagnostics.push({
      code: "CONFIG_SCHEMA",
      severity: "error",
      message: `${path} must be a mapping with apiVersion: braid/v1alpha1 and kind: ${kind}`,
      location: { file: path, ...positionOf(yaml, doc, []) },
    });
    return undefined;
  }
  const problems = checkConfigSchema(kind, value, yaml, doc);
  if (problems.length) {
    pushAll(diagnostics, problems);
    return undefined;
  }
  return { value: value as Record<string, unknown>, yaml, doc };
}

function loc(d: LoadedDoc, path: JsonPath): SourceLocation {
  return { file: d.yaml.file, ...positionOf(d.yaml, d.doc, path) };
}

function toVars(
  d: LoadedDoc,
  vars: Record<string, unknown> | undefined,
  basePath: JsonPath,
): { vars: Record<string, string>; varLocations: Record<string, SourceLocation> } {
  const out: Record<string, string> = {};
  const locations: Record<string, SourceLocation> = {};
  for (const [k, v] of Object.entries(vars ?? {})) {
    // a number keeps the text it was written as (`MODE: 0644` is "0644", not 420)
    const node = typeof v === "number" ? nodeAt(d.doc, [...basePath, k], true) : undefined;
    setOwn(out, k, isScalar(node) && typeof node.source === "string" ? node.source : String(v)); // `__proto__` is a name too
    setOwn(locations, k, loc(d, [...basePath, k]));
  }
  return { vars: out, varLocations: locations };
}

function toPins(
  d: LoadedDoc,
  list: { name: string; ref?: RefSpec; enabled?: boolean; namespace?: string; substitute?: boolean }[] | undefined,
  basePath: JsonPath,
): PinDef[] {
  return (list ?? []).map((s, i) => ({
    source: s.name,
    ref: s.ref,
    ...(s.enabled !== undefined ? { enabled: s.enabled } : {}),
    ...(s.substitute !== undefined ? { substitute: s.substitute } : {}),
    location: loc(d, [...basePath, i, s.ref ? "ref" : "name"]),
    ...(s.namespace !== undefined
      ? { namespace: { value: s.namespace, location: loc(d, [...basePath, i, "namespace"]) } }
      : {}),
  }));
}

async function toLayer(
  d: LoadedDoc,
  name: string,
  spec: Record<string, unknown>,
  layer: string,
  reader: FleetReader,
  diagnostics: Diagnostic[],
): Promise<LayerDef> {
  const { patches, diagnostics: pd } = await normalizePatches((spec.patches ?? []) as never[], {
    yaml: d.yaml,
    doc: d.doc,
    basePath: ["spec", "patches"],
    layer,
    reader,
  });
  pushAll(diagnostics, pd);
  return {
    name,
    file: d.yaml.file,
    sources: toPins(d, spec.sources as never, ["spec", "sources"]),
    ...toVars(d, spec.vars as Record<string, unknown> | undefined, ["spec", "vars"]),
    patches,
    ...(typeof spec.kubernetesVersion === "string" && layer !== "fleet"
      ? { kubernetesVersion: spec.kubernetesVersion }
      : {}),
  };
}

/**
 * A source URL as braid will use it: credentials never come from config, so a URL carrying a userinfo
 * password or token (or one WHATWG reads with another host) is reported (CONFIG_URL, located) and only
 * its redacted form goes on (to the lock, the cache, messages).
 */
function checkedSourceUrl(name: string, url: string, location: SourceLocation, diagnostics: Diagnostic[]): string {
  const problem = sourceUrlProblem(url);
  if (!problem) return url;
  diagnostics.push({
    code: "CONFIG_URL",
    severity: "error",
    message: `source "${name}": url ${redactUrl(url)} ${problem}`,
    location,
    hint: "write the URL without user name or token; give the token in the environment (BRAID_GIT_TOKEN_<HOST>, see README: Sources)",
  });
  return redactUrl(url);
}

function configFiles(names: string[]): string[] {
  return names.filter((n) => /\.ya?ml$/.test(n) && !n.startsWith("."));
}

/** Options of {@link loadFleet}. */
export interface LoadFleetOptions {
  /** Definitions of unchanged group and cluster files from an earlier run (config/config-cache.ts). */
  cache?: ConfigCache;
}

/**
 * A group's or cluster's file, as its definition: from the cache when the file (and the patch files it
 * names) are unchanged, else parsed, checked and normalized (and kept in the cache when it had no problem).
 */
async function loadLayerFile(
  reader: FleetReader,
  path: string,
  kind: "Group" | "Cluster",
  diagnostics: Diagnostic[],
  cache: ConfigCache | undefined,
): Promise<LayerFileDef | undefined> {
  const text = await readConfigText(reader, path, kind, diagnostics);
  if (text === undefined) return undefined;
  const hit = await cache?.get(path, text, reader);
  if (hit) return hit;
  const problems: Diagnostic[] = [];
  const d = parseConfigDoc(text, path, kind, problems);
  let def: LayerFileDef | undefined;
  let deps: ReadonlyMap<string, string | undefined> = new Map();
  if (d) {
    const spec = (d.value.spec as Record<string, unknown> | undefined) ?? {};
    const meta = d.value.metadata as {
      name: string;
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
    };
    // the patch files the layer reads are part of what its definition is made from
    const recording = recordingReader(reader);
    deps = recording.files;
    const layer = await toLayer(d, meta.name, spec, `${kind.toLowerCase()} ${meta.name}`, recording.reader, problems);
    def =
      kind === "Group"
        ? {
            ...layer,
            priority: (spec.priority as number | undefined) ?? 0,
            selector: spec.selector as LabelSelector,
            location: loc(d, ["metadata", "name"]),
          }
        : {
            ...layer,
            labels: meta.labels ?? {},
            annotations: meta.annotations ?? {},
            location: loc(d, ["metadata", "name"]),
          };
  }
  pushAll(diagnostics, problems);
  // as the cache gives it back: a thousand clusters' parsed YAML need not stay in memory for the whole run
  if (def && problems.length === 0) return cache?.set(path, text, def, deps) ?? def;
  return def;
}

/**
 * The group or cluster files of a folder, loaded several at a time (reads wait on the file system), their
 * definitions and problems kept in file order.
 */
async function loadLayerFiles(
  reader: FleetReader,
  dir: "groups" | "clusters",
  kind: "Group" | "Cluster",
  diagnostics: Diagnostic[],
  cache: ConfigCache | undefined,
): Promise<{ defs: LayerFileDef[]; files: string[] }> {
  const files = configFiles(await reader.list(dir));
  const loaded = await mapPool(files, 16, async (file) => {
    const problems: Diagnostic[] = [];
    return { def: await loadLayerFile(reader, `${dir}/${file}`, kind, problems, cache), problems };
  });
  const defs: LayerFileDef[] = [];
  for (const { def, problems } of loaded) {
    pushAll(diagnostics, problems);
    if (def) defs.push(def);
  }
  return { defs, files };
}

/**
 * A source's folder as kustomize-controller finds it (`securejoin.SecureJoin(root, spec.path)`): "", ".", "./"
 * and "/" are the repository's root; empty and "." segments are dropped and ".." steps up, never above the
 * root ("../x" is "x").
 */
function sourcePath(path: string): string {
  const out: string[] = [];
  for (const seg of path.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") out.pop();
    else out.push(seg);
  }
  return out.join("/");
}

/**
 * Loads and checks the whole fleet: braid.yaml, clusters/*.yaml, groups/*.yaml and the patch files they name.
 * Returns every problem found (it does not stop at the first); `fleet` is undefined when braid.yaml is unusable.
 */
export async function loadFleet(
  reader: FleetReader,
  opts: LoadFleetOptions = {},
): Promise<{ fleet?: Fleet; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  const f = await loadConfigDoc(reader, FLEET_FILE, "Fleet", diagnostics);
  if (!f) return { diagnostics };
  const spec = f.value.spec as Record<string, unknown>;
  const meta = f.value.metadata as { name: string };

  const sources: SourceDef[] = ((spec.sources ?? []) as Record<string, unknown>[]).map((s, i) => ({
    name: s.name as string,
    url: checkedSourceUrl(s.name as string, s.url as string, loc(f, ["spec", "sources", i, "url"]), diagnostics),
    ...(sourceUrlProblem(s.url as string) ? { urlRefused: true } : {}),
    ref: s.ref as RefSpec | undefined,
    path: sourcePath((s.path as string | undefined) ?? ""),
    include: (s.include as string[] | undefined) ?? ["**/*.yaml", "**/*.yml"],
    exclude: (s.exclude as string[] | undefined) ?? [],
    ...(typeof s.ignore === "string" ? { ignore: s.ignore } : {}),
    substitute: (s.substitute as boolean | undefined) ?? true,
    enabled: (s.enabled as boolean | undefined) ?? true,
    ...(typeof s.namespace === "string" ? { namespace: s.namespace } : {}),
    location: loc(f, ["spec", "sources", i]),
  }));
  const defaults = await toLayer(f, "fleet", spec, "fleet", reader, diagnostics);
  defaults.sources = sources.map((s, i) => ({
    source: s.name,
    ref: s.ref,
    location: loc(f, ["spec", "sources", i, s.ref ? "ref" : "name"]),
    ...(s.namespace !== undefined
      ? { namespace: { value: s.namespace, location: loc(f, ["spec", "sources", i, "namespace"]) } }
      : {}),
  }));

  const validation = (spec.validation as Record<string, unknown> | undefined) ?? {};
  const output = (spec.output as Record<string, unknown> | undefined) ?? {};
  const publish = (spec.publish as Record<string, unknown> | undefined) ?? {};
  const preview = (spec.preview as Record<string, unknown> | undefined) ?? {};
  const kustomize = (spec.kustomize as Record<string, unknown> | undefined) ?? {};

  const groups = (await loadLayerFiles(reader, "groups", "Group", diagnostics, opts.cache)).defs as GroupDef[];
  groups.sort((a, b) => a.priority - b.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const { defs, files: clusterFiles } = await loadLayerFiles(reader, "clusters", "Cluster", diagnostics, opts.cache);
  const clusters = defs as ClusterDef[];
  clusters.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const rollouts: RolloutDef[] = [];
  for (const file of configFiles(await reader.list("rollouts"))) {
    const r = await loadConfigDoc(reader, `rollouts/${file}`, "Rollout", diagnostics);
    if (r) rollouts.push(toRolloutDef(r.value, r.yaml.file, (path) => loc(r, path)));
  }
  rollouts.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const fleet: Fleet = {
    dir: reader.label,
    name: meta.name,
    sources,
    kubernetesVersion: spec.kubernetesVersion as string,
    validation: {
      strict: (validation.strict as boolean | undefined) ?? true,
      ignoreMissingSchemas: (validation.ignoreMissingSchemas as boolean | undefined) ?? false,
      kubernetesOpenAPI: (validation.kubernetesOpenAPI as string | undefined) || undefined,
      skipKinds: (validation.skipKinds as string[] | undefined) ?? [],
    },
    output: {
      branch: (output.branch as string | undefined) ?? "deploy",
      path: (output.path as string | undefined) ?? "clusters/{cluster}",
    },
    publish: { pruneThreshold: (publish.pruneThreshold as number | undefined) ?? 0.5 },
    preview: { sensitivePaths: (preview.sensitivePaths as string[] | undefined) ?? [] },
    kustomize: { remoteBases: (kustomize.remoteBases as boolean | undefined) ?? true },
    defaults,
    groups,
    clusters,
    rollouts,
  };
  const branchProblem = branchNameProblem(fleet.output.branch);
  if (branchProblem)
    diagnostics.push({
      code: "CONFIG_REF_NAME",
      severity: "error",
      message: `output.branch "${fleet.output.branch}" is not a valid Git branch name: ${branchProblem}`,
      location: loc(f, ["spec", "output", "branch"]),
      hint: "use a branch name git accepts (git check-ref-format --branch), e.g. deploy",
    });
  // an empty fleet is reported only when there is no cluster file at all (not when they all failed to load)
  pushAll(
    diagnostics,
    checkFleetRules(fleet).filter((d) => d.code !== "FLEET_EMPTY" || clusterFiles.length === 0),
  );
  return { fleet, diagnostics };
}
