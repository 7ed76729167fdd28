import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { hasOpenApiFixture } from "./openapi-fixture.js";

const run = promisify(execFile);

/** "kubectl" when it answers on this machine (async probe; never blocks a server in this process). */
export const kubectl: string | undefined = await run("kubectl", ["version", "--client"], { timeout: 20_000 }).then(
  () => "kubectl",
  () => undefined,
);

/**
 * Why a kubectl-backed suite must skip here (kubectl absent, or the 1.34 OpenAPI fixture missing), printed once
 * as a warning; undefined when it can run.
 */
export function kubectlSkipReason(suite: string, needsOpenApi = true): string | undefined {
  const reason = !kubectl
    ? `kubectl is not on PATH: the ${suite} cases are skipped`
    : needsOpenApi && !hasOpenApiFixture("1.34")
      ? `the Kubernetes 1.34 OpenAPI fixture is missing: the ${suite} cases are skipped`
      : undefined;
  if (reason) console.warn(`[${suite}] ${reason}`);
  return reason;
}
