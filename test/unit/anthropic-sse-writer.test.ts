import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AnthropicSseWriter } from "../../gateway/src/llm/translate/anthropic-sse-writer.js";
import { sseEvent } from "../../gateway/src/llm/translate/sse.js";

type Json = Record<string, unknown>;
/** An expected event: name and data object. */
type Ev = [event: string, data: Json];

const USAGE = {
  input_tokens: 3,
  output_tokens: 0,
  cache_creation_input_tokens: 1,
  cache_read_input_tokens: 2,
};
const TRICKY = 'q"uote\\ line\nbreak é😀 \ud800 </script>';

// The expected events, as objects: the writer's bytes must equal sseEvent() of them exactly.
const start = (index: number, content_block: Json): Ev => [
  "content_block_start",
  { type: "content_block_start", index, content_block },
];
const delta = (index: number, d: Json): Ev => [
  "content_block_delta",
  { type: "content_block_delta", index, delta: d },
];
const stop = (index: number): Ev => ["content_block_stop", { type: "content_block_stop", index }];
const TEXT_BLOCK = { type: "text", text: "" };
const THINKING_BLOCK = { type: "thinking", thinking: "", signature: "" };
const tool = (id: string, name: string) => ({ type: "tool_use", id, name, input: {} });
const finish = (stop_reason: string): Ev[] => [
  ["message_delta", { type: "message_delta", delta: { stop_reason, stop_sequence: null }, usage: USAGE }],
  ["message_stop", { type: "message_stop" }],
];

interface Row {
  name: string;
  run: (w: AnthropicSseWriter) => string;
  events: Ev[];
  /** [started, completed, failed, finished, index] afterwards. */
  state: [boolean, boolean, boolean, boolean, number];
}

const ROWS: Row[] = [
  {
    name: "message_start",
    run: (w) => w.start(USAGE),
    events: [
      [
        "message_start",
        {
          type: "message_start",
          message: {
            id: "msg_1",
            type: "message",
            role: "assistant",
            model: "claude-x",
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: USAGE,
          },
        },
      ],
    ],
    state: [true, false, false, false, -1],
  },
  {
    name: "text deltas share one block",
    run: (w) => w.text("a") + w.text(TRICKY),
    events: [
      start(0, TEXT_BLOCK),
      delta(0, { type: "text_delta", text: "a" }),
      delta(0, { type: "text_delta", text: TRICKY }),
    ],
    state: [false, false, false, false, 0],
  },
  {
    name: "thinking, signature, then text closes the thinking block",
    run: (w) => w.thinking("hm") + w.signature("sig") + w.text("x"),
    events: [
      start(0, THINKING_BLOCK),
      delta(0, { type: "thinking_delta", thinking: "hm" }),
      delta(0, { type: "signature_delta", signature: "sig" }),
      stop(0),
      start(1, TEXT_BLOCK),
      delta(1, { type: "text_delta", text: "x" }),
    ],
    state: [false, false, false, false, 1],
  },
  {
    name: "a signature alone opens a thinking block",
    run: (w) => w.signature("s") + w.closeBlock() + w.closeBlock(),
    events: [start(0, THINKING_BLOCK), delta(0, { type: "signature_delta", signature: "s" }), stop(0)],
    state: [false, false, false, false, 0],
  },
  {
    name: "tool blocks close the open block; empty fragments send nothing",
    run: (w) =>
      w.text("t") +
      w.toolStart("toolu_1", "get") +
      w.toolInput("") +
      w.toolInput('{"a":') +
      w.toolStart("toolu_2", TRICKY) +
      w.toolInput("1}", 1) +
      w.toolInput("{}"),
    events: [
      start(0, TEXT_BLOCK),
      delta(0, { type: "text_delta", text: "t" }),
      stop(0),
      start(1, tool("toolu_1", "get")),
      delta(1, { type: "input_json_delta", partial_json: '{"a":' }),
      stop(1),
      start(2, tool("toolu_2", TRICKY)),
      delta(1, { type: "input_json_delta", partial_json: "1}" }),
      delta(2, { type: "input_json_delta", partial_json: "{}" }),
    ],
    state: [false, false, false, false, 2],
  },
  {
    name: "a tool call without a name has no name field",
    run: (w) => w.toolStart("toolu_1", undefined as unknown as string),
    events: [start(0, { type: "tool_use", id: "toolu_1", input: {} })],
    state: [false, false, false, false, 0],
  },
  {
    name: "finish closes the open block",
    run: (w) => w.start(USAGE).slice(0, 0) + w.thinking("z") + w.finish("max_tokens", USAGE),
    events: [
      start(0, THINKING_BLOCK),
      delta(0, { type: "thinking_delta", thinking: "z" }),
      stop(0),
      ...finish("max_tokens"),
    ],
    state: [true, true, false, true, 0],
  },
  {
    name: "finish with nothing open",
    run: (w) => w.finish("end_turn", USAGE),
    events: finish("end_turn"),
    state: [false, true, false, true, -1],
  },
  {
    name: "error",
    run: (w) => w.text("partial").slice(0, 0) + w.error(TRICKY, "rate_limit_error"),
    events: [["error", { type: "error", error: { type: "rate_limit_error", message: TRICKY } }]],
    state: [false, false, true, true, 0],
  },
  {
    name: "message_stop after an error: completed, not failed",
    run: (w) => w.error("x") + w.finish("end_turn", USAGE),
    events: [["error", { type: "error", error: { type: "api_error", message: "x" } }], ...finish("end_turn")],
    state: [false, true, false, true, -1],
  },
];

describe("AnthropicSseWriter", () => {
  for (const row of ROWS) {
    test(row.name, () => {
      const w = new AnthropicSseWriter("msg_1", "claude-x");
      const expected = row.events.map(([event, data]) => sseEvent(event, data)).join("");
      assert.equal(row.run(w), expected);
      assert.deepEqual([w.started, w.completed, w.failed, w.finished, w.index], row.state);
      assert.equal(w.messageId, "msg_1");
    });
  }
});
