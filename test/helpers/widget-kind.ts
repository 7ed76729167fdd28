/**
 * A custom kind for strategic-merge tests: Widget (example.com/v1), whose `spec.items` merge by `id` only when
 * a schema says so (kustomize infers no such key), its CRD, and a schema document (JSON) that says so.
 */

/** The Widget CRD: any object is valid. */
export const WIDGET_CRD = [
  "apiVersion: apiextensions.k8s.io/v1",
  "kind: CustomResourceDefinition",
  "metadata:\n  name: widgets.example.com",
  "spec:",
  "  group: example.com",
  "  names: { kind: Widget, plural: widgets }",
  "  scope: Namespaced",
  "  versions:",
  "  - name: v1",
  "    served: true",
  "    storage: true",
  "    schema:",
  "      openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true }",
  "",
].join("\n");

/** A schema document (JSON, as kustomize's `openapi.path` reads it) defining Widget with `items` merged by `id`. */
export const WIDGET_SCHEMA = JSON.stringify({
  definitions: {
    "com.example.v1.Widget": {
      "x-kubernetes-group-version-kind": [{ group: "example.com", version: "v1", kind: "Widget" }],
      properties: {
        spec: {
          properties: {
            items: {
              type: "array",
              "x-kubernetes-patch-merge-key": "id",
              "x-kubernetes-patch-strategy": "merge",
              items: { type: "object" },
            },
          },
        },
      },
    },
  },
});
