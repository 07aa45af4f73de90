// Property: the OpenAI -> Anthropic and Gemini -> Anthropic stream translators, fed random valid
// streams (whole, cut short anywhere, or failed mid-way) in random chunk splits, never throw and end
// the client's stream with exactly one terminal event, last; whole streams keep their text and tool
// arguments. (test/unit/sse.test.ts covers the SSE parser's split property on its own.)
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { GeminiToAnthropicStream } from "../../gateway/src/llm/translate/gemini-to-anthropic-stream.js";
import { OpenAIToAnthropicStream } from "../../gateway/src/llm/translate/openai-to-anthropic-stream.js";
import {
  checkAnthropicOut,
  delivery,
  feed,
  geminiStream,
  type Json,
  openAIStream,
  RUNS,
  textOfAnthropic,
} from "../helpers/stream-properties.js";

describe("stream translators fed random streams in random splits (property)", () => {
  test("OpenAI -> Anthropic: one terminal event; whole streams keep text and tool arguments", () => {
    fc.assert(
      fc.property(openAIStream, delivery, (s, d) => {
        const t = new OpenAIToAnthropicStream("client", "msg_prop");
        const out = feed(t, s.input, d);
        assert.equal(t.finished, true, "finished after end() or fail()");
        const { events, terminal } = checkAnthropicOut(out);
        assert.equal(
          t.push(Buffer.from("data: {}\n\n")) + t.end() + t.fail("late"),
          "",
          "silent once finished",
        );
        if (d.ending !== "whole") return;
        assert.equal(terminal, "message_stop");
        assert.equal(textOfAnthropic(events), s.text);
        const args = new Map<number, string>();
        for (const e of events) {
          const delta = e.data.delta as Json | undefined;
          if (delta?.type === "input_json_delta")
            args.set(
              e.data.index as number,
              (args.get(e.data.index as number) ?? "") + (delta.partial_json as string),
            );
        }
        assert.deepEqual(
          [...args.values()].map((a) => JSON.parse(a)),
          s.tools.map((x) => JSON.parse(x.args)),
        );
      }),
      { numRuns: RUNS },
    );
  });

  test("Gemini -> Anthropic: one terminal event; whole streams keep their text", () => {
    fc.assert(
      fc.property(geminiStream, delivery, (s, d) => {
        const t = new GeminiToAnthropicStream("client", "msg_prop");
        const out = feed(t, s.input, d);
        assert.equal(t.finished, true);
        const { events, terminal } = checkAnthropicOut(out);
        if (d.ending !== "whole") return;
        assert.equal(terminal, "message_stop");
        assert.equal(textOfAnthropic(events), s.text);
      }),
      { numRuns: RUNS },
    );
  });
});
