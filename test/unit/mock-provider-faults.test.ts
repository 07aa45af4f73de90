// The mock provider's scripted faults, as real providers show them to both SDKs: error statuses and
// bodies, retries, streams cut, truncated or failing, hangs, trickles, unknown paths and bad JSON.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { post, sse } from "../helpers/mock-wire.js";
import { DEFAULT_TEXT, delayed, type MockProvider, startMockProvider } from "../mocks/mock-provider.js";

type Json = Record<string, unknown>;

const anthropicBody = {
  model: "claude-test-1",
  max_tokens: 64,
  messages: [{ role: "user" as const, content: "hi" }],
};

describe("mock provider", { timeout: 60_000 }, () => {
  let mock: MockProvider;
  let claude: Anthropic;
  let gpt: OpenAI;

  before(async () => {
    mock = await startMockProvider();
    claude = new Anthropic({ baseURL: mock.url, apiKey: "sk-ant-test", maxRetries: 0 });
    gpt = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: "sk-test", maxRetries: 0 });
  });
  after(() => mock.close());
  beforeEach(() => mock.reset());

  describe("errors and broken streams", () => {
    test("429 keeps its status and retry-after; 529 is overloaded_error", async () => {
      mock.script(
        { kind: "error", status: 429, headers: { "retry-after": "7" } },
        { kind: "error", status: 529 },
      );
      const e429 = await claude.messages.create(anthropicBody).then(
        () => assert.fail("expected an error"),
        (e: unknown) => e,
      );
      assert.ok(e429 instanceof Anthropic.RateLimitError);
      assert.equal(e429.status, 429);
      assert.equal(e429.headers?.get("retry-after"), "7");
      const e529 = await claude.messages.create(anthropicBody).catch((e: unknown) => e);
      assert.ok(e529 instanceof Anthropic.APIError);
      assert.equal(e529.status, 529);
      assert.match(String(e529.message), /overloaded_error|Overloaded/);
    });

    test("the SDK's retry consumes the script in order", async () => {
      const retrying = new Anthropic({ baseURL: mock.url, apiKey: "k", maxRetries: 2 });
      mock.script(
        { kind: "error", status: 500, headers: { "retry-after-ms": "1" } },
        { kind: "error", status: 529, headers: { "retry-after-ms": "1" } },
        { kind: "text", text: "third time lucky" },
      );
      const msg = await retrying.messages.create(anthropicBody);
      assert.ok(msg.content[0]?.type === "text" && msg.content[0].text === "third time lucky");
      assert.deepEqual(
        mock.requests.map((r) => r.reply?.kind),
        ["error", "error", "text"],
      );
      assert.equal(mock.hits, 3);
    });

    test("an HTML error page and an OpenAI 429 keep their status", async () => {
      mock.script({ kind: "error", status: 502, body: "<html><body>Bad Gateway</body></html>" });
      const res = await post(`${mock.url}/v1/messages`, anthropicBody);
      assert.equal(res.status, 502);
      assert.match(res.headers.get("content-type") ?? "", /text\/html/);
      mock.script({ kind: "error", status: 429, headers: { "Retry-After": "3" } });
      const e = await gpt.chat.completions
        .create({ model: "gpt-test", messages: [{ role: "user", content: "hi" }] })
        .catch((err: unknown) => err);
      assert.ok(e instanceof OpenAI.RateLimitError);
      assert.equal(e.headers?.get("retry-after"), "3");
      assert.equal((e.error as Json | undefined)?.code, "rate_limit_exceeded");
    });

    test("reset-mid-stream makes both SDKs throw after some events", async () => {
      mock.script({ kind: "reset-mid-stream", afterEvents: 4 }, { kind: "reset-mid-stream", afterEvents: 2 });
      const seen: string[] = [];
      const stream = claude.messages.stream(anthropicBody);
      stream.on("streamEvent", (e) => seen.push(e.type));
      await assert.rejects(stream.finalMessage());
      // The SDK does not surface ping events: 4 events sent, 3 seen.
      assert.deepEqual(seen, ["message_start", "content_block_start", "content_block_delta"]);
      await assert.rejects(async () => {
        const s = await gpt.chat.completions.create({
          model: "gpt-test",
          stream: true,
          messages: [{ role: "user", content: "hi" }],
        });
        for await (const _ of s) {
          // drain
        }
      });
    });

    test("truncate-stream ends cleanly without the terminator; stream-error sends the format's error event", async () => {
      mock.script({ kind: "truncate-stream", afterEvents: 99 });
      const truncated = sse(
        await (await post(`${mock.url}/v1/messages`, { ...anthropicBody, stream: true })).text(),
      );
      assert.equal(truncated.at(-1)?.event, "message_delta");
      mock.script({ kind: "truncate-stream", afterEvents: 99 });
      const oa = await (
        await post(`${mock.url}/v1/chat/completions`, {
          model: "m",
          stream: true,
          messages: [{ role: "user" }],
        })
      ).text();
      assert.ok(!oa.includes("[DONE]") && oa.includes('"finish_reason":"stop"'));
      // What the SDKs make of it: Anthropic's notices the missing message_stop, OpenAI's does not
      // notice the missing [DONE] (a gateway has to check that itself).
      mock.script({ kind: "truncate-stream", afterEvents: 99 }, { kind: "truncate-stream", afterEvents: 99 });
      await assert.rejects(claude.messages.stream(anthropicBody).finalMessage(), /stream ended/);
      const oaFinal = await gpt.chat.completions
        .stream({ model: "m", messages: [{ role: "user", content: "hi" }] })
        .finalChatCompletion();
      assert.equal(oaFinal.choices[0]?.message.content, DEFAULT_TEXT);
      mock.script({ kind: "stream-error", afterEvents: 3 });
      const stream = claude.messages.stream(anthropicBody);
      await assert.rejects(stream.finalMessage(), /overloaded/i);
    });

    test("hang never answers until the client gives up; delay waits, then answers", async () => {
      mock.script({ kind: "hang" }, delayed(150, { kind: "text", text: "late" }));
      await assert.rejects(
        fetch(`${mock.url}/v1/messages`, {
          method: "POST",
          body: JSON.stringify(anthropicBody),
          signal: AbortSignal.timeout(150),
        }),
        /abort|timeout/i,
      );
      const t0 = Date.now();
      const msg = await claude.messages.create(anthropicBody);
      assert.ok(Date.now() - t0 >= 140);
      assert.ok(msg.content[0]?.type === "text" && msg.content[0].text === "late");
    });

    test("trickle sends one byte per interval, forever", async () => {
      mock.script({ kind: "trickle", intervalMs: 20 });
      const ac = new AbortController();
      const res = await fetch(`${mock.url}/v1/messages`, {
        method: "POST",
        body: JSON.stringify({ ...anthropicBody, stream: true }),
        signal: ac.signal,
      });
      assert.equal(res.status, 200);
      const reader = res.body!.getReader();
      let bytes = 0;
      const t0 = Date.now();
      while (Date.now() - t0 < 200) {
        const { value } = await reader.read();
        bytes += value?.length ?? 0;
      }
      ac.abort();
      assert.ok(bytes >= 4 && bytes <= 12, `got ${bytes} bytes in 200 ms`);
    });

    test("unknown paths are 404 JSON; bad JSON is a 400; the mock keeps serving", async () => {
      const r404 = await fetch(`${mock.url}/v2/nothing`);
      assert.equal(r404.status, 404);
      assert.equal(((await r404.json()) as Json).type, "error");
      const r400 = await post(`${mock.url}/v1/chat/completions`, "{not json");
      assert.equal(r400.status, 400);
      assert.ok(((await r400.json()) as { error: Json }).error.message);
      const ok = await claude.messages.create(anthropicBody);
      assert.equal(ok.type, "message");
    });
  });
});
