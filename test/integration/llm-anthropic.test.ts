import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import Anthropic from "@anthropic-ai/sdk";
import { post, startGateway, type TestGateway } from "../helpers/gateway.js";
import { DEFAULT_TEXT, type MockProvider, startMockProvider } from "../mocks/mock-provider.js";

const fixture = (name: string) =>
  JSON.parse(
    readFileSync(new URL(`../../../shared/fixtures/claude-code/${name}`, import.meta.url), "utf8"),
  ) as {
    headers: Array<[string, string]>;
    body: Record<string, unknown>;
  };

describe("Anthropic surface, passed through to an Anthropic-format provider", () => {
  let mock: MockProvider;
  let gw: TestGateway;
  let client: Anthropic;

  before(async () => {
    mock = await startMockProvider({ chunkSplit: "random", seed: 7 });
    gw = await startGateway({
      providers: { anthropic: { type: "anthropic", api_key: "sk-upstream-secret", base_url: mock.url } },
      models: { "claude-haiku-*": "anthropic/claude-haiku-4-5-real" },
    });
    client = new Anthropic({ baseURL: `${gw.url}/anthropic`, apiKey: gw.key, maxRetries: 0 });
  });
  after(async () => {
    await gw.close();
    await mock.close();
  });

  test("the SDK gets a JSON answer; the provider gets the provider key, never the virtual key", async () => {
    mock.reset();
    const msg = await client.messages.create({
      model: "claude-opus-4-8",
      max_tokens: 100,
      messages: [{ role: "user", content: "hi" }],
    });
    assert.equal(msg.content[0]?.type === "text" && msg.content[0].text, DEFAULT_TEXT);
    const seen = mock.requests[0]!;
    assert.equal(seen.headers["x-api-key"], "sk-upstream-secret");
    assert.ok(!JSON.stringify(seen.headers).includes(gw.key), "virtual key must not reach the provider");
    assert.equal(seen.model, "claude-opus-4-8");
  });

  test("streaming through the SDK, event by event, with usage recorded", async () => {
    mock.reset();
    const recP = gw.nextRecord();
    const stream = client.messages.stream({
      model: "claude-opus-4-8",
      max_tokens: 100,
      messages: [{ role: "user", content: "hi" }],
    });
    const final = await stream.finalMessage();
    assert.equal(final.content[0]?.type === "text" && final.content[0].text, DEFAULT_TEXT);
    const rec = await recP;
    assert.equal(rec.status, 200);
    assert.equal(rec.stream, true);
    assert.equal(rec.route, "anthropic/claude-opus-4-8");
    assert.ok(rec.usage.outputTokens > 0 && rec.usage.inputTokens > 0, JSON.stringify(rec.usage));
  });

  test("a real Claude Code request is forwarded byte for byte with its headers", async () => {
    mock.reset();
    const fx = fixture("say-hi.bearer.json");
    const raw = JSON.stringify(fx.body);
    const headers: Record<string, string> = {};
    for (const [k, v] of fx.headers) {
      if (
        !["host", "content-length", "connection", "authorization", "accept-encoding"].includes(
          k.toLowerCase(),
        )
      )
        headers[k] = v;
    }
    const res = await post(`${gw.url}/anthropic/v1/messages?beta=true`, raw, headers);
    assert.equal(res.status, 200);
    assert.match(res.text, /event: message_stop/);
    const seen = mock.requests[0]!;
    assert.equal(seen.body, raw, "body bytes unchanged");
    assert.equal(seen.headers["anthropic-beta"], headers["anthropic-beta"]);
    assert.equal(seen.headers["anthropic-version"], "2023-06-01");
    assert.equal(seen.headers["x-claude-code-session-id"], headers["X-Claude-Code-Session-Id"]);
  });

  test("an alias rewrites only the model", async () => {
    mock.reset();
    const res = await post(`${gw.url}/anthropic/v1/messages`, {
      model: "claude-haiku-4-5-20251001",
      max_tokens: 5,
      messages: [{ role: "user", content: "x" }],
    });
    assert.equal(res.status, 200);
    assert.equal(mock.requests[0]!.model, "claude-haiku-4-5-real");
    assert.equal(res.headers.get("x-gatehouse-route"), "anthropic/claude-haiku-4-5-real");
  });

  test("a model name with a control character is a 400; one with any other character is served", async () => {
    mock.reset();
    const bad = await post(`${gw.url}/anthropic/v1/messages`, {
      model: "anthropic/claude\u001b[2J",
      max_tokens: 5,
      messages: [{ role: "user", content: "x" }],
    });
    assert.equal(bad.status, 400, bad.text);
    assert.deepEqual(bad.json(), {
      type: "error",
      error: { type: "invalid_request_error", message: "model: contains a control character" },
    });
    assert.equal(mock.requests.length, 0);
    // A local model's name may be any text: the route header carries it percent-encoded.
    const odd = await post(`${gw.url}/anthropic/v1/messages`, {
      model: "anthropic/模型-é",
      max_tokens: 5,
      messages: [{ role: "user", content: "x" }],
    });
    assert.equal(odd.status, 200, odd.text);
    assert.equal(mock.requests[0]!.model, "模型-é");
    assert.equal(odd.headers.get("x-gatehouse-route"), `anthropic/${encodeURIComponent("模型-é")}`);
  });

  test("an alias writes the new model over the old one; every other byte is the client's", async () => {
    mock.reset();
    const fx = fixture("tool-loop.2-with-tool-result.json");
    // The client's own spacing and escapes, which a re-serialisation would normalise.
    const raw = JSON.stringify(
      { ...fx.body, model: "claude-haiku-4-5-20251001", stream: false },
      null,
      1,
    ).replace(/"role"/g, '"\\u0072ole"');
    const res = await post(`${gw.url}/anthropic/v1/messages`, raw);
    assert.equal(res.status, 200);
    assert.equal(
      mock.requests[0]!.body,
      raw.replace('"claude-haiku-4-5-20251001"', '"claude-haiku-4-5-real"'),
      "only the model's bytes changed",
    );
  });

  test("count_tokens uses the provider's own count", async () => {
    mock.reset();
    const fx = fixture("count-tokens.sample.json");
    const res = await post(`${gw.url}/anthropic/v1/messages/count_tokens?beta=true`, fx.body);
    assert.equal(res.status, 200);
    assert.equal(typeof (res.json() as { input_tokens: number }).input_tokens, "number");
    assert.equal(res.headers.get("x-gatehouse-token-count"), null);
    assert.match(mock.requests[0]!.path, /\/v1\/messages\/count_tokens/);
  });

  test("HEAD /anthropic answers (Claude Code probes it) and /models lists aliases", async () => {
    const head = await fetch(`${gw.url}/anthropic`, { method: "HEAD" });
    assert.equal(head.status, 200);
    const models = await client.models.list();
    assert.ok(Array.isArray(models.data));
  });

  test("missing and wrong keys get Anthropic 401 errors", async () => {
    const none = await fetch(`${gw.url}/anthropic/v1/messages`, { method: "POST", body: "{}" });
    assert.equal(none.status, 401);
    assert.deepEqual(Object.keys((await none.json()) as object).sort(), ["error", "type"]);
    const wrong = new Anthropic({ baseURL: `${gw.url}/anthropic`, apiKey: "gk-wrong", maxRetries: 0 });
    await assert.rejects(
      wrong.messages.create({
        model: "claude-opus-4-8",
        max_tokens: 5,
        messages: [{ role: "user", content: "x" }],
      }),
      (e: unknown) => e instanceof Anthropic.AuthenticationError,
    );
  });

  test("bad input: malformed JSON, wrong types, unknown model, oversized body", async () => {
    const bad = await post(`${gw.url}/anthropic/v1/messages`, "{ not json");
    assert.equal(bad.status, 400);
    assert.match(bad.text, /invalid_request_error/);
    const types = await post(`${gw.url}/anthropic/v1/messages`, { model: 5, messages: "x", max_tokens: 1 });
    assert.equal(types.status, 400);
    assert.match((types.json() as { error: { message: string } }).error.message, /^model:/);
    const noTokens = await post(`${gw.url}/anthropic/v1/messages`, { model: "m", messages: [] });
    assert.match(noTokens.text, /max_tokens/);
    const unknown = await post(`${gw.url}/v1/chat/completions`, { model: "gpt-5", messages: [] });
    assert.equal(unknown.status, 404, "no OpenAI-type provider configured");
    assert.match(unknown.text, /"error"/);
  });

  test("upstream errors keep their status and type; retry-after reaches the client", async () => {
    mock.reset();
    mock.script(
      { kind: "error", status: 529, message: "Overloaded" },
      { kind: "error", status: 529, message: "Overloaded" },
    );
    const res = await post(`${gw.url}/anthropic/v1/messages`, {
      model: "claude-opus-4-8",
      max_tokens: 5,
      messages: [{ role: "user", content: "x" }],
    });
    assert.equal(res.status, 529);
    assert.equal((res.json() as { error: { type: string } }).error.type, "overloaded_error");
    assert.equal(mock.requests.length, 2, "one retry by default");
  });
});
