/**
 * What Flux builds from the deploy branch: braid's serialized objects read by `kubectl kustomize` (kustomize,
 * with kyaml's write-back and read-again) must give back exactly the values braid wrote. Skipped, saying why,
 * without kubectl.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { serializeResource } from "../src/render/serialize-yaml.js";
import { kubectl, kubectlSkipReason } from "./helpers/kubectl.js";

const run = promisify(execFile);
const skipReason = kubectlSkipReason("serialized output through kubectl kustomize", false);
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

// strings whose block or quoted form go-yaml reads, or writes back, in its own way
const VALUES = [
  "\techo hi\n\techo there\n",
  "\tx\ny",
  "x\n\ty\n",
  " lead\nx\n",
  "one\n  two\nthree",
  "a\n\n\nb\n\n",
  "trailing space \nnext",
  "\nleading break\n",
  "tab\tinside\nline",
  "ends with space ",
  "multi\nline\n\n",
  "emoji 🚀\nline",
  "# not a comment\n- not a list",
];

describe.skipIf(skipReason !== undefined)("braid's output as Flux's kustomize build reads it", () => {
  it("gives back every value braid wrote", async () => {
    const dir = await mkdtemp(join(tmpdir(), "braid-serialize-flux-"));
    dirs.push(dir);
    const data = Object.fromEntries(VALUES.map((v, i) => [`k${i}`, v]));
    await writeFile(
      join(dir, "cm.yaml"),
      serializeResource({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, data }),
    );
    await writeFile(join(dir, "kustomization.yaml"), "resources: [cm.yaml]\n");
    const { stdout } = await run(kubectl!, ["kustomize", dir]);
    expect((parse(stdout) as { data: Record<string, string> }).data).toEqual(data);
  });
});
