// Anthropic Messages <-> AWS Bedrock Converse: the request a Converse model gets, and the answer
// the client gets (the stream: converse-stream.test.ts).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  anthropicToConverseRequest,
  converseToAnthropicResponse,
  converseToolId,
} from "../../gateway/src/llm/translate/anthropic-to-converse.js";
import { shortToolNames } from "../../gateway/src/llm/translate/short-tool-names.js";
import type { AnthropicRequest } from "../../gateway/src/llm/wire/anthropic.js";

const req = (r: Partial<AnthropicRequest>): AnthropicRequest => ({
  model: "m",
  max_tokens: 100,
  messages: [],
  ...r,
});

describe("Anthropic -> Converse request", () => {
  test("system, billing line dropped, settings mapped, what Converse has no field for left out", () => {
    const out = anthropicToConverseRequest(
      req({
        system: [
          { type: "text", text: "x-anthropic-billing-header: cc_version=2" },
          { type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } },
        ],
        messages: [{ role: "user", content: "hi" }],
        temperature: 0.2,
        top_p: 0.9,
        top_k: 5,
        stop_sequences: ["END"],
        thinking: { type: "enabled", budget_tokens: 2000 },
      }),
    );
    assert.deepEqual(out, {
      system: [{ text: "Be brief." }],
      messages: [{ role: "user", content: [{ text: "hi" }] }],
      inferenceConfig: { maxTokens: 100, temperature: 0.2, topP: 0.9, stopSequences: ["END"] },
    });
  });

  test("turns merge by role, blank text and earlier reasoning dropped, a late system message stays in place", () => {
    const out = anthropicToConverseRequest(
      req({
        messages: [
          { role: "system", content: "Early rule." },
          { role: "user", content: "one" },
          {
            role: "user",
            content: [
              { type: "text", text: "  " },
              { type: "text", text: "two" },
            ],
          },
          {
            role: "assistant",
            content: [
              { type: "thinking", thinking: "hmm", signature: "claude-sig" },
              { type: "redacted_thinking", data: "xx" },
              { type: "text", text: "three" },
            ],
          },
          { role: "system", content: "Late rule." },
        ],
      }),
    );
    assert.deepEqual(out.system, [{ text: "Early rule." }]);
    assert.deepEqual(out.messages, [
      { role: "user", content: [{ text: "one" }, { text: "two" }] },
      { role: "assistant", content: [{ text: "three" }] },
      { role: "user", content: [{ text: "<system>\nLate rule.\n</system>" }] },
    ]);
  });

  test("tool calls and results: ids Converse refuses derived the same on both sides, empty and failed results", () => {
    const longId = `toolu_${"x".repeat(60)}__gsig_abc+/=`;
    const out = anthropicToConverseRequest(
      req({
        messages: [
          { role: "user", content: "go" },
          {
            role: "assistant",
            content: [
              { type: "tool_use", id: longId, name: "Bash", input: { command: "true" } },
              { type: "tool_use", id: "toolu_2", name: "Read", input: "not an object" },
            ],
          },
          {
            role: "user",
            content: [
              { type: "tool_result", tool_use_id: longId, content: "" },
              {
                type: "tool_result",
                tool_use_id: "toolu_2",
                content: [{ type: "text", text: "no" }],
                is_error: true,
              },
            ],
          },
        ],
      }),
    );
    const id = converseToolId(longId);
    assert.match(id, /^tooluse_[0-9a-f]{16}$/);
    assert.equal(converseToolId("toolu_2"), "toolu_2");
    assert.deepEqual(out.messages[1]!.content, [
      { toolUse: { toolUseId: id, name: "Bash", input: { command: "true" } } },
      { toolUse: { toolUseId: "toolu_2", name: "Read", input: {} } },
    ]);
    assert.deepEqual(out.messages[2]!.content, [
      { toolResult: { toolUseId: id, content: [{ text: "(no output)" }], status: "success" } },
      { toolResult: { toolUseId: "toolu_2", content: [{ text: "no" }], status: "error" } },
    ]);
    // No tools declared, but calls in the history: Converse needs a toolConfig naming them.
    assert.deepEqual(
      out.toolConfig?.tools.map((t) => t.toolSpec.name),
      ["Bash", "Read"],
    );
  });

  test("tools, tool_choice, long names shortened, server tools and tool_choice none left out", () => {
    const long = `mcp__server__${"t".repeat(70)}`;
    const r = req({
      messages: [{ role: "user", content: "x" }],
      tools: [
        { name: "get_weather", description: "Weather", input_schema: { type: "object", properties: {} } },
        { name: long, input_schema: { type: "object" } },
        { name: "web_search", type: "web_search_20250305" },
      ],
      tool_choice: { type: "tool", name: long },
    });
    const names = shortToolNames([long, "get_weather"]);
    const out = anthropicToConverseRequest(r, names);
    const short = names!.toShort(long);
    assert.ok(short.length <= 64);
    assert.deepEqual(out.toolConfig, {
      tools: [
        {
          toolSpec: {
            name: "get_weather",
            description: "Weather",
            inputSchema: { json: { type: "object", properties: {} } },
          },
        },
        { toolSpec: { name: short, inputSchema: { json: { type: "object" } } } },
      ],
      toolChoice: { tool: { name: short } },
    });
    assert.deepEqual(
      anthropicToConverseRequest({ ...r, tool_choice: { type: "any" } }).toolConfig?.toolChoice,
      {
        any: {},
      },
    );
    assert.equal(
      anthropicToConverseRequest({ ...r, tool_choice: { type: "none" } }).toolConfig?.toolChoice,
      undefined,
    );
  });

  test("images and documents as bytes; by URL, or of a kind Converse lacks, refused with a sentence", () => {
    const out = anthropicToConverseRequest(
      req({
        messages: [
          {
            role: "user",
            content: [
              { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBO" } },
              {
                type: "document",
                source: { type: "base64", media_type: "application/pdf", data: "JVBE" },
                title: "Q3: report!",
              },
              {
                type: "document",
                source: { type: "text", media_type: "text/plain", data: "notes" },
                title: "N",
              },
            ],
          },
        ],
      }),
    );
    assert.deepEqual(out.messages[0]!.content, [
      { image: { format: "png", source: { bytes: "iVBO" } } },
      { document: { format: "pdf", name: "Q3 report document-1", source: { bytes: "JVBE" } } },
      { text: "N\n\nnotes" },
    ]);
    const url = req({
      messages: [
        { role: "user", content: [{ type: "image", source: { type: "url", url: "https://x/a.png" } }] },
      ],
    });
    assert.throws(() => anthropicToConverseRequest(url), /takes images as bytes, not by URL/);
    const tiff = req({
      messages: [
        {
          role: "user",
          content: [{ type: "image", source: { type: "base64", media_type: "image/tiff", data: "x" } }],
        },
      ],
    });
    assert.throws(() => anthropicToConverseRequest(tiff), /png, jpeg, gif or webp/);
  });
});

describe("Converse -> Anthropic answer", () => {
  test("text, reasoning unsigned, tool calls with restored names, usage", () => {
    const long = `mcp__server__${"t".repeat(70)}`;
    const names = shortToolNames([long]);
    const res = converseToAnthropicResponse(
      {
        output: {
          message: {
            role: "assistant",
            content: [
              { reasoningContent: { reasoningText: { text: "think", signature: "s" } } },
              { reasoningContent: { redactedContent: "AAAA" } },
              { text: "Hello" },
              { text: " there" },
              { toolUse: { toolUseId: "tooluse_1", name: names!.toShort(long), input: { a: 1 } } },
            ],
          },
        },
        stopReason: "tool_use",
        usage: { inputTokens: 10, outputTokens: 5, totalTokens: 18, cacheReadInputTokens: 3 },
      },
      "client-model",
      names,
    );
    assert.equal(res.model, "client-model");
    assert.deepEqual(res.content, [
      { type: "thinking", thinking: "think", signature: "" },
      { type: "text", text: "Hello there" },
      { type: "tool_use", id: "tooluse_1", name: long, input: { a: 1 } },
    ]);
    assert.equal(res.stop_reason, "tool_use");
    assert.deepEqual(res.usage, {
      input_tokens: 10,
      output_tokens: 5,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 3,
    });
  });

  test("stop reasons: a guardrail is a refusal, a full context window is max_tokens", () => {
    const stop = (r: string) => converseToAnthropicResponse({ stopReason: r }, "m").stop_reason;
    assert.equal(stop("guardrail_intervened"), "refusal");
    assert.equal(stop("content_filtered"), "refusal");
    assert.equal(stop("model_context_window_exceeded"), "max_tokens");
    assert.equal(stop("stop_sequence"), "stop_sequence");
    assert.equal(stop("end_turn"), "end_turn");
  });
});
