import { describe, expect, it } from "vitest";
import { idOf, type Resource } from "../model/resource.js";
import { parseSortOptions, sortResources } from "./sort-resources.js";

const r = (apiVersion: string, kind: string, name: string, namespace?: string): Resource => {
  const object = { apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) } };
  return {
    id: idOf(object),
    object,
    origin: { source: "s", commit: "c", file: "f", docIndex: 0, line: 1, column: 1 },
    positions: [],
  };
};
const names = (list: Resource[]) => list.map((x) => `${x.id.kind}/${x.id.namespace}/${x.id.name}`);

describe("sortResources (kustomize's legacy order)", () => {
  const input = [
    r("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "v"),
    r("apps/v1", "Deployment", "b", "z"),
    r("example.com/v1", "Widget", "w"),
    r("apps/v1", "Deployment", "a", "z"),
    r("v1", "Service", "s"),
    r("v1", "Namespace", "n"),
    r("batch/v1", "Job", "j"),
    r("apps/v1", "Deployment", "c", "a"),
  ];
  it("puts the priority kinds first, webhooks last, the rest by group/version/kind, then namespace and name", () => {
    expect(names(sortResources(input, { order: "legacy" }))).toEqual([
      "Namespace//n",
      "Service//s",
      "Deployment/a/c",
      "Deployment/z/a",
      "Deployment/z/b",
      "Job//j",
      "Widget//w",
      "ValidatingWebhookConfiguration//v",
    ]);
  });
  it("keeps the build order with fifo, and takes custom kind lists", () => {
    expect(sortResources(input, { order: "fifo" })).toEqual(input);
    expect(names(sortResources(input, { order: "legacy", orderFirst: ["Job"], orderLast: ["Namespace"] }))[0]).toBe(
      "Job//j",
    );
    expect(names(sortResources(input, { order: "legacy", orderFirst: ["Job"], orderLast: ["Namespace"] })).at(-1)).toBe(
      "Namespace//n",
    );
  });
  it.each([
    [undefined, { order: "legacy" }],
    [{ order: "fifo" }, { order: "fifo" }],
    [
      { order: "legacy", legacySortOptions: { orderFirst: ["A"], orderLast: [] } },
      { order: "legacy", orderFirst: ["A"], orderLast: [] },
    ],
    [{ order: "random" }, 'sortOptions.order must be legacy or fifo, not "random"'],
    [{ order: "fifo", legacySortOptions: {} }, "legacySortOptions needs order: legacy"],
    // present, a sortOptions needs its order (kustomize's SortOrderTransformer)
    [
      { legacySortOptions: {} },
      "sortOptions needs order: legacy or fifo (kustomize: the field 'sortOptions.order' must be one of [fifo, legacy])",
    ],
    [
      {},
      "sortOptions needs order: legacy or fifo (kustomize: the field 'sortOptions.order' must be one of [fifo, legacy])",
    ],
    [null, { order: "legacy" }],
  ] as const)("parses %j", (input, expected) => {
    expect(parseSortOptions(input as never)).toEqual(expected);
  });
});
