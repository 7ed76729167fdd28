/**
 * braid's layering, checked by dependency-cruiser (`npm run lint:layers`, run by .ci/run before the tests).
 *
 * Folders of src/ from the bottom up (the first line is the bottom layer): a folder may import its own files and
 * any folder on an earlier line, never a peer on its own line nor a folder on a later line. src/index.ts (the
 * library entry) sits on top. A new folder gets a line here, and a line in ARCHITECTURE.md.
 */
/** @type {string[][]} */
const LAYERS = [
  ["diagnostics"], // codes, Diagnostic, BraidError, formatters
  ["model"], // Resource and its provenance, YAML + positions, selectors, Kubernetes schema shapes
  ["git", "github"], // Git plumbing (objects, store, remotes, the fleet's repository); the Octokit client
  ["kube"], // the Kubernetes OpenAPI: where it comes from, download cache, compaction
  ["config"], // braid.yaml, groups, clusters: read, checked, normalized, layered
  ["sources"], // refs with Flux's semantics, semver, braid.lock, pins
  ["render", "validate"], // per-cluster stages: manifests, patches, substitution, layout; schemas, policies
  ["kustomize"], // sources that are kustomize bases
  ["pipeline"], // the drivers: ordered stage lists
  ["publish"], // the deploy branch
  ["rollout"], // staged rollouts over published deploy commits
  ["preview"], // two runs compared, the PR comment
  ["cli"], // the edge: flags, printing, exit codes
];

const FOLDERS = LAYERS.flat();
/** Tests next to the code (`*.test.ts`) may build their fixtures with any folder; the code they test may not. */
const TESTS = "\\.test\\.ts$";
const levelOf = (name) => LAYERS.findIndex((line) => line.includes(name));
const alternatives = (names) => `^src/(${names.join("|")})/`;

/** One rule per folder: nothing from its own line (other than itself) or a later one. */
const layerRules = FOLDERS.map((folder) => {
  const notAllowed = FOLDERS.filter((other) => other !== folder && levelOf(other) >= levelOf(folder));
  return {
    name: `layer-${folder}`,
    severity: "error",
    comment: `src/${folder}/ may import only folders on earlier lines of LAYERS in .dependency-cruiser.cjs (the layers below it)`,
    from: { path: `^src/${folder}/`, pathNot: TESTS },
    to: { path: [alternatives(notAllowed), "^src/index\\.ts$"] },
  };
});

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: "unknown-folder",
      severity: "error",
      comment: "every folder of src/ has a line in LAYERS (add a new folder there, at its place)",
      from: { path: "^src/" },
      to: { path: "^src/[^/]+/", pathNot: alternatives(FOLDERS) },
    },
    {
      name: "no-circular-between-folders",
      severity: "error",
      comment: "no import cycle passes through another folder (the layer rules imply it; this names the cycle)",
      from: { path: "^src/([^/]+)/" },
      to: { circular: true, via: { pathNot: "^src/$1/" } },
    },
    {
      name: "no-circular",
      severity: "error",
      comment: "no cycle of runtime imports between modules (type-only cycles inside one folder are allowed)",
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
    {
      name: "no-test-code-in-src",
      severity: "error",
      comment: "code under src/ (tests excepted) never imports tests or test helpers",
      from: { path: "^src/", pathNot: "\\.test\\.ts$" },
      to: { path: ["^test/", "\\.test\\.ts$"] },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment:
        "every relative import resolves to a file (braid:config-validators is resolved by scripts/bundle-cli.mjs)",
      from: {},
      to: { couldNotResolve: true, pathNot: "^(node|braid):" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)node_modules/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      extensions: [".ts", ".js", ".json"],
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
      mainFields: ["module", "main", "types", "typings"],
    },
  },
};
