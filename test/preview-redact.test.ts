/** Secret redaction for previews: Secret data, sensitive paths, SOPS documents, scrubbing free text. */
import { describe, expect, it } from "vitest";
import type { JsonObject, Resource } from "../src/model/resource.js";
import { idOf } from "../src/model/resource.js";
import type { FleetRun } from "../src/pipeline/render-fleet.js";
import { diffFleetRuns } from "../src/preview/diff-runs.js";
import { formatMarkdown } from "../src/preview/format-markdown.js";
import { formatPreviewJson } from "../src/preview/format-json.js";
import { formatPreviewText } from "../src/preview/format-text.js";
import {
  hashValue,
  parseSensitivePaths,
  redactObject,
  scrubText,
  sensitiveValues,
} from "../src/model/secret-redaction.js";

const secret = (data: JsonObject, stringData?: JsonObject): JsonObject => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: "db", namespace: "apps" },
  data,
  ...(stringData ? { stringData } : {}),
});

describe("redactObject", () => {
  it("hashes every Secret data/stringData value, keeps keys, does not mutate", () => {
    const input = secret({ token: "c2VjcmV0LXRva2Vu" }, { password: "hunter2", port: 5432 as unknown as string });
    const copy = structuredClone(input);
    const out = redactObject(input);
    expect(input).toEqual(copy);
    expect(out.data).toEqual({ token: hashValue("c2VjcmV0LXRva2Vu") });
    expect(out.stringData).toEqual({ password: hashValue("hunter2"), port: hashValue(5432) });
    expect(hashValue("hunter2")).toMatch(/^sha256:[0-9a-f]{12}$/);
    expect(hashValue("hunter2")).not.toBe(hashValue("hunter3"));
    expect(out.metadata).toEqual(input.metadata);
  });

  it("leaves other kinds alone unless a sensitive path says so", () => {
    const cm: JsonObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, data: { a: "1" } };
    expect(redactObject(cm)).toEqual(cm);
  });

  it.each<[string, string[], JsonObject, JsonObject]>([
    [
      "any kind",
      ["/spec/password"],
      { kind: "X", spec: { password: "p", user: "u" } },
      { kind: "X", spec: { password: hashValue("p"), user: "u" } },
    ],
    [
      "Kind: prefix matches",
      ["HelmRelease:/spec/values/db"],
      { kind: "HelmRelease", spec: { values: { db: { pw: "p" } } } },
      { kind: "HelmRelease", spec: { values: { db: hashValue({ pw: "p" }) } } },
    ],
    [
      "Kind: prefix skips other kinds",
      ["HelmRelease:/spec/values"],
      { kind: "Other", spec: { values: "v" } },
      { kind: "Other", spec: { values: "v" } },
    ],
    [
      "* over map values",
      ["/data/*"],
      { kind: "C", data: { a: "1", b: "2" } },
      { kind: "C", data: { a: hashValue("1"), b: hashValue("2") } },
    ],
    [
      "* over list items",
      ["/spec/env/*/value"],
      { kind: "C", spec: { env: [{ name: "A", value: "x" }] } },
      { kind: "C", spec: { env: [{ name: "A", value: hashValue("x") }] } },
    ],
    ["list index", ["/list/1"], { kind: "C", list: ["a", "b"] }, { kind: "C", list: ["a", hashValue("b")] }],
    [
      "~1 escapes a slash",
      ["/metadata/annotations/example.com~1key"],
      { kind: "C", metadata: { annotations: { "example.com/key": "k" } } },
      { kind: "C", metadata: { annotations: { "example.com/key": hashValue("k") } } },
    ],
    ["missing path is a no-op", ["/spec/nothing/here"], { kind: "C", spec: { a: 1 } }, { kind: "C", spec: { a: 1 } }],
  ])("sensitive path: %s", (_name, paths, input, expected) => {
    expect(redactObject(input, parseSensitivePaths(paths))).toEqual(expected);
  });

  it("skips malformed sensitive path entries", () => {
    expect(parseSensitivePaths(["no-slash", "Kind:", "/ok"])).toEqual([{ kind: undefined, segments: ["ok"] }]);
  });

  it("a SOPS document keeps only cleartext metadata", () => {
    const sops: JsonObject = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "db" },
      data: { password: "ENC[AES256_GCM,data:abc,iv:def,tag:ghi,type:str]" },
      sops: {
        mac: "ENC[mac]",
        lastmodified: "2024-01-01T00:00:00Z",
        version: "3.8.1",
        age: [{ recipient: "age1xyz" }],
      },
    };
    const out = redactObject(sops);
    expect(Object.keys(out).sort()).toEqual(["apiVersion", "kind", "metadata", "sops"]);
    expect(JSON.stringify(out)).not.toContain("ENC[");
    expect(out.sops).toMatchObject({ lastmodified: "2024-01-01T00:00:00Z" });
  });
});

describe("scrubbing free text", () => {
  it("finds Secret values (also base64-decoded) and sensitive paths; scrubText replaces them by hashes", () => {
    const s = secret({ token: Buffer.from("decoded-token").toString("base64") }, { password: "hunter2" });
    const values = sensitiveValues(s);
    expect(values).toEqual(expect.arrayContaining(["hunter2", "decoded-token"]));
    expect(scrubText("bad value hunter2 and decoded-token", values)).toBe(
      `bad value ${hashValue("hunter2")} and ${hashValue("decoded-token")}`,
    );
    expect(sensitiveValues({ kind: "C", spec: { pw: "abcdef" } }, parseSensitivePaths(["C:/spec/pw"]))).toEqual([
      "abcdef",
    ]);
  });
});

function run(objects: JsonObject[], diagnostics: string[] = []): FleetRun {
  const resources: Resource[] = objects.map((object) => ({
    id: idOf(object),
    object,
    origin: { source: "s", commit: "c", file: "f.yaml", docIndex: 0, line: 1, column: 1 },
    positions: [],
  }));
  return {
    fleet: { preview: { sensitivePaths: ["ConfigMap:/data/apiKey"] } },
    diagnostics: [],
    clusters: [
      {
        name: "a",
        resources,
        ok: diagnostics.length === 0,
        diagnostics: diagnostics.map((message) => ({
          code: "SCHEMA_VIOLATION",
          severity: "error",
          message,
          cluster: "a",
          location: { file: "clusters/a.yaml", line: 3 },
        })),
      },
    ],
  } as unknown as FleetRun;
}

describe("no secret in any format", () => {
  it("a Secret change shows as hash changes only; diagnostics at head are scrubbed too", () => {
    const cleartext = [
      "old-password-1",
      "new-password-2",
      "api-key-old",
      "api-key-new",
      Buffer.from("tok-value").toString("base64"),
    ];
    const cm = (k: string): JsonObject => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c", namespace: "apps" },
      data: { apiKey: k, x: "y" },
    });
    const base = run([secret({ tok: cleartext[4]! }, { password: cleartext[0]! }), cm(cleartext[2]!)]);
    const head = run(
      [secret({ tok: cleartext[4]! }, { password: cleartext[1]! }), cm(cleartext[3]!)],
      [`value "${cleartext[1]}" is not valid`],
    );
    const report = diffFleetRuns(base, head, { base: { rev: "a" }, head: { rev: "b" } });
    const outputs = [
      formatMarkdown(report).text,
      formatMarkdown(report, { limit: Infinity }).text,
      formatPreviewJson(report),
      formatPreviewText(report),
    ];
    for (const out of outputs) {
      for (const c of cleartext) expect(out).not.toContain(c);
      expect(out).toContain(`+  password: ${hashValue(cleartext[1]!)}`);
      expect(out).toContain(`-  password: ${hashValue(cleartext[0]!)}`);
      expect(out).toContain(hashValue(cleartext[1]!)); // in the scrubbed diagnostic
    }
    expect(report.clusters[0]!.changes.map((c) => c.resource)).toEqual(["ConfigMap apps/c", "Secret apps/db"]);
    expect(report.diagnostics[0]!.message).toBe(`value "${hashValue(cleartext[1]!)}" is not valid`);
  });
});
