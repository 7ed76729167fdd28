#!/usr/bin/env node
// braid's command-line entry: runs the TypeScript sources through tsx (no build step).
import { register } from "tsx/esm/api";

register();
// A closed pipe (`braid … | head`) ends the command quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr])
  stream.on("error", (e) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
const { main } = await import("../src/cli/main.ts");
const code = await main(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  cwd: process.cwd(),
  isTTY: Boolean(process.stderr.isTTY),
});
process.exitCode = code;
