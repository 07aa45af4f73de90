// Anthropic Messages requests translated to Gemini's generateContent (anthropicToGeminiRequest).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  anthropicToGeminiRequest,
  geminiToAnthropicResponse,
} from "../../gateway/src/llm/translate/anthropic-to-gemini.js";
import {
  newToolUseId,
  SKIP_THOUGHT_SIGNATURE,
  thoughtSignatureFromToolUseId,
} from "../../gateway/src/llm/translate/gemini-shared.js";
import type { AnthropicRequest } from "../../gateway/src/llm/wire/anthropic.js";

function req(extra: Partial<AnthropicRequest>): AnthropicRequest {
  return { model: "gemini-2.5-pro", max_tokens: 1024, messages: [{ role: "user", content: "hi" }], ...extra };
}

const SIG = "CiQBcsjafK0Yp3Zr+/9Uq5gE7mH2dA0xkT1Lw3g8bJd1nQ5sN9o=";

describe("anthropicToGeminiRequest", () => {
  test("system prompt: string, blocks, and Claude Code's role:system messages", () => {
    assert.deepEqual(anthropicToGeminiRequest(req({ system: "be brief" })).systemInstruction, {
      parts: [{ text: "be brief" }],
    });
    const out = anthropicToGeminiRequest(
      req({
        system: [
          {
            type: "text",
            text: "x-anthropic-billing-header: cc_version=2.1.197.b97; cc_entrypoint=sdk-cli;",
          },
          { type: "text", text: "a" },
          { type: "text", text: "b", cache_control: { type: "ephemeral" } },
        ],
        messages: [
          { role: "system", content: "early" },
          { role: "user", content: "q1" },
          { role: "system", content: [{ type: "text", text: "late" }] },
          { role: "assistant", content: "a1" },
          { role: "user", content: "q2" },
        ],
      }),
    );
    assert.deepEqual(out.systemInstruction?.parts, [{ text: "a" }, { text: "b" }, { text: "early" }]);
    assert.deepEqual(out.contents, [
      { role: "user", parts: [{ text: "q1" }, { text: "<system>\nlate\n</system>" }] },
      { role: "model", parts: [{ text: "a1" }] },
      { role: "user", parts: [{ text: "q2" }] },
    ]);
  });

  test("consecutive same-role messages merge; empty ones vanish", () => {
    const out = anthropicToGeminiRequest(
      req({
        messages: [
          { role: "user", content: "a" },
          { role: "user", content: [{ type: "text", text: "b" }] },
          { role: "assistant", content: "" },
          { role: "user", content: "c" },
        ],
      }),
    );
    assert.deepEqual(out.contents, [{ role: "user", parts: [{ text: "a" }, { text: "b" }, { text: "c" }] }]);
  });

  test("images and PDFs", () => {
    const out = anthropicToGeminiRequest(
      req({
        messages: [
          {
            role: "user",
            content: [
              { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBOR" } },
              { type: "image", source: { type: "url", url: "https://x.test/cat.webp?size=2" } },
              { type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBER" } },
              { type: "document", source: { type: "url", url: "https://x.test/paper" } },
              {
                type: "document",
                title: "notes",
                source: { type: "text", media_type: "text/plain", data: "n" },
              },
            ],
          },
        ],
      }),
    );
    assert.deepEqual(out.contents[0]?.parts, [
      { inlineData: { mimeType: "image/png", data: "iVBOR" } },
      { fileData: { mimeType: "image/webp", fileUri: "https://x.test/cat.webp?size=2" } },
      { inlineData: { mimeType: "application/pdf", data: "JVBER" } },
      { fileData: { mimeType: "application/pdf", fileUri: "https://x.test/paper" } },
      { text: "notes\n\nn" },
    ]);
  });

  test("tool_use / tool_result become functionCall / functionResponse, named by the call's id", () => {
    const out = anthropicToGeminiRequest(
      req({
        messages: [
          { role: "user", content: "go" },
          {
            role: "assistant",
            content: [
              { type: "text", text: "calling" },
              { type: "tool_use", id: "toolu_A", name: "Read", input: { path: "/a" } },
              { type: "tool_use", id: "toolu_B", name: "Bash", input: { command: "ls" } },
            ],
          },
          {
            role: "user",
            content: [
              { type: "text", text: "also this" },
              { type: "tool_result", tool_use_id: "toolu_A", content: [{ type: "text", text: "file" }] },
              { type: "tool_result", tool_use_id: "toolu_B", content: "boom", is_error: true },
              { type: "tool_result", tool_use_id: "toolu_gone", content: "orphan" },
            ],
          },
        ],
      }),
    );
    assert.deepEqual(out.contents[1], {
      role: "model",
      parts: [
        { text: "calling" },
        { functionCall: { name: "Read", args: { path: "/a" } }, thoughtSignature: SKIP_THOUGHT_SIGNATURE },
        { functionCall: { name: "Bash", args: { command: "ls" } } },
      ],
    });
    assert.deepEqual(out.contents[2], {
      role: "user",
      parts: [
        { functionResponse: { name: "Read", response: { content: "file" } } },
        { functionResponse: { name: "Bash", response: { error: "boom" } } },
        { text: "also this" },
        { text: "[tool result toolu_gone]\norphan" },
      ],
    });
  });

  test("a tool_result with an image keeps it as a separate part", () => {
    const out = anthropicToGeminiRequest(
      req({
        messages: [
          { role: "user", content: "shot" },
          { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "Screenshot", input: {} }] },
          {
            role: "user",
            content: [
              {
                type: "tool_result",
                tool_use_id: "t1",
                content: [
                  { type: "text", text: "here" },
                  { type: "image", source: { type: "base64", media_type: "image/jpeg", data: "/9j/" } },
                ],
              },
            ],
          },
        ],
      }),
    );
    assert.deepEqual(out.contents[2]?.parts, [
      { functionResponse: { name: "Screenshot", response: { content: "here" } } },
      { inlineData: { mimeType: "image/jpeg", data: "/9j/" } },
    ]);
  });

  test("thought signatures round-trip through the tool_use id; foreign thinking is dropped", () => {
    const res = geminiToAnthropicResponse(
      {
        candidates: [
          {
            content: {
              role: "model",
              parts: [
                { text: "plan", thought: true, thoughtSignature: "dGhvdWdodA==" },
                { functionCall: { name: "Read", args: { path: "/x" } }, thoughtSignature: SIG },
                { functionCall: { name: "Read", args: { path: "/y" } } },
              ],
            },
            finishReason: "STOP",
          },
        ],
      },
      "claude-opus-4-8",
    );
    const [thinking, call1, call2] = res.content;
    assert.equal(res.stop_reason, "tool_use");
    assert.ok(thinking?.type === "thinking" && call1?.type === "tool_use" && call2?.type === "tool_use");
    assert.match(call1.id, /^toolu_[0-9a-f]{24}__gsig_[A-Za-z0-9_-]+$/);
    assert.match(call2.id, /^toolu_[0-9a-f]{24}$/);
    const next = anthropicToGeminiRequest(
      req({
        messages: [
          { role: "user", content: "q" },
          {
            role: "assistant",
            content: [
              { type: "thinking", thinking: "claude's", signature: "EqQBCkYIBxgCKkD" },
              { type: "redacted_thinking", data: "xyz" },
              ...res.content,
            ],
          },
          {
            role: "user",
            content: [
              { type: "tool_result", tool_use_id: call1.id, content: "1" },
              { type: "tool_result", tool_use_id: call2.id, content: "2" },
            ],
          },
        ],
      }),
    );
    assert.deepEqual(next.contents[1]?.parts, [
      { text: "plan", thought: true, thoughtSignature: "dGhvdWdodA==" },
      { functionCall: { name: "Read", args: { path: "/x" } }, thoughtSignature: SIG },
      { functionCall: { name: "Read", args: { path: "/y" } } },
    ]);
  });

  test("tool-use ids keep any signature string losslessly and never misread foreign ids", () => {
    fc.assert(
      fc.property(fc.oneof(fc.base64String({ minLength: 4 }), fc.string({ minLength: 1 })), (sig) => {
        const id = newToolUseId(sig);
        assert.match(id, /^[A-Za-z0-9_-]+$/);
        assert.equal(thoughtSignatureFromToolUseId(id), sig);
      }),
    );
    for (const id of ["toolu_01A09q90qw90lq917835lq9", "toolu_abc__gsig_AAAA", "call_1", ""]) {
      assert.equal(thoughtSignatureFromToolUseId(id), undefined);
    }
  });

  test("tool_choice -> functionCallingConfig", () => {
    const tools = [{ name: "a", input_schema: { type: "object", properties: { x: { type: "string" } } } }];
    const cases: Array<[AnthropicRequest["tool_choice"], unknown]> = [
      [undefined, undefined],
      [{ type: "auto" }, { functionCallingConfig: { mode: "AUTO" } }],
      [{ type: "any" }, { functionCallingConfig: { mode: "ANY" } }],
      [{ type: "none" }, { functionCallingConfig: { mode: "NONE" } }],
      [{ type: "tool", name: "a" }, { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["a"] } }],
    ];
    for (const [choice, expected] of cases) {
      assert.deepEqual(anthropicToGeminiRequest(req({ tools, tool_choice: choice })).toolConfig, expected);
    }
  });

  test("generation config; unknown and Anthropic-only fields are dropped", () => {
    const out = anthropicToGeminiRequest(
      req({
        max_tokens: 500,
        temperature: 0.3,
        top_p: 0.9,
        top_k: 40,
        stop_sequences: ["1", "2", "3", "4", "5", "6"],
        metadata: { user_id: "u" },
        context_management: { edits: [] },
        stream: true,
        speed: "fast",
      }),
    );
    assert.deepEqual(Object.keys(out).sort(), ["contents", "generationConfig"]);
    assert.deepEqual(out.generationConfig, {
      maxOutputTokens: 500,
      temperature: 0.3,
      topP: 0.9,
      topK: 40,
      stopSequences: ["1", "2", "3", "4", "5"],
    });
  });

  test("thinking and effort -> thinkingConfig", () => {
    const cases: Array<[Partial<AnthropicRequest>, string | undefined, unknown]> = [
      [{}, undefined, undefined],
      [{ thinking: { type: "disabled" } }, undefined, undefined],
      [
        { thinking: { type: "enabled", budget_tokens: 4000 } },
        undefined,
        { thinkingBudget: 4000, includeThoughts: true },
      ],
      [
        { thinking: { type: "enabled", budget_tokens: 64000 } },
        undefined,
        { thinkingBudget: 24576, includeThoughts: true },
      ],
      [{ thinking: { type: "adaptive" } }, undefined, { thinkingBudget: -1, includeThoughts: true }],
      [
        { thinking: { type: "adaptive" }, output_config: { effort: "low" } },
        undefined,
        { thinkingBudget: 1024, includeThoughts: true },
      ],
      [{ output_config: { effort: "medium" } }, undefined, { thinkingBudget: 8192 }],
      [
        { thinking: { type: "adaptive" }, output_config: { effort: "high" } },
        "gemini-3-pro-preview",
        { thinkingLevel: "high", includeThoughts: true },
      ],
      [
        { thinking: { type: "adaptive" }, output_config: { effort: "medium" } },
        "gemini-3-flash-preview",
        { thinkingLevel: "medium", includeThoughts: true },
      ],
      [
        { thinking: { type: "adaptive" }, output_config: { effort: "low" } },
        "gemini-3-pro",
        { thinkingLevel: "low", includeThoughts: true },
      ],
      [{ thinking: { type: "adaptive" } }, "gemini-2.0-flash", undefined],
    ];
    for (const [extra, model, expected] of cases) {
      const out = anthropicToGeminiRequest(req(extra), model ? { model } : {});
      assert.deepEqual(out.generationConfig?.thinkingConfig, expected, JSON.stringify([extra, model]));
    }
  });

  test("structured output -> responseMimeType + responseSchema", () => {
    const out = anthropicToGeminiRequest(
      req({
        output_config: {
          format: {
            type: "json_schema",
            schema: { type: "object", properties: { a: { type: "integer" } }, additionalProperties: false },
          },
        },
      }),
    );
    assert.equal(out.generationConfig?.responseMimeType, "application/json");
    assert.deepEqual(out.generationConfig?.responseSchema, {
      type: "object",
      properties: { a: { type: "integer" } },
    });
  });

  test("server tools are skipped; tools without parameters have none", () => {
    const out = anthropicToGeminiRequest(
      req({
        tools: [
          { type: "web_search_20250305", name: "web_search" },
          { name: "TaskList", description: "list", input_schema: { type: "object", properties: {} } },
        ],
      }),
    );
    assert.deepEqual(out.tools, [{ functionDeclarations: [{ name: "TaskList", description: "list" }] }]);
  });
});
