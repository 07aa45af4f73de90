// An Anthropic Messages stream translated to OpenAI's chunk SSE as it arrives (AnthropicToOpenAIStream):
// text, tool calls, reasoning, errors, checked with the OpenAI SDK; and the round trip through both.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import fc from "fast-check";
import OpenAI from "openai";
import { AnthropicToOpenAIStream } from "../../gateway/src/llm/translate/anthropic-to-openai-stream.js";
import { OpenAIToAnthropicStream } from "../../gateway/src/llm/translate/openai-to-anthropic-stream.js";
import { CC_FIXTURES } from "../helpers/fixtures.js";
import { events, run, TOOL_STREAM } from "../helpers/translate-streams.js";

const FIXTURES = CC_FIXTURES;

type Json = Record<string, unknown>;

async function openAISdkFinal(sse: string) {
  const client = new OpenAI({
    apiKey: "k",
    maxRetries: 0,
    fetch: async () => new Response(sse, { headers: { "content-type": "text/event-stream" } }),
  });
  return client.chat.completions
    .stream({
      model: "m",
      messages: [{ role: "user", content: "x" }],
      stream_options: { include_usage: true },
    })
    .finalChatCompletion();
}

const A_TEXT = readFileSync(`${FIXTURES}/mock-response.text.sse.txt`, "utf8");
const A_TOOL = readFileSync(`${FIXTURES}/mock-response.tool_use.sse.txt`, "utf8");

function aEvent(data: Json): string {
  return `event: ${data.type as string}\ndata: ${JSON.stringify(data)}\n\n`;
}

describe("AnthropicToOpenAIStream", () => {
  test("text fixture -> chunks, usage chunk, [DONE]; accepted by the OpenAI SDK", async () => {
    const t = new AnthropicToOpenAIStream("gpt-client", true, 1700000000);
    const out = run(t, A_TEXT);
    const ev = events(out);
    assert.equal(ev.at(-1)!.data, "[DONE]");
    const chunks = ev.slice(0, -1).map((e) => e.data as Json);
    assert.deepEqual((chunks[0]!.choices as Json[])[0], {
      index: 0,
      delta: { role: "assistant", content: "" },
      finish_reason: null,
    });
    for (const c of chunks) {
      assert.equal(c.id, "chatcmpl-mock_ID");
      assert.equal(c.model, "gpt-client");
      assert.equal(c.object, "chat.completion.chunk");
      assert.equal(c.created, 1700000000);
    }
    const last = chunks.at(-1)!;
    assert.deepEqual(last.choices, []);
    assert.deepEqual(last.usage, {
      prompt_tokens: 57,
      completion_tokens: 17,
      total_tokens: 74,
      prompt_tokens_details: { cached_tokens: 0 },
    });
    assert.deepEqual(t.usage, {
      inputTokens: 57,
      outputTokens: 17,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    });
    const done = await openAISdkFinal(out);
    assert.equal(done.choices[0]!.message.content, "FINAL: the tool returned <echo: nonce-42>");
    assert.equal(done.choices[0]!.finish_reason, "stop");
    assert.equal(done.usage?.prompt_tokens, 57);
  });

  test("tool_use fixture -> tool_calls with streamed arguments", async () => {
    const out = run(new AnthropicToOpenAIStream("g", false), A_TOOL);
    assert.ok(!out.includes('"usage"'), "no usage chunk unless asked");
    assert.ok(out.endsWith("data: [DONE]\n\n"));
    const done = await openAISdkFinal(out);
    const m = done.choices[0]!.message;
    assert.equal(m.content, "I will call the echo tool.");
    assert.equal(done.choices[0]!.finish_reason, "tool_calls");
    assert.equal(m.tool_calls?.length, 1);
    const call = m.tool_calls![0]! as { id: string; function: { name: string; arguments: string } };
    assert.equal(call.id, "toolu_mock_ID");
    assert.equal(call.function.name, "mcp__gw__echo");
    assert.deepEqual(JSON.parse(call.function.arguments), { text: "nonce-42" });
  });

  test("thinking -> reasoning_content; no-argument tool gets {}; cache usage", () => {
    const input =
      aEvent({
        type: "message_start",
        message: {
          id: "msg_1",
          type: "message",
          role: "assistant",
          model: "claude",
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: {
            input_tokens: 10,
            output_tokens: 1,
            cache_read_input_tokens: 100,
            cache_creation_input_tokens: 20,
          },
        },
      }) +
      aEvent({
        type: "content_block_start",
        index: 0,
        content_block: { type: "thinking", thinking: "", signature: "" },
      }) +
      aEvent({ type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "hmm" } }) +
      aEvent({
        type: "content_block_delta",
        index: 0,
        delta: { type: "signature_delta", signature: "sig" },
      }) +
      aEvent({ type: "content_block_stop", index: 0 }) +
      aEvent({ type: "ping" }) +
      aEvent({
        type: "content_block_start",
        index: 1,
        content_block: { type: "tool_use", id: "t1", name: "now", input: {} },
      }) +
      aEvent({ type: "content_block_stop", index: 1 }) +
      aEvent({
        type: "message_delta",
        delta: { stop_reason: "tool_use", stop_sequence: null },
        usage: { output_tokens: 5 },
      }) +
      aEvent({ type: "message_stop" });
    const t = new AnthropicToOpenAIStream("g", true, 1);
    const chunks = events(run(t, input))
      .slice(0, -1)
      .map((e) => e.data as Json);
    const deltas = chunks.flatMap((c) => (c.choices as Array<{ delta: Json }>).map((x) => x.delta));
    assert.deepEqual(deltas, [
      { role: "assistant", content: "" },
      { reasoning_content: "hmm" },
      { tool_calls: [{ index: 0, id: "t1", type: "function", function: { name: "now", arguments: "" } }] },
      { tool_calls: [{ index: 0, function: { arguments: "{}" } }] },
      {},
    ]);
    assert.deepEqual(chunks.at(-1)!.usage, {
      prompt_tokens: 130,
      completion_tokens: 5,
      total_tokens: 135,
      prompt_tokens_details: { cached_tokens: 100, cache_write_tokens: 20 },
    });
    assert.deepEqual(t.usage, {
      inputTokens: 10,
      outputTokens: 5,
      cacheReadTokens: 100,
      cacheWriteTokens: 20,
      reasoningTokens: 0,
    });
  });

  test("error event mid-stream -> OpenAI error data, then stop", async () => {
    const cut = A_TEXT.indexOf("event: content_block_stop");
    const input = `${A_TEXT.slice(0, cut)}event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n`;
    const t = new AnthropicToOpenAIStream("g", true, 1);
    const out = run(t, input);
    const last = events(out).at(-1)!.data as { error: { message: string; type: string; code: string } };
    assert.equal(last.error.message, "Overloaded");
    assert.equal(last.error.code, "overloaded");
    assert.ok(!out.includes("[DONE]"));
    assert.equal(t.finished, true);
    assert.equal(t.push(Buffer.from(A_TEXT)), "");
    await assert.rejects(openAISdkFinal(out), /Overloaded/);
  });

  const endings: Array<[string, string]> = [
    ["ends without message_stop", A_TEXT.slice(0, A_TEXT.indexOf("event: message_stop"))],
    ["invalid JSON", `${A_TEXT.slice(0, 400)}\n\nevent: content_block_delta\ndata: {bad\n\n`],
    ["empty", ""],
  ];
  for (const [name, input] of endings) {
    test(`${name} -> one OpenAI error, no [DONE]`, () => {
      const t = new AnthropicToOpenAIStream("g", true, 1);
      const out = run(t, input);
      assert.ok(!out.includes("[DONE]"));
      const last = events(out).at(-1)!.data as Json;
      assert.ok("error" in last);
      assert.equal(out.split('"error"').length - 1, 1);
      assert.equal(t.finished, true);
    });
  }

  test("fail() emits an OpenAI error once", () => {
    const t = new AnthropicToOpenAIStream("g", true, 1);
    t.push(Buffer.from(A_TEXT.slice(0, 300)));
    const out = t.fail("upstream timed out");
    assert.deepEqual(events(out)[0]!.data, {
      error: { message: "upstream timed out", type: "api_error", param: null, code: "api_error" },
    });
    assert.equal(t.fail("x"), "");
  });

  test("split anywhere (including inside UTF-8 sequences) gives the same output", () => {
    const utf8 = A_TOOL.replace("I will call t", "Ich rufe 🛠️ t").replace(
      "he echo tool.",
      "he Wérkzeug 工具.",
    );
    for (const input of [A_TEXT, utf8, utf8.replaceAll("\n", "\r\n")]) {
      const bytes = Buffer.from(input);
      const whole = run(new AnthropicToOpenAIStream("g", true, 1), bytes);
      assert.ok(whole.endsWith("data: [DONE]\n\n"));
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 0, max: bytes.length }), { maxLength: 40 }), (cuts) => {
          assert.equal(run(new AnthropicToOpenAIStream("g", true, 1), bytes, cuts), whole);
        }),
        { numRuns: 300 },
      );
    }
  });

  test("round trip: OpenAI stream -> Anthropic -> OpenAI keeps text, tools and usage", async () => {
    const anthropic = run(new OpenAIToAnthropicStream("c", "msg_rt"), TOOL_STREAM);
    const back = run(new AnthropicToOpenAIStream("g", true, 1), anthropic);
    const done = await openAISdkFinal(back);
    const m = done.choices[0]!.message as {
      content: string;
      tool_calls: Array<{ function: { arguments: string } }>;
    };
    assert.equal(m.content, "Calling.");
    assert.deepEqual(
      m.tool_calls.map((c) => JSON.parse(c.function.arguments)),
      [{ path: "/tmp/ä" }, { d: 1 }],
    );
    assert.equal(done.choices[0]!.finish_reason, "tool_calls");
    assert.equal(done.usage?.prompt_tokens, 10);
  });
});
