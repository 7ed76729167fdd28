import { createHash } from "node:crypto";
import { setOwn } from "./own-keys.js";
import type { Json, JsonObject } from "./resource.js";
import { pushAll } from "./append.js";

/** A sensitive path from `preview.sensitivePaths`: a JSON pointer, for every kind or for one (`Kind:/pointer`). */
export interface SensitivePath {
  kind?: string;
  /** Pointer segments, unescaped; `*` matches any key or index. */
  segments: string[];
}

/** Parses `preview.sensitivePaths` entries (`/spec/values/password`, `HelmRelease:/spec/values/*`). Bad entries are skipped. */
export function parseSensitivePaths(entries: readonly string[]): SensitivePath[] {
  const out: SensitivePath[] = [];
  for (const raw of entries) {
    const i = raw.indexOf(":/");
    const kind = i > 0 && !raw.startsWith("/") ? raw.slice(0, i) : undefined;
    const pointer = kind ? raw.slice(i + 1) : raw;
    if (!pointer.startsWith("/")) continue;
    out.push({
      kind,
      segments: pointer
        .slice(1)
        .split("/")
        .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~")),
    });
  }
  return out;
}

/** The short hash shown instead of a sensitive value: `sha256:` and 12 hex digits of the value's digest. */
export function hashValue(value: Json): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return `sha256:${createHash("sha256").update(text).digest("hex").slice(0, 12)}`;
}

/** True for a SOPS-encrypted document (a top-level `sops` map with its metadata). */
function isSopsDocument(object: JsonObject): boolean {
  const s = object.sops;
  return !!s && typeof s === "object" && !Array.isArray(s) && ("mac" in s || "lastmodified" in s || "version" in s);
}

const isMap = (v: Json | undefined): v is JsonObject => !!v && typeof v === "object" && !Array.isArray(v);

/** The annotation where `kubectl apply` keeps the last applied object (for a Secret: its values). */
const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

function hashAll(map: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(map)) setOwn(out, k, hashValue(v));
  return out;
}

function redactAt(value: Json, segments: readonly string[]): Json {
  if (segments.length === 0) return hashValue(value);
  const [head, ...rest] = segments as [string, ...string[]];
  if (Array.isArray(value)) {
    if (head === "*") return value.map((v) => redactAt(v, rest));
    const n = head === "-" ? -1 : Number(head);
    if (!Number.isInteger(n) || n < 0 || n >= value.length) return value;
    return value.map((v, i) => (i === n ? redactAt(v, rest) : v));
  }
  if (isMap(value)) {
    if (head === "*") {
      const out: JsonObject = {};
      for (const [k, v] of Object.entries(value)) setOwn(out, k, redactAt(v, rest));
      return out;
    }
    // own keys only: `constructor` or `toString` in a path is a key name, never a member of Object
    if (!Object.hasOwn(value, head)) return value;
    const out = { ...value };
    setOwn(out, head, redactAt(value[head]!, rest));
    return out;
  }
  return value;
}

/**
 * Returns the object as a preview may show it (the input is not changed):
 *  - a SOPS-encrypted document keeps only its cleartext metadata (apiVersion, kind, metadata, sops.lastmodified);
 *  - every value under `data` / `stringData` of a Secret becomes its short hash (so a change stays visible);
 *  - every sensitive path that exists is replaced by the hash of its value.
 */
export function redactObject(object: JsonObject, sensitive: readonly SensitivePath[] = []): JsonObject {
  let out: JsonObject = object;
  if (isSopsDocument(object)) {
    out = {};
    for (const k of ["apiVersion", "kind", "metadata"]) if (k in object) out[k] = object[k]!;
    const sops = object.sops as JsonObject;
    out.sops = {
      encrypted: "(SOPS-encrypted content is not shown)",
      ...(sops.lastmodified !== undefined ? { lastmodified: sops.lastmodified } : {}),
    };
  }
  if (out.kind === "Secret") {
    out = { ...out };
    for (const field of ["data", "stringData"]) {
      const v = out[field];
      if (isMap(v)) out[field] = hashAll(v);
      else if (v !== undefined && v !== null) out[field] = hashValue(v);
    }
    // `kubectl apply` keeps the whole Secret, values included, in this annotation
    const meta = out.metadata;
    const annotations = isMap(meta) ? meta.annotations : undefined;
    if (isMap(meta) && isMap(annotations) && Object.hasOwn(annotations, LAST_APPLIED)) {
      out.metadata = {
        ...meta,
        annotations: { ...annotations, [LAST_APPLIED]: hashValue(annotations[LAST_APPLIED]!) },
      };
    }
  }
  for (const p of sensitive) {
    if (p.kind && p.kind !== out.kind) continue;
    out = redactAt(out, p.segments) as JsonObject;
  }
  return out;
}

/**
 * Every cleartext value the redaction hides in this object (Secret data/stringData, decoded base64 too, and
 * sensitive paths), for scrubbing free text such as diagnostic messages. Values shorter than 3 characters are skipped.
 */
export function sensitiveValues(object: JsonObject, sensitive: readonly SensitivePath[] = []): string[] {
  const out: string[] = [];
  const add = (v: Json) => {
    if (typeof v === "string") out.push(v);
    else if (typeof v === "number" || typeof v === "boolean") out.push(String(v));
    else if (Array.isArray(v)) v.forEach(add);
    else if (isMap(v)) Object.values(v).forEach(add);
  };
  if (object.kind === "Secret") {
    add(object.stringData ?? null);
    const data = object.data;
    if (isMap(data))
      for (const v of Object.values(data)) {
        add(v);
        if (typeof v === "string") {
          const decoded = Buffer.from(v, "base64").toString("utf8");
          if (decoded && !decoded.includes("\uFFFD")) out.push(decoded);
        }
      }
    const meta = object.metadata;
    const annotations = isMap(meta) ? meta.annotations : undefined;
    const last = isMap(annotations) && Object.hasOwn(annotations, LAST_APPLIED) ? annotations[LAST_APPLIED] : undefined;
    if (last !== undefined && last !== null) {
      add(last);
      // the values inside it, as a Secret of their own (without recursing into its own annotation)
      try {
        const inner = typeof last === "string" ? (JSON.parse(last) as Json) : last;
        if (isMap(inner))
          pushAll(
            out,
            sensitiveValues({ kind: "Secret", data: inner.data ?? null, stringData: inner.stringData ?? null }),
          );
      } catch {
        // not JSON: hidden whole above
      }
    }
  }
  const collect = (value: Json, segments: readonly string[]): void => {
    if (segments.length === 0) return add(value);
    const [head, ...rest] = segments as [string, ...string[]];
    if (Array.isArray(value)) {
      if (head === "*") value.forEach((v) => collect(v, rest));
      else if (/^(0|[1-9]\d*)$/.test(head) && value[Number(head)] !== undefined) collect(value[Number(head)]!, rest);
    } else if (isMap(value)) {
      if (head === "*") Object.values(value).forEach((v) => collect(v, rest));
      else if (Object.hasOwn(value, head)) collect(value[head]!, rest);
    }
  };
  for (const p of sensitive) if (!p.kind || p.kind === object.kind) collect(object, p.segments);
  return out.filter((v) => v.length >= 3);
}

/** Replaces every occurrence of the given values in a text by their hashes (longest first). */
export function scrubText(text: string, values: readonly string[]): string {
  let s = text;
  for (const v of [...new Set(values)].sort((a, b) => b.length - a.length))
    if (s.includes(v)) s = s.split(v).join(hashValue(v));
  return s;
}

/**
 * The Secret values a patch writes or expects (for scrubbing messages about it): the data, stringData and
 * last-applied annotation of a strategic or merge patch, and the values of JSON6902 operations under those
 * fields, for a patch whose target kind can match `Secret` (or whose body is a Secret when it has no target).
 */
export function patchSecretValues(patch: { type: string; target?: { kind?: string }; body: Json }): string[] {
  const kind = patch.target?.kind;
  let secret: boolean;
  try {
    secret = kind ? new RegExp(`^(?:${kind})$`).test("Secret") : isMap(patch.body) && patch.body.kind === "Secret";
  } catch {
    secret = false;
  }
  if (!secret) return [];
  const body = patch.body;
  if (patch.type === "json6902" && Array.isArray(body)) {
    const out: string[] = [];
    for (const op of body) {
      if (!isMap(op) || !Object.hasOwn(op, "value") || typeof op.path !== "string") continue;
      if (!/^\/(data|stringData|metadata\/annotations)(\/|$)|^$/.test(op.path)) continue;
      const field = op.path.split("/")[1] === "stringData" ? "stringData" : "data";
      const v = op.value!;
      pushAll(out, sensitiveValues({ kind: "Secret", [field]: isMap(v) ? v : { v } }));
      if (isMap(v)) pushAll(out, sensitiveValues({ kind: "Secret", ...v }));
    }
    return out;
  }
  return isMap(body) ? sensitiveValues({ ...body, kind: "Secret" }) : [];
}
