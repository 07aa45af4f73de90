// The official OpenAI SDK on /v1: passed through to an OpenAI-format provider, translated to an
// Anthropic-format provider and to Gemini; usage accounting with and without include_usage.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { type MockProvider, startMockProvider } from "../mocks/mock-provider.js";

type Json = Record<string, unknown>;
type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;

const TOOLS: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  {
    type: "function",
    function: {
      name: "get_weather",
      description: "Current weather for a city",
      parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    },
  },
  {
    type: "function",
    function: {
      name: "read_file",
      parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
    },
  },
];
const PARALLEL = [
  { name: "get_weather", input: { city: "Rome" } },
  { name: "read_file", input: { path: "/tmp/a.txt" } },
];
const USAGE = { input_tokens: 100, output_tokens: 20, cache_read_input_tokens: 50 };

async function collect(stream: AsyncIterable<Chunk>): Promise<{ chunks: Chunk[]; text: string }> {
  const chunks: Chunk[] = [];
  let text = "";
  for await (const c of stream) {
    chunks.push(c);
    text += c.choices[0]?.delta.content ?? "";
  }
  return { chunks, text };
}

describe("OpenAI SDK on /v1", () => {
  let mock: MockProvider;
  let gw: TestGateway;
  let client: OpenAI;

  before(async () => {
    mock = await startMockProvider({ chunkSplit: "random", seed: 5 });
    gw = await startGateway({
      providers: {
        oai: { type: "openai-compatible", api_key: "sk-oai", base_url: `${mock.url}/v1` },
        ant: { type: "anthropic", api_key: "sk-ant", base_url: mock.url, models: ["claude-haiku-4-5"] },
        gem: { type: "gemini", api_key: "g-key", base_url: `${mock.url}/v1beta` },
      },
      models: {
        "claude-sonnet": "ant/claude-sonnet-4-5",
        fast: "gem/gemini-2.5-flash",
        "smart-*": "ant/claude-opus-4-1",
      },
    });
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: gw.key, maxRetries: 0 });
  });
  after(async () => {
    await gw?.close();
    await mock?.close();
  });

  describe("OpenAI-format provider (pass-through)", () => {
    test("JSON: the client's body reaches the provider unchanged, with the provider's key", async () => {
      mock.reset();
      const recP = gw.nextRecord();
      const params = {
        model: "gpt-4o",
        messages: [
          { role: "system" as const, content: "Be brief." },
          { role: "user" as const, content: "hi" },
        ],
        temperature: 0.2,
      };
      const res = await client.chat.completions.create(params);
      assert.equal(res.object, "chat.completion");
      assert.equal(res.choices[0]?.message.content, "Hello from mock");
      const seen = mock.requests[0]!;
      assert.equal(seen.path, "/v1/chat/completions");
      assert.equal(seen.headers.authorization, "Bearer sk-oai");
      assert.deepEqual(seen.json, params);
      const rec = await recP;
      assert.equal(rec.surface, "openai");
      assert.equal(rec.route, "oai/gpt-4o");
      assert.equal(rec.usage.inputTokens, res.usage!.prompt_tokens);
      assert.equal(rec.usage.outputTokens, res.usage!.completion_tokens);
    });

    test("stream without include_usage: no usage-only chunk reaches the client, yet usage is recorded", async () => {
      mock.reset();
      mock.script({ kind: "text", text: "one two three", usage: USAGE });
      const recP = gw.nextRecord();
      const { chunks, text } = await collect(
        await client.chat.completions.create({
          model: "gpt-4o",
          messages: [{ role: "user", content: "count" }],
          stream: true,
        }),
      );
      assert.equal(text, "one two three");
      assert.ok(chunks.length > 2);
      for (const c of chunks) {
        assert.ok(
          c.choices.length > 0,
          `a chunk with empty choices reached the client: ${JSON.stringify(c)}`,
        );
        assert.ok(c.usage == null, "no usage in chunks the client did not ask for");
      }
      assert.equal(chunks.at(-1)?.choices[0]?.finish_reason, "stop");
      assert.deepEqual((mock.requests[0]!.json as Json).stream_options, { include_usage: true });
      const rec = await recP;
      assert.equal(rec.status, 200, rec.error);
      assert.deepEqual(
        [rec.usage.inputTokens, rec.usage.outputTokens, rec.usage.cacheReadTokens],
        [100, 20, 50],
      );
    });

    test("usage is asked of the provider by writing into the client's bytes, the rest unchanged", async () => {
      mock.reset();
      mock.script({ kind: "text", text: "one", usage: USAGE });
      // The client's own spacing, which a re-serialisation would normalise.
      const raw = `{ "model" : "gpt-4o",\n "stream_options": {"include_obfuscation": false},  "messages": [ {"role": "user", "content": "count"} ], "stream": true }`;
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${gw.key}`, "content-type": "application/json" },
        body: raw,
      });
      assert.equal(res.status, 200);
      assert.doesNotMatch(await res.text(), /"usage":\{/, "the client did not ask for usage");
      assert.equal(
        mock.requests[0]!.body,
        raw.replace('{"include_obfuscation": false}', '{"include_obfuscation":false,"include_usage":true}'),
      );
    });

    test("stream with include_usage: the usage chunk arrives last, as the client asked", async () => {
      mock.reset();
      mock.script({ kind: "text", text: "one two", usage: USAGE });
      const recP = gw.nextRecord();
      const { chunks, text } = await collect(
        await client.chat.completions.create({
          model: "gpt-4o",
          messages: [{ role: "user", content: "count" }],
          stream: true,
          stream_options: { include_usage: true },
        }),
      );
      assert.equal(text, "one two");
      const last = chunks.at(-1)!;
      assert.deepEqual(last.choices, []);
      assert.equal(last.usage?.prompt_tokens, 150);
      assert.equal(last.usage?.prompt_tokens_details?.cached_tokens, 50);
      assert.equal(last.usage?.completion_tokens, 20);
      const rec = await recP;
      assert.deepEqual([rec.usage.inputTokens, rec.usage.cacheReadTokens], [100, 50]);
    });

    test("parallel tool calls pass through and the streaming helper assembles them", async () => {
      mock.reset();
      mock.script({ kind: "tool_use", tools: PARALLEL });
      const final = await client.chat.completions
        .stream({ model: "gpt-4o", messages: [{ role: "user", content: "go" }], tools: TOOLS })
        .finalChatCompletion();
      const calls = final.choices[0]?.message.tool_calls ?? [];
      assert.deepEqual(
        calls.map((c) => c.type === "function" && [c.function.name, JSON.parse(c.function.arguments)]),
        PARALLEL.map((t) => [t.name, t.input]),
      );
      assert.equal(final.choices[0]?.finish_reason, "tool_calls");
    });
  });

  describe("Anthropic-format provider (translated)", () => {
    test("JSON: system, tools and tool results become Anthropic; the answer becomes a completion", async () => {
      mock.reset();
      mock.script({ kind: "text", text: "It is sunny.", usage: USAGE });
      const recP = gw.nextRecord();
      const res = await client.chat.completions.create({
        model: "claude-sonnet",
        max_tokens: 300,
        tools: TOOLS,
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Weather in Rome?" },
          {
            role: "assistant",
            content: null,
            tool_calls: [
              {
                id: "call_1",
                type: "function",
                function: { name: "get_weather", arguments: '{"city":"Rome"}' },
              },
            ],
          },
          { role: "tool", tool_call_id: "call_1", content: "25C" },
        ],
      });
      assert.equal(res.object, "chat.completion");
      assert.equal(res.model, "claude-sonnet");
      assert.equal(res.choices[0]?.message.content, "It is sunny.");
      assert.equal(res.choices[0]?.finish_reason, "stop");
      assert.equal(res.usage?.prompt_tokens, 150);
      assert.equal(res.usage?.prompt_tokens_details?.cached_tokens, 50);
      const seen = mock.requests[0]!;
      assert.equal(seen.path, "/v1/messages");
      assert.equal(seen.headers["x-api-key"], "sk-ant");
      assert.ok(seen.headers["anthropic-version"]);
      const body = seen.json as Json;
      assert.equal(body.model, "claude-sonnet-4-5");
      assert.equal(body.max_tokens, 300);
      assert.match(JSON.stringify(body.system), /Be brief\./);
      assert.deepEqual(
        (body.tools as Array<{ name: string; input_schema: Json }>).map((t) => [t.name, t.input_schema.type]),
        [
          ["get_weather", "object"],
          ["read_file", "object"],
        ],
      );
      const msgs = body.messages as Array<{ role: string; content: Json[] }>;
      assert.deepEqual(msgs[1]?.content.at(-1), {
        type: "tool_use",
        id: "call_1",
        name: "get_weather",
        input: { city: "Rome" },
      });
      const result = msgs[2]?.content[0] as Json;
      assert.equal(result.type, "tool_result");
      assert.equal(result.tool_use_id, "call_1");
      assert.match(JSON.stringify(result.content), /25C/);
      const rec = await recP;
      assert.equal(rec.route, "ant/claude-sonnet-4-5");
      assert.deepEqual(
        [rec.usage.inputTokens, rec.usage.outputTokens, rec.usage.cacheReadTokens],
        [100, 20, 50],
      );
    });

    test("stream: text arrives as chunks; include_usage adds the usage chunk", async () => {
      mock.reset();
      mock.script({ kind: "text", text: "alpha beta gamma", usage: USAGE });
      const recP = gw.nextRecord();
      const { chunks, text } = await collect(
        await client.chat.completions.create({
          model: "smart-one",
          messages: [{ role: "user", content: "go" }],
          stream: true,
          stream_options: { include_usage: true },
        }),
      );
      assert.equal(text, "alpha beta gamma");
      assert.equal(mock.requests[0]!.model, "claude-opus-4-1");
      const withChoices = chunks.filter((c) => c.choices.length > 0);
      assert.equal(withChoices.at(-1)?.choices[0]?.finish_reason, "stop");
      const last = chunks.at(-1)!;
      assert.deepEqual(last.choices, []);
      assert.equal(last.usage?.completion_tokens, 20);
      assert.equal(last.usage?.prompt_tokens, 150);
      const rec = await recP;
      assert.equal(rec.status, 200, rec.error);
      assert.equal(rec.usage.outputTokens, 20);
    });

    test("stream without include_usage: no usage-only chunk", async () => {
      mock.reset();
      const { chunks, text } = await collect(
        await client.chat.completions.create({
          model: "claude-sonnet",
          messages: [{ role: "user", content: "go" }],
          stream: true,
        }),
      );
      assert.equal(text, "Hello from mock");
      for (const c of chunks) assert.ok(c.choices.length > 0, JSON.stringify(c));
    });

    test("parallel tool calls, JSON and streamed", async () => {
      mock.reset();
      mock.script(
        { kind: "tool_use", text: "Checking.", tools: PARALLEL },
        { kind: "tool_use", tools: PARALLEL },
      );
      const params = {
        model: "claude-sonnet",
        messages: [{ role: "user" as const, content: "go" }],
        tools: TOOLS,
      };
      const expected = PARALLEL.map((t) => [t.name, t.input]);
      const json = await client.chat.completions.create(params);
      const jsonCalls = json.choices[0]?.message.tool_calls ?? [];
      assert.equal(json.choices[0]?.message.content, "Checking.");
      assert.equal(json.choices[0]?.finish_reason, "tool_calls");
      assert.deepEqual(
        jsonCalls.map((c) => c.type === "function" && [c.function.name, JSON.parse(c.function.arguments)]),
        expected,
      );
      const streamed = await client.chat.completions.stream(params).finalChatCompletion();
      const calls = streamed.choices[0]?.message.tool_calls ?? [];
      assert.deepEqual(
        calls.map((c) => c.type === "function" && [c.function.name, JSON.parse(c.function.arguments)]),
        expected,
      );
      assert.equal(new Set(calls.map((c) => c.id)).size, 2);
      assert.equal(streamed.choices[0]?.finish_reason, "tool_calls");
    });
  });

  describe("Gemini provider (translated)", () => {
    test("JSON answer with usage", async () => {
      mock.reset();
      mock.script({ kind: "text", text: "Gemini says hi.", usage: USAGE });
      const recP = gw.nextRecord();
      const res = await client.chat.completions.create({
        model: "fast",
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "hi" },
        ],
      });
      assert.equal(res.choices[0]?.message.content, "Gemini says hi.");
      assert.equal(res.model, "fast");
      const seen = mock.requests[0]!;
      assert.equal(seen.path, "/v1beta/models/gemini-2.5-flash:generateContent");
      assert.equal(seen.headers["x-goog-api-key"], "g-key");
      assert.deepEqual((seen.json as Json).systemInstruction, { parts: [{ text: "Be brief." }] });
      const rec = await recP;
      assert.deepEqual(
        [rec.usage.inputTokens, rec.usage.outputTokens, rec.usage.cacheReadTokens],
        [100, 20, 50],
      );
    });

    test("stream, and parallel tool calls through the streaming helper", async () => {
      mock.reset();
      mock.script({ kind: "text", text: "streamed from gemini" }, { kind: "tool_use", tools: PARALLEL });
      const { text } = await collect(
        await client.chat.completions.create({
          model: "gem/gemini-2.5-flash",
          messages: [{ role: "user", content: "go" }],
          stream: true,
        }),
      );
      assert.equal(text, "streamed from gemini");
      assert.equal(mock.requests[0]!.path, "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
      const final = await client.chat.completions
        .stream({ model: "fast", messages: [{ role: "user", content: "go" }], tools: TOOLS })
        .finalChatCompletion();
      const calls = final.choices[0]?.message.tool_calls ?? [];
      assert.deepEqual(
        calls.map((c) => c.type === "function" && [c.function.name, JSON.parse(c.function.arguments)]),
        PARALLEL.map((t) => [t.name, t.input]),
      );
    });
  });

  test("/v1/models lists aliases without wildcards and configured provider/model ids", async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    assert.ok(ids.includes("claude-sonnet"));
    assert.ok(ids.includes("fast"));
    assert.ok(ids.includes("ant/claude-haiku-4-5"));
    assert.ok(!ids.some((id) => id.includes("*")), "patterns are not model ids");
  });

  test("errors come back as OpenAI errors the SDK understands", async () => {
    mock.reset();
    const bad = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "gk-wrong", maxRetries: 0 });
    await assert.rejects(
      bad.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "x" }] }),
      (e: unknown) => e instanceof OpenAI.AuthenticationError,
    );
    mock.script({ kind: "error", status: 400, message: "bad things" });
    await assert.rejects(
      client.chat.completions.create({ model: "claude-sonnet", messages: [{ role: "user", content: "x" }] }),
      (e: unknown) => e instanceof OpenAI.BadRequestError && /bad things/.test(e.message),
    );
  });
});
