/**
 * Through the CLI: expressions Flux's envsubst rejects, panics on or cuts into invalid UTF-8 fail the
 * render with a located SUBST_SYNTAX error (never a crash, never a value), and what Flux evaluates
 * differently from bash renders Flux's bytes.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { memoryIO } from "../src/cli/io.js";
import { makeFixtureRepo } from "./helpers/fixture-repo.js";
import { clusterYaml, fleetYaml, writeFleet } from "./helpers/fleet-dir.js";
import { OPENAPI, readTree } from "./helpers/golden.js";
import { openApiSkipReason } from "./helpers/openapi-fixture.js";

const NO_OPENAPI = openApiSkipReason("subst-flux");

async function render(files: Record<string, string>, vars: string) {
  const { dir } = await makeFixtureRepo([{ files, tags: ["v1.0.0"] }]);
  const fleetDir = await writeFleet({
    "braid.yaml": fleetYaml(`    - name: s\n      url: ${dir}\n      ref: { tag: v1.0.0 }`),
    "clusters/a.yaml": clusterYaml("a", vars),
  });
  const io = memoryIO({
    cwd: fleetDir,
    env: { BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: join(fleetDir, ".cache") },
  });
  const out = join(fleetDir, "..", `out-${Math.random().toString(36).slice(2)}`);
  const code = await main(["render", "--out", out, "--format", "json"], io);
  return { code, out, report: JSON.parse(io.out.join("") || "{}"), err: io.err.join("") };
}

const cm = (name: string, value: string) =>
  `---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: ${name}, namespace: a }\ndata:\n  v: "${value}"\n`;

describe.skipIf(NO_OPENAPI)("substitution through the CLI answers as Flux", () => {
  it("reports Flux's syntax errors, panics and byte cuts at their lines", async () => {
    const src = cm("dash", "${A-d}") + cm("panic", "x ${A:1:-1}") + cm("cut", "${H:0:1}") + cm("slash", "${A/l}");
    const r = await render({ "a.yaml": src }, "  vars: { A: hello, H: é }");
    expect(r.code, r.err).toBe(1);
    const ds = r.report.diagnostics.map(
      (d: { code: string; message: string; location: { file: string; line: number } }) => [
        d.code,
        d.location.file,
        d.location.line,
        d.message,
      ],
    );
    expect(ds).toEqual([
      ["SUBST_SYNTAX", "a.yaml", 6, "missing closing brace (Flux's envsubst cannot parse this)"],
      [
        "SUBST_SYNTAX",
        "a.yaml",
        12,
        "${A:1:-1} cannot be evaluated: Flux's envsubst panics (slice bounds out of range [1:0])",
      ],
      [
        "SUBST_SYNTAX",
        "a.yaml",
        18,
        "the result is not valid UTF-8: ${H:0:1} cuts a character (Flux counts bytes, and its YAML parser then rejects the text)",
      ],
      ["SUBST_SYNTAX", "a.yaml", 24, "bad substitution (Flux's envsubst cannot parse this)"],
    ]);
  });

  it("renders Flux's values where bash would differ", async () => {
    const src = cm("x", "${#H}|${A#*}|${A: -2}|${A/l*/X}|${E=d}|${A:+alt}|${C//b//.}|${A%[ol]}");
    const r = await render({ "a.yaml": src }, '  vars: { A: hello, H: héllo, E: "", C: "abB:a" }');
    expect(r.code, r.err).toBe(0);
    const text = Object.values(await readTree(r.out)).join("\n");
    expect(text).toContain('v: "6|ello|hello|hello|d|hello|a.B:a|hello"');
  });
});
