/**
 * Finding and reading a kustomization file: `kustomization.yaml`, `kustomization.yml` or `Kustomization` in
 * a folder (kustomize's `konfig.RecognizedKustomizationFileNames`; more than one is an error, as in
 * kustomize), parsed with positions so every later error points at its field.
 */
import { isMap, isScalar, isSeq, type Document } from "yaml";
import type { Diagnostic, SourceLocation } from "../diagnostics/diagnostic.js";
import {
  documentToJs,
  parseYamlFile,
  positionOf,
  tabLedBlockScalars,
  yamlText,
  type YamlFile,
} from "../model/yaml-file.js";
import type { Json, JsonPath } from "../model/resource.js";
import { goYamlV2Word } from "../model/go-scalars.js";
import type { SourceTree, TreeBlob } from "./source-tree.js";
import { kustomizationFields, writtenPath } from "./go-json-fields.js";

/** The names kustomize recognizes, in its order. */
export const KUSTOMIZATION_FILE_NAMES = ["kustomization.yaml", "kustomization.yml", "Kustomization"] as const;

/** A parsed kustomization file. */
export interface KustomizationFile {
  /** Repository path of the file. */
  file: string;
  /** Its folder ("" for the root). */
  dir: string;
  value: { [key: string]: Json };
  yaml: YamlFile;
  doc: Document.Parsed;
  /** Location of a field (its value, or with `key` its key). */
  locate(path: JsonPath, key?: boolean): SourceLocation;
}

/** The kustomization file of a folder, if any; two or more is an error. */
export function findKustomization(tree: SourceTree, dir: string): { blob?: TreeBlob; diagnostics: Diagnostic[] } {
  const found = KUSTOMIZATION_FILE_NAMES.map((n) => tree.file(dir ? `${dir}/${n}` : n)).filter(
    (b): b is TreeBlob => !!b,
  );
  if (found.length > 1)
    return {
      blob: found[0],
      diagnostics: [
        {
          code: "KUSTOMIZE_INVALID",
          severity: "error",
          message: `the folder "${dir || "/"}" holds several kustomization files (${found.map((b) => b.path.split("/").pop()).join(", ")})`,
          location: { file: found[1]!.path, line: 1, column: 1 },
          hint: "keep one: kustomize refuses to choose",
        },
      ],
    };
  return { blob: found[0], diagnostics: [] };
}

/** Reads and parses a kustomization file; the value must be a mapping. */
export async function readKustomization(
  tree: SourceTree,
  blob: TreeBlob,
  base: { source: string; commit: string },
): Promise<{ kustomization?: KustomizationFile; diagnostics: Diagnostic[] }> {
  const read = yamlText(await tree.read(blob), blob.path, base);
  if ("diagnostic" in read) return { diagnostics: [read.diagnostic] };
  const text = read.text;
  // an empty file is an empty kustomization (a document to point at is still needed); a key given twice takes
  // its last value, as kustomize reads the file
  const yaml = parseYamlFile(text.trim() === "" ? "{}\n" : text, blob.path, base, { lastKeyWins: true });
  if (yaml.diagnostics.length) return { diagnostics: yaml.diagnostics };
  const unreadable = tabLedBlockScalars(yaml, { writeBack: false });
  if (unreadable.length)
    return { diagnostics: unreadable.map((d) => ({ ...d, location: { ...base, ...d.location! } })) };
  const docs = yaml.docs.filter((d) => d.contents !== null);
  const dir = blob.path.includes("/") ? blob.path.slice(0, blob.path.lastIndexOf("/")) : "";
  const loc = (line = 1, column = 1): SourceLocation => ({ ...base, file: blob.path, line, column });
  const doc = docs[0] ?? yaml.docs[0];
  const js = doc ? documentToJs(doc, blob.path, yaml.lineCounter, base) : { value: {} };
  if ("diagnostic" in js && js.diagnostic) return { diagnostics: [js.diagnostic] };
  const value = doc ? yaml11Booleans(doc.contents, (js.value ?? {}) as Json) : {};
  if (docs.length > 1 || typeof value !== "object" || Array.isArray(value))
    return {
      diagnostics: [
        {
          code: "KUSTOMIZE_INVALID",
          severity: "error",
          message:
            docs.length > 1
              ? "a kustomization file holds one YAML document"
              : "a kustomization must be a mapping of fields",
          location: loc(),
          hint: "see https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/",
        },
      ],
    };
  const d = doc!;
  // keys named as kustomize reads them (`nameprefix` is namePrefix); positions are looked up as written
  const fields = kustomizationFields(value as { [key: string]: Json });
  return {
    kustomization: {
      file: blob.path,
      dir,
      value: fields.value,
      yaml,
      doc: d,
      locate(path, key = false) {
        const pos = doc ? positionOf(yaml, d, writtenPath(fields, path), { preferKey: key }) : undefined;
        return loc(pos?.line, pos?.column);
      },
    },
    diagnostics: [],
  };
}

/**
 * kustomize reads a kustomization with sigs.k8s.io/yaml (go-yaml v2, YAML 1.1), where an unquoted `yes`, `on`,
 * `y`, `no`, `off`, `n` … is a boolean: `disableNameSuffixHash: yes` is true, and `namePrefix: y` or a label
 * value `on` is a boolean where a string is needed (kustomize refuses it; so do braid's checks). Values only,
 * in place (the value is the parse's own); a key keeps its text.
 */
export function yaml11Booleans(node: unknown, value: Json): Json {
  if (isScalar(node)) {
    if (node.type !== "PLAIN" || typeof node.value !== "string") return value;
    // YAML 1.1's other spellings of true and false (YAML 1.2 reads them as strings)
    const word = goYamlV2Word(node.value);
    return typeof word === "boolean" ? word : value;
  }
  if (isMap(node) && value !== null && typeof value === "object" && !Array.isArray(value)) {
    // the last pair of a key is the one its value came from
    const last = new Map<string, unknown>();
    for (const pair of node.items) if (isScalar(pair.key)) last.set(String(pair.key.value), pair.value);
    for (const [key, child] of last)
      if (Object.hasOwn(value, key)) {
        const v = yaml11Booleans(child, value[key]!);
        if (v !== value[key]) value[key] = v;
      }
  } else if (isSeq(node) && Array.isArray(value))
    node.items.forEach((child, i) => {
      if (i < value.length) value[i] = yaml11Booleans(child, value[i]!);
    });
  return value;
}
