// The pure parts of mcp_inject and the execute endpoints: tools appended to a request body in its
// wire format, and tool results rendered as OpenAI tool messages and Anthropic tool_result blocks.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import {
  anthropicToolResult,
  openAIToolMessage,
  parseAnthropicCall,
  parseOpenAICall,
} from "../../gateway/src/mcp/execute-wire.js";
import { appendTools } from "../../gateway/src/mcp/inject.js";

const schema = { type: "object" as const, properties: { q: { type: "string" } } };
const TOOLS: Tool[] = [
  { name: "docs__search", description: "Search the docs", inputSchema: schema },
  { name: "docs__read", inputSchema: schema },
];

describe("appendTools", () => {
  test("OpenAI: function tools after the client's; a client tool of the same name wins", () => {
    const body: Record<string, unknown> = {
      tools: [{ type: "function", function: { name: "docs__read", parameters: {} } }],
    };
    assert.equal(appendTools("openai", body, TOOLS), 1);
    assert.deepEqual(body.tools, [
      { type: "function", function: { name: "docs__read", parameters: {} } },
      {
        type: "function",
        function: { name: "docs__search", description: "Search the docs", parameters: schema },
      },
    ]);
  });

  test("Anthropic: {name, description, input_schema}; server tools' names count as taken", () => {
    const body: Record<string, unknown> = { tools: [{ type: "web_search_20250305", name: "docs__search" }] };
    assert.equal(appendTools("anthropic", body, TOOLS), 1);
    assert.deepEqual((body.tools as unknown[])[1], { name: "docs__read", input_schema: schema });
  });

  test("left alone: no tools, tools that are not a list, OpenAI legacy functions", () => {
    const cases: Array<[Record<string, unknown>, "openai" | "anthropic", readonly Tool[]]> = [
      [{ messages: [] }, "openai", []],
      [{ tools: "x" }, "anthropic", TOOLS],
      [{ functions: [{ name: "f" }] }, "openai", TOOLS],
    ];
    for (const [body, surface, tools] of cases) {
      const before = JSON.stringify(body);
      assert.equal(appendTools(surface, body, tools), 0);
      assert.equal(JSON.stringify(body), before);
    }
  });

  test("a body without tools gets a tools list", () => {
    const body: Record<string, unknown> = {};
    assert.equal(appendTools("anthropic", body, TOOLS), 2);
    assert.equal((body.tools as unknown[]).length, 2);
  });
});

describe("execute bodies", () => {
  test("OpenAI arguments: a JSON string, empty, or an object", () => {
    const of = (args: unknown) =>
      parseOpenAICall({ tool_call: { id: "c", function: { name: "n", arguments: args } } }).arguments;
    assert.deepEqual(of('{"a":1}'), { a: 1 });
    assert.deepEqual(of(""), {});
    assert.deepEqual(of(undefined), {});
    assert.deepEqual(of({ a: 2 }), { a: 2 });
    for (const bad of ["null", "3", "[]", "{", 5]) assert.throws(() => of(bad), /arguments/);
  });

  test("Anthropic: a tool_use block; input defaults to {}", () => {
    assert.deepEqual(parseAnthropicCall({ type: "tool_use", id: "t", name: "n" }), {
      id: "t",
      name: "n",
      arguments: {},
    });
    assert.throws(() => parseAnthropicCall({ type: "server_tool_use", id: "t", name: "n" }), /tool_use/);
    assert.throws(() => parseAnthropicCall({ type: "tool_use", id: "", name: "n" }), /id/);
  });
});

describe("tool results", () => {
  const result: CallToolResult = {
    content: [
      { type: "text", text: "one" },
      { type: "text", text: "" },
      { type: "image", mimeType: "image/svg+xml", data: "AAAA" },
      { type: "resource", resource: { uri: "file:///a.txt", text: "file text" } },
      { type: "resource", resource: { uri: "file:///b.bin", blob: "AAAA", mimeType: "application/x" } },
      { type: "resource_link", uri: "file:///c", name: "c" },
    ],
  };

  test("OpenAI: the parts as text lines (empty ones left out); non-text parts named in a line", () => {
    assert.deepEqual(openAIToolMessage("c1", result), {
      role: "tool",
      tool_call_id: "c1",
      content: [
        "one",
        "[image image/svg+xml, 3 bytes, not shown]",
        "file text",
        "[resource file:///b.bin (application/x), binary, not shown]",
        '[resource file:///c "c"]',
      ].join("\n"),
    });
  });

  test("Anthropic: no empty text blocks; an image it cannot take becomes text; is_error kept", () => {
    const r = anthropicToolResult("t1", { ...result, isError: true });
    assert.equal(r.is_error, true);
    assert.equal(r.content.length, 5);
    assert.ok(r.content.every((b) => b.type === "text" && b.text !== ""));
  });

  test("structured content only: its JSON", () => {
    const r: CallToolResult = { content: [], structuredContent: { n: 1 } };
    assert.equal(openAIToolMessage("c", r).content, '{"n":1}');
    assert.deepEqual(anthropicToolResult("t", r).content, [{ type: "text", text: '{"n":1}' }]);
  });
});
