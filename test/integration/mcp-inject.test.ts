// MCP tools in LLM requests for clients that do not speak MCP (docs/mcp.md, "Tools for clients that
// do not speak MCP"), on the OpenAI surface, with the official OpenAI SDK: tools added to the
// request, the model's tool call handed back untouched, and POST /v1/tools/execute running it
// through the same gate as /mcp against real MCP servers from npm.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import type { ToolCallRow } from "../../gateway/src/store/log-store.js";
import type { TestGateway } from "../helpers/gateway.js";
import {
  answerThroughApi,
  CHAT_KEY,
  type InjectSetup,
  lastBody,
  postAs,
  startInjectGateway,
} from "../helpers/inject.js";
import type { MockProvider } from "../mocks/mock-provider.js";

type Json = Record<string, unknown>;
type ToolMessage = { role: "tool"; tool_call_id: string; content: string };

let setup: InjectSetup;
let gw: TestGateway;
let mock: MockProvider;
let chat: OpenAI;

const WEATHER: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Current weather for a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

/** The tools of the last request the provider received, by name. */
function upstreamTools(): Array<{ name: string; description?: string; parameters?: Json }> {
  const body = lastBody(mock);
  const tools = (body.tools ?? []) as Array<{
    function: { name: string; description?: string; parameters?: Json };
  }>;
  return tools.map((t) => t.function);
}

function execute(toolCall: Json) {
  return postAs(gw, "/v1/tools/execute", CHAT_KEY, { tool_call: toolCall });
}

const call = (id: string, name: string, args: Json) => ({
  id,
  type: "function",
  function: { name, arguments: JSON.stringify(args) },
});

async function toolCalls(key: string): Promise<ToolCallRow[]> {
  await gw.gateway.logs.flush();
  return (await gw.gateway.logs.store.queryToolCalls({ keyName: key })).rows;
}

before(async () => {
  setup = await startInjectGateway();
  gw = setup.gw;
  mock = setup.mock;
  chat = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: CHAT_KEY, maxRetries: 0 });
});
after(async () => {
  await setup?.close();
});

describe("tools added to OpenAI requests (mcp_inject)", () => {
  test("the key's MCP tools reach the model after the client's; the tool call comes back untouched; execute runs it", async () => {
    mock.reset();
    mock.script({
      kind: "tool_use",
      tools: [{ id: "call_1", name: "everything__echo", input: { message: "hi" } }],
    });
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
      { role: "user", content: "Say hi through the echo tool" },
    ];
    const first = await chat.chat.completions.create({ model: "gpt-4o", messages, tools: [WEATHER] });

    const names = upstreamTools().map((t) => t.name);
    assert.equal(names[0], "get_weather", "the client's own tools come first");
    assert.ok(names.includes("everything__echo") && names.includes("everything__get-sum"), names.join());
    assert.ok(!names.includes("everything__get-env"), "a deny tool is not offered to the model");
    assert.ok(!names.some((n) => n.startsWith("memory__")), "a server outside the key's mcp_servers is not");
    const echo = upstreamTools().find((t) => t.name === "everything__echo");
    assert.deepEqual(Object.keys((echo?.parameters?.properties ?? {}) as Json), ["message"]);

    const msg = first.choices[0]!.message;
    assert.equal(first.choices[0]!.finish_reason, "tool_calls");
    const tc = msg.tool_calls?.[0];
    assert.ok(tc && tc.type === "function");
    assert.equal(tc.function.name, "everything__echo");
    assert.deepEqual(JSON.parse(tc.function.arguments), { message: "hi" });
    assert.deepEqual(await toolCalls("chat"), [], "Gatehouse ran nothing on its own");

    // The explicit step: the client asks Gatehouse to run the call, with the OpenAI SDK.
    const result = await chat.post<ToolMessage>("/tools/execute", { body: { tool_call: tc } });
    assert.deepEqual(result, { role: "tool", tool_call_id: tc.id, content: "Echo: hi" });

    // The answer is a message the conversation takes as it is.
    mock.script({ kind: "text", text: "It said hi." });
    const second = await chat.chat.completions.create({
      model: "gpt-4o",
      messages: [...messages, msg, result],
    });
    assert.equal(second.choices[0]!.message.content, "It said hi.");
    const sent = lastBody<{ messages: Json[] }>(mock).messages;
    assert.deepEqual(sent.at(-1), { role: "tool", tool_call_id: tc.id, content: "Echo: hi" });

    const [row] = await toolCalls("chat");
    assert.equal(row?.tool, "echo");
    assert.equal(row?.status, "ok");
    assert.equal(row?.decidedBy, "policy:config");
  });

  test("a client tool with the name of an MCP tool wins: the model sees the client's only", async () => {
    mock.reset();
    await chat.chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: "add" }],
      tools: [
        { type: "function", function: { name: "everything__get-sum", description: "mine", parameters: {} } },
      ],
    });
    const sums = upstreamTools().filter((t) => t.name === "everything__get-sum");
    assert.deepEqual(
      sums.map((t) => t.description),
      ["mine"],
    );
    assert.ok(upstreamTools().some((t) => t.name === "everything__echo"));
  });

  test("streaming: the tool call streams back to the client as the model made it", async () => {
    mock.reset();
    mock.script({
      kind: "tool_use",
      tools: [{ id: "call_s", name: "everything__echo", input: { message: "s" } }],
    });
    const stream = await chat.chat.completions.create({
      model: "gpt-4o",
      stream: true,
      messages: [{ role: "user", content: "echo s" }],
    });
    let name = "";
    let args = "";
    for await (const c of stream) {
      const d = c.choices[0]?.delta.tool_calls?.[0];
      name += d?.function?.name ?? "";
      args += d?.function?.arguments ?? "";
    }
    assert.equal(name, "everything__echo");
    assert.deepEqual(JSON.parse(args), { message: "s" });
    assert.ok(upstreamTools().some((t) => t.name === "everything__echo"));
  });

  test("a key without mcp_inject: its requests reach the provider without added tools", async () => {
    mock.reset();
    const plain = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: gw.key, maxRetries: 0 });
    await plain.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] });
    assert.equal(lastBody(mock).tools, undefined);
  });
});

describe("POST /v1/tools/execute: the same gate as /mcp", () => {
  test("a deny tool does not run: the answer says so (x-gatehouse-tool-error) and the log records who decided", async () => {
    const r = await execute(call("call_d", "everything__get-env", {}));
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("x-gatehouse-tool-error"), "true");
    assert.equal(r.json.tool_call_id, "call_d");
    assert.match(String(r.json.content), /is not available.*did not run/);
    assert.doesNotMatch(String(r.json.content), /PATH/, "no environment printed");
    const row = (await toolCalls("chat")).find((t) => t.tool === "get-env");
    assert.equal(row?.status, "denied");
    assert.equal(row?.decision, "deny");
  });

  test("an ask tool waits for a person: allowed through the admin API it runs", async () => {
    let done = false;
    const pending = execute(call("call_a", "everything__get-sum", { a: 2, b: 3 })).finally(() => {
      done = true;
    });
    const asked = await answerThroughApi(gw, "get-sum", "allow_once").catch((e: unknown) => {
      throw new Error(`no approval request (answer already in: ${done}): ${e}`);
    });
    assert.equal(asked.keyName, "chat");
    assert.deepEqual(asked.arguments, { a: 2, b: 3 });
    assert.equal(asked.exposedName, "everything__get-sum");
    const r = await pending;
    assert.equal(r.status, 200);
    assert.equal(r.json.content, "The sum of 2 and 3 is 5.");
    const row = (await toolCalls("chat")).find((t) => t.tool === "get-sum");
    assert.equal(row?.decision, "ask");
    assert.equal(row?.decidedBy, "admin-api");
  });

  test("an ask tool a person denies does not run; the model is told a person denied it", async () => {
    const pending = execute(call("call_n", "everything__get-sum", { a: 1, b: 1 }));
    await answerThroughApi(gw, "get-sum", "deny");
    const r = await pending;
    assert.equal(r.headers.get("x-gatehouse-tool-error"), "true");
    assert.match(
      String(r.json.content),
      /a person denied this call of everything__get-sum; the tool did not run/,
    );
  });

  test("an ask tool nobody answers is refused at the approval timeout", async () => {
    const approvals = gw.gateway.mcp.approvals;
    const before = approvals.timeoutMs;
    approvals.timeoutMs = 300;
    try {
      const r = await execute(call("call_t", "everything__get-sum", { a: 1, b: 2 }));
      assert.match(String(r.json.content), /nobody answered within 300 ms, so the tool did not run/);
    } finally {
      approvals.timeoutMs = before;
    }
    const row = (await toolCalls("chat")).find((t) => t.decidedBy === "timeout");
    assert.equal(row?.status, "denied");
  });

  test("no bypass: a key cannot run the tools of a server outside its mcp_servers", async () => {
    const r = await execute(
      call("call_m", "memory__create_entities", {
        entities: [{ name: "intruder", entityType: "person", observations: ["got in"] }],
      }),
    );
    assert.match(String(r.json.content), /not available: not allowed for this key/);
    // A key with access reads the graph: nothing was written.
    const graph = await postAs(gw, "/v1/tools/execute", gw.key, {
      tool_call: call("call_g", "memory__read_graph", {}),
    });
    assert.equal(graph.status, 200);
    assert.doesNotMatch(String(graph.json.content), /intruder/);
  });

  test("missing or wrong key: 401 in OpenAI's error format", async () => {
    for (const key of [undefined, "gk-not-a-key"]) {
      const r = await postAs(gw, "/v1/tools/execute", key, {
        tool_call: call("c", "everything__echo", { message: "x" }),
      });
      assert.equal(r.status, 401);
      assert.equal((r.json.error as Json).type, "authentication_error");
    }
  });

  test("bad requests: 4xx with an OpenAI error naming the problem; an unknown tool is 404", async () => {
    const cases: Array<[string, unknown, number, RegExp]> = [
      ["not JSON", "{tool_call:", 400, /JSON/],
      ["no tool_call", { id: "x" }, 400, /tool_call: required/],
      [
        "no id",
        { tool_call: { type: "function", function: { name: "a", arguments: "{}" } } },
        400,
        /tool_call\.id/,
      ],
      [
        "not a function",
        { tool_call: { ...call("c", "everything__echo", {}), type: "custom" } },
        400,
        /only "function"/,
      ],
      ["no name", { tool_call: { id: "c", function: { arguments: "{}" } } }, 400, /function\.name/],
      [
        "arguments not JSON",
        { tool_call: { id: "c", function: { name: "n", arguments: "{oops" } } },
        400,
        /not valid JSON/,
      ],
      [
        "arguments a list",
        { tool_call: { id: "c", function: { name: "n", arguments: "[1]" } } },
        400,
        /JSON object/,
      ],
      [
        "unknown tool",
        { tool_call: call("c", "everything__nope", {}) },
        404,
        /unknown tool "everything__nope"/,
      ],
      ["a client's own tool", { tool_call: call("c", "get_weather", {}) }, 404, /unknown tool/],
    ];
    for (const [what, body, status, message] of cases) {
      const r = await postAs(gw, "/v1/tools/execute", CHAT_KEY, body);
      assert.equal(r.status, status, what);
      const err = r.json.error as Json;
      assert.match(String(err.message), message, what);
    }
    const text = await postAs(gw, "/v1/tools/execute", CHAT_KEY, "{}", { "content-type": "text/plain" });
    assert.equal(text.status, 415);
    const get = await fetch(`${gw.url}/v1/tools/execute`, {
      headers: { authorization: `Bearer ${CHAT_KEY}` },
    });
    assert.equal(get.status, 405);
    assert.ok(((await get.json()) as { error: Json }).error.message);
  });
});
