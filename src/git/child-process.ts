/**
 * Node's `child_process`, loaded when braid first starts a process. Loading it also loads `net`, `dgram` and
 * the stream modules: a few ms of every start that a render of local or cached sources (which runs no git)
 * does not need.
 */
import type * as ChildProcess from "node:child_process";
import { createRequire } from "node:module";

let loaded: typeof ChildProcess | undefined;

/** The `node:child_process` module. */
export function childProcess(): typeof ChildProcess {
  return (loaded ??= createRequire(import.meta.url)("node:child_process") as typeof ChildProcess);
}
