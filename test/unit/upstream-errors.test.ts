// A provider's error as the client sees it: the status kept, the Anthropic error type the status
// calls for (Claude Code acts on the type), and the message saying which provider said it.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { upstreamErrorToNeutral } from "../../gateway/src/llm/translate/errors.js";
import { OpenAIToAnthropicStream } from "../../gateway/src/llm/translate/openai-to-anthropic-stream.js";
import { fakeToken } from "../helpers/fake-secrets.js";

const FAKE_KEY = fakeToken("sk-proj-");
const openAIBadKey = JSON.stringify({
  error: {
    message: `Incorrect API key provided: ${FAKE_KEY}.`,
    type: "invalid_request_error",
    param: null,
    code: "invalid_api_key",
  },
});

describe("upstream errors", () => {
  test("an OpenAI 401 reaches an Anthropic client as authentication_error, blamed on the provider's key", () => {
    const e = upstreamErrorToNeutral(401, openAIBadKey, "openai");
    assert.equal(e.status, 401);
    assert.equal(e.type, "authentication_error");
    assert.match(e.message, /^openai: Incorrect API key provided: /);
    assert.match(e.message, /the provider refused the API key Gatehouse holds for openai/);
    assert.ok(!e.message.includes(FAKE_KEY), "the key is redacted");
  });

  test("statuses with a type of their own keep it whatever the upstream calls the error", () => {
    const body = (type: string) => JSON.stringify({ error: { type, message: "m" } });
    assert.equal(upstreamErrorToNeutral(403, body("invalid_request_error"), "p").type, "permission_error");
    assert.equal(upstreamErrorToNeutral(404, body("invalid_request_error"), "p").type, "not_found_error");
    assert.equal(upstreamErrorToNeutral(429, body("insufficient_quota_error"), "p").type, "rate_limit_error");
  });

  test("where the status leaves it open, the upstream's own type is kept", () => {
    const body = JSON.stringify({
      type: "error",
      error: { type: "overloaded_error", message: "Overloaded" },
    });
    assert.equal(upstreamErrorToNeutral(500, body, "anthropic").type, "overloaded_error");
    const bad = JSON.stringify({
      error: { type: "invalid_request_error", message: "max_tokens: too large" },
    });
    const e = upstreamErrorToNeutral(400, bad, "anthropic");
    assert.deepEqual(e, {
      status: 400,
      type: "invalid_request_error",
      message: "anthropic: max_tokens: too large",
    });
  });
});

describe("upstream error types outside Anthropic's vocabulary", () => {
  test("OpenAI's server_error on a 500 reaches an Anthropic client as api_error", () => {
    const body = JSON.stringify({ error: { type: "server_error", message: "The server had an error" } });
    assert.equal(upstreamErrorToNeutral(500, body, "openai").type, "api_error");
  });

  test("mid-stream OpenAI errors become Anthropic types", () => {
    const stream = (err: Record<string, unknown>) => {
      const t = new OpenAIToAnthropicStream("c", "msg_e");
      const out = t.push(Buffer.from(`data: ${JSON.stringify({ error: err })}\n\n`));
      return (JSON.parse(/^data: (.*)$/m.exec(out)![1]!) as { error: { type: string } }).error.type;
    };
    assert.equal(stream({ type: "server_error", message: "x" }), "api_error");
    assert.equal(stream({ type: "tokens", code: "rate_limit_exceeded", message: "x" }), "rate_limit_error");
    assert.equal(stream({ type: "overloaded_error", message: "x" }), "overloaded_error");
  });
});

describe("context window overflows reach Claude Code in Anthropic's words", () => {
  const openAI = (message: string, code: string | null = "context_length_exceeded") =>
    JSON.stringify({ error: { message, type: "invalid_request_error", param: "messages", code } });
  const cases: Array<[string, number, string, string]> = [
    [
      "OpenAI: messages alone too long",
      400,
      openAI(
        "This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens. Please reduce the length of the messages.",
      ),
      "prompt is too long: 130512 tokens > 128000 maximum",
    ],
    [
      "OpenAI (newer models)",
      400,
      openAI(
        "Input tokens exceed the configured limit of 272000 tokens. Your messages resulted in 300001 tokens. Please reduce the length of the messages.",
      ),
      "prompt is too long: 300001 tokens > 272000 maximum",
    ],
    [
      "vLLM / DeepSeek: messages plus max_tokens",
      400,
      openAI(
        "This model's maximum context length is 131072 tokens. However, you requested 134000 tokens (70000 in the messages, 64000 in the completion). Please reduce the length of the messages or completion.",
        null,
      ),
      "input length and `max_tokens` exceed context limit: 70000 + 64000 > 131072",
    ],
    [
      "vLLM: max_tokens too large for what is left",
      400,
      openAI(
        "'max_tokens' or 'max_completion_tokens' is too large: 32000. This model's maximum context length is 32768 tokens and your request has 8000 input tokens (32000 > 32768 - 8000).",
        null,
      ),
      "input length and `max_tokens` exceed context limit: 8000 + 32000 > 32768",
    ],
    [
      "Gemini",
      400,
      JSON.stringify({
        error: {
          code: 400,
          status: "INVALID_ARGUMENT",
          message: "The input token count (1196611) exceeds the maximum number of tokens allowed (1048576).",
        },
      }),
      "prompt is too long: 1196611 tokens > 1048576 maximum",
    ],
    [
      "llama.cpp",
      400,
      JSON.stringify({
        error: {
          code: 400,
          type: "exceed_context_size_error",
          message: "the request exceeds the available context size, try increasing it",
        },
      }),
      "prompt is too long",
    ],
  ];
  for (const [name, status, body, expected] of cases) {
    test(name, () => {
      const e = upstreamErrorToNeutral(status, body, "p");
      assert.equal(e.status, 400);
      assert.equal(e.type, "invalid_request_error");
      assert.ok(e.message.startsWith(`${expected} (p: `), e.message);
    });
  }

  test("Anthropic's own wording and unrelated 400s are left as they are", () => {
    const own = JSON.stringify({
      type: "error",
      error: { type: "invalid_request_error", message: "prompt is too long: 215692 tokens > 200000 maximum" },
    });
    assert.equal(
      upstreamErrorToNeutral(400, own, "anthropic").message,
      "anthropic: prompt is too long: 215692 tokens > 200000 maximum",
    );
    const other = openAI("Invalid 'messages[2].content': string too long.", "string_above_max_length");
    assert.equal(
      upstreamErrorToNeutral(400, other, "openai").message,
      "openai: Invalid 'messages[2].content': string too long.",
    );
  });
});
