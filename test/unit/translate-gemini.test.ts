import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import Anthropic from "@anthropic-ai/sdk";
import fc from "fast-check";
import {
  anthropicToGeminiRequest,
  geminiToAnthropicResponse,
} from "../../gateway/src/llm/translate/anthropic-to-gemini.js";
import { upstreamErrorToNeutral } from "../../gateway/src/llm/translate/errors.js";
import { toGeminiParameters } from "../../gateway/src/llm/translate/gemini-schema.js";
import {
  newToolUseId,
  SKIP_THOUGHT_SIGNATURE,
  thoughtSignatureFromToolUseId,
} from "../../gateway/src/llm/translate/gemini-shared.js";
import { GeminiToAnthropicStream } from "../../gateway/src/llm/translate/gemini-to-anthropic-stream.js";
import { SseParser } from "../../gateway/src/llm/translate/sse.js";
import type { AnthropicRequest } from "../../gateway/src/llm/wire/anthropic.js";
import type {
  GeminiContent,
  GeminiRequest,
  GeminiResponse,
  GeminiSchema,
} from "../../gateway/src/llm/wire/gemini.js";
import { CC_FIXTURES } from "../helpers/fixtures.js";

const FIXTURES = CC_FIXTURES;
type Json = Record<string, unknown>;

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

describe("tool schema cleaning", () => {
  test("table", () => {
    const cases: Array<[string, Json, GeminiSchema | undefined]> = [
      [
        "drops keywords Gemini rejects",
        {
          $schema: "https://json-schema.org/draft/2020-12/schema",
          type: "object",
          additionalProperties: false,
          properties: {
            n: { type: "integer", exclusiveMinimum: 0, minimum: 1, maximum: 9, default: 3, format: "int32" },
            url: { type: "string", format: "uri", pattern: "^https?://", maxLength: 10 },
            when: { type: "string", format: "date-time" },
            m: {
              type: "object",
              propertyNames: { type: "string" },
              additionalProperties: { type: "string" },
            },
          },
          required: ["n", "ghost"],
        },
        {
          type: "object",
          properties: {
            n: { type: "integer", format: "int32", minimum: 1, maximum: 9 },
            url: { type: "string", maxLength: 10 },
            when: { type: "string", format: "date-time" },
            m: { type: "object" },
          },
          required: ["n"],
        },
      ],
      [
        "nullable types, const and unions",
        {
          type: "object",
          properties: {
            a: { type: ["string", "null"], description: "maybe" },
            b: {
              anyOf: [
                { type: "string", enum: ["x", "y"] },
                { type: "string", const: "z" },
              ],
            },
            c: { oneOf: [{ type: "integer" }, { type: "null" }], description: "num" },
            d: { type: ["string", "number"] },
            e: { type: "integer", enum: [1, 2] },
            f: { enum: ["p", null] },
          },
        },
        {
          type: "object",
          properties: {
            a: { type: "string", description: "maybe", nullable: true },
            b: {
              anyOf: [
                { type: "string", enum: ["x", "y"] },
                { type: "string", enum: ["z"] },
              ],
            },
            c: { type: "integer", description: "num", nullable: true },
            d: { anyOf: [{ type: "string" }, { type: "number" }] },
            e: { type: "integer", description: "Allowed values: 1, 2" },
            f: { type: "string", enum: ["p"], nullable: true },
          },
        },
      ],
      [
        "$ref to $defs is inlined, recursion is cut, arrays always have items",
        {
          type: "object",
          $defs: {
            Node: {
              type: "object",
              properties: {
                name: { type: "string" },
                kids: { type: "array", items: { $ref: "#/$defs/Node" } },
              },
            },
          },
          properties: {
            root: { $ref: "#/$defs/Node" },
            tags: { type: "array" },
            pair: { type: "array", items: [{ type: "string" }] },
          },
        },
        undefined,
      ],
      ["no properties -> no parameters", { type: "object", properties: {} }, undefined],
      [
        "odd property names stay plain properties; required names must be own properties",
        JSON.parse(
          '{"type":"object","properties":{"__proto__":{"type":"string"}},"required":["__proto__","toString"]}',
        ),
        JSON.parse('{"type":"object","properties":{"__proto__":{"type":"string"}},"required":["__proto__"]}'),
      ],
      [
        "allOf merges; title becomes description",
        {
          allOf: [
            { type: "object", properties: { a: { type: "string", title: "A" } }, required: ["a"] },
            { properties: { b: { type: "boolean" } } },
          ],
        },
        {
          type: "object",
          properties: { a: { type: "string", description: "A" }, b: { type: "boolean" } },
          required: ["a"],
        },
      ],
    ];
    for (const [name, input, expected] of cases) {
      const out = toGeminiParameters(input);
      if (name.startsWith("$ref")) {
        const root = out?.properties?.root;
        assert.equal(root?.type, "object", name);
        assert.equal(root?.properties?.name?.type, "string", name);
        assert.deepEqual(root?.properties?.kids?.items, { type: "object" }, "the cycle is cut");
        assert.deepEqual(out?.properties?.tags, { type: "array", items: { type: "string" } }, name);
        assert.deepEqual(out?.properties?.pair, { type: "array", items: { type: "string" } }, name);
        assert.ok(JSON.stringify(out).length < 20_000, "recursion is bounded");
      } else assert.deepEqual(out, expected, name);
    }
  });
});

const ALLOWED_SCHEMA_KEYS = new Set([
  "type",
  "format",
  "description",
  "nullable",
  "enum",
  "items",
  "minItems",
  "maxItems",
  "properties",
  "required",
  "anyOf",
  "minimum",
  "maximum",
  "minLength",
  "maxLength",
]);

function checkSchema(s: GeminiSchema, path: string): void {
  for (const k of Object.keys(s)) assert.ok(ALLOWED_SCHEMA_KEYS.has(k), `${path}: ${k}`);
  if (s.properties) {
    assert.equal(s.type, "object", `${path}: properties only on objects`);
    for (const [k, v] of Object.entries(s.properties)) checkSchema(v, `${path}.${k}`);
  }
  if (s.required)
    for (const r of s.required) assert.ok(s.properties && r in s.properties, `${path}: required ${r}`);
  if (s.type === "array") assert.ok(s.items, `${path}: items`);
  if (s.items) checkSchema(s.items, `${path}[]`);
  if (s.enum) assert.equal(s.type, "string", `${path}: enum on string`);
  for (const [i, m] of (s.anyOf ?? []).entries()) checkSchema(m, `${path}|${i}`);
}

function checkContents(contents: GeminiContent[]): void {
  assert.ok(contents.length > 0);
  assert.equal(contents[0]?.role, "user");
  const called = new Set<string>();
  for (const [i, c] of contents.entries()) {
    if (i > 0) assert.notEqual(c.role, contents[i - 1]?.role, "roles alternate");
    assert.ok(c.parts.length > 0, "no empty content");
    for (const p of c.parts) {
      if (p.text !== undefined) assert.ok(p.text.length > 0, "no empty text part");
      if (p.functionCall) called.add(p.functionCall.name);
      if (p.functionResponse) assert.ok(called.has(p.functionResponse.name), "response follows its call");
    }
  }
}

describe("Claude Code fixtures replay through anthropicToGeminiRequest", () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith(".json"));
  for (const f of files) {
    const fixture = JSON.parse(readFileSync(`${FIXTURES}/${f}`, "utf8")) as Json;
    const body = fixture.body as AnthropicRequest | undefined;
    if (!body || !Array.isArray(body.messages)) continue;
    test(f, () => {
      const out: GeminiRequest = anthropicToGeminiRequest(body, { model: "gemini-2.5-pro" });
      checkContents(out.contents);
      for (const d of out.tools?.[0]?.functionDeclarations ?? []) {
        assert.match(d.name, /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/);
        if (d.parameters) checkSchema(d.parameters, d.name);
      }
      assert.equal(out.tools?.[0]?.functionDeclarations?.length ?? 0, body.tools?.length ?? 0);
      const json = JSON.stringify(out);
      for (const banned of ["cache_control", "additionalProperties", "$schema", "context_management"])
        assert.ok(!json.includes(banned), `${f}: ${banned}`);
      assert.ok(!("model" in out), "the model goes in the URL");
      if (f.startsWith("tool-loop.2")) {
        const last = out.contents[out.contents.length - 1];
        assert.deepEqual(last?.parts[0], {
          functionResponse: { name: "mcp__gw__echo", response: { content: "echo: nonce-42" } },
        });
      }
      if (body.thinking?.type === "adaptive") {
        assert.deepEqual(out.generationConfig?.thinkingConfig, { thinkingBudget: -1, includeThoughts: true });
      }
    });
  }
});

describe("geminiToAnthropicResponse", () => {
  const usage = {
    promptTokenCount: 1000,
    cachedContentTokenCount: 600,
    candidatesTokenCount: 50,
    thoughtsTokenCount: 30,
  };
  test("text, thinking, usage", () => {
    const res = geminiToAnthropicResponse(
      {
        candidates: [
          {
            content: {
              role: "model",
              parts: [{ text: "hm", thought: true }, { text: "Hel" }, { text: "lo" }, { text: "" }],
            },
            finishReason: "STOP",
          },
        ],
        usageMetadata: usage,
      },
      "claude-sonnet-4-5",
    );
    assert.equal(res.model, "claude-sonnet-4-5");
    assert.match(res.id, /^msg_/);
    assert.deepEqual(res.content, [
      { type: "thinking", thinking: "hm", signature: "" },
      { type: "text", text: "Hello" },
    ]);
    assert.equal(res.stop_reason, "end_turn");
    assert.deepEqual(res.usage, {
      input_tokens: 400,
      output_tokens: 80,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 600,
    });
  });

  test("finish reasons", () => {
    const cases: Array<[GeminiResponse, string]> = [
      [{ candidates: [{ finishReason: "MAX_TOKENS", content: { parts: [{ text: "x" }] } }] }, "max_tokens"],
      [{ candidates: [{ finishReason: "SAFETY" }] }, "refusal"],
      [{ candidates: [{ finishReason: "RECITATION" }] }, "refusal"],
      [{ candidates: [{ finishReason: "PROHIBITED_CONTENT" }] }, "refusal"],
      [{ candidates: [{ finishReason: "BLOCKLIST" }] }, "refusal"],
      [{ promptFeedback: { blockReason: "SAFETY" } }, "refusal"],
      [
        { candidates: [{ finishReason: "STOP", content: { parts: [{ functionCall: { name: "f" } }] } }] },
        "tool_use",
      ],
      [{ candidates: [{ finishReason: "OTHER" }] }, "end_turn"],
    ];
    for (const [res, stop] of cases) assert.equal(geminiToAnthropicResponse(res, "m").stop_reason, stop);
    const call = geminiToAnthropicResponse(cases[6]![0], "m").content[0];
    assert.deepEqual(call?.type === "tool_use" && call.input, {});
  });
});

// ---- streaming ------------------------------------------------------------------------------

const sse = (o: unknown) => `data: ${JSON.stringify(o)}\r\n\r\n`;
const chunk = (parts: unknown[], extra: Json = {}, cand: Json = {}) =>
  sse({ candidates: [{ content: { role: "model", parts }, index: 0, ...cand }], ...extra });

const STREAM =
  chunk([{ text: "Let me ", thought: true }], {
    usageMetadata: { promptTokenCount: 1000, cachedContentTokenCount: 600 },
  }) +
  chunk([{ text: "think 🤔", thought: true }]) +
  chunk([{ text: "Héllo " }]) +
  chunk([{ text: "wörld 你好" }]) +
  chunk([
    { functionCall: { name: "Read", args: { path: "/a" } }, thoughtSignature: SIG },
    { functionCall: { name: "Bash", args: { command: "ls" } } },
  ]) +
  chunk(
    [{ text: "" }],
    {
      usageMetadata: {
        ...{ promptTokenCount: 1000, cachedContentTokenCount: 600 },
        candidatesTokenCount: 50,
        thoughtsTokenCount: 30,
      },
    },
    { finishReason: "STOP" },
  );

function run(t: GeminiToAnthropicStream, input: string, cuts: number[] = []): string {
  const bytes = Buffer.from(input);
  let out = "";
  let prev = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    out += t.push(bytes.subarray(prev, c));
    prev = c;
  }
  return out + t.push(bytes.subarray(prev)) + t.end();
}

function events(text: string): Array<{ event: string; data: Json }> {
  const p = new SseParser();
  return [...p.push(text), ...p.end()].map((e) => ({ event: e.event, data: JSON.parse(e.data) as Json }));
}

async function anthropicSdkFinal(text: string) {
  const client = new Anthropic({
    apiKey: "k",
    maxRetries: 0,
    fetch: async () => new Response(text, { headers: { "content-type": "text/event-stream" } }),
  });
  return client.messages
    .stream({ model: "m", max_tokens: 10, messages: [{ role: "user", content: "x" }] })
    .finalMessage();
}

describe("GeminiToAnthropicStream", () => {
  test("thinking, text and parallel calls, as the Anthropic SDK assembles them", async () => {
    const t = new GeminiToAnthropicStream("claude-opus-4-8", "msg_1");
    const out = run(t, STREAM);
    assert.deepEqual(
      events(out).map((e) => e.event),
      [
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
        "content_block_start",
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
      ],
    );
    const msg = await anthropicSdkFinal(out);
    assert.equal(msg.id, "msg_1");
    assert.equal(msg.model, "claude-opus-4-8");
    assert.equal(msg.stop_reason, "tool_use");
    assert.deepEqual(
      msg.content.map((b) =>
        b.type === "tool_use"
          ? [b.name, b.input]
          : b.type === "text"
            ? b.text
            : b.type === "thinking"
              ? b.thinking
              : b.type,
      ),
      ["Let me think 🤔", "Héllo wörld 你好", ["Read", { path: "/a" }], ["Bash", { command: "ls" }]],
    );
    const read = msg.content[2];
    assert.ok(read?.type === "tool_use");
    assert.equal(thoughtSignatureFromToolUseId(read.id), SIG);
    assert.equal(msg.usage.input_tokens, 400);
    assert.equal(msg.usage.cache_read_input_tokens, 600);
    assert.equal(msg.usage.output_tokens, 80);
    assert.deepEqual(t.usage, {
      inputTokens: 400,
      outputTokens: 80,
      cacheReadTokens: 600,
      cacheWriteTokens: 0,
      reasoningTokens: 30,
    });
    assert.ok(t.finished);
  });

  test("emits as it goes: the first chunk yields message_start and its text at once", () => {
    const t = new GeminiToAnthropicStream("m");
    const first = t.push(Buffer.from(chunk([{ text: "Hi" }])));
    assert.deepEqual(
      events(first).map((e) => e.event),
      ["message_start", "content_block_start", "content_block_delta"],
    );
    assert.equal(t.finished, false);
  });

  test("thought signatures on thought parts become signature deltas", () => {
    const t = new GeminiToAnthropicStream("m");
    const out = run(
      t,
      chunk([{ text: "x", thought: true, thoughtSignature: "c2ln" }]) +
        chunk([{ text: "y" }], {}, { finishReason: "STOP" }),
    );
    const sig = events(out).find((e) => (e.data.delta as Json | undefined)?.type === "signature_delta");
    assert.deepEqual(sig?.data.delta, { type: "signature_delta", signature: "gemini:c2ln" });
  });

  test("random chunk splits give identical output", () => {
    const ids = (s: string) => s.replace(/toolu_[0-9a-f]{24}/g, "toolu_X");
    const whole = ids(run(new GeminiToAnthropicStream("m", "msg_x"), STREAM));
    const bytes = Buffer.byteLength(STREAM);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: bytes }), { maxLength: 40 }), (cuts) => {
        assert.equal(ids(run(new GeminiToAnthropicStream("m", "msg_x"), STREAM, cuts)), whole);
      }),
    );
  });

  test("end without finishReason, upstream error events and fail() become Anthropic errors", () => {
    const cut = new GeminiToAnthropicStream("m");
    const out1 = run(cut, chunk([{ text: "partial" }]));
    const last1 = events(out1).at(-1);
    assert.equal(last1?.event, "error");
    assert.equal((last1?.data.error as Json | undefined)?.type, "api_error");
    assert.ok(cut.finished);

    const errored = new GeminiToAnthropicStream("m");
    const out2 = run(
      errored,
      chunk([{ text: "a" }]) +
        sse({ error: { code: 429, message: "Resource exhausted", status: "RESOURCE_EXHAUSTED" } }) +
        chunk([{ text: "ignored" }]),
    );
    const evs = events(out2);
    assert.equal(evs.at(-1)?.event, "error");
    assert.deepEqual(evs.at(-1)?.data.error, {
      type: "rate_limit_error",
      message: "gemini: Resource exhausted",
    });
    assert.equal(evs.filter((e) => e.event === "error").length, 1);

    const early = new GeminiToAnthropicStream("m");
    const out3 = run(
      early,
      sse({ error: { code: 503, message: "The model is overloaded.", status: "UNAVAILABLE" } }),
    );
    assert.deepEqual(
      events(out3).map((e) => e.event),
      ["error"],
    );
    assert.equal((events(out3)[0]?.data.error as Json | undefined)?.type, "overloaded_error");

    const failed = new GeminiToAnthropicStream("m");
    failed.push(Buffer.from(chunk([{ text: "a" }])));
    const out4 = failed.fail("upstream reset");
    assert.deepEqual(events(out4)[0]?.data, {
      type: "error",
      error: { type: "api_error", message: "upstream reset" },
    });
    assert.equal(failed.fail("again"), "");
    assert.equal(failed.end(), "");
  });

  test("a prompt blocked by safety ends with refusal; usage arriving after the finish is still counted", () => {
    const t = new GeminiToAnthropicStream("m");
    const out = run(
      t,
      sse({
        promptFeedback: { blockReason: "PROHIBITED_CONTENT" },
        usageMetadata: { promptTokenCount: 10 },
      }) + sse({ usageMetadata: { promptTokenCount: 12 } }),
    );
    const delta = events(out).find((e) => e.event === "message_delta");
    assert.equal((delta?.data.delta as Json | undefined)?.stop_reason, "refusal");
    assert.equal(events(out).at(-1)?.event, "message_stop");
    assert.equal(t.usage.inputTokens, 12);
  });
});

describe("Gemini error bodies through upstreamErrorToNeutral", () => {
  test("table", () => {
    const cases: Array<[number, Json, string, string]> = [
      [
        400,
        { error: { code: 400, message: "Invalid JSON payload", status: "INVALID_ARGUMENT" } },
        "invalid_request_error",
        "gemini: Invalid JSON payload",
      ],
      [
        403,
        { error: { code: 403, message: "Permission denied", status: "PERMISSION_DENIED" } },
        "permission_error",
        "gemini: Permission denied",
      ],
      [
        429,
        { error: { code: 429, message: "Quota exceeded", status: "RESOURCE_EXHAUSTED" } },
        "rate_limit_error",
        "gemini: Quota exceeded",
      ],
      [
        503,
        {
          error: {
            code: 503,
            message: "The model is overloaded. Please try again later.",
            status: "UNAVAILABLE",
          },
        },
        "overloaded_error",
        "gemini: The model is overloaded. Please try again later.",
      ],
      [
        500,
        { error: { code: 500, message: "Internal error", status: "INTERNAL" } },
        "api_error",
        "gemini: Internal error",
      ],
    ];
    for (const [status, body, type, message] of cases) {
      assert.deepEqual(upstreamErrorToNeutral(status, JSON.stringify(body), "gemini"), {
        status,
        type,
        message,
      });
    }
  });
});
