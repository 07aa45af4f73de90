// A provider's error as the client sees it: the status kept, the Anthropic error type the status
// calls for (Claude Code acts on the type), and the message saying which provider said it.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { upstreamErrorToNeutral } from "../../gateway/src/llm/translate/errors.js";
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
