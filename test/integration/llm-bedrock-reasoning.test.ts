// Reasoning on Bedrock's Converse models: Claude Code's thinking and /v1's reasoning_effort reach
// Amazon Nova 2 and gpt-oss as the setting each takes (the mock refuses either field on any other
// family, and Nova's high effort with maxTokens, in Bedrock's words), and their reasoning comes
// back as unsigned thinking, in JSON and in a stream; redacted reasoning is not passed on.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { post, startGateway, type TestGateway } from "../helpers/gateway.js";
import { type MockProvider, startMockProvider } from "../mocks/mock-provider.js";

type Json = Record<string, unknown>;
const NOVA_2 = "us.amazon.nova-2-lite-v1:0";
const GPT_OSS = "openai.gpt-oss-120b-1:0";
const NOVA_1 = "us.amazon.nova-pro-v1:0";
const R1 = "us.deepseek.r1-v1:0";
/** What Nova 2 Lite returns for its reasoning (AWS: redacted in the output), and a redacted block. */
const NOVA_REPLY = { kind: "text", text: "42.", thinking: "[REDACTED]", redactedThinking: "AAEC" } as const;

const fieldsSent = (mock: MockProvider): Json | undefined =>
  (mock.requests[0]!.json as { additionalModelRequestFields?: Json }).additionalModelRequestFields;

describe("Bedrock Converse: reasoning settings", () => {
  let mock: MockProvider;
  let gw: TestGateway;
  let claude: Anthropic;
  let openai: OpenAI;

  before(async () => {
    mock = await startMockProvider({ chunkSplit: "random", seed: 9 });
    gw = await startGateway({
      providers: {
        bed: {
          type: "bedrock",
          base_url: mock.url,
          region: "us-east-1",
          access_key_id: "AKIDEXAMPLE",
          secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        },
      },
      models: { nova2: `bed/${NOVA_2}`, oss: `bed/${GPT_OSS}`, nova1: `bed/${NOVA_1}`, r1: `bed/${R1}` },
    });
    claude = new Anthropic({ baseURL: `${gw.url}/anthropic`, apiKey: gw.key, maxRetries: 0 });
    openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: gw.key, maxRetries: 0 });
  });
  after(async () => {
    await gw?.close();
    await mock?.close();
  });

  const ask = (model: string, budget: number): Anthropic.MessageCreateParamsNonStreaming => ({
    model,
    // Under the SDK's ceiling for an answer asked for whole.
    max_tokens: 20000,
    thinking: { type: "enabled", budget_tokens: budget },
    messages: [{ role: "user", content: "The answer?" }],
  });

  test("/anthropic to Nova 2, whole: reasoningConfig at the budget's effort; reasoning back unsigned", async () => {
    for (const [budget, effort] of [
      [2048, "low"],
      [16384, "high"],
    ] as const) {
      mock.reset();
      mock.script(NOVA_REPLY);
      const msg = await claude.messages.create(ask("nova2", budget));
      assert.deepEqual(fieldsSent(mock), {
        reasoningConfig: { type: "enabled", maxReasoningEffort: effort },
      });
      assert.deepEqual(
        msg.content.map((b) => b.type),
        ["thinking", "text"],
        "the redacted block is not passed on",
      );
      assert.deepEqual(msg.content[0], { type: "thinking", thinking: "[REDACTED]", signature: "" });
    }
  });

  test("/anthropic to Nova 2 and gpt-oss, streamed: the setting sent, the reasoning streamed as thinking", async () => {
    for (const [model, fields] of [
      ["nova2", { reasoningConfig: { type: "enabled", maxReasoningEffort: "medium" } }],
      ["oss", { reasoning_effort: "medium" }],
    ] as const) {
      mock.reset();
      mock.script(
        model === "nova2" ? NOVA_REPLY : { kind: "text", text: "42.", thinking: "Six times seven." },
      );
      const msg = await claude.messages.stream(ask(model, 8000)).finalMessage();
      assert.deepEqual(fieldsSent(mock), fields, model);
      assert.match(mock.requests[0]!.path, /\/converse-stream$/);
      assert.deepEqual(
        msg.content.map((b) => b.type),
        ["thinking", "text"],
        model,
      );
      const thinking = msg.content[0] as Anthropic.ThinkingBlock;
      assert.equal(thinking.thinking, model === "nova2" ? "[REDACTED]" : "Six times seven.");
      assert.equal(thinking.signature, "");
    }
  });

  test("/v1 reasoning_effort reaches gpt-oss and Nova 2 as itself, not the budget a small max_tokens shrinks", async () => {
    mock.reset();
    mock.script({ kind: "text", text: "42.", thinking: "Six times seven." });
    const res = await openai.chat.completions.create({
      model: "oss",
      reasoning_effort: "high",
      max_completion_tokens: 3000,
      messages: [{ role: "user", content: "The answer?" }],
    });
    assert.deepEqual(fieldsSent(mock), { reasoning_effort: "high" });
    const message = res.choices[0]!.message as { content: string; reasoning_content?: string };
    assert.equal(message.content, "42.");
    assert.equal(message.reasoning_content, "Six times seven.");

    mock.reset();
    mock.script(NOVA_REPLY);
    const stream = await openai.chat.completions.create({
      model: "nova2",
      reasoning_effort: "low",
      stream: true,
      messages: [{ role: "user", content: "The answer?" }],
    });
    let reasoning = "";
    let text = "";
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { content?: string; reasoning_content?: string } | undefined;
      reasoning += delta?.reasoning_content ?? "";
      text += delta?.content ?? "";
    }
    assert.deepEqual(fieldsSent(mock), { reasoningConfig: { type: "enabled", maxReasoningEffort: "low" } });
    assert.equal(reasoning, "[REDACTED]");
    assert.equal(text, "42.");
  });

  test("models without a setting get none: Nova 1 and DeepSeek R1 answer a thinking request", async () => {
    for (const model of ["nova1", "r1"]) {
      mock.reset();
      const res = await post(`${gw.url}/anthropic/v1/messages`, JSON.stringify(ask(model, 31999)));
      assert.equal(res.status, 200, `${model}: ${res.text}`);
      assert.equal(fieldsSent(mock), undefined, model);
    }
  });
});
