/**
 * `replicas`: sets `spec/replicas` of the named Deployments, ReplicationControllers, ReplicaSets and
 * StatefulSets (kustomize's ReplicaCountTransformer). The name matches the current name or any earlier one
 * (before a prefix or suffix); an entry that matches nothing is an error, as in kustomize.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { Resource } from "../model/resource.js";
import type { TransformResult, Transformer } from "./context.js";
import { cloneJson, isObject, specSelects, walkFieldSpec } from "./field-spec.js";
import { REPLICA_SPECS } from "./field-specs-data.js";
import { checkKeys, invalidField, withObject, WrittenFields } from "./resource-edit.js";

function hasName(res: Resource, name: string): boolean {
  return res.id.name === name || (res.previous ?? []).some((p) => p.name === name);
}

/** `replicas`: a list of `{name, count}`. */
export const replicas: Transformer = (resources, args, ctx): TransformResult => {
  const diagnostics: Diagnostic[] = [];
  if (args === null) return { resources: [...resources], diagnostics };
  if (!Array.isArray(args)) {
    diagnostics.push(invalidField(ctx, ["replicas"], "replicas must be a list", "write - name: web\n  count: 3"));
    return { resources: [...resources], diagnostics };
  }
  let out = [...resources];
  args.forEach((entry, i) => {
    if (!isObject(entry) || typeof entry.name !== "string" || entry.name === "") {
      diagnostics.push(
        invalidField(ctx, ["replicas", i], `replicas[${i}] needs a name`, "write - name: web\n  count: 3"),
      );
      return;
    }
    if (!checkKeys(entry, ["name", "count"], ["replicas", i], ctx, diagnostics)) return;
    const count = entry.count;
    if (typeof count !== "number" || !Number.isInteger(count)) {
      diagnostics.push(
        invalidField(ctx, ["replicas", i, "count"], `replicas[${i}].count must be an integer`, "write count: 3"),
      );
      return;
    }
    const name = entry.name;
    let found = false;
    out = out.map((res) => {
      const specs = (ctx.config?.replicas ?? REPLICA_SPECS).filter((s) => specSelects(s, res.id));
      if (!specs.length || !hasName(res, name)) return res;
      found = true;
      const object = cloneJson(res.object);
      const written = new WrittenFields();
      for (const spec of specs) {
        walkFieldSpec(object, spec, (parent, key, path) => {
          parent[key] = count;
          written.add(path, ["replicas", i, "count"]);
        });
      }
      return withObject(res, object, written, ctx);
    });
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set inside the map callback
    if (!found) {
      diagnostics.push(
        invalidField(
          ctx,
          ["replicas", i, "name"],
          `replicas[${i}]: no Deployment, ReplicationController, ReplicaSet or StatefulSet is named ${name}`,
          "name a workload of this kustomization (before any namePrefix or nameSuffix)",
        ),
      );
    }
  });
  return { resources: out, diagnostics };
};
