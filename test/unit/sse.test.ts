import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { SseParser } from "../../gateway/src/llm/translate/sse.js";

function parseAll(chunks: Buffer[]) {
  const p = new SseParser();
  const out = chunks.flatMap((c) => p.push(c));
  return [...out, ...p.end()];
}

describe("SSE parser", () => {
  test("events, names, multi-line data, comments and CRLF", () => {
    const text =
      ': keep-alive\r\nevent: message_start\r\ndata: {"a":1}\r\n\r\n' +
      "data: line1\ndata: line2\n\n" +
      "event: ping\ndata: {}\n\n" +
      "data: [DONE]\n\n";
    assert.deepEqual(parseAll([Buffer.from(text)]), [
      { event: "message_start", data: '{"a":1}' },
      { event: "", data: "line1\nline2" },
      { event: "ping", data: "{}" },
      { event: "", data: "[DONE]" },
    ]);
  });

  test("a final event without a blank line is still delivered at end", () => {
    assert.deepEqual(parseAll([Buffer.from("data: x\n\ndata: last")]), [
      { event: "", data: "x" },
      { event: "", data: "last" },
    ]);
  });

  test("any chunk split, including inside UTF-8 and CRLF, gives the same events", () => {
    const text = Buffer.from(
      'event: content_block_delta\r\ndata: {"text":"héllo wörld ✓ 🚀"}\r\n\r\ndata: é\n\nevent: x\ndata: y\r\n\r\n',
    );
    const whole = parseAll([text]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: text.length - 1 }), { maxLength: 12 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let prev = 0;
        for (const p of points) {
          chunks.push(text.subarray(prev, p));
          prev = p;
        }
        chunks.push(text.subarray(prev));
        assert.deepEqual(parseAll(chunks), whole);
      }),
      { numRuns: 300 },
    );
  });
});
