import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { matchesLabelSelectorObject } from "../model/select-targets.js";
import { branchNameProblem, refNameProblem } from "../git/ref-name.js";
import type { Fleet, LayerDef, PinDef, RefSpec } from "./types.js";
import { defaultSeverityOf } from "../diagnostics/codes.js";

const REF_KINDS = ["branch", "tag", "semver", "name", "commit"] as const;

/** Problems with a ref's combination of fields (Flux GitRepository.spec.ref rules, stricter where Flux is silent). */
export function refProblem(ref: RefSpec): string | undefined {
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
export function refNamesProblem(ref: RefSpec): string | undefined {
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

/** The semantic checks that run after the schemas: names, references between files, selectors. */
export function checkFleetRules(fleet: Fleet): Diagnostic[] {
  const out: Diagnostic[] = [];
  const sourceNames = new Map<string, Fleet["sources"][number]>();
  for (const s of fleet.sources) {
    const first = sourceNames.get(s.name);
    if (first)
      out.push({
        code: "CONFIG_DUPLICATE",
        severity: "error",
        message: `source "${s.name}" is defined twice`,
        location: s.location,
        related: [{ message: "first defined here", location: first.location }],
      });
    else sourceNames.set(s.name, s);
  }

  const checkPins = (layer: LayerDef, pins: PinDef[], duplicates = true) => {
    const seen = new Map<string, PinDef>();
    for (const pin of pins) {
      if (!sourceNames.has(pin.source))
        out.push({
          code: "CONFIG_UNKNOWN_SOURCE",
          severity: "error",
          message: `source "${pin.source}" is not defined in braid.yaml`,
          location: pin.location,
          hint: sourceNames.size ? `defined sources: ${[...sourceNames.keys()].join(", ")}` : "add it under spec.sources in braid.yaml",
        });
      const dup = seen.get(pin.source);
      if (dup && duplicates)
        out.push({
          code: "CONFIG_DUPLICATE",
          severity: "error",
          message: `source "${pin.source}" is listed twice in ${layer.file}`,
          location: pin.location,
          related: [{ message: "first listed here", location: dup.location }],
        });
      seen.set(pin.source, pin);
      if (pin.ref) {
        const problem = refProblem(pin.ref);
        if (problem) out.push({ code: "CONFIG_REF_CONFLICT", severity: "error", message: problem, location: pin.location });
        const nameProblem = refNamesProblem(pin.ref);
        if (nameProblem) out.push({ code: "CONFIG_REF_NAME", severity: "error", message: nameProblem, location: pin.location, hint: "use a name git accepts (git check-ref-format)" });
      }
    }
  };
  checkPins(fleet.defaults, fleet.defaults.sources, false); // duplicates there are reported as definitions

  const groupNames = new Map<string, Fleet["groups"][number]>();
  for (const g of fleet.groups) {
    const first = groupNames.get(g.name);
    if (first)
      out.push({
        code: "CONFIG_DUPLICATE",
        severity: "error",
        message: `group "${g.name}" is defined twice`,
        location: g.location,
        related: [{ message: "first defined here", location: first.location }],
      });
    groupNames.set(g.name, g);
    expectFileName(g.file, g.name, "Group", g.location, out);
    checkPins(g, g.sources);
    for (const [i, e] of (g.selector.matchExpressions ?? []).entries()) {
      const needsValues = e.operator === "In" || e.operator === "NotIn";
      const hasValues = (e.values?.length ?? 0) > 0;
      if (needsValues !== hasValues)
        out.push({
          code: "CONFIG_SELECTOR",
          severity: "error",
          message: needsValues
            ? `matchExpressions[${i}] (${e.key} ${e.operator}) needs a non-empty values list`
            : `matchExpressions[${i}] (${e.key} ${e.operator}) must not have values`,
          location: g.location,
        });
    }
  }

  const clusterNames = new Map<string, Fleet["clusters"][number]>();
  for (const c of fleet.clusters) {
    const first = clusterNames.get(c.name);
    if (first)
      out.push({
        code: "CONFIG_DUPLICATE",
        severity: "error",
        message: `cluster "${c.name}" is defined twice`,
        location: c.location,
        related: [{ message: "first defined here", location: first.location }],
      });
    clusterNames.set(c.name, c);
    expectFileName(c.file, c.name, "Cluster", c.location, out);
    checkPins(c, c.sources);
  }
  if (fleet.clusters.length === 0 && !out.some((d) => d.severity === "error"))
    out.push({
      code: "FLEET_EMPTY",
      severity: "error",
      message: "the fleet has no clusters",
      location: { file: "clusters/" },
      hint: "add clusters/<name>.yaml files (kind: Cluster); publishing an empty fleet would prune every cluster",
    });

  for (const g of fleet.groups) {
    if (!fleet.clusters.some((c) => matchesLabelSelectorObject(c.labels, g.selector)))
      out.push({
        code: "GROUP_MATCHES_NOTHING",
        severity: defaultSeverityOf("GROUP_MATCHES_NOTHING"),
        message: `group "${g.name}" matches no cluster`,
        location: g.location,
        hint: "check spec.selector against the clusters' metadata.labels",
      });
  }
  return out;
}

function expectFileName(
  file: string,
  name: string,
  kind: string,
  location: Diagnostic["location"],
  out: Diagnostic[],
): void {
  const base = file.replace(/^.*\//, "").replace(/\.ya?ml$/, "");
  if (base !== name)
    out.push({
      code: "CONFIG_NAME_MISMATCH",
      severity: "error",
      message: `${kind} "${name}" is in ${file}; its metadata.name must equal the file name ("${base}")`,
      location,
      hint: `rename the file to ${file.replace(/[^/]*$/, `${name}.yaml`)} or set metadata.name: ${base}`,
    });
}
