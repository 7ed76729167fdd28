import { describe, expect, it } from "vitest";
import { CODES, defaultSeverityOf, exitCodeOf, type Code } from "./codes.js";

describe("the codes table", () => {
  it("gives every code a category with an exit code", () => {
    for (const code of Object.keys(CODES) as Code[]) expect([1, 2, 3, 4], code).toContain(exitCodeOf(code));
  });

  it("says which codes are never errors, and defaults the rest to error", () => {
    const lowered = (Object.keys(CODES) as Code[]).filter((c) => defaultSeverityOf(c) !== "error").sort();
    expect(lowered).toEqual([
      "CEL_NOT_EVALUATED",
      "FLEET_DIRTY",
      "GROUP_MATCHES_NOTHING",
      "KUSTOMIZE_IGNORED",
      "LOCK_STALE",
      "SOPS_NOT_VALIDATED",
      "SOURCE_EMPTY",
    ]);
    expect(defaultSeverityOf("CEL_NOT_EVALUATED")).toBe("info");
    expect(defaultSeverityOf("FLEET_DIRTY")).toBe("warning");
    expect(defaultSeverityOf("SCHEMA_VIOLATION")).toBe("error");
  });
});
