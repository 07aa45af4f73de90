// What the tests of the stream translators (OpenAI <-> Anthropic) share: OpenAI chunk SSE, a stream
// of reasoning, text and parallel tool calls, a translator fed in pieces, and SSE read back as events.
import { SseParser } from "../../gateway/src/llm/translate/sse.js";
import type { StreamTranslator } from "../../gateway/src/llm/translate/types.js";

type Json = Record<string, unknown>;

/** OpenAI chunk SSE from a list of choice deltas (+ optional finish and trailing usage chunk). */
export function oaChunk(delta: Json, finish: string | null = null, extra: Json = {}): string {
  return `data: ${JSON.stringify({
    id: "chatcmpl-1",
    object: "chat.completion.chunk",
    created: 1,
    model: "up",
    choices: [{ index: 0, delta, finish_reason: finish }],
    ...extra,
  })}\n\n`;
}
export function oaUsage(usage: Json): string {
  return `data: ${JSON.stringify({ id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "up", choices: [], usage })}\n\n`;
}
export const DONE = "data: [DONE]\n\n";

export function run(t: StreamTranslator, input: string | Buffer, cuts: number[] = []): string {
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

export function events(sse: string): Array<{ event: string; data: Json | string }> {
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

export const TOOL_STREAM =
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
