import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import type { KubeOpenApi } from "./kube-openapi.js";
import type { Json, JsonObject } from "./resource.js";
import { createPatchSchema } from "../validate/patch-schema.js";
import { applyJson6902 } from "../render/json6902.js";
import { plainAfterMergePatch, plainVarPaths, pointerOf } from "./plain-scalars.js";
import { applyStrategicPatch } from "../render/strategic-merge/strategic-merge.js";
import { applyMergePatch } from "../render/merge-patch.js";

const doc = (text: string) => parseAllDocuments(text, { merge: true })[0]! as Parameters<typeof plainVarPaths>[0];
const sorted = (s: Iterable<string> | undefined) => [...(s ?? [])].sort();

describe("plainVarPaths", () => {
  it("names plain scalars holding ${ only (quoted, block and plain without ${ are left out)", () => {
    const d = doc(`a: \${X}
b: "\${X}"
c: '\${X}'
d: |
  \${X}
e: plain
f: [a, "\${X}"]
g:
  - \${Y}
  - k/x: \${Z}
"h~i": \${X} tail
`);
    expect(sorted(plainVarPaths(d))).toEqual(["/a", "/g/0", "/g/1/k~1x", "/h~0i"]);
  });

  it("follows aliases and << merge keys as the JSON conversion does, and re-roots below a base path", () => {
    const d = doc(`base: &b
  r: \${R}
  q: "\${Q}"
use:
  <<: *b
  q: \${Q}
ref: *b
items:
  - x: \${X}
`);
    expect(sorted(plainVarPaths(d))).toEqual(["/base/r", "/items/0/x", "/ref/r", "/use/q", "/use/r"]);
    expect(sorted(plainVarPaths(d, ["items", 0]))).toEqual(["/x"]);
  });
});

describe("through a JSON6902 patch", () => {
  const target = { spec: { list: ["${A}", "${B}", "${C}"], keep: "${K}" } } as JsonObject;
  const plain = new Set(["/spec/list/0", "/spec/list/2", "/spec/keep"]);
  it.each([
    [
      "add into a list shifts the later items",
      [{ op: "add", path: "/spec/list/1", value: "${N}" }],
      ["/0/value"],
      ["/spec/keep", "/spec/list/0", "/spec/list/1", "/spec/list/3"],
    ],
    [
      "add a quoted value: the later plain items still shift",
      [{ op: "add", path: "/spec/list/0", value: "${N}" }],
      [],
      ["/spec/keep", "/spec/list/1", "/spec/list/3"],
    ],
    [
      "append with -",
      [{ op: "add", path: "/spec/list/-", value: "${N}" }],
      ["/0/value"],
      ["/spec/keep", "/spec/list/0", "/spec/list/2", "/spec/list/3"],
    ],
    ["remove shifts back", [{ op: "remove", path: "/spec/list/0" }], [], ["/spec/keep", "/spec/list/1"]],
    [
      "replace by a quoted value drops it",
      [{ op: "replace", path: "/spec/keep", value: "${K}" }],
      [],
      ["/spec/list/0", "/spec/list/2"],
    ],
    [
      "replace a subtree with a plain mapping value",
      [{ op: "replace", path: "/spec", value: { n: "${N}", m: "${M}" } }],
      ["/0/value/m"],
      ["/spec/m"],
    ],
    [
      "move takes the provenance along",
      [{ op: "move", from: "/spec/keep", path: "/spec/moved" }],
      [],
      ["/spec/list/0", "/spec/list/2", "/spec/moved"],
    ],
    [
      "move to the end of the same list",
      [{ op: "move", from: "/spec/list/0", path: "/spec/list/-" }],
      [],
      ["/spec/keep", "/spec/list/1", "/spec/list/2"],
    ],
    [
      "move forward inside a list",
      [{ op: "move", from: "/spec/list/2", path: "/spec/list/0" }],
      [],
      ["/spec/keep", "/spec/list/0", "/spec/list/1"],
    ],
    [
      "copy duplicates it",
      [{ op: "copy", from: "/spec/list/2", path: "/spec/copy" }],
      [],
      ["/spec/copy", "/spec/keep", "/spec/list/0", "/spec/list/2"],
    ],
    [
      "negative indices count from the end",
      [{ op: "remove", path: "/spec/list/-3" }],
      [],
      ["/spec/keep", "/spec/list/1"],
    ],
  ] as [string, Json[], string[], string[]][])("%s", (_, ops, opsPlain, expected) => {
    const r = applyJson6902(target, ops, { target: plain, ops: new Set(opsPlain) });
    if ("error" in r) throw new Error(r.error.message);
    expect(sorted(r.plain)).toEqual(expected);
  });
});

describe("through a merge patch", () => {
  it("fields the patch sets come from the patch; lists are replaced whole", () => {
    const target = { a: "${A}", b: { c: "${C}", d: "${D}" }, l: ["${L}"] } as JsonObject;
    const patch = { b: { c: "${C}" }, l: ["${L}", "${M}"], n: "${N}" } as JsonObject;
    const result = applyMergePatch(target, patch);
    const out = plainAfterMergePatch(new Set(["/a", "/b/c", "/b/d", "/l/0"]), patch, new Set(["/l/1", "/n"]), result);
    expect(sorted(out)).toEqual(["/a", "/b/d", "/l/1", "/n"]);
  });
});

const api: KubeOpenApi = {
  kubernetesVersion: "0.0",
  digest: "x",
  origin: "inline",
  kinds: {},
  definitions: {
    Root: {
      properties: {
        items: {
          type: "array",
          items: { $ref: "#/definitions/Item" },
          "x-kubernetes-patch-merge-key": "name",
          "x-kubernetes-patch-strategy": "merge",
        },
        tags: { type: "array", items: { type: "string" }, "x-kubernetes-patch-strategy": "merge" },
        plain: { type: "array", items: { type: "string" } },
      },
    },
    Item: { properties: { name: { type: "string" }, v: { type: "integer" } } },
  },
};
const schema = createPatchSchema(api, "Root");

describe("through a strategic merge patch", () => {
  it("keeps the target's provenance, takes the patch's where the patch sets a value, and follows merged elements", () => {
    const target = {
      metadata: { name: "${NAME}" },
      items: [
        { name: "${APP}", v: "${V}" },
        { name: "other", v: "${W}" },
      ],
      tags: ["${T1}", "${T2}"],
      plain: ["${P}"],
      keep: "${K}",
    } as JsonObject;
    const patch = {
      items: [
        { name: "${APP}", v: "${V}" },
        { name: "new", v: "${X}" },
      ],
      tags: ["${T2}", "${T3}"],
      plain: ["${Q}", "${P}"],
    } as JsonObject;
    const r = applyStrategicPatch(
      target,
      patch,
      schema,
      {},
      {
        target: new Set(["/metadata/name", "/items/0/v", "/items/1/v", "/tags/0", "/plain/0", "/keep"]),
        patch: new Set(["/items/1/v", "/tags/0", "/tags/1", "/plain/1"]),
      },
    );
    if ("error" in r) throw new Error(r.error.message);
    expect(r.object).toEqual({
      metadata: { name: "${NAME}" },
      items: [
        { name: "${APP}", v: "${V}" },
        { name: "new", v: "${X}" },
        { name: "other", v: "${W}" },
      ],
      tags: ["${T2}", "${T3}", "${T1}"],
      plain: ["${Q}", "${P}"],
      keep: "${K}",
    });
    // the merged item's `v` came from the patch, quoted there: a string now
    expect(sorted(r.plain)).toEqual([
      "/items/1/v",
      "/items/2/v",
      "/keep",
      "/metadata/name",
      "/plain/1",
      "/tags/0",
      "/tags/1",
      "/tags/2",
    ]);
  });

  it("the identity kustomize restores from the target keeps the target's provenance, unless a name change is allowed", () => {
    const target = { kind: "K", metadata: { name: "${N}" } } as JsonObject;
    const patch = { metadata: { name: "${M}" } } as JsonObject;
    const inputs = { target: new Set(["/metadata/name"]), patch: new Set<string>() };
    const kept = applyStrategicPatch(target, patch, undefined, {}, inputs);
    const renamed = applyStrategicPatch(target, patch, undefined, { allowNameChange: true }, inputs);
    if ("error" in kept || "error" in renamed) throw new Error("merge failed");
    expect([kept.object?.metadata, sorted(kept.plain)]).toEqual([{ name: "${N}" }, ["/metadata/name"]]);
    expect([renamed.object?.metadata, sorted(renamed.plain)]).toEqual([{ name: "${M}" }, []]);
  });

  it("one element for a merge key holding a variable, written plain on one side and quoted on the other", () => {
    const r = applyStrategicPatch(
      { items: [{ name: "${APP}", v: 1 }] },
      { items: [{ name: "${APP}", v: 2 }] },
      schema,
      {},
      {
        target: new Set(["/items/0/name"]),
        patch: new Set(),
      },
    );
    if ("error" in r) throw new Error(r.error.message);
    expect(r.object).toEqual({ items: [{ name: "${APP}", v: 2 }] });
    expect(pointerOf(["items", 0, "name"])).toBe("/items/0/name");
  });
});
