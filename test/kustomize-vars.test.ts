/**
 * kustomize's vars on their own (kustomize/vars.ts): values read with kyaml's field paths, replaced with
 * kustomize's DoReplacements rules. The build-level behaviour is checked against kubectl in
 * kustomize-fields-e2e.test.ts.
 */
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../src/diagnostics/diagnostic.js";
import { VAR_REFERENCE_SPECS } from "../src/kustomize/field-specs-data.js";
import { markVars, resolveVars, type KVar } from "../src/kustomize/vars.js";
import { resourcesFromYaml } from "./helpers/test-resource.js";

const OBJECTS = `apiVersion: v1
kind: Service
metadata: { name: svc }
spec:
  ports: [{ port: 8443, protocol: TCP }]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations: { port: "$(PORT)", text: "p=$(PORT) proto=$(PROTO) $$(PORT) $(NOPE) $(" }
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx
          args: ["--port=$(PORT)", "$(PORT)"]
`;

function kvar(name: string, fieldPath: string): KVar {
  return {
    name,
    target: { group: "", version: "v1", kind: "Service", name: "svc", namespace: "" },
    fieldPath,
    at: { file: "kustomization.yaml", line: 1, column: 1 },
  };
}

describe("vars", () => {
  it("reads ports[0].port as kyaml does and replaces whole fields with the typed value, text inside text", () => {
    const vars = [kvar("PORT", "spec.ports[0].port"), kvar("PROTO", "spec.ports.0.protocol")];
    const diagnostics: Diagnostic[] = [];
    const marked = markVars(resourcesFromYaml(OBJECTS), vars, diagnostics);
    const out = resolveVars(marked, vars, VAR_REFERENCE_SPECS, diagnostics);
    expect(diagnostics).toEqual([]);
    const web = out.find((r) => r.id.kind === "Deployment")!.object as {
      metadata: { annotations: Record<string, unknown> };
      spec: { template: { spec: { containers: { args: unknown[] }[] } } };
    };
    expect(web.metadata.annotations).toEqual({ port: 8443, text: "p=8443 proto=TCP $(PORT) $(NOPE) $(" });
    expect(web.spec.template.spec.containers[0]!.args).toEqual(["--port=8443", 8443]);
    expect(out.every((r) => r.refVars === undefined)).toBe(true);
  });

  it("a field path the object lacks is an error naming the var", () => {
    const vars = [kvar("X", "spec.ports[3].port")];
    const diagnostics: Diagnostic[] = [];
    resolveVars(markVars(resourcesFromYaml(OBJECTS), vars, diagnostics), vars, VAR_REFERENCE_SPECS, diagnostics);
    expect(diagnostics.map((d) => d.message)).toEqual([
      "field spec.ports[3].port specified in var 'X' not found in Service svc",
    ]);
  });
});
