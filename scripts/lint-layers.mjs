// `npm run lint:layers`: checks src/ against the layering in .dependency-cruiser.cjs and fails when a rule is
// broken — or when no TypeScript file was cruised at all, which is how dependency-cruiser fails quietly.
//
// dependency-cruiser 16 (the last release that runs on Node 20) accepts typescript ">=2.0.0 <6.0.0" and
// otherwise skips every .ts file without a word ("0 modules cruised"). The parts it uses (createSourceFile,
// the import/export syntax kinds, transpileModule) are the same in the 6.x this repository uses, so a loader
// hook widens that range for dependency-cruiser alone before it is loaded.
import { register } from "node:module";
import { fileURLToPath } from "node:url";

const hook = `
import { createRequire } from "node:module";
export async function resolve(specifier, context, next) {
  if (specifier === "#meta.cjs" && context.parentURL?.includes("/dependency-cruiser/")) {
    const meta = createRequire(context.parentURL)("#meta.cjs");
    const typescript = ">=2.0.0 <7.0.0";
    const widened = { ...meta, supportedTranspilers: { ...meta.supportedTranspilers, typescript } };
    return { url: "data:text/javascript," + encodeURIComponent("export default " + JSON.stringify(widened)), shortCircuit: true };
  }
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`, import.meta.url);

const root = fileURLToPath(new URL("..", import.meta.url));
process.chdir(root);
const { cruise, format } = await import("dependency-cruiser");
const { default: extractDepcruiseOptions } = await import("dependency-cruiser/config-utl/extract-depcruise-options");
const { default: extractTSConfig } = await import("dependency-cruiser/config-utl/extract-ts-config");

const options = await extractDepcruiseOptions("./.dependency-cruiser.cjs");
const tsConfig = extractTSConfig("tsconfig.json");
const result = await cruise(["src"], options, {}, { tsConfig });
const report = await format(result.output, { outputType: "err-long" });
process.stdout.write(report.output);

const tsModules = result.output.modules.filter((m) => m.source.endsWith(".ts")).length;
if (tsModules === 0) {
  console.error(
    "lint:layers: no TypeScript module was cruised (is the typescript package loadable?); the layering is unchecked",
  );
  process.exit(1);
}
console.log(`lint:layers: ${tsModules} TypeScript modules checked`);
process.exit(report.exitCode > 0 ? 1 : 0);
