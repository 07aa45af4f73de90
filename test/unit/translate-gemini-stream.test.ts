// Gemini's streamed answer translated to Anthropic's SSE events as it arrives (GeminiToAnthropicStream).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import Anthropic from "@anthropic-ai/sdk";
import fc from "fast-check";
import { thoughtSignatureFromToolUseId } from "../../gateway/src/llm/translate/gemini-shared.js";
import { GeminiToAnthropicStream } from "../../gateway/src/llm/translate/gemini-to-anthropic-stream.js";
import { SseParser } from "../../gateway/src/llm/translate/sse.js";

type Json = Record<string, unknown>;

const SIG = "CiQBcsjafK0Yp3Zr+/9Uq5gE7mH2dA0xkT1Lw3g8bJd1nQ5sN9o=";

const sse = (o: unknown) => `data: ${JSON.stringify(o)}\r\n\r\n`;
const chunk = (parts: unknown[], extra: Json = {}, cand: Json = {}) =>
  sse({ candidates: [{ content: { role: "model", parts }, index: 0, ...cand }], ...extra });

const STREAM =
  chunk([{ text: "Let me ", thought: true }], {
    usageMetadata: { promptTokenCount: 1000, cachedContentTokenCount: 600 },
  }) +
  chunk([{ text: "think 🤔", thought: true }]) +
  chunk([{ text: "Héllo " }]) +
  chunk([{ text: "wörld 你好" }]) +
  chunk([
    { functionCall: { name: "Read", args: { path: "/a" } }, thoughtSignature: SIG },
    { functionCall: { name: "Bash", args: { command: "ls" } } },
  ]) +
  chunk(
    [{ text: "" }],
    {
      usageMetadata: {
        ...{ promptTokenCount: 1000, cachedContentTokenCount: 600 },
        candidatesTokenCount: 50,
        thoughtsTokenCount: 30,
      },
    },
    { finishReason: "STOP" },
  );

function run(t: GeminiToAnthropicStream, input: string, cuts: number[] = []): string {
  const bytes = Buffer.from(input);
  let out = "";
  let prev = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    out += t.push(bytes.subarray(prev, c));
    prev = c;
  }
  return out + t.push(bytes.subarray(prev)) + t.end();
}

function events(text: string): Array<{ event: string; data: Json }> {
  const p = new SseParser();
  return [...p.push(text), ...p.end()].map((e) => ({ event: e.event, data: JSON.parse(e.data) as Json }));
}

async function anthropicSdkFinal(text: string) {
  const client = new Anthropic({
    apiKey: "k",
    maxRetries: 0,
    fetch: async () => new Response(text, { headers: { "content-type": "text/event-stream" } }),
  });
  return client.messages
    .stream({ model: "m", max_tokens: 10, messages: [{ role: "user", content: "x" }] })
    .finalMessage();
}

describe("GeminiToAnthropicStream", () => {
  test("thinking, text and parallel calls, as the Anthropic SDK assembles them", async () => {
    const t = new GeminiToAnthropicStream("claude-opus-4-8", "msg_1");
    const out = run(t, STREAM);
    assert.deepEqual(
      events(out).map((e) => e.event),
      [
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
        "content_block_start",
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
      ],
    );
    const msg = await anthropicSdkFinal(out);
    assert.equal(msg.id, "msg_1");
    assert.equal(msg.model, "claude-opus-4-8");
    assert.equal(msg.stop_reason, "tool_use");
    assert.deepEqual(
      msg.content.map((b) =>
        b.type === "tool_use"
          ? [b.name, b.input]
          : b.type === "text"
            ? b.text
            : b.type === "thinking"
              ? b.thinking
              : b.type,
      ),
      ["Let me think 🤔", "Héllo wörld 你好", ["Read", { path: "/a" }], ["Bash", { command: "ls" }]],
    );
    const read = msg.content[2];
    assert.ok(read?.type === "tool_use");
    assert.equal(thoughtSignatureFromToolUseId(read.id), SIG);
    assert.equal(msg.usage.input_tokens, 400);
    assert.equal(msg.usage.cache_read_input_tokens, 600);
    assert.equal(msg.usage.output_tokens, 80);
    assert.deepEqual(t.usage, {
      inputTokens: 400,
      outputTokens: 80,
      cacheReadTokens: 600,
      cacheWriteTokens: 0,
      reasoningTokens: 30,
    });
    assert.ok(t.finished);
  });

  test("emits as it goes: the first chunk yields message_start and its text at once", () => {
    const t = new GeminiToAnthropicStream("m");
    const first = t.push(Buffer.from(chunk([{ text: "Hi" }])));
    assert.deepEqual(
      events(first).map((e) => e.event),
      ["message_start", "content_block_start", "content_block_delta"],
    );
    assert.equal(t.finished, false);
  });

  test("thought signatures on thought parts become signature deltas", () => {
    const t = new GeminiToAnthropicStream("m");
    const out = run(
      t,
      chunk([{ text: "x", thought: true, thoughtSignature: "c2ln" }]) +
        chunk([{ text: "y" }], {}, { finishReason: "STOP" }),
    );
    const sig = events(out).find((e) => (e.data.delta as Json | undefined)?.type === "signature_delta");
    assert.deepEqual(sig?.data.delta, { type: "signature_delta", signature: "gemini:c2ln" });
  });

  test("random chunk splits give identical output", () => {
    const ids = (s: string) => s.replace(/toolu_[0-9a-f]{24}/g, "toolu_X");
    const whole = ids(run(new GeminiToAnthropicStream("m", "msg_x"), STREAM));
    const bytes = Buffer.byteLength(STREAM);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: bytes }), { maxLength: 40 }), (cuts) => {
        assert.equal(ids(run(new GeminiToAnthropicStream("m", "msg_x"), STREAM, cuts)), whole);
      }),
    );
  });

  test("end without finishReason, upstream error events and fail() become Anthropic errors", () => {
    const cut = new GeminiToAnthropicStream("m");
    const out1 = run(cut, chunk([{ text: "partial" }]));
    const last1 = events(out1).at(-1);
    assert.equal(last1?.event, "error");
    assert.equal((last1?.data.error as Json | undefined)?.type, "api_error");
    assert.ok(cut.finished);

    const errored = new GeminiToAnthropicStream("m");
    const out2 = run(
      errored,
      chunk([{ text: "a" }]) +
        sse({ error: { code: 429, message: "Resource exhausted", status: "RESOURCE_EXHAUSTED" } }) +
        chunk([{ text: "ignored" }]),
    );
    const evs = events(out2);
    assert.equal(evs.at(-1)?.event, "error");
    assert.deepEqual(evs.at(-1)?.data.error, {
      type: "rate_limit_error",
      message: "gemini: Resource exhausted",
    });
    assert.equal(evs.filter((e) => e.event === "error").length, 1);

    const early = new GeminiToAnthropicStream("m");
    const out3 = run(
      early,
      sse({ error: { code: 503, message: "The model is overloaded.", status: "UNAVAILABLE" } }),
    );
    assert.deepEqual(
      events(out3).map((e) => e.event),
      ["error"],
    );
    assert.equal((events(out3)[0]?.data.error as Json | undefined)?.type, "overloaded_error");

    const failed = new GeminiToAnthropicStream("m");
    failed.push(Buffer.from(chunk([{ text: "a" }])));
    const out4 = failed.fail("upstream reset");
    assert.deepEqual(events(out4)[0]?.data, {
      type: "error",
      error: { type: "api_error", message: "upstream reset" },
    });
    assert.equal(failed.fail("again"), "");
    assert.equal(failed.end(), "");
  });

  test("a prompt blocked by safety ends with refusal; usage arriving after the finish is still counted", () => {
    const t = new GeminiToAnthropicStream("m");
    const out = run(
      t,
      sse({
        promptFeedback: { blockReason: "PROHIBITED_CONTENT" },
        usageMetadata: { promptTokenCount: 10 },
      }) + sse({ usageMetadata: { promptTokenCount: 12 } }),
    );
    const delta = events(out).find((e) => e.event === "message_delta");
    assert.equal((delta?.data.delta as Json | undefined)?.stop_reason, "refusal");
    assert.equal(events(out).at(-1)?.event, "message_stop");
    assert.equal(t.usage.inputTokens, 12);
  });
});
