/**
 * Test helper: builds `Resource` values from YAML text with real positions (the same parser and position
 * maps as manifest loading: parseAllDocuments + LineCounter, `doc.getIn(path, true).range`).
 */
import { docPositionMap } from "../../src/model/position-map.js";
import { documentToJs, parseYamlFile, positionOf } from "../../src/model/yaml-file.js";
import { idOf, type JsonObject, type Resource } from "../../src/model/resource.js";

/** Every non-empty document of `text` as a Resource whose origin is `file` in source "test". */
export function resourcesFromYaml(text: string, file = "manifests.yaml"): Resource[] {
  const yaml = parseYamlFile(text, file);
  if (yaml.diagnostics.length) throw new Error(yaml.diagnostics.map((d) => d.message).join("; "));
  const out: Resource[] = [];
  yaml.docs.forEach((doc, docIndex) => {
    if (doc.contents === null) return;
    const { value, diagnostic } = documentToJs(doc, file, yaml.lineCounter);
    if (diagnostic) throw new Error(diagnostic.message);
    const object = value as JsonObject;
    const pos = positionOf(yaml, doc, []) ?? { line: 1, column: 1 };
    out.push({
      id: idOf(object),
      object,
      origin: { source: "test", commit: "0".repeat(40), file, docIndex, line: pos.line, column: pos.column },
      positions: [docPositionMap(yaml, doc, { file, source: "test" })],
    });
  });
  return out;
}
