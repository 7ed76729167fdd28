/**
 * braid as a library: the same pipeline the CLI runs, for tools that embed it. Each call is one run with its
 * own caches; nothing here reads `process` (pass the environment in `SourceEnv` and the options).
 */
export { renderFleet, type ClusterResult, type FleetRun, type FleetRunOptions } from "./pipeline/render-fleet.js";
export { loadFleet } from "./config/load-fleet.js";
export { diskFleetReader, type FleetReader } from "./config/fleet-files.js";
export { resolvePins, lockFromPins, type ResolvedPin } from "./sources/resolve-pins.js";
export type { SourceEnv } from "./sources/open-source.js";
export { publish, type PublishOptions, type PublishResult, type PublishTarget } from "./publish/publish.js";
export { diffFleetRuns, type DiffOptions, type PreviewReport } from "./preview/diff-runs.js";
export { CODES, EXIT_CODES, exitCodeOf, type Category, type Code } from "./diagnostics/codes.js";
export { BraidError, exitCodeFor, hasErrors, type Diagnostic, type SourceLocation } from "./diagnostics/diagnostic.js";
export { formatGithub, formatText } from "./diagnostics/format.js";
export type { Resource, ResourceId, Origin, Json, JsonObject } from "./model/resource.js";
export { main, braidVersion } from "./cli/main.js";
export type { CliIO } from "./cli/io.js";
