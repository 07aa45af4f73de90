/**
 * Tool calls in an OpenAI stream, as a client that acts on content_block_stop sees them. Claude Code
 * parses a tool_use block's input when the block stops: an argument fragment sent after that is lost.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { OpenAIToAnthropicStream } from "../../gateway/src/llm/translate/openai-to-anthropic-stream.js";
import { SseParser } from "../../gateway/src/llm/translate/sse.js";

type Json = Record<string, unknown>;

function chunk(delta: Json, finish: string | null = null): string {
  const choices = [{ index: 0, delta, finish_reason: finish }];
  return `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices })}\n\n`;
}
const call = (index: number, args: string, id?: string, name?: string): string =>
  chunk({
    tool_calls: [
      {
        index,
        ...(id ? { id, type: "function" } : {}),
        function: { ...(name ? { name } : {}), arguments: args },
      },
    ],
  });

/** The tool calls as a client acting on content_block_stop gets them (later fragments are lost). */
function toolCallsAtStop(sse: string): Array<{ id: string; name: string; input: unknown }> {
  const p = new SseParser();
  const open = new Map<number, { id: string; name: string; json: string }>();
  const done: Array<{ id: string; name: string; input: unknown }> = [];
  for (const e of [...p.push(sse), ...p.end()]) {
    const d = JSON.parse(e.data) as Json;
    if (d.type === "content_block_start") {
      const b = d.content_block as Json;
      if (b.type === "tool_use")
        open.set(d.index as number, { id: b.id as string, name: b.name as string, json: "" });
    } else if (d.type === "content_block_delta") {
      const delta = d.delta as Json;
      const t = open.get(d.index as number);
      if (t && delta.type === "input_json_delta") t.json += delta.partial_json as string;
    } else if (d.type === "content_block_stop") {
      const t = open.get(d.index as number);
      if (t) {
        open.delete(d.index as number);
        done.push({ id: t.id, name: t.name, input: t.json === "" ? {} : JSON.parse(t.json) });
      }
    }
  }
  return done;
}

function translate(input: string): string {
  const t = new OpenAIToAnthropicStream("claude", "msg_t");
  return t.push(Buffer.from(input)) + t.end();
}

describe("parallel tool calls in one OpenAI stream", () => {
  test("index-interleaved argument fragments: every call arrives whole before its block stops", () => {
    const input =
      call(0, "", "call_a", "Read") +
      call(1, "", "call_b", "Grep") +
      call(0, '{"file_path":') +
      call(1, '{"pattern":"fo') +
      call(0, '"/a.ts"}') +
      call(1, 'o","path":"src"}') +
      chunk({}, "tool_calls") +
      "data: [DONE]\n\n";
    const out = translate(input);
    assert.deepEqual(toolCallsAtStop(out), [
      { id: "call_a", name: "Read", input: { file_path: "/a.ts" } },
      { id: "call_b", name: "Grep", input: { pattern: "foo", path: "src" } },
    ]);
    assert.match(out, /"stop_reason":"tool_use"/);
  });

  test("three calls, one chunk each carrying a fragment of every call", () => {
    const parts = [
      ['{"command":', '{"a":', "{"],
      ['"ls"', "1", '"x":[1,'],
      ["}", "}", "2]}"],
    ];
    let input = "";
    parts.forEach((row, i) => {
      const tool_calls = row.map((args, index) => ({
        index,
        ...(i === 0 ? { id: `call_${index}`, type: "function" } : {}),
        function: { ...(i === 0 ? { name: `t${index}` } : {}), arguments: args },
      }));
      input += chunk({ tool_calls });
    });
    input += chunk({}, "tool_calls");
    assert.deepEqual(toolCallsAtStop(translate(input)), [
      { id: "call_0", name: "t0", input: { command: "ls" } },
      { id: "call_1", name: "t1", input: { a: 1 } },
      { id: "call_2", name: "t2", input: { x: [1, 2] } },
    ]);
  });

  test("sequential calls still stream: the second starts once the first's arguments are complete", () => {
    const t = new OpenAIToAnthropicStream("claude", "msg_t");
    t.push(Buffer.from(call(0, '{"a":1}', "call_a", "A")));
    const second = t.push(Buffer.from(call(1, '{"b":', "call_b", "B")));
    assert.match(second, /content_block_stop/);
    assert.match(second, /"name":"B"/);
    assert.match(second, /input_json_delta/);
  });

  test("braces and quotes inside string arguments do not end a call early", () => {
    const input =
      call(0, '{"s":"}{\\"', "call_a", "A") +
      call(1, '{"n":2}', "call_b", "B") +
      call(0, '}"}') +
      chunk({}, "tool_calls");
    assert.deepEqual(toolCallsAtStop(translate(input)), [
      { id: "call_a", name: "A", input: { s: '}{"}' } },
      { id: "call_b", name: "B", input: { n: 2 } },
    ]);
  });
});

describe("usage in an OpenAI stream", () => {
  test("usage on the first chunk and again after the finish: the message ends with the final count", () => {
    const withUsage = (delta: Json, finish: string | null, completion: number) =>
      `data: ${JSON.stringify({
        id: "c",
        object: "chat.completion.chunk",
        created: 1,
        model: "m",
        choices: finish === "none" ? [] : [{ index: 0, delta, finish_reason: finish }],
        usage: { prompt_tokens: 50, completion_tokens: completion, total_tokens: 50 + completion },
      })}\n\n`;
    const t = new OpenAIToAnthropicStream("claude", "msg_u");
    const out =
      t.push(Buffer.from(withUsage({ role: "assistant", content: "Hi" }, null, 1))) +
      t.push(Buffer.from(chunk({ content: " there" }))) +
      t.push(Buffer.from(chunk({}, "stop"))) +
      t.push(Buffer.from(withUsage({}, "none", 12))) +
      t.end();
    assert.match(out, /"message_delta".*"output_tokens":12/);
    assert.equal(t.usage.outputTokens, 12);
  });
});
