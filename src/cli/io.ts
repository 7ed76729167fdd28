/** The CLI's only window on the process: streams, environment, working directory. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
  /** True when stderr is a terminal (progress is shown there). May be a getter: read it only when needed. */
  isTTY: boolean;
}

/** Collects output in memory (tests). */
export function memoryIO(
  opts: Partial<Omit<CliIO, "stdout" | "stderr">> = {},
): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: opts.env ?? {},
    cwd: opts.cwd ?? process.cwd(),
    isTTY: opts.isTTY ?? false,
  };
}
