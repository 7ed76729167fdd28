#!/usr/bin/env node
// braid's command-line entry: runs the compiled package (dist/, built by `npm run build`, which `npm ci` runs
// through `prepare`) as src/cli/launch.ts describes: the bundled command through V8's code cache, on the
// default stack, started again with a large stack for deeply nested input. In a checkout without dist/ it
// falls back to the TypeScript sources through tsx.
import { existsSync } from "node:fs";

const compiled = new URL("../dist/cli/launch.js", import.meta.url);
let launch;
if (existsSync(compiled)) ({ launch } = await import(compiled.href));
else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ launch } = await import("../src/cli/launch.ts"));
}
await launch(import.meta.url);
