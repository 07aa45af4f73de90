/**
 * A Claude Code session that switches model (/model) keeps its history: thinking blocks another
 * provider produced through the gateway must not reach Anthropic, which checks every signature and
 * refuses the whole request ("Invalid `signature` in `thinking` block").
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ChatBody } from "../../gateway/src/llm/chat-body.js";
import { codecsFor } from "../../gateway/src/llm/codec.js";

type Json = Record<string, unknown>;

function sentToAnthropic(thinking: Json): Json[] {
  const body = {
    model: "claude-opus-4-8",
    max_tokens: 100,
    messages: [
      { role: "user", content: "hi" },
      { role: "assistant", content: [thinking, { type: "text", text: "Hello." }] },
      { role: "user", content: "and now?" },
    ],
  };
  const chat = ChatBody.read(Buffer.from(JSON.stringify(body)));
  const payload = codecsFor("anthropic", chat.json)("anthropic").request(chat, "claude-opus-4-8");
  const messages = payload.json.messages as Array<{ content: Json[] }>;
  return messages[1]!.content;
}

describe("thinking from another provider, sent on to Anthropic", () => {
  test("Gemini's thought (signature gemini:...) is dropped; the answer stays", () => {
    const content = sentToAnthropic({ type: "thinking", thinking: "hmm", signature: "gemini:CiQBjz1rX" });
    assert.deepEqual(content, [{ type: "text", text: "Hello." }]);
  });

  test("an OpenAI-compatible model's reasoning (no signature) is dropped", () => {
    const content = sentToAnthropic({ type: "thinking", thinking: "hmm", signature: "" });
    assert.deepEqual(content, [{ type: "text", text: "Hello." }]);
  });

  test("Claude's own signed thinking is kept", () => {
    const own = { type: "thinking", thinking: "hmm", signature: "EqQBCkYIBxgCKkB" };
    assert.deepEqual(sentToAnthropic(own)[0], own);
  });
});
