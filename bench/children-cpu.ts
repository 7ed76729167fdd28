import { readFile } from "node:fs/promises";

/** CPU seconds used by this process's finished children (Linux /proc; NaN elsewhere). */
export async function childrenCpu(): Promise<number> {
  try {
    const stat = await readFile("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[13]) + Number(fields[14])) / 100; // cutime + cstime, in USER_HZ (100 on Linux)
  } catch {
    return NaN;
  }
}
