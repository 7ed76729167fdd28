/**
 * Patch target selection with Kustomize's semantics (api/types/selector.go, resmap Select): group,
 * version, kind, name and namespace are regular expressions anchored as `^(?:…)$`, an empty field matches
 * anything, the namespace is compared in its "effective" form (unset means `default`; cluster-scoped
 * objects have none), and label/annotation selectors use the Kubernetes string syntax.
 */
import { BraidError } from "../diagnostics/diagnostic.js";
import type { JsonObject } from "./resource.js";
import { splitApiVersion } from "./resource.js";

/** A `target:` of a patch, as in Kustomize. */
export interface TargetSelector {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

/** One requirement of a label selector. `values` is empty for Exists/DoesNotExist. */
export interface LabelSelectorRequirement {
  key: string;
  operator: "=" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";
  values: string[];
}

/** What the caller knows about the object beyond its fields. */
export interface MatchOptions {
  /** The kind is cluster-scoped (it then matches only selectors without namespace). */
  clusterScoped?: boolean;
}

/** A selector checked once, ready to match many objects. */
export interface CompiledTarget {
  readonly selector: TargetSelector;
  matches(object: JsonObject, options?: MatchOptions): boolean;
}

/** Kustomize's stand-in namespace of cluster-scoped objects. */
const NON_NAMESPACEABLE = "_non_namespaceable_";

/** Checks a selector (regexes and label syntax) and compiles it; an error names the bad field. */
export function compileTarget(sel: TargetSelector): CompiledTarget | { error: string } {
  const regexes: [keyof TargetSelector, RegExp][] = [];
  for (const f of ["group", "version", "kind", "name", "namespace"] as const) {
    const pattern = sel[f];
    if (pattern === undefined || pattern === "") continue;
    const re = anchoredRegex(pattern);
    if (typeof re === "string") return { error: `target.${f}: invalid regular expression '${pattern}': ${re}` };
    regexes.push([f, re]);
  }
  const labels = parseOptional(sel.labelSelector, "labelSelector");
  if ("error" in labels) return labels;
  const annotations = parseOptional(sel.annotationSelector, "annotationSelector");
  if ("error" in annotations) return annotations;
  // a kind or name without regex syntax matches only itself: compared first, before anything is allocated
  const literal = (p: string | undefined) => (p !== undefined && /^[A-Za-z0-9_-]+$/.test(p) ? p : undefined);
  const kindIs = literal(sel.kind);
  const nameIs = literal(sel.name);
  return {
    selector: sel,
    matches(object, options = {}) {
      if (kindIs !== undefined && object.kind !== kindIs) return false;
      if (nameIs !== undefined && (object.metadata as { name?: unknown } | null | undefined)?.name !== nameIs)
        return false;
      const meta = asMap(object.metadata);
      const { group, version } = splitApiVersion(typeof object.apiVersion === "string" ? object.apiVersion : "");
      const ns = typeof meta.namespace === "string" ? meta.namespace : "";
      const values: Record<string, string> = {
        group,
        version,
        kind: typeof object.kind === "string" ? object.kind : "",
        name: typeof meta.name === "string" ? meta.name : "",
        namespace: options.clusterScoped ? NON_NAMESPACEABLE : ns === "" ? "default" : ns,
      };
      for (const [f, re] of regexes) if (!re.test(values[f] ?? "")) return false;
      if (!matchesLabelSelector(stringMap(meta.labels), labels.requirements)) return false;
      return matchesLabelSelector(stringMap(meta.annotations), annotations.requirements);
    },
  };
}

const compiled = new Map<string, CompiledTarget | { error: string }>();

/**
 * True when the object is selected. Throws a BraidError (PATCH_INVALID) on an invalid selector; call
 * {@link compileTarget} first to report that as data.
 */
export function matchesTarget(object: JsonObject, sel: TargetSelector, options?: MatchOptions): boolean {
  const key = JSON.stringify([
    sel.group,
    sel.version,
    sel.kind,
    sel.name,
    sel.namespace,
    sel.labelSelector,
    sel.annotationSelector,
  ]);
  let c = compiled.get(key);
  if (!c) {
    c = compileTarget(sel);
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(key, c);
  }
  if ("error" in c) throw new BraidError({ code: "PATCH_INVALID", message: c.error });
  return c.matches(object, options);
}

function anchoredRegex(pattern: string): RegExp | string {
  let p = pattern;
  let flags = "";
  if (p.startsWith("(?i)")) {
    p = p.slice(4);
    flags = "i";
  }
  try {
    return new RegExp(`^(?:${p})$`, flags);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

function parseOptional(
  s: string | undefined,
  field: string,
): { requirements: LabelSelectorRequirement[] } | { error: string } {
  if (s === undefined || s.trim() === "") return { requirements: [] };
  const r = parseSelectorString(s);
  return "error" in r ? { error: `target.${field}: ${r.error}` } : { requirements: r };
}

function asMap(v: unknown): JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as JsonObject) : {};
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(asMap(v))) {
    if (typeof x === "string") out[k] = x;
    else if (typeof x === "number" || typeof x === "boolean") out[k] = String(x);
  }
  return out;
}

// ---- Kubernetes label selector strings (k8s.io/apimachinery/pkg/labels.Parse) ----

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function keyError(key: string): string | undefined {
  const slash = key.indexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix === "" || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return `invalid key '${key}': the prefix must be a DNS subdomain`;
  }
  if (name === "" || name.length > 63 || !NAME.test(name)) {
    return `invalid key '${key}': a name must be at most 63 characters of letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
  }
  return undefined;
}

function valueError(value: string): string | undefined {
  if (value === "") return undefined;
  if (value.length > 63 || !NAME.test(value)) {
    return `invalid value '${value}': a label value must be empty or at most 63 characters of letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
  }
  return undefined;
}

type Token = { t: "id"; v: string } | { t: "op"; v: string };

function tokenize(s: string): Token[] | { error: string } {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = s.slice(i, i + 2);
    if (two === "==" || two === "!=") {
      out.push({ t: "op", v: two });
      i += 2;
      continue;
    }
    if ("=!<>(),".includes(c)) {
      out.push({ t: "op", v: c });
      i++;
      continue;
    }
    let j = i;
    while (j < s.length && !/\s/.test(s[j]!) && !"=!<>(),".includes(s[j]!)) j++;
    out.push({ t: "id", v: s.slice(i, j) });
    i = j;
  }
  return out;
}

/**
 * Parses the Kubernetes selector string form: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`,
 * `!a`, `a>1`, `a<1`, joined by commas. The empty string gives no requirements (matches everything).
 */
export function parseSelectorString(s: string): LabelSelectorRequirement[] | { error: string } {
  const tokens = tokenize(s);
  if ("error" in tokens) return tokens;
  const reqs: LabelSelectorRequirement[] = [];
  let i = 0;
  const peek = (): Token | undefined => tokens[i];
  const fail = (msg: string): { error: string } => ({ error: `label selector '${s}': ${msg}` });
  while (i < tokens.length) {
    let tok = tokens[i++]!;
    let negate = false;
    if (tok.t === "op" && tok.v === "!") {
      negate = true;
      const next = tokens[i++];
      if (next?.t !== "id") return fail("expected a key after '!'");
      tok = next;
    }
    if (tok.t !== "id") return fail(`expected a key, found '${tok.v}'`);
    const key = tok.v;
    const ke = keyError(key);
    if (ke) return fail(ke);
    const next = peek();
    if (negate || !next || (next.t === "op" && next.v === ",")) {
      if (negate && next && !(next.t === "op" && next.v === ",")) return fail(`unexpected '${next.v}' after '!${key}'`);
      reqs.push({ key, operator: negate ? "!" : "exists", values: [] });
    } else if (next.t === "op" && ["=", "==", "!=", ">", "<"].includes(next.v)) {
      i++;
      const val = peek();
      let value = "";
      if (val?.t === "id") {
        value = val.v;
        i++;
      } else if (next.v === ">" || next.v === "<") {
        return fail(`expected a number after '${key}${next.v}'`);
      }
      if (next.v === ">" || next.v === "<") {
        if (!/^-?\d+$/.test(value)) return fail(`'${value}' is not an integer (needed by '${next.v}')`);
        reqs.push({ key, operator: next.v === ">" ? "gt" : "lt", values: [value] });
      } else {
        const ve = valueError(value);
        if (ve) return fail(ve);
        reqs.push({ key, operator: next.v === "!=" ? "!=" : "=", values: [value] });
      }
    } else if (next.t === "id" && (next.v === "in" || next.v === "notin")) {
      i++;
      const open = tokens[i++];
      if (open?.t !== "op" || open.v !== "(") return fail(`expected '(' after '${key} ${next.v}'`);
      const values: string[] = [];
      let segment: string | undefined;
      let closed = false;
      let sawComma = false;
      while (i < tokens.length) {
        const t = tokens[i++]!;
        if (t.t === "op" && (t.v === ")" || t.v === ",")) {
          values.push(segment ?? "");
          segment = undefined;
          if (t.v === ")") {
            closed = true;
            break;
          }
          sawComma = true;
          continue;
        }
        if (t.t !== "id" || segment !== undefined) return fail(`unexpected '${t.v}' in the value list of '${key}'`);
        const ve = valueError(t.v);
        if (ve) return fail(ve);
        segment = t.v;
      }
      if (!closed) return fail("missing ')'");
      if (!sawComma && values.length === 1 && values[0] === "") values.length = 0;
      if (values.length === 0) return fail(`'${key} ${next.v}' needs at least one value`);
      reqs.push({ key, operator: next.v, values: [...new Set(values)] });
    } else {
      return fail(`unexpected '${next.v}' after '${key}'`);
    }
    const sep = peek();
    if (sep) {
      if (sep.t !== "op" || sep.v !== ",") return fail(`expected ',' before '${sep.v}'`);
      i++;
      if (i >= tokens.length) return fail("a trailing ',' has no requirement after it");
    }
  }
  return reqs;
}

/** True when labels satisfy every requirement (an empty list matches everything). */
export function matchesLabelSelector(
  labels: Record<string, string>,
  requirements: readonly LabelSelectorRequirement[],
): boolean {
  return requirements.every((r) => {
    const present = Object.hasOwn(labels, r.key);
    const value = present ? labels[r.key]! : undefined;
    switch (r.operator) {
      case "=":
      case "in":
        return present && r.values.includes(value!);
      case "!=":
      case "notin":
        return !present || !r.values.includes(value!);
      case "exists":
        return present;
      case "!":
        return !present;
      case "gt":
      case "lt": {
        if (!present || !/^-?\d+$/.test(value!)) return false;
        const a = Number(value);
        const b = Number(r.values[0]);
        return r.operator === "gt" ? a > b : a < b;
      }
    }
  });
}

/**
 * Kubernetes `LabelSelector` object matching (`matchLabels` + `matchExpressions` with In, NotIn, Exists,
 * DoesNotExist). An empty selector matches everything; an unknown operator matches nothing.
 */
export function matchesLabelSelectorObject(
  labels: Record<string, string>,
  sel: {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  },
): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    if (!Object.hasOwn(labels, k) || labels[k] !== v) return false;
  }
  for (const e of sel.matchExpressions ?? []) {
    const present = Object.hasOwn(labels, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case "In":
        if (!present || !values.includes(labels[e.key]!)) return false;
        break;
      case "NotIn":
        if (present && values.includes(labels[e.key]!)) return false;
        break;
      case "Exists":
        if (!present) return false;
        break;
      case "DoesNotExist":
        if (present) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
