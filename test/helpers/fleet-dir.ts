import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** Writes a fleet folder from path → content; returns its path. */
export async function writeFleet(files: Record<string, string | Uint8Array>, dir?: string): Promise<string> {
  const root = dir ?? (await mkdtemp(join(tmpdir(), "braid-fleet-")));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

/** A minimal valid braid.yaml with the given sources block. */
export function fleetYaml(sources: string, extra = ""): string {
  return `apiVersion: braid/v1alpha1
kind: Fleet
metadata: { name: test }
spec:
  kubernetesVersion: "1.34"
  sources:
${sources}
${extra}`;
}

/** A cluster file. */
export function clusterYaml(name: string, body = "", labels = "{}"): string {
  return `apiVersion: braid/v1alpha1
kind: Cluster
metadata:
  name: ${name}
  labels: ${labels}
${body ? `spec:\n${body}` : ""}`;
}
