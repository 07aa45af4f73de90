// Property: what the request log keeps of a streamed answer is its text, whatever the text holds
// (quotes, backslashes, new lines, emoji), however the stream was cut into chunks, whether the
// chunks were bytes or text, and whether a delta's fields come in Anthropic's order (taken without
// JSON.parse, store/content.ts) or another (parsed). The record crosses to the log thread as it
// does in the gateway (log-thread-wire.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { storedContent } from "../../gateway/src/store/content.js";
import { decodeBatch, encodeBatch } from "../../gateway/src/store/log-thread-wire.js";
import { redactText } from "../../gateway/src/store/redact.js";
import { requestRecord } from "../helpers/log-rows.js";

const piece = fc.oneof(
  fc.string({ minLength: 1, maxLength: 12, unit: "grapheme" }),
  fc.constantFrom('say "hi"', "C:\\dir", "line\nbreak", "tab\there", "😀", "é→", "}}"),
);

function sse(pieces: readonly string[], reordered: readonly boolean[]): string {
  const events = [
    [
      "message_start",
      { type: "message_start", message: { id: "m", content: [], usage: { input_tokens: 1 } } },
    ],
    [
      "content_block_start",
      { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
    ],
    ...pieces.map((text, i) => [
      "content_block_delta",
      reordered[i]
        ? { delta: { text, type: "text_delta" }, index: 0, type: "content_block_delta" }
        : { type: "content_block_delta", index: 0, delta: { type: "text_delta", text } },
    ]),
    ["content_block_stop", { type: "content_block_stop", index: 0 }],
    ["message_stop", { type: "message_stop" }],
  ] as const;
  return events.map(([e, d]) => `event: ${e}\ndata: ${JSON.stringify(d)}\n\n`).join("");
}

test("a streamed answer's text is kept whole, however it was chunked and spelled", () => {
  fc.assert(
    fc.property(
      fc.array(piece, { minLength: 1, maxLength: 12 }),
      fc.array(fc.boolean(), { maxLength: 12 }),
      fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }),
      fc.boolean(),
      (pieces, reordered, cuts, asText) => {
        const bytes = Buffer.from(sse(pieces, reordered));
        const chunks: Array<Buffer | string> = [];
        for (let at = 0, i = 0; at < bytes.length; i++) {
          const end = Math.min(bytes.length, at + cuts[i % cuts.length]! * 7);
          const chunk = bytes.subarray(at, end);
          // Text chunks come from translated streams; cut only where no character is split.
          chunks.push(
            asText && chunk.toString("utf8").length > 0 && Buffer.from(chunk.toString("utf8")).equals(chunk)
              ? chunk.toString("utf8")
              : chunk,
          );
          at = end;
        }
        const request = Buffer.from(
          JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }),
        );
        const rec = requestRecord({
          stream: true,
          content: { surface: "anthropic", stream: true, truncated: false, request, response: chunks },
        });
        const [crossed] = decodeBatch(encodeBatch({ requests: [rec], toolCalls: [], spend: [] })).requests;
        assert.ok(crossed?.content);
        assert.equal(storedContent(crossed.content).responseBody, redactText(pieces.join("")));
        assert.equal(storedContent(rec.content!).responseBody, redactText(pieces.join("")));
      },
    ),
    { numRuns: 400 },
  );
});
