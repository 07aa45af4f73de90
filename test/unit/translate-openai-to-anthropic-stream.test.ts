// An OpenAI Chat Completions stream translated to Anthropic's SSE events as it arrives
// (OpenAIToAnthropicStream): event order, usage, thinking and parallel tool calls, checked with the
// Anthropic SDK.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import Anthropic from "@anthropic-ai/sdk";
import fc from "fast-check";
import { OpenAIToAnthropicStream } from "../../gateway/src/llm/translate/openai-to-anthropic-stream.js";
import { DONE, events, oaChunk, oaUsage, run, TOOL_STREAM } from "../helpers/translate-streams.js";

type Json = Record<string, unknown>;

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
