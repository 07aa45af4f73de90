// Gemini's answers back in Anthropic's form: a whole response (geminiToAnthropicResponse) and its
// error bodies (upstreamErrorToNeutral).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { geminiToAnthropicResponse } from "../../gateway/src/llm/translate/anthropic-to-gemini.js";
import { upstreamErrorToNeutral } from "../../gateway/src/llm/translate/errors.js";
import type { GeminiResponse } from "../../gateway/src/llm/wire/gemini.js";

type Json = Record<string, unknown>;

describe("geminiToAnthropicResponse", () => {
  const usage = {
    promptTokenCount: 1000,
    cachedContentTokenCount: 600,
    candidatesTokenCount: 50,
    thoughtsTokenCount: 30,
  };
  test("text, thinking, usage", () => {
    const res = geminiToAnthropicResponse(
      {
        candidates: [
          {
            content: {
              role: "model",
              parts: [{ text: "hm", thought: true }, { text: "Hel" }, { text: "lo" }, { text: "" }],
            },
            finishReason: "STOP",
          },
        ],
        usageMetadata: usage,
      },
      "claude-sonnet-4-5",
    );
    assert.equal(res.model, "claude-sonnet-4-5");
    assert.match(res.id, /^msg_/);
    assert.deepEqual(res.content, [
      { type: "thinking", thinking: "hm", signature: "" },
      { type: "text", text: "Hello" },
    ]);
    assert.equal(res.stop_reason, "end_turn");
    assert.deepEqual(res.usage, {
      input_tokens: 400,
      output_tokens: 80,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 600,
    });
  });

  test("finish reasons", () => {
    const cases: Array<[GeminiResponse, string]> = [
      [{ candidates: [{ finishReason: "MAX_TOKENS", content: { parts: [{ text: "x" }] } }] }, "max_tokens"],
      [{ candidates: [{ finishReason: "SAFETY" }] }, "refusal"],
      [{ candidates: [{ finishReason: "RECITATION" }] }, "refusal"],
      [{ candidates: [{ finishReason: "PROHIBITED_CONTENT" }] }, "refusal"],
      [{ candidates: [{ finishReason: "BLOCKLIST" }] }, "refusal"],
      [{ promptFeedback: { blockReason: "SAFETY" } }, "refusal"],
      [
        { candidates: [{ finishReason: "STOP", content: { parts: [{ functionCall: { name: "f" } }] } }] },
        "tool_use",
      ],
      [{ candidates: [{ finishReason: "OTHER" }] }, "end_turn"],
    ];
    for (const [res, stop] of cases) assert.equal(geminiToAnthropicResponse(res, "m").stop_reason, stop);
    const call = geminiToAnthropicResponse(cases[6]![0], "m").content[0];
    assert.deepEqual(call?.type === "tool_use" && call.input, {});
  });
});

describe("Gemini error bodies through upstreamErrorToNeutral", () => {
  test("table", () => {
    const cases: Array<[number, Json, string, string]> = [
      [
        400,
        { error: { code: 400, message: "Invalid JSON payload", status: "INVALID_ARGUMENT" } },
        "invalid_request_error",
        "gemini: Invalid JSON payload",
      ],
      [
        403,
        { error: { code: 403, message: "Permission denied", status: "PERMISSION_DENIED" } },
        "permission_error",
        "gemini: Permission denied",
      ],
      [
        429,
        { error: { code: 429, message: "Quota exceeded", status: "RESOURCE_EXHAUSTED" } },
        "rate_limit_error",
        "gemini: Quota exceeded",
      ],
      [
        503,
        {
          error: {
            code: 503,
            message: "The model is overloaded. Please try again later.",
            status: "UNAVAILABLE",
          },
        },
        "overloaded_error",
        "gemini: The model is overloaded. Please try again later.",
      ],
      [
        500,
        { error: { code: 500, message: "Internal error", status: "INTERNAL" } },
        "api_error",
        "gemini: Internal error",
      ],
    ];
    for (const [status, body, type, message] of cases) {
      assert.deepEqual(upstreamErrorToNeutral(status, JSON.stringify(body), "gemini"), {
        status,
        type,
        message,
      });
    }
  });
});
