#!/usr/bin/env node
// braid's command-line entry: runs the compiled package (dist/, built by `npm run build`, which `npm ci` runs
// through `prepare`). In a checkout without dist/ it falls back to the TypeScript sources through tsx.
//
// The command runs in a worker thread with a large stack, so YAML nested as deeply as kubectl kustomize
// accepts (10,000 levels; the yaml parser recurses once per level) is read instead of overflowing Node's
// default stack of about 1 MB. Output, exit code and a closed pipe behave as in a single thread.
import { existsSync } from "node:fs";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";

const STACK_MB = 256;

if (isMainThread) {
  // A closed pipe (`braid … | head`) ends the command quietly, as Unix tools do.
  for (const stream of [process.stdout, process.stderr])
    stream.on("error", (e) => {
      if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
      throw e;
    });
  let code;
  const worker = new Worker(new URL(import.meta.url), {
    argv: process.argv.slice(2),
    workerData: { isTTY: Boolean(process.stderr.isTTY) },
    resourceLimits: { stackSizeMb: STACK_MB },
  });
  worker.on("message", (c) => (code = c));
  worker.on("error", (e) => {
    process.stderr.write(`error INTERNAL: internal error: ${e?.message ?? e}\n  hint: this is a bug in braid; please report it\n`);
    code = 4;
  });
  worker.on("exit", () => {
    process.exitCode = code ?? 4;
  });
} else {
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
    isTTY: workerData.isTTY,
  });
  parentPort.postMessage(code);
}
