// Bedrock models other than Anthropic's go through Converse: a real Claude Code request, the
// OpenAI SDK on /v1, Bedrock's errors before and during a stream, and max_output_tokens.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { post, startGateway, type TestGateway } from "../helpers/gateway.js";
import { type MockProvider, startMockProvider } from "../mocks/mock-provider.js";

type Json = Record<string, unknown>;
const fixture = (name: string) =>
  JSON.parse(
    readFileSync(new URL(`../../../shared/fixtures/claude-code/${name}`, import.meta.url), "utf8"),
  ) as {
    body: Json;
  };
const LLAMA = "meta.llama3-3-70b-instruct-v1:0";
/** A model with prompt caching in Converse (cache points in system and messages). */
const NOVA = "us.amazon.nova-pro-v1:0";
/** A model that cannot stream tool use (AWS's table of Converse features; the mock refuses it too). */
const LLAMA_31 = "us.meta.llama3-1-70b-instruct-v1:0";

describe("Bedrock Converse: models other than Anthropic's", () => {
  let mock: MockProvider;
  let gw: TestGateway;

  before(async () => {
    mock = await startMockProvider({ chunkSplit: "random", seed: 5 });
    const bedrock = {
      type: "bedrock",
      base_url: mock.url,
      region: "us-west-2",
      access_key_id: "AKIDEXAMPLE",
      secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    };
    gw = await startGateway({
      providers: {
        bed: bedrock,
        capped: { ...bedrock, max_output_tokens: 8192 },
        keyed: {
          type: "bedrock",
          base_url: mock.url,
          region: "us-west-2",
          api_key: "ABSKbedrock-api-key-0001",
        },
        guarded: { ...bedrock, guardrail: { id: "gr-abc123", version: "2", trace: true } },
      },
      models: {
        llama: `bed/${LLAMA}`,
        "llama-capped": `capped/${LLAMA}`,
        "llama-keyed": `keyed/${LLAMA}`,
        "llama-3-1": `bed/${LLAMA_31}`,
        "llama-guarded": `guarded/${LLAMA}`,
        nova: `bed/${NOVA}`,
        "claude-guarded": "guarded/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
      },
    });
  });
  after(async () => {
    await gw?.close();
    await mock?.close();
  });

  test("a real Claude Code tool loop request is a request Converse accepts, and the answer comes back", async () => {
    for (const name of ["tool-loop.1-first-request.json", "tool-loop.2-with-tool-result.json"]) {
      mock.reset();
      mock.script({
        kind: "tool_use",
        text: "Reading.",
        tools: [{ name: "Read", input: { file_path: "/a" } }],
      });
      const body = { ...fixture(name).body, model: "llama" };
      const res = await post(`${gw.url}/anthropic/v1/messages?beta=true`, JSON.stringify(body));
      // The mock answers 400 in Converse's words when the translated request breaks its rules.
      assert.equal(res.status, 200, `${name}: ${res.text}`);
      assert.equal(mock.requests[0]!.path, `/model/${encodeURIComponent(LLAMA)}/converse-stream`);
      const sent = mock.requests[0]!.json as Json;
      assert.equal(sent.model, undefined);
      assert.ok(!JSON.stringify(sent).includes("x-anthropic-billing-header"), "the billing line stays out");
      assert.match(res.text, /"name":"Read"/);
      assert.match(res.text, /"stop_reason":"tool_use"/);
    }
  });

  test("Claude Code's cache_control reaches Amazon Nova as cache points, and its cache reads come back as Anthropic's", async () => {
    for (const name of ["tool-loop.1-first-request.json", "tool-loop.2-with-tool-result.json"]) {
      mock.reset();
      const body = { ...fixture(name).body, model: "nova", stream: false };
      const res = await post(`${gw.url}/anthropic/v1/messages?beta=true`, JSON.stringify(body));
      // The mock refuses cache points a model cannot take, more than four, or first in a turn.
      assert.equal(res.status, 200, `${name}: ${res.text}`);
      const sent = mock.requests[0]!.json as { system: Json[]; messages: Array<{ content: Json[] }> };
      assert.deepEqual(
        sent.system.at(-1),
        { cachePoint: { type: "default" } },
        "the system prompt is cached",
      );
      assert.ok(
        sent.messages.some((m) => m.content.some((b) => "cachePoint" in b)),
        "the marked message block is cached",
      );
      const usage = (res.json() as { usage: Record<string, number> }).usage;
      assert.ok(usage.cache_read_input_tokens! > 0, JSON.stringify(usage));
    }
    // A Converse model without prompt caching gets none (the mock would refuse them).
    mock.reset();
    const res = await post(
      `${gw.url}/anthropic/v1/messages`,
      JSON.stringify({ ...fixture("tool-loop.1-first-request.json").body, model: "llama", stream: false }),
    );
    assert.equal(res.status, 200, res.text);
    assert.ok(!mock.requests[0]!.body.includes("cachePoint"));
  });

  test("the OpenAI SDK on /v1: a streamed tool call and its usage", async () => {
    mock.reset();
    mock.script({
      kind: "tool_use",
      tools: [{ name: "get_weather", input: { city: "Oslo" } }],
      usage: { input_tokens: 30, output_tokens: 7 },
    });
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: gw.key, maxRetries: 0 });
    const recP = gw.nextRecord();
    const stream = await client.chat.completions.create({
      model: "llama",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "Weather in Oslo?" }],
      tools: [
        {
          type: "function",
          function: {
            name: "get_weather",
            parameters: { type: "object", properties: { city: { type: "string" } } },
          },
        },
      ],
    });
    let args = "";
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      for (const c of chunk.choices) {
        args += c.delta.tool_calls?.[0]?.function?.arguments ?? "";
        finish = c.finish_reason ?? finish;
      }
      usage = chunk.usage ?? usage;
    }
    assert.deepEqual(JSON.parse(args), { city: "Oslo" });
    assert.equal(finish, "tool_calls");
    assert.equal(usage?.prompt_tokens, 30);
    assert.equal(usage?.completion_tokens, 7);
    const sent = mock.requests[0]!.json as { toolConfig: { tools: Array<{ toolSpec: { name: string } }> } };
    assert.equal(sent.toolConfig.tools[0]!.toolSpec.name, "get_weather");
    const rec = await recP;
    assert.equal(rec.status, 200, rec.error);
    assert.equal(rec.usage.inputTokens, 30);
  });

  test("Bedrock's refusals: throttled before the answer is a 429, an exception mid-stream an error event", async () => {
    const client = new Anthropic({ baseURL: `${gw.url}/anthropic`, apiKey: gw.key, maxRetries: 0 });
    mock.reset();
    // Retried once (settings.retries), then the client is told.
    const message = "Too many requests, please wait before trying again.";
    mock.script({ kind: "error", status: 429, message }, { kind: "error", status: 429, message });
    await assert.rejects(
      client.messages.create({ model: "llama", max_tokens: 50, messages: [{ role: "user", content: "hi" }] }),
      (e: unknown) => {
        assert.ok(e instanceof Anthropic.RateLimitError, String(e));
        assert.match(e.message, /Too many requests/);
        return true;
      },
    );
    mock.reset();
    mock.script({ kind: "stream-error", afterEvents: 3, status: 503, message: "Bedrock is busy" });
    const recP = gw.nextRecord();
    await assert.rejects(
      client.messages
        .stream({ model: "llama", max_tokens: 50, messages: [{ role: "user", content: "hi" }] })
        .finalMessage(),
      /Bedrock is busy/,
    );
    const rec = await recP;
    assert.match(rec.error ?? "", /serviceUnavailableException: Bedrock is busy/);
  });

  test("an Amazon Bedrock API key goes as a bearer token, not a signature, and is never logged", async () => {
    mock.reset();
    const recP = gw.nextRecord();
    const res = await post(
      `${gw.url}/anthropic/v1/messages`,
      JSON.stringify({ model: "llama-keyed", max_tokens: 50, messages: [{ role: "user", content: "hi" }] }),
    );
    assert.equal(res.status, 200, res.text);
    const h = mock.requests[0]!.headers;
    assert.equal(h.authorization, "Bearer ABSKbedrock-api-key-0001");
    assert.equal(h["x-amz-date"], undefined);
    assert.equal(mock.requests[0]!.path, `/model/${encodeURIComponent(LLAMA)}/converse`);
    assert.ok(!JSON.stringify(await recP).includes("ABSKbedrock"));
  });

  test("a model that cannot stream tool use: asked for its whole answer, streamed to the client; learned once", async () => {
    const client = new Anthropic({ baseURL: `${gw.url}/anthropic`, apiKey: gw.key, maxRetries: 0 });
    const params = {
      model: "llama-3-1",
      max_tokens: 100,
      messages: [{ role: "user" as const, content: "Weather in Oslo?" }],
      tools: [{ name: "get_weather", input_schema: { type: "object" as const, properties: {} } }],
    };
    mock.reset();
    mock.script({
      kind: "tool_use",
      text: "Checking.",
      tools: [{ name: "get_weather", input: { city: "Oslo" } }],
    });
    const recP = gw.nextRecord();
    const first = await client.messages.stream(params).finalMessage();
    assert.deepEqual(
      first.content.map((b) =>
        b.type === "tool_use" ? [b.name, b.input] : b.type === "text" ? b.text : b.type,
      ),
      ["Checking.", ["get_weather", { city: "Oslo" }]],
    );
    assert.equal(first.stop_reason, "tool_use");
    const path = `/model/${encodeURIComponent(LLAMA_31)}`;
    assert.deepEqual(
      mock.requests.map((r) => r.path),
      [`${path}/converse-stream`, `${path}/converse`],
      "refused once, then asked whole",
    );
    const rec = await recP;
    assert.equal(rec.status, 200, rec.error);
    assert.equal(rec.attempts, 2);
    assert.ok(rec.usage.outputTokens > 0);

    mock.reset();
    mock.script({ kind: "text", text: "Sunny." });
    const second = await client.messages.stream(params).finalMessage();
    assert.equal(second.content[0]?.type === "text" && second.content[0].text, "Sunny.");
    assert.deepEqual(
      mock.requests.map((r) => r.path),
      [`${path}/converse`],
      "known from then on",
    );
    // Without tools the model streams as usual.
    mock.reset();
    await client.messages.stream({ ...params, tools: undefined }).finalMessage();
    assert.deepEqual(
      mock.requests.map((r) => r.path),
      [`${path}/converse-stream`],
    );
  });

  test("a provider's guardrail applies to every call: in Converse's body, in InvokeModel's signed headers", async () => {
    mock.reset();
    for (const model of ["llama-guarded", "claude-guarded"]) {
      const res = await post(
        `${gw.url}/anthropic/v1/messages`,
        JSON.stringify({ model, max_tokens: 50, messages: [{ role: "user", content: "hi" }] }),
      );
      assert.equal(res.status, 200, res.text);
    }
    const [converse, invoke] = mock.requests;
    assert.deepEqual((converse!.json as Json).guardrailConfig, {
      guardrailIdentifier: "gr-abc123",
      guardrailVersion: "2",
      trace: "enabled",
    });
    assert.match(invoke!.path, /\/invoke$/);
    assert.equal(invoke!.headers["x-amzn-bedrock-guardrailidentifier"], "gr-abc123");
    assert.equal(invoke!.headers["x-amzn-bedrock-guardrailversion"], "2");
    assert.equal(invoke!.headers["x-amzn-bedrock-trace"], "ENABLED");
    assert.match(
      invoke!.headers.authorization ?? "",
      /SignedHeaders=[^,]*x-amzn-bedrock-guardrailidentifier/,
    );
  });

  test("max_output_tokens caps what Claude Code asks for (64000) on a Converse model", async () => {
    mock.reset();
    const res = await post(
      `${gw.url}/anthropic/v1/messages`,
      JSON.stringify({
        model: "llama-capped",
        max_tokens: 64000,
        messages: [{ role: "user", content: "hi" }],
      }),
    );
    assert.equal(res.status, 200, res.text);
    assert.deepEqual((mock.requests[0]!.json as Json).inferenceConfig, { maxTokens: 8192 });
  });
});
