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

async function loadMain() {
  const compiled = new URL("../dist/cli/main.js", import.meta.url);
  if (existsSync(compiled)) return (await import(compiled.href)).main;
  const { register } = await import("tsx/esm/api");
  register();
  return (await import("../src/cli/main.ts")).main;
}

function io(isTTY) {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    isTTY,
  };
}

if (isMainThread)
  // A closed pipe (`braid … | head`) ends the command quietly, as Unix tools do.
  for (const stream of [process.stdout, process.stderr])
    stream.on("error", (e) => {
      if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
      throw e;
    });

const [first] = process.argv.slice(2);
const helpOnly = first === undefined || ["--help", "-h", "help", "--version", "-v"].includes(first);

if (isMainThread && helpOnly) {
  // help and version read no YAML: no worker (it costs about 0.1 s to start)
  process.exitCode = await (await loadMain())(process.argv.slice(2), io(Boolean(process.stderr.isTTY)));
} else if (isMainThread) {
  let code;
  const worker = new Worker(new URL(import.meta.url), {
    argv: process.argv.slice(2),
    workerData: { isTTY: Boolean(process.stderr.isTTY) },
    resourceLimits: { stackSizeMb: STACK_MB },
  });
  worker.on("message", (c) => (code = c));
  worker.on("error", (e) => {
    process.stderr.write(
      `error INTERNAL: internal error: ${e?.message ?? e}\n  hint: this is a bug in braid; please report it\n`,
    );
    code = 4;
  });
  worker.on("exit", () => {
    process.exitCode = code ?? 4;
  });
} else {
  // process.env goes to the C++ environment on every read, and the yaml parser reads process.env.LOG_TOKENS
  // once per token (a quarter of a million for 1,000 small cluster files, about 0.1 s): a plain copy
  // (not on Windows, where the names are case-insensitive)
  if (process.platform !== "win32") process.env = { ...process.env };
  const main = await loadMain();
  parentPort.postMessage(await main(process.argv.slice(2), io(workerData.isTTY)));
}
