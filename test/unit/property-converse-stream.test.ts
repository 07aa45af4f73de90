// Property: Bedrock ConverseStream -> Anthropic SSE, fed random valid event streams (text,
// reasoning and tool-call blocks; with or without the closing metadata frame), whole, cut short
// anywhere or failed mid-way, in random byte splits, never throws and always ends the client's
// stream with exactly one terminal event, last. Whole streams keep their text, their tool calls'
// names and arguments, and their usage; a stream cut short never claims to be whole.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { ConverseToAnthropicStream } from "../../gateway/src/llm/providers/bedrock/converse-stream.js";
import { encodeEventStreamFrame } from "../../gateway/src/llm/providers/bedrock/eventstream.js";
import { SseParser } from "../../gateway/src/llm/translate/sse.js";

type Json = Record<string, unknown>;

const piece = fc.string({ minLength: 1, maxLength: 12, unit: "grapheme" });
const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/);
const args = fc
  .dictionary(
    fc.string({ minLength: 1, maxLength: 5 }).filter((k) => k !== "__proto__"),
    fc.jsonValue({ maxDepth: 2 }),
    { maxKeys: 3 },
  )
  .map((o) => JSON.stringify(o));

type Block =
  | { kind: "text"; pieces: string[] }
  | { kind: "reasoning"; pieces: string[] }
  | { kind: "tool"; name: string; fragments: string[]; args: string };

const fragmentsOf = (s: string) =>
  fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, s.length - 1) }), { maxLength: 4 }).map((cuts) => {
    const at = [0, ...cuts.filter((c) => c < s.length).sort((a, b) => a - b), s.length];
    return at.slice(1).map((end, i) => s.slice(at[i], end));
  });

const block: fc.Arbitrary<Block> = fc.oneof(
  fc.array(piece, { minLength: 1, maxLength: 4 }).map((pieces) => ({ kind: "text" as const, pieces })),
  fc.array(piece, { minLength: 1, maxLength: 3 }).map((pieces) => ({ kind: "reasoning" as const, pieces })),
  fc
    .tuple(name, args)
    .chain(([n, a]) =>
      fragmentsOf(a).map((fragments) => ({ kind: "tool" as const, name: n, fragments, args: a })),
    ),
);

const stream = fc.record({
  blocks: fc.array(block, { maxLength: 5 }),
  metadata: fc.boolean(),
  input: fc.nat({ max: 10_000 }),
  output: fc.nat({ max: 10_000 }),
});

const frame = (type: string, payload: Json): Buffer =>
  encodeEventStreamFrame(
    { ":event-type": type, ":message-type": "event" },
    JSON.stringify({ ...payload, p: "xy" }),
  );

function framesOf(s: { blocks: Block[]; metadata: boolean; input: number; output: number }): Buffer {
  const out = [frame("messageStart", { role: "assistant" })];
  s.blocks.forEach((b, i) => {
    const at = { contentBlockIndex: i };
    if (b.kind === "tool") {
      out.push(
        frame("contentBlockStart", {
          ...at,
          start: { toolUse: { toolUseId: `tooluse_${i}`, name: b.name } },
        }),
      );
      for (const f of b.fragments)
        out.push(frame("contentBlockDelta", { ...at, delta: { toolUse: { input: f } } }));
    } else {
      for (const p of b.pieces)
        out.push(
          frame("contentBlockDelta", {
            ...at,
            delta: b.kind === "text" ? { text: p } : { reasoningContent: { text: p } },
          }),
        );
    }
    out.push(frame("contentBlockStop", at));
  });
  const tools = s.blocks.some((b) => b.kind === "tool");
  out.push(frame("messageStop", { stopReason: tools ? "tool_use" : "end_turn" }));
  if (s.metadata) out.push(frame("metadata", { usage: { inputTokens: s.input, outputTokens: s.output } }));
  return Buffer.concat(out);
}

const delivery = fc.record({
  ending: fc.constantFrom("whole", "whole", "truncated", "failed"),
  at: fc.double({ min: 0, max: 0.999, noNaN: true }),
  splits: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 30 }),
});

describe("ConverseStream -> Anthropic SSE (property)", () => {
  test("one terminal event, last; whole streams keep text, tool calls and usage", () => {
    fc.assert(
      fc.property(stream, delivery, (s, d) => {
        const all = framesOf(s);
        const bytes = d.ending === "whole" ? all : all.subarray(0, Math.floor(all.length * d.at));
        const cuts = [...new Set(d.splits.map((f) => Math.floor(f * bytes.length)))].sort((a, b) => a - b);
        const t = new ConverseToAnthropicStream("client");
        let out = "";
        let prev = 0;
        for (const c of [...cuts, bytes.length]) {
          out += t.push(bytes.subarray(prev, c));
          prev = c;
        }
        out += d.ending === "failed" ? t.fail("connection reset by peer") : t.end();
        assert.equal(t.finished, true);

        const p = new SseParser();
        const events = [...p.push(Buffer.from(out)), ...p.end()].map((e) => {
          const data = JSON.parse(e.data) as Json;
          assert.equal(data.type, e.event);
          return { event: e.event, data };
        });
        const terminals = events.filter((e) => e.event === "message_stop" || e.event === "error");
        assert.equal(terminals.length, 1, events.map((e) => e.event).join(","));
        assert.equal(events.at(-1), terminals[0]);
        // A stream cut before its messageStop is never passed off as a whole answer.
        if (d.ending !== "whole" && !bytes.includes(Buffer.from('"stopReason"')))
          assert.equal(terminals[0]!.event, "error");
        if (d.ending !== "whole") return;

        assert.equal(terminals[0]!.event, "message_stop");
        const deltas = events
          .filter((e) => e.event === "content_block_delta")
          .map((e) => e.data.delta as Json);
        const want = s.blocks.flatMap((b) => (b.kind === "text" ? b.pieces : [])).join("");
        assert.equal(deltas.map((x) => (x.type === "text_delta" ? x.text : "")).join(""), want);
        const starts = events
          .filter(
            (e) => e.event === "content_block_start" && (e.data.content_block as Json).type === "tool_use",
          )
          .map((e) => ({ index: e.data.index as number, name: (e.data.content_block as Json).name }));
        const tools = s.blocks.filter((b): b is Extract<Block, { kind: "tool" }> => b.kind === "tool");
        assert.deepEqual(
          starts.map((x) => x.name),
          tools.map((x) => x.name),
        );
        starts.forEach((st, i) => {
          const json = events
            .filter((e) => e.event === "content_block_delta" && e.data.index === st.index)
            .map((e) => (e.data.delta as Json).partial_json)
            .join("");
          assert.deepEqual(JSON.parse(json), JSON.parse(tools[i]!.args));
        });
        const delta = events.find((e) => e.event === "message_delta")!.data;
        assert.equal((delta.delta as Json).stop_reason, tools.length > 0 ? "tool_use" : "end_turn");
        if (s.metadata) assert.deepEqual([t.usage.inputTokens, t.usage.outputTokens], [s.input, s.output]);
      }),
      { numRuns: 250 },
    );
  });
});
