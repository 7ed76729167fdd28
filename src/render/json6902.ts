/**
 * RFC 6902 JSON patch (`type: json6902`) through fast-json-patch, with validation on and without touching
 * the input. Every failure names the operation (index, op, path) and says why in plain words.
 *
 * Like `kubectl kustomize` (evanphx/json-patch), negative list indices count from the end. By default
 * stricter than it, as RFC 6902 asks: `replace` of a missing key is an error, and so is `copy` from a missing
 * path. With `kustomize` (a patch of a kustomization, which kustomize — and so Flux — applies), as
 * evanphx/json-patch v4 does: `replace` of a missing key of a mapping adds it, `copy` from one copies null.
 */
import jsonpatch from "fast-json-patch";
import type { Json, JsonObject } from "../model/resource.js";
import { below, plainAfterJson6902Op, prune, type PlainPaths } from "../model/plain-scalars.js";
import { nullProtoClone, plainClone } from "../model/own-keys.js";
import { hashValue } from "../model/secret-redaction.js";

/** One JSON6902 operation as written in a patch. */
interface Json6902Operation {
  op: "add" | "remove" | "replace" | "move" | "copy" | "test";
  path: string;
  value?: Json;
  from?: string;
}

/** Why an operation failed; `opIndex` is 0-based (map it to the operation's line). */
export interface Json6902Error {
  opIndex: number;
  op?: string;
  path?: string;
  message: string;
}

const OPS = new Set(["add", "remove", "replace", "move", "copy", "test"]);

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function pointerProblem(p: string): string | undefined {
  if (p !== "" && !p.startsWith("/")) return `'${p}' is not a JSON pointer: it must be empty or start with '/'`;
  if (/~(?![01])/.test(p))
    return `'${p}' is not a JSON pointer: '~' must be followed by 0 or 1 (escape '~' as ~0 and '/' as ~1)`;
  return undefined;
}

/** An operation's path as written: a pointer as is, another value as JSON, a missing one as nothing. */
function pathText(path: unknown): string {
  if (path === undefined) return "";
  return typeof path === "string" ? path : JSON.stringify(path);
}

/** Checks the shape of an operation list (before any is applied); returns the first problem. */
export function validateJson6902(ops: unknown): Json6902Error | undefined {
  if (!Array.isArray(ops)) return { opIndex: -1, message: "a json6902 patch must be a list of operations" };
  for (let i = 0; i < ops.length; i++) {
    const o: unknown = ops[i];
    const at = (message: string): Json6902Error => ({
      opIndex: i,
      ...(isMap(o) && typeof o.op === "string" ? { op: o.op } : {}),
      ...(isMap(o) && typeof o.path === "string" ? { path: o.path } : {}),
      message: `operation ${i + 1}${isMap(o) && typeof o.op === "string" ? ` (${o.op} ${pathText(o.path)})` : ""}: ${message}`,
    });
    if (!isMap(o)) return at("an operation must be a map with 'op' and 'path'");
    if (typeof o.op !== "string" || !OPS.has(o.op)) {
      return at(`'op' must be one of add, remove, replace, move, copy, test (got ${JSON.stringify(o.op ?? null)})`);
    }
    if (typeof o.path !== "string") return at("'path' is missing or not a string");
    const pp = pointerProblem(o.path);
    if (pp) return at(pp);
    if ((o.op === "add" || o.op === "replace" || o.op === "test") && !Object.hasOwn(o, "value")) {
      return at(`'${o.op}' needs a 'value'`);
    }
    if (o.op === "move" || o.op === "copy") {
      if (typeof o.from !== "string") return at(`'${o.op}' needs a 'from' pointer`);
      const fp = pointerProblem(o.from);
      if (fp) return at(fp);
      if (o.op === "move" && o.path.startsWith(o.from + "/"))
        return at(`cannot move ${o.from} into its own child ${o.path}`);
    }
  }
  return undefined;
}

function describe(v: unknown): string {
  if (v === undefined) return "missing";
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function parentOf(p: string): string {
  return p.slice(0, Math.max(0, p.lastIndexOf("/")));
}

function lookup(doc: Json, p: string): unknown {
  try {
    return jsonpatch.getValueByPointer(doc, p);
  } catch {
    return undefined;
  }
}

function explain(name: string, op: Json6902Operation, doc: Json): string {
  switch (name) {
    case "OPERATION_PATH_UNRESOLVABLE": {
      const parent = lookup(doc, parentOf(op.path));
      const last = op.path.slice(op.path.lastIndexOf("/") + 1);
      if (Array.isArray(parent)) {
        return /^(0|[1-9]\d*)$/.test(last)
          ? `index ${last} is past the end of the list (it has ${parent.length} items)`
          : `'${last}' is not a list index (use a number)`;
      }
      return parent === undefined
        ? `the path does not exist (its parent ${parentOf(op.path) || "/"} is missing)`
        : `the path does not exist, so there is nothing to ${op.op}`;
    }
    case "OPERATION_PATH_CANNOT_ADD":
      return `cannot add here: the parent ${parentOf(op.path) || "/"} does not exist`;
    case "OPERATION_FROM_UNRESOLVABLE":
      return `the 'from' path ${op.from ?? ""} does not exist`;
    case "TEST_OPERATION_FAILED": {
      // a Secret's values (and what a patch expects of them) are shown only as hashes, as previews show them
      const show =
        isMap(doc) && doc.kind === "Secret"
          ? (v: unknown) => (v === undefined ? "missing" : hashValue(v as Json))
          : describe;
      return `test failed: the value is ${show(lookup(doc, op.path))}, expected ${show(op.value)}`;
    }
    case "OPERATION_VALUE_OUT_OF_BOUNDS": {
      const list = lookup(doc, parentOf(op.path));
      return `the index is past the end of the list (it has ${Array.isArray(list) ? list.length : 0} items; use '-' to append)`;
    }
    case "OPERATION_PATH_ILLEGAL_ARRAY_INDEX":
      return `'${op.path.slice(op.path.lastIndexOf("/") + 1)}' is not a list index (use a number, or '-' to append)`;
    default:
      return `cannot apply the operation (${name})`;
  }
}

function decode(seg: string): string {
  return seg.replace(/~1/g, "/").replace(/~0/g, "~");
}

/**
 * Negative list indices count from the end, as kustomize's JSON patch library reads them: for `add` the
 * last segment may go one further (`-1` appends). Segments that are not negative indices of a list stay.
 */
function resolveNegativeIndices(doc: Json, pointer: string, addLast: boolean): string {
  if (!/\/-\d/.test(pointer)) return pointer;
  const segs = pointer.split("/").slice(1);
  let node: unknown = doc;
  const out: string[] = [];
  segs.forEach((seg, i) => {
    let s = seg;
    if (Array.isArray(node) && /^-[1-9]\d*$/.test(seg)) {
      const len = node.length + (addLast && i === segs.length - 1 ? 1 : 0);
      const n = Number(seg);
      if (n >= -len) s = String(n + len);
    }
    out.push(s);
    const key = decode(s);
    node = Array.isArray(node) ? node[Number(key)] : isMap(node) && Object.hasOwn(node, key) ? node[key] : undefined;
  });
  return "/" + out.join("/");
}

/**
 * What kustomize's JSON patch library does beyond RFC 6902, applied as a rewrite of the operation against
 * the current document: negative list indices.
 */
function kustomizeCompatible(doc: Json, op: Json6902Operation, lenient: boolean): Json6902Operation {
  const out: Json6902Operation = { ...op };
  if (op.op !== "move") out.path = resolveNegativeIndices(doc, op.path, op.op === "add" || op.op === "copy");
  if (op.from !== undefined) out.from = resolveNegativeIndices(doc, op.from, false);
  if (!lenient) return out;
  // evanphx/json-patch v4: a mapping's missing key reads as null (partialDoc.get), so `replace` sets it and
  // `copy` copies null; a missing parent, or a list index out of range, is still an error
  if (op.op === "replace" && missingKey(doc, out.path)) return { op: "add", path: out.path, value: op.value };
  if (op.op === "copy" && out.from !== undefined && missingKey(doc, out.from))
    return { op: "add", path: out.path, value: null };
  return out;
}

/** Whether the pointer names a key its (existing) parent mapping does not have. */
function missingKey(doc: Json, pointer: string): boolean {
  const segs = pointer.split("/").slice(1).map(decode);
  if (segs.length === 0) return false;
  let node: Json | undefined = doc;
  for (const seg of segs.slice(0, -1)) {
    if (Array.isArray(node)) node = /^\d+$/.test(seg) ? node[Number(seg)] : undefined;
    else node = isMap(node) && Object.hasOwn(node, seg) ? node[seg] : undefined;
  }
  return isMap(node) && !Object.hasOwn(node, segs[segs.length - 1]!);
}

/**
 * Applies RFC 6902 operations to a copy of `target`. The input is never mutated. On failure, the error
 * names the first operation that failed and why; no partial result is returned. The result must still be
 * an object (a resource): replacing the root with anything else is an error. With `plain` (the target's
 * plain-scalar pointers, and the operation list's), the result's come back too: each operation moves them
 * with the values it moves.
 */
export function applyJson6902(
  target: JsonObject,
  ops: unknown,
  plain?: { target: PlainPaths; ops: PlainPaths },
  options: { kustomize?: boolean } = {},
): { object: JsonObject; plain?: Set<string> } | { error: Json6902Error } {
  const bad = validateJson6902(ops);
  if (bad) return { error: bad };
  const list = ops as Json6902Operation[];
  // prototype-free copies: `__proto__`, `constructor`, `toString` are plain keys, as they are to kustomize
  let doc: Json = nullProtoClone(target);
  let paths = plain ? new Set(plain.target) : undefined;
  for (let i = 0; i < list.length; i++) {
    const op = nullProtoClone(list[i] as unknown as Json) as unknown as Json6902Operation;
    try {
      const resolved = kustomizeCompatible(doc, op, options.kustomize === true);
      if (paths && plain && op.op !== "test")
        paths = plainAfterJson6902Op(paths, resolved, doc, below(plain.ops, `/${i}/value`));
      const r = jsonpatch.applyOperation(doc, resolved as jsonpatch.Operation, true, true, false, i);
      doc = r.newDocument;
    } catch (e) {
      const name = e instanceof jsonpatch.JsonPatchError ? e.name : "";
      const why = name ? explain(name, op, doc) : e instanceof Error ? e.message : String(e);
      return {
        error: { opIndex: i, op: op.op, path: op.path, message: `operation ${i + 1} (${op.op} ${op.path}): ${why}` },
      };
    }
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    return { error: { opIndex: list.length - 1, message: "the patched document is no longer an object" } };
  }
  const object = plainClone(doc) as JsonObject;
  return paths ? { object, plain: prune(paths, object) } : { object };
}
