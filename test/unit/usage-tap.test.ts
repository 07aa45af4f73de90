// The OpenAI pass-through tap skips JSON.parse for chunks whose only usage is `"usage":null`
// (every chunk, once usage is asked for). It must forward, drop and count exactly as parsing
// every chunk did: the reference below is that logic.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import type { Usage } from "../../gateway/src/llm/usage.js";
import { OpenAISseTap, openAIUsage } from "../../gateway/src/llm/usage-tap.js";

/** The tap's rule, parsing every chunk: whether it reaches the client, and the usage it carries. */
function reference(data: string): { keep: boolean; usage: Usage | undefined } {
  if (!data.includes('"usage"')) return { keep: true, usage: undefined };
  try {
    const obj = JSON.parse(data) as Record<string, unknown> | null;
    const usage = obj?.usage ? openAIUsage(obj.usage) : undefined;
    const choices = obj?.choices;
    return { keep: !(Array.isArray(choices) && choices.length === 0), usage };
  } catch {
    return { keep: true, usage: undefined };
  }
}

// Text that looks like the keys the tap looks for, inside strings (where quotes are escaped).
const tricky = fc.constantFrom(
  "hello",
  '"usage":{"prompt_tokens":7}',
  '"usage":null',
  '"choices":[]',
  '{"usage": {"completion_tokens": 3}}',
  "usage",
  "\\",
  "→ 🤖",
);
const text = fc.array(fc.oneof(tricky, fc.string({ maxLength: 8 })), { maxLength: 4 }).map((a) => a.join(""));
const usageValue = fc.oneof(
  fc.constant(null),
  fc.record({ prompt_tokens: fc.nat(1000), completion_tokens: fc.nat(1000), total_tokens: fc.nat(2000) }),
);
const chunk = fc.record(
  {
    id: fc.constant("chatcmpl-1"),
    object: fc.constantFrom("chat.completion.chunk", "usage"),
    choices: fc.oneof(
      fc.constant([]),
      text.map((t) => [{ index: 0, delta: { content: t }, finish_reason: null }]),
    ),
    usage: usageValue,
    nested: fc.record({ usage: usageValue, choices: fc.constantFrom([], [1]) }),
  },
  { requiredKeys: ["id"] },
);
// JSON text as providers write it, compact or spaced.
const chunkText = fc
  .tuple(chunk, fc.boolean())
  .map(([c, spaced]) => (spaced ? JSON.stringify(c, null, 1).replace(/\n/g, " ") : JSON.stringify(c)));

describe("OpenAI usage tap (property)", () => {
  test("forwards, drops and counts every chunk as parsing each one would", () => {
    fc.assert(
      fc.property(fc.array(chunkText, { maxLength: 8 }), fc.boolean(), (datas, drop) => {
        const tap = new OpenAISseTap(drop);
        let want = "";
        let usage: Usage | undefined;
        for (const d of datas) {
          const r = reference(d);
          if (r.usage) usage = r.usage;
          if (!drop || r.keep) want += `data: ${d}\n\n`;
        }
        let got = "";
        for (const d of datas) got += tap.filter(Buffer.from(`data: ${d}\n\n`)).toString();
        got += tap.end();
        assert.equal(got, want);
        if (usage) assert.deepEqual(tap.usage, usage);
        else assert.deepEqual(tap.usage, openAIUsage(undefined));
      }),
      { numRuns: 1000 },
    );
  });
});
