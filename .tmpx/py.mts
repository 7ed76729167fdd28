import { readFileSync, readdirSync } from "node:fs";
import { parseYamlFile, documentToJs } from "../src/model/yaml-file.js";
const dir = "/tmp/rk/co/kube-prometheus/manifests";
const files = readdirSync(dir).filter(f => f.endsWith(".yaml")).map(f => [f, readFileSync(`${dir}/${f}`, "utf8")] as const);
for (let round = 0; round < 3; round++) {
  const t0 = performance.now(); const per: [string, number][] = [];
  for (const [f, t] of files) { const a = performance.now(); const y = parseYamlFile(t, f); for (const d of y.docs) documentToJs(d, f, y.lineCounter); per.push([f, performance.now() - a]); }
  per.sort((a, b) => b[1] - a[1]);
  console.log("round", round, "total ms", (performance.now() - t0).toFixed(0), per.slice(0, 3).map(([f, ms]) => `${f} ${ms.toFixed(0)}`).join(", "));
}
