// Property: the Anthropic -> OpenAI stream translator, fed random valid Anthropic streams (whole, cut
// short anywhere, or failed mid-way) in random chunk splits, never throws and ends the client's stream
// with [DONE] or one error chunk, last; whole streams keep their text and tool arguments.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { AnthropicToOpenAIStream } from "../../gateway/src/llm/translate/anthropic-to-openai-stream.js";
import {
  anthropicStream,
  checkOpenAIOut,
  delivery,
  feed,
  type Json,
  RUNS,
} from "../helpers/stream-properties.js";

describe("stream translators fed random streams in random splits (property)", () => {
  test("Anthropic -> OpenAI: [DONE] or one error chunk, last; whole streams keep text and tool arguments", () => {
    fc.assert(
      fc.property(anthropicStream, delivery, fc.boolean(), (s, d, includeUsage) => {
        const t = new AnthropicToOpenAIStream("client", includeUsage, 1);
        const out = feed(t, s.input, d);
        assert.equal(t.finished, true);
        const { chunks, terminal } = checkOpenAIOut(out);
        if (d.ending !== "whole") return;
        assert.equal(terminal, s.error ? "error" : "done");
        if (s.error) return;
        const deltas = chunks.flatMap((c) => (c.choices as Json[]).map((ch) => ch.delta as Json));
        assert.equal(deltas.map((x) => (typeof x.content === "string" ? x.content : "")).join(""), s.text);
        const args = new Map<number, string>();
        for (const x of deltas) {
          for (const tc of (x.tool_calls as Json[] | undefined) ?? []) {
            const fn = tc.function as Json;
            args.set(
              tc.index as number,
              (args.get(tc.index as number) ?? "") + ((fn.arguments as string) ?? ""),
            );
          }
        }
        assert.deepEqual(
          [...args.values()].map((a) => JSON.parse(a)),
          s.tools.map((x) => JSON.parse(x.args)),
        );
        if (includeUsage)
          assert.ok(
            chunks.some((c) => c.usage !== undefined),
            "a usage chunk",
          );
      }),
      { numRuns: RUNS },
    );
  });
});
