import { posix } from "node:path";

/** Normalizes a relative posix path; undefined when it is absolute or climbs out of its root. */
export function resolveInside(path: string): string | undefined {
  if (path.startsWith("/") || /^[a-zA-Z]:[\\/]/.test(path)) return undefined;
  const norm = posix.normalize(path.replace(/\\/g, "/"));
  if (norm === ".." || norm.startsWith("../")) return undefined;
  return norm === "." ? "" : norm.replace(/\/$/, "");
}
