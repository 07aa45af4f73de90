// Property: the pass-through usage taps (Anthropic and OpenAI SSE), fed random streams in random
// chunk splits, never throw and see the end only when the stream has one.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { AnthropicSseTap, OpenAISseTap } from "../../gateway/src/llm/usage-tap.js";
import {
  anthropicStream,
  type Delivery,
  delivery,
  openAIStream,
  RUNS,
  sse,
} from "../helpers/stream-properties.js";

describe("stream translators fed random streams in random splits (property)", () => {
  test("the pass-through usage taps never throw and see the end only when the stream has one", () => {
    const pieces = (bytes: Buffer, d: Delivery) => {
      const n = d.ending === "whole" ? bytes.length : Math.floor(bytes.length * d.at);
      const cuts = [...new Set(d.splits.map((f) => Math.floor(f * n)))].sort((x, y) => x - y).concat(n);
      return cuts.map((c, i) => bytes.subarray(i === 0 ? 0 : cuts[i - 1], c));
    };
    fc.assert(
      fc.property(anthropicStream, openAIStream, delivery, (a, o, d) => {
        const tap = new AnthropicSseTap();
        const parts = pieces(Buffer.from(a.input), d);
        for (const p of parts) tap.observe(p);
        tap.end();
        const seen = Buffer.concat(parts).toString();
        if (d.ending === "whole") {
          assert.equal(tap.finished, true);
          assert.equal(tap.usage.inputTokens, 5);
          if (!a.error) assert.equal(tap.usage.outputTokens, 9);
        } else if (tap.finished) assert.ok(/message_stop|event: error/.test(seen));

        const otap = new OpenAISseTap(true);
        let passed = "";
        for (const p of pieces(Buffer.from(o.input), d)) passed += otap.filter(p).toString();
        passed += otap.end();
        // The usage-only chunk the gateway asked for is dropped; every other event passes as it was.
        const want = sse(o.input.slice(0, d.ending === "whole" ? undefined : 0))
          .map((e) => e.data)
          .filter((x) => !x.includes('"choices":[],'));
        if (d.ending === "whole") {
          assert.deepEqual(
            sse(passed).map((e) => e.data),
            want,
          );
          assert.equal(otap.finished, o.input.includes("[DONE]"));
          if (o.input.includes('"usage"')) assert.equal(otap.usage.outputTokens, 3);
        }
        assert.ok(!passed.includes('"choices":[],'));
      }),
      { numRuns: RUNS },
    );
  });
});
