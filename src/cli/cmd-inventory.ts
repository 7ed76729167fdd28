import { exitCodeFor } from "../diagnostics/diagnostic.js";
import { buildInventory, inventoryJson, inventoryRows } from "../publish/inventory.js";
import { allDiagnostics, runWithProgress } from "./cmd-render.js";
import { pickFormat, printDiagnostics, table } from "./common.js";
import type { CliIO } from "./io.js";

/** Help text of `braid inventory`. */
export const INVENTORY_HELP = `braid inventory [--fleet DIR] [--format table|json] [--update] [--quiet]

Renders and validates the fleet and prints the inventory publish writes to the deploy branch: per cluster
its labels, owner (annotation braid/owner), sources with resolved tag and commit, resource count (by kind
in json), input digest and the warnings it has. --format json prints inventory.json exactly. Clusters that
fail are reported and left out (exit 1).
`;

/** `braid inventory`. */
export async function inventoryCommand(
  io: CliIO,
  values: { fleet?: string; format?: string; quiet?: boolean; update?: boolean },
): Promise<number> {
  const format = pickFormat(values.format, ["table", "json"], "table");
  const run = await runWithProgress(
    io,
    { fleet: values.fleet, quiet: values.quiet, update: values.update },
    format === "json" ? "json" : "text",
  );
  const diagnostics = allDiagnostics(run);
  printDiagnostics(io, diagnostics, "text", values.quiet || format === "json");
  const inv = buildInventory(run);
  io.stdout(format === "json" ? inventoryJson(inv) : table(inventoryRows(inv)));
  return exitCodeFor(diagnostics);
}
