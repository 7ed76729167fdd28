#!/usr/bin/env node
// braid's command-line entry: runs the compiled package (dist/, built by `npm run build`, which `npm ci` runs
// through `prepare`). In a checkout without dist/ it falls back to the TypeScript sources through tsx.
import { existsSync } from "node:fs";

// A closed pipe (`braid … | head`) ends the command quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr])
  stream.on("error", (e) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
const compiled = new URL("../dist/cli/main.js", import.meta.url);
let main;
if (existsSync(compiled)) ({ main } = await import(compiled.href));
else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../src/cli/main.ts"));
}
const code = await main(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  cwd: process.cwd(),
  isTTY: Boolean(process.stderr.isTTY),
});
process.exitCode = code;
