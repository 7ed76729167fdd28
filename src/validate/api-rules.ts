/**
 * A few checks the API server makes beyond the OpenAPI schema, chosen because they fail an apply outright and
 * are easy to get wrong in hand-written manifests: ConfigMap/Secret keys, container names (valid, and unique
 * across containers, initContainers and ephemeralContainers) and ports, a Service's targetPort, and the
 * CronJob name length. Every check mirrors one of Kubernetes' own validation functions (named in the message).
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import {
  describeId,
  locateField,
  type Json,
  type JsonObject,
  type JsonPath,
  type Resource,
} from "../model/resource.js";
import { DNS1123_LABEL } from "./kube-formats.js";

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

/** IsValidPortName: an IANA service name (1–15 of a-z, 0-9 and '-', a letter, no '-' at the ends or twice). */
function isValidPortName(s: string): boolean {
  return (
    s.length >= 1 &&
    s.length <= 15 &&
    /^[-a-z0-9]+$/.test(s) &&
    /[a-z]/.test(s) &&
    !s.includes("--") &&
    !s.startsWith("-") &&
    !s.endsWith("-")
  );
}

function isMap(v: Json | undefined): v is JsonObject {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function at(o: Json | undefined, path: readonly string[]): Json | undefined {
  let v = o;
  for (const seg of path) v = isMap(v) ? v[seg] : undefined;
  return v;
}

/** Where the pod spec of a workload kind is. */
const POD_SPEC: Record<string, string[]> = {
  Pod: ["spec"],
  PodTemplate: ["template", "spec"],
  Deployment: ["spec", "template", "spec"],
  StatefulSet: ["spec", "template", "spec"],
  DaemonSet: ["spec", "template", "spec"],
  ReplicaSet: ["spec", "template", "spec"],
  ReplicationController: ["spec", "template", "spec"],
  Job: ["spec", "template", "spec"],
  CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
};

/** Reports one problem at a field of the resource being checked. */
type Fail = (path: JsonPath, message: string, related?: Diagnostic["related"]) => void;

/** One API-server check: its name, the Kubernetes function it mirrors, the check. */
interface ApiCheck {
  name: string;
  check(r: Resource, fail: Fail): void;
}

/** The checks, in the order their problems are reported. */
const API_CHECKS: readonly ApiCheck[] = [
  { name: "IsConfigMapKey", check: configKeys },
  { name: "CronJob name length", check: cronJobName },
  { name: "Service targetPort", check: serviceTargetPorts },
  { name: "ValidatePodSpec containers", check: podContainers },
];

/** The API-server checks for one resource (core and apps/batch groups only). */
export function apiServerRules(r: Resource, cluster: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const fail: Fail = (path, message, related) =>
    out.push({
      ...(related ? { related } : {}),
      code: "SCHEMA_VIOLATION",
      severity: "error",
      cluster,
      resource: describeId(r.id),
      path: "/" + path.map((p) => String(p).replace(/~/g, "~0").replace(/\//g, "~1")).join("/"),
      message,
      location: locateField(r, path),
      hint: "the API server would reject this on apply",
    });
  for (const c of API_CHECKS) c.check(r, fail);
  return out;
}

/** ConfigMap and Secret keys: alphanumerics, '-', '_' or '.', at most 253 characters. */
function configKeys(r: Resource, fail: Fail): void {
  const { group, kind } = r.id;
  if (group !== "" || (kind !== "ConfigMap" && kind !== "Secret")) return;
  for (const field of kind === "ConfigMap" ? ["data", "binaryData"] : ["data", "stringData"]) {
    const m = r.object[field];
    if (!isMap(m)) continue;
    for (const key of Object.keys(m))
      if (key.length > 253 || !CONFIG_KEY.test(key))
        fail(
          [field, key],
          `invalid key "${key}": a ${kind} key must consist of alphanumerics, '-', '_' or '.' (IsConfigMapKey)`,
        );
  }
}

/** A CronJob's name leaves room for the 11 characters its Jobs append. */
function cronJobName(r: Resource, fail: Fail): void {
  if (r.id.group !== "batch" || r.id.kind !== "CronJob") return;
  const name = at(r.object, ["metadata", "name"]);
  if (typeof name !== "string") return;
  if (name.length > 52)
    fail(
      ["metadata", "name"],
      `a CronJob name must be no more than 52 characters (it has ${name.length}): its Jobs append 11`,
    );
}

/** A Service's targetPort: a port number in 1–65535 or a valid port name. */
function serviceTargetPorts(r: Resource, fail: Fail): void {
  if (r.id.group !== "" || r.id.kind !== "Service") return;
  const ports = at(r.object, ["spec", "ports"]);
  if (!Array.isArray(ports)) return;
  ports.forEach((p, i) => {
    const t = isMap(p) ? p.targetPort : undefined;
    if (typeof t === "string" && !isValidPortName(t))
      fail(
        ["spec", "ports", i, "targetPort"],
        `targetPort "${t}" is neither a port number nor a port name (IsValidPortName: 1–15 lower-case letters, digits and '-', with a letter)${/^\d+$/.test(t) ? "; write it unquoted to make it a number" : ""}`,
      );
    else if (typeof t === "number" && (t < 1 || t > 65535))
      fail(["spec", "ports", i, "targetPort"], `targetPort ${t} is outside 1–65535`);
  });
}

/** ValidatePodSpec: container names (DNS-1123 labels, one name space for all three lists) and their ports. */
function podContainers(r: Resource, fail: Fail): void {
  const { group, kind } = r.id;
  const podPath = (group === "" || group === "apps" || group === "batch") && POD_SPEC[kind];
  if (!podPath) return;
  const spec = at(r.object, podPath);
  if (!isMap(spec)) return;
  // one name space for containers, initContainers and ephemeralContainers
  const seen = new Map<string, JsonPath>();
  for (const list of ["containers", "initContainers", "ephemeralContainers"]) {
    const containers = spec[list];
    if (!Array.isArray(containers)) continue;
    containers.forEach((c, i) => {
      if (!isMap(c)) return;
      const base = [...podPath, list, i];
      if (typeof c.name === "string" && !(c.name.length <= 63 && DNS1123_LABEL.test(c.name)))
        fail(
          [...base, "name"],
          `container name "${c.name}" must be a DNS-1123 label (lower-case alphanumerics and '-')`,
        );
      if (typeof c.name === "string") {
        const first = seen.get(c.name);
        if (first)
          fail(
            [...base, "name"],
            `duplicate container name "${c.name}": ${list}[${i}] has the name of ${String(first[first.length - 3])}[${String(first[first.length - 2])}] (names are unique across containers, initContainers and ephemeralContainers)`,
            [{ message: "first container with this name", location: locateField(r, first) }],
          );
        else seen.set(c.name, [...base, "name"]);
      }
      const ports = c.ports;
      if (Array.isArray(ports))
        ports.forEach((p, j) => {
          if (!isMap(p)) return;
          for (const f of ["containerPort", "hostPort"])
            if (typeof p[f] === "number" && (p[f] < (f === "hostPort" ? 0 : 1) || p[f] > 65535))
              fail([...base, "ports", j, f], `${f} ${p[f]} is outside 1–65535`);
        });
    });
  }
}
