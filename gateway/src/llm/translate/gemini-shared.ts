/**
 * Pieces shared by the Gemini request, response and stream translators: tool-use ids that carry
 * Gemini thought signatures, finish reasons, usage and error mapping.
 */
import { randomBytes } from "node:crypto";
import type { Usage } from "../usage.js";
import type { AnthropicStopReason, AnthropicUsage } from "../wire/anthropic.js";
import type { GeminiUsageMetadata } from "../wire/gemini.js";

/**
 * Gemini 2.5/3 attach an opaque `thoughtSignature` to functionCall parts and reject the next turn
 * (Gemini 3: HTTP 400) if it does not come back on the same part. The Anthropic wire has no field
 * for it on tool_use, so it travels inside the tool_use id, which every client must echo verbatim
 * (Claude Code pairs tool_result by it). The signature is base64; it is stored as base64url so the
 * id stays within Anthropic's `^[a-zA-Z0-9_-]+$`.
 *
 *   toolu_<24 hex>                          no signature
 *   toolu_<24 hex>__gsig_<base64url bytes>  canonical base64 signature (the normal case)
 *   toolu_<24 hex>__gsit_<base64url utf8>   any other string, kept losslessly
 */
const SIGNED_ID = /^toolu_[0-9a-f]{24}__gsi([gt])_([A-Za-z0-9_-]+)$/;

/**
 * Signatures on thought parts travel in the Anthropic thinking block's `signature`, prefixed so that
 * a signature from another provider (Claude) is never sent to Gemini, nor the reverse mistaken.
 */
export const GEMINI_THINKING_SIGNATURE_PREFIX = "gemini:";

/** Documented by Google for function calls whose history was not produced by Gemini. */
export const SKIP_THOUGHT_SIGNATURE = "skip_thought_signature_validator";

export function newToolUseId(thoughtSignature?: string): string {
  const base = `toolu_${randomBytes(12).toString("hex")}`;
  if (!thoughtSignature) return base;
  const bytes = Buffer.from(thoughtSignature, "base64");
  if (bytes.toString("base64") === thoughtSignature) return `${base}__gsig_${bytes.toString("base64url")}`;
  return `${base}__gsit_${Buffer.from(thoughtSignature, "utf8").toString("base64url")}`;
}

/** The Gemini thought signature carried in a tool_use id made by newToolUseId, if any. */
export function thoughtSignatureFromToolUseId(id: string): string | undefined {
  const m = SIGNED_ID.exec(id);
  if (!m) return undefined;
  const bytes = Buffer.from(m[2]!, "base64url");
  return m[1] === "g" ? bytes.toString("base64") : bytes.toString("utf8");
}

export function newMessageId(): string {
  return `msg_${randomBytes(12).toString("hex")}`;
}

/**
 * Gemini's finishReason when the function call the model wrote did not parse: the answer is cut
 * off, usually empty, and a call in it must not run (Google's own SDKs and agents treat it as a
 * failed turn that a retry usually gets past). Answered as an error, never as a quiet end_turn
 * that would stop Claude Code mid-task without a word.
 */
export const MALFORMED_CALL_MESSAGE =
  "the model wrote a function call Gemini could not parse (finishReason MALFORMED_FUNCTION_CALL); nothing of the answer was used: send the request again";

/** An answer with nothing usable in it; `usage`: what the provider counted (and bills) for it. */
export class UnusableAnswer extends Error {
  constructor(
    message: string,
    readonly usage: Usage,
  ) {
    super(message);
  }
}

/** Anthropic stop_reason for a Gemini finishReason (or prompt blockReason). */
export function stopReasonFor(
  finishReason: string | undefined,
  sawToolUse: boolean,
  blockReason?: string,
): AnthropicStopReason {
  if (blockReason) return "refusal";
  switch (finishReason) {
    case "MAX_TOKENS":
      return "max_tokens";
    case "SAFETY":
    case "RECITATION":
    case "PROHIBITED_CONTENT":
    case "BLOCKLIST":
    case "SPII":
    case "IMAGE_SAFETY":
      return "refusal";
    default:
      // STOP, OTHER, LANGUAGE, ...: the turn is over (MALFORMED_FUNCTION_CALL never gets here).
      return sawToolUse ? "tool_use" : "end_turn";
  }
}

function count(n: number | undefined): number {
  return typeof n === "number" && Number.isFinite(n) && n > 0 ? n : 0;
}

/** Gateway usage: input excludes cached tokens; thinking counts as output. */
export function usageFromGemini(meta: GeminiUsageMetadata | undefined): Usage {
  const prompt = count(meta?.promptTokenCount);
  const cached = Math.min(count(meta?.cachedContentTokenCount), prompt);
  const thoughts = count(meta?.thoughtsTokenCount);
  return {
    inputTokens: prompt - cached,
    outputTokens: count(meta?.candidatesTokenCount) + thoughts,
    cacheReadTokens: cached,
    cacheWriteTokens: 0,
    reasoningTokens: thoughts,
  };
}

export function anthropicUsage(u: Usage): AnthropicUsage {
  return {
    input_tokens: u.inputTokens,
    output_tokens: u.outputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: u.cacheReadTokens,
  };
}

/** Anthropic error type for a google.rpc status name (used when a stream carries an error). */
export function anthropicTypeForRpcStatus(status: string | undefined, code: number | undefined): string {
  switch (status) {
    case "INVALID_ARGUMENT":
    case "FAILED_PRECONDITION":
    case "OUT_OF_RANGE":
      return "invalid_request_error";
    case "UNAUTHENTICATED":
      return "authentication_error";
    case "PERMISSION_DENIED":
      return "permission_error";
    case "NOT_FOUND":
      return "not_found_error";
    case "RESOURCE_EXHAUSTED":
      return "rate_limit_error";
    case "UNAVAILABLE":
      return "overloaded_error";
    case "DEADLINE_EXCEEDED":
      return "timeout_error";
    default:
      if (code === 429) return "rate_limit_error";
      if (code === 503) return "overloaded_error";
      if (code === 504) return "timeout_error";
      if (code !== undefined && code >= 400 && code < 500) return "invalid_request_error";
      return "api_error";
  }
}
