import { describe, expect, it } from "vitest";
import type { Json, JsonObject } from "../model/resource.js";
import { pointerOf } from "../model/plain-scalars.js";
import { isSubstitutionDisabled, resolvePlainScalar, substituteObject as substituteWithPlain } from "./substitute.js";
import type { EnvsubstOptions, Vars } from "./envsubst.js";

/**
 * Test shorthand: a string starting with M was written as a plain YAML scalar. The mark is removed and its
 * pointer goes into the plain set the resource carries beside its object (as the loader does).
 */
const M = "\u0001PLAIN\u0001";

function unmark(value: Json, path: (string | number)[], plain: Set<string>): Json {
  if (typeof value === "string") {
    if (!value.startsWith(M)) return value;
    plain.add(pointerOf(path));
    return value.slice(M.length);
  }
  if (Array.isArray(value)) return value.map((v, i) => unmark(v, [...path, i], plain));
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unmark(v, [...path, k], plain)]));
}

function substituteObject(object: JsonObject, vars: Vars, opts: EnvsubstOptions = {}) {
  if (!JSON.stringify(object).includes("PLAIN")) return substituteWithPlain(object, vars, opts);
  const plain = new Set<string>();
  const input = deepFreeze(unmark(object, [], plain) as JsonObject);
  return substituteWithPlain(input, vars, opts, plain);
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === "object") {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

const deployment = (extra: JsonObject = {}): JsonObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: `${M}app-\${ENV}`, labels: { env: `${M}\${ENV}` }, ...extra },
  spec: {
    replicas: `${M}\${R}`,
    template: {
      spec: {
        containers: [
          {
            name: "app",
            image: `${M}\${REGISTRY}/app:\${TAG:=latest}`,
            ports: [{ containerPort: `${M}\${PORT}` }],
            env: [
              { name: "PORT", value: "${PORT}" }, // quoted in the source: stays a string
              { name: "DEBUG", value: `${M}\${DEBUG}` },
              { name: "SCRIPT", value: "echo $$HOME $${HOME} ${ENV}" },
            ],
          },
        ],
      },
    },
  },
});

const vars = { ENV: "prod", R: "3", REGISTRY: "ghcr.io/acme", PORT: "3000", DEBUG: "yes" };

describe("substituteObject", () => {
  it("substitutes values and resolves plain scalars as go-yaml v2, quoted ones stay strings", () => {
    const r = substituteObject(deployment(), vars);
    expect(r.errors).toEqual([]);
    expect(r.changed).toBe(true);
    expect(r.object).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "app-prod", labels: { env: "prod" } },
      spec: {
        replicas: 3,
        template: {
          spec: {
            containers: [
              {
                name: "app",
                image: "ghcr.io/acme/app:latest",
                ports: [{ containerPort: 3000 }],
                env: [
                  { name: "PORT", value: "3000" },
                  { name: "DEBUG", value: true },
                  { name: "SCRIPT", value: "echo $HOME ${HOME} prod" },
                ],
              },
            ],
          },
        },
      },
    });
  });

  it("never mutates its input and shares untouched subtrees", () => {
    const input = deployment({ annotations: { a: "plain", b: "no vars" } });
    const plain = new Set<string>();
    const unmarked = unmark(input, [], plain) as JsonObject;
    const before = JSON.parse(JSON.stringify(unmarked)) as JsonObject;
    const r = substituteWithPlain(unmarked, vars, {}, plain);
    expect(unmarked).toEqual(before);
    expect(r.object).not.toBe(unmarked);
    const meta = r.object.metadata as JsonObject;
    expect(meta.annotations).toBe((unmarked.metadata as JsonObject).annotations);
  });

  it("types only the strings the plain set names, wherever they are", () => {
    const input = { spec: { a: "${N}", b: ["${N}", "${N}"], "c/d": "${N}" } };
    const r = substituteWithPlain(input, { N: "7" }, {}, new Set(["/spec/b/1", "/spec/c~1d"]));
    expect(r.object).toEqual({ spec: { a: "7", b: ["7", 7], "c/d": 7 } });
  });

  it("returns the input itself with changed=false when there is nothing to do (shared across clusters)", () => {
    const input = { apiVersion: "v1", kind: "ConfigMap", data: { a: "b", price: "5$" } };
    const r = substituteObject(input, vars);
    expect(r).toEqual({ object: input, errors: [], changed: false });
    expect(r.object).toBe(input);
  });

  it("substitutes map keys, which stay strings", () => {
    const r = substituteObject({ data: { [`\${ENV}.conf`]: "x", ["${R}"]: `${M}\${R}` } }, vars);
    expect(r.object).toEqual({ data: { "prod.conf": "x", "3": 3 } });
    expect(r.changed).toBe(true);
  });

  it("collects every undefined variable with the JSON path of its value (strict by default)", () => {
    const input = {
      metadata: { name: `${M}\${NAME}` },
      data: { list: ["ok", `${M}\${A}-\${B}`], [`\${K}`]: "v", d: `${M}\${D:-dflt}` },
    };
    const r = substituteObject(input, {});
    expect(r.errors.map((e) => [e.code, e.variable, e.path])).toEqual([
      ["SUBST_UNDEFINED", "NAME", ["metadata", "name"]],
      ["SUBST_UNDEFINED", "A", ["data", "list", 1]],
      ["SUBST_UNDEFINED", "B", ["data", "list", 1]],
      ["SUBST_UNDEFINED", "K", ["data", "${K}"]],
    ]);
    expect((r.object.data as JsonObject).d).toBe("dflt");
  });

  it("non-strict: undefined variables become empty (and an empty plain scalar is null)", () => {
    const r = substituteObject({ a: `${M}\${X}`, b: "${X}", c: `${M}x\${X}` }, {}, { strict: false });
    expect(r.errors).toEqual([]);
    expect(r.object).toEqual({ a: null, b: "", c: "x" });
  });

  it("reports syntax errors with their path and leaves the value as written", () => {
    const r = substituteObject({ spec: { cmd: ["sh", "-c", "echo ${ARR[@]}"] } }, vars);
    expect(r.errors).toMatchObject([{ code: "SUBST_SYNTAX", path: ["spec", "cmd", 2] }]);
    expect(r.object).toEqual({ spec: { cmd: ["sh", "-c", "echo ${ARR[@]}"] } });
  });

  it("strips newlines from values", () => {
    const r = substituteObject({ a: `${M}\${N}` }, { N: "4\n2\n" });
    expect(r.object).toEqual({ a: 42 });
  });

  it("trims spaces a value puts around a plain scalar, as YAML would", () => {
    expect(substituteObject({ a: `${M}\${S}` }, { S: "  7 " }).object).toEqual({ a: 7 });
    expect(substituteObject({ a: "${S}" }, { S: "  7 " }).object).toEqual({ a: "  7 " });
  });

  it.each([
    ["kustomize.toolkit.fluxcd.io/substitute", "labels"],
    ["kustomize.toolkit.fluxcd.io/substitute", "annotations"],
    ["braid/substitute", "labels"],
    ["braid/substitute", "annotations"],
  ])("leaves a resource with %s: disabled in %s alone", (key, field) => {
    const r = substituteObject(deployment({ [field]: { [key]: "disabled" } }), vars);
    expect(r.errors).toEqual([]);
    expect(r.changed).toBe(false);
    const spec = r.object.spec as JsonObject;
    expect(spec.replicas).toBe("${R}");
    expect((r.object.metadata as JsonObject).name).toBe("app-${ENV}");
  });

  it("leaves SOPS-encrypted documents alone", () => {
    const input = { kind: "Secret", stringData: { pw: `${M}ENC[\${X}]` }, sops: { mac: "x" } };
    const r = substituteObject(input, {});
    expect(r).toEqual({
      object: { kind: "Secret", stringData: { pw: "ENC[${X}]" }, sops: { mac: "x" } },
      errors: [],
      changed: false,
    });
  });
});

describe("substituted integers a double cannot hold", () => {
  it("are MANIFEST_INVALID at the value, never a silently changed number; exact ones are numbers", () => {
    const job = { apiVersion: "batch/v1", kind: "Job", metadata: { name: "j" }, spec: { n: `${M}\${N}` } };
    const run = (n: string) => substituteObject(job, { N: n });
    const max = run("9223372036854775807");
    expect(max.errors).toEqual([
      {
        path: ["spec", "n"],
        code: "MANIFEST_INVALID",
        message:
          "the substituted value 9223372036854775807 is an integer beyond ±9007199254740991, which braid cannot hold exactly: Flux keeps it, braid would write 9223372036854776000",
      },
    ]);
    expect(run("0x7FFFFFFFFFFFFFFF").errors.map((e) => e.code)).toEqual(["MANIFEST_INVALID"]);
    for (const [text, value] of [
      ["9007199254740991", 9007199254740991],
      ["1152921504606846976", 2 ** 60],
      ["99999999999999999999", 1e20], // beyond uint64: go-yaml reads a float too
    ] as const) {
      const r = run(text);
      expect(r.errors).toEqual([]);
      expect((r.object.spec as JsonObject).n).toBe(value);
    }
    expect(substituteObject({ ...job, spec: { n: "${N}" } }, { N: "9223372036854775807" }).errors).toEqual([]); // quoted
  });
});

describe("isSubstitutionDisabled", () => {
  it.each([
    [{ metadata: { labels: { "kustomize.toolkit.fluxcd.io/substitute": "disabled" } } }, true],
    [{ metadata: { annotations: { "braid/substitute": "disabled" } } }, true],
    [{ metadata: { annotations: { "kustomize.toolkit.fluxcd.io/substitute": "enabled" } } }, false],
    [{ metadata: { annotations: { "other/substitute": "disabled" } } }, false],
    [{ sops: { version: "3" } }, true],
    [{ sops: "not a mapping" }, false],
    [{ sops: null }, false],
    [{ sops: [] }, false],
    [{ metadata: null }, false],
    [{ metadata: { labels: ["x"] } }, false],
    [{}, false],
  ] as [JsonObject, boolean][])("%j → %s", (object, disabled) => {
    expect(isSubstitutionDisabled(object)).toBe(disabled);
  });
});

describe("resolvePlainScalar (go-yaml v2)", () => {
  it.each([
    ["", null],
    ["~", null],
    ["null", null],
    ["Null", null],
    ["NULL", null],
    ["nil", "nil"],
    ["true", true],
    ["True", true],
    ["TRUE", true],
    ["yes", true],
    ["Yes", true],
    ["y", true],
    ["Y", true],
    ["on", true],
    ["ON", true],
    ["false", false],
    ["no", false],
    ["N", false],
    ["off", false],
    ["Off", false],
    ["tRue", "tRue"],
    ["yEs", "yEs"],
    ["3", 3],
    ["-3", -3],
    ["+3", 3],
    ["0", 0],
    ["-0", 0],
    ["1_000", 1000],
    ["0x1F", 31],
    ["0X1f", 31],
    ["-0x10", -16],
    ["0o17", 15],
    ["0755", 493],
    ["0b101", 5],
    ["-0b11", -3],
    ["08", 8],
    ["0_8", 8],
    ["9223372036854775807", 2 ** 63],
    ["18446744073709551615", 2 ** 64],
    ["0x1FFFFFFFFFFFFFFFF", "0x1FFFFFFFFFFFFFFFF"],
    ["99999999999999999999999", 1e23],
    ["1.5", 1.5],
    ["-1.5", -1.5],
    [".5", 0.5],
    ["-.5", -0.5],
    ["+.5", 0.5],
    ["1.", 1],
    ["1e3", 1000],
    ["1E-2", 0.01],
    ["1.5e+2", 150],
    [".5e1", 5],
    ["1e400", "1e400"],
    [".inf", ".inf"],
    ["-.inf", "-.inf"],
    [".nan", ".nan"],
    ["Infinity", "Infinity"],
    ["NaN", "NaN"],
    ["1:30", "1:30"],
    ["2024-01-02", "2024-01-02"],
    ["2024-01-02T03:04:05Z", "2024-01-02T03:04:05Z"],
    ["3000", 3000],
    ["3000m", "3000m"],
    ["1Gi", "1Gi"],
    ["v1.2.3", "v1.2.3"],
    ["1.2.3", "1.2.3"],
    ["0x", "0x"],
    ["0b", "0b"],
    ["0b2", "0b2"],
    ["-", "-"],
    ["+", "+"],
    [".", "."],
    ["_1", "_1"],
    ["<<", "<<"],
    ["0xG", "0xG"],
    ["1e", "1e"],
    ["--1", "--1"],
  ] as [string, Json][])("%j → %j", (text, value) => {
    expect(resolvePlainScalar(text)).toStrictEqual(value);
  });
});
