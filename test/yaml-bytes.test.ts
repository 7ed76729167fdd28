/**
 * YAML is read as go-yaml's reader reads it (kubectl kustomize and Flux): UTF-8 only, and no character YAML does
 * not allow (a control character, anywhere in the file). Such a file is a located YAML_SYNTAX error, in a
 * source (plain folder or kustomize build: resources, kustomization files, patch files) and in the fleet's
 * own files; before, braid rendered a raw control character, and put U+FFFD in place of bytes that are not
 * UTF-8 in a kustomization, a kustomize patch file or a fleet file, and reported success.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { memoryIO } from "../src/cli/io.js";
import { gitFleetReader } from "../src/config/git-fleet-reader.js";
import { BraidError } from "../src/diagnostics/diagnostic.js";
import { parseYamlFile, yamlText } from "../src/model/yaml-file.js";
import { makeFixtureRepo } from "./helpers/fixture-repo.js";
import { clusterYaml, fleetYaml, writeFleet } from "./helpers/fleet-dir.js";
import { OPENAPI, readTree } from "./helpers/golden.js";
import { openApiSkipReason } from "./helpers/openapi-fixture.js";

const NO_OPENAPI = openApiSkipReason("yaml-bytes");
const latin1 = (text: string) => Buffer.from(text, "latin1");
const CM = (name: string, data = 'a: "1"') =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\ndata:\n  ${data}\n`;

type Found = { code: string; message: string; location?: { file?: string; line?: number; column?: number } };

async function render(
  files: Record<string, string | Uint8Array>,
  path = "m",
  fleetFiles: Record<string, string | Uint8Array> = {},
) {
  const { dir } = await makeFixtureRepo([{ files }]);
  const fleetDir = await writeFleet({
    "braid.yaml": fleetYaml(`    - name: s\n      url: ${dir}\n      ref: { branch: main }\n      path: ${path}`),
    "clusters/a.yaml": clusterYaml("a"),
    ...fleetFiles,
  });
  const io = memoryIO({ cwd: fleetDir, env: { BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: join(dir, "..", "c") } });
  const out = join(fleetDir, "..", `out-${Math.random().toString(36).slice(2)}`);
  const code = await main(["render", "--out", out, "--format", "json"], io);
  const report = JSON.parse(io.out.join("") || "{}") as { diagnostics?: Found[] };
  const errors = (report.diagnostics ?? []).filter((d) => d.code === "YAML_SYNTAX");
  const codes = (report.diagnostics ?? []).map((d) => [d.code, d.location?.file, d.location?.line]);
  return {
    code,
    out,
    errors,
    codes,
    where: errors.map((d) => [d.location?.file, d.location?.line, d.location?.column]),
  };
}

describe("the bytes of a YAML file", () => {
  it("yamlText: UTF-8 (a byte-order mark dropped), else an error at the first line that is not", () => {
    expect(yamlText(Buffer.from("\uFEFFa: é\n"), "f.yaml")).toEqual({ text: "a: é\n" });
    const bad = yamlText(latin1("a: 1\nb: 2\nc: caf\u00e9\nd: \u00e9\n"), "f.yaml", { source: "s" });
    expect("diagnostic" in bad && bad.diagnostic).toMatchObject({
      code: "YAML_SYNTAX",
      message: "f.yaml is not UTF-8 text (line 3 is not)",
      location: { source: "s", file: "f.yaml", line: 3, column: 1 },
    });
  });

  it("parseYamlFile refuses the characters YAML does not allow, and reads every other", () => {
    const ok = 'a: "tab\there"\nc: \uFEFF\u00a0\ud7ff\ue000\ufffd\u{1F600}\n# \u{10FFFF}\n';
    expect(parseYamlFile(ok, "ok.yaml").diagnostics).toEqual([]);
    for (const [ch, line, column] of [
      ["\u0001", 2, 6],
      ["\u0000", 2, 6],
      ["\u007f", 2, 6],
      ["\u0080", 2, 6],
      ["\u009f", 2, 6],
      ["\ufffe", 2, 6],
      ["\u000b", 2, 6],
    ] as const) {
      const r = parseYamlFile(`a: 1\nb: "x${ch}y"\n`, "f.yaml");
      expect(
        r.diagnostics.map((d) => [d.code, d.location?.line, d.location?.column]),
        JSON.stringify(ch),
      ).toEqual([["YAML_SYNTAX", line, column]]);
    }
    // in a comment too, as go-yaml's reader sees every character
    expect(parseYamlFile("a: 1 # \u0007\n", "f.yaml").diagnostics[0]!.message).toBe(
      "control character U+0007 is not allowed in YAML: kubectl kustomize and Flux (go-yaml) refuse the file",
    );
  });

  it("NEL, LS and PS, line breaks to go-yaml, are refused where go-yaml would read the file otherwise", () => {
    const where = (text: string) =>
      parseYamlFile(text, "f.yaml").diagnostics.map((d) => [d.code, d.location?.line, d.location?.column]);
    // kubectl: "could not find expected ':'" (the plain scalar ends at the LS for go-yaml)
    expect(where("a: 1\nb: foo\u2028bar\n")).toEqual([["YAML_SYNTAX", 2, 7]]);
    // a comment ends there for go-yaml: what follows would be read as YAML
    expect(where("a: 1 # note\u2029c: 2\n")).toEqual([["YAML_SYNTAX", 1, 12]]);
    // go-yaml folds a NEL in a quoted scalar to a space
    expect(where('a: "x\u0085y"\n')).toEqual([["YAML_SYNTAX", 1, 6]]);
    // a quoted scalar (a key too) keeps LS and PS in both
    expect(where('a: "foo\u2028bar"\nb: \'x\u2029y\'\n"k\u2028": 1\n')).toEqual([]);
    const kept = parseYamlFile('a: "foo\u2028bar"\n', "f.yaml").docs[0]!.toJS() as { a: string };
    expect(kept.a).toBe("foo\u2028bar");
  });

  it("a fleet read from Git: a file that is not UTF-8 throws its located error", async () => {
    const { dir, commits } = await makeFixtureRepo([
      { files: { "fleet/clusters/a.yaml": latin1("x: caf\u00e9\n"), "fleet/ok.yaml": "x: é\n" } },
    ]);
    const reader = gitFleetReader({ gitdir: join(dir, ".git"), commit: commits[0]!, subdir: "fleet" });
    expect(await reader.read("ok.yaml")).toBe("x: é\n");
    const thrown = await reader.read("clusters/a.yaml").catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(BraidError);
    expect((thrown as BraidError).diagnostic).toMatchObject({
      code: "YAML_SYNTAX",
      location: { file: "clusters/a.yaml", line: 1 },
    });
  });
});

describe.skipIf(NO_OPENAPI)("through braid render", () => {
  it("a control character in a source's manifest is a located error; its escape renders", async () => {
    const bad = await render({ "m/bad.yaml": CM("bad", 'a: "x\u0001y"'), "m/ok.yaml": CM("ok", 'a: "x\\u0001y"') });
    expect(bad.code).toBe(1);
    expect(bad.where).toEqual([["m/bad.yaml", 7, 8]]);
    const ok = await render({ "m/ok.yaml": CM("ok", 'a: "x\\u0001y"') });
    expect(ok.code).toBe(0);
    expect((await readTree(join(ok.out, "clusters", "a")))["default/configmap-ok.yaml"]).toContain('a: "x\\u0001y"');
  });

  it("a kustomization, a kustomize patch file and a replacement source that are not UTF-8 are located errors", async () => {
    const cm = CM("cm");
    const kust = await render({
      "m/kustomization.yaml": latin1("# caf\u00e9\nresources: [cm.yaml]\n"),
      "m/cm.yaml": cm,
    });
    expect(kust.where).toEqual([["m/kustomization.yaml", 1, 1]]);
    const patch = await render({
      "m/kustomization.yaml": "resources: [cm.yaml]\npatches:\n- path: p.yaml\n",
      "m/cm.yaml": cm,
      "m/p.yaml": latin1('apiVersion: v1\nkind: ConfigMap\nmetadata: { name: cm }\ndata: { b: "caf\u00e9" }\n'),
    });
    expect(patch.code).toBe(1);
    expect(patch.where).toEqual([["m/p.yaml", 4, 1]]);
    const replacement = await render({
      "m/kustomization.yaml": "resources: [cm.yaml]\nreplacements:\n- path: r.yaml\n",
      "m/cm.yaml": cm,
      "m/r.yaml": latin1(
        "# caf\u00e9\nsource: { kind: ConfigMap, name: cm, fieldPath: data.a }\ntargets: [ { select: { kind: ConfigMap }, fieldPaths: [data.b] } ]\n",
      ),
    });
    expect(replacement.where).toEqual([["m/r.yaml", 1, 1]]);
  });

  it("a UTF-16 manifest (with its byte-order mark) is read as go-yaml reads it: its first document only, as kubectl", async () => {
    const text = CM("first", 'a: "café"') + "---\n" + CM("second");
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
    const be = Buffer.from(le);
    be.swap16(); // UTF-16BE, its mark FE FF
    const r = await render({ "m/le.yaml": le }, "m");
    expect(r.code).toBe(0);
    // the second document: ignored, with a warning at its line
    expect(r.codes).toEqual([["KUSTOMIZE_IGNORED", "m/le.yaml", 9]]);
    const tree = await readTree(join(r.out, "clusters", "a"));
    expect(Object.keys(tree).sort()).toEqual(["default/configmap-first.yaml", "kustomization.yaml"]);
    expect(tree["default/configmap-first.yaml"]).toContain('a: "café"');
    const both = await render({ "m/be.yaml": be }, "m");
    expect(Object.keys(await readTree(join(both.out, "clusters", "a"))).sort()).toEqual([
      "default/configmap-first.yaml",
      "kustomization.yaml",
    ]);
    // a mark that is not followed by UTF-16 (an odd length) is an error
    const odd = yamlText(Buffer.concat([le, Buffer.from([0x41])]), "odd.yaml");
    expect("diagnostic" in odd && odd.diagnostic.message).toBe(
      "odd.yaml starts with a UTF-16 byte-order mark but is not UTF-16 text",
    );
  });

  it("a fleet file that is not UTF-8 is a located error, not a var rendered with U+FFFD", async () => {
    const r = await render({ "m/cm.yaml": CM("cm", 'a: "${X}"') }, "m", {
      "clusters/a.yaml": Buffer.concat([Buffer.from(clusterYaml("a", "  vars:\n")), latin1('    X: "caf\u00e9"\n')]),
    });
    expect(r.code).toBe(1);
    expect(r.where).toEqual([["clusters/a.yaml", 8, 1]]);
  });
});
