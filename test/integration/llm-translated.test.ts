// The official Anthropic SDK on /anthropic, routed to every non-Anthropic provider family (and to
// Claude on Vertex and Bedrock): what the provider receives, and what the client gets back.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import Anthropic from "@anthropic-ai/sdk";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { type MockProvider, type RecordedRequest, startMockProvider } from "../mocks/mock-provider.js";

type Json = Record<string, unknown>;

const SYSTEM = "You are terse.";
const TOOLS: Anthropic.Tool[] = [
  {
    name: "get_weather",
    description: "Current weather for a city",
    input_schema: {
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      properties: { city: { type: "string" }, unit: { type: "string", enum: ["c", "f"] } },
      required: ["city"],
      additionalProperties: false,
    },
  },
  {
    name: "read_file",
    description: "Reads a file",
    input_schema: {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      properties: { path: { type: "string" }, lines: { type: "array", items: { type: "integer" } } },
      required: ["path"],
    },
  },
];
/** A conversation with an earlier tool call and its result, so tool_result mapping is exercised. */
const HISTORY: Anthropic.MessageParam[] = [
  { role: "user", content: "What's the weather in Paris?" },
  {
    role: "assistant",
    content: [
      { type: "text", text: "Checking." },
      { type: "tool_use", id: "toolu_prev1", name: "get_weather", input: { city: "Paris" } },
    ],
  },
  {
    role: "user",
    content: [
      { type: "tool_result", tool_use_id: "toolu_prev1", content: "22C and sunny" },
      { type: "text", text: "Now read /tmp/a.txt and check Rome too." },
    ],
  },
];
const PARALLEL = [
  { name: "get_weather", input: { city: "Rome", unit: "c" } },
  { name: "read_file", input: { path: "/tmp/a.txt", lines: [1, 2, 3] } },
];
/** Usage the mock reports (Anthropic terms): the gateway must record exactly this, in any format. */
const USAGE = { input_tokens: 100, output_tokens: 20, cache_read_input_tokens: 50 };

interface Case {
  name: string;
  /** What the client asks for: an alias or a provider/model id. */
  model: string;
  path(stream: boolean): string;
  auth(h: Record<string, string>): void;
  /** Checks the translated body of the first (history + tools) request. */
  body(json: Json, stream: boolean): void;
}

const noSchema = (tools: unknown) =>
  assert.ok(!JSON.stringify(tools).includes("$schema"), "tools reach the provider without $schema");

function openAIBody(json: Json, stream: boolean, model: string): void {
  const messages = json.messages as Json[];
  assert.equal(json.model, model);
  assert.deepEqual(messages[0], { role: "system", content: SYSTEM });
  const assistant = messages.find((m) => m.role === "assistant") as Json;
  const calls = assistant.tool_calls as Array<{ id: string; function: { name: string; arguments: string } }>;
  assert.equal(calls[0]?.id, "toolu_prev1");
  assert.deepEqual(JSON.parse(calls[0]!.function.arguments), { city: "Paris" });
  assert.deepEqual(
    messages.find((m) => m.role === "tool"),
    { role: "tool", tool_call_id: "toolu_prev1", content: "22C and sunny" },
  );
  const fns = (json.tools as Array<{ function: { name: string } }>).map((t) => t.function.name);
  assert.deepEqual(fns, ["get_weather", "read_file"]);
  noSchema(json.tools);
  if (stream) assert.deepEqual(json.stream_options, { include_usage: true });
}

function geminiBody(json: Json): void {
  assert.equal(json.model, undefined);
  assert.deepEqual(json.systemInstruction, { parts: [{ text: SYSTEM }] });
  const parts = (json.contents as Array<{ role: string; parts: Json[] }>).flatMap((c) => c.parts);
  assert.ok(
    parts.some(
      (p) =>
        JSON.stringify(p.functionResponse) ===
        JSON.stringify({ name: "get_weather", response: { content: "22C and sunny" } }),
    ),
    JSON.stringify(parts),
  );
  assert.ok(parts.some((p) => (p.functionCall as Json | undefined)?.name === "get_weather"));
  const decls = (json.tools as Array<{ functionDeclarations: Array<{ name: string }> }>)[0]!
    .functionDeclarations;
  assert.deepEqual(
    decls.map((d) => d.name),
    ["get_weather", "read_file"],
  );
  noSchema(json.tools);
}

function cloudAnthropicBody(json: Json, version: string): void {
  assert.equal(json.anthropic_version, version);
  assert.equal(json.model, undefined, "the model is in the URL");
  assert.equal(json.system, SYSTEM);
  const last = (json.messages as Array<{ content: Json[] }>)[2]!;
  assert.equal(last.content[0]?.type, "tool_result");
  assert.equal(last.content[0]?.tool_use_id, "toolu_prev1");
  assert.deepEqual(
    (json.tools as Array<{ name: string }>).map((t) => t.name),
    ["get_weather", "read_file"],
  );
}

const VERTEX_BASE = "/v1/projects/p/locations/r/publishers";
const BEDROCK_MODEL = "anthropic.claude-sonnet-4-5-20250929-v1:0";

const CASES: Case[] = [
  {
    name: "OpenAI",
    model: "claude-via-openai",
    path: () => "/v1/chat/completions",
    auth: (h) => assert.equal(h.authorization, "Bearer sk-oai"),
    body: (json, stream) => {
      openAIBody(json, stream, "gpt-4o");
      assert.equal(json.max_completion_tokens, 256, "api.openai.com wants max_completion_tokens");
    },
  },
  {
    name: "Azure OpenAI",
    model: "az/gpt-4o",
    path: () => "/openai/deployments/my-gpt4o/chat/completions?api-version=2024-10-21",
    auth: (h) => {
      assert.equal(h["api-key"], "az-key");
      assert.equal(h.authorization, undefined);
    },
    body: (json, stream) => openAIBody(json, stream, "gpt-4o"),
  },
  {
    name: "Gemini",
    model: "claude-via-gemini",
    path: (s) => `/v1beta/models/gemini-2.5-flash:${s ? "streamGenerateContent?alt=sse" : "generateContent"}`,
    auth: (h) => assert.equal(h["x-goog-api-key"], "g-key"),
    body: (json) => geminiBody(json),
  },
  {
    name: "Vertex Gemini",
    model: "vtx/gemini-2.5-pro",
    path: (s) =>
      `${VERTEX_BASE}/google/models/gemini-2.5-pro:${s ? "streamGenerateContent?alt=sse" : "generateContent"}`,
    auth: (h) => assert.equal(h.authorization, "Bearer ya29.vertex-token"),
    body: (json) => geminiBody(json),
  },
  {
    name: "Vertex Claude",
    model: "vtx/claude-sonnet-4-5@20250929",
    path: (s) =>
      `${VERTEX_BASE}/anthropic/models/claude-sonnet-4-5%4020250929:${s ? "streamRawPredict" : "rawPredict"}`,
    auth: (h) => {
      assert.equal(h.authorization, "Bearer ya29.vertex-token");
      assert.equal(h["anthropic-version"], undefined, "Vertex takes the version in the body");
    },
    body: (json, stream) => {
      cloudAnthropicBody(json, "vertex-2023-10-16");
      assert.equal(json.stream, stream ? true : undefined);
    },
  },
  {
    name: "Bedrock",
    model: "claude-via-bedrock",
    path: (s) =>
      `/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/${s ? "invoke-with-response-stream" : "invoke"}`,
    auth: (h) => {
      assert.match(
        h.authorization ?? "",
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-west-2\/bedrock\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/,
      );
      assert.match(h["x-amz-date"] ?? "", /^\d{8}T\d{6}Z$/);
    },
    body: (json) => {
      cloudAnthropicBody(json, "bedrock-2023-05-31");
      assert.equal(json.stream, undefined, "Bedrock rejects a stream key");
    },
  },
  {
    name: "Bedrock Converse",
    model: "llama-via-bedrock",
    path: (s) => `/model/meta.llama3-3-70b-instruct-v1%3A0/${s ? "converse-stream" : "converse"}`,
    auth: (h) =>
      assert.match(
        h.authorization ?? "",
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-west-2\/bedrock\//,
      ),
    body: (json) => {
      assert.deepEqual(json.system, [{ text: SYSTEM }]);
      assert.deepEqual(json.inferenceConfig, { maxTokens: 256 });
      const [, assistant, user] = json.messages as Array<{ role: string; content: Json[] }>;
      assert.deepEqual(assistant!.content[1], {
        toolUse: { toolUseId: "toolu_prev1", name: "get_weather", input: { city: "Paris" } },
      });
      assert.deepEqual(user!.content[0], {
        toolResult: { toolUseId: "toolu_prev1", content: [{ text: "22C and sunny" }], status: "success" },
      });
      const tools = (json.toolConfig as { tools: Array<{ toolSpec: { name: string } }> }).tools;
      assert.deepEqual(
        tools.map((t) => t.toolSpec.name),
        ["get_weather", "read_file"],
      );
    },
  },
];

describe("Anthropic SDK on /anthropic, translated to every provider family", () => {
  let mock: MockProvider;
  let gw: TestGateway;
  let client: Anthropic;

  before(async () => {
    mock = await startMockProvider({ chunkSplit: "random", seed: 11 });
    gw = await startGateway({
      providers: {
        oai: { type: "openai", api_key: "sk-oai", base_url: `${mock.url}/v1` },
        gem: { type: "gemini", api_key: "g-key", base_url: `${mock.url}/v1beta` },
        vtx: {
          type: "vertex",
          project: "p",
          region: "r",
          base_url: mock.url,
          access_token: "ya29.vertex-token",
        },
        bed: {
          type: "bedrock",
          base_url: mock.url,
          region: "us-west-2",
          access_key_id: "AKIDEXAMPLE",
          secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        },
        az: { type: "azure", base_url: mock.url, api_key: "az-key", deployments: { "gpt-4o": "my-gpt4o" } },
      },
      models: {
        "claude-via-openai": "oai/gpt-4o",
        "claude-via-gemini": "gem/gemini-2.5-flash",
        "claude-via-bedrock": `bed/${BEDROCK_MODEL}`,
        "llama-via-bedrock": "bed/meta.llama3-3-70b-instruct-v1:0",
      },
    });
    client = new Anthropic({ baseURL: `${gw.url}/anthropic`, apiKey: gw.key, maxRetries: 0 });
  });
  after(async () => {
    await gw?.close();
    await mock?.close();
  });

  function only(): RecordedRequest {
    assert.equal(mock.requests.length, 1, "exactly one provider request");
    const r = mock.requests[0]!;
    assert.ok(!JSON.stringify(r.headers).includes(gw.key), "the virtual key never reaches the provider");
    return r;
  }

  const params = (model: string): Anthropic.MessageCreateParamsNonStreaming => ({
    model,
    max_tokens: 256,
    system: SYSTEM,
    tools: TOOLS,
    messages: HISTORY,
  });

  for (const c of CASES) {
    describe(c.name, () => {
      test("JSON text answer: path, credentials, translated body, usage with cache reads", async () => {
        mock.reset();
        mock.script({ kind: "text", text: `Hi from ${c.name}`, usage: USAGE });
        const recP = gw.nextRecord();
        const msg = await client.messages.create(params(c.model));
        assert.equal(msg.type, "message");
        assert.equal(msg.role, "assistant");
        assert.deepEqual(
          msg.content.map((b) => b.type === "text" && b.text),
          [`Hi from ${c.name}`],
        );
        assert.equal(msg.stop_reason, "end_turn");
        assert.equal(msg.usage.input_tokens, 100);
        assert.equal(msg.usage.output_tokens, 20);
        assert.equal(msg.usage.cache_read_input_tokens, 50);
        const seen = only();
        assert.equal(seen.path, c.path(false));
        c.auth(seen.headers);
        c.body(seen.json as Json, false);
        const rec = await recP;
        assert.equal(rec.status, 200);
        assert.equal(rec.requestedModel, c.model);
        assert.equal(rec.attempts, 1);
        assert.deepEqual(rec.fallbacks, []);
        assert.equal(rec.usage.inputTokens, 100);
        assert.equal(rec.usage.outputTokens, 20);
        assert.equal(rec.usage.cacheReadTokens, 50);
      });

      test("streamed text answer through messages.stream().finalMessage()", async () => {
        mock.reset();
        mock.script({ kind: "text", text: "Streaming works across formats.", usage: USAGE });
        const recP = gw.nextRecord();
        const final = await client.messages.stream({ ...params(c.model), stream: true }).finalMessage();
        assert.deepEqual(
          final.content.map((b) => b.type === "text" && b.text),
          ["Streaming works across formats."],
        );
        assert.equal(final.stop_reason, "end_turn");
        assert.equal(final.usage.output_tokens, 20);
        const seen = only();
        assert.equal(seen.path, c.path(true));
        c.auth(seen.headers);
        c.body(seen.json as Json, true);
        const rec = await recP;
        assert.equal(rec.status, 200, rec.error);
        assert.equal(rec.stream, true);
        assert.equal(rec.usage.inputTokens, 100);
        assert.equal(rec.usage.outputTokens, 20);
        assert.equal(rec.usage.cacheReadTokens, 50);
      });

      test("parallel tool calls, streamed: inputs assembled from fragments", async () => {
        mock.reset();
        mock.script({ kind: "tool_use", text: "Two things.", tools: PARALLEL });
        const recP = gw.nextRecord();
        const final = await client.messages.stream({ ...params(c.model), stream: true }).finalMessage();
        const uses = final.content.filter((b): b is Anthropic.ToolUseBlock => b.type === "tool_use");
        assert.deepEqual(
          uses.map((u) => [u.name, u.input]),
          PARALLEL.map((t) => [t.name, t.input]),
        );
        assert.equal(new Set(uses.map((u) => u.id)).size, 2, "distinct tool_use ids");
        for (const u of uses) assert.ok(u.id.length > 0);
        assert.equal(final.content[0]?.type === "text" && final.content[0].text, "Two things.");
        assert.equal(final.stop_reason, "tool_use");
        const rec = await recP;
        assert.equal(rec.status, 200, rec.error);
        assert.ok(rec.usage.outputTokens > 0 && rec.usage.inputTokens > 0, JSON.stringify(rec.usage));
      });

      test("parallel tool calls as JSON, and a tool_result follow-up round trip", async () => {
        mock.reset();
        mock.script({ kind: "tool_use", tools: PARALLEL }, { kind: "text", text: "Done." });
        const first = await client.messages.create(params(c.model));
        const uses = first.content.filter((b): b is Anthropic.ToolUseBlock => b.type === "tool_use");
        assert.deepEqual(
          uses.map((u) => [u.name, u.input]),
          PARALLEL.map((t) => [t.name, t.input]),
        );
        assert.equal(first.stop_reason, "tool_use");
        // The client answers both calls; the provider must see both results tied to their calls.
        const second = await client.messages.create({
          ...params(c.model),
          messages: [
            ...HISTORY,
            { role: "assistant", content: first.content },
            {
              role: "user",
              content: uses.map((u, i) => ({
                type: "tool_result" as const,
                tool_use_id: u.id,
                content: `result ${i}`,
              })),
            },
          ],
        });
        assert.equal(second.content[0]?.type === "text" && second.content[0].text, "Done.");
        const body = JSON.stringify(mock.requests[1]!.json);
        assert.ok(body.includes("result 0") && body.includes("result 1"), body);
      });
    });
  }
});
