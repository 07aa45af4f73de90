// OpenAI Chat Completions answer -> Anthropic message: finish reasons, content, reasoning, usage.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { openAIToAnthropicResponse } from "../../gateway/src/llm/translate/anthropic-to-openai.js";
import type { OpenAIResponse } from "../../gateway/src/llm/wire/openai.js";

function res(
  over: Partial<OpenAIResponse["choices"][number]>,
  usage?: OpenAIResponse["usage"],
): OpenAIResponse {
  const out: OpenAIResponse = {
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 1,
    model: "gpt-x",
    choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop", ...over }],
  };
  if (usage) out.usage = usage;
  return out;
}

describe("openAIToAnthropicResponse", () => {
  const reasons: Array<[OpenAIResponse["choices"][number]["finish_reason"], string]> = [
    ["stop", "end_turn"],
    ["length", "max_tokens"],
    ["tool_calls", "tool_use"],
    ["content_filter", "refusal"],
    [null, "end_turn"],
  ];
  for (const [fr, want] of reasons) {
    test(`finish_reason ${fr} -> ${want}`, () => {
      assert.equal(openAIToAnthropicResponse(res({ finish_reason: fr }), "claude").stop_reason, want);
    });
  }

  test("content, reasoning, tool calls, usage", () => {
    const out = openAIToAnthropicResponse(
      res(
        {
          message: {
            role: "assistant",
            content: "hello",
            reasoning_content: "think",
            tool_calls: [
              { id: "call_1", type: "function", function: { name: "a", arguments: '{"x":1}' } },
              { id: "call_2", type: "function", function: { name: "b", arguments: "{not json" } },
              { id: "call_3", type: "function", function: { name: "c", arguments: "" } },
            ],
          },
          finish_reason: "stop",
        },
        {
          prompt_tokens: 100,
          completion_tokens: 20,
          total_tokens: 120,
          prompt_tokens_details: { cached_tokens: 30 },
          completion_tokens_details: { reasoning_tokens: 5 },
        },
      ),
      "claude-client",
    );
    assert.equal(out.model, "claude-client");
    assert.equal(out.id, "msg_chatcmpl-1");
    assert.equal(out.stop_reason, "tool_use"); // tool calls win over a "stop"
    assert.deepEqual(out.content, [
      { type: "thinking", thinking: "think", signature: "" },
      { type: "text", text: "hello" },
      { type: "tool_use", id: "call_1", name: "a", input: { x: 1 } },
      { type: "tool_use", id: "call_2", name: "b", input: {} },
      { type: "tool_use", id: "call_3", name: "c", input: {} },
    ]);
    assert.deepEqual(out.usage, {
      input_tokens: 70,
      output_tokens: 20,
      cache_read_input_tokens: 30,
      cache_creation_input_tokens: 0,
    });
  });

  test("refusal and `reasoning` field; missing usage", () => {
    const out = openAIToAnthropicResponse(
      res({
        message: { role: "assistant", content: null, refusal: "no", reasoning: "r" },
        finish_reason: "content_filter",
      }),
      "c",
    );
    assert.deepEqual(out.content, [
      { type: "thinking", thinking: "r", signature: "" },
      { type: "text", text: "no" },
    ]);
    assert.equal(out.usage.input_tokens, 0);
  });

  test("empty choices does not throw", () => {
    const out = openAIToAnthropicResponse({ ...res({}), choices: [] }, "c");
    assert.deepEqual(out.content, []);
    assert.equal(out.stop_reason, "end_turn");
  });
});
