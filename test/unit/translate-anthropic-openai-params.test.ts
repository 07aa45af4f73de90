// Anthropic -> OpenAI Chat Completions request: tools, tool_choice, sampling and reasoning settings.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { anthropicToOpenAIRequest } from "../../gateway/src/llm/translate/anthropic-to-openai.js";
import type { AnthropicRequest } from "../../gateway/src/llm/wire/anthropic.js";
import { req } from "../helpers/translate-openai.js";

describe("anthropicToOpenAIRequest: parameters", () => {
  test("tools: $schema stripped, server tools dropped, input not mutated", () => {
    const schema = { $schema: "http://json-schema.org/draft-07/schema#", type: "object", properties: {} };
    const r = req({
      tools: [
        { name: "echo", description: "e", input_schema: schema },
        { name: "web_search", type: "web_search_20250305" },
        { name: "bash", type: "bash_20250124" },
        { name: "bare" },
      ],
      tool_choice: { type: "tool", name: "echo", disable_parallel_tool_use: true },
    });
    const out = anthropicToOpenAIRequest(r, "m");
    assert.deepEqual(out.tools, [
      {
        type: "function",
        function: { name: "echo", description: "e", parameters: { type: "object", properties: {} } },
      },
      { type: "function", function: { name: "bare", parameters: { type: "object", properties: {} } } },
    ]);
    assert.deepEqual(out.tool_choice, { type: "function", function: { name: "echo" } });
    assert.equal(out.parallel_tool_calls, false);
    assert.equal(schema.$schema, "http://json-schema.org/draft-07/schema#");
  });

  const choices: Array<[NonNullable<AnthropicRequest["tool_choice"]>, unknown]> = [
    [{ type: "auto" }, "auto"],
    [{ type: "any" }, "required"],
    [{ type: "none" }, "none"],
  ];
  for (const [choice, want] of choices) {
    test(`tool_choice ${choice.type}`, () => {
      const out = anthropicToOpenAIRequest(req({ tools: [{ name: "t" }], tool_choice: choice }), "m");
      assert.equal(out.tool_choice, want);
      assert.equal(out.parallel_tool_calls, undefined);
    });
  }

  test("no tools left -> no tool_choice / parallel_tool_calls", () => {
    const out = anthropicToOpenAIRequest(
      req({
        tools: [{ name: "ws", type: "web_search_20250305" }],
        tool_choice: { type: "auto", disable_parallel_tool_use: true },
      }),
      "m",
    );
    assert.equal(out.tools, undefined);
    assert.equal(out.tool_choice, undefined);
    assert.equal(out.parallel_tool_calls, undefined);
  });

  test("sampling, stop, max_tokens, stream, dropped fields", () => {
    const out = anthropicToOpenAIRequest(
      req({
        max_tokens: 321,
        temperature: 0.3,
        top_p: 0.9,
        top_k: 5,
        stop_sequences: ["END"],
        stream: true,
        metadata: { user_id: '{"device_id":"abc"}' },
        context_management: { edits: [] },
        unknown_field: 1,
      }),
      "target",
    );
    assert.deepEqual(
      { ...out, messages: undefined },
      {
        model: "target",
        messages: undefined,
        max_tokens: 321,
        temperature: 0.3,
        top_p: 0.9,
        stop: ["END"],
        stream: true,
        stream_options: { include_usage: true },
      },
    );
  });

  const efforts: Array<[string, Partial<AnthropicRequest>, string | undefined]> = [
    ["enabled 1024", { thinking: { type: "enabled", budget_tokens: 1024 } }, "low"],
    ["enabled 4096", { thinking: { type: "enabled", budget_tokens: 4096 } }, "medium"],
    ["enabled 16384", { thinking: { type: "enabled", budget_tokens: 16384 } }, "high"],
    ["adaptive, no effort", { thinking: { type: "adaptive" } }, undefined],
    ["adaptive + effort high", { thinking: { type: "adaptive" }, output_config: { effort: "high" } }, "high"],
    ["adaptive + effort max", { thinking: { type: "adaptive" }, output_config: { effort: "max" } }, "high"],
    [
      "effort overrides budget",
      { thinking: { type: "enabled", budget_tokens: 30000 }, output_config: { effort: "low" } },
      "low",
    ],
    ["disabled", { thinking: { type: "disabled" }, output_config: { effort: "high" } }, undefined],
    ["none", {}, undefined],
  ];
  for (const [name, over, want] of efforts) {
    test(`reasoning_effort: ${name}`, () => {
      assert.equal(anthropicToOpenAIRequest(req(over), "m").reasoning_effort, want);
    });
  }
});
