// Bedrock ConverseStream's event stream turned into Anthropic SSE, and a whole Converse answer
// (a model that cannot stream tool use) sent as the stream it would have been.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConverseToAnthropicStream } from "../../gateway/src/llm/providers/bedrock/converse-stream.js";
import { encodeEventStreamFrame } from "../../gateway/src/llm/providers/bedrock/eventstream.js";
import { SseParser } from "../../gateway/src/llm/translate/sse.js";

type Json = Record<string, unknown>;

const frame = (type: string, payload: Json): Buffer =>
  encodeEventStreamFrame(
    { ":event-type": type, ":message-type": "event" },
    JSON.stringify({ ...payload, p: "abc" }),
  );

function events(text: string): Array<{ event: string; data: Json }> {
  return new SseParser()
    .push(Buffer.from(text))
    .map((e) => ({ event: e.event ?? "", data: JSON.parse(e.data) as Json }));
}

describe("ConverseStream -> Anthropic SSE", () => {
  const answer = [
    frame("messageStart", { role: "assistant" }),
    frame("contentBlockDelta", { contentBlockIndex: 0, delta: { reasoningContent: { text: "mull" } } }),
    frame("contentBlockDelta", { contentBlockIndex: 0, delta: { reasoningContent: { signature: "sig" } } }),
    frame("contentBlockStop", { contentBlockIndex: 0 }),
    frame("contentBlockDelta", { contentBlockIndex: 1, delta: { text: "Hi" } }),
    frame("contentBlockDelta", { contentBlockIndex: 1, delta: { text: " you" } }),
    frame("contentBlockStop", { contentBlockIndex: 1 }),
    frame("contentBlockStart", {
      contentBlockIndex: 2,
      start: { toolUse: { toolUseId: "tooluse_9", name: "Bash" } },
    }),
    frame("contentBlockDelta", { contentBlockIndex: 2, delta: { toolUse: { input: '{"command":' } } }),
    frame("contentBlockDelta", { contentBlockIndex: 2, delta: { toolUse: { input: '"ls"}' } } }),
    frame("contentBlockStop", { contentBlockIndex: 2 }),
    frame("messageStop", { stopReason: "tool_use" }),
    frame("metadata", {
      usage: { inputTokens: 40, outputTokens: 9, totalTokens: 49 },
      metrics: { latencyMs: 5 },
    }),
  ];

  test("blocks in order, frames split anywhere, usage at the end", () => {
    const all = Buffer.concat(answer);
    const t = new ConverseToAnthropicStream("client-model");
    let out = "";
    for (let i = 0; i < all.length; i += 7) out += t.push(all.subarray(i, i + 7));
    out += t.end();
    const ev = events(out);
    assert.deepEqual(
      ev.map((e) => e.event),
      [
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "content_block_start",
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
        "content_block_start",
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
      ],
    );
    assert.equal((ev[0]!.data.message as Json).model, "client-model");
    assert.deepEqual(ev[1]!.data.content_block, { type: "thinking", thinking: "", signature: "" });
    assert.deepEqual(ev[8]!.data.content_block, {
      type: "tool_use",
      id: "tooluse_9",
      name: "Bash",
      input: {},
    });
    const json = ev
      .filter((e) => (e.data.delta as Json | undefined)?.type === "input_json_delta")
      .map((e) => (e.data.delta as Json).partial_json)
      .join("");
    assert.deepEqual(JSON.parse(json), { command: "ls" });
    assert.deepEqual(ev[12]!.data.delta, { stop_reason: "tool_use", stop_sequence: null });
    assert.equal((ev[12]!.data.usage as Json).input_tokens, 40);
    assert.equal(t.finished, true);
    assert.deepEqual(t.usage, {
      inputTokens: 40,
      outputTokens: 9,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    });
  });

  test("a whole JSON answer (a model that cannot stream tool use) is sent as the stream it would have been", () => {
    const t = new ConverseToAnthropicStream("m");
    const body = JSON.stringify({
      output: {
        message: {
          role: "assistant",
          content: [
            { text: "Let me check." },
            { toolUse: { toolUseId: "tooluse_1", name: "Bash", input: { command: "ls" } } },
          ],
        },
      },
      stopReason: "tool_use",
      usage: { inputTokens: 12, outputTokens: 4, totalTokens: 16 },
    });
    const bytes = Buffer.from(`\n ${body}`);
    const out = t.push(bytes.subarray(0, 9)) + t.push(bytes.subarray(9)) + t.end();
    const ev = events(out);
    assert.deepEqual(
      ev.map((e) => e.event),
      [
        "message_start",
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
    assert.deepEqual(ev[4]!.data.content_block, {
      type: "tool_use",
      id: "tooluse_1",
      name: "Bash",
      input: {},
    });
    assert.equal((ev[5]!.data.delta as Json).partial_json, '{"command":"ls"}');
    assert.deepEqual(ev[7]!.data.delta, { stop_reason: "tool_use", stop_sequence: null });
    assert.equal(t.usage.inputTokens, 12);
    const broken = new ConverseToAnthropicStream("m");
    assert.equal(events(broken.push(Buffer.from('{"output":')) + broken.end()).at(-1)!.event, "error");
  });

  test("an exception mid-stream is an error event of its kind", () => {
    const t = new ConverseToAnthropicStream("m");
    let out = t.push(Buffer.concat(answer.slice(0, 5)));
    out += t.push(
      encodeEventStreamFrame(
        { ":exception-type": "throttlingException", ":message-type": "exception" },
        JSON.stringify({ message: "Too many requests, please wait before trying again." }),
      ),
    );
    const last = events(out).at(-1)!;
    assert.equal(last.event, "error");
    assert.deepEqual(last.data.error, {
      type: "rate_limit_error",
      message: "bedrock: throttlingException: Too many requests, please wait before trying again.",
    });
    assert.equal(t.finished, true);
    assert.equal(t.end(), "");
  });

  test("the stream's end: after messageStop without metadata the answer is whole; before it, an error", () => {
    const whole = new ConverseToAnthropicStream("m");
    const out = whole.push(Buffer.concat(answer.slice(0, 12))) + whole.end();
    assert.deepEqual(
      events(out)
        .slice(-2)
        .map((e) => e.event),
      ["message_delta", "message_stop"],
    );
    const cut = new ConverseToAnthropicStream("m");
    const early = events(cut.push(Buffer.concat(answer.slice(0, 6))) + cut.end()).at(-1)!;
    assert.equal(early.event, "error");
    assert.match(String((early.data.error as Json).message), /ended before messageStop/);
    const corrupt = new ConverseToAnthropicStream("m");
    const bad = Buffer.from(answer[0]!);
    bad.writeUInt8(bad.readUInt8(bad.length - 1) ^ 0xff, bad.length - 1);
    assert.equal(events(corrupt.push(bad)).at(-1)!.event, "error");
  });
});
