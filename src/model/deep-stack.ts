/**
 * Input nested deeper than the JavaScript stack at hand allows. The yaml parser (and Flux's envsubst grammar as
 * braid ports it) recurse once per level, so how deep braid reads depends on the stack it runs on: Node's
 * default (about 1 MB: at least 800 levels of YAML) or the 256 MB one the `braid` command can run on (kubectl
 * kustomize's 10,000). The command starts on the default stack, which starts fastest, and installs a handler
 * here that runs the command again on the large stack when input needs it; a library caller installs none and
 * gets a located YAML_TOO_DEEP where its stack ends.
 */

/** A handler that reruns the work on a larger stack and never returns, or returns when it cannot. */
export type StackExhaustedHandler = () => void;

let handler: StackExhaustedHandler | undefined;

/**
 * Nesting levels read on the current stack before the handler is asked for a larger one: below what Node's
 * default stack gives the parser (800 levels measured) and every later step, which recurse as deeply.
 */
export const DEFAULT_STACK_DEPTH = 500;

/** Installs (or, with undefined, removes) the process's handler; returns the one it replaces. */
export function onStackExhausted(h: StackExhaustedHandler | undefined): StackExhaustedHandler | undefined {
  const previous = handler;
  handler = h;
  return previous;
}

/** True when a handler can move the work to a larger stack (the `braid` command's main thread). */
export function largerStackAvailable(): boolean {
  return handler !== undefined;
}

/**
 * Called where input nests too deeply for the current stack (a stack overflow caught, or a document deeper
 * than {@link DEFAULT_STACK_DEPTH} while a handler is installed). Returns only if there is no larger stack to
 * move to; the caller then reports the input as too deep.
 */
export function stackExhausted(depth?: number): void {
  if (!handler || (depth !== undefined && depth <= DEFAULT_STACK_DEPTH)) return;
  handler();
}

/**
 * True when a JSON value nests no deeper than the default stack reads ({@link DEFAULT_STACK_DEPTH}), counted
 * without recursing. A cache keeps only such values: a deeper one, read back from the cache instead of parsed,
 * would never ask for the larger stack, and the steps after would overflow the default one.
 */
export function withinDefaultStack(value: unknown): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth > DEFAULT_STACK_DEPTH) return false;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return true;
}
