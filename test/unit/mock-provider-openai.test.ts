// The mock provider speaks OpenAI's Chat Completions as the real one does: checked with the official
// OpenAI SDK (tool calls, streamed fragments and usage, Azure's deployment path, the model list).
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import OpenAI, { AzureOpenAI } from "openai";
import { DEFAULT_TEXT, type MockProvider, startMockProvider } from "../mocks/mock-provider.js";

describe("mock provider", { timeout: 60_000 }, () => {
  let mock: MockProvider;
  let gpt: OpenAI;

  before(async () => {
    mock = await startMockProvider();
    gpt = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: "sk-test", maxRetries: 0 });
  });
  after(() => mock.close());
  beforeEach(() => mock.reset());

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
});
