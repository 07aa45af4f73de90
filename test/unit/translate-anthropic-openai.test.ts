import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  anthropicToOpenAIRequest,
  openAIToAnthropicResponse,
} from "../../gateway/src/llm/translate/anthropic-to-openai.js";
import { estimateAnthropicInputTokens } from "../../gateway/src/llm/translate/estimate-tokens.js";
import type { AnthropicRequest } from "../../gateway/src/llm/wire/anthropic.js";
import type { OpenAIMessage, OpenAIResponse } from "../../gateway/src/llm/wire/openai.js";
import { CC_FIXTURES } from "../helpers/fixtures.js";

const FIXTURES = CC_FIXTURES;

function req(over: Partial<AnthropicRequest>): AnthropicRequest {
  return { model: "claude-x", max_tokens: 100, messages: [{ role: "user", content: "hi" }], ...over };
}

function res(
  over: Partial<OpenAIResponse["choices"][number]>,
  usage?: OpenAIResponse["usage"],
): OpenAIResponse {
  const out: OpenAIResponse = {
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 1,
    model: "gpt-x",
    choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop", ...over }],
  };
  if (usage) out.usage = usage;
  return out;
}

describe("anthropicToOpenAIRequest: system", () => {
  const cases: Array<[string, AnthropicRequest["system"], string | undefined]> = [
    ["string", "be brief", "be brief"],
    [
      "blocks joined, cache_control dropped",
      [
        { type: "text", text: "a" },
        { type: "text", text: "b", cache_control: { type: "ephemeral" } },
      ],
      "a\n\nb",
    ],
    [
      "Claude Code billing header dropped",
      [
        { type: "text", text: "x-anthropic-billing-header: cc_version=2.1.197.b97;" },
        { type: "text", text: "You are Claude Code" },
      ],
      "You are Claude Code",
    ],
    ["absent", undefined, undefined],
  ];
  for (const [name, system, want] of cases) {
    test(name, () => {
      const out = anthropicToOpenAIRequest(req({ system }), "gpt-x");
      const first = out.messages[0]!;
      if (want === undefined) assert.equal(first.role, "user");
      else assert.deepEqual(first, { role: "system", content: want });
      assert.ok(!JSON.stringify(out).includes("cache_control"));
    });
  }

  test("role:system messages inside messages stay in place", () => {
    const out = anthropicToOpenAIRequest(
      req({
        messages: [
          { role: "user", content: "q" },
          { role: "system", content: "reminder" },
          { role: "assistant", content: "a" },
        ],
      }),
      "m",
    );
    assert.deepEqual(
      out.messages.map((m) => m.role),
      ["user", "system", "assistant"],
    );
    assert.equal(out.messages[1]!.content, "reminder");
  });
});

describe("anthropicToOpenAIRequest: content", () => {
  test("user blocks: text-only collapses to a string; image and PDF become parts", () => {
    const out = anthropicToOpenAIRequest(
      req({
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "a" },
              { type: "text", text: "b" },
            ],
          },
          { role: "assistant", content: "ok" },
          {
            role: "user",
            content: [
              { type: "text", text: "look" },
              { type: "image", source: { type: "base64", media_type: "image/png", data: "AAA" } },
              { type: "image", source: { type: "url", url: "https://x/y.png" } },
              { type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBE" } },
              {
                type: "document",
                title: "notes",
                source: { type: "text", media_type: "text/plain", data: "hello" },
              },
            ],
          },
        ],
      }),
      "m",
    );
    assert.equal(out.messages[0]!.content, "a\n\nb");
    assert.deepEqual(out.messages[2]!.content, [
      { type: "text", text: "look" },
      { type: "image_url", image_url: { url: "data:image/png;base64,AAA" } },
      { type: "image_url", image_url: { url: "https://x/y.png" } },
      { type: "file", file: { filename: "document-3.pdf", file_data: "data:application/pdf;base64,JVBE" } },
      { type: "text", text: "notes\n\nhello" },
    ]);
  });

  test("assistant: text, tool_use -> tool_calls, thinking -> reasoning_content, signatures dropped", () => {
    const out = anthropicToOpenAIRequest(
      req({
        messages: [
          { role: "user", content: "go" },
          {
            role: "assistant",
            content: [
              { type: "thinking", thinking: "hmm", signature: "sig" },
              { type: "redacted_thinking", data: "xyz" },
              { type: "text", text: "calling" },
              { type: "tool_use", id: "toolu_1", name: "Read", input: { path: "/a" } },
            ],
          },
        ],
      }),
      "m",
    );
    assert.deepEqual(out.messages[1], {
      role: "assistant",
      content: "calling",
      tool_calls: [
        { id: "toolu_1", type: "function", function: { name: "Read", arguments: '{"path":"/a"}' } },
      ],
      reasoning_content: "hmm",
    });
    assert.ok(!JSON.stringify(out).includes("sig"));
  });

  test("assistant with only tool calls has content null", () => {
    const out = anthropicToOpenAIRequest(
      req({
        messages: [{ role: "assistant", content: [{ type: "tool_use", id: "t", name: "n", input: {} }] }],
      }),
      "m",
    );
    const a = out.messages[0] as Extract<OpenAIMessage, { role: "assistant" }>;
    assert.equal(a.content, null);
    assert.equal(a.tool_calls![0]!.function.arguments, "{}");
  });

  test("tool results become tool messages, before the turn's text; errors and images handled", () => {
    const out = anthropicToOpenAIRequest(
      req({
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "after" },
              { type: "tool_result", tool_use_id: "t1", content: "one" },
              {
                type: "tool_result",
                tool_use_id: "t2",
                is_error: true,
                content: [
                  { type: "text", text: "bad" },
                  { type: "text", text: "worse" },
                ],
              },
              {
                type: "tool_result",
                tool_use_id: "t3",
                content: [
                  { type: "text", text: "shot" },
                  { type: "image", source: { type: "base64", media_type: "image/jpeg", data: "QQ" } },
                ],
              },
            ],
          },
        ],
      }),
      "m",
    );
    assert.deepEqual(out.messages.slice(0, 3), [
      { role: "tool", tool_call_id: "t1", content: "one" },
      { role: "tool", tool_call_id: "t2", content: "Error: bad\n\nworse" },
      { role: "tool", tool_call_id: "t3", content: "shot" },
    ]);
    assert.deepEqual(out.messages[3], {
      role: "user",
      content: [
        { type: "text", text: "Attachments returned by tool call t3:" },
        { type: "image_url", image_url: { url: "data:image/jpeg;base64,QQ" } },
        { type: "text", text: "after" },
      ],
    });
    assert.equal(out.messages.length, 4);
  });

  test("a turn of only tool results adds no empty user message", () => {
    const out = anthropicToOpenAIRequest(
      req({
        messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t", is_error: true }] }],
      }),
      "m",
    );
    assert.deepEqual(out.messages, [{ role: "tool", tool_call_id: "t", content: "Error" }]);
  });
});

describe("anthropicToOpenAIRequest: parameters", () => {
  test("tools: $schema stripped, server tools dropped, input not mutated", () => {
    const schema = { $schema: "http://json-schema.org/draft-07/schema#", type: "object", properties: {} };
    const r = req({
      tools: [
        { name: "echo", description: "e", input_schema: schema },
        { name: "web_search", type: "web_search_20250305" },
        { name: "bash", type: "bash_20250124" },
        { name: "bare" },
      ],
      tool_choice: { type: "tool", name: "echo", disable_parallel_tool_use: true },
    });
    const out = anthropicToOpenAIRequest(r, "m");
    assert.deepEqual(out.tools, [
      {
        type: "function",
        function: { name: "echo", description: "e", parameters: { type: "object", properties: {} } },
      },
      { type: "function", function: { name: "bare", parameters: { type: "object", properties: {} } } },
    ]);
    assert.deepEqual(out.tool_choice, { type: "function", function: { name: "echo" } });
    assert.equal(out.parallel_tool_calls, false);
    assert.equal(schema.$schema, "http://json-schema.org/draft-07/schema#");
  });

  const choices: Array<[NonNullable<AnthropicRequest["tool_choice"]>, unknown]> = [
    [{ type: "auto" }, "auto"],
    [{ type: "any" }, "required"],
    [{ type: "none" }, "none"],
  ];
  for (const [choice, want] of choices) {
    test(`tool_choice ${choice.type}`, () => {
      const out = anthropicToOpenAIRequest(req({ tools: [{ name: "t" }], tool_choice: choice }), "m");
      assert.equal(out.tool_choice, want);
      assert.equal(out.parallel_tool_calls, undefined);
    });
  }

  test("no tools left -> no tool_choice / parallel_tool_calls", () => {
    const out = anthropicToOpenAIRequest(
      req({
        tools: [{ name: "ws", type: "web_search_20250305" }],
        tool_choice: { type: "auto", disable_parallel_tool_use: true },
      }),
      "m",
    );
    assert.equal(out.tools, undefined);
    assert.equal(out.tool_choice, undefined);
    assert.equal(out.parallel_tool_calls, undefined);
  });

  test("sampling, stop, max_tokens, stream, dropped fields", () => {
    const out = anthropicToOpenAIRequest(
      req({
        max_tokens: 321,
        temperature: 0.3,
        top_p: 0.9,
        top_k: 5,
        stop_sequences: ["END"],
        stream: true,
        metadata: { user_id: '{"device_id":"abc"}' },
        context_management: { edits: [] },
        unknown_field: 1,
      }),
      "target",
    );
    assert.deepEqual(
      { ...out, messages: undefined },
      {
        model: "target",
        messages: undefined,
        max_tokens: 321,
        temperature: 0.3,
        top_p: 0.9,
        stop: ["END"],
        stream: true,
        stream_options: { include_usage: true },
      },
    );
  });

  const efforts: Array<[string, Partial<AnthropicRequest>, string | undefined]> = [
    ["enabled 1024", { thinking: { type: "enabled", budget_tokens: 1024 } }, "low"],
    ["enabled 4096", { thinking: { type: "enabled", budget_tokens: 4096 } }, "medium"],
    ["enabled 16384", { thinking: { type: "enabled", budget_tokens: 16384 } }, "high"],
    ["adaptive, no effort", { thinking: { type: "adaptive" } }, undefined],
    ["adaptive + effort high", { thinking: { type: "adaptive" }, output_config: { effort: "high" } }, "high"],
    ["adaptive + effort max", { thinking: { type: "adaptive" }, output_config: { effort: "max" } }, "high"],
    [
      "effort overrides budget",
      { thinking: { type: "enabled", budget_tokens: 30000 }, output_config: { effort: "low" } },
      "low",
    ],
    ["disabled", { thinking: { type: "disabled" }, output_config: { effort: "high" } }, undefined],
    ["none", {}, undefined],
  ];
  for (const [name, over, want] of efforts) {
    test(`reasoning_effort: ${name}`, () => {
      assert.equal(anthropicToOpenAIRequest(req(over), "m").reasoning_effort, want);
    });
  }
});

describe("openAIToAnthropicResponse", () => {
  const reasons: Array<[OpenAIResponse["choices"][number]["finish_reason"], string]> = [
    ["stop", "end_turn"],
    ["length", "max_tokens"],
    ["tool_calls", "tool_use"],
    ["content_filter", "refusal"],
    [null, "end_turn"],
  ];
  for (const [fr, want] of reasons) {
    test(`finish_reason ${fr} -> ${want}`, () => {
      assert.equal(openAIToAnthropicResponse(res({ finish_reason: fr }), "claude").stop_reason, want);
    });
  }

  test("content, reasoning, tool calls, usage", () => {
    const out = openAIToAnthropicResponse(
      res(
        {
          message: {
            role: "assistant",
            content: "hello",
            reasoning_content: "think",
            tool_calls: [
              { id: "call_1", type: "function", function: { name: "a", arguments: '{"x":1}' } },
              { id: "call_2", type: "function", function: { name: "b", arguments: "{not json" } },
              { id: "call_3", type: "function", function: { name: "c", arguments: "" } },
            ],
          },
          finish_reason: "stop",
        },
        {
          prompt_tokens: 100,
          completion_tokens: 20,
          total_tokens: 120,
          prompt_tokens_details: { cached_tokens: 30 },
          completion_tokens_details: { reasoning_tokens: 5 },
        },
      ),
      "claude-client",
    );
    assert.equal(out.model, "claude-client");
    assert.equal(out.id, "msg_chatcmpl-1");
    assert.equal(out.stop_reason, "tool_use"); // tool calls win over a "stop"
    assert.deepEqual(out.content, [
      { type: "thinking", thinking: "think", signature: "" },
      { type: "text", text: "hello" },
      { type: "tool_use", id: "call_1", name: "a", input: { x: 1 } },
      { type: "tool_use", id: "call_2", name: "b", input: {} },
      { type: "tool_use", id: "call_3", name: "c", input: {} },
    ]);
    assert.deepEqual(out.usage, {
      input_tokens: 70,
      output_tokens: 20,
      cache_read_input_tokens: 30,
      cache_creation_input_tokens: 0,
    });
  });

  test("refusal and `reasoning` field; missing usage", () => {
    const out = openAIToAnthropicResponse(
      res({
        message: { role: "assistant", content: null, refusal: "no", reasoning: "r" },
        finish_reason: "content_filter",
      }),
      "c",
    );
    assert.deepEqual(out.content, [
      { type: "thinking", thinking: "r", signature: "" },
      { type: "text", text: "no" },
    ]);
    assert.equal(out.usage.input_tokens, 0);
  });

  test("empty choices does not throw", () => {
    const out = openAIToAnthropicResponse({ ...res({}), choices: [] }, "c");
    assert.deepEqual(out.content, []);
    assert.equal(out.stop_reason, "end_turn");
  });
});

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

describe("estimateAnthropicInputTokens", () => {
  test("about 4 chars per token, images fixed", () => {
    const base = estimateAnthropicInputTokens(
      req({ messages: [{ role: "user", content: "x".repeat(400) }] }),
    );
    assert.equal(base, 104);
    const img = estimateAnthropicInputTokens(
      req({
        messages: [
          {
            role: "user",
            content: [
              {
                type: "image",
                source: { type: "base64", media_type: "image/png", data: "A".repeat(1_000_000) },
              },
            ],
          },
        ],
      }),
    );
    assert.equal(img, 1604);
  });
});
