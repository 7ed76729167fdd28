/**
 * `--format json`: every document carries apiVersion braid/v1alpha1 and a kind, uses camelCase field names
 * throughout, and validates against its schema under schemas/ — real outputs of real runs, checked with ajv.
 * Usage (2) and environment (3) failures print an ErrorResult too.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { memoryIO } from "../src/cli/io.js";
import { makeWorkspace, OPENAPI_ENV, testCluster, type Workspace } from "./helpers/publish-fleet.js";
import { openApiSkipReason } from "./helpers/openapi-fixture.js";

const NO_OPENAPI = openApiSkipReason("json-output");

const SCHEMAS = join(import.meta.dirname, "..", "schemas");
const ajv = new Ajv({ allErrors: true, strict: true });
const validators = new Map<string, ValidateFunction>();
let ws: Workspace;

beforeAll(async () => {
  const files = (await readdir(SCHEMAS)).filter(
    (f) => f.endsWith("-result.schema.json") || f === "result-common.schema.json" || f === "inventory.schema.json",
  );
  const docs = await Promise.all(
    files.map(
      async (f) =>
        JSON.parse(await readFile(join(SCHEMAS, f), "utf8")) as {
          $id: string;
          properties?: { kind?: { const?: string } };
        },
    ),
  );
  for (const d of docs) ajv.addSchema(d);
  for (const d of docs) if (d.properties?.kind?.const) validators.set(d.properties.kind.const, ajv.getSchema(d.$id)!);
  ws = await makeWorkspace({
    "prod-eu-1": testCluster("prod-eu-1", { replicas: 3 }),
    "dev-us-1": testCluster("dev-us-1", { region: "us" }),
  });
});
afterAll(() => ws?.cleanup());

async function cli(args: string[], env: Record<string, string> = {}) {
  const io = memoryIO({ cwd: ws.fleet, env: { BRAID_KUBERNETES_OPENAPI: OPENAPI_ENV, BRAID_CACHE: ws.cache, ...env } });
  const code = await main(args, io);
  return { code, doc: JSON.parse(io.out.join("")) as Record<string, unknown>, err: io.err.join("") };
}

/** Every key of every object, at any depth, except inside free-form maps (refs, labels). */
function keysOf(v: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(v)) for (const x of v) keysOf(x, out);
  else if (v && typeof v === "object")
    for (const [k, x] of Object.entries(v)) {
      out.add(k);
      if (k !== "ref" && k !== "labels" && k !== "kinds") keysOf(x, out);
    }
  return out;
}

function expectValid(doc: Record<string, unknown>, kind: string): void {
  expect(doc.apiVersion).toBe("braid/v1alpha1");
  expect(doc.kind).toBe(kind);
  const validate = validators.get(kind);
  expect(validate, `schemas/ has a schema for ${kind}`).toBeDefined();
  const ok = validate!(doc);
  expect(ok ? [] : validate!.errors).toEqual([]);
  expect([...keysOf(doc)].filter((k) => !/^[a-z][a-zA-Z0-9]*$/.test(k))).toEqual([]);
}

describe.skipIf(NO_OPENAPI)("--format json documents", () => {
  it("render, validate, lock, publish and preview print documents that match their schemas", async () => {
    const lock = await cli(["lock", "--format", "json", "--explain"]);
    expect(lock.code, lock.err).toBe(0);
    expectValid(lock.doc, "LockResult");
    const render = await cli(["render", "--format", "json", "--out", join(ws.root, "out")]);
    expect(render.code, render.err).toBe(0);
    expectValid(render.doc, "RenderResult");
    const validate = await cli(["validate", "--format", "json"]);
    expect(validate.code).toBe(0);
    expectValid(validate.doc, "ValidationResult");
    await ws.commitFleet({ "braid.lock": await readFile(join(ws.fleet, "braid.lock"), "utf8") }, "lock");
    const dry = await cli(["publish", "--format", "json", "--dry-run"]);
    expect(dry.code, dry.err).toBe(0);
    expectValid(dry.doc, "PublishResult");
    const pub = await cli(["publish", "--format", "json"]);
    expect(pub.doc.status).toBe("published");
    expectValid(pub.doc, "PublishResult");
    await ws.commitFleet({ "clusters/dev-us-1.yaml": testCluster("dev-us-1", { region: "ap", replicas: 2 }) });
    const preview = await cli(["preview", "--base", "HEAD~1", "--head", "HEAD", "--format", "json"]);
    expect(preview.code, preview.err).toBe(0);
    expectValid(preview.doc, "PreviewResult");
    const inventory = await cli(["inventory", "--format", "json"]);
    expect(inventory.code).toBe(0);
    expectValid(inventory.doc, "Inventory");
    expect((preview.doc.totals as { changed: number }).changed).toBe(2);
  });

  it("a content failure is still the command's own document (ok: false)", async () => {
    await ws.commitFleet({ "clusters/bad-1.yaml": testCluster("bad-1", { ref: "tag: v9.9.9" }) }, "bad");
    const res = await cli(["validate", "--format", "json"]);
    expect(res.code).toBe(1);
    expectValid(res.doc, "ValidationResult");
    expect(res.doc.ok).toBe(false);
    await ws.commitFleet({ "clusters/bad-1.yaml": null }, "unbad");
  });

  it("a usage error (exit 2) prints an ErrorResult with the USAGE diagnostic", async () => {
    const res = await cli(["render", "--format", "json", "--clustr", "x"]);
    expect(res.code).toBe(2);
    expectValid(res.doc, "ErrorResult");
    expect(res.doc).toMatchObject({
      command: "render",
      ok: false,
      exitCode: 2,
      diagnostics: [{ code: "USAGE", message: "unknown flag --clustr; did you mean --cluster?" }],
    });
    const lock = await cli(["lock", "--update", "nope", "--format", "json"]);
    expect(lock.code).toBe(2);
    expectValid(lock.doc, "ErrorResult");
    expect(lock.doc).toMatchObject({
      command: "lock",
      diagnostics: [{ code: "USAGE", message: "unknown source nope; sources: base" }],
    });
  });

  it("an environment error (exit 3) prints an ErrorResult with its code", async () => {
    const res = await cli(["validate", "--format", "json"], {
      BRAID_KUBERNETES_OPENAPI: join(ws.root, "no-openapi-here"),
    });
    expect(res.code).toBe(3);
    expectValid(res.doc, "ErrorResult");
    expect(res.doc).toMatchObject({
      command: "validate",
      exitCode: 3,
      diagnostics: [{ code: "OPENAPI_UNAVAILABLE", severity: "error" }],
    });
  });
});
