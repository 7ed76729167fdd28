import { describe, expect, it } from "vitest";
import type { JsonObject } from "../model/resource.js";
import { createSubstitutionMemo, substituteShared } from "./substitute-memo.js";
import { substituteObject } from "./substitute.js";

const object: JsonObject = { kind: "ConfigMap", data: { a: "${REGION}", b: "${ZONE:-${REGION}-1}", c: "plain" } };

describe("substituteShared", () => {
  it("gives the same result object to runs whose variables read have the same values", () => {
    const memo = createSubstitutionMemo();
    const eu = substituteShared(memo, object, { REGION: "eu", CLUSTER: "c1" }, { strict: true });
    const euAgain = substituteShared(memo, object, { REGION: "eu", CLUSTER: "c2" }, { strict: true });
    const us = substituteShared(memo, object, { REGION: "us" }, { strict: true });
    const zoned = substituteShared(memo, object, { REGION: "eu", ZONE: "z" }, { strict: true });
    expect(euAgain.object).toBe(eu.object);
    expect(eu.object).toEqual({ kind: "ConfigMap", data: { a: "eu", b: "eu-1", c: "plain" } });
    expect(us.object).toEqual({ kind: "ConfigMap", data: { a: "us", b: "us-1", c: "plain" } });
    expect(zoned.object).toEqual({ kind: "ConfigMap", data: { a: "eu", b: "z", c: "plain" } });
    expect(zoned.object).not.toBe(eu.object);
  });

  it("answers as substituteObject does, errors included, and an object without `$` comes back as it is", () => {
    const memo = createSubstitutionMemo();
    for (const vars of [{}, { REGION: "eu" }, {}, { REGION: "" }, { REGION: "eu", ZONE: "" }] as Record<
      string,
      string
    >[])
      expect(substituteShared(memo, object, vars, { strict: true })).toEqual(
        substituteObject(object, vars, { strict: true }),
      );
    expect(substituteShared(memo, object, {}, { strict: true }).errors.map((e) => [e.code, e.path])).toEqual([
      ["SUBST_UNDEFINED", ["data", "a"]],
      ["SUBST_UNDEFINED", ["data", "b"]],
    ]);
    const inert = { kind: "Namespace", metadata: { name: "x" } };
    expect(substituteShared(memo, inert, { REGION: "eu" }, { strict: true })).toEqual({
      object: inert,
      errors: [],
      changed: false,
    });
  });
});
