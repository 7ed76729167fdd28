/** The demo and braid print no escape codes into pipes, and honour NO_COLOR (https://no-color.org). */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { bold, colorEnabled } from "../src/cli/color.js";
import { openApiSkipReason } from "./helpers/openapi-fixture.js";

const NO_OPENAPI = openApiSkipReason("demo-color");

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "..");

describe("colorEnabled", () => {
  it.each([
    [{}, true, true],
    [{}, false, false],
    [{ NO_COLOR: "1" }, true, false],
    [{ NO_COLOR: "" }, true, true],
    [{ TERM: "dumb" }, true, false],
  ])("env %j on a TTY=%s → %s", (env, tty, want) => {
    expect(colorEnabled(env, tty)).toBe(want);
    expect(bold("x", colorEnabled(env, tty))).toBe(want ? "\x1b[1mx\x1b[0m" : "x");
  });
});

describe.skipIf(NO_OPENAPI)("npm run demo into a pipe", () => {
  it("writes plain text: no escape codes on stdout or stderr", async () => {
    const env = { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined };
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, "bin", "braid-demo.js")], {
      cwd: ROOT,
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(stdout).toContain("\n== Rendering every cluster\n");
    expect(stdout.includes("\x1b")).toBe(false);
    expect(stderr.includes("\x1b")).toBe(false);
  }, 180_000);
});
