/**
 * Test harness for the kustomize field transformers: writes a folder (a kustomization plus resource files),
 * runs `kubectl kustomize` on it (the oracle), and applies braid's transformers to the same resources in
 * kustomize's order, with a KustomizationContext over the folder (positions from the kustomization file).
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { parseAllDocuments } from "yaml";
import { documentToJs, parseYamlFile, positionOf } from "../../src/model/yaml-file.js";
import type { KustomizationContext } from "../../src/kustomize/context.js";
import type { Json, JsonObject, Resource } from "../../src/model/resource.js";
import { resourcesFromYaml } from "./test-resource.js";
import { kubectl } from "./kubectl.js";

const run = promisify(execFile);

/** A folder of files (path → text or bytes) written under a fresh temp dir; returns the dir. */
export async function writeFolder(files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "braid-kxf-"));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

/** Removes a folder made by writeFolder. */
export async function removeFolder(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** `kubectl kustomize <dir>` parsed into objects (throws with kubectl's stderr when it fails). */
export async function kubectlKustomize(dir: string): Promise<JsonObject[]> {
  if (!kubectl) throw new Error("kubectl is absent");
  const { stdout } = await run(kubectl, ["kustomize", dir], { maxBuffer: 64 << 20 });
  return parseAllDocuments(stdout)
    .map((d) => d.toJS() as JsonObject)
    .filter((o) => o !== null);
}

/** A KustomizationContext over `dir/kustomization.yaml` (positions from the file, files read from dir). */
export async function contextFor(dir: string, file = "kustomization.yaml"): Promise<KustomizationContext> {
  const text = await readFile(join(dir, file), "utf8");
  const yaml = parseYamlFile(text, file);
  const doc = yaml.docs[0]!;
  const { value } = documentToJs(doc, file, yaml.lineCounter);
  const sub = dirname(file) === "." ? "" : dirname(file);
  return {
    source: "test",
    commit: "0".repeat(40),
    file,
    dir: sub,
    kustomization: (value ?? {}) as { [key: string]: Json },
    locate(path) {
      const pos = positionOf(yaml, doc, path, { exact: true });
      return pos ? { file, line: pos.line, column: pos.column, source: "test", commit: "0".repeat(40) } : undefined;
    },
    async readFile(relativePath) {
      const full = join(dir, sub, relativePath);
      if (!full.startsWith(dir + "/")) throw new Error(`path escapes: ${relativePath}`);
      return new Uint8Array(await readFile(full));
    },
  };
}

/** Resources of the given files of a folder, in order. */
export async function resourcesOf(dir: string, files: readonly string[]): Promise<Resource[]> {
  const out: Resource[] = [];
  for (const f of files) out.push(...resourcesFromYaml(await readFile(join(dir, f), "utf8"), f));
  return out;
}

/** Objects sorted by apiVersion/kind/namespace/name, for order-free comparison. */
export function sortObjects(objects: readonly JsonObject[]): JsonObject[] {
  const key = (o: JsonObject): string => {
    const m = (o.metadata ?? {}) as JsonObject;
    return `${String(o.kind)}|${String(o.apiVersion)}|${String(m.namespace ?? "")}|${String(m.name ?? "")}`;
  };
  return [...objects].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** One differential case: files of a folder whose kustomization lists the resource files in `resources`. */
export interface DiffCase {
  name: string;
  files: Record<string, string | Uint8Array>;
  /** Resource files (in the kustomization's `resources` order). */
  resources: readonly string[];
}

/**
 * Runs kubectl kustomize on the case and braid's `apply` on the same resources; returns both object lists,
 * sorted, plus braid's diagnostics.
 */
export async function differential(
  c: DiffCase,
  apply: (
    resources: Resource[],
    ctx: KustomizationContext,
  ) => Promise<{ resources: Resource[]; diagnostics: unknown[] }> | { resources: Resource[]; diagnostics: unknown[] },
): Promise<{ expected: JsonObject[]; actual: JsonObject[]; diagnostics: unknown[] }> {
  const dir = await writeFolder(c.files);
  try {
    const expected = sortObjects(await kubectlKustomize(dir));
    const ctx = await contextFor(dir);
    const out = await apply(await resourcesOf(dir, c.resources), ctx);
    return { expected, actual: sortObjects(out.resources.map((r) => r.object)), diagnostics: out.diagnostics };
  } finally {
    await removeFolder(dir);
  }
}

/**
 * The registered fields of one kustomization in kustomize's order (generators, namePrefix, nameSuffix,
 * labels, commonLabels, commonAnnotations, replicas, images, replacements), then — at the root only — the
 * name hashes, then name references: what the build driver does with them, without resources/patches.
 */
export async function buildFields(
  resources: Resource[],
  ctx: KustomizationContext,
  root: boolean,
): Promise<{ resources: Resource[]; diagnostics: unknown[] }> {
  const { FIELD_TRANSFORMERS, NAME_REFERENCES, ROOT_TRANSFORMERS } = await import("../../src/kustomize/registry.js");
  const order = [
    "configMapGenerator",
    "secretGenerator",
    "namePrefix",
    "nameSuffix",
    "labels",
    "commonLabels",
    "commonAnnotations",
    "replicas",
    "images",
    "replacements",
  ] as const;
  const diagnostics: unknown[] = [];
  let list = resources;
  for (const field of order) {
    const args = ctx.kustomization[field];
    if (args === undefined) continue;
    const r = await FIELD_TRANSFORMERS[field]!(list, args, ctx);
    list = r.resources;
    diagnostics.push(...r.diagnostics);
  }
  if (root) list = ROOT_TRANSFORMERS.addNameHashes!(list, null, ctx).resources;
  const fixed = NAME_REFERENCES.fix!(list, null, ctx);
  diagnostics.push(...fixed.diagnostics);
  return { resources: fixed.resources, diagnostics };
}
