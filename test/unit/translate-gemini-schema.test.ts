// Tool input schemas cleaned into the subset of OpenAPI Gemini takes (toGeminiParameters).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { toGeminiParameters } from "../../gateway/src/llm/translate/gemini-schema.js";
import type { GeminiSchema } from "../../gateway/src/llm/wire/gemini.js";

type Json = Record<string, unknown>;

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
