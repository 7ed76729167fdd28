/**
 * The semantic checks that run after the schemas (names, references between files, refs, selectors), as a
 * named list of rules in the manner of changesets' config checks: each rule has a stable code, a one-line
 * description and a check of one part of the fleet. {@link checkFleetRules} visits the parts in file order
 * (see {@link subjects}) and runs, on each part, the rules for its kind in list order.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { matchesLabelSelectorObject } from "../model/select-targets.js";
import { branchNameProblem, refNameProblem } from "../git/ref-name.js";
import type { ClusterDef, Fleet, GroupDef, LabelSelector, LayerDef, PinDef, RefSpec, SourceDef } from "./types.js";
import { defaultSeverityOf, type Code } from "../diagnostics/codes.js";

const REF_KINDS = ["branch", "tag", "semver", "name", "commit"] as const;

/** Problems with a ref's combination of fields (Flux GitRepository.spec.ref rules, stricter where Flux is silent). */
function refProblem(ref: RefSpec): string | undefined {
  const set = REF_KINDS.filter((k) => ref[k] !== undefined);
  if (set.length === 0) return "the ref names none of branch, tag, semver, name or commit";
  if (ref.tagPrefix !== undefined && !set.includes("semver")) return "tagPrefix only applies to a semver ref";
  if (set.length === 1) return undefined;
  if (set.length === 2 && set.includes("commit") && set.includes("branch")) return undefined;
  if (set.includes("tag") && set.includes("semver"))
    return "the ref sets both tag and semver (Flux would silently let the tag win); keep one";
  return `the ref sets ${set.join(" and ")}; give one of them (only commit may be combined with branch)`;
}

/** A branch, tag or full ref name in a ref that git would refuse (it would name a path outside refs/). */
function refNamesProblem(ref: RefSpec): string | undefined {
  if (ref.branch !== undefined) {
    const p = branchNameProblem(ref.branch);
    if (p) return `ref.branch "${ref.branch}" is not a valid Git branch name: ${p}`;
  }
  if (ref.tag !== undefined) {
    const p = refNameProblem(`refs/tags/${ref.tag}`);
    if (p) return `ref.tag "${ref.tag}" is not a valid Git tag name: ${p}`;
  }
  if (ref.name !== undefined) {
    const p = refNameProblem(ref.name);
    if (p) return `ref.name "${ref.name}" is not a valid Git ref name: ${p}`;
  }
  return undefined;
}

/** One part of the fleet a rule looks at, with what the rules need to know about the parts before it. */
type Subject =
  /** A source of braid.yaml, and the first source defined under its name (when it is not the first). */
  | { kind: "source"; source: SourceDef; first: SourceDef | undefined }
  /** A pin of the defaults, a group or a cluster, and the first pin of its source in the same layer (when it is not the first). */
  | { kind: "pin"; layer: LayerDef; pin: PinDef; first: PinDef | undefined }
  /** A group, and the first group of its name (when it is not the first). */
  | { kind: "group"; group: GroupDef; first: GroupDef | undefined }
  /** One of a group's `spec.selector.matchExpressions`. */
  | { kind: "match-expression"; group: GroupDef; expression: MatchExpression; index: number }
  /** A cluster, and the first cluster of its name (when it is not the first). */
  | { kind: "cluster"; cluster: ClusterDef; first: ClusterDef | undefined }
  /** The fleet as a whole, once every part above is checked. */
  | { kind: "fleet" }
  /** A group's selector against the fleet's clusters, last. */
  | { kind: "group-match"; group: GroupDef };

type MatchExpression = NonNullable<LabelSelector["matchExpressions"]>[number];
type SubjectKind = Subject["kind"];
type SubjectOf<K extends SubjectKind> = Extract<Subject, { kind: K }>;

/** What every rule may read: the fleet, its sources by name (first definition) and what was reported so far. */
interface RuleContext {
  fleet: Fleet;
  sources: ReadonlyMap<string, SourceDef>;
  reported: readonly Diagnostic[];
}

/** One named semantic check: the code it reports, a one-line description, the kind of part it checks. */
export interface Rule {
  name: string;
  code: Code;
  description: string;
  on: SubjectKind;
  /** The problem with this part, if any (reported under the rule's code); undefined for a part of another kind. */
  check(subject: Subject, ctx: RuleContext): Diagnostic | undefined;
}

/** A rule's finding: a diagnostic without its code, which is the rule's. */
type Finding = Omit<Diagnostic, "code">;

function rule<K extends SubjectKind>(
  name: string,
  on: K,
  code: Code,
  description: string,
  check: (subject: SubjectOf<K>, ctx: RuleContext) => Finding | undefined,
): Rule {
  return {
    name,
    code,
    description,
    on,
    check(subject, ctx) {
      if (subject.kind !== on) return undefined;
      // the kind test above narrows the part, but TypeScript cannot narrow a generic union by `kind`
      const finding = check(subject as SubjectOf<K>, ctx);
      return finding && { code, ...finding };
    },
  };
}

/** A name defined a second (or later) time, pointing at its first definition. */
function definedTwice(
  what: "source" | "group" | "cluster",
  def: { name: string; location: NonNullable<Diagnostic["location"]> },
  first: { location: NonNullable<Diagnostic["location"]> } | undefined,
): Finding | undefined {
  if (!first) return undefined;
  return {
    severity: "error",
    message: `${what} "${def.name}" is defined twice`,
    location: def.location,
    related: [{ message: "first defined here", location: first.location }],
  };
}

/** The rules, in the order they run on each part. */
export const FLEET_RULES: readonly Rule[] = [
  rule(
    "source-defined-once",
    "source",
    "CONFIG_DUPLICATE",
    "each source name is defined once in braid.yaml",
    ({ source, first }) => definedTwice("source", source, first),
  ),
  rule(
    "pin-source-defined",
    "pin",
    "CONFIG_UNKNOWN_SOURCE",
    "every pin names a source defined in braid.yaml",
    ({ pin }, { sources }) =>
      sources.has(pin.source)
        ? undefined
        : {
            severity: "error",
            message: `source "${pin.source}" is not defined in braid.yaml`,
            location: pin.location,
            hint: sources.size
              ? `defined sources: ${[...sources.keys()].join(", ")}`
              : "add it under spec.sources in braid.yaml",
          },
  ),
  rule(
    "pin-listed-once",
    "pin",
    "CONFIG_DUPLICATE",
    "a group or cluster lists each source once",
    ({ layer, pin, first }, { fleet }) =>
      // the defaults' pins are braid.yaml's sources: their duplicates are reported as definitions
      first && layer !== fleet.defaults
        ? {
            severity: "error",
            message: `source "${pin.source}" is listed twice in ${layer.file}`,
            location: pin.location,
            related: [{ message: "first listed here", location: first.location }],
          }
        : undefined,
  ),
  rule(
    "ref-fields-combine",
    "pin",
    "CONFIG_REF_CONFLICT",
    "a ref names one of branch, tag, semver, name, commit (commit may join branch)",
    ({ pin }) => {
      const problem = pin.ref && refProblem(pin.ref);
      return problem ? { severity: "error", message: problem, location: pin.location } : undefined;
    },
  ),
  rule("ref-names-valid", "pin", "CONFIG_REF_NAME", "a ref's branch, tag and name are names git accepts", ({ pin }) => {
    const problem = pin.ref && refNamesProblem(pin.ref);
    return problem
      ? {
          severity: "error",
          message: problem,
          location: pin.location,
          hint: "use a name git accepts (git check-ref-format)",
        }
      : undefined;
  }),
  rule("group-defined-once", "group", "CONFIG_DUPLICATE", "each group name is defined once", ({ group, first }) =>
    definedTwice("group", group, first),
  ),
  rule("group-file-name", "group", "CONFIG_NAME_MISMATCH", "a group's metadata.name is its file's name", ({ group }) =>
    fileNameMismatch(group.file, group.name, "Group", group.location),
  ),
  rule(
    "selector-values",
    "match-expression",
    "CONFIG_SELECTOR",
    "In and NotIn take values, Exists and DoesNotExist none",
    ({ group, expression: e, index: i }) => {
      const needsValues = e.operator === "In" || e.operator === "NotIn";
      const hasValues = (e.values?.length ?? 0) > 0;
      if (needsValues === hasValues) return undefined;
      return {
        severity: "error",
        message: needsValues
          ? `matchExpressions[${i}] (${e.key} ${e.operator}) needs a non-empty values list`
          : `matchExpressions[${i}] (${e.key} ${e.operator}) must not have values`,
        location: group.location,
      };
    },
  ),
  rule(
    "cluster-defined-once",
    "cluster",
    "CONFIG_DUPLICATE",
    "each cluster name is defined once",
    ({ cluster, first }) => definedTwice("cluster", cluster, first),
  ),
  rule(
    "cluster-file-name",
    "cluster",
    "CONFIG_NAME_MISMATCH",
    "a cluster's metadata.name is its file's name",
    ({ cluster }) => fileNameMismatch(cluster.file, cluster.name, "Cluster", cluster.location),
  ),
  rule(
    "fleet-not-empty",
    "fleet",
    "FLEET_EMPTY",
    "the fleet has a cluster (reported only when nothing else is wrong)",
    (_, { fleet, reported }) =>
      fleet.clusters.length === 0 && !reported.some((d) => d.severity === "error")
        ? {
            severity: "error",
            message: "the fleet has no clusters",
            location: { file: "clusters/" },
            hint: "add clusters/<name>.yaml files (kind: Cluster); publishing an empty fleet would prune every cluster",
          }
        : undefined,
  ),
  rule(
    "group-matches-a-cluster",
    "group-match",
    "GROUP_MATCHES_NOTHING",
    "each group's selector matches a cluster",
    ({ group }, { fleet }) =>
      fleet.clusters.some((c) => matchesLabelSelectorObject(c.labels, group.selector))
        ? undefined
        : {
            severity: defaultSeverityOf("GROUP_MATCHES_NOTHING"),
            message: `group "${group.name}" matches no cluster`,
            location: group.location,
            hint: "check spec.selector against the clusters' metadata.labels",
          },
  ),
];

/** Runs {@link FLEET_RULES} on every part of the fleet, in file order. */
export function checkFleetRules(fleet: Fleet): Diagnostic[] {
  const reported: Diagnostic[] = [];
  const ctx: RuleContext = { fleet, sources: firstByName(fleet.sources), reported };
  for (const subject of subjects(fleet)) {
    for (const r of FLEET_RULES) {
      if (r.on !== subject.kind) continue;
      const d = r.check(subject, ctx);
      if (d) reported.push(d);
    }
  }
  return reported;
}

/**
 * The parts of the fleet in the order their problems are reported: braid.yaml's sources, the defaults'
 * pins, each group (then its pins, then its match expressions), each cluster (then its pins), the fleet,
 * each group's selector against the clusters. A name repeated points at its first definition.
 */
function* subjects(fleet: Fleet): Generator<Subject> {
  const firstSource = new Map<string, SourceDef>();
  for (const source of fleet.sources) {
    const first = firstSource.get(source.name);
    if (!first) firstSource.set(source.name, source);
    yield { kind: "source", source, first };
  }
  yield* pinsOf(fleet.defaults);
  const firstGroup = new Map<string, GroupDef>();
  for (const group of fleet.groups) {
    const first = firstGroup.get(group.name);
    if (!first) firstGroup.set(group.name, group);
    yield { kind: "group", group, first };
    yield* pinsOf(group);
    for (const [index, expression] of (group.selector.matchExpressions ?? []).entries())
      yield { kind: "match-expression", group, expression, index };
  }
  const firstCluster = new Map<string, ClusterDef>();
  for (const cluster of fleet.clusters) {
    const first = firstCluster.get(cluster.name);
    if (!first) firstCluster.set(cluster.name, cluster);
    yield { kind: "cluster", cluster, first };
    yield* pinsOf(cluster);
  }
  yield { kind: "fleet" };
  for (const group of fleet.groups) yield { kind: "group-match", group };
}

function* pinsOf(layer: LayerDef): Generator<Subject> {
  const firstPin = new Map<string, PinDef>();
  for (const pin of layer.sources) {
    const first = firstPin.get(pin.source);
    if (!first) firstPin.set(pin.source, pin);
    yield { kind: "pin", layer, pin, first };
  }
}

function firstByName(sources: readonly SourceDef[]): Map<string, SourceDef> {
  const out = new Map<string, SourceDef>();
  for (const s of sources) if (!out.has(s.name)) out.set(s.name, s);
  return out;
}

function fileNameMismatch(
  file: string,
  name: string,
  kind: string,
  location: Diagnostic["location"],
): Finding | undefined {
  const base = file.replace(/^.*\//, "").replace(/\.ya?ml$/, "");
  if (base === name) return undefined;
  return {
    severity: "error",
    message: `${kind} "${name}" is in ${file}; its metadata.name must equal the file name ("${base}")`,
    location,
    hint: `rename the file to ${file.replace(/[^/]*$/, `${name}.yaml`)} or set metadata.name: ${base}`,
  };
}
