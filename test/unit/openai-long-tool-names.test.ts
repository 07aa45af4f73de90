/**
 * OpenAI (and Azure) refuse function names over 64 characters ("string too long"); MCP tool names
 * (mcp__server__tool) can be longer. As for Gemini, such names go out shortened and come back to
 * Claude Code under their real names: in tool definitions, tool_choice, the history's calls, JSON
 * answers and streams.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ChatBody } from "../../gateway/src/llm/chat-body.js";
import { codecsFor } from "../../gateway/src/llm/codec.js";
import type { Provider } from "../../gateway/src/llm/providers/provider.js";

const LONG = `mcp__filesystem-server-for-the-monorepo__${"read_multiple_files_with_line_numbers_".repeat(2)}`;

const client = {
  model: "openai/gpt-4.1",
  max_tokens: 100,
  tools: [
    { name: LONG, input_schema: { type: "object", properties: { path: { type: "string" } } } },
    { name: "Bash", input_schema: { type: "object", properties: {} } },
  ],
  tool_choice: { type: "tool", name: LONG },
  messages: [
    { role: "user", content: "read a" },
    { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: LONG, input: { path: "a" } }] },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "file a" }] },
  ],
};

function codec() {
  const chat = ChatBody.read(Buffer.from(JSON.stringify(client)));
  const c = codecsFor("anthropic", chat.json)("openai");
  const sent = c.request(chat, "gpt-4.1").json as {
    tools: Array<{ function: { name: string } }>;
    tool_choice: { function: { name: string } };
    messages: Array<{ tool_calls?: Array<{ function: { name: string } }> }>;
  };
  return { c, sent };
}

describe("OpenAI: tool names longer than 64 characters", () => {
  test("the request names every tool within 64 characters, consistently", () => {
    const { sent } = codec();
    const declared = sent.tools.map((t) => t.function.name);
    assert.ok(
      declared.every((n) => n.length <= 64),
      declared.join(", "),
    );
    assert.ok(declared.includes("Bash"), "short names untouched");
    const short = declared.find((n) => n !== "Bash")!;
    assert.equal(sent.tool_choice.function.name, short);
    assert.equal(sent.messages.find((m) => m.tool_calls)?.tool_calls?.[0]?.function.name, short);
  });

  test("JSON and stream answers call the tool by its real name", () => {
    const { c, sent } = codec();
    const short = sent.tools[0]!.function.name;
    const answer = {
      id: "chatcmpl-1",
      object: "chat.completion",
      created: 1,
      model: "gpt-4.1",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: null,
            tool_calls: [
              { id: "call_1", type: "function", function: { name: short, arguments: '{"path":"b"}' } },
            ],
          },
          finish_reason: "tool_calls",
        },
      ],
    };
    const json = JSON.parse(String(c.json(Buffer.from(JSON.stringify(answer)), "claude").body)) as {
      content: Array<{ name?: string }>;
    };
    assert.equal(json.content[0]!.name, LONG);

    const pipe = c.stream(
      {} as Provider,
      { model: "gpt-4.1", stream: true, sessionId: undefined, clientHeaders: {} },
      "c",
    );
    const chunk = {
      id: "c",
      object: "chat.completion.chunk",
      created: 1,
      model: "m",
      choices: [
        {
          index: 0,
          delta: {
            tool_calls: [
              { index: 0, id: "call_1", type: "function", function: { name: short, arguments: "{}" } },
            ],
          },
          finish_reason: "tool_calls",
        },
      ],
    };
    const out =
      String(pipe.push(Buffer.from(`data: ${JSON.stringify(chunk)}\n\ndata: [DONE]\n\n`))) + pipe.end();
    assert.ok(out.includes(`"name":${JSON.stringify(LONG)}`), out);
  });
});
