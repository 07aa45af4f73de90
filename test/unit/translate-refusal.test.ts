/**
 * An OpenAI model's refusal (message.refusal, or delta.refusal in a stream) reaches an Anthropic
 * client as stop_reason "refusal", as Claude's own refusals do; its text is kept.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { openAIToAnthropicResponse } from "../../gateway/src/llm/translate/anthropic-to-openai.js";
import { OpenAIToAnthropicStream } from "../../gateway/src/llm/translate/openai-to-anthropic-stream.js";
import type { OpenAIResponse } from "../../gateway/src/llm/wire/openai.js";

const SORRY = "I'm sorry, I can't help with that.";

describe("OpenAI refusals", () => {
  test("JSON: message.refusal with finish_reason stop is a refusal", () => {
    const res: OpenAIResponse = {
      id: "chatcmpl-1",
      object: "chat.completion",
      created: 1,
      model: "gpt-5",
      choices: [
        { index: 0, message: { role: "assistant", content: null, refusal: SORRY }, finish_reason: "stop" },
      ],
      usage: { prompt_tokens: 5, completion_tokens: 9, total_tokens: 14 },
    };
    const msg = openAIToAnthropicResponse(res, "claude");
    assert.equal(msg.stop_reason, "refusal");
    assert.deepEqual(msg.content, [{ type: "text", text: SORRY }]);
  });

  test("stream: refusal deltas end with stop_reason refusal", () => {
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const t = new OpenAIToAnthropicStream("claude", "msg_r");
    const out =
      t.push(Buffer.from(chunk({ role: "assistant", refusal: "I'm sorry, " }) + chunk({ refusal: "no." }))) +
      t.push(Buffer.from(`${chunk({}, "stop")}data: [DONE]\n\n`)) +
      t.end();
    assert.match(out, /"text_delta","text":"I'm sorry, "/);
    assert.match(out, /"stop_reason":"refusal"/);
  });
});
