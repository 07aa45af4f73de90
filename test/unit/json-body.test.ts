// Bodies the gateway re-serialises (translated requests, a changed model name) must be exactly
// JSON.stringify's bytes, however they are built: piece by piece, and with remembered tools.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import fc from "fast-check";
import { jsonBody, sameJson } from "../../gateway/src/llm/providers/json-body.js";
import { anthropicToOpenAIRequest } from "../../gateway/src/llm/translate/anthropic-to-openai.js";
import type { AnthropicRequest } from "../../gateway/src/llm/wire/anthropic.js";
import { ccFixture } from "../helpers/fixtures.js";

const bytes = (b: string | Buffer) => (typeof b === "string" ? Buffer.from(b) : b);
const same = (value: Record<string, unknown>) =>
  assert.ok(
    bytes(jsonBody(value)).equals(Buffer.from(JSON.stringify(value))),
    "bytes differ from JSON.stringify",
  );

// Text with characters beyond Latin-1 and long runs, so bodies cross the slice size.
const text = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.constantFrom("→ — ≥ 🤖", '\u2028"\\', "x".repeat(20_000), "é".repeat(9_000)),
);
const tool = fc.record({
  name: fc.constantFrom("Bash", "Read", "Edit", "x"),
  description: text,
  input_schema: fc.record({
    type: fc.constant("object"),
    properties: fc.dictionary(fc.string(), fc.jsonValue()),
  }),
});
const body = fc.record(
  {
    model: fc.string(),
    messages: fc.array(fc.record({ role: fc.constantFrom("user", "assistant"), content: text })),
    tools: fc.array(
      fc.oneof(
        tool,
        tool.map((t) => ({ type: "function", function: t })),
        fc.jsonValue(),
      ),
    ),
    system: text,
    n: fc.oneof(fc.integer(), fc.double(), fc.constant(undefined)),
    extra: fc.jsonValue(),
  },
  { requiredKeys: [] },
);

describe("re-serialised request bodies", () => {
  test("equal JSON.stringify byte for byte, also when tools repeat with other content (property)", () => {
    fc.assert(
      fc.property(fc.array(body, { minLength: 1, maxLength: 4 }), (bodies) => {
        for (const b of bodies) same(b as Record<string, unknown>);
      }),
      { numRuns: 300 },
    );
  });

  test("a remembered tool is never reused once its definition changed", () => {
    const schema = { type: "object", properties: { command: { type: "string" } } };
    const t1 = { name: "Bash", description: `Runs a command → ${"d".repeat(20_000)}`, input_schema: schema };
    same({ tools: [t1] });
    same({ tools: [{ ...t1 }] }); // equal: served from memory
    const changed = { ...t1, input_schema: { ...schema, properties: { command: { type: "number" } } } };
    same({ tools: [changed] });
    same({ tools: [{ ...t1, description: t1.description.replace("→", "->") }] });
    same({ tools: [{ input_schema: schema, name: "Bash", description: t1.description }] }); // key order
  });

  test("the translated Claude Code request (24 tools) twice: identical bytes both times", () => {
    const fx = JSON.parse(readFileSync(ccFixture("say-hi.bearer.json"), "utf8")) as {
      body: AnthropicRequest;
    };
    for (let i = 0; i < 2; i++) {
      const translated = anthropicToOpenAIRequest(
        structuredClone(fx.body),
        "gpt-4o-mini",
      ) as unknown as Record<string, unknown>;
      const out = jsonBody(translated);
      assert.ok(Buffer.isBuffer(out), "a large body comes back as bytes");
      assert.ok(out.equals(Buffer.from(JSON.stringify(translated))));
    }
  });

  test("sameJson is JSON equality with key order", () => {
    assert.ok(sameJson({ a: [1, { b: "→" }] }, { a: [1, { b: "→" }] }));
    assert.ok(!sameJson({ a: 1, b: 2 }, { b: 2, a: 1 }));
    assert.ok(!sameJson([1, 2], { 0: 1, 1: 2 }));
    assert.ok(!sameJson({ a: null }, { a: {} }));
    assert.ok(!sameJson({ a: "1" }, { a: 1 }));
  });
});
