import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";
import { parseConfig } from "../../gateway/src/config/load.js";
import {
  COMPACT_MAX,
  compactSchema,
  compactTool,
  firstSentence,
} from "../../gateway/src/mcp/lean/compact.js";
import { toolModeFor } from "../../gateway/src/mcp/lean/mode.js";

// Compact mode (first-sentence descriptions, schemas without annotations) and the per-key mode.

describe("compact: first sentence", () => {
  const long = `Returns ${"very ".repeat(40)}long text`;
  const cases: Array<[string, string]> = [
    ["Read a file. It must exist.", "Read a file."],
    [
      "Read the complete contents of a file as text. DEPRECATED: use x.",
      "Read the complete contents of a file as text.",
    ],
    ["Navigate to a URL", "Navigate to a URL"],
    ["Use a glob, e.g. *.ts, to match. Then more.", "Use a glob, e.g. *.ts, to match."],
    ["Needs version 1.2 or later. More.", "Needs version 1.2 or later."],
    ["Is it ready? Then go.", "Is it ready?"],
    ["First line\nSecond line.", "First line"],
    ["## Sequential thinking\nA tool for thoughts.", "Sequential thinking"],
    ["  \n Leading blank line. Rest.", "Leading blank line."],
    ["Use this tool to:\n- read\n- write", "Use this tool to"],
    ["Spaces   and\ttabs collapse. Yes.", "Spaces and tabs collapse."],
    ["", ""],
  ];
  for (const [input, want] of cases) {
    test(JSON.stringify(input.slice(0, 40)), () => assert.equal(firstSentence(input), want));
  }

  test(`a long sentence is cut at a word, within ${COMPACT_MAX} characters, with …`, () => {
    const got = firstSentence(long);
    assert.ok(got.length <= COMPACT_MAX, `${got.length}`);
    assert.ok(got.endsWith("very…"), got);
  });
});

describe("compact: schemas", () => {
  const schema = {
    $schema: "http://json-schema.org/draft-07/schema#",
    type: "object",
    title: "Args",
    description: "The arguments",
    properties: {
      path: { type: "string", description: "Where", minLength: 1, examples: ["/tmp"] },
      // A parameter literally named like annotation keywords is data, not an annotation.
      description: { type: "string", description: "The text of the description" },
      title: { type: "string" },
      mode: { type: "string", enum: ["a", "b"], default: "a", title: "Mode", $comment: "x" },
      edits: {
        type: "array",
        description: "Edits",
        items: {
          type: "object",
          properties: { oldText: { type: "string", description: "Old" }, newText: { type: "string" } },
          required: ["oldText", "newText"],
          additionalProperties: false,
        },
      },
      target: {
        anyOf: [
          { type: "string", description: "ref" },
          { type: "integer", minimum: 0 },
        ],
      },
    },
    required: ["path", "description"],
    additionalProperties: false,
  };

  test("annotations go, validation keywords and parameter names stay", () => {
    assert.deepEqual(compactSchema(schema), {
      type: "object",
      properties: {
        path: { type: "string", minLength: 1 },
        description: { type: "string" },
        title: { type: "string" },
        mode: { type: "string", enum: ["a", "b"], default: "a" },
        edits: {
          type: "array",
          items: {
            type: "object",
            properties: { oldText: { type: "string" }, newText: { type: "string" } },
            required: ["oldText", "newText"],
            additionalProperties: false,
          },
        },
        target: { anyOf: [{ type: "string" }, { type: "integer", minimum: 0 }] },
      },
      required: ["path", "description"],
      additionalProperties: false,
    });
  });

  test("the compact schema accepts and rejects exactly what the original does", () => {
    const ajv = new AjvJsonSchemaValidator();
    const original = ajv.getValidator(schema as object);
    const compact = ajv.getValidator(compactSchema(schema) as object);
    const samples: unknown[] = [
      { path: "/a", description: "d" },
      { path: "/a", description: "d", mode: "b", edits: [{ oldText: "x", newText: "y" }], target: 3 },
      { path: "", description: "d" },
      { path: "/a" },
      { path: "/a", description: "d", mode: "c" },
      { path: "/a", description: "d", edits: [{ oldText: "x" }] },
      { path: "/a", description: "d", target: -1 },
      { path: "/a", description: "d", extra: 1 },
    ];
    for (const s of samples) assert.equal(compact(s).valid, original(s).valid, JSON.stringify(s));
  });

  test("non-objects pass through; the input is not changed", () => {
    assert.equal(compactSchema(true), true);
    const copy = structuredClone(schema);
    compactSchema(schema);
    assert.deepEqual(schema, copy);
  });

  test("compactTool keeps the name, annotations and _meta; shortens the description", () => {
    const t: Tool = {
      name: "edit_file",
      title: "Edit file",
      description: "Make line-based edits to a text file. Each edit replaces exact lines.",
      inputSchema: { type: "object", properties: { path: { type: "string", description: "File" } } },
      outputSchema: { type: "object", properties: { diff: { type: "string", description: "Diff" } } },
      annotations: { destructiveHint: true },
      _meta: { "x/y": 1 },
    };
    assert.deepEqual(compactTool(t), {
      ...t,
      description: "Make line-based edits to a text file.",
      inputSchema: { type: "object", properties: { path: { type: "string" } } },
      outputSchema: { type: "object", properties: { diff: { type: "string" } } },
    });
    const bare: Tool = { name: "x", inputSchema: { type: "object" } };
    assert.deepEqual(compactTool(bare), bare);
  });
});

describe("tool-list mode per key", () => {
  test("virtual_keys[].tool_mode, else mcp.tool_mode (default full)", () => {
    const cfg = parseConfig({
      virtual_keys: [
        { name: "a", key: "gk-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", tool_mode: "search" },
        { name: "b", key: "gk-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" },
      ],
    });
    assert.equal(cfg.mcp.tool_mode, "full");
    assert.equal(toolModeFor(cfg, "a"), "search");
    assert.equal(toolModeFor(cfg, "b"), "full");
    const compactDefault = { ...cfg, mcp: { ...cfg.mcp, tool_mode: "compact" as const } };
    assert.equal(toolModeFor(compactDefault, "b"), "compact");
    assert.equal(toolModeFor(compactDefault, "created-with-the-cli"), "compact");
    assert.equal(toolModeFor(compactDefault, null), "compact");
  });

  test("an unknown mode is a config error naming the field", () => {
    assert.throws(() => parseConfig({ mcp: { tool_mode: "tiny" } }), /mcp\.tool_mode/);
    assert.throws(
      () => parseConfig({ virtual_keys: [{ name: "a", key: "gk-x".padEnd(36, "x"), tool_mode: "lean" }] }),
      /tool_mode/,
    );
  });
});
