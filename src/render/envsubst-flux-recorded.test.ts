/**
 * Replays recorded answers of Flux's own code: envsubst-flux-answers.json holds 2,000 seeded random
 * templates (free-form syntax and well-formed operators, unicode values, strict and not), each with the
 * answer fluxcd/pkg envsubst v1.7.0 (the version kustomize-controller v1.9 builds with) gave when run
 * through `envsubst.Eval` with the mapper of kustomize_varsub.go `varSubstitution`: the output, or
 * `{syntax: <Flux's parse error>}`, `{undefined: true}` ("variable not set (strict mode)"),
 * `{panic: <Go runtime error>}`, `{notUtf8: true}` (an output go-yaml would reject).
 * Where Flux fails, braid must fail with the matching located code, never return a value.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { envsubst } from "./envsubst.js";

type Answer = string | { syntax: string } | { undefined: true } | { panic: string } | { notUtf8: true };
type Row = [template: string, vars: Record<string, string>, strict: boolean, flux: Answer];

const rows = JSON.parse(readFileSync(new URL("./envsubst-flux-answers.json", import.meta.url), "utf8")) as Row[];

function braidAnswer(template: string, vars: Record<string, string>, strict: boolean, flux: Answer): Answer | string {
  const { output, errors } = envsubst(template, vars, { strict });
  if (errors.length === 0) return output;
  const first = errors[0]!;
  if (
    typeof flux === "object" &&
    "syntax" in flux &&
    first.code === "SUBST_SYNTAX" &&
    first.message.startsWith(flux.syntax + " ")
  ) {
    return flux;
  }
  if (typeof flux === "object" && "undefined" in flux && errors.some((e) => e.code === "SUBST_UNDEFINED")) return flux;
  if (
    typeof flux === "object" &&
    "panic" in flux &&
    errors.some(
      (e) => e.code === "SUBST_SYNTAX" && e.message.includes(`panics (${flux.panic.replace(/^runtime error: /, "")})`),
    )
  ) {
    return flux;
  }
  if (
    typeof flux === "object" &&
    "notUtf8" in flux &&
    first.code === "SUBST_SYNTAX" &&
    first.message.startsWith("the result is not valid UTF-8")
  ) {
    return flux;
  }
  return `braid: ${errors.map((e) => `${e.code} ${e.message}`).join("; ")}`;
}

describe("envsubst agrees with recorded answers of Flux's envsubst", () => {
  it("covers every kind of answer", () => {
    const kinds = new Set(rows.map(([, , , f]) => (typeof f === "string" ? "ok" : Object.keys(f)[0])));
    expect([...kinds].sort()).toEqual(["notUtf8", "ok", "panic", "syntax", "undefined"]);
    expect(rows.length).toBe(2000);
  });

  it("gives Flux's answer for every recorded template", () => {
    const diffs = rows
      .map(([t, vars, strict, flux]) => ({ t, vars, strict, flux, braid: braidAnswer(t, vars, strict, flux) }))
      .filter((r) => JSON.stringify(r.braid) !== JSON.stringify(r.flux));
    expect(diffs.slice(0, 20)).toEqual([]);
  });
});
