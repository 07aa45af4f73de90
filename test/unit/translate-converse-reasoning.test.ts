// Anthropic `thinking` (and /v1's reasoning_effort) -> the reasoning setting of the Converse models
// that take one: Amazon Nova 2's reasoningConfig, gpt-oss's reasoning_effort; nothing for others.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { converseReasoning } from "../../gateway/src/llm/providers/bedrock/converse-models.js";
import { anthropicToConverseRequest } from "../../gateway/src/llm/translate/anthropic-to-converse.js";
import { thinkingEffort } from "../../gateway/src/llm/translate/thinking-effort.js";
import type { AnthropicRequest } from "../../gateway/src/llm/wire/anthropic.js";

const req = (r: Partial<AnthropicRequest>): AnthropicRequest => ({
  model: "m",
  max_tokens: 32000,
  messages: [{ role: "user", content: "hi" }],
  ...r,
});
const enabled = (budget_tokens: number): AnthropicRequest["thinking"] => ({ type: "enabled", budget_tokens });

describe("which Converse models take a reasoning setting", () => {
  const cases: Array<[string, string | undefined]> = [
    ["amazon.nova-2-lite-v1:0", "nova-2"],
    ["us.amazon.nova-2-lite-v1:0", "nova-2"],
    ["global.amazon.nova-2-lite-v1:0", "nova-2"],
    ["arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-2-lite-v1:0", "nova-2"],
    ["amazon.nova-pro-v1:0", undefined],
    ["us.amazon.nova-premier-v1:0", undefined],
    ["openai.gpt-oss-120b-1:0", "gpt-oss"],
    ["openai.gpt-oss-20b-1:0", "gpt-oss"],
    ["us.deepseek.r1-v1:0", undefined],
    ["meta.llama3-3-70b-instruct-v1:0", undefined],
    ["mistral.mistral-large-2407-v1:0", undefined],
    ["arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc", undefined],
    ["myopenai.gpt-oss-120b", undefined],
  ];
  for (const [model, family] of cases)
    test(`${model} -> ${family ?? "none"}`, () => assert.equal(converseReasoning(model), family));
});

describe("thinking -> effort", () => {
  const cases: Array<[string, Partial<AnthropicRequest>, string | undefined]> = [
    ["no thinking", {}, undefined],
    ["disabled", { thinking: { type: "disabled" } }, undefined],
    ["budget 1024", { thinking: enabled(1024) }, "low"],
    ["budget 4095", { thinking: enabled(4095) }, "low"],
    ["budget 4096", { thinking: enabled(4096) }, "medium"],
    ["budget 16383", { thinking: enabled(16383) }, "medium"],
    ["budget 16384", { thinking: enabled(16384) }, "high"],
    ["Claude Code's 31999", { thinking: enabled(31999) }, "high"],
    ["output_config.effort wins", { thinking: enabled(31999), output_config: { effort: "low" } }, "low"],
    ["effort max is high", { thinking: { type: "adaptive" }, output_config: { effort: "max" } }, "high"],
    ["adaptive without effort", { thinking: { type: "adaptive" } }, "medium"],
  ];
  for (const [name, r, effort] of cases)
    test(name, () => assert.equal(thinkingEffort(req(r), "medium"), effort));
  test("adaptive without effort, no default: none (OpenAI's provider decides)", () =>
    assert.equal(thinkingEffort(req({ thinking: { type: "adaptive" } })), undefined));
});

describe("Anthropic -> Converse with a reasoning setting", () => {
  test("Nova 2: reasoningConfig at the budget's effort, inference settings kept below high", () => {
    for (const [budget, effort] of [
      [2000, "low"],
      [8000, "medium"],
    ] as const) {
      const out = anthropicToConverseRequest(req({ thinking: enabled(budget), temperature: 1 }), undefined, {
        reasoning: "nova-2",
      });
      assert.deepEqual(out.additionalModelRequestFields, {
        reasoningConfig: { type: "enabled", maxReasoningEffort: effort },
      });
      assert.deepEqual(out.inferenceConfig, { maxTokens: 32000, temperature: 1 });
    }
  });

  test("Nova 2 at high: maxTokens, temperature and topP left out (Nova refuses them there)", () => {
    const out = anthropicToConverseRequest(
      req({ thinking: enabled(31999), temperature: 1, top_p: 0.9, stop_sequences: ["END"] }),
      undefined,
      { reasoning: "nova-2" },
    );
    assert.deepEqual(out.additionalModelRequestFields, {
      reasoningConfig: { type: "enabled", maxReasoningEffort: "high" },
    });
    assert.deepEqual(out.inferenceConfig, { stopSequences: ["END"] });
    const bare = anthropicToConverseRequest(req({ thinking: enabled(31999) }), undefined, {
      reasoning: "nova-2",
    });
    assert.equal(bare.inferenceConfig, undefined);
  });

  test("gpt-oss: reasoning_effort; its inference settings stay", () => {
    const out = anthropicToConverseRequest(req({ thinking: enabled(31999) }), undefined, {
      reasoning: "gpt-oss",
    });
    assert.deepEqual(out.additionalModelRequestFields, { reasoning_effort: "high" });
    assert.deepEqual(out.inferenceConfig, { maxTokens: 32000 });
  });

  test("an effort the client named wins over the budget", () => {
    const out = anthropicToConverseRequest(req({ thinking: enabled(1024) }), undefined, {
      reasoning: "gpt-oss",
      effort: "high",
    });
    assert.deepEqual(out.additionalModelRequestFields, { reasoning_effort: "high" });
  });

  test("no thinking, or a model without a setting: no model fields", () => {
    assert.equal(
      anthropicToConverseRequest(req({}), undefined, { reasoning: "nova-2" }).additionalModelRequestFields,
      undefined,
    );
    assert.equal(
      anthropicToConverseRequest(req({ thinking: enabled(31999) })).additionalModelRequestFields,
      undefined,
    );
  });
});
