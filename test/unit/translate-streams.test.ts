import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import Anthropic from "@anthropic-ai/sdk";
import fc from "fast-check";
import OpenAI from "openai";
import { AnthropicToOpenAIStream } from "../../gateway/src/llm/translate/anthropic-to-openai-stream.js";
import { OpenAIToAnthropicStream } from "../../gateway/src/llm/translate/openai-to-anthropic-stream.js";
import { SseParser } from "../../gateway/src/llm/translate/sse.js";
import type { StreamTranslator } from "../../gateway/src/llm/translate/types.js";
import { CC_FIXTURES } from "../helpers/fixtures.js";

const FIXTURES = CC_FIXTURES;

type Json = Record<string, unknown>;

/** OpenAI chunk SSE from a list of choice deltas (+ optional finish and trailing usage chunk). */
function oaChunk(delta: Json, finish: string | null = null, extra: Json = {}): string {
  return `data: ${JSON.stringify({
    id: "chatcmpl-1",
    object: "chat.completion.chunk",
    created: 1,
    model: "up",
    choices: [{ index: 0, delta, finish_reason: finish }],
    ...extra,
  })}\n\n`;
}
function oaUsage(usage: Json): string {
  return `data: ${JSON.stringify({ id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "up", choices: [], usage })}\n\n`;
}
const DONE = "data: [DONE]\n\n";

function run(t: StreamTranslator, input: string | Buffer, cuts: number[] = []): string {
  const bytes = typeof input === "string" ? Buffer.from(input) : input;
  let out = "";
  let prev = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    out += t.push(bytes.subarray(prev, c));
    prev = c;
  }
  out += t.push(bytes.subarray(prev));
  return out + t.end();
}

function events(sse: string): Array<{ event: string; data: Json | string }> {
  const p = new SseParser();
  return [...p.push(sse), ...p.end()].map((e) => {
    let data: Json | string = e.data;
    try {
      data = JSON.parse(e.data) as Json;
    } catch {
      /* [DONE] */
    }
    return { event: e.event, data };
  });
}

const names = (sse: string) => events(sse).map((e) => e.event);

/** Feeds `sse` to the real Anthropic SDK as an HTTP response and returns its final message. */
async function anthropicSdkFinal(sse: string) {
  const client = new Anthropic({
    apiKey: "k",
    maxRetries: 0,
    fetch: async () => new Response(sse, { headers: { "content-type": "text/event-stream" } }),
  });
  return client.messages
    .stream({ model: "m", max_tokens: 10, messages: [{ role: "user", content: "x" }] })
    .finalMessage();
}

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

const TEXT_STREAM =
  oaChunk({ role: "assistant", content: "" }) +
  oaChunk({ content: "Héllo " }) +
  oaChunk({ content: "wörld 🌍 你好" }) +
  oaChunk({}, "stop") +
  oaUsage({
    prompt_tokens: 100,
    completion_tokens: 20,
    total_tokens: 120,
    prompt_tokens_details: { cached_tokens: 40 },
    completion_tokens_details: { reasoning_tokens: 7 },
  }) +
  DONE;

const TOOL_STREAM =
  oaChunk({ role: "assistant", reasoning_content: "let me think" }) +
  oaChunk({ reasoning: " more" }) +
  oaChunk({ content: "Calling." }) +
  oaChunk({
    tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "Read", arguments: "" } }],
  }) +
  oaChunk({ tool_calls: [{ index: 0, function: { arguments: '{"path":' } }] }) +
  oaChunk({ tool_calls: [{ index: 0, function: { arguments: '"/tmp/ä"}' } }] }) +
  oaChunk({
    tool_calls: [
      { index: 1, id: "call_b", type: "function", function: { name: "Ls", arguments: '{"d":1}' } },
    ],
  }) +
  oaChunk({}, "tool_calls") +
  oaUsage({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 }) +
  DONE;

describe("OpenAIToAnthropicStream", () => {
  test("text stream: event sequence, usage in gateway terms, accepted by the Anthropic SDK", async () => {
    const t = new OpenAIToAnthropicStream("claude-client", "msg_test");
    const out = run(t, TEXT_STREAM);
    assert.deepEqual(names(out), [
      "message_start",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    const ev = events(out);
    assert.deepEqual(ev[5]!.data, {
      type: "message_delta",
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: {
        input_tokens: 60,
        output_tokens: 20,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 40,
      },
    });
    assert.deepEqual(t.usage, {
      inputTokens: 60,
      outputTokens: 20,
      cacheReadTokens: 40,
      cacheWriteTokens: 0,
      reasoningTokens: 7,
    });
    assert.equal(t.finished, true);
    const msg = await anthropicSdkFinal(out);
    assert.equal(msg.id, "msg_test");
    assert.equal(msg.model, "claude-client");
    assert.deepEqual(msg.content, [{ type: "text", text: "Héllo wörld 🌍 你好" }]);
    assert.equal(msg.usage.input_tokens, 60);
    assert.equal(msg.usage.cache_read_input_tokens, 40);
  });

  test("thinking, text and parallel tool calls become ordered blocks", async () => {
    const out = run(new OpenAIToAnthropicStream("c", "msg_t"), TOOL_STREAM);
    const msg = await anthropicSdkFinal(out);
    assert.equal(msg.stop_reason, "tool_use");
    assert.deepEqual(msg.content, [
      { type: "thinking", thinking: "let me think more", signature: "" },
      { type: "text", text: "Calling." },
      { type: "tool_use", id: "call_a", name: "Read", input: { path: "/tmp/ä" } },
      { type: "tool_use", id: "call_b", name: "Ls", input: { d: 1 } },
    ]);
    const starts = events(out).filter((e) => e.event === "content_block_start");
    assert.deepEqual(
      starts.map((e) => (e.data as Json).index),
      [0, 1, 2, 3],
    );
  });

  test("events are emitted as soon as their input arrives", () => {
    const t = new OpenAIToAnthropicStream("c", "msg_t");
    const first = t.push(Buffer.from(oaChunk({ role: "assistant", content: "Hi" })));
    assert.deepEqual(names(first), ["message_start", "content_block_start", "content_block_delta"]);
    const second = t.push(Buffer.from(oaChunk({}, "stop")));
    assert.deepEqual(names(second), ["content_block_stop"], "message_delta waits for the usage chunk");
    const third = t.push(Buffer.from(oaUsage({ prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 })));
    assert.deepEqual(names(third), ["message_delta", "message_stop"]);
    assert.equal(t.push(Buffer.from(DONE)), "");
    assert.equal(t.end(), "");
  });

  test("usage on the finish chunk finalizes at once", () => {
    const t = new OpenAIToAnthropicStream("c", "msg_t");
    const out = t.push(
      Buffer.from(
        oaChunk({ content: "x" }, "length", {
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }),
      ),
    );
    assert.deepEqual(names(out).slice(-2), ["message_delta", "message_stop"]);
    assert.equal((events(out).at(-2)!.data as Json & { delta: Json }).delta.stop_reason, "max_tokens");
  });

  const endings: Array<[string, string, string[], string | undefined]> = [
    [
      "finish without usage or [DONE] completes",
      oaChunk({ content: "x" }, "stop"),
      ["message_delta", "message_stop"],
      undefined,
    ],
    [
      "[DONE] without finish_reason completes",
      oaChunk({ content: "x" }) + DONE,
      ["message_delta", "message_stop"],
      undefined,
    ],
    ["no finish_reason and no [DONE] is an error", oaChunk({ content: "x" }), ["error"], "api_error"],
    ["empty stream is an error", "", ["error"], "api_error"],
    [
      "invalid JSON is an error",
      `${oaChunk({ content: "x" })}data: {nope\n\n${oaChunk({ content: "y" })}`,
      ["error"],
      "api_error",
    ],
    [
      "upstream error object is an error",
      `${oaChunk({ content: "x" })}data: {"error":{"message":"boom","type":"overloaded_error"}}\n\n`,
      ["error"],
      "overloaded_error",
    ],
  ];
  for (const [name, input, tail, errType] of endings) {
    test(name, () => {
      const t = new OpenAIToAnthropicStream("c", "msg_t");
      const out = run(t, input);
      const n = names(out);
      assert.deepEqual(n.slice(-tail.length), tail);
      assert.equal(
        n.filter((e) => e === "error" || e === "message_stop").length,
        1,
        "exactly one terminal event",
      );
      if (errType) {
        const err = events(out).at(-1)!.data as { error: { type: string; message: string } };
        assert.equal(err.error.type, errType);
        assert.ok(err.error.message.length > 0);
      }
      assert.equal(t.finished, true);
      assert.equal(t.push(Buffer.from(oaChunk({ content: "late" }))), "");
    });
  }

  test("fail() emits one error event, then nothing", () => {
    const t = new OpenAIToAnthropicStream("c", "msg_t");
    t.push(Buffer.from(oaChunk({ content: "x" })));
    const out = t.fail("connection reset");
    assert.deepEqual(events(out), [
      { event: "error", data: { type: "error", error: { type: "api_error", message: "connection reset" } } },
    ]);
    assert.equal(t.fail("again"), "");
    assert.equal(t.end(), "");
  });

  test("tool name arriving after argument fragments; ids generated; stop with tool calls is tool_use", async () => {
    const input =
      oaChunk({ tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] }) +
      oaChunk({ tool_calls: [{ index: 0, function: { name: "f", arguments: "1}" } }] }) +
      oaChunk({ tool_calls: [{ index: 1, function: { name: "g", arguments: "" } }] }) +
      oaChunk({}, "stop") +
      DONE;
    const msg = await anthropicSdkFinal(run(new OpenAIToAnthropicStream("c", "msg_x"), input));
    assert.equal(msg.stop_reason, "tool_use");
    assert.deepEqual(msg.content, [
      { type: "tool_use", id: "toolu_msg_x_0", name: "f", input: { a: 1 } },
      { type: "tool_use", id: "toolu_msg_x_1", name: "g", input: {} },
    ]);
  });

  test("split anywhere (including inside UTF-8 sequences) gives the same output", () => {
    for (const input of [TEXT_STREAM, TOOL_STREAM]) {
      const bytes = Buffer.from(input);
      const whole = run(new OpenAIToAnthropicStream("c", "msg_p"), bytes);
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 0, max: bytes.length }), { maxLength: 40 }), (cuts) => {
          assert.equal(run(new OpenAIToAnthropicStream("c", "msg_p"), bytes, cuts), whole);
        }),
        { numRuns: 300 },
      );
    }
  });

  test("property: any text split into any deltas arrives intact", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: "grapheme" }), { maxLength: 12 }),
        fc.boolean(),
        (parts, crlf) => {
          let input = parts.map((p) => oaChunk({ content: p })).join("") + oaChunk({}, "stop") + DONE;
          if (crlf) input = input.replaceAll("\n", "\r\n");
          const out = run(new OpenAIToAnthropicStream("c", "msg_p"), input);
          const text = events(out)
            .filter((e) => e.event === "content_block_delta")
            .map((e) => ((e.data as Json).delta as { text: string }).text)
            .join("");
          assert.equal(text, parts.join(""));
          assert.equal(names(out).at(-1), "message_stop");
        },
      ),
      { numRuns: 200 },
    );
  });
});

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
