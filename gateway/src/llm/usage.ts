/** Token usage as the gateway records it, whatever the provider's wire format. */
export interface Usage {
  /** Input tokens NOT read from or written to the cache (Anthropic's `input_tokens`). */
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** Reasoning tokens, already included in outputTokens. */
  reasoningTokens: number;
}

export function emptyUsage(): Usage {
  return { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
}
