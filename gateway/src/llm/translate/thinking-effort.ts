/**
 * How hard an Anthropic request asks a model to think, as the low / medium / high that OpenAI's
 * `reasoning_effort` and the Converse models' reasoning settings take. Pure.
 *
 * `output_config.effort` wins when the client set one (`max` is `high`); else the thinking budget
 * decides: under 4096 tokens `low`, under 16384 `medium`, above `high` (the inverse of the
 * 1024 / 4096 / 16384 budgets `/v1`'s `reasoning_effort` becomes, openai-to-anthropic.ts).
 */

import type { AnthropicRequest } from "../wire/anthropic.js";

export type ThinkingEffort = "low" | "medium" | "high";

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The effort a request's thinking asks for; undefined when it asks for no thinking.
 * `adaptive`: what adaptive thinking without an effort becomes (undefined: nothing, the provider decides).
 */
export function thinkingEffort(
  req: AnthropicRequest,
  adaptive: ThinkingEffort | undefined = undefined,
): ThinkingEffort | undefined {
  const thinking = req.thinking;
  if (!thinking || thinking.type === "disabled") return undefined;
  const effort = isRecord(req.output_config) ? req.output_config.effort : undefined;
  if (effort === "low" || effort === "medium" || effort === "high") return effort;
  if (effort === "max") return "high";
  if (thinking.type === "enabled") {
    const b = thinking.budget_tokens;
    return b < 4096 ? "low" : b < 16384 ? "medium" : "high";
  }
  return adaptive;
}
