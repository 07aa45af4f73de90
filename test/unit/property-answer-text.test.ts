// Property: a captured stream read in place (store/answer-text.ts, one pass over its text) gives
// the same answer, text and tool calls, as through the incremental SseParser, whatever the stream
// holds: Anthropic and OpenAI events, plain and escaped text deltas, fields in another order, tool
// calls, JSON that does not parse, data over several lines, comments, other fields, "event" or
// "data" without a colon or a value, blank lines anywhere, "\r\n" line ends, no final blank line.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { answerOf } from "../../gateway/src/store/answer-text.js";

const text = fc.oneof(
  fc.string({ maxLength: 12, unit: "grapheme" }),
  fc.constantFrom('say "hi"', "C:\\dir", "line\nbreak", "tab\there", "😀", "é→", "}}", ""),
);
const index = fc.constantFrom(0, 1, 2, 10);

const anthropicData = fc.oneof(
  fc
    .tuple(index, text)
    .map(([i, t]) =>
      JSON.stringify({ type: "content_block_delta", index: i, delta: { type: "text_delta", text: t } }),
    ),
  fc
    .tuple(index, text)
    .map(([i, t]) =>
      JSON.stringify({ delta: { text: t, type: "text_delta" }, index: i, type: "content_block_delta" }),
    ),
  fc.tuple(index, fc.constantFrom("Read", "Bash")).map(([i, name]) =>
    JSON.stringify({
      type: "content_block_start",
      index: i,
      content_block: { type: "tool_use", id: "t", name },
    }),
  ),
  fc.tuple(index, fc.constantFrom('{"a":', "1}", '{"p":"x"}', "", "}")).map(([i, p]) =>
    JSON.stringify({
      type: "content_block_delta",
      index: i,
      delta: { type: "input_json_delta", partial_json: p },
    }),
  ),
  fc.constantFrom(
    '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}',
    '{"type":"content_block_delta","index":,"delta":{"type":"text_delta","text":"x"}}',
    '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}}}',
    '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"} }',
    '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x',
    '{"type":"message_stop"}',
    "not json",
    "",
  ),
);
const openaiData = fc.oneof(
  text.map((t) => JSON.stringify({ choices: [{ index: 0, delta: { content: t } }] })),
  fc.tuple(index, fc.constantFrom("Read", ""), fc.constantFrom('{"a":', "1}", "")).map(([i, name, args]) =>
    JSON.stringify({
      choices: [{ delta: { tool_calls: [{ index: i, function: { name, arguments: args } }] } }],
    }),
  ),
  fc.constantFrom("[DONE]", "not json", "{}", ""),
);
const name = fc.constantFrom(
  "content_block_delta",
  "content_block_start",
  "content_block_stop",
  "message_start",
  "ping",
  "content_block_deltas",
  "",
);

function line(data: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: data.map((d) => `data: ${d}`) },
    { weight: 4, arbitrary: name.map((n) => `event: ${n}`) },
    { weight: 4, arbitrary: fc.constant("") },
    {
      weight: 2,
      arbitrary: fc.oneof(
        data.map((d) => `data:${d}`),
        data.map((d) => `data:  ${d}`),
        name.map((n) => `event:${n}`),
        data.map((d) => `data ${d}`),
        fc.constantFrom(
          "data",
          "data:",
          "event",
          "event:",
          ": comment",
          ":",
          "id: 7",
          "retry: 10",
          "eventx: y",
          "datum",
        ),
      ),
    },
  );
}

/** Lines, and whole events (name, one data line, a blank line) as a provider writes them. */
function stream(data: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const unit = fc.oneof(
    line(data).map((l) => [l]),
    fc.tuple(name, data).map(([n, d]) => [`event: ${n}`, `data: ${d}`, ""]),
    data.map((d) => ["event: content_block_delta", `data: ${d}`, ""]),
    fc.constantFrom(
      ['data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a', 'b"}}', ""],
      [
        "event: content_block_delta",
        'data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a',
        'b"}}',
        "",
      ],
    ),
  );
  return fc
    .tuple(fc.array(unit, { maxLength: 20 }), fc.constantFrom("\n", "\n", "\n", "\r\n", "\r"), fc.boolean())
    .map(([units, eol, last]) => units.flat().join(eol) + (last ? eol : ""));
}

test("a stream read in place gives what the SSE parser gives (Anthropic)", () => {
  fc.assert(
    fc.property(stream(anthropicData), (raw) => {
      assert.deepEqual(answerOf("anthropic", raw, true), answerOf("anthropic", raw, true, true));
    }),
    { numRuns: 2000 },
  );
});

test("a stream read in place gives what the SSE parser gives (OpenAI)", () => {
  fc.assert(
    fc.property(stream(openaiData), (raw) => {
      assert.deepEqual(answerOf("openai", raw, true), answerOf("openai", raw, true, true));
    }),
    { numRuns: 1000 },
  );
});

test("a well-formed Anthropic stream's text and tool call come back", () => {
  const events = [
    [
      "content_block_start",
      { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
    ],
    [
      "content_block_delta",
      { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hi " } },
    ],
    [
      "content_block_delta",
      { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: 'a "b"' } },
    ],
    [
      "content_block_start",
      { type: "content_block_start", index: 1, content_block: { type: "tool_use", name: "Read" } },
    ],
    [
      "content_block_delta",
      { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '{"p":' } },
    ],
    [
      "content_block_delta",
      { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: "1}" } },
    ],
  ] as const;
  const raw = events.map(([e, d]) => `event: ${e}\ndata: ${JSON.stringify(d)}\n\n`).join("");
  assert.deepEqual(answerOf("anthropic", raw, true), {
    text: 'Hi a "b"',
    toolCalls: [{ name: "Read", input: { p: 1 } }],
  });
});
