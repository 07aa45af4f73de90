// What the tests of the Anthropic -> OpenAI request translator share: a minimal request to vary.
import type { AnthropicRequest } from "../../gateway/src/llm/wire/anthropic.js";

/** A one-turn Anthropic request ("hi" to claude-x, 100 tokens), with `over` on top. */
export function req(over: Partial<AnthropicRequest>): AnthropicRequest {
  return { model: "claude-x", max_tokens: 100, messages: [{ role: "user", content: "hi" }], ...over };
}
