// Anthropic's cache_control -> Converse cache points, for models with prompt caching (Amazon Nova):
// after the system prompt and after each marked message block, never first in a turn, at most four.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { converseCachePoints } from "../../gateway/src/llm/providers/bedrock/converse-models.js";
import { anthropicToConverseRequest } from "../../gateway/src/llm/translate/anthropic-to-converse.js";
import type { AnthropicRequest } from "../../gateway/src/llm/wire/anthropic.js";

const POINT = { cachePoint: { type: "default" } };
const ephemeral = { type: "ephemeral" as const };
const marked = (text: string) => ({ type: "text" as const, text, cache_control: ephemeral });
const body = (r: Partial<AnthropicRequest>): AnthropicRequest => ({
  model: "m",
  max_tokens: 100,
  messages: [],
  ...r,
});

describe("cache points for Converse models with prompt caching", () => {
  test("Amazon Nova takes them (foundation id, inference profile, ARN); other Converse models do not", () => {
    for (const m of [
      "amazon.nova-pro-v1:0",
      "us.amazon.nova-lite-v1:0",
      "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0",
    ])
      assert.equal(converseCachePoints(m), true, m);
    for (const m of [
      "meta.llama3-3-70b-instruct-v1:0",
      "mistral.mistral-large-2407-v1:0",
      "amazon.titan-text-express-v1",
    ])
      assert.equal(converseCachePoints(m), false, m);
  });

  test("the system prompt is cached whole, and a marked message block gets a point right after it", () => {
    const out = anthropicToConverseRequest(
      body({
        system: [
          { type: "text", text: "x-anthropic-billing-header: cc_version=2" },
          marked("You are Claude Code."),
        ],
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "<reminder>" },
              marked("Fix the bug."),
              { type: "text", text: "tail" },
            ],
          },
        ],
      }),
      undefined,
      { cachePoints: true },
    );
    assert.deepEqual(out.system, [{ text: "You are Claude Code." }, POINT]);
    assert.deepEqual(out.messages[0]!.content, [
      { text: "<reminder>" },
      { text: "Fix the bug." },
      POINT,
      { text: "tail" },
    ]);
  });

  test("without prompt caching, cache_control is left out as before", () => {
    const out = anthropicToConverseRequest(
      body({ system: [marked("S")], messages: [{ role: "user", content: [marked("Q")] }] }),
    );
    assert.deepEqual(out.system, [{ text: "S" }]);
    assert.deepEqual(out.messages[0]!.content, [{ text: "Q" }]);
  });

  test("at most four points, the system's counted first; a dropped block gives none to a turn's start", () => {
    const out = anthropicToConverseRequest(
      body({
        system: [marked("S")],
        messages: [
          { role: "user", content: [marked("   "), marked("a")] },
          { role: "assistant", content: [marked("b")] },
          { role: "user", content: [marked("c")] },
          { role: "assistant", content: [marked("d")] },
          { role: "user", content: [marked("e")] },
        ],
      }),
      undefined,
      { cachePoints: true },
    );
    const points = JSON.stringify(out).split('"cachePoint"').length - 1;
    assert.equal(points, 4);
    assert.deepEqual(out.system, [{ text: "S" }, POINT]);
    assert.deepEqual(
      out.messages[0]!.content,
      [{ text: "a" }, POINT],
      "the blank block is dropped, no point before a",
    );
    assert.deepEqual(out.messages[4]!.content, [{ text: "e" }], "past the limit, no point");
  });
});
