// Upstream faults: fallbacks, retries, error pages, invalid answers and broken streams. Every failure
// reaches the client in its own protocol, and the gateway keeps serving. (Timeouts: llm-timeouts.)
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { post, startGateway, type TestGateway } from "../helpers/gateway.js";
import { chat, sseEvents as events, freePort, msg } from "../helpers/llm.js";
import { DEFAULT_TEXT, type MockProvider, startMockProvider } from "../mocks/mock-provider.js";

const HTML_PAGE =
  "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>nginx</p></body></html>";
const T = { timeout: 15_000 };

describe("upstream faults", () => {
  let a: MockProvider;
  let b: MockProvider;
  let gw: TestGateway;
  let anthropic: Anthropic;
  let openai: OpenAI;

  before(async () => {
    a = await startMockProvider();
    b = await startMockProvider({ chunkSplit: 7 });
    const dead = await freePort();
    gw = await startGateway({
      providers: {
        a: { type: "anthropic", api_key: "ka", base_url: a.url },
        b: { type: "anthropic", api_key: "kb", base_url: b.url },
        dead: { type: "anthropic", api_key: "kd", base_url: `http://127.0.0.1:${dead}` },
        oa: { type: "openai-compatible", api_key: "ko", base_url: `${a.url}/v1` },
        gem: { type: "gemini", api_key: "kg", base_url: `${b.url}/v1beta` },
        bed: {
          type: "bedrock",
          base_url: b.url,
          access_key_id: "AKIDEXAMPLE",
          secret_access_key: "secret",
        },
      },
      models: {
        fb: ["a/claude-x", "b/claude-y"],
        "dead-fb": ["dead/claude-x", "b/claude-y"],
        solo: "a/claude-x",
        "gpt-fb": ["oa/gpt-4o", "b/claude-y"],
      },
      settings: { retries: 1, max_retry_after_ms: 1000 },
    });
    anthropic = new Anthropic({ baseURL: `${gw.url}/anthropic`, apiKey: gw.key, maxRetries: 0 });
    openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: gw.key, maxRetries: 0 });
  });
  after(async () => {
    await gw?.close();
    await a?.close();
    await b?.close();
  });
  const reset = () => {
    a.reset();
    b.reset();
  };

  for (const status of [429, 500, 529]) {
    test(`${status} on the first route (after its retry) is answered by the fallback`, async () => {
      reset();
      a.script({ kind: "error", status }, { kind: "error", status });
      const recP = gw.nextRecord();
      const res = await anthropic.messages.create(msg("fb") as Anthropic.MessageCreateParamsNonStreaming);
      assert.equal(res.content[0]?.type === "text" && res.content[0].text, DEFAULT_TEXT);
      assert.equal(a.requests.length, 2, "one retry on the first route");
      assert.equal(b.requests.length, 1);
      assert.equal(b.requests[0]!.model, "claude-y");
      const rec = await recP;
      assert.equal(rec.status, 200);
      assert.equal(rec.route, "b/claude-y");
      assert.deepEqual(rec.fallbacks, ["a/claude-x"]);
      assert.equal(rec.attempts, 3);
    });
  }

  test("a streamed request falls back before any byte reaches the client", async () => {
    reset();
    a.script({ kind: "error", status: 529 }, { kind: "error", status: 529 });
    const recP = gw.nextRecord();
    const final = await anthropic.messages
      .stream(msg("fb", true) as Anthropic.MessageCreateParamsStreaming)
      .finalMessage();
    assert.equal(final.content[0]?.type === "text" && final.content[0].text, DEFAULT_TEXT);
    const rec = await recP;
    assert.deepEqual([rec.status, rec.route, rec.fallbacks], [200, "b/claude-y", ["a/claude-x"]]);
  });

  test("connection refused on the first route: the fallback answers", async () => {
    reset();
    const recP = gw.nextRecord();
    const res = await post(`${gw.url}/anthropic/v1/messages`, msg("dead-fb"));
    assert.equal(res.status, 200, res.text);
    const rec = await recP;
    assert.deepEqual(rec.fallbacks, ["dead/claude-x"]);
    assert.equal(rec.route, "b/claude-y");
  });

  test("connection refused with no fallback: 502 in the surface's format, naming the provider", async () => {
    const res = await post(`${gw.url}/anthropic/v1/messages`, msg("dead/claude-x"));
    assert.equal(res.status, 502);
    const body = res.json() as { type: string; error: { type: string; message: string } };
    assert.equal(body.type, "error");
    assert.equal(body.error.type, "api_error");
    assert.match(body.error.message, /^dead: provider unreachable/);
  });

  test("every route fails: the error names the routes that failed before the last one", async () => {
    // Told only the last route's error, a client saw "b: ..." and could not tell its first route was down.
    reset();
    b.script(
      { kind: "error", status: 500, message: "b is down" },
      { kind: "error", status: 500, message: "b is down" },
    );
    const recP = gw.nextRecord();
    const res = await post(`${gw.url}/anthropic/v1/messages`, msg("dead-fb"));
    assert.equal(res.status, 500, res.text);
    const { error } = res.json() as { error: { message: string } };
    assert.match(
      error.message,
      /^b: b is down; before it, dead\/claude-x failed: provider unreachable \(ECONNREFUSED\)$/,
    );
    const rec = await recP;
    // The log row keeps the last route's own error; its fallbacks and attempts say the rest.
    assert.equal(rec.error, "b: b is down");
    assert.deepEqual(rec.fallbacks, ["dead/claude-x"]);
  });

  test("retry-after: 0 retries the same route", async () => {
    reset();
    a.script({ kind: "error", status: 429, headers: { "retry-after": "0" } });
    const recP = gw.nextRecord();
    const res = await post(`${gw.url}/anthropic/v1/messages`, msg("fb"));
    assert.equal(res.status, 200);
    assert.equal(a.requests.length, 2);
    assert.equal(b.requests.length, 0);
    const rec = await recP;
    assert.deepEqual([rec.route, rec.attempts, rec.fallbacks], ["a/claude-x", 2, []]);
  });

  test("retry-after beyond max_retry_after_ms skips to the fallback without waiting", T, async () => {
    reset();
    a.script({ kind: "error", status: 429, headers: { "retry-after": "3600" } });
    const recP = gw.nextRecord();
    const res = await post(`${gw.url}/anthropic/v1/messages`, msg("fb"));
    assert.equal(res.status, 200);
    assert.equal(a.requests.length, 1, "no retry on the throttled route");
    assert.equal(b.requests.length, 1);
    assert.deepEqual((await recP).fallbacks, ["a/claude-x"]);
  });

  test("the last route's 429 reaches the client with its retry-after", async () => {
    reset();
    a.script({ kind: "error", status: 429, headers: { "retry-after": "3600" } });
    const res = await post(`${gw.url}/anthropic/v1/messages`, msg("solo"));
    assert.equal(res.status, 429);
    assert.equal(res.headers.get("retry-after"), "3600");
    assert.equal((res.json() as { error: { type: string } }).error.type, "rate_limit_error");
  });

  test("a 400 is neither retried nor fallen back", async () => {
    reset();
    a.script({ kind: "error", status: 400, message: "messages: roles must alternate" });
    const recP = gw.nextRecord();
    const res = await post(`${gw.url}/anthropic/v1/messages`, msg("fb"));
    assert.equal(res.status, 400);
    const body = res.json() as { error: { type: string; message: string } };
    assert.equal(body.error.type, "invalid_request_error");
    assert.match(body.error.message, /roles must alternate/);
    assert.equal(a.requests.length, 1);
    assert.equal(b.requests.length, 0);
    const rec = await recP;
    assert.deepEqual([rec.status, rec.attempts, rec.fallbacks], [400, 1, []]);
  });

  test("an HTML error page becomes clean JSON on both surfaces", async () => {
    reset();
    a.script(...Array.from({ length: 4 }, () => ({ kind: "error" as const, status: 502, body: HTML_PAGE })));
    const res = await post(`${gw.url}/anthropic/v1/messages`, msg("solo"));
    assert.equal(res.status, 502);
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    assert.ok(!res.text.includes("<"), res.text);
    const body = res.json() as { type: string; error: { type: string; message: string } };
    assert.equal(body.type, "error");
    assert.match(body.error.message, /Bad Gateway/);
    const oai = await post(`${gw.url}/v1/chat/completions`, chat("oa/gpt-4o"));
    assert.equal(oai.status, 502);
    assert.ok(!oai.text.includes("<"), oai.text);
    const err = (oai.json() as { error: { message: string; type: string } }).error;
    assert.match(err.message, /Bad Gateway/);
    assert.equal(err.type, "api_error");
  });

  test("invalid JSON from the provider on a 200 is a 502 in the surface's format", async () => {
    reset();
    a.script(
      { kind: "error", status: 200, body: '{"id":"msg_1","content":[' },
      { kind: "error", status: 200, body: "not json at all" },
    );
    const res = await post(`${gw.url}/anthropic/v1/messages`, msg("solo"));
    assert.equal(res.status, 502);
    assert.deepEqual(Object.keys(res.json() as object).sort(), ["error", "type"]);
    await assert.rejects(
      openai.chat.completions.create({ model: "oa/gpt-4o", messages: [{ role: "user", content: "x" }] }),
      (e: unknown) => e instanceof OpenAI.APIError && e.status === 502,
    );
  });

  test("a JSON answer cut in the middle is a 502, not a hang", async () => {
    reset();
    a.script({ kind: "truncate-stream", afterEvents: 1 });
    const res = await post(`${gw.url}/anthropic/v1/messages`, msg("solo"));
    assert.equal(res.status, 502);
    assert.match((res.json() as { error: { message: string } }).error.message, /invalid response/);
  });

  test("reset mid-stream: an Anthropic error event, then the next request is served", async () => {
    reset();
    a.script({ kind: "reset-mid-stream", afterEvents: 3 });
    const recP = gw.nextRecord();
    const res = await post(`${gw.url}/anthropic/v1/messages`, msg("solo", true));
    assert.equal(res.status, 200);
    const evs = events(res.text);
    assert.equal(evs[0]?.[0], "message_start");
    const last = evs.at(-1)!;
    assert.equal(last[0], "error");
    assert.equal((last[1].error as { type: string }).type, "api_error");
    assert.ok(!evs.some(([n]) => n === "message_stop"));
    const rec = await recP;
    assert.equal(rec.status, 502);
    assert.match(rec.error ?? "", /stream failed/);
    // The SDK surfaces it as an error, not a hang or a silently short answer.
    a.script({ kind: "reset-mid-stream", afterEvents: 4 });
    await assert.rejects(
      anthropic.messages.stream(msg("solo", true) as Anthropic.MessageCreateParamsStreaming).finalMessage(),
    );
    const next = await anthropic.messages.create(msg("solo") as Anthropic.MessageCreateParamsNonStreaming);
    assert.equal(next.content[0]?.type === "text" && next.content[0].text, DEFAULT_TEXT);
  });

  test("reset mid-stream on /v1: an error data chunk; the OpenAI SDK throws", async () => {
    reset();
    a.script({ kind: "reset-mid-stream", afterEvents: 2 }, { kind: "reset-mid-stream", afterEvents: 2 });
    const res = await post(`${gw.url}/v1/chat/completions`, chat("oa/gpt-4o", true));
    assert.equal(res.status, 200);
    const last = events(res.text).at(-1)![1];
    assert.equal((last.error as { type: string }).type, "api_error");
    await assert.rejects(async () => {
      const s = await openai.chat.completions.create({
        model: "oa/gpt-4o",
        messages: [{ role: "user", content: "x" }],
        stream: true,
      });
      for await (const _ of s);
    }, OpenAI.APIError);
    const ok = await openai.chat.completions.create({
      model: "oa/gpt-4o",
      messages: [{ role: "user", content: "x" }],
    });
    assert.equal(ok.choices[0]?.message.content, DEFAULT_TEXT);
  });

  test("a truncated stream (no terminator) ends with an error event on both surfaces", async () => {
    reset();
    a.script({ kind: "truncate-stream", afterEvents: 4 }, { kind: "truncate-stream", afterEvents: 3 });
    const recP = gw.nextRecord();
    const res = await post(`${gw.url}/anthropic/v1/messages`, msg("solo", true));
    const last = events(res.text).at(-1)!;
    assert.equal(last[0], "error");
    assert.match(String((last[1].error as { message: string }).message), /ended early/);
    assert.equal((await recP).status, 502);
    const oai = await post(`${gw.url}/v1/chat/completions`, chat("oa/gpt-4o", true));
    assert.ok(!oai.text.includes("[DONE]"));
    assert.ok(events(oai.text).at(-1)![1].error, oai.text);
  });

  test("a mid-stream error event from the provider reaches an OpenAI client, and is recorded", async () => {
    reset();
    b.script({ kind: "stream-error", afterEvents: 3, status: 529, message: "Overloaded" });
    const recP = gw.nextRecord();
    await assert.rejects(async () => {
      const s = await openai.chat.completions.create({
        model: "b/claude-y",
        messages: [{ role: "user", content: "x" }],
        stream: true,
      });
      for await (const _ of s);
    }, /Overloaded/);
    const rec = await recP;
    assert.equal(rec.status, 502, "a stream that ended in an error is not a success");
    assert.match(rec.error ?? "", /Overloaded/);
    // Passed through from an OpenAI-format provider: one error chunk, not a second "ended early" one.
    a.script({ kind: "stream-error", afterEvents: 2, status: 500, message: "boom" });
    const recP2 = gw.nextRecord();
    const res = await post(`${gw.url}/v1/chat/completions`, chat("oa/gpt-4o", true));
    const errors = events(res.text).filter(([, d]) => d.error !== undefined);
    assert.equal(errors.length, 1, res.text);
    assert.match(String((errors[0]![1].error as { message: string }).message), /boom/);
    assert.deepEqual([(await recP2).status, (await recP2).error], [502, "boom"]);
  });

  test("an empty 200 stream is not an answer: the fallback answers instead", async () => {
    reset();
    a.script({ kind: "truncate-stream", afterEvents: 0 }, { kind: "truncate-stream", afterEvents: 0 });
    const recP = gw.nextRecord();
    const res = await post(`${gw.url}/anthropic/v1/messages`, msg("fb", true));
    assert.equal(res.status, 200);
    assert.equal(events(res.text).at(-1)?.[0], "message_stop");
    assert.deepEqual((await recP).fallbacks, ["a/claude-x"]);
  });

  for (const [name, model, mock] of [
    ["Anthropic (passed through)", "a/claude-x", () => a],
    ["OpenAI", "oa/gpt-4o", () => a],
    ["Gemini", "gem/gemini-2.5-flash", () => b],
    ["Bedrock", "bed/anthropic.claude-sonnet-4-5-20250929-v1:0", () => b],
  ] as const) {
    test(`stream from ${name}: an in-stream error and a reset both end in an Anthropic error event`, async () => {
      reset();
      mock().script(
        { kind: "stream-error", afterEvents: 2, status: 529, message: "Overloaded upstream" },
        { kind: "reset-mid-stream", afterEvents: 2 },
      );
      for (const expected of [/Overloaded upstream/, /stream failed/]) {
        const recP = gw.nextRecord();
        const res = await post(`${gw.url}/anthropic/v1/messages`, msg(model, true));
        assert.equal(res.status, 200);
        const evs = events(res.text);
        assert.equal(evs[0]?.[0], "message_start", res.text);
        const last = evs.at(-1)!;
        assert.equal(last[0], "error", res.text);
        assert.match(String((last[1].error as { message: string }).message), expected);
        assert.ok(!evs.some(([n]) => n === "message_stop"));
        const rec = await recP;
        assert.equal(rec.status, 502);
        assert.match(rec.error ?? "", expected);
      }
    });
  }
});
