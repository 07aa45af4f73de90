// Gemini refuses function names over 64 characters; MCP tools (server__tool) can be longer. Such a
// name goes to Gemini shortened and comes back to the client as it was, in JSON and in streams, on
// both client surfaces, and the history's tool calls and results keep matching.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { shortToolNames } from "../../gateway/src/llm/translate/short-tool-names.js";
import { post } from "../helpers/gateway.js";
import { sseEvents as events } from "../helpers/llm.js";
import { geminiOnMock, useMockGateway } from "../helpers/mock-gateway.js";

const LONG = `filesystem-server-for-the-monorepo__${"read_multiple_files_with_line_numbers_".repeat(2)}v2`;
const SIBLING = `${LONG.slice(0, 60)}_other_tool_with_the_same_start`;
const SHORT = "echo__echo";

const tools = [LONG, SIBLING, SHORT].map((name) => ({
  name,
  description: "a tool",
  input_schema: { type: "object", properties: { path: { type: "string" } } },
}));

describe("Gemini: tool names longer than 64 characters", () => {
  const t = useMockGateway(geminiOnMock);

  test("the map: deterministic, within 64, distinct, reversible; short names untouched", () => {
    const a = shortToolNames([LONG, SIBLING, SHORT])!;
    const b = shortToolNames([SHORT, SIBLING, LONG])!;
    assert.equal(a.toShort(LONG), b.toShort(LONG), "order does not matter");
    assert.ok(a.toShort(LONG).length <= 64 && a.toShort(SIBLING).length <= 64);
    assert.notEqual(a.toShort(LONG), a.toShort(SIBLING));
    assert.equal(a.fromShort(a.toShort(LONG)), LONG);
    assert.equal(a.toShort(SHORT), SHORT);
    assert.equal(shortToolNames([SHORT, "x"]), undefined);
    // A name that happens to equal a shortened one: the long name gets another suffix.
    const clash = shortToolNames([LONG, a.toShort(LONG)])!;
    assert.notEqual(clash.toShort(LONG), a.toShort(LONG));
    assert.equal(clash.fromShort(clash.toShort(LONG)), LONG);
  });

  const history = [
    { role: "user", content: "read it" },
    { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: LONG, input: { path: "a" } }] },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "file a" }] },
  ];

  for (const stream of [false, true]) {
    test(`/anthropic (${stream ? "stream" : "JSON"}): Gemini sees short names, the client the real one`, async () => {
      const short = shortToolNames([LONG, SIBLING, SHORT])!.toShort(LONG);
      t.mock.reset();
      t.mock.script({ kind: "tool_use", tools: [{ name: short, input: { path: "b" } }] });
      const res = await post(`${t.gw.url}/anthropic/v1/messages`, {
        model: "gem/gemini-2.5-flash",
        max_tokens: 100,
        stream,
        tools,
        messages: history,
      });
      assert.equal(res.status, 200, res.text);
      const sent = JSON.parse(t.mock.requests.at(-1)!.body) as {
        tools: Array<{ functionDeclarations: Array<{ name: string }> }>;
        contents: Array<{
          parts: Array<{ functionCall?: { name: string }; functionResponse?: { name: string } }>;
        }>;
      };
      const declared = sent.tools[0]!.functionDeclarations.map((d) => d.name);
      assert.ok(
        declared.every((n) => n.length <= 64),
        declared.join(", "),
      );
      assert.ok(declared.includes(short) && declared.includes(SHORT));
      const parts = sent.contents.flatMap((c) => c.parts);
      assert.equal(parts.find((p) => p.functionCall)?.functionCall?.name, short, "history call renamed");
      assert.equal(parts.find((p) => p.functionResponse)?.functionResponse?.name, short, "and its result");
      const start = events(res.text).find(([e]) => e === "content_block_start")?.[1] as
        | { content_block: { name: string } }
        | undefined;
      const json = stream ? undefined : (res.json() as { content: Array<{ type: string; name?: string }> });
      const name = stream
        ? start?.content_block.name
        : json?.content.find((b) => b.type === "tool_use")?.name;
      assert.equal(name, LONG);
    });
  }

  test("count_tokens: Gemini counts the request with the names it would be sent", async () => {
    t.mock.reset();
    const res = await post(`${t.gw.url}/anthropic/v1/messages/count_tokens`, {
      model: "gem/gemini-2.5-flash",
      tools,
      messages: history,
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get("x-gatehouse-token-count"), null, "Gemini's own count, not an estimate");
    const sent = JSON.parse(t.mock.requests.at(-1)!.body) as {
      generateContentRequest: {
        tools: Array<{ functionDeclarations: Array<{ name: string }> }>;
        contents: Array<{ parts: Array<{ functionCall?: { name: string } }> }>;
      };
    };
    const req = sent.generateContentRequest;
    const names = [
      ...req.tools[0]!.functionDeclarations.map((d) => d.name),
      ...req.contents.flatMap((c) => c.parts.flatMap((p) => (p.functionCall ? [p.functionCall.name] : []))),
    ];
    assert.ok(
      names.every((n) => n.length <= 64),
      names.join(", "),
    );
  });

  test("/v1 (OpenAI client) to Gemini: the tool call comes back under its real name", async () => {
    const short = shortToolNames([LONG])!.toShort(LONG);
    t.mock.script({ kind: "tool_use", tools: [{ name: short, input: { path: "c" } }] });
    const res = await post(`${t.gw.url}/v1/chat/completions`, {
      model: "gem/gemini-2.5-flash",
      tools: [{ type: "function", function: { name: LONG, parameters: { type: "object", properties: {} } } }],
      messages: [{ role: "user", content: "go" }],
    });
    assert.equal(res.status, 200, res.text);
    const call = (
      res.json() as { choices: Array<{ message: { tool_calls: Array<{ function: { name: string } }> } }> }
    ).choices[0]!.message.tool_calls[0]!;
    assert.equal(call.function.name, LONG);
  });
});
