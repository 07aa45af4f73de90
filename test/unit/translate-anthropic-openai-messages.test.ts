// Anthropic -> OpenAI Chat Completions request: the system prompt and the messages' content.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { anthropicToOpenAIRequest } from "../../gateway/src/llm/translate/anthropic-to-openai.js";
import type { AnthropicRequest } from "../../gateway/src/llm/wire/anthropic.js";
import type { OpenAIMessage } from "../../gateway/src/llm/wire/openai.js";
import { req } from "../helpers/translate-openai.js";

describe("anthropicToOpenAIRequest: system", () => {
  const cases: Array<[string, AnthropicRequest["system"], string | undefined]> = [
    ["string", "be brief", "be brief"],
    [
      "blocks joined, cache_control dropped",
      [
        { type: "text", text: "a" },
        { type: "text", text: "b", cache_control: { type: "ephemeral" } },
      ],
      "a\n\nb",
    ],
    [
      "Claude Code billing header dropped",
      [
        { type: "text", text: "x-anthropic-billing-header: cc_version=2.1.197.b97;" },
        { type: "text", text: "You are Claude Code" },
      ],
      "You are Claude Code",
    ],
    ["absent", undefined, undefined],
  ];
  for (const [name, system, want] of cases) {
    test(name, () => {
      const out = anthropicToOpenAIRequest(req({ system }), "gpt-x");
      const first = out.messages[0]!;
      if (want === undefined) assert.equal(first.role, "user");
      else assert.deepEqual(first, { role: "system", content: want });
      assert.ok(!JSON.stringify(out).includes("cache_control"));
    });
  }

  test("role:system messages inside messages stay in place", () => {
    const out = anthropicToOpenAIRequest(
      req({
        messages: [
          { role: "user", content: "q" },
          { role: "system", content: "reminder" },
          { role: "assistant", content: "a" },
        ],
      }),
      "m",
    );
    assert.deepEqual(
      out.messages.map((m) => m.role),
      ["user", "system", "assistant"],
    );
    assert.equal(out.messages[1]!.content, "reminder");
  });
});

describe("anthropicToOpenAIRequest: content", () => {
  test("user blocks: text-only collapses to a string; image and PDF become parts", () => {
    const out = anthropicToOpenAIRequest(
      req({
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "a" },
              { type: "text", text: "b" },
            ],
          },
          { role: "assistant", content: "ok" },
          {
            role: "user",
            content: [
              { type: "text", text: "look" },
              { type: "image", source: { type: "base64", media_type: "image/png", data: "AAA" } },
              { type: "image", source: { type: "url", url: "https://x/y.png" } },
              { type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBE" } },
              {
                type: "document",
                title: "notes",
                source: { type: "text", media_type: "text/plain", data: "hello" },
              },
            ],
          },
        ],
      }),
      "m",
    );
    assert.equal(out.messages[0]!.content, "a\n\nb");
    assert.deepEqual(out.messages[2]!.content, [
      { type: "text", text: "look" },
      { type: "image_url", image_url: { url: "data:image/png;base64,AAA" } },
      { type: "image_url", image_url: { url: "https://x/y.png" } },
      { type: "file", file: { filename: "document-3.pdf", file_data: "data:application/pdf;base64,JVBE" } },
      { type: "text", text: "notes\n\nhello" },
    ]);
  });

  test("assistant: text, tool_use -> tool_calls, thinking -> reasoning_content, signatures dropped", () => {
    const out = anthropicToOpenAIRequest(
      req({
        messages: [
          { role: "user", content: "go" },
          {
            role: "assistant",
            content: [
              { type: "thinking", thinking: "hmm", signature: "sig" },
              { type: "redacted_thinking", data: "xyz" },
              { type: "text", text: "calling" },
              { type: "tool_use", id: "toolu_1", name: "Read", input: { path: "/a" } },
            ],
          },
        ],
      }),
      "m",
    );
    assert.deepEqual(out.messages[1], {
      role: "assistant",
      content: "calling",
      tool_calls: [
        { id: "toolu_1", type: "function", function: { name: "Read", arguments: '{"path":"/a"}' } },
      ],
      reasoning_content: "hmm",
    });
    assert.ok(!JSON.stringify(out).includes("sig"));
  });

  test("assistant with only tool calls has content null", () => {
    const out = anthropicToOpenAIRequest(
      req({
        messages: [{ role: "assistant", content: [{ type: "tool_use", id: "t", name: "n", input: {} }] }],
      }),
      "m",
    );
    const a = out.messages[0] as Extract<OpenAIMessage, { role: "assistant" }>;
    assert.equal(a.content, null);
    assert.equal(a.tool_calls![0]!.function.arguments, "{}");
  });

  test("tool results become tool messages, before the turn's text; errors and images handled", () => {
    const out = anthropicToOpenAIRequest(
      req({
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "after" },
              { type: "tool_result", tool_use_id: "t1", content: "one" },
              {
                type: "tool_result",
                tool_use_id: "t2",
                is_error: true,
                content: [
                  { type: "text", text: "bad" },
                  { type: "text", text: "worse" },
                ],
              },
              {
                type: "tool_result",
                tool_use_id: "t3",
                content: [
                  { type: "text", text: "shot" },
                  { type: "image", source: { type: "base64", media_type: "image/jpeg", data: "QQ" } },
                ],
              },
            ],
          },
        ],
      }),
      "m",
    );
    assert.deepEqual(out.messages.slice(0, 3), [
      { role: "tool", tool_call_id: "t1", content: "one" },
      { role: "tool", tool_call_id: "t2", content: "Error: bad\n\nworse" },
      { role: "tool", tool_call_id: "t3", content: "shot" },
    ]);
    assert.deepEqual(out.messages[3], {
      role: "user",
      content: [
        { type: "text", text: "Attachments returned by tool call t3:" },
        { type: "image_url", image_url: { url: "data:image/jpeg;base64,QQ" } },
        { type: "text", text: "after" },
      ],
    });
    assert.equal(out.messages.length, 4);
  });

  test("a turn of only tool results adds no empty user message", () => {
    const out = anthropicToOpenAIRequest(
      req({
        messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t", is_error: true }] }],
      }),
      "m",
    );
    assert.deepEqual(out.messages, [{ role: "tool", tool_call_id: "t", content: "Error" }]);
  });
});
