import { describe, expect, it } from "vitest";
import { BraidError } from "../diagnostics/diagnostic.js";
import type { JsonObject } from "./resource.js";
import {
  compileTarget,
  matchesLabelSelector,
  matchesLabelSelectorObject,
  matchesTarget,
  parseSelectorString,
  type LabelSelectorRequirement,
  type TargetSelector,
} from "./select-targets.js";

const deploy: JsonObject = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: {
    name: "web-frontend",
    namespace: "prod",
    labels: { app: "web", tier: "front", rank: "5" },
    annotations: { owner: "team-a" },
  },
};
const cm: JsonObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "conf" } };
const ns: JsonObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: "prod" } };

describe("matchesTarget", () => {
  it.each<[string, JsonObject, TargetSelector, boolean]>([
    ["empty selector matches anything", deploy, {}, true],
    ["kind exact", deploy, { kind: "Deployment" }, true],
    ["kind is anchored", deploy, { kind: "Deploy" }, false],
    ["kind regex", deploy, { kind: "Deploy.*|StatefulSet" }, true],
    ["alternation is anchored as a whole", deploy, { kind: "Service|Deploy" }, false],
    ["name regex", deploy, { name: "web-.*" }, true],
    ["name anchored", deploy, { name: "frontend" }, false],
    ["group", deploy, { group: "apps" }, true],
    ["group mismatch", deploy, { group: "batch" }, false],
    ["version", deploy, { version: "v1" }, true],
    ["version regex", deploy, { version: "v1beta.*" }, false],
    ["namespace", deploy, { namespace: "prod" }, true],
    ["namespace regex", deploy, { namespace: "pr.*" }, true],
    ["no namespace is default", cm, { namespace: "default" }, true],
    ["no namespace is not prod", cm, { namespace: "prod" }, false],
    ["labelSelector equality", deploy, { labelSelector: "app=web" }, true],
    ["labelSelector and", deploy, { labelSelector: "app=web,tier=back" }, false],
    ["labelSelector set", deploy, { labelSelector: "tier in (front, back)" }, true],
    ["labelSelector notin", deploy, { labelSelector: "tier notin (front)" }, false],
    ["labelSelector does not exist", cm, { labelSelector: "!app" }, true],
    ["annotationSelector", deploy, { annotationSelector: "owner=team-a" }, true],
    ["annotationSelector miss", cm, { annotationSelector: "owner" }, false],
    [
      "all fields together",
      deploy,
      {
        group: "apps",
        version: "v1",
        kind: "Deployment",
        name: "web-.*",
        namespace: "prod",
        labelSelector: "app",
        annotationSelector: "owner!=b",
      },
      true,
    ],
  ])("%s", (_name, object, sel, expected) => {
    expect(matchesTarget(object, sel)).toBe(expected);
  });

  it("cluster-scoped objects match no namespace selector", () => {
    expect(matchesTarget(ns, { namespace: "default" }, { clusterScoped: true })).toBe(false);
    expect(matchesTarget(ns, { kind: "Namespace" }, { clusterScoped: true })).toBe(true);
  });

  it.each<[TargetSelector, RegExp]>([
    [{ kind: "Deploy(" }, /target\.kind: invalid regular expression/],
    [{ name: "[a-" }, /target\.name/],
    [{ labelSelector: "app in ()" }, /target\.labelSelector: .*needs at least one value/],
    [{ annotationSelector: "=x" }, /target\.annotationSelector/],
  ])("invalid selector %j is an error", (sel, message) => {
    const c = compileTarget(sel);
    expect("error" in c && c.error).toMatch(message);
    expect(() => matchesTarget(deploy, sel)).toThrow(BraidError);
  });
});

describe("parseSelectorString", () => {
  it.each<[string, LabelSelectorRequirement[]]>([
    ["", []],
    ["app=web", [{ key: "app", operator: "=", values: ["web"] }]],
    ["app==web", [{ key: "app", operator: "=", values: ["web"] }]],
    [
      "app = web , tier!=db",
      [
        { key: "app", operator: "=", values: ["web"] },
        { key: "tier", operator: "!=", values: ["db"] },
      ],
    ],
    ["env in (a,b)", [{ key: "env", operator: "in", values: ["a", "b"] }]],
    ["env notin (a, b)", [{ key: "env", operator: "notin", values: ["a", "b"] }]],
    ["env in (a,)", [{ key: "env", operator: "in", values: ["a", ""] }]],
    [
      "!x,y",
      [
        { key: "x", operator: "!", values: [] },
        { key: "y", operator: "exists", values: [] },
      ],
    ],
    ["example.com/role=db", [{ key: "example.com/role", operator: "=", values: ["db"] }]],
    ["empty=", [{ key: "empty", operator: "=", values: [""] }]],
    [
      "n>3,m<10",
      [
        { key: "n", operator: "gt", values: ["3"] },
        { key: "m", operator: "lt", values: ["10"] },
      ],
    ],
  ])("%j", (s, expected) => {
    expect(parseSelectorString(s)).toEqual(expected);
  });

  it.each([
    "app=web,",
    ",app",
    "app web",
    "app in (a",
    "app in a",
    "app in ()",
    "!app=x",
    "app=we b",
    "-bad=x",
    "app=" + "a".repeat(64),
    "n>x",
    "UPPER.example.com/x=y",
    "a=b=c",
  ])("rejects %j", (s) => {
    expect(parseSelectorString(s)).toHaveProperty("error");
  });
});

describe("matchesLabelSelector", () => {
  const labels = { app: "web", n: "5" };
  it.each<[string, boolean]>([
    ["app=web", true],
    ["app!=web", false],
    ["missing!=x", true],
    ["missing notin (x)", true],
    ["missing in (x)", false],
    ["n>4", true],
    ["n>5", false],
    ["n<6", true],
    ["app>1", false],
    ["missing", false],
    ["!missing", true],
  ])("%s → %s", (s, expected) => {
    const reqs = parseSelectorString(s);
    if ("error" in reqs) throw new Error(reqs.error);
    expect(matchesLabelSelector(labels, reqs)).toBe(expected);
  });
});

describe("matchesLabelSelectorObject", () => {
  const labels = { env: "prod", region: "eu" };
  it.each<[Parameters<typeof matchesLabelSelectorObject>[1], boolean]>([
    [{}, true],
    [{ matchLabels: {}, matchExpressions: [] }, true],
    [{ matchLabels: { env: "prod" } }, true],
    [{ matchLabels: { env: "prod", region: "us" } }, false],
    [{ matchExpressions: [{ key: "env", operator: "In", values: ["prod", "stage"] }] }, true],
    [{ matchExpressions: [{ key: "env", operator: "NotIn", values: ["prod"] }] }, false],
    [{ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["x"] }] }, true],
    [{ matchExpressions: [{ key: "region", operator: "Exists" }] }, true],
    [{ matchExpressions: [{ key: "region", operator: "DoesNotExist" }] }, false],
    [{ matchExpressions: [{ key: "region", operator: "Bogus" }] }, false],
    [{ matchLabels: { env: "prod" }, matchExpressions: [{ key: "region", operator: "In", values: ["us"] }] }, false],
  ])("%j → %s", (sel, expected) => {
    expect(matchesLabelSelectorObject(labels, sel)).toBe(expected);
  });
});
