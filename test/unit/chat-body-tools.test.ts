// A translated request needs the whole body parsed; the tool definitions a client resends byte for
// byte with every call (63 of a Claude Code request's 77 KB) are parsed once and shared, frozen
// (llm/known-tools.ts, used by llm/chat-body.ts). What a user would notice if that went wrong: a
// different translation on the second call, or one request's changes showing up in another's. Both are checked here, on real
// Claude Code requests, through every path that reads the parsed body (OpenAI, Gemini, Bedrock and
// Vertex bodies, and an OpenAI client's request with those tools, back to Anthropic).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { ChatBody } from "../../gateway/src/llm/chat-body.js";
import { withoutUnsignedThinking } from "../../gateway/src/llm/codec.js";
import { toBedrockAnthropicBody } from "../../gateway/src/llm/providers/bedrock/anthropic-body.js";
import { toVertexAnthropicBody } from "../../gateway/src/llm/providers/vertex/anthropic-body.js";
import { anthropicToGeminiRequest } from "../../gateway/src/llm/translate/anthropic-to-gemini.js";
import { anthropicToOpenAIRequest } from "../../gateway/src/llm/translate/anthropic-to-openai.js";
import { openAIToAnthropicRequest } from "../../gateway/src/llm/translate/openai-to-anthropic.js";
import { shortToolNames, toolNamesOf } from "../../gateway/src/llm/translate/short-tool-names.js";
import type { AnthropicRequest } from "../../gateway/src/llm/wire/anthropic.js";
import type { OpenAIRequest } from "../../gateway/src/llm/wire/openai.js";
import { appendTools } from "../../gateway/src/mcp/inject.js";

type Json = Record<string, unknown>;
const fixture = (name: string) =>
  (
    JSON.parse(
      readFileSync(new URL(`../../../shared/fixtures/claude-code/${name}`, import.meta.url), "utf8"),
    ) as {
      body: Json;
    }
  ).body;

const translations = (j: Json) => {
  const req = j as unknown as AnthropicRequest;
  const names = shortToolNames(toolNamesOf(req));
  const openai = anthropicToOpenAIRequest(req, "gpt-4o");
  return {
    openai: JSON.stringify(openai),
    gemini: JSON.stringify(anthropicToGeminiRequest(req, { model: "gemini-2.5-pro", names })),
    bedrock: JSON.stringify(toBedrockAnthropicBody(req, ["interleaved-thinking-2025-05-14"])),
    vertex: JSON.stringify(toVertexAnthropicBody(req)),
    // An OpenAI client's request with the same tools, back to Anthropic.
    back: JSON.stringify(openAIToAnthropicRequest(openai, "claude-x")),
  };
};

describe("tool definitions parsed once per distinct list", () => {
  test("the second request with the same tools translates exactly as a fresh parse does", () => {
    for (const name of [
      "say-hi.bearer.json",
      "tool-loop.1-first-request.json",
      "tool-loop.2-with-tool-result.json",
    ]) {
      const body = fixture(name);
      const raw = Buffer.from(JSON.stringify(body));
      const first = ChatBody.read(raw).json;
      const second = ChatBody.read(Buffer.from(raw)).json;
      assert.deepEqual(second, body, name);
      assert.equal(second.tools, first.tools, `${name}: the same parsed list, shared`);
      assert.ok(Object.isFrozen(second.tools) && Object.isFrozen((second.tools as Json[])[0]), name);
      assert.deepEqual(translations(second), translations(structuredClone(body)), name);
      assert.equal(withoutUnsignedThinking(second), null, name);
      // An OpenAI client resending the same (translated) tools: its tools are shared too.
      const openai = Buffer.from(
        JSON.stringify(anthropicToOpenAIRequest(body as unknown as AnthropicRequest, "gpt-4o")),
      );
      const o1 = ChatBody.read(openai).json;
      const o2 = ChatBody.read(Buffer.from(openai)).json;
      assert.equal(o2.tools, o1.tools, name);
      assert.equal(
        JSON.stringify(openAIToAnthropicRequest(o2 as unknown as OpenAIRequest, "claude-x")),
        JSON.stringify(openAIToAnthropicRequest(JSON.parse(openai.toString()) as OpenAIRequest, "claude-x")),
        name,
      );
    }
  });

  test("changes to one request never reach another that shares its tools", () => {
    const body = fixture("tool-loop.2-with-tool-result.json");
    const raw = Buffer.from(JSON.stringify(body));
    const a = ChatBody.read(raw).json;
    // Tools added for a key with mcp_inject: a new list on this request only.
    const added = appendTools("anthropic", a, [
      { name: "files__read", description: "Read a file", inputSchema: { type: "object" } },
    ]);
    assert.equal(added, 1);
    const b = ChatBody.read(Buffer.from(raw)).json;
    assert.equal(
      (b.tools as unknown[]).length,
      (body.tools as unknown[]).length,
      "b has the client's tools only",
    );
    assert.equal((a.tools as unknown[]).length, (body.tools as unknown[]).length + 1);
    // Anything that tried to change the shared definitions in place would fail loudly, not leak.
    assert.throws(() => {
      ((b.tools as Json[])[0] as Json).name = "changed";
    }, TypeError);
  });

  test("a different tool list is parsed as itself, and small lists are not shared", () => {
    const body = fixture("say-hi.bearer.json");
    const tools = body.tools as Json[];
    const fewer = { ...body, tools: tools.slice(1) };
    const x = ChatBody.read(Buffer.from(JSON.stringify(fewer))).json;
    assert.deepEqual(x.tools, tools.slice(1));
    const small = { model: "m", max_tokens: 1, messages: [], tools: [{ name: "t", input_schema: {} }] };
    const s1 = ChatBody.read(Buffer.from(JSON.stringify(small))).json;
    const s2 = ChatBody.read(Buffer.from(JSON.stringify(small))).json;
    assert.notEqual(s1.tools, s2.tools);
    assert.ok(!Object.isFrozen(s1.tools));
  });
});
