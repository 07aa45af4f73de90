// The local estimate of an Anthropic request's input tokens (count_tokens without a counting endpoint).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { estimateAnthropicInputTokens } from "../../gateway/src/llm/translate/estimate-tokens.js";
import { req } from "../helpers/translate-openai.js";

describe("estimateAnthropicInputTokens", () => {
  test("about 4 chars per token, images fixed", () => {
    const base = estimateAnthropicInputTokens(
      req({ messages: [{ role: "user", content: "x".repeat(400) }] }),
    );
    assert.equal(base, 104);
    const img = estimateAnthropicInputTokens(
      req({
        messages: [
          {
            role: "user",
            content: [
              {
                type: "image",
                source: { type: "base64", media_type: "image/png", data: "A".repeat(1_000_000) },
              },
            ],
          },
        ],
      }),
    );
    assert.equal(img, 1604);
  });
});
