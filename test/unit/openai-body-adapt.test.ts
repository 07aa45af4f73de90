/**
 * What a translated Claude Code request looks like once an OpenAI-format provider adapts it to the
 * server it talks to (OpenAI itself, Azure, an OpenAI-compatible server).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ProviderConfig } from "../../gateway/src/config/schema.js";
import { createAzureProvider } from "../../gateway/src/llm/providers/azure/index.js";
import { adaptOpenAIBody, createOpenAIProvider } from "../../gateway/src/llm/providers/openai/index.js";
import type { Provider } from "../../gateway/src/llm/providers/provider.js";
import { anthropicToOpenAIRequest } from "../../gateway/src/llm/translate/anthropic-to-openai.js";
import type { AnthropicRequest } from "../../gateway/src/llm/wire/anthropic.js";

/** A conversation that started on Claude (signed thinking in its history) and moved to another model. */
const switched: AnthropicRequest = {
  model: "openai/gpt-5",
  max_tokens: 1000,
  messages: [
    { role: "user", content: "list files" },
    {
      role: "assistant",
      content: [
        { type: "thinking", thinking: "I should run ls.", signature: "EqQBCkYIBxgCKkB..." },
        { type: "tool_use", id: "toolu_1", name: "Bash", input: { command: "ls" } },
      ],
    },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "a.ts" }] },
  ],
};

function assistantOf(provider: Provider, model: string): Record<string, unknown> {
  const json = anthropicToOpenAIRequest(switched, model) as unknown as Record<string, unknown>;
  const ctx = { model, stream: false, sessionId: undefined, clientHeaders: {} };
  const body = JSON.parse(String(provider.messages(ctx, { json }).body)) as Record<string, unknown>;
  const messages = body.messages as Array<Record<string, unknown>>;
  return messages.find((m) => m.role === "assistant")!;
}

const cfg = (c: ProviderConfig): ProviderConfig => c;

describe("reasoning in the history sent to an OpenAI-format server", () => {
  test("OpenAI and Azure never get reasoning_content on a message (they reject unknown message fields)", () => {
    const providers = [
      createOpenAIProvider("openai", cfg({ type: "openai", api_key: "sk-x" }), {}),
      createAzureProvider(
        "azure",
        cfg({ type: "azure", api_key: "k", base_url: "https://r.openai.azure.com" }),
        {},
      ),
    ];
    for (const p of providers) {
      const msg = assistantOf(p, "gpt-5");
      assert.equal("reasoning_content" in msg, false, p.name);
      assert.equal((msg.tool_calls as unknown[]).length, 1, "the tool call itself stays");
    }
  });

  test("an OpenAI-compatible server gets its reasoning back (DeepSeek requires it in thinking mode)", () => {
    const local = cfg({ type: "openai-compatible", base_url: "http://127.0.0.1:1/v1" });
    const msg = assistantOf(createOpenAIProvider("deepseek", local, {}), "deepseek-v4");
    assert.equal(msg.reasoning_content, "I should run ls.");
  });

  test("the client's body is not changed", () => {
    const json = anthropicToOpenAIRequest(switched, "gpt-5") as unknown as Record<string, unknown>;
    const before = JSON.stringify(json);
    adaptOpenAIBody({ json }, { type: "openai" }, "gpt-5");
    assert.equal(JSON.stringify(json), before);
  });
});

describe("sampling settings and stop sequences for OpenAI itself", () => {
  const req: AnthropicRequest = {
    model: "m",
    max_tokens: 100,
    temperature: 0,
    top_p: 0.9,
    stop_sequences: ["a", "b", "c", "d", "e"],
    messages: [{ role: "user", content: "hi" }],
  };
  const adapted = (type: "openai" | "openai-compatible", model: string) =>
    adaptOpenAIBody(
      { json: anthropicToOpenAIRequest(req, model) as unknown as Record<string, unknown> },
      type === "openai" ? { type } : { type, base_url: "http://127.0.0.1:1/v1" },
      model,
    ).json;

  test("a reasoning model gets no temperature, top_p or stop (it would refuse the request)", () => {
    for (const model of ["o3", "o4-mini", "gpt-5", "gpt-5-mini"]) {
      const body = adapted("openai", model);
      assert.deepEqual([body.temperature, body.top_p, body.stop], [undefined, undefined, undefined], model);
    }
  });

  test("other OpenAI models get at most 4 stop sequences; compatible servers get all of them", () => {
    const body = adapted("openai", "gpt-4.1");
    assert.deepEqual(body.stop, ["a", "b", "c", "d"]);
    assert.equal(body.temperature, 0);
    assert.deepEqual(adapted("openai-compatible", "qwen3").stop, ["a", "b", "c", "d", "e"]);
  });
});
