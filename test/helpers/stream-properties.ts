// What the property tests of the stream translators and usage taps share: random upstream streams
// (OpenAI, Anthropic, Gemini), how they are delivered (whole, cut short, failed; in random chunk
// splits), a translator fed that way, and checks of what the client gets.
import assert from "node:assert/strict";
import fc from "fast-check";
import { SseParser } from "../../gateway/src/llm/translate/sse.js";
import type { StreamTranslator } from "../../gateway/src/llm/translate/types.js";

export type Json = Record<string, unknown>;
export const RUNS = 250;

const piece = fc.string({ minLength: 1, maxLength: 12, unit: "grapheme" });
const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/);
const argsJson = fc
  .dictionary(
    fc.string({ minLength: 1, maxLength: 5 }).filter((k) => k !== "__proto__"),
    fc.jsonValue({ maxDepth: 2 }),
    { maxKeys: 3 },
  )
  .map((o) => JSON.stringify(o));

/** Cuts a JSON text into fragments (anywhere: providers split arguments mid-token). */
const fragments = (s: string) =>
  fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, s.length - 1) }), { maxLength: 4 }).map((cuts) => {
    const at = [0, ...cuts.filter((c) => c < s.length).sort((a, b) => a - b), s.length];
    return at.slice(1).map((end, i) => s.slice(at[i], end));
  });

/** How a generated upstream stream is delivered: whole, cut after `cut` bytes, or failed there. */
export interface Delivery {
  ending: "whole" | "truncated" | "failed";
  /** Fraction of the bytes delivered before the cut (truncated / failed). */
  at: number;
  /** Chunk boundaries, as fractions of the delivered bytes. */
  splits: number[];
}
export const delivery: fc.Arbitrary<Delivery> = fc.record({
  ending: fc.constantFrom("whole", "whole", "truncated", "failed"),
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  splits: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 30 }),
});

export function feed(t: StreamTranslator, input: string, d: Delivery): string {
  let bytes = Buffer.from(input);
  if (d.ending !== "whole") bytes = bytes.subarray(0, Math.floor(bytes.length * d.at));
  const cuts = [...new Set(d.splits.map((f) => Math.floor(f * bytes.length)))].sort((a, b) => a - b);
  let out = "";
  let prev = 0;
  for (const c of [...cuts, bytes.length]) {
    out += t.push(bytes.subarray(prev, c));
    prev = c;
  }
  return out + (d.ending === "failed" ? t.fail("connection reset by peer") : t.end());
}

export function sse(out: string): Array<{ event: string; data: string }> {
  const p = new SseParser();
  return [...p.push(Buffer.from(out)), ...p.end()];
}

/** Anthropic SSE to the client: one terminal event, last; every event valid JSON of its name. */
export function checkAnthropicOut(out: string): {
  events: Array<{ event: string; data: Json }>;
  terminal: string;
} {
  const events = sse(out).map((e) => {
    const data = JSON.parse(e.data) as Json;
    assert.equal(data.type, e.event, `event name matches its type: ${e.data.slice(0, 80)}`);
    return { event: e.event, data };
  });
  const terminals = events.filter((e) => e.event === "message_stop" || e.event === "error");
  assert.equal(terminals.length, 1, `one terminal event in: ${events.map((e) => e.event).join(",")}`);
  assert.equal(events.at(-1), terminals[0], "the terminal event is the last");
  if (events[0]!.event !== "error") assert.equal(events[0]!.event, "message_start");
  return { events, terminal: terminals[0]!.event };
}

/** OpenAI SSE to the client: [DONE] or one error chunk, last. */
export function checkOpenAIOut(out: string): { chunks: Json[]; terminal: "done" | "error" } {
  const events = sse(out);
  assert.ok(events.length > 0, "something was written");
  const last = events.at(-1)!.data;
  const body = events.slice(0, -1).map((e) => JSON.parse(e.data) as Json);
  for (const c of body) assert.ok(!("error" in c), "an error chunk is only ever the last");
  assert.ok(!body.some((_, i) => events[i]!.data === "[DONE]"));
  if (last === "[DONE]") return { chunks: body, terminal: "done" };
  const err = JSON.parse(last) as Json;
  assert.ok(typeof (err.error as Json).message === "string", `last chunk is [DONE] or an error: ${last}`);
  return { chunks: body, terminal: "error" };
}

/** OpenAI Chat Completions chunk streams: text, parallel tool calls, usage, [DONE] or not. */

export const openAIStream = fc
  .record({
    role: fc.boolean(),
    items: fc.array(
      fc.oneof(
        piece.map((text) => ({ kind: "text" as const, text })),
        piece.map((text) => ({ kind: "reasoning" as const, text })),
        fc.record({ kind: fc.constant("tool" as const), name, args: argsJson }),
      ),
      { maxLength: 8 },
    ),
    finish: fc.constantFrom("stop", "length", "tool_calls", "content_filter"),
    usage: fc.boolean(),
    done: fc.boolean(),
    crlf: fc.boolean(),
    seed: fc.integer(),
  })
  .chain((g) =>
    fc
      .tuple(...g.items.map((it) => (it.kind === "tool" ? fragments(it.args) : fc.constant([] as string[]))))
      .map((frags) => ({ ...g, frags })),
  )
  .map((g) => {
    const chunk = (delta: Json, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "up", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    let s = g.role ? chunk({ role: "assistant", content: "" }) : "";
    let text = "";
    const tools: Array<{ name: string; args: string }> = [];
    g.items.forEach((it, i) => {
      if (it.kind === "text") {
        s += chunk({ content: it.text });
        text += it.text;
      } else if (it.kind === "reasoning") s += chunk({ reasoning_content: it.text });
      else {
        const index = tools.length;
        tools.push({ name: it.name, args: it.args });
        s += chunk({
          tool_calls: [
            { index, id: `call_${index}`, type: "function", function: { name: it.name, arguments: "" } },
          ],
        });
        for (const f of g.frags[i]!) s += chunk({ tool_calls: [{ index, function: { arguments: f } }] });
      }
    });
    s += chunk({}, g.finish);
    if (g.usage)
      s += `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "up", choices: [], usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 } })}\n\n`;
    if (g.done) s += "data: [DONE]\n\n";
    return { input: g.crlf ? s.replaceAll("\n", "\r\n") : s, text, tools };
  });

/** Anthropic Messages SSE streams: text, thinking and tool blocks, or an error event. */

export const anthropicStream = fc
  .record({
    blocks: fc.array(
      fc.oneof(
        fc.array(piece, { minLength: 1, maxLength: 4 }).map((parts) => ({ kind: "text" as const, parts })),
        fc
          .array(piece, { minLength: 1, maxLength: 3 })
          .map((parts) => ({ kind: "thinking" as const, parts })),
        fc.record({ kind: fc.constant("tool" as const), name, args: argsJson }),
      ),
      { maxLength: 5 },
    ),
    pings: fc.array(fc.nat(20), { maxLength: 3 }),
    stop: fc.constantFrom("end_turn", "max_tokens", "tool_use", "stop_sequence", "refusal"),
    error: fc.boolean(),
    crlf: fc.boolean(),
  })
  .chain((g) =>
    fc
      .tuple(...g.blocks.map((b) => (b.kind === "tool" ? fragments(b.args) : fc.constant([] as string[]))))
      .map((frags) => ({ ...g, frags })),
  )
  .map((g) => {
    const ev = (data: Json) => `event: ${data.type as string}\ndata: ${JSON.stringify(data)}\n\n`;
    const events: string[] = [
      ev({
        type: "message_start",
        message: {
          id: "msg_p",
          type: "message",
          role: "assistant",
          model: "up",
          content: [],
          stop_reason: null,
          usage: { input_tokens: 5, output_tokens: 1 },
        },
      }),
    ];
    let text = "";
    const tools: Array<{ name: string; args: string }> = [];
    g.blocks.forEach((b, index) => {
      if (b.kind === "text") {
        events.push(ev({ type: "content_block_start", index, content_block: { type: "text", text: "" } }));
        for (const p of b.parts)
          events.push(ev({ type: "content_block_delta", index, delta: { type: "text_delta", text: p } }));
        text += b.parts.join("");
      } else if (b.kind === "thinking") {
        events.push(
          ev({ type: "content_block_start", index, content_block: { type: "thinking", thinking: "" } }),
        );
        for (const p of b.parts)
          events.push(
            ev({ type: "content_block_delta", index, delta: { type: "thinking_delta", thinking: p } }),
          );
        events.push(
          ev({ type: "content_block_delta", index, delta: { type: "signature_delta", signature: "sig" } }),
        );
      } else {
        tools.push({ name: b.name, args: b.args });
        events.push(
          ev({
            type: "content_block_start",
            index,
            content_block: { type: "tool_use", id: `toolu_${index}`, name: b.name, input: {} },
          }),
        );
        for (const f of g.frags[index]!)
          events.push(
            ev({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: f } }),
          );
      }
      events.push(ev({ type: "content_block_stop", index }));
    });
    if (g.error)
      events.push(ev({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }));
    else {
      events.push(
        ev({
          type: "message_delta",
          delta: { stop_reason: g.stop, stop_sequence: null },
          usage: { output_tokens: 9 },
        }),
      );
      events.push(ev({ type: "message_stop" }));
    }
    for (const p of g.pings) events.splice(1 + (p % events.length), 0, ev({ type: "ping" }));
    const s = events.join("");
    return { input: g.crlf ? s.replaceAll("\n", "\r\n") : s, text, tools, error: g.error };
  });

/** Gemini streamGenerateContent SSE: text chunks, usage before or after the finish. */

export const geminiStream = fc
  .record({
    chunks: fc.array(
      fc.array(
        fc.oneof(
          piece.map((text) => ({ text })),
          piece.map((text) => ({ text, thought: true })),
          fc
            .record({ name, args: argsJson })
            .map((f) => ({ functionCall: { name: f.name, args: JSON.parse(f.args) as Json } })),
        ),
        { minLength: 1, maxLength: 3 },
      ),
      { maxLength: 5 },
    ),
    finish: fc.constantFrom("STOP", "MAX_TOKENS", "SAFETY"),
    usageAfter: fc.boolean(),
  })
  .map((g) => {
    const usage = { promptTokenCount: 5, candidatesTokenCount: 2, totalTokenCount: 7 };
    const data = (o: Json) => `data: ${JSON.stringify(o)}\r\n\r\n`;
    let s = "";
    let text = "";
    for (const parts of g.chunks) {
      s += data({ candidates: [{ content: { role: "model", parts }, index: 0 }] });
      for (const p of parts) if ("text" in p && !("thought" in p)) text += p.text;
    }
    s += data({
      candidates: [{ content: { role: "model", parts: [] }, finishReason: g.finish, index: 0 }],
      usageMetadata: usage,
    });
    if (g.usageAfter) s += data({ usageMetadata: usage });
    return { input: s, text, finish: g.finish };
  });

export const textOfAnthropic = (events: Array<{ event: string; data: Json }>) =>
  events
    .filter((e) => e.event === "content_block_delta" && (e.data.delta as Json).type === "text_delta")
    .map((e) => (e.data.delta as Json).text as string)
    .join("");
