/**
 * providers.<name>.max_output_tokens caps what Claude Code asks for (64000) on every provider type
 * whose body the gateway builds, not only the OpenAI-format ones: a Gemini, Vertex or Bedrock model
 * that allows fewer output tokens would refuse the whole request.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ProviderConfig } from "../../gateway/src/config/schema.js";
import { createBedrockProvider } from "../../gateway/src/llm/providers/bedrock/index.js";
import { createGeminiProvider } from "../../gateway/src/llm/providers/gemini/index.js";
import type { Provider } from "../../gateway/src/llm/providers/provider.js";
import { createVertexProvider } from "../../gateway/src/llm/providers/vertex/index.js";
import { anthropicToGeminiRequest } from "../../gateway/src/llm/translate/anthropic-to-gemini.js";
import type { AnthropicRequest } from "../../gateway/src/llm/wire/anthropic.js";

type Json = Record<string, unknown>;

const claudeCode: AnthropicRequest = {
  model: "claude-opus-4-8",
  max_tokens: 64000,
  thinking: { type: "enabled", budget_tokens: 31999 },
  messages: [{ role: "user", content: "hi" }],
};

function sent(p: Provider, model: string, json: Json): Json {
  const ctx = { model, stream: false, sessionId: undefined, clientHeaders: {} };
  return JSON.parse(String(p.messages(ctx, { json }).body)) as Json;
}
const cfg = (c: ProviderConfig): ProviderConfig => c;
const geminiBody = () =>
  anthropicToGeminiRequest(claudeCode, { model: "gemini-2.0-flash" }) as unknown as Json;

describe("max_output_tokens on non-OpenAI providers", () => {
  test("Gemini: maxOutputTokens is capped", () => {
    const p = createGeminiProvider("g", cfg({ type: "gemini", api_key: "k", max_output_tokens: 8192 }), {});
    const body = sent(p, "gemini-2.0-flash", geminiBody());
    assert.equal((body.generationConfig as Json).maxOutputTokens, 8192);
  });

  const vertex = createVertexProvider(
    "v",
    cfg({ type: "vertex", project: "p", access_token: "t", max_output_tokens: 8192 }),
    {},
  );

  test("Vertex Gemini: maxOutputTokens is capped", () => {
    const body = sent(vertex, "gemini-2.0-flash", geminiBody());
    assert.equal((body.generationConfig as Json).maxOutputTokens, 8192);
  });

  test("Vertex and Bedrock Claude: max_tokens is capped, and the thinking budget stays below it", () => {
    const bedrock = createBedrockProvider(
      "b",
      cfg({ type: "bedrock", access_key_id: "AKIDEXAMPLE", secret_access_key: "s", max_output_tokens: 8192 }),
      {},
    );
    for (const [p, model] of [
      [vertex, "claude-3-5-sonnet-v2@20241022"],
      [bedrock, "anthropic.claude-3-5-sonnet-20241022-v2:0"],
    ] as const) {
      const body = sent(p, model, claudeCode as unknown as Json);
      assert.equal(body.max_tokens, 8192, p.name);
      assert.deepEqual(body.thinking, { type: "enabled", budget_tokens: 8191 }, p.name);
    }
    assert.equal(claudeCode.max_tokens, 64000, "the client's request is unchanged");
  });

  test("without the setting, the client's max_tokens goes as it is", () => {
    const p = createGeminiProvider("g", cfg({ type: "gemini", api_key: "k" }), {});
    assert.equal((sent(p, "gemini-2.5-pro", geminiBody()).generationConfig as Json).maxOutputTokens, 64000);
  });
});
