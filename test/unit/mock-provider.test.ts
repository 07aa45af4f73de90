// The mock provider must speak each provider's real wire format: checked with the official
// Anthropic and OpenAI SDKs where they exist, and by hand (fetch + own decoders) for the rest.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { after, before, beforeEach, describe, test } from "node:test";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI, { AzureOpenAI } from "openai";
import { ccFixture } from "../helpers/fixtures.js";
import { DEFAULT_TEXT, delayed, type MockProvider, startMockProvider } from "../mocks/mock-provider.js";

type Json = Record<string, unknown>;

import { chunksOf, post, sse } from "../helpers/mock-wire.js";

const anthropicBody = {
  model: "claude-test-1",
  max_tokens: 64,
  messages: [{ role: "user" as const, content: "hi" }],
};

// ---- tests ----

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

  describe("Anthropic Messages (official SDK)", () => {
    test("JSON answer echoes the model and reports usage", async () => {
      const msg = await claude.messages.create(anthropicBody);
      assert.equal(msg.model, "claude-test-1");
      assert.deepEqual(msg.content, [{ type: "text", text: DEFAULT_TEXT }]);
      assert.equal(msg.stop_reason, "end_turn");
      assert.ok(msg.usage.input_tokens > 0 && msg.usage.output_tokens > 0);
      assert.equal(msg.usage.cache_read_input_tokens, 0);
      const rec = mock.requests[0]!;
      assert.equal(rec.path, "/v1/messages");
      assert.equal(rec.format, "anthropic");
      // SDK 1.x sends the API key as a bearer token, older ones as x-api-key.
      assert.ok(
        rec.headers["x-api-key"] === "sk-ant-test" || rec.headers.authorization === "Bearer sk-ant-test",
      );
      assert.ok(rec.headers["anthropic-version"]);
      assert.equal((rec.json as Json).max_tokens, 64);
    });

    test("stream with thinking: several deltas, finalMessage assembles them", async () => {
      mock.script({ kind: "text", text: "The answer is forty-two.", thinking: "Let me think about it." });
      const stream = claude.messages.stream(anthropicBody);
      const deltas: string[] = [];
      stream.on("text", (t) => deltas.push(t));
      const msg = await stream.finalMessage();
      assert.ok(deltas.length > 1, "text arrives in several deltas");
      assert.equal(deltas.join(""), "The answer is forty-two.");
      const [thinking, text] = msg.content;
      assert.equal(thinking?.type, "thinking");
      assert.ok(
        thinking?.type === "thinking" && thinking.thinking === "Let me think about it." && thinking.signature,
      );
      assert.ok(text?.type === "text" && text.text === "The answer is forty-two.");
      assert.ok(msg.usage.output_tokens > 1);
    });

    test("parallel tool_use, streamed as JSON fragments and as JSON", async () => {
      const tools = [
        { name: "read_file", input: { path: "/tmp/a.txt", lines: [1, 2] }, id: "toolu_given" },
        { name: "echo", input: { text: 'héllo 😀 "quoted"' } },
      ];
      mock.script({ kind: "tool_use", text: "I'll call two tools.", tools }, { kind: "tool_use", tools });
      const streamed = await claude.messages.stream(anthropicBody).finalMessage();
      assert.equal(streamed.stop_reason, "tool_use");
      const uses = streamed.content.filter((b) => b.type === "tool_use");
      assert.deepEqual(
        uses.map((u) => [u.name, u.input]),
        tools.map((t) => [t.name, t.input]),
      );
      assert.equal(uses[0]?.id, "toolu_given");
      assert.match(uses[1]?.id ?? "", /^toolu_/);
      assert.ok(streamed.content[0]?.type === "text" && streamed.content[0].text === "I'll call two tools.");
      const json = await claude.messages.create(anthropicBody);
      assert.deepEqual(
        json.content.map((b) => b.type),
        ["tool_use", "tool_use"],
      );
      // The raw stream really fragments the input JSON.
      mock.script({ kind: "tool_use", tools });
      const raw = sse(
        await (await post(`${mock.url}/v1/messages`, { ...anthropicBody, stream: true })).text(),
      );
      const fragments = raw.filter((e) => e.data.includes('"input_json_delta"'));
      assert.ok(fragments.length >= 6, `got ${fragments.length} input_json_delta events`);
    });

    test("cache_control in the request reports cache reads", async () => {
      const msg = await claude.messages.create({
        ...anthropicBody,
        system: [
          { type: "text", text: "long system prompt ".repeat(50), cache_control: { type: "ephemeral" } },
        ],
      });
      assert.ok((msg.usage.cache_read_input_tokens ?? 0) > 0);
      assert.ok(msg.usage.input_tokens > 0);
    });

    test("count_tokens and models", async () => {
      const count = await claude.messages.countTokens({
        model: "claude-test-1",
        messages: anthropicBody.messages,
      });
      assert.ok(count.input_tokens > 0);
      const models = await claude.models.list();
      assert.ok(models.data.length >= 2 && models.data.every((m) => m.type === "model"));
      assert.equal(mock.requests.length, 2);
      assert.equal(mock.requests[0]?.reply, undefined, "count_tokens consumes no scripted reply");
    });

    test("models list pages as Anthropic's does: the SDK follows has_more and after_id", async () => {
      const paged = await startMockProvider({ modelPageMax: 2 });
      try {
        const client = new Anthropic({ baseURL: paged.url, apiKey: "k", maxRetries: 0 });
        const ids: string[] = [];
        for await (const m of client.models.list()) ids.push(m.id);
        assert.equal(ids.length, 3);
        assert.equal(new Set(ids).size, 3);
        assert.equal(paged.requests.length, 2, "two pages");
        const back = await client.models.list({ before_id: ids[2]!, limit: 1 });
        assert.deepEqual(
          back.data.map((m) => m.id),
          [ids[1]],
        );
        assert.equal(back.has_more, true);
      } finally {
        await paged.close();
      }
    });

    test("replays a recorded Claude Code request", async () => {
      const fixture = JSON.parse(readFileSync(ccFixture("tool-loop.1-first-request.json"), "utf8")) as {
        body: Json;
      };
      mock.script({ kind: "tool_use", tools: [{ name: "mcp__gw__echo", input: { text: "nonce-42" } }] });
      const res = await post(`${mock.url}/v1/messages?beta=true`, fixture.body, {
        "anthropic-version": "2023-06-01",
      });
      assert.equal(res.status, 200);
      const events = sse(await res.text());
      assert.equal(events.at(-1)?.event, "message_stop");
      assert.ok(events.some((e) => e.data.includes('"stop_reason":"tool_use"')));
    });

    test("missing max_tokens is a 400 invalid_request_error, like the real API", async () => {
      const res = await post(`${mock.url}/v1/messages`, { model: "m", messages: [] });
      assert.equal(res.status, 400);
      const body = (await res.json()) as { type: string; error: { type: string; message: string } };
      assert.equal(body.type, "error");
      assert.equal(body.error.type, "invalid_request_error");
      assert.match(body.error.message, /max_tokens/);
    });
  });

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

  describe("OpenAI Chat Completions (official SDK)", () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      { type: "function", function: { name: "get_weather", parameters: { type: "object", properties: {} } } },
    ];

    test("JSON answer with usage and tool calls", async () => {
      const text = await gpt.chat.completions.create({
        model: "gpt-test",
        messages: [{ role: "user", content: "hi" }],
      });
      assert.equal(text.model, "gpt-test");
      assert.equal(text.choices[0]?.message.content, DEFAULT_TEXT);
      assert.ok((text.usage?.prompt_tokens ?? 0) > 0);
      mock.script({ kind: "tool_use", tools: [{ name: "get_weather", input: { city: "Paris" } }] });
      const call = await gpt.chat.completions.create({
        model: "gpt-test",
        messages: [{ role: "user", content: "weather?" }],
        tools,
      });
      assert.equal(call.choices[0]?.finish_reason, "tool_calls");
      const tc = call.choices[0]?.message.tool_calls?.[0];
      assert.ok(tc?.type === "function");
      assert.deepEqual(JSON.parse(tc.function.arguments), { city: "Paris" });
    });

    test("stream with parallel tool calls, argument fragments and the include_usage chunk", async () => {
      mock.script({
        kind: "tool_use",
        text: "Checking.",
        tools: [
          { name: "get_weather", input: { city: "Paris", days: 3 } },
          { name: "get_weather", input: { city: "Tokyo" } },
        ],
      });
      const runner = gpt.chat.completions.stream({
        model: "gpt-test",
        messages: [{ role: "user", content: "weather?" }],
        tools,
        stream_options: { include_usage: true },
      });
      const chunks: OpenAI.ChatCompletionChunk[] = [];
      runner.on("chunk", (c) => chunks.push(c));
      const final = await runner.finalChatCompletion();
      const msg = final.choices[0]?.message;
      assert.equal(msg?.content, "Checking.");
      const calls = (msg?.tool_calls ?? []).map((c) =>
        c.type === "function" ? JSON.parse(c.function.arguments) : null,
      );
      assert.deepEqual(calls, [{ city: "Paris", days: 3 }, { city: "Tokyo" }]);
      const argFragments = chunks.filter((c) => c.choices[0]?.delta.tool_calls?.[0]?.function?.arguments);
      assert.ok(argFragments.length >= 4);
      const last = chunks.at(-1);
      assert.deepEqual(last?.choices, []);
      assert.ok((last?.usage?.completion_tokens ?? 0) > 0);
    });

    test("Azure deployment path via the AzureOpenAI client", async () => {
      const azure = new AzureOpenAI({
        endpoint: mock.url,
        apiKey: "azure-key",
        apiVersion: "2024-10-21",
        deployment: "my-gpt4o",
        maxRetries: 0,
      });
      const res = await azure.chat.completions.create({
        model: "",
        messages: [{ role: "user", content: "hi" }],
      });
      assert.equal(res.choices[0]?.message.content, DEFAULT_TEXT);
      const rec = mock.requests[0]!;
      assert.equal(rec.format, "azure-openai");
      assert.equal(rec.path, "/openai/deployments/my-gpt4o/chat/completions?api-version=2024-10-21");
      assert.equal(rec.headers["api-key"], "azure-key");
    });

    test("models list", async () => {
      const ids: string[] = [];
      for await (const m of gpt.models.list()) ids.push(m.id);
      assert.ok(ids.includes("gpt-4o"));
    });
  });

  describe("Gemini and Vertex (fetch)", () => {
    const gem = { contents: [{ role: "user", parts: [{ text: "hi" }] }] };

    test("generateContent JSON, with cachedContent reported", async () => {
      const res = await post(`${mock.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
        ...gem,
        cachedContent: "cachedContents/abc",
      });
      const body = (await res.json()) as {
        candidates: Array<{ content: { parts: Array<{ text: string }> }; finishReason: string }>;
        usageMetadata: Json;
        modelVersion: string;
      };
      assert.equal(body.candidates[0]?.content.parts[0]?.text, DEFAULT_TEXT);
      assert.equal(body.candidates[0]?.finishReason, "STOP");
      assert.equal(body.modelVersion, "gemini-2.5-flash");
      assert.ok((body.usageMetadata.cachedContentTokenCount as number) > 0);
    });

    test("streamGenerateContent?alt=sse: data events, function calls, last one finishes", async () => {
      mock.script({ kind: "tool_use", text: "Let me look.", tools: [{ name: "lookup", input: { q: "x" } }] });
      const res = await post(`${mock.url}/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse`, gem);
      assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
      const events = sse(await res.text()).map((e) => JSON.parse(e.data) as Json);
      assert.ok(events.length >= 3);
      type Cand = {
        content: { parts: Array<{ text?: string; functionCall?: Json }> };
        finishReason?: string;
      };
      const cands = events.map((e) => (e.candidates as Cand[])[0]!);
      const text = cands.flatMap((c) => c.content.parts.map((p) => p.text ?? "")).join("");
      assert.equal(text, "Let me look.");
      assert.deepEqual(cands.at(-1)?.content.parts[0]?.functionCall, { name: "lookup", args: { q: "x" } });
      assert.equal(cands.at(-1)?.finishReason, "STOP");
      assert.ok(cands.slice(0, -1).every((c) => c.finishReason === undefined));
    });

    test("countTokens, errors in Google's shape", async () => {
      const count = (await (
        await post(`${mock.url}/v1beta/models/gemini-2.5-flash:countTokens`, gem)
      ).json()) as Json;
      assert.ok((count.totalTokens as number) > 0);
      mock.script({ kind: "error", status: 429 });
      const res = await post(`${mock.url}/v1beta/models/gemini-2.5-flash:generateContent`, gem);
      assert.equal(res.status, 429);
      assert.deepEqual(Object.keys(((await res.json()) as { error: Json }).error).sort(), [
        "code",
        "message",
        "status",
      ]);
    });

    test("Vertex: publishers/google and publishers/anthropic (rawPredict, streamRawPredict)", async () => {
      const base = `${mock.url}/v1/projects/p1/locations/us-east5/publishers`;
      const g = (await (
        await post(`${base}/google/models/gemini-2.5-pro:generateContent`, gem)
      ).json()) as Json;
      assert.equal(g.modelVersion, "gemini-2.5-pro");
      const vBody = {
        anthropic_version: "vertex-2023-10-16",
        max_tokens: 32,
        messages: anthropicBody.messages,
      };
      const a = (await (
        await post(`${base}/anthropic/models/claude-sonnet-4-5@20250929:rawPredict`, vBody)
      ).json()) as Json;
      assert.equal(a.model, "claude-sonnet-4-5@20250929");
      assert.equal(a.type, "message");
      const s = await post(`${base}/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict`, {
        ...vBody,
        stream: true,
      });
      assert.equal(sse(await s.text()).at(-1)?.event, "message_stop");
      assert.deepEqual(
        mock.requests.map((r) => [r.format, r.stream]),
        [
          ["vertex-gemini", false],
          ["vertex-anthropic", false],
          ["vertex-anthropic", true],
        ],
      );
    });
  });

  describe("options and bookkeeping", () => {
    test("the script is consumed in order across formats, then the default reply", async () => {
      mock.script(
        { kind: "text", text: "one" },
        { kind: "text", text: "two" },
        { kind: "text", text: "three" },
      );
      assert.equal(mock.queued, 3);
      const a = await claude.messages.create(anthropicBody);
      const o = await gpt.chat.completions.create({ model: "m", messages: [{ role: "user", content: "x" }] });
      const g = (await (
        await post(`${mock.url}/v1beta/models/gemini-2.5-flash:generateContent`, { contents: [] })
      ).json()) as { candidates: Array<{ content: { parts: Array<{ text: string }> } }> };
      const d = await claude.messages.create(anthropicBody);
      assert.deepEqual(
        [
          a.content[0]?.type === "text" ? a.content[0].text : "",
          o.choices[0]?.message.content,
          g.candidates[0]?.content.parts[0]?.text,
          d.content[0]?.type === "text" ? d.content[0].text : "",
        ],
        ["one", "two", "three", DEFAULT_TEXT],
      );
    });

    test("onRequest, hits, numeric chunkSplit, eventDelayMs, control endpoints", async () => {
      const seen: string[] = [];
      const m = await startMockProvider({ chunkSplit: 5, onRequest: (r) => seen.push(r.path) });
      try {
        const res = await post(`${m.url}/v1/messages`, { ...anthropicBody, stream: true });
        const chunks = await chunksOf(res);
        assert.ok(chunks.length > 20, `expected many 5-byte pieces, got ${chunks.length}`);
        assert.equal(sse(Buffer.concat(chunks).toString("utf8")).at(-1)?.event, "message_stop");
        await post(`${m.url}/__mock/script`, [{ kind: "error", status: 503 }]);
        assert.equal((await post(`${m.url}/v1/messages`, anthropicBody)).status, 503);
        assert.deepEqual(seen, ["/v1/messages", "/v1/messages"]);
        assert.equal(m.hits, 2);
        const health = (await (await fetch(`${m.url}/__mock/health`)).json()) as Json;
        assert.equal(health.hits, 2);
      } finally {
        await m.close();
      }
      const paced = await startMockProvider({ eventDelayMs: 30 });
      try {
        const t0 = Date.now();
        await (await post(`${paced.url}/v1/messages`, { ...anthropicBody, stream: true })).text();
        assert.ok(Date.now() - t0 >= 200, "9 events, 30 ms apart");
      } finally {
        await paced.close();
      }
    });

    test("close() ends hanging and trickling responses promptly", async () => {
      const m = await startMockProvider();
      m.script({ kind: "hang" }, { kind: "trickle", intervalMs: 10 });
      const hanging = post(`${m.url}/v1/messages`, anthropicBody).catch((e: unknown) => e);
      const trickling = post(`${m.url}/v1/messages`, anthropicBody).then((r) =>
        r.text().catch((e: unknown) => e),
      );
      await new Promise((r) => setTimeout(r, 100));
      const t0 = Date.now();
      await m.close();
      assert.ok(Date.now() - t0 < 1000);
      assert.ok((await hanging) instanceof Error);
      assert.ok((await trickling) instanceof Error);
    });

    test("the CLI prints its URL and serves", async () => {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "test/mocks/mock-provider-cli.ts", "--port", "0"],
        {
          stdio: ["ignore", "pipe", "inherit"],
        },
      );
      try {
        const url = await new Promise<string>((resolve, reject) => {
          let out = "";
          child.stdout.on("data", (d: Buffer) => {
            out += d.toString();
            const m = /mock provider listening on (http:\/\/\S+)/.exec(out);
            if (m) resolve(m[1]!);
          });
          child.once("exit", (code) => reject(new Error(`cli exited ${code}: ${out}`)));
        });
        const res = await post(`${url}/v1/chat/completions`, { model: "m", messages: [{ role: "user" }] });
        assert.equal(((await res.json()) as { model: string }).model, "m");
      } finally {
        child.kill("SIGTERM");
      }
    });
  });
});
