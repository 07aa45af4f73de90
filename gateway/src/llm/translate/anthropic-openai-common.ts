/**
 * Small shared pieces of the Anthropic <-> OpenAI translation: usage arithmetic, stop reasons,
 * tool-argument parsing and the hot-path SSE builders. Pure functions, no I/O.
 */
import type { Usage } from "../usage.js";
import type { AnthropicStopReason, AnthropicUsage } from "../wire/anthropic.js";
import type { OpenAIFinishReason, OpenAIUsage } from "../wire/openai.js";

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function num(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
}

/**
 * OpenAI usage -> gateway usage. OpenAI's prompt_tokens INCLUDES cached tokens (and, on servers
 * that report them, cache writes); the gateway's inputTokens excludes both.
 */
export function usageFromOpenAI(u: OpenAIUsage): Usage {
  const details = u.prompt_tokens_details;
  const cacheRead = num(details?.cached_tokens) || num(u.cache_read_input_tokens);
  const cacheWrite = num(details?.cache_write_tokens) || num(u.cache_creation_input_tokens);
  return {
    inputTokens: Math.max(0, num(u.prompt_tokens) - cacheRead - cacheWrite),
    outputTokens: num(u.completion_tokens),
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    reasoningTokens: num(u.completion_tokens_details?.reasoning_tokens),
  };
}

/** Anthropic usage (input_tokens already excludes cache reads/writes) -> gateway usage. */
export function usageFromAnthropic(u: Partial<AnthropicUsage> | undefined, into: Usage): Usage {
  if (!u) return into;
  if (u.input_tokens != null) into.inputTokens = num(u.input_tokens);
  if (u.output_tokens != null) into.outputTokens = num(u.output_tokens);
  if (u.cache_read_input_tokens != null) into.cacheReadTokens = num(u.cache_read_input_tokens);
  if (u.cache_creation_input_tokens != null) into.cacheWriteTokens = num(u.cache_creation_input_tokens);
  return into;
}

export function anthropicUsageOf(u: Usage): AnthropicUsage {
  return {
    input_tokens: u.inputTokens,
    output_tokens: u.outputTokens,
    cache_creation_input_tokens: u.cacheWriteTokens,
    cache_read_input_tokens: u.cacheReadTokens,
  };
}

export function openAIUsageOf(u: Usage): OpenAIUsage {
  const prompt = u.inputTokens + u.cacheReadTokens + u.cacheWriteTokens;
  const out: OpenAIUsage = {
    prompt_tokens: prompt,
    completion_tokens: u.outputTokens,
    total_tokens: prompt + u.outputTokens,
    prompt_tokens_details: { cached_tokens: u.cacheReadTokens },
  };
  if (u.cacheWriteTokens > 0)
    out.prompt_tokens_details = { cached_tokens: u.cacheReadTokens, cache_write_tokens: u.cacheWriteTokens };
  if (u.reasoningTokens > 0) out.completion_tokens_details = { reasoning_tokens: u.reasoningTokens };
  return out;
}

/**
 * OpenAI finish_reason -> Anthropic stop_reason. OpenAI does not say whether a stop came from a
 * stop sequence, so "stop" is end_turn. Several OpenAI-compatible servers (Gemini, Ollama) answer
 * "stop" even when the message carries tool calls: a message with tool calls is tool_use.
 * A message that carries a refusal is a refusal.
 */
export function anthropicStopReason(
  finish: string | null | undefined,
  hasToolCalls: boolean,
  refused = false,
): AnthropicStopReason {
  // A refusal (OpenAI's `refusal` field) ends with "stop"; Anthropic calls that a refusal.
  if (refused && finish !== "length") return "refusal";
  switch (finish) {
    case "length":
      return "max_tokens";
    case "content_filter":
      return "refusal";
    case "tool_calls":
    case "function_call":
      return "tool_use";
    default:
      return hasToolCalls ? "tool_use" : "end_turn";
  }
}

export function openAIFinishReason(
  stop: AnthropicStopReason | string | null | undefined,
): OpenAIFinishReason {
  switch (stop) {
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "refusal":
      return "content_filter";
    default:
      return "stop";
  }
}

/**
 * Tool-call arguments from an OpenAI model -> an Anthropic tool_use input object.
 * Empty or invalid JSON, or JSON that is not an object, becomes {}: Anthropic requires an object,
 * and the client's schema validation then tells the model which parameters are missing so it can
 * retry. Some servers send the arguments already as an object; that is accepted as is.
 */
export function parseToolArguments(raw: unknown): Record<string, unknown> {
  if (isRecord(raw)) return raw;
  if (typeof raw !== "string" || raw.length === 0) return {};
  try {
    const v: unknown = JSON.parse(raw);
    return isRecord(v) ? v : {};
  } catch {
    return {};
  }
}

/** HTTP status an Anthropic error type stands for (for OpenAI-side error envelopes). */
export function statusForAnthropicType(type: string): number {
  switch (type) {
    case "invalid_request_error":
      return 400;
    case "authentication_error":
      return 401;
    case "permission_error":
      return 403;
    case "not_found_error":
      return 404;
    case "request_too_large":
      return 413;
    case "rate_limit_error":
      return 429;
    case "timeout_error":
      return 504;
    case "overloaded_error":
      return 529;
    default:
      return 500;
  }
}

/** `event: error` in Anthropic SSE. */
export function anthropicErrorEvent(type: string, message: string): string {
  return `event: error\ndata: ${JSON.stringify({ type: "error", error: { type, message } })}\n\n`;
}
