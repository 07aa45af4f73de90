// Bedrock InvokeModelWithResponseStream's event stream (Claude) -> Anthropic SSE for the client.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import fc from "fast-check";
import { BedrockToAnthropicStream } from "../../gateway/src/llm/providers/bedrock/eventstream.js";
import { SseParser } from "../../gateway/src/llm/translate/sse.js";
import { CC_FIXTURES } from "../helpers/fixtures.js";
import { chunkFrame, exceptionFrame } from "../mocks/mock-eventstream.js";

type Json = Record<string, unknown>;
const FIXTURES = CC_FIXTURES;

function fixtureEvents(name: string): Json[] {
  const p = new SseParser();
  const text = readFileSync(`${FIXTURES}/${name}`, "utf8");
  return [...p.push(text), ...p.end()].map((e) => JSON.parse(e.data) as Json);
}

function runStream(t: BedrockToAnthropicStream, bytes: Buffer, cuts: number[] = []): string {
  let out = "";
  let prev = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    out += t.push(bytes.subarray(prev, c));
    prev = c;
  }
  return out + t.push(bytes.subarray(prev)) + t.end();
}

describe("BedrockToAnthropicStream", () => {
  const evs = fixtureEvents("mock-response.tool_use.sse.txt");
  const bytes = Buffer.concat(evs.map(chunkFrame));
  const expected = evs.map((e) => `event: ${String(e.type)}\ndata: ${JSON.stringify(e)}\n\n`).join("");

  test("chunk events become the Anthropic SSE they carry; usage is tracked", () => {
    const t = new BedrockToAnthropicStream();
    assert.equal(runStream(t, bytes), expected);
    assert.ok(t.finished);
    assert.deepEqual(t.usage, {
      inputTokens: 39,
      outputTokens: 42,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    });
  });

  test("random chunk splits give identical output", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: bytes.length }), { maxLength: 40 }), (cuts) => {
        assert.equal(runStream(new BedrockToAnthropicStream(), bytes, cuts), expected);
      }),
    );
  });

  test("the client's model name replaces Bedrock's in message_start", () => {
    const out = new BedrockToAnthropicStream("claude-opus-4-8").push(bytes);
    const first = new SseParser().push(out)[0];
    assert.equal((JSON.parse(first?.data ?? "{}").message as Json).model, "claude-opus-4-8");
  });

  test("exceptions map to Anthropic error types", () => {
    const cases: Array<[string, string]> = [
      ["throttlingException", "rate_limit_error"],
      ["modelStreamErrorException", "api_error"],
      ["internalServerException", "api_error"],
      ["serviceUnavailableException", "overloaded_error"],
      ["validationException", "invalid_request_error"],
      ["ModelTimeoutException", "timeout_error"],
      ["somethingNewException", "api_error"],
    ];
    for (const [name, type] of cases) {
      const t = new BedrockToAnthropicStream();
      const out = runStream(
        t,
        Buffer.concat([chunkFrame(evs[0]), exceptionFrame(name, "Too many requests"), chunkFrame(evs[1])]),
      );
      const parsed = new SseParser().push(out);
      assert.deepEqual(
        parsed.map((e) => e.event),
        ["message_start", "error"],
        name,
      );
      assert.deepEqual(JSON.parse(parsed[1]?.data ?? "{}"), {
        type: "error",
        error: { type, message: `bedrock: ${name}: Too many requests` },
      });
      assert.ok(t.finished);
    }
  });

  test("a cut stream, a corrupt frame and fail() end with an Anthropic error event", () => {
    const cut = runStream(new BedrockToAnthropicStream(), bytes.subarray(0, bytes.length - 5));
    assert.match(
      cut,
      /event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"Bedrock stream ended before message_stop"\}\}\n\n$/,
    );
    const corrupt = Buffer.from(bytes);
    corrupt[20] = (corrupt[20] ?? 0) ^ 0xff;
    assert.match(runStream(new BedrockToAnthropicStream(), corrupt), /^event: error\n.*CRC mismatch/);
    const t = new BedrockToAnthropicStream();
    t.push(chunkFrame(evs[0]));
    assert.match(t.fail("socket hang up"), /"message":"socket hang up"/);
    assert.equal(t.end(), "");
  });
});
