import { describe, expect, it } from "vitest";
import {
  isDns1035Label,
  isDns1123Label,
  isDns1123Subdomain,
  isLabelValue,
  isQualifiedName,
  QUANTITY,
} from "./kube-formats.js";
import { nameProblem } from "./object-name.js";
import { newAjv } from "./new-ajv.js";

describe("Kubernetes name and value formats", () => {
  const cases: [string, (s: string) => boolean, string, boolean][] = [
    ["label", isDns1123Label, "web-1", true],
    ["label", isDns1123Label, "Web", false],
    ["label", isDns1123Label, "-web", false],
    ["label", isDns1123Label, "a".repeat(64), false],
    ["subdomain", isDns1123Subdomain, "widgets.example.com", true],
    ["subdomain", isDns1123Subdomain, "a..b", false],
    ["dns1035", isDns1035Label, "1web", false],
    ["dns1035", isDns1035Label, "web1", true],
    ["key", isQualifiedName, "app.kubernetes.io/name", true],
    ["key", isQualifiedName, "team", true],
    ["key", isQualifiedName, "Team_A.b", true],
    ["key", isQualifiedName, "/name", false],
    ["key", isQualifiedName, "Example.com/name", false],
    ["key", isQualifiedName, "a/b/c", false],
    ["key", isQualifiedName, "name-", false],
    ["key", isQualifiedName, "x".repeat(64), false],
    ["value", isLabelValue, "", true],
    ["value", isLabelValue, "v1.2_3-x", true],
    ["value", isLabelValue, "has space", false],
    ["value", isLabelValue, "x".repeat(64), false],
    ["quantity", (s) => QUANTITY.test(s), "500m", true],
    ["quantity", (s) => QUANTITY.test(s), "1.5Gi", true],
    ["quantity", (s) => QUANTITY.test(s), "1e3", true],
    ["quantity", (s) => QUANTITY.test(s), "+.5", true],
    ["quantity", (s) => QUANTITY.test(s), "1GB", false],
    ["quantity", (s) => QUANTITY.test(s), "2 cores", false],
  ];
  it.each(cases)("%s %s: %s", (_n, fn, value, want) => expect(fn(value)).toBe(want));

  it("format: byte accepts base64 in lines, as the API server does (kustomize's generated Secrets)", () => {
    const validate = newAjv().compile({ type: "object", additionalProperties: { type: "string", format: "byte" } });
    expect(validate({ crt: `${"A".repeat(70)}\n${"A".repeat(4)}==\n`, short: "aGk=" })).toBe(true);
    expect(validate({ bad: "aGk" })).toBe(false);
  });

  it("applies the name rule of each kind", () => {
    expect(nameProblem("rbac.authorization.k8s.io", "ClusterRole", "system:controller:x")).toBeUndefined();
    expect(nameProblem("rbac.authorization.k8s.io", "Role", "a/b")).toMatch(/may not/);
    expect(nameProblem("", "Namespace", "a.b")).toMatch(/DNS-1123 label/);
    expect(nameProblem("", "Service", "9lives")).toMatch(/DNS-1035/);
    expect(nameProblem("apps", "Deployment", "web.v2")).toBeUndefined();
    expect(nameProblem("apps", "Deployment", "Web")).toMatch(/subdomain/);
  });
});
