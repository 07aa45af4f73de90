import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  anthropicToOpenAIResponse,
  openAIToAnthropicRequest,
} from "../../gateway/src/llm/translate/openai-to-anthropic.js";
import type { AnthropicResponse } from "../../gateway/src/llm/wire/anthropic.js";
import type { OpenAIRequest } from "../../gateway/src/llm/wire/openai.js";

function req(over: Partial<OpenAIRequest>): OpenAIRequest {
  return { model: "gpt-x", messages: [{ role: "user", content: "hi" }], ...over };
}

function res(over: Partial<AnthropicResponse>): AnthropicResponse {
  return {
    id: "msg_abc",
    type: "message",
    role: "assistant",
    model: "claude-real",
    content: [{ type: "text", text: "ok" }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: { input_tokens: 10, output_tokens: 5 },
    ...over,
  };
}

describe("openAIToAnthropicRequest: messages", () => {
  test("system and developer messages -> system string", () => {
    const out = openAIToAnthropicRequest(
      req({
        messages: [
          { role: "system", content: "one" },
          { role: "developer", content: [{ type: "text", text: "two" }] },
          { role: "user", content: "q" },
        ],
      }),
      "claude",
    );
    assert.equal(out.system, "one\n\ntwo");
    assert.deepEqual(out.messages, [{ role: "user", content: "q" }]);
    assert.equal(out.model, "claude");
  });

  test("tool loop: tool_calls -> tool_use; consecutive tool messages -> one user turn", () => {
    const out = openAIToAnthropicRequest(
      req({
        messages: [
          { role: "user", content: "go" },
          {
            role: "assistant",
            content: null,
            reasoning_content: "dropped",
            tool_calls: [
              { id: "c1", type: "function", function: { name: "a", arguments: '{"x":1}' } },
              { id: "c2", type: "function", function: { name: "b", arguments: "oops" } },
            ],
          },
          { role: "tool", tool_call_id: "c1", content: "r1" },
          { role: "tool", tool_call_id: "c2", content: [{ type: "text", text: "r2" }] },
          { role: "user", content: "and then?" },
        ],
      }),
      "claude",
    );
    assert.deepEqual(out.messages, [
      { role: "user", content: "go" },
      {
        role: "assistant",
        content: [
          { type: "tool_use", id: "c1", name: "a", input: { x: 1 } },
          { type: "tool_use", id: "c2", name: "b", input: {} },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "c1", content: "r1" },
          { type: "tool_result", tool_use_id: "c2", content: "r2" },
          { type: "text", text: "and then?" },
        ],
      },
    ]);
  });

  test("images, PDFs and text files", () => {
    const out = openAIToAnthropicRequest(
      req({
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "see" },
              { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
              { type: "image_url", image_url: { url: "https://x/y.jpg", detail: "high" } },
              { type: "file", file: { filename: "a.pdf", file_data: "data:application/pdf;base64,JVBE" } },
              {
                type: "file",
                file: { file_data: `data:text/plain;base64,${Buffer.from("héllo").toString("base64")}` },
              },
              { type: "file", file: { file_id: "file-123" } },
              { type: "input_audio", input_audio: { data: "x", format: "wav" } },
            ],
          },
        ],
      }),
      "claude",
    );
    assert.deepEqual(out.messages[0]!.content, [
      { type: "text", text: "see" },
      { type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" } },
      { type: "image", source: { type: "url", url: "https://x/y.jpg" } },
      {
        type: "document",
        source: { type: "base64", media_type: "application/pdf", data: "JVBE" },
        title: "a.pdf",
      },
      { type: "document", source: { type: "text", media_type: "text/plain", data: "héllo" } },
      { type: "text", text: "[file file-123 omitted: unsupported by this model]" },
    ]);
  });

  test("empty assistant turns are skipped and same-role turns merged", () => {
    const out = openAIToAnthropicRequest(
      req({
        messages: [
          { role: "user", content: "a" },
          { role: "assistant", content: "" },
          { role: "user", content: "b" },
        ],
      }),
      "claude",
    );
    assert.deepEqual(out.messages, [
      {
        role: "user",
        content: [
          { type: "text", text: "a" },
          { type: "text", text: "b" },
        ],
      },
    ]);
  });
});

describe("openAIToAnthropicRequest: parameters", () => {
  const maxCases: Array<[Partial<OpenAIRequest>, number]> = [
    [{}, 4096],
    [{ max_tokens: 77 }, 77],
    [{ max_completion_tokens: 88, max_tokens: 77 }, 88],
  ];
  for (const [over, want] of maxCases) {
    test(`max_tokens ${JSON.stringify(over)} -> ${want}`, () => {
      assert.equal(openAIToAnthropicRequest(req(over), "c").max_tokens, want);
    });
  }

  test("stop, temperature clamp, top_p, user, stream, dropped fields", () => {
    const out = openAIToAnthropicRequest(
      req({
        stop: "END",
        temperature: 1.7,
        top_p: 0.5,
        user: "u1",
        stream: true,
        stream_options: { include_usage: true },
        n: 3,
        response_format: { type: "json_object" },
        seed: 4,
      }),
      "c",
    );
    assert.deepEqual(
      { ...out, messages: undefined },
      {
        model: "c",
        messages: undefined,
        max_tokens: 4096,
        temperature: 1,
        stop_sequences: ["END"],
        metadata: { user_id: "u1" },
        stream: true,
      },
    );
    assert.deepEqual(openAIToAnthropicRequest(req({ stop: ["a", "b"], top_p: 0.3 }), "c").stop_sequences, [
      "a",
      "b",
    ]);
    assert.equal(openAIToAnthropicRequest(req({ top_p: 0.3 }), "c").top_p, 0.3);
  });

  test("tools and tool_choice", () => {
    const tools: OpenAIRequest["tools"] = [
      {
        type: "function",
        function: { name: "a", description: "d", parameters: { type: "object" }, strict: true },
      },
      { type: "function", function: { name: "b" } },
    ];
    const base = openAIToAnthropicRequest(req({ tools }), "c");
    assert.deepEqual(base.tools, [
      { name: "a", description: "d", input_schema: { type: "object" } },
      { name: "b", input_schema: { type: "object", properties: {} } },
    ]);
    assert.equal(base.tool_choice, undefined);
    const cases: Array<[Partial<OpenAIRequest>, unknown]> = [
      [{ tool_choice: "auto" }, { type: "auto" }],
      [{ tool_choice: "required" }, { type: "any" }],
      [{ tool_choice: "none" }, { type: "none" }],
      [{ tool_choice: { type: "function", function: { name: "b" } } }, { type: "tool", name: "b" }],
      [{ parallel_tool_calls: false }, { type: "auto", disable_parallel_tool_use: true }],
      [
        { tool_choice: "required", parallel_tool_calls: false },
        { type: "any", disable_parallel_tool_use: true },
      ],
      [{ tool_choice: "none", parallel_tool_calls: false }, { type: "none" }],
    ];
    for (const [over, want] of cases) {
      assert.deepEqual(
        openAIToAnthropicRequest(req({ tools, ...over }), "c").tool_choice,
        want,
        JSON.stringify(over),
      );
    }
    assert.equal(openAIToAnthropicRequest(req({ parallel_tool_calls: false }), "c").tool_choice, undefined);
  });

  const efforts: Array<[Partial<OpenAIRequest>, unknown, number]> = [
    [{ reasoning_effort: "low" }, { type: "enabled", budget_tokens: 1024 }, 1024 + 4096],
    [{ reasoning_effort: "medium", max_tokens: 10000 }, { type: "enabled", budget_tokens: 4096 }, 10000],
    [
      { reasoning_effort: "high", max_completion_tokens: 8000 },
      { type: "enabled", budget_tokens: 4000 },
      8000,
    ],
    [{ reasoning_effort: "high", max_tokens: 1500 }, undefined, 1500],
    [{ reasoning_effort: "minimal" }, undefined, 4096],
  ];
  for (const [over, thinking, max] of efforts) {
    test(`reasoning_effort ${JSON.stringify(over)}`, () => {
      const out = openAIToAnthropicRequest(req({ ...over, temperature: 0.2 }), "c");
      assert.deepEqual(out.thinking, thinking);
      assert.equal(out.max_tokens, max);
      if (out.thinking?.type === "enabled") {
        assert.ok(out.max_tokens > out.thinking.budget_tokens);
        assert.equal(out.temperature, undefined, "thinking forbids a custom temperature");
      }
    });
  }
});

describe("anthropicToOpenAIResponse", () => {
  const reasons: Array<[AnthropicResponse["stop_reason"], string]> = [
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["max_tokens", "length"],
    ["tool_use", "tool_calls"],
    ["refusal", "content_filter"],
    ["pause_turn", "stop"],
    [null, "stop"],
  ];
  for (const [stop, want] of reasons) {
    test(`stop_reason ${stop} -> ${want}`, () => {
      assert.equal(
        anthropicToOpenAIResponse(res({ stop_reason: stop }), "gpt").choices[0]!.finish_reason,
        want,
      );
    });
  }

  test("text, thinking, tool_use, usage with cache", () => {
    const out = anthropicToOpenAIResponse(
      res({
        content: [
          { type: "thinking", thinking: "hmm", signature: "s" },
          { type: "text", text: "a" },
          { type: "text", text: "b" },
          { type: "tool_use", id: "toolu_1", name: "f", input: { q: "x" } },
        ],
        stop_reason: "tool_use",
        usage: {
          input_tokens: 10,
          output_tokens: 5,
          cache_read_input_tokens: 100,
          cache_creation_input_tokens: 20,
        },
      }),
      "gpt-client",
    );
    assert.equal(out.model, "gpt-client");
    assert.equal(out.id, "chatcmpl-abc");
    assert.equal(out.object, "chat.completion");
    assert.deepEqual(out.choices[0]!.message, {
      role: "assistant",
      content: "ab",
      tool_calls: [{ id: "toolu_1", type: "function", function: { name: "f", arguments: '{"q":"x"}' } }],
      reasoning_content: "hmm",
    });
    assert.deepEqual(out.usage, {
      prompt_tokens: 130,
      completion_tokens: 5,
      total_tokens: 135,
      prompt_tokens_details: { cached_tokens: 100, cache_write_tokens: 20 },
    });
  });

  test("tool-only answer has content null", () => {
    const out = anthropicToOpenAIResponse(
      res({ content: [{ type: "tool_use", id: "t", name: "f", input: {} }], stop_reason: "tool_use" }),
      "g",
    );
    assert.equal(out.choices[0]!.message.content, null);
    assert.equal(out.choices[0]!.message.tool_calls![0]!.function.arguments, "{}");
  });
});
