import type { SourceLocation } from "../diagnostics/diagnostic.js";
import type { Json, PositionMap } from "../model/resource.js";
import type { RolloutDef } from "./rollout-types.js";

/** A Git ref as Flux's GitRepository.spec.ref, plus braid's tagPrefix. */
export interface RefSpec {
  branch?: string;
  tag?: string;
  semver?: string;
  name?: string;
  commit?: string;
  tagPrefix?: string;
}

/** A shared source repository defined in braid.yaml. */
export interface SourceDef {
  name: string;
  url: string;
  ref?: RefSpec;
  path: string;
  include: string[];
  exclude: string[];
  /** Flux's GitRepository `spec.ignore`: `.sourceignore` patterns after the repository's own (model/sourceignore.ts). */
  ignore?: string;
  /** Flux post-build substitution on this source's manifests (absent: true; layers may override it). */
  substitute?: boolean;
  /** Flux's `targetNamespace`: the namespace transformer over everything the source yields. */
  namespace?: string;
  /** Whether clusters run the source unless a layer says otherwise (undefined: true). */
  enabled?: boolean;
  location: SourceLocation;
  /** Set when the URL was refused at load (CONFIG_URL): the source is never fetched. */
  urlRefused?: boolean;
}

/** Patch target selector (Kustomize semantics). */
export type { TargetSelector as TargetSpec } from "../model/select-targets.js";
import type { TargetSelector as TargetSpec } from "../model/select-targets.js";

/** One patch, normalized: a single body with its own position map. */
export interface PatchDef {
  type: "strategic" | "merge" | "json6902";
  /** Explicit target; for strategic patches without one, derived from the patch body. */
  target?: TargetSpec;
  body: Json;
  optional: boolean;
  /** Where the patch entry is declared (the config file and line). */
  location: SourceLocation;
  /** Positions of the fields inside the patch body (for errors on fields a patch introduced). */
  positions: PositionMap;
  /** For json6902: the location of each operation. */
  opLocations?: SourceLocation[];
  /** JSON pointers (inside `body`) of the plain YAML scalars holding `${` (model/plain-scalars.ts). */
  plain?: ReadonlySet<string>;
  /** "fleet", "group <name>" or "cluster <name>" (or "kustomization <file>" inside a kustomize build). */
  layer: string;
  /** kustomize's `options` of a targeted strategic patch: the patch may rename the object or change its kind. */
  options?: { allowNameChange?: boolean; allowKindChange?: boolean };
}

/** A source pin as one layer states it. */
export interface PinDef {
  source: string;
  ref?: RefSpec;
  /** `substitute: true|false` as this layer states it (absent: inherited). */
  substitute?: boolean;
  /** `enabled` as the layer wrote it: undefined leaves the source set alone. */
  enabled?: boolean;
  location: SourceLocation;
  /** The source's target namespace as this layer sets it, and where. */
  namespace?: { value: string; location: SourceLocation };
}

/** A layer of settings: fleet defaults, a group, or a cluster. */
export interface LayerDef {
  name: string;
  file: string;
  sources: PinDef[];
  vars: Record<string, string>;
  varLocations: Record<string, SourceLocation>;
  patches: PatchDef[];
  /** The layer's `kubernetesVersion`, when it sets one (groups and clusters). */
  kubernetesVersion?: string;
}

/** A label selector in Kubernetes object form. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] }[];
}

/** A group (groups/<name>.yaml). */
export interface GroupDef extends LayerDef {
  priority: number;
  selector: LabelSelector;
  location: SourceLocation;
}

/** A cluster (clusters/<name>.yaml). */
export interface ClusterDef extends LayerDef {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  location: SourceLocation;
}

/** The whole fleet, normalized. */
export interface Fleet {
  /** Directory holding braid.yaml (absolute), or a label when read from Git. */
  dir: string;
  name: string;
  sources: SourceDef[];
  kubernetesVersion: string;
  validation: { strict: boolean; ignoreMissingSchemas: boolean; kubernetesOpenAPI?: string; skipKinds: string[] };
  output: { branch: string; path: string };
  publish: { pruneThreshold: number };
  preview: { sensitivePaths: string[] };
  /** As kustomize-controller's flags: `remoteBases: false` is its --no-remote-bases. */
  kustomize: { remoteBases: boolean };
  defaults: LayerDef;
  groups: GroupDef[];
  clusters: ClusterDef[];
  /** Rollouts (rollouts/*.yaml), by name. */
  rollouts?: RolloutDef[];
}

/** One pin of one cluster after layering. */
export interface EffectivePin {
  source: SourceDef;
  ref: RefSpec | undefined;
  /** Whether variables are substituted in this source's manifests for this cluster (last layer that says; absent: true). */
  substitute?: boolean;
  /** Where the winning ref was written. */
  location: SourceLocation;
  /** The target namespace after layering (fleet source → groups → cluster), and where it was set. */
  namespace?: { value: string; location: SourceLocation };
}

/** A cluster's settings after layering fleet → groups → cluster. */
export interface EffectiveCluster {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  pins: EffectivePin[];
  vars: Record<string, string>;
  patches: PatchDef[];
  /** Group names applied, in order. */
  groups: string[];
  /** The Kubernetes API version the cluster is validated and patched against (the last layer that sets it). */
  kubernetesVersion: string;
  /** The rollouts this cluster is part of (set by the render's rollout stage). */
  rollouts?: { rollout: string; wave: string; moved: boolean }[];
  /** Fleet sources this cluster does not run (disabled by a layer or by default), in fleet order. */
  disabledSources: string[];
  location: SourceLocation;
}
