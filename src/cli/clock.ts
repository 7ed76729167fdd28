import { BraidError } from "../diagnostics/diagnostic.js";
import type { CliIO } from "./io.js";

/**
 * The clock of braid's commands in milliseconds: `BRAID_NOW` (an ISO time such as 2026-01-02T03:04:05Z, or unix
 * seconds) when set — tests and dry runs of a schedule — else the real time.
 */
export function braidNow(io: CliIO): number {
  const v = io.env.BRAID_NOW;
  if (!v) return Date.now();
  const ms = /^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v);
  if (!Number.isFinite(ms))
    throw new BraidError({ code: "USAGE", message: `BRAID_NOW must be an ISO time or unix seconds (got "${v}")` });
  return ms;
}
