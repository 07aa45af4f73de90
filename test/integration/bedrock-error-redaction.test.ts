// Bedrock's in-stream exceptions are redacted like every other provider's error events: a
// `validationException` (or any other) whose message quotes a key reaches the client, on either
// surface, and the request log with the key replaced. The mock provider speaks the binary event
// stream, split into small chunks; the fake key is built at run time.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { post, startGateway, type TestGateway } from "../helpers/gateway.js";
import { chat, sseEvents as events, msg } from "../helpers/llm.js";
import { type MockProvider, startMockProvider } from "../mocks/mock-provider.js";

const fakeAnthropicKey = () => `${"sk-"}${"ant-"}${randomBytes(24).toString("base64url")}`;
const MODEL = "bed/anthropic.claude-sonnet-4-5-20250929-v1:0";

describe("Bedrock in-stream errors are redacted", () => {
  let mock: MockProvider;
  let gw: TestGateway;

  before(async () => {
    mock = await startMockProvider({ chunkSplit: 7 });
    gw = await startGateway({
      providers: {
        bed: {
          type: "bedrock",
          base_url: mock.url,
          region: "us-west-2",
          access_key_id: "AKIDEXAMPLE",
          secret_access_key: randomBytes(20).toString("base64"),
        },
      },
    });
  });
  after(async () => {
    await gw?.close();
    await mock?.close();
  });

  async function loggedError(id: string): Promise<string> {
    await gw.gateway.logs.flush();
    const row = await gw.gateway.logs.store.getRequest(id);
    assert.ok(row?.error, "the failure is logged");
    return row.error;
  }

  test("on /anthropic: the error event and the log hold no key", async () => {
    const key = fakeAnthropicKey();
    mock.script({
      kind: "stream-error",
      afterEvents: 3,
      status: 400,
      message: `The provided key ${key} is not valid for this model`,
    });
    const recP = gw.nextRecord();
    const res = await post(`${gw.url}/anthropic/v1/messages`, msg(MODEL, true));
    assert.equal(res.status, 200);
    assert.ok(!res.text.includes(key.slice(7, 20)), res.text);
    const evs = events(res.text);
    assert.equal(evs[0]?.[0], "message_start", "the stream before the error passes as before");
    const last = evs.at(-1)!;
    assert.equal(last[0], "error");
    const error = (last[1] as { error: { type: string; message: string } }).error;
    assert.equal(error.type, "invalid_request_error");
    assert.match(
      error.message,
      /^bedrock: validationException: The provided key sk-ant-\[REDACTED\] is not valid/,
    );
    const rec = await recP;
    assert.equal(rec.status, 502);
    const logged = await loggedError(rec.id);
    assert.ok(!logged.includes(key.slice(7, 20)), logged);
    assert.match(logged, /REDACTED/);
  });

  test("on /v1 (translated to OpenAI chunks): the error chunk holds no key", async () => {
    const key = fakeAnthropicKey();
    mock.script({
      kind: "stream-error",
      afterEvents: 2,
      status: 429,
      message: `too many requests for x-api-key ${key}`,
    });
    const recP = gw.nextRecord();
    const res = await post(`${gw.url}/v1/chat/completions`, chat(MODEL, true));
    assert.equal(res.status, 200);
    assert.ok(!res.text.includes(key.slice(7, 20)), res.text);
    assert.match(res.text, /too many requests for x-api-key sk-ant-\[REDACTED\]/);
    const logged = await loggedError((await recP).id);
    assert.ok(!logged.includes(key.slice(7, 20)), logged);
  });
});
