/**
 * braid's GitHub client: `@octokit/core` with only the plugins braid uses (REST endpoint methods, pagination,
 * retries) instead of the full `octokit` bundle, and loaded only by the commands that talk to GitHub.
 */
import { Octokit as Core } from "@octokit/core";
import { paginateRest } from "@octokit/plugin-paginate-rest";
import { restEndpointMethods } from "@octokit/plugin-rest-endpoint-methods";
import { retry } from "@octokit/plugin-retry";

export { RequestError } from "@octokit/request-error";

/** Octokit with `.rest.*`, `.paginate` and retry support. */
export const Octokit = Core.plugin(restEndpointMethods, paginateRest, retry);

/** An instance of braid's Octokit. */
export type GithubOctokit = InstanceType<typeof Octokit>;
