import { describe, expect, it } from "vitest";
import { NO_POSITIONS } from "../config/position-map.js";
import { idOf, type JsonObject, type Resource } from "../model/resource.js";
import { apiServerRules } from "./api-rules.js";

function resource(object: JsonObject): Resource {
  return { id: idOf(object), object, origin: { source: "s", commit: "c", file: "f.yaml", docIndex: 0, line: 1, column: 1 }, positions: [NO_POSITIONS] };
}

const pod = (spec: JsonObject): JsonObject => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec });
const deployment = (spec: JsonObject): JsonObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "d" },
  spec: { template: { spec } },
});

describe("apiServerRules: duplicate container names (ValidatePodSpec)", () => {
  it.each([
    ["two containers", pod({ containers: [{ name: "web" }, { name: "web" }] }), [["/spec/containers/1/name", 'duplicate container name "web": containers[1] has the name of containers[0]']]],
    ["a container and an init container", deployment({ containers: [{ name: "a" }], initContainers: [{ name: "a" }] }), [["/spec/template/spec/initContainers/0/name", 'duplicate container name "a": initContainers[0] has the name of containers[0]']]],
    ["an ephemeral container", pod({ initContainers: [{ name: "x" }], containers: [{ name: "y" }], ephemeralContainers: [{ name: "x" }] }), [["/spec/ephemeralContainers/0/name", 'duplicate container name "x": ephemeralContainers[0] has the name of initContainers[0]']]],
    ["three of a kind: two errors, both naming the first", pod({ containers: [{ name: "w" }, { name: "w" }, { name: "w" }] }), [
      ["/spec/containers/1/name", 'duplicate container name "w": containers[1] has the name of containers[0]'],
      ["/spec/containers/2/name", 'duplicate container name "w": containers[2] has the name of containers[0]'],
    ]],
    ["unique names", pod({ containers: [{ name: "a" }, { name: "b" }], initContainers: [{ name: "c" }] }), []],
  ] as [string, JsonObject, [string, string][]][])("%s", (_, object, expected) => {
    const diags = apiServerRules(resource(object), "c1");
    expect(diags.map((d) => [d.code, d.path, d.message.replace(/ \(names are unique.*$/, "")])).toEqual(expected.map(([p, m]) => ["SCHEMA_VIOLATION", p, m]));
    for (const d of diags) expect(d.related?.[0]?.message).toBe("first container with this name");
  });

  it("does not look at kinds outside core, apps and batch", () => {
    const o = { apiVersion: "example.com/v1", kind: "Deployment", metadata: { name: "d" }, spec: { template: { spec: { containers: [{ name: "a" }, { name: "a" }] } } } };
    expect(apiServerRules(resource(o), "c1")).toEqual([]);
  });
});
