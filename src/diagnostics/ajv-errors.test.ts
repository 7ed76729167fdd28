import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { explainAjvErrors, type SchemaProblem } from "./ajv-errors.js";
import { closest } from "./did-you-mean.js";

const ajv = new Ajv({ allErrors: true, verbose: true, strict: false });
const validate = ajv.compile({
  type: "object",
  additionalProperties: false,
  required: ["sources", "kubernetesVersion"],
  properties: {
    sources: { type: "array" },
    kubernetesVersion: { type: "string", pattern: "^1\\.[0-9]+$", description: 'e.g. "1.34"' },
    type: { enum: ["strategic", "merge", "json6902"] },
    vars: { type: "object", propertyNames: { pattern: "^[A-Za-z_][A-Za-z0-9_]*$" } },
    ref: {
      description: "exactly one of tag, semver, branch",
      oneOf: [
        { type: "object", required: ["tag"], properties: { tag: { type: "string" } } },
        { type: "object", required: ["semver"], properties: { semver: { type: "string" } } },
      ],
    },
    replicas: { anyOf: [{ type: "integer" }, { type: "string" }] },
    labels: { type: "object", minProperties: 1 },
  },
});

function problems(value: unknown): SchemaProblem[] {
  expect(validate(value)).toBe(false);
  return explainAjvErrors(validate.errors ?? []);
}

describe("explainAjvErrors", () => {
  it("an unknown field: did you mean, located at the key, the allowed fields as hint", () => {
    expect(validate({ sources: [], kubernetesVerison: "1.34", kubernetesVersion: "1.34" })).toBe(false);
    const [p, ...rest] = explainAjvErrors(validate.errors ?? []);
    expect(rest).toEqual([]);
    expect(p).toEqual({
      pointer: "/kubernetesVerison",
      locate: "/kubernetesVerison",
      at: "",
      atKey: true,
      message: 'unknown field "kubernetesVerison" (did you mean "kubernetesVersion"?)',
      guess: "kubernetesVersion",
      hint: "the fields here are: sources, kubernetesVersion, type, vars, ref, replicas, labels",
    });
  });

  it("a mistyped required field is one problem, not also a missing one; another missing field still shows", () => {
    expect(problems({ sorces: [] }).map((p) => p.message)).toEqual([
      'missing required field "kubernetesVersion"',
      'unknown field "sorces" (did you mean "sources"?)',
    ]);
  });

  it.each([
    [
      "enum with a close value",
      { type: "strategc" },
      "/type",
      '"strategc" is not one of "strategic", "merge", "json6902" (did you mean "strategic"?)',
    ],
    ["enum without one", { type: "kustomize" }, "/type", '"kustomize" is not one of "strategic", "merge", "json6902"'],
    [
      "pattern with the schema's description",
      { kubernetesVersion: "v1.34" },
      "/kubernetesVersion",
      '"v1.34" does not match ^1\\.[0-9]+$ (e.g. "1.34")',
    ],
    [
      "a wrong type hides the value's other errors",
      { kubernetesVersion: 134 },
      "/kubernetesVersion",
      "must be string, not the integer 134",
    ],
    ["anyOf of types", { replicas: true }, "/replicas", "must be integer or string, not boolean true"],
    [
      "oneOf: the closest alternative, with the description",
      { ref: { tag: 1 } },
      "/ref",
      "matches none of the 2 allowed forms (exactly one of tag, semver, branch); closest: /ref/tag must be string, not the integer 1",
    ],
    [
      "oneOf matching twice",
      { ref: { tag: "a", semver: "b" } },
      "/ref",
      "must match exactly one of the allowed forms, but matches 2 (alternatives 1 and 2)",
    ],
    ["minProperties 1", { labels: {} }, "/labels", "must not be empty"],
  ])("%s", (_name, extra, pointer, message) => {
    const found = problems({ sources: [], kubernetesVersion: "1.34", ...extra });
    expect(found.map((p) => [p.pointer, p.message])).toEqual([[pointer, message]]);
  });

  it("an invalid key is located at the key itself", () => {
    expect(problems({ sources: [], kubernetesVersion: "1.34", vars: { "bad-name": 1 } })).toEqual([
      {
        pointer: "/vars/bad-name",
        locate: "/vars/bad-name",
        at: "/vars",
        atKey: true,
        message: 'invalid key "bad-name": does not match ^[A-Za-z_][A-Za-z0-9_]*$',
      },
    ]);
  });

  it("a missing field points at its parent", () => {
    expect(problems({ sources: [] })).toEqual([
      {
        pointer: "/kubernetesVersion",
        locate: "",
        at: "",
        atKey: false,
        message: 'missing required field "kubernetesVersion"',
        missing: true,
      },
    ]);
  });
});

describe("closest (one rule for flags, commands, fields and enum values)", () => {
  it.each([
    ["sorces", ["sources", "vars"], "sources"],
    ["Replicas", ["replicas"], "replicas"],
    ["kubernetesVerison", ["kubernetesVersion"], "kubernetesVersion"],
    ["clustr", ["cluster", "fleet"], "cluster"],
    ["ren", ["render", "rollout"], "render"],
    ["xyz", ["sources", "vars"], undefined],
    ["ab", ["cd"], undefined],
  ])("%s → %s", (word, known, guess) => {
    expect(closest(word, known)).toBe(guess);
  });
});
