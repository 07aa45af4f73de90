// Claude Code's recorded requests replayed through anthropicToGeminiRequest: what comes out is a
// request Gemini takes (alternating roles, calls before their responses, schemas of its subset).
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { anthropicToGeminiRequest } from "../../gateway/src/llm/translate/anthropic-to-gemini.js";
import type { AnthropicRequest } from "../../gateway/src/llm/wire/anthropic.js";
import type { GeminiContent, GeminiRequest, GeminiSchema } from "../../gateway/src/llm/wire/gemini.js";
import { CC_FIXTURES } from "../helpers/fixtures.js";

const FIXTURES = CC_FIXTURES;
type Json = Record<string, unknown>;

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
