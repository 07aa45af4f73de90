// A provider that quotes a secret in an error event mid-stream on the pass-through path (Anthropic to
// Anthropic, OpenAI to OpenAI): the client and the request log see it redacted, even when the
// provider's bytes arrive in small chunks that split the key. Fake keys are built at run time.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { post, startGateway, type TestGateway } from "../helpers/gateway.js";
import { chat, sseEvents as events, msg } from "../helpers/llm.js";
import { type MockProvider, startMockProvider } from "../mocks/mock-provider.js";

const fakeAnthropicKey = () => `${"sk-"}${"ant-"}api03-${randomBytes(24).toString("base64url")}`;
const fakeBearer = () => `${randomBytes(20).toString("hex")}.${randomBytes(12).toString("hex")}`;

describe("pass-through error events are redacted", () => {
  let whole: MockProvider;
  let split: MockProvider;
  let oneChunk: MockProvider;
  let gw: TestGateway;

  before(async () => {
    whole = await startMockProvider();
    // 7-byte chunks: every secret arrives in pieces.
    split = await startMockProvider({ chunkSplit: 7 });
    // The whole answer in one write: the stream ends while its first chunk is being read.
    oneChunk = await startMockProvider({ chunkSplit: 1 << 20 });
    gw = await startGateway({
      providers: {
        ant: { type: "anthropic", base_url: whole.url },
        antsplit: { type: "anthropic", base_url: split.url },
        antone: { type: "anthropic", base_url: oneChunk.url },
        gemone: { type: "gemini", api_key: "g", base_url: `${oneChunk.url}/v1beta` },
        oai: { type: "openai", api_key: "x", base_url: `${split.url}/v1` },
      },
    });
  });
  after(async () => {
    await gw?.close();
    await Promise.all([whole?.close(), split?.close(), oneChunk?.close()]);
  });

  for (const provider of ["ant", "antsplit"] as const) {
    test(`Anthropic stream (${provider}): the client's error event and the log hold no key`, async () => {
      const key = fakeAnthropicKey();
      const bearer = fakeBearer();
      (provider === "ant" ? whole : split).script({
        kind: "stream-error",
        afterEvents: 3,
        status: 401,
        message: `invalid x-api-key ${key} (sent as Authorization: Bearer ${bearer})`,
      });
      const recP = gw.nextRecord();
      const res = await post(`${gw.url}/anthropic/v1/messages`, msg(`${provider}/claude-x`, true));
      assert.equal(res.status, 200);
      assert.ok(!res.text.includes(key.slice(7, 20)), "no part of the key reaches the client");
      assert.ok(!res.text.includes(bearer.slice(0, 12)), "nor the bearer token");
      const evs = events(res.text);
      assert.equal(evs[0]?.[0], "message_start", "the stream itself passes as before");
      const last = evs.at(-1)!;
      assert.equal(last[0], "error");
      assert.match(
        (last[1] as { error: { message: string } }).error.message,
        /invalid x-api-key sk-ant-\[REDACTED\]/,
      );
      const rec = await recP;
      await gw.gateway.logs.flush();
      const row = await gw.gateway.logs.store.getRequest(rec.id);
      assert.ok(row?.error, "the failure is logged");
      assert.ok(!row.error.includes(key.slice(7, 20)) && !row.error.includes(bearer.slice(0, 12)), row.error);
    });
  }

  test("OpenAI stream, split into small chunks: the error chunk is redacted", async () => {
    const key = fakeAnthropicKey();
    split.script({
      kind: "stream-error",
      afterEvents: 2,
      status: 500,
      message: `upstream said: api_key=${key}`,
    });
    const res = await post(`${gw.url}/v1/chat/completions`, chat("oai/gpt-4o", true));
    assert.equal(res.status, 200);
    assert.ok(!res.text.includes(key.slice(7, 20)), res.text);
    const last = events(res.text).at(-1)!;
    assert.match(JSON.stringify(last[1]), /REDACTED/);
    // The content before the error arrived intact.
    assert.ok(events(res.text).length >= 2);
  });

  test("a healthy split stream passes byte for byte", async () => {
    split.script({
      kind: "text",
      text: "sk-not-a-secret-but-looks-like-one-0000000000 stays as the model wrote it",
    });
    const res = await post(`${gw.url}/anthropic/v1/messages`, msg("antsplit/claude-x", true));
    assert.equal(res.status, 200);
    const text = events(res.text)
      .map(([, d]) => (d as { delta?: { text?: string } }).delta?.text ?? "")
      .join("");
    assert.match(
      text,
      /sk-not-a-secret-but-looks-like-one-0000000000 stays/,
      "no redaction without an error",
    );
    assert.equal(events(res.text).at(-1)?.[0], "message_stop");
  });

  for (const model of ["antone/claude-x", "gemone/gemini-2.5-flash"]) {
    test(`a stream that arrives in a single chunk ends (${model.split("/")[0]}), it does not hang`, async () => {
      oneChunk.script({ kind: "tool_use", tools: [{ name: "echo__echo", input: { message: "hi" } }] });
      const res = await post(`${gw.url}/anthropic/v1/messages`, { ...msg(model, true) });
      assert.equal(res.status, 200);
      assert.equal(events(res.text).at(-1)?.[0], "message_stop");
    });
  }
});
