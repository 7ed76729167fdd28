/**
 * The closed set of diagnostic codes. Each code has a category, which decides the exit code.
 * Add new codes here (keep them grouped by area); never classify errors by message text.
 */
export type Category = "content" | "usage" | "environment" | "internal";

/** What each category exits with (SPEC: Exit codes). */
export const EXIT_CODES: Record<Category, 1 | 2 | 3 | 4> = {
  content: 1,
  usage: 2,
  environment: 3,
  internal: 4,
};

/** How serious a diagnostic is. */
export type Severity = "error" | "warning" | "info";

/**
 * Code table: category, a one-line summary, and the default severity where a code is never an error
 * (absent: "error"; a few codes, such as SCHEMA_MISSING under ignoreMissingSchemas, are lowered by context).
 */
export const CODES = {
  // usage
  USAGE: { category: "usage", summary: "bad command-line usage" },
  // config
  YAML_SYNTAX: { category: "content", summary: "the file is not valid YAML" },
  YAML_ALIAS_LIMIT: { category: "content", summary: "the YAML uses too many aliases (alias bomb?)" },
  YAML_TOO_DEEP: { category: "content", summary: "the YAML nests deeper than braid can read" },
  FILE_TOO_LARGE: { category: "content", summary: "a YAML file is larger than braid reads (64 MiB)" },
  CONFIG_NOT_FOUND: { category: "content", summary: "a config file is missing" },
  CONFIG_SCHEMA: { category: "content", summary: "a config file does not match its schema" },
  CONFIG_NAME_MISMATCH: { category: "content", summary: "a cluster's name differs from its file name" },
  CONFIG_DUPLICATE: { category: "content", summary: "a name is defined twice" },
  CONFIG_UNKNOWN_SOURCE: { category: "content", summary: "a source name is not defined in braid.yaml" },
  CONFIG_REF_CONFLICT: { category: "content", summary: "a ref sets kinds that cannot be combined" },
  CONFIG_SELECTOR: { category: "content", summary: "a label selector is invalid" },
  GROUP_MATCHES_NOTHING: { category: "content", summary: "a group selector matches no cluster", severity: "warning" },
  FLEET_EMPTY: { category: "content", summary: "the fleet has no clusters" },
  CONFIG_REF_NAME: { category: "content", summary: "a branch or ref name breaks Git's ref-name rules" },
  CONFIG_URL: { category: "content", summary: "a source URL is malformed or carries credentials" },
  // sources and refs
  SOURCE_NOT_FOUND: { category: "content", summary: "a source repository cannot be found" },
  SOURCE_UNREACHABLE: { category: "environment", summary: "a source remote does not answer" },
  SOURCE_AUTH: { category: "environment", summary: "a source remote refused the credentials" },
  SOURCE_TRANSPORT: { category: "environment", summary: "no transport reaches this remote (SSH needs git on PATH)" },
  REPO_CORRUPT: { category: "environment", summary: "a Git repository braid reads is damaged (git fsck shows where)" },
  CACHE_LOCKED: { category: "environment", summary: "another braid process held the cache too long" },
  REF_NOT_FOUND: { category: "content", summary: "a ref resolves to nothing" },
  REF_NOT_REACHABLE: { category: "content", summary: "a commit is not reachable from its branch" },
  COMMIT_NOT_FOUND: { category: "content", summary: "a commit does not exist" },
  SEMVER_RANGE: { category: "content", summary: "a semver range is invalid" },
  SEMVER_NO_MATCH: { category: "content", summary: "no tag satisfies a semver range" },
  LOCK_INVALID: { category: "content", summary: "braid.lock is malformed" },
  LOCK_COMMIT_MISSING: { category: "content", summary: "a commit pinned in braid.lock no longer exists in its source" },
  LOCK_STALE: { category: "content", summary: "a pin changed since braid.lock was written", severity: "warning" },
  PATH_ESCAPE: { category: "content", summary: "a path leaves its root" },
  // manifests and render
  MANIFEST_INVALID: { category: "content", summary: "a manifest document is not a Kubernetes object" },
  MANIFEST_BINARY: { category: "content", summary: "a file matching the globs is not text" },
  DUPLICATE_RESOURCE: { category: "content", summary: "two documents define the same object" },
  PATCH_INVALID: { category: "content", summary: "a patch is malformed" },
  PATCH_NO_MATCH: { category: "content", summary: "a patch target matches nothing" },
  PATCH_FAILED: { category: "content", summary: "a patch cannot be applied" },
  SUBST_UNDEFINED: { category: "content", summary: "a variable is undefined and has no default" },
  SUBST_SYNTAX: { category: "content", summary: "a substitution expression is malformed" },
  // kustomize bases (sources whose path holds a kustomization)
  KUSTOMIZE_INVALID: { category: "content", summary: "a kustomization is malformed or names what does not exist" },
  REMOTE_HTTP: { category: "content", summary: "a kustomization's remote file does not answer 2xx with YAML" },
  REMOTE_FETCH: { category: "environment", summary: "a kustomization's remote file could not be fetched" },
  REMOTE_CHANGED: { category: "content", summary: "a remote file no longer gives the bytes braid.lock pinned" },
  REMOTE_NOT_PINNED: { category: "content", summary: "a remote file is not pinned in braid.lock" },
  KUSTOMIZE_UNSUPPORTED: { category: "content", summary: "a kustomization uses a field braid does not build" },
  SOURCE_EMPTY: { category: "content", summary: "a source yields no objects (a warning)", severity: "warning" },
  KUSTOMIZE_IGNORED: {
    category: "content",
    summary: "a kustomization sets something Flux's build ignores (a warning)",
    severity: "warning",
  },
  // validation
  OPENAPI_UNAVAILABLE: { category: "environment", summary: "no Kubernetes OpenAPI document can be read" },
  OPENAPI_INVALID: { category: "content", summary: "the Kubernetes OpenAPI document is unusable" },
  OPENAPI_UNKNOWN_VERSION: { category: "content", summary: "no OpenAPI document for this Kubernetes version" },
  SCHEMA_VIOLATION: { category: "content", summary: "a resource does not match its schema" },
  SCHEMA_MISSING: { category: "content", summary: "no schema for a kind" },
  ORG_SCHEMA_INVALID: { category: "content", summary: "an org schema is malformed" },
  ORG_POLICY: { category: "content", summary: "a resource breaks an org schema" },
  SOPS_NOT_VALIDATED: {
    category: "content",
    summary: "SOPS-encrypted documents are checked by metadata only",
    severity: "info",
  },
  CEL_NOT_EVALUATED: { category: "content", summary: "CEL rules are not evaluated", severity: "info" },
  // publish
  PUBLISH_PRUNE: { category: "content", summary: "publishing would delete too much" },
  PUBLISH_RACE: { category: "environment", summary: "the push kept losing to other publishers" },
  PUBLISH_PUSH: { category: "environment", summary: "the push failed" },
  PUBLISH_NOT_A_REPO: { category: "content", summary: "the fleet is not in a Git repository" },
  FLEET_DIRTY: { category: "content", summary: "the fleet has uncommitted changes (a warning)", severity: "warning" },
  PUBLISH_CLUSTERS_FAILED: { category: "content", summary: "clusters failed, nothing was published" },
  // rollouts
  ROLLOUT_UNCOVERED: { category: "content", summary: "a cluster running a rollout's source is in no wave" },
  ROLLOUT_STATE: { category: "content", summary: "a rollout command does not fit the rollout's state" },
  ROLLOUT_HEALTH: {
    category: "content",
    summary: "a rollout's health gate failed or timed out (the rollout is paused)",
  },
  // preview / GitHub
  REV_NOT_FOUND: { category: "content", summary: "a revision does not exist in the fleet repository" },
  GITHUB_API: { category: "environment", summary: "the GitHub API refused or failed" },
  GITHUB_CONTEXT: { category: "usage", summary: "the GitHub repository, PR or token is unknown" },
  // environment / internal
  IO: { category: "environment", summary: "a file cannot be read or written" },
  NETWORK: { category: "environment", summary: "a network request failed" },
  INTERNAL: { category: "internal", summary: "an internal error in braid" },
} as const satisfies Record<string, { category: Category; summary: string; severity?: Severity }>;

/** A diagnostic code. */
export type Code = keyof typeof CODES;

/** Fleet-level codes that fail only the clusters running the pin (those clusters are marked failed themselves). */
export const PIN_CODES: ReadonlySet<Code> = new Set([
  "SOURCE_NOT_FOUND",
  "REF_NOT_FOUND",
  "REF_NOT_REACHABLE",
  "COMMIT_NOT_FOUND",
  "REPO_CORRUPT",
  "SEMVER_NO_MATCH",
  "SEMVER_RANGE",
  "LOCK_STALE",
]);

/** The severity a code is reported with unless its context lowers it ("error" when the table says nothing). */
export function defaultSeverityOf(code: Code): Severity {
  const entry: { category: Category; severity?: Severity } = CODES[code];
  return entry.severity ?? "error";
}

/** The exit code for a code's category. */
export function exitCodeOf(code: Code): 1 | 2 | 3 | 4 {
  return EXIT_CODES[CODES[code].category];
}
