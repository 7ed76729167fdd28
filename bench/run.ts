/**
 * `npm run bench`: runs every bench/*.bench.ts (or those named on the command line) one after another in
 * this process and prints each one's figures. Each bench exports `run(): Promise<Record<string, number|string>>`.
 */
import { readdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const dir = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2).filter((a) => a !== "--");
const files = (await readdir(dir)).filter((f) => f.endsWith(".bench.ts")).sort();
let failed = false;
for (const file of files) {
  const name = file.replace(/\.bench\.ts$/, "");
  if (only.length && !only.includes(name)) continue;
  process.stdout.write(`\n== ${name}\n`);
  try {
    const mod = (await import(join(dir, file))) as { run: () => Promise<Record<string, number | string>> };
    const figures = await mod.run();
    for (const [k, v] of Object.entries(figures))
      process.stdout.write(`  ${k}: ${typeof v === "number" ? round(v) : v}\n`);
  } catch (e) {
    failed = true;
    process.stdout.write(`  FAILED: ${(e as Error).stack ?? String(e)}\n`);
  }
}
process.exitCode = failed ? 1 : 0;

function round(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(3);
}
