/** "did you mean --x?" for a mistyped flag (the distance rule is shared: diagnostics/did-you-mean.ts). */
import { closest } from "../diagnostics/did-you-mean.js";

/**
 * The usage message for an unknown option from node:util parseArgs ("Unknown option '--fleets'"):
 * `unknown flag --fleets; did you mean --fleet?`. Undefined when the error is not about an unknown option.
 */
export function unknownFlagMessage(error: unknown, options: Record<string, unknown>): string | undefined {
  const e = error as { code?: string; message?: string };
  if (e.code !== "ERR_PARSE_ARGS_UNKNOWN_OPTION") return undefined;
  const flag = /'([^']+)'/.exec(e.message ?? "")?.[1] ?? "";
  const name = flag.replace(/^-+/, "").replace(/=.*$/, "");
  const guess = closest(name, Object.keys(options));
  return `unknown flag ${flag}${guess ? `; did you mean --${guess}?` : ""}`;
}
