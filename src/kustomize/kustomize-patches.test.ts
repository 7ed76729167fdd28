import { describe, expect, it } from "vitest";
import { readKustomization } from "./kustomization-file.js";
import { readKustomizationPatches, type PatchField } from "./kustomize-patches.js";
import type { SourceTree } from "./source-tree.js";

const base = { source: "app", commit: "c".repeat(40) };

/** A tree in memory: repository path → text. */
function memoryTree(files: Record<string, string>): SourceTree {
  const bytes = new TextEncoder();
  return {
    gitdir: "",
    commit: base.commit,
    file: (path) => (Object.hasOwn(files, path) ? { path, oid: path } : undefined),
    paths: () => Object.keys(files).sort(),
    isDir: (path) => Object.keys(files).some((f) => f.startsWith(`${path}/`)),
    read: async (blob) => bytes.encode(files[blob.path] ?? ""),
  };
}

async function read(kustomization: string, field: PatchField, files: Record<string, string> = {}) {
  const tree = memoryTree({ "app/kustomization.yaml": kustomization, ...files });
  const k = (await readKustomization(tree, tree.file("app/kustomization.yaml")!, base)).kustomization!;
  const r = await readKustomizationPatches(k, field, tree, base);
  return {
    diagnostics: r.diagnostics.map((d) => `${d.location?.file}:${d.location?.line} ${d.code} ${d.message}`),
    patches: r.patches.map(
      (p) =>
        `${p.location.file}:${p.location.line} ${p.type}${p.optional ? " optional" : ""}${p.options ? ` ${JSON.stringify(p.options)}` : ""}`,
    ),
  };
}

const CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\ndata: { x: y }\n";

describe("readKustomizationPatches", () => {
  it("patches: refuses each bad entry where it is written and keeps reading the others at their own lines", async () => {
    const r = await read(
      [
        "patches:",
        "  - just text",
        "  - { path: p.yaml, patch: 'x: 1' }",
        "  - { target: { kind: ConfigMap } }",
        "  - { path: https://example.com/p.yaml }",
        "  - { path: ../../out.yaml }",
        "  - { path: missing.yaml }",
        "  - path: p.yaml",
        "    target: { kind: ConfigMap }",
        "    options: { allowNameChange: true }",
        "  - patch: |",
        "      apiVersion: v1",
        "      kind: ConfigMap",
        "      metadata: { name: a }",
        "",
      ].join("\n"),
      "patches",
      { "app/p.yaml": CM },
    );
    expect(r).toEqual({
      diagnostics: [
        "app/kustomization.yaml:2 KUSTOMIZE_INVALID a patches entry is a mapping (path or patch, and target)",
        "app/kustomization.yaml:3 KUSTOMIZE_INVALID patch and path can't be set at the same time",
        "app/kustomization.yaml:4 KUSTOMIZE_INVALID must specify one of patch and path",
        'app/kustomization.yaml:5 KUSTOMIZE_UNSUPPORTED remote patch "https://example.com/p.yaml" is not fetched',
        'app/kustomization.yaml:6 PATH_ESCAPE patch "../../out.yaml" is outside the source repository',
        'app/kustomization.yaml:7 KUSTOMIZE_INVALID patch file "missing.yaml" does not exist',
      ],
      patches: [
        'app/p.yaml:1 strategic optional {"allowNameChange":true,"allowKindChange":false}',
        "app/kustomization.yaml:11 strategic",
      ],
    });
  });

  it("patchesJson6902 needs a target; patchesStrategicMerge takes a file, else text, and refuses a missing file name", async () => {
    expect(
      await read(
        "patchesJson6902:\n  - { path: ops.yaml }\n  - target: { kind: ConfigMap, name: a }\n    path: ops.yaml\n",
        "patchesJson6902",
        { "app/ops.yaml": "- { op: add, path: /data/z, value: w }\n" },
      ),
    ).toEqual({
      diagnostics: ["app/kustomization.yaml:2 KUSTOMIZE_INVALID a patchesJson6902 entry needs a target"],
      patches: ["app/ops.yaml:1 json6902 optional"],
    });
    expect(
      await read(
        "patchesStrategicMerge:\n  - 42\n  - gone.yaml\n  - p.yaml\n  - |\n    apiVersion: v1\n    kind: ConfigMap\n    metadata: { name: a }\n",
        "patchesStrategicMerge",
        { "app/p.yaml": CM },
      ),
    ).toEqual({
      diagnostics: [
        "app/kustomization.yaml:2 KUSTOMIZE_INVALID a patchesStrategicMerge entry is a file path or the patch text",
        'app/kustomization.yaml:3 KUSTOMIZE_INVALID patch file "gone.yaml" does not exist',
      ],
      patches: ["app/p.yaml:1 strategic", "app/kustomization.yaml:5 strategic"],
    });
    expect(await read("patches: { path: p.yaml }\n", "patches")).toEqual({
      diagnostics: ["app/kustomization.yaml:1 KUSTOMIZE_INVALID patches must be a list"],
      patches: [],
    });
  });
});
