/**
 * Whether to write ANSI escape codes: only to a terminal, never when NO_COLOR is set to a non-empty value
 * (https://no-color.org) or TERM is "dumb". Pipes and files get plain text.
 */
export function colorEnabled(env: Record<string, string | undefined>, isTTY: boolean): boolean {
  if (env.NO_COLOR) return false;
  if (env.TERM === "dumb") return false;
  return isTTY;
}

/** Bold text where color is enabled, the text itself otherwise. */
export function bold(text: string, color: boolean): string {
  return color ? `\x1b[1m${text}\x1b[0m` : text;
}
