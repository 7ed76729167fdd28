/** Issue 15 (content side): hostile names, symlinks, secrets, prototype keys, deep YAML, control characters. */
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { memoryIO } from "../src/cli/io.js";
import { makeFixtureRepo } from "./helpers/fixture-repo.js";
import { clusterYaml, fleetYaml } from "./helpers/fleet-dir.js";
import { OPENAPI } from "./helpers/golden.js";
import { openApiSkipReason } from "./helpers/openapi-fixture.js";

const NO_OPENAPI = openApiSkipReason("hardening-content");

/** A fleet (a Git repository) over one source repo holding `files`. */
async function fleetRepo(files: Record<string, string>, fleetExtra = "", clusters: Record<string, string> = {}) {
  const { dir: src } = await makeFixtureRepo([{ files, tags: ["v1.0.0"] }]);
  const { dir } = await makeFixtureRepo([
    {
      files: {
        "braid.yaml": fleetYaml(`    - name: s\n      url: ${src}\n      ref: { tag: v1.0.0 }`, fleetExtra),
        "clusters/c0001.yaml": clusterYaml("c0001"),
        "clusters/c0002.yaml": clusterYaml("c0002"),
        ...clusters,
      },
    },
  ]);
  return dir;
}

async function cli(fleetDir: string, args: string[]) {
  const io = memoryIO({
    cwd: fleetDir,
    env: { BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: join(fleetDir, ".git", "braid-test-cache") },
  });
  const code = await main(args, io);
  return { code, out: io.out.join(""), err: io.err.join("") };
}

async function listAll(dir: string): Promise<string[]> {
  return existsSync(dir) ? (await readdir(dir, { recursive: true })).sort() : [];
}

const evil = `apiVersion: example.com/v1
kind: Widget
metadata:
  name: ../../../../c0002/kustomization
spec: {}
`;
const slashKind = `apiVersion: example.com/v1
kind: Wid/../../../get
metadata:
  name: w
`;
const cm = `apiVersion: v1
kind: ConfigMap
metadata: { name: ok, namespace: "../up" }
`;

describe.skipIf(NO_OPENAPI)("15.4 object names, namespaces and kinds never become paths", () => {
  it("a skipKinds object named ../../../../c0002/kustomization: located error, nothing written (render --out, publish)", async () => {
    const fleet = await fleetRepo({ "w.yaml": evil }, "  validation: { skipKinds: [Widget] }\n");
    const out = join(fleet, "..", `out-${Math.random().toString(36).slice(2)}`);
    const r = await cli(fleet, ["render", "--out", out]);
    expect(r.code, r.err + r.out).toBe(1);
    expect(r.out + r.err).toMatch(
      /w\.yaml:4:9: error SCHEMA_VIOLATION: \[cluster c0001 Widget \.\.\/\.\.\/\.\.\/\.\.\/c0002\/kustomization \/metadata\/name\] name "\.\.\/\.\.\/\.\.\/\.\.\/c0002\/kustomization" must be a DNS-1123 subdomain/,
    );
    expect(await listAll(out)).toEqual([]);
    const p = await cli(fleet, ["publish"]);
    expect(p.code, p.err + p.out).toBe(1);
    expect(p.out + p.err).toMatch(/w\.yaml:4:9: error SCHEMA_VIOLATION/);
  });

  it("a kind holding '/' under ignoreMissingSchemas: located error on render and publish", async () => {
    const fleet = await fleetRepo({ "w.yaml": slashKind }, "  validation: { ignoreMissingSchemas: true }\n");
    const out = join(fleet, "..", `out-${Math.random().toString(36).slice(2)}`);
    const r = await cli(fleet, ["render", "--out", out]);
    expect(r.code, r.err + r.out).toBe(1);
    expect(r.out + r.err).toMatch(
      /w\.yaml:2:7: error SCHEMA_VIOLATION: .*\/kind\] kind "Wid\/\.\.\/\.\.\/\.\.\/get" is not a kind name/,
    );
    expect(await listAll(out)).toEqual([]);
    const p = await cli(fleet, ["publish"]);
    expect(p.code, p.err + p.out).toBe(1);
    expect(p.out + p.err).toMatch(/w\.yaml:2:7: error SCHEMA_VIOLATION/);
  });

  it("a namespace that is not a DNS-1123 label is located at metadata.namespace (inventory too, which skips validation)", async () => {
    const fleet = await fleetRepo({ "cm.yaml": cm });
    const r = await cli(fleet, ["validate"]);
    expect(r.code).toBe(1);
    expect(r.out + r.err).toMatch(
      /cm\.yaml:3:34: error SCHEMA_VIOLATION: .*\/metadata\/namespace\] (namespace )?"\.\.\/up" (must be|is not) a DNS-1123 label/,
    );
    const i = await cli(fleet, ["inventory"]);
    expect(i.out + i.err).toMatch(/cm\.yaml:3:34: error SCHEMA_VIOLATION/);
  });
});

describe("15.4 the output layout's last guard", () => {
  it("refuses a file path that would leave the cluster folder (PATH_ESCAPE, located), whatever checked it before", async () => {
    const { layoutCluster } = await import("../src/render/output-tree.js");
    const { resourcesFromYaml } = await import("./helpers/test-resource.js");
    const [r] = resourcesFromYaml(evil);
    expect(() => layoutCluster("c0001", "clusters/{cluster}", [r!], undefined)).toThrowError(
      expect.objectContaining({
        diagnostic: expect.objectContaining({
          code: "PATH_ESCAPE",
          resource: "Widget ../../../../c0002/kustomization",
          location: expect.objectContaining({ line: 4, column: 9 }),
        }),
      }),
    );
  });
});

describe.skipIf(NO_OPENAPI)("15.7 Secret values in previews and render diagnostics", () => {
  const secretYaml = `apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: apps
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"apiVersion":"v1","kind":"Secret","data":{"pw":"T0xEcGxhaW4tc2VjcmV0"},"stringData":{"x":"old-cleartext-pw"}}'
data:
  pw: TkVXcGxhaW4tc2VjcmV0
`;
  const testPatch = `  patches:
    - target: { kind: Secret, name: db }
      type: json6902
      patch:
        - { op: test, path: /data/pw, value: VEVTVG9wT0xEcGxhaW4= }
        - { op: replace, path: /data/pw, value: TkVXcGxhaW4tc2VjcmV0 }
`;
  const leaks = [
    "VEVTVG9wT0xEcGxhaW4=",
    "TESTopOLDplain",
    "TkVXcGxhaW4tc2VjcmV0",
    "NEWplain-secret",
    "T0xEcGxhaW4tc2VjcmV0",
    "OLDplain-secret",
    "old-cleartext-pw",
  ];

  it("a failing json6902 test on a Secret shows hashes, in every preview format, in --out and in render", async () => {
    const { dir: src } = await makeFixtureRepo([{ files: { "s.yaml": secretYaml }, tags: ["v1.0.0"] }]);
    const braid = fleetYaml(`    - name: s\n      url: ${src}\n      ref: { tag: v1.0.0 }`);
    const { dir } = await makeFixtureRepo([
      { files: { "braid.yaml": braid, "clusters/a.yaml": clusterYaml("a") } },
      { files: { "clusters/a.yaml": clusterYaml("a", testPatch) } },
    ]);
    const { hashValue } = await import("../src/model/secret-redaction.js");
    for (const format of ["markdown", "json", "text"]) {
      const out = join(dir, "..", `preview-${format}-${Math.random().toString(36).slice(2)}.out`);
      const r = await cli(dir, ["preview", "--base", "HEAD~1", "--head", "HEAD", "--format", format, "--out", out]);
      const { readFile } = await import("node:fs/promises");
      const all = r.out + r.err + (existsSync(out) ? await readFile(out, "utf8") : "");
      expect(all, format).toContain(
        `test failed: the value is ${hashValue("TkVXcGxhaW4tc2VjcmV0")}, expected ${hashValue("VEVTVG9wT0xEcGxhaW4=")}`,
      );
      for (const leak of leaks) expect(all, `${format}: ${leak}`).not.toContain(leak);
    }
    const r = await cli(dir, ["render"]);
    expect(r.code).toBe(1);
    expect(r.out + r.err).toContain(`expected ${hashValue("VEVTVG9wT0xEcGxhaW4=")}`);
    expect(r.out + r.err).not.toContain("VEVTVG9wT0xEcGxhaW4=");
  });

  it("a Secret's last-applied-configuration annotation is hashed in a preview diff", async () => {
    const { redactObject, sensitiveValues, hashValue } = await import("../src/model/secret-redaction.js");
    const { resourcesFromYaml } = await import("./helpers/test-resource.js");
    const [r] = resourcesFromYaml(secretYaml);
    const shown = JSON.stringify(redactObject(r!.object));
    for (const leak of leaks) expect(shown).not.toContain(leak);
    expect(shown).toContain(
      hashValue(
        JSON.parse(JSON.stringify(r!.object)).metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"],
      ),
    );
    expect(sensitiveValues(r!.object)).toEqual(expect.arrayContaining(["T0xEcGxhaW4tc2VjcmV0", "old-cleartext-pw"]));
  });
});

describe.skipIf(NO_OPENAPI)("15.7 render diagnostics quoting a Secret value", () => {
  it("a schema error on a Secret's data shows the value's hash", async () => {
    const fleet = await fleetRepo({
      "s.yaml":
        'apiVersion: v1\nkind: Secret\nmetadata: { name: s, namespace: apps }\ndata: { pw: "hunter2-not-base64!" }\n',
    });
    const { hashValue } = await import("../src/model/secret-redaction.js");
    const r = await cli(fleet, ["validate"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `s.yaml:4:13: error SCHEMA_VIOLATION: [cluster c0001 Secret apps/s /data/pw] "${hashValue("hunter2-not-base64!")}" is not base64-encoded data`,
    );
    expect(r.out + r.err).not.toContain("hunter2");
  });
});

describe.skipIf(NO_OPENAPI)("15.10 prototype keys are plain keys", () => {
  it("__proto__/constructor added by strategic, merge and json6902 patches are kept; a var named __proto__ substitutes", async () => {
    const cmYaml =
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: web, namespace: apps }\ndata: { v: "${__proto__}", w: "${constructor:=d}" }\n';
    const body = `  vars: { __proto__: from-var }
  patches:
    - target: { kind: ConfigMap, name: web }
      patch: |
        data: { __proto__: strategic, constructor: c1 }
    - target: { kind: ConfigMap, name: web }
      type: json6902
      patch:
        - { op: test, path: /data/__proto__, value: strategic }
        - { op: add, path: /data/toString, value: j }
    - target: { kind: ConfigMap, name: web }
      type: merge
      patch: { data: { __proto__: merge } }
    - target: { kind: ConfigMap, name: web }
      type: json6902
      patch: [ { op: test, path: /data/__proto__, value: merge } ]
`;
    const fleet = await fleetRepo({ "cm.yaml": cmYaml }, "", { "clusters/c0001.yaml": clusterYaml("c0001", body) });
    const out = join(fleet, "..", `out-${Math.random().toString(36).slice(2)}`);
    const r = await cli(fleet, ["render", "--out", out, "--cluster", "c0001"]);
    expect(r.code, r.err).toBe(0);
    const { readFile } = await import("node:fs/promises");
    expect(await readFile(join(out, "clusters/c0001/apps/configmap-web.yaml"), "utf8")).toBe(`apiVersion: v1
kind: ConfigMap
metadata:
  name: web
  namespace: apps
data:
  __proto__: merge
  constructor: c1
  toString: j
  v: from-var
  w: d
`);
  });

  it("a json6902 test or replace of an inherited member name (toString) is a missing path, not a crash", async () => {
    const { applyJson6902 } = await import("../src/render/json6902.js");
    expect(applyJson6902({ data: {} }, [{ op: "test", path: "/data/toString", value: "v" }])).toEqual({
      error: {
        opIndex: 0,
        op: "test",
        path: "/data/toString",
        message: 'operation 1 (test /data/toString): test failed: the value is missing, expected "v"',
      },
    });
    expect(applyJson6902({ data: {} }, [{ op: "replace", path: "/data/constructor", value: "v" }])).toMatchObject({
      error: {
        message: "operation 1 (replace /data/constructor): the path does not exist, so there is nothing to replace",
      },
    });
  });

  it.each(["/spec/constructor", "/metadata/toString", "/constructor/prototype/x", "/__proto__/x", "/spec/__proto__"])(
    "preview.sensitivePaths %s: no crash, no key added; an own key of that name is hashed",
    async (path) => {
      const { redactObject, parseSensitivePaths, sensitiveValues, hashValue } =
        await import("../src/model/secret-redaction.js");
      const plain = { kind: "X", spec: { a: 1 }, metadata: { name: "x" } };
      expect(redactObject(plain, parseSensitivePaths([path]))).toEqual(plain);
      expect(sensitiveValues(plain, parseSensitivePaths([path]))).toEqual([]);
      let text = '"secret-value"';
      for (const s of path.slice(1).split("/").reverse()) text = `{"${s}":${text}}`;
      const withKey = { kind: "X", ...JSON.parse(text) };
      const red = JSON.stringify(redactObject(withKey, parseSensitivePaths([path])));
      expect(red).not.toContain("secret-value");
      expect(red).toContain(hashValue("secret-value"));
    },
  );
});

describe.skipIf(NO_OPENAPI)(
  "15.5 / 15.13 symbolic links in the fleet: followed inside, refused outside (working tree and Git revisions alike)",
  () => {
    async function linkedFleet() {
      const { symlink, writeFile, mkdir } = await import("node:fs/promises");
      const { git } = await import("./helpers/fixture-repo.js");
      const cmYaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: web, namespace: apps }\ndata: { a: "1" }\n';
      const body = (file: string) => `  patches:\n    - path: ${file}\n`;
      const fleet = await fleetRepo({ "cm.yaml": cmYaml });
      const outsideName = `outside-${Math.random().toString(36).slice(2)}.yaml`;
      await writeFile(
        join(fleet, "..", outsideName),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: web, namespace: apps }\ndata: { a: outside }\n",
      );
      await mkdir(join(fleet, "real"), { recursive: true });
      await writeFile(
        join(fleet, "real", "p.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: web, namespace: apps }\ndata: { a: inside }\n",
      );
      await mkdir(join(fleet, "patches"), { recursive: true });
      await symlink("../real/p.yaml", join(fleet, "patches", "in.yaml"));
      await symlink(`../../${outsideName}`, join(fleet, "patches", "p.yaml"));
      await mkdir(join(fleet, "other"), { recursive: true });
      await writeFile(join(fleet, "other", "c0003.yaml"), clusterYaml("c0003", body("patches/in.yaml")));
      await symlink("../other/c0003.yaml", join(fleet, "clusters", "c0003.yaml"));
      await writeFile(join(fleet, "clusters", "c0001.yaml"), clusterYaml("c0001", body("patches/p.yaml")));
      await git(fleet, ["add", "-A"]);
      await git(fleet, ["commit", "-q", "-m", "links"]);
      return { fleet, outsideName };
    }

    it("render: a patch file linked out of the fleet is a located PATH_ESCAPE; linked inside it applies; a linked cluster file is read", async () => {
      const { fleet, outsideName } = await linkedFleet();
      const out = join(fleet, "..", `out-${Math.random().toString(36).slice(2)}`);
      const r = await cli(fleet, ["render", "--out", out, "--format", "json"]);
      expect(r.code, r.err).toBe(1);
      const report = JSON.parse(r.out) as {
        diagnostics: { code: string; message: string; location?: { file: string; line?: number } }[];
        clusters: { name: string; status: string }[];
      };
      expect(report.diagnostics.map((d) => [d.code, d.location?.file, d.location?.line, d.message])).toEqual([
        [
          "PATH_ESCAPE",
          "clusters/c0001.yaml",
          8,
          `patches/p.yaml is a symbolic link to "../${outsideName}", which is outside the fleet folder`,
        ],
      ]);
      const { readFile } = await import("node:fs/promises");
      expect(await readFile(join(out, "clusters/c0003/apps/configmap-web.yaml"), "utf8")).toContain("a: inside");
    });

    it("preview: the same for the Git revision (symlink blobs), not 'file missing'", async () => {
      const { fleet, outsideName } = await linkedFleet();
      const r = await cli(fleet, ["preview", "--base", "HEAD~1", "--head", "HEAD", "--format", "json"]);
      const report = JSON.parse(r.out) as {
        diagnostics: { code: string; message: string; location?: { file: string; line?: number } }[];
        clusters: { cluster: string; status: string; added: number }[];
      };
      expect(report.diagnostics.map((d) => [d.code, d.location?.file, d.location?.line, d.message])).toEqual([
        [
          "PATH_ESCAPE",
          "clusters/c0001.yaml",
          8,
          `patches/p.yaml is a symbolic link to "../${outsideName}", which is outside the fleet folder`,
        ],
      ]);
      expect(report.clusters.find((c) => c.cluster === "c0003")).toMatchObject({ status: "added", added: 1 });
    });

    it("a cluster file linked out of the fleet is an error, not skipped silently", async () => {
      const { symlink, writeFile } = await import("node:fs/promises");
      const fleet = await fleetRepo({
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: web, namespace: apps }\n",
      });
      const name = `c9-${Math.random().toString(36).slice(2)}.yaml`;
      await writeFile(join(fleet, "..", name), clusterYaml("c0009"));
      await symlink(`../../${name}`, join(fleet, "clusters", "c0009.yaml"));
      const r = await cli(fleet, ["validate"]);
      expect(r.code).toBe(1);
      expect(r.err).toContain(
        `clusters/c0009.yaml: error PATH_ESCAPE: clusters/c0009.yaml is a symbolic link to "../${name}", which is outside the fleet folder`,
      );
    });
  },
);

describe.skipIf(NO_OPENAPI)("a patch file that cannot be read never yields a cluster rendered without it", () => {
  const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  namespace: apps\ndata:\n  k: v\n";

  it("render --out withholds the cluster whose own patch file is missing (exit 1, located); the others are written", async () => {
    const fleet = await fleetRepo({ "cm.yaml": cm }, "", {
      "clusters/c0001.yaml": clusterYaml("c0001", "  patches:\n    - path: patches/missing.yaml\n"),
    });
    const out = join(fleet, "..", `out-${Math.random().toString(36).slice(2)}`);
    const r = await cli(fleet, ["render", "--out", out]);
    expect(r.code, r.err).toBe(1);
    expect(r.err).toMatch(
      /clusters\/c0001\.yaml:\d+:\d+: error CONFIG_NOT_FOUND: patch file "patches\/missing\.yaml" does not exist/,
    );
    expect(r.out).toContain("not written: c0001");
    // the summary does not call it ok
    expect(r.out).toMatch(/^c0001 +WITHHELD /m);
    expect(r.out).toContain("rendered 1/2 clusters");
    const json = await cli(fleet, ["render", "--out", `${out}-json`, "--format", "json"]);
    const clusters = (JSON.parse(json.out) as { clusters: { name: string; ok: boolean; files: number }[] }).clusters;
    expect(clusters.map((c) => [c.name, c.ok, c.files])).toEqual([
      ["c0001", false, 0],
      ["c0002", true, 2],
    ]);
    const validated = await cli(fleet, ["validate", "--format", "json"]);
    expect(validated.code).toBe(1);
    const checked = (JSON.parse(validated.out) as { clusters: { name: string; ok: boolean; withheld?: true }[] })
      .clusters;
    expect(checked.map((c) => [c.name, c.ok, c.withheld])).toEqual([
      ["c0001", false, true],
      ["c0002", true, undefined],
    ]);
    expect(await listAll(join(out, "clusters"))).toEqual([
      "c0002",
      "c0002/apps",
      "c0002/apps/configmap-app.yaml",
      "c0002/kustomization.yaml",
    ]);
  });

  it("a group's missing patch file withholds every cluster", async () => {
    const fleet = await fleetRepo({ "cm.yaml": cm }, "", {
      "groups/all.yaml":
        "apiVersion: braid/v1alpha1\nkind: Group\nmetadata: { name: all }\nspec:\n  selector: {}\n  patches:\n    - path: patches/missing.yaml\n",
    });
    const out = join(fleet, "..", `out-${Math.random().toString(36).slice(2)}`);
    const r = await cli(fleet, ["render", "--out", out]);
    expect(r.code, r.err).toBe(1);
    expect(r.err).toMatch(/groups\/all\.yaml:\d+:\d+: error CONFIG_NOT_FOUND/);
    expect(r.out).toContain("no cluster folder was written");
    expect(await listAll(join(out, "clusters"))).toEqual([]);
  });
});

describe.skipIf(NO_OPENAPI)("15.13 control characters in diagnostics are escaped", () => {
  const evilName = "a\x1b[2J\rb\nINJECTED.yaml:4:1: error FAKE: x\u0085.yaml";
  it.each(["text", "github"])(
    "a source file name holding ESC, CR, LF and NEL cannot forge a line or drive the terminal (%s)",
    async (format) => {
      const fleet = await fleetRepo({
        // (the name holds a line feed and an ESC, written as escapes: YAML refuses them raw)
        [evilName]: 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: "x\\ny\\e" }\n',
      });
      const r = await cli(fleet, ["validate", "--format", format]);
      expect(r.code).toBe(1);
      const all = r.out + r.err;
      // eslint-disable-next-line no-control-regex
      expect(all).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
      expect(all.split("\n").filter((l) => l.startsWith("INJECTED"))).toEqual([]);
      if (format === "text")
        expect(all).toContain(
          "a\\x1b[2J\\rb\\nINJECTED.yaml:4:1: error FAKE: x\\x85.yaml:3:19: error SCHEMA_VIOLATION",
        );
      else expect(all).toContain("::error title=SCHEMA_VIOLATION::s@");
    },
  );

  it("escapeControl: one line for single-line fields; messages continue indented", async () => {
    const { escapeControl, formatText } = await import("../src/diagnostics/format.js");
    expect(escapeControl("a\x1bb\r\n\x00\t\x9b\u2028")).toBe("a\\x1bb\\r\\n\\x00\\t\\x9b\\u2028");
    expect(
      formatText({
        code: "YAML_SYNTAX",
        severity: "error",
        message: "m\nINJECTED: error",
        location: { file: "f\n.yaml", line: 1 },
      }),
    ).toBe("f\\n.yaml:1: error YAML_SYNTAX: m\n    INJECTED: error");
    const { formatGithub } = await import("../src/diagnostics/format.js");
    expect(
      formatGithub({
        code: "YAML_SYNTAX",
        severity: "error",
        message: "m\r\n::error::x",
        location: { file: "a:b,c\nd.yaml", line: 2 },
      }),
    ).toBe("::error file=a%3Ab%2Cc\\nd.yaml,line=2,title=YAML_SYNTAX::error YAML_SYNTAX: m\\r%0A    ::error::x");
  });
});

describe.skipIf(NO_OPENAPI)("15.13 a source tree entry named '..'", () => {
  it("is a clear located error naming the entry, not 'source has no folder'", async () => {
    const { git } = await import("./helpers/fixture-repo.js");
    const { dir: src } = await makeFixtureRepo([{ files: { "README.md": "x\n" } }]);
    const { execFileSync } = await import("node:child_process");
    const sh = (cmd: string) =>
      execFileSync("sh", ["-c", cmd], {
        cwd: src,
        encoding: "utf8",
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: "F",
          GIT_AUTHOR_EMAIL: "f@e",
          GIT_COMMITTER_NAME: "F",
          GIT_COMMITTER_EMAIL: "f@e",
          GIT_AUTHOR_DATE: "1700000000 +0000",
          GIT_COMMITTER_DATE: "1700000000 +0000",
        },
      }).trim();
    const blob = sh(
      `printf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: x, namespace: apps}\\n' | git hash-object -w --stdin`,
    );
    const inner = sh(`printf '100644 blob ${blob}\\tkustomization.yaml\\n' | git mktree`);
    const m = sh(`printf '040000 tree ${inner}\\t..\\n100644 blob ${blob}\\tok.yaml\\n' | git mktree`);
    const root = sh(`printf '040000 tree ${m}\\tm\\n' | git mktree`);
    const commit = sh(`git commit-tree ${root} -m evil`);
    await git(src, ["tag", "v1.0.0", commit]);
    const { dir: fleet } = await makeFixtureRepo([
      {
        files: {
          "braid.yaml": fleetYaml(`    - name: s\n      url: ${src}\n      ref: { tag: v1.0.0 }\n      path: m`),
          "clusters/c0001.yaml": clusterYaml("c0001"),
        },
      },
    ]);
    const r = await cli(fleet, ["validate"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `braid.yaml:7:7: error PATH_ESCAPE: [cluster c0001] source "s" at ${commit.slice(0, 12)} holds a tree entry "m/..", a name Git refuses`,
    );
    expect(r.err).toContain(`  the entry: s@${commit.slice(0, 7)}:m/..`);
    expect(r.err).not.toContain("has no folder");
    // an entry in a folder above the source's path is named where it is
    const top = sh(`printf '040000 tree ${inner}\\tok\\n040000 tree ${inner}\\t..\\n' | git mktree`);
    const above = sh(`git commit-tree ${top} -m evil`);
    await git(src, ["tag", "v2.0.0", above]);
    const { dir: fleet2 } = await makeFixtureRepo([
      {
        files: {
          "braid.yaml": fleetYaml(`    - name: s\n      url: ${src}\n      ref: { tag: v2.0.0 }\n      path: ok`),
          "clusters/c0001.yaml": clusterYaml("c0001"),
        },
      },
    ]);
    const r2 = await cli(fleet2, ["validate"]);
    expect(r2.code).toBe(1);
    expect(r2.err).toContain(`holds a tree entry "..", a name Git refuses`);
  });
});

describe.skipIf(NO_OPENAPI)("15.13 deep YAML", () => {
  const deep = (n: number, style: "block" | "flow") => {
    const head = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: apps\nspec:\n";
    if (style === "flow") return `${head}  a: ${"[".repeat(n)}1${"]".repeat(n)}\n`;
    let s = head;
    for (let i = 0; i < n; i++) s += `${"  ".repeat(i + 1)}a:${i === n - 1 ? " 1" : ""}\n`;
    return s;
  };

  it.each(["block", "flow"] as const)(
    "800 levels (%s) render; 5000 levels are a located YAML_TOO_DEEP, not a stack overflow",
    async (style) => {
      const fleet = await fleetRepo({ "ok.yaml": deep(800, style) }, "  validation: { skipKinds: [Widget] }\n", {
        "clusters/c0002.yaml": clusterYaml("c0002", "  sources: []\n"),
      });
      const out = join(fleet, "..", `out-${Math.random().toString(36).slice(2)}`);
      const r = await cli(fleet, ["render", "--out", out, "--cluster", "c0001"]);
      expect(r.code, r.err).toBe(0);
      const { readFile } = await import("node:fs/promises");
      expect((await readFile(join(out, "clusters/c0001/apps/widget-w.yaml"), "utf8")).length).toBeGreaterThan(800);

      const fleet2 = await fleetRepo({ "deep.yaml": deep(5000, style) }, "  validation: { skipKinds: [Widget] }\n");
      const r2 = await cli(fleet2, ["validate", "--cluster", "c0001"]);
      expect(r2.code, r2.err).toBe(1);
      expect(r2.err).toMatch(
        /deep\.yaml:\d+:\d+: error YAML_TOO_DEEP: \[cluster c0001\] the YAML nests too deeply to be read \(braid reads at least 800 levels; kubectl kustomize stops at 10000\)/,
      );
      expect(r2.err).not.toContain("Maximum call stack");
    },
  );
});

describe.skipIf(NO_OPENAPI)("15.13 deep YAML through the braid command: exactly kubectl's limit", () => {
  // bin/braid.js moves the command to a large stack when input needs it, so braid reads what go-yaml v3 reads (kubectl kustomize,
  // Flux): 10,000 nested collections, the root included. kubectl v1.32 builds 9,998 nested sequences under
  // `spec: {a: …}` and refuses 9,999 ("exceeded max depth of 10000"); braid answers the same.
  const flow = (k: number) =>
    `apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: apps\nspec:\n  a: ${"[".repeat(k)}1${"]".repeat(k)}\n`;
  const bin = join(import.meta.dirname, "..", "bin", "braid.js");
  async function braid(fleetDir: string, args: string[]) {
    const { execFile } = await import("node:child_process");
    return new Promise<{ code: number; out: string; err: string }>((resolve) => {
      const env = { ...process.env, BRAID_KUBERNETES_OPENAPI: OPENAPI, BRAID_CACHE: join(fleetDir, ".cache") };
      execFile("node", [bin, ...args], { cwd: fleetDir, env, maxBuffer: 1 << 26 }, (e, out, err) =>
        resolve({ code: e ? ((e as { code?: number }).code ?? 4) : 0, out, err }),
      );
    });
  }

  it("YAML deeper than the default stack reads: the command starts again on the large stack and reports once", async () => {
    const fleet = await fleetRepo({ "deep.yaml": flow(1500) }, "  validation: { skipKinds: [Widget] }\n");
    const out = join(fleet, "..", `out-${Math.random().toString(36).slice(2)}`);
    const r = await braid(fleet, ["render", "--cluster", "c0001", "--out", out, "--format", "json"]);
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out) as { clusters: { name: string; ok: boolean }[] };
    expect(report.clusters).toEqual([expect.objectContaining({ name: "c0001", ok: true })]);
    const { readFile } = await import("node:fs/promises");
    const written = await readFile(join(out, "clusters/c0001/apps/widget-w.yaml"), "utf8");
    expect(written).toContain(`\n  a:\n  ${"- ".repeat(1500)}1\n`); // as go-yaml writes nested sequences
  });

  it.each(["a group's patch (the config cache)", "a source's objects (the manifest cache)"])(
    "deep input read back from braid's caches still moves to the large stack: %s",
    async (which) => {
      // neither cache parses what it gives back, so neither would ask for the large stack: what nests deeper
      // than the default stack is not kept, and is parsed again (a cluster changed: it renders again, from
      // its unchanged source and group)
      const deep = (k: number) => `${"[".repeat(k)}2${"]".repeat(k)}`;
      const group = which.startsWith("a group")
        ? `apiVersion: braid/v1alpha1\nkind: Group\nmetadata: { name: all }\nspec:\n  selector: {}\n  patches:\n    - target: { kind: Widget }\n      patch: |\n        - { op: add, path: /spec/b, value: ${deep(9000)} }\n`
        : undefined;
      const source = group ? flow(3) : flow(9000);
      const fleet = await fleetRepo({ "deep.yaml": source }, "  validation: { skipKinds: [Widget] }\n", {
        ...(group ? { "groups/all.yaml": group } : {}),
      });
      const { readFile, writeFile } = await import("node:fs/promises");
      const render = async () => {
        const out = join(fleet, "..", `out-${Math.random().toString(36).slice(2)}`);
        const r = await braid(fleet, ["render", "--cluster", "c0001", "--out", out]);
        expect(r.code, r.err).toBe(0);
        expect(r.err).not.toContain("INTERNAL");
        return readFile(join(out, "clusters/c0001/apps/widget-w.yaml"), "utf8");
      };
      const first = await render();
      expect(first).toContain("- ".repeat(group ? 9000 : 8999));
      await writeFile(join(fleet, "clusters/c0001.yaml"), clusterYaml("c0001", `  vars: { X: "1" }\n`));
      expect(await render()).toBe(first);
    },
  );

  it("9,998 nested sequences render; 9,999 are a located YAML_TOO_DEEP naming kubectl's limit", async () => {
    const ok = await fleetRepo({ "deep.yaml": flow(9998) }, "  validation: { skipKinds: [Widget] }\n");
    const r = await braid(ok, ["validate", "--cluster", "c0001"]);
    expect(r.code, r.err).toBe(0);
    const bad = await fleetRepo({ "deep.yaml": flow(9999) }, "  validation: { skipKinds: [Widget] }\n");
    const r2 = await braid(bad, ["validate", "--cluster", "c0001"]);
    expect(r2.code, r2.err).toBe(1);
    expect(r2.err).toMatch(
      /deep\.yaml:7:\d+: error YAML_TOO_DEEP: \[cluster c0001\] the YAML nests more than 10000 levels, the most that kubectl kustomize and Flux \(go-yaml v3\) read/,
    );
    expect(r2.err).not.toContain("Maximum call stack");
  });
});

describe("15.7 patchSecretValues", () => {
  it("collects what patches of Secrets write or expect, and nothing of other kinds", async () => {
    const { patchSecretValues } = await import("../src/model/secret-redaction.js");
    expect(
      patchSecretValues({
        type: "json6902",
        target: { kind: "Secret" },
        body: [
          { op: "test", path: "/data/pw", value: "expected-old" },
          { op: "add", path: "/stringData", value: { k: "new-clear" } },
          { op: "add", path: "/spec/x", value: "not-secret" },
        ],
      }),
    ).toEqual(expect.arrayContaining(["expected-old", "new-clear"]));
    expect(
      patchSecretValues({
        type: "json6902",
        target: { kind: "Secret" },
        body: [{ op: "add", path: "/spec/x", value: "not-secret" }],
      }),
    ).toEqual([]);
    expect(patchSecretValues({ type: "strategic", body: { kind: "Secret", stringData: { a: "s3cret-sm" } } })).toEqual([
      "s3cret-sm",
    ]);
    expect(
      patchSecretValues({ type: "merge", target: { kind: "Sec.*" }, body: { data: { a: "bWVyZ2Utc2VjcmV0" } } }),
    ).toEqual(expect.arrayContaining(["bWVyZ2Utc2VjcmV0", "merge-secret"]));
    expect(
      patchSecretValues({ type: "merge", target: { kind: "ConfigMap" }, body: { data: { a: "visible" } } }),
    ).toEqual([]);
    expect(patchSecretValues({ type: "merge", target: { kind: "(" }, body: { data: { a: "x-bad-regex" } } })).toEqual(
      [],
    );
  });
});

describe.skipIf(NO_OPENAPI)("15.4 apiVersion", () => {
  it("a group that is not a DNS subdomain is a located error (the group can become part of a file name)", async () => {
    const w = (apiVersion: string) =>
      `apiVersion: ${apiVersion}\nkind: Widget\nmetadata: { name: w, namespace: apps }\n`;
    const fleet = await fleetRepo(
      { "a.yaml": w("../../x/v1"), "b.yaml": w("example.com/v1") },
      "  validation: { skipKinds: [Widget] }\n",
    );
    const out = join(fleet, "..", `out-${Math.random().toString(36).slice(2)}`);
    const r = await cli(fleet, ["render", "--out", out, "--cluster", "c0001"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      'a.yaml:1:13: error SCHEMA_VIOLATION: [cluster c0001 Widget apps/w /apiVersion] apiVersion "../../x/v1" is not <group>/<version>',
    );
    expect(await listAll(out)).toEqual([]);
  });
});
