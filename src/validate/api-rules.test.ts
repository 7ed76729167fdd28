import { describe, expect, it } from "vitest";
import { NO_POSITIONS } from "../model/position-map.js";
import { idOf, type JsonObject, type Resource } from "../model/resource.js";
import { apiServerRules } from "./api-rules.js";

function resource(object: JsonObject): Resource {
  return {
    id: idOf(object),
    object,
    origin: { source: "s", commit: "c", file: "f.yaml", docIndex: 0, line: 1, column: 1 },
    positions: [NO_POSITIONS],
  };
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
    [
      "two containers",
      pod({ containers: [{ name: "web" }, { name: "web" }] }),
      [["/spec/containers/1/name", 'duplicate container name "web": containers[1] has the name of containers[0]']],
    ],
    [
      "a container and an init container",
      deployment({ containers: [{ name: "a" }], initContainers: [{ name: "a" }] }),
      [
        [
          "/spec/template/spec/initContainers/0/name",
          'duplicate container name "a": initContainers[0] has the name of containers[0]',
        ],
      ],
    ],
    [
      "an ephemeral container",
      pod({ initContainers: [{ name: "x" }], containers: [{ name: "y" }], ephemeralContainers: [{ name: "x" }] }),
      [
        [
          "/spec/ephemeralContainers/0/name",
          'duplicate container name "x": ephemeralContainers[0] has the name of initContainers[0]',
        ],
      ],
    ],
    [
      "three of a kind: two errors, both naming the first",
      pod({ containers: [{ name: "w" }, { name: "w" }, { name: "w" }] }),
      [
        ["/spec/containers/1/name", 'duplicate container name "w": containers[1] has the name of containers[0]'],
        ["/spec/containers/2/name", 'duplicate container name "w": containers[2] has the name of containers[0]'],
      ],
    ],
    ["unique names", pod({ containers: [{ name: "a" }, { name: "b" }], initContainers: [{ name: "c" }] }), []],
  ] as [string, JsonObject, [string, string][]][])("%s", (_, object, expected) => {
    const diags = apiServerRules(resource(object), "c1");
    expect(diags.map((d) => [d.code, d.path, d.message.replace(/ \(names are unique.*$/, "")])).toEqual(
      expected.map(([p, m]) => ["SCHEMA_VIOLATION", p, m]),
    );
    for (const d of diags) expect(d.related?.[0]?.message).toBe("first container with this name");
  });

  it("does not look at kinds outside core, apps and batch", () => {
    const o = {
      apiVersion: "example.com/v1",
      kind: "Deployment",
      metadata: { name: "d" },
      spec: { template: { spec: { containers: [{ name: "a" }, { name: "a" }] } } },
    };
    expect(apiServerRules(resource(o), "c1")).toEqual([]);
  });
});

describe("apiServerRules: a Service's targetPort (validateServicePort)", () => {
  const service = (targetPort: unknown): JsonObject =>
    ({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "s" },
      spec: { ports: [{ port: 80, targetPort }] },
    }) as JsonObject;
  it.each([
    [
      "9090",
      "targetPort \"9090\" is neither a port number nor a port name (IsValidPortName: 1–15 lower-case letters, digits and '-', with a letter); write it unquoted to make it a number",
    ],
    [
      "Http",
      "targetPort \"Http\" is neither a port number nor a port name (IsValidPortName: 1–15 lower-case letters, digits and '-', with a letter)",
    ],
    ["a--b", expect.stringContaining('targetPort "a--b"')],
    ["-http", expect.stringContaining('targetPort "-http"')],
    ["very-long-port-name", expect.stringContaining("very-long-port-name")],
    [0, "targetPort 0 is outside 1–65535"],
    [70000, "targetPort 70000 is outside 1–65535"],
    ["http", undefined],
    ["h2c-9090", undefined],
    [8080, undefined],
  ] as [unknown, unknown][])("%j", (targetPort, message) => {
    const diags = apiServerRules(resource(service(targetPort)), "c1");
    if (message === undefined) expect(diags).toEqual([]);
    else expect(diags.map((d) => [d.path, d.message])).toEqual([["/spec/ports/0/targetPort", message]]);
  });
});
