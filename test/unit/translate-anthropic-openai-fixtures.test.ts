// Real Claude Code requests (test fixtures) translated to OpenAI Chat Completions.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { anthropicToOpenAIRequest } from "../../gateway/src/llm/translate/anthropic-to-openai.js";
import { estimateAnthropicInputTokens } from "../../gateway/src/llm/translate/estimate-tokens.js";
import type { AnthropicRequest } from "../../gateway/src/llm/wire/anthropic.js";
import { CC_FIXTURES } from "../helpers/fixtures.js";

const FIXTURES = CC_FIXTURES;

describe("Claude Code fixtures", () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith(".json"));
  const bodies = files
    .map((f) => [f, JSON.parse(readFileSync(join(FIXTURES, f), "utf8")).body] as const)
    .filter(([, b]) => b && typeof b === "object" && Array.isArray(b.messages));
  test("there are request fixtures", () => assert.ok(bodies.length >= 4));
  for (const [file, body] of bodies) {
    test(`${file} translates sanely`, () => {
      const r = body as AnthropicRequest;
      const before = JSON.stringify(r);
      const out = anthropicToOpenAIRequest(r, "gpt-target");
      assert.equal(JSON.stringify(r), before, "input not mutated");
      assert.equal(out.model, "gpt-target");
      assert.ok(out.messages.length >= 1);
      const s = JSON.stringify(out);
      assert.ok(!s.includes("cache_control"));
      assert.ok(!s.includes('"$schema"'));
      assert.ok(!s.includes("x-anthropic-billing-header"));
      assert.ok(!("metadata" in out) && !("context_management" in out) && !("output_config" in out));
      for (const m of out.messages) assert.ok(["system", "user", "assistant", "tool"].includes(m.role));
      if (r.tools?.length) {
        assert.equal(out.tools?.length, r.tools.length);
        for (const t of out.tools!) assert.equal(t.function.parameters?.type, "object");
      }
      if (r.stream) assert.deepEqual(out.stream_options, { include_usage: true });
      if (r.output_config?.effort === "high") assert.equal(out.reasoning_effort, "high");
      // Every tool message answers a tool call made by the assistant message before it.
      const called = new Set<string>();
      for (const m of out.messages) {
        if (m.role === "assistant") for (const c of m.tool_calls ?? []) called.add(c.id);
        if (m.role === "tool") assert.ok(called.has(m.tool_call_id));
      }
      const est = estimateAnthropicInputTokens(r);
      assert.ok(est > 0 && Number.isInteger(est));
      const summary = JSON.parse(readFileSync(join(FIXTURES, file), "utf8"))._meta?.summary;
      const rough = (summary?.system_rough_tokens ?? 0) + (summary?.tools_rough_tokens ?? 0);
      if (rough > 100) assert.ok(est > rough * 0.8 && est < rough * 1.5, `${est} vs ${rough}`);
    });
  }

  test("tool loop turn 2 maps tool_result to a tool message right after the tool call", () => {
    const body = JSON.parse(readFileSync(join(FIXTURES, "tool-loop.2-with-tool-result.json"), "utf8")).body;
    const out = anthropicToOpenAIRequest(body as AnthropicRequest, "m");
    const roles = out.messages.map((m) => m.role);
    assert.deepEqual(roles, ["system", "user", "system", "assistant", "tool"]);
    assert.deepEqual(out.messages[4], {
      role: "tool",
      tool_call_id: "toolu_mock_9857b31110d4d1aaa215b708",
      content: "echo: nonce-42",
    });
  });
});
