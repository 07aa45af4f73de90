/**
 * Anthropic Messages request -> the body for Claude on Vertex AI (rawPredict / streamRawPredict):
 * no `model` (it is in the URL), `stream` kept, `anthropic_version: "vertex-2023-10-16"` in the body.
 * Parameter filtering and system-message folding are shared with Bedrock.
 */

import type { AnthropicRequest } from "../../wire/anthropic.js";
import { cloudAnthropicParams, platformBetas } from "../bedrock/anthropic-body.js";

export const VERTEX_ANTHROPIC_VERSION = "vertex-2023-10-16";

/** Beta flags Claude on Vertex accepts, with their Vertex names; others are dropped. */
export const VERTEX_BETAS: ReadonlyMap<string, string> = new Map([
  ["advanced-tool-use-2025-11-20", "tool-search-tool-2025-10-19"],
  ["tool-search-tool-2025-10-19", "tool-search-tool-2025-10-19"],
  ["compact-2026-01-12", "compact-2026-01-12"],
  ["computer-use-2025-01-24", "computer-use-2025-01-24"],
  ["computer-use-2025-11-24", "computer-use-2025-11-24"],
  ["context-1m-2025-08-07", "context-1m-2025-08-07"],
  ["context-management-2025-06-27", "context-management-2025-06-27"],
  ["interleaved-thinking-2025-05-14", "interleaved-thinking-2025-05-14"],
  ["web-search-2025-03-05", "web-search-2025-03-05"],
]);

/** Body for Claude on Vertex. Betas travel in the `anthropic-beta` header (see vertexBetaHeader). */
export function toVertexAnthropicBody(req: AnthropicRequest): Record<string, unknown> {
  const body: Record<string, unknown> = { anthropic_version: VERTEX_ANTHROPIC_VERSION };
  Object.assign(body, cloudAnthropicParams(req));
  if (req.stream !== undefined) body.stream = req.stream;
  return body;
}

/**
 * The `anthropic-beta` header value for Vertex (as Anthropic's own Vertex SDK sends betas): only
 * flags Vertex knows, renamed where Vertex names them differently; undefined when none remain.
 */
export function vertexBetaHeader(betas: readonly string[] | undefined): string | undefined {
  const flags = platformBetas(betas, VERTEX_BETAS);
  return flags.length > 0 ? flags.join(",") : undefined;
}
