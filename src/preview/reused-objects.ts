/**
 * A preview scrubs head's diagnostics of every sensitive value of either side's objects
 * (diff-runs.ts). A cluster taken unrendered from a previous result (preview/head-reuse.ts) has no objects in
 * the run, only its files: the objects that can hold such a value are read back from them — the files of
 * kinds that hold one (Secret, and the kinds of `preview.sensitivePaths`; every file for a path of any kind),
 * each distinct file once, and only when there is a diagnostic to scrub.
 */
import { parse } from "yaml";
import type { FleetRun } from "../pipeline/render-fleet.js";
import { listBlobs, readBlobText, type ObjectStore } from "../git/git-store.js";
import type { JsonObject } from "../model/resource.js";
import { parseSensitivePaths } from "../model/secret-redaction.js";

/** The objects of the reused clusters of `runs` that may hold a sensitive value (see the file header). */
export async function reusedSensitiveObjects(
  runs: readonly (FleetRun | undefined)[],
  store: ObjectStore | undefined,
): Promise<JsonObject[]> {
  const present = runs.filter((r): r is FleetRun => r !== undefined);
  const scrubbed = present.some((r) => r.diagnostics.some(shown) || r.clusters.some((c) => c.diagnostics.some(shown)));
  const reused = present.flatMap((r) => r.clusters.filter((c) => c.reused));
  if (!scrubbed || !reused.length) return [];
  const sensitive = parseSensitivePaths(present.flatMap((r) => r.fleet?.preview.sensitivePaths ?? []));
  const anyKind = sensitive.some((p) => !p.kind);
  const kinds = ["secret", ...sensitive.flatMap((p) => (p.kind ? [p.kind.toLowerCase()] : []))];
  /** A file named for a kind that may hold a sensitive value (`<kind>-<name>.yaml`, `<kind>.<group>-<name>.yaml`). */
  const wanted = (path: string) => {
    const name = path.slice(path.lastIndexOf("/") + 1);
    if (name === "kustomization.yaml") return false;
    return anyKind || kinds.some((k) => name.startsWith(`${k}-`) || name.startsWith(`${k}.`));
  };
  const texts = new Set<string>();
  const blobs = new Set<string>();
  const trees = new Set<string>();
  for (const c of reused) {
    const r = c.reused!;
    for (const f of r.files ?? []) if (wanted(f.path)) texts.add(f.content);
    if (r.tree && store && !trees.has(r.tree)) {
      trees.add(r.tree);
      for (const [path, oid] of await listBlobs(store, r.tree)) if (wanted(path)) blobs.add(oid);
    }
  }
  for (const oid of blobs) texts.add(await readBlobText(store!, oid));
  const objects: JsonObject[] = [];
  for (const text of texts) {
    let value: unknown;
    try {
      value = parse(text, { uniqueKeys: false }); // (braid wrote it: no key twice, and the check is quadratic)
    } catch {
      continue; // braid wrote it; a file that does not parse holds nothing to read
    }
    if (value && typeof value === "object" && !Array.isArray(value)) objects.push(value as JsonObject);
  }
  return objects;
}

/** Whether a diagnostic is in the preview (and so scrubbed): errors and warnings. */
function shown(d: { severity: string }): boolean {
  return d.severity === "error" || d.severity === "warning";
}
