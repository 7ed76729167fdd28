import { describe, expect, it } from "vitest";
import { idOf, type JsonObject, type Resource } from "../model/resource.js";
import { transformNamespace } from "./namespace.js";

function res(object: JsonObject): Resource {
  return {
    id: idOf(object),
    object,
    origin: { source: "s", commit: "c", file: "f.yaml", docIndex: 0, line: 1, column: 1 },
    positions: [],
  };
}

describe("transformNamespace (kustomize's namespace transformer)", () => {
  it.each([
    [
      "a namespaced object gets the namespace",
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" } },
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: "ns" } },
    ],
    [
      "an existing namespace is overwritten",
      { apiVersion: "v1", kind: "Secret", metadata: { name: "a", namespace: "old" } },
      { apiVersion: "v1", kind: "Secret", metadata: { name: "a", namespace: "ns" } },
    ],
    [
      "a kind of unknown scope is namespaced",
      { apiVersion: "x.io/v1", kind: "Mystery", metadata: { name: "m" } },
      { apiVersion: "x.io/v1", kind: "Mystery", metadata: { name: "m", namespace: "ns" } },
    ],
    [
      "a kind the API does not know, which kustomize knows as cluster-scoped, is left alone",
      { apiVersion: "policy/v1beta1", kind: "PodSecurityPolicy", metadata: { name: "psp" } },
      undefined,
    ],
    // kustomize's scopes are its table's, by apiVersion and kind (kubectl kustomize v5.5 gives these a namespace)
    [
      "FlowSchema v1beta1 is cluster-scoped to kustomize",
      { apiVersion: "flowcontrol.apiserver.k8s.io/v1beta1", kind: "FlowSchema", metadata: { name: "f" } },
      undefined,
    ],
    [
      "FlowSchema v1, newer than kustomize's schema, is namespaced to it (its namespace is overwritten)",
      {
        apiVersion: "flowcontrol.apiserver.k8s.io/v1",
        kind: "FlowSchema",
        metadata: { name: "f", namespace: "system" },
      },
      { apiVersion: "flowcontrol.apiserver.k8s.io/v1", kind: "FlowSchema", metadata: { name: "f", namespace: "ns" } },
    ],
    [
      "ValidatingAdmissionPolicy is namespaced to kustomize v5.5",
      { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicy", metadata: { name: "v" } },
      {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingAdmissionPolicy",
        metadata: { name: "v", namespace: "ns" },
      },
    ],
    [
      "a cluster-scoped kind is left alone",
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "r" } },
      undefined,
    ],
    [
      "a v1 Namespace is renamed",
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "old" } },
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "ns" } },
    ],
    [
      "binding subjects named default get it, whatever their kind; others keep theirs",
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name: "b" },
        subjects: [
          { kind: "ServiceAccount", name: "default" },
          { kind: "ServiceAccount", name: "x", namespace: "y" },
          { kind: "Group", name: "default" },
        ],
      },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name: "b" },
        subjects: [
          { kind: "ServiceAccount", name: "default", namespace: "ns" },
          { kind: "ServiceAccount", name: "x", namespace: "y" },
          { kind: "Group", name: "default", namespace: "ns" },
        ],
      },
    ],
    [
      "an APIService's service namespace is created",
      { apiVersion: "apiregistration.k8s.io/v1", kind: "APIService", metadata: { name: "v1.x" }, spec: { group: "x" } },
      {
        apiVersion: "apiregistration.k8s.io/v1",
        kind: "APIService",
        metadata: { name: "v1.x" },
        spec: { group: "x", service: { namespace: "ns" } },
      },
    ],
    [
      "a CRD's conversion webhook namespace is set only when present",
      {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: "c" },
        spec: { conversion: { strategy: "None" } },
      },
      undefined,
    ],
  ] as [string, JsonObject, JsonObject | undefined][])("%s", (_, input, expected) => {
    const before = structuredClone(input);
    const [out] = transformNamespace([res(input)], "ns");
    expect(out!.object).toEqual(expected ?? input);
    expect(input).toEqual(before); // never mutates
    if (!expected) expect(out!.object).toBe(input);
  });

  it("records the old id of a moved object and points the field at the kustomization", () => {
    const where = { file: "k/kustomization.yaml", line: 3, column: 12 };
    const [out] = transformNamespace(
      [res({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: "old" } })],
      "ns",
      where,
    );
    expect(out!.previous).toEqual([{ group: "", version: "v1", kind: "ConfigMap", namespace: "old", name: "a" }]);
    expect(out!.id.namespace).toBe("ns");
    expect(out!.positions.at(-1)!.locate(["metadata", "namespace"])).toEqual(where);
  });
});
