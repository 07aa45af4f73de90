// mcp_inject beyond the OpenAI surface: the Anthropic SDK round trip with
// POST /anthropic/v1/tools/execute, "never both by default" at /mcp, the key views of the admin
// API, and a search-mode key whose injected tools are the three meta tools.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import type { KeyView } from "../../gateway/src/admin/contract.js";
import type { TestGateway } from "../helpers/gateway.js";
import {
  admin,
  BOTH_KEY,
  CHAT_KEY,
  type InjectSetup,
  lastBody,
  openAIToolNames,
  postAs,
  SEARCH_KEY,
  startInjectGateway,
} from "../helpers/inject.js";
import { connectClient } from "../helpers/mcp.js";
import type { MockProvider } from "../mocks/mock-provider.js";

type Json = Record<string, unknown>;

let setup: InjectSetup;
let gw: TestGateway;
let mock: MockProvider;

const INIT = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
};
const MCP_HEADERS = { accept: "application/json, text/event-stream" };

before(async () => {
  setup = await startInjectGateway();
  gw = setup.gw;
  mock = setup.mock;
});
after(async () => {
  await setup?.close();
});

describe("Anthropic surface", () => {
  test("tools added as Anthropic tools; tool_use back to the client; execute answers a tool_result block", async () => {
    const claude = new Anthropic({ baseURL: `${gw.url}/anthropic`, apiKey: CHAT_KEY, maxRetries: 0 });
    mock.reset();
    mock.script({
      kind: "tool_use",
      tools: [{ id: "toolu_1", name: "everything__echo", input: { message: "yo" } }],
    });
    const messages: Anthropic.MessageParam[] = [{ role: "user", content: "echo yo" }];
    const first = await claude.messages.create({ model: "claude-haiku-4-5", max_tokens: 100, messages });
    const tools = lastBody<{ tools: Json[] }>(mock).tools;
    const echo = tools.find((t) => t.name === "everything__echo");
    assert.ok(echo, "the MCP tool is in the request");
    assert.equal((echo.input_schema as Json).type, "object");
    assert.ok(!tools.some((t) => t.name === "everything__get-env"));

    const use = first.content.find((b) => b.type === "tool_use");
    assert.ok(use);
    assert.equal(first.stop_reason, "tool_use");
    assert.equal(use.name, "everything__echo");

    const result = await claude.post<Anthropic.ToolResultBlockParam>("/v1/tools/execute", { body: use });
    assert.deepEqual(result, {
      type: "tool_result",
      tool_use_id: use.id,
      content: [{ type: "text", text: "Echo: yo" }],
    });

    mock.script({ kind: "text", text: "done" });
    const second = await claude.messages.create({
      model: "claude-haiku-4-5",
      max_tokens: 100,
      messages: [
        ...messages,
        { role: "assistant", content: first.content },
        { role: "user", content: [result] },
      ],
    });
    assert.equal(second.content[0]?.type === "text" && second.content[0].text, "done");
    const sent = lastBody<{ messages: Array<{ content: unknown }> }>(mock).messages;
    assert.deepEqual(sent.at(-1)?.content, [result]);
  });

  test("an image result becomes an Anthropic image block; refusals carry is_error", async () => {
    const img = await postAs(gw, "/anthropic/v1/tools/execute", CHAT_KEY, {
      type: "tool_use",
      id: "toolu_i",
      name: "everything__get-tiny-image",
      input: {},
    });
    assert.equal(img.status, 200);
    const blocks = img.json.content as Json[];
    const image = blocks.find((b) => b.type === "image");
    assert.equal((image?.source as Json | undefined)?.media_type, "image/png");
    assert.equal(img.json.is_error, undefined);

    const denied = await postAs(gw, "/anthropic/v1/tools/execute", CHAT_KEY, {
      type: "tool_use",
      id: "toolu_d",
      name: "everything__get-env",
      input: {},
    });
    assert.equal(denied.json.is_error, true);
    assert.match(String((denied.json.content as Json[])[0]?.text), /did not run/);
  });

  test("errors in Anthropic's format: no key 401, bad block 400, unknown tool 404", async () => {
    const cases: Array<[string | undefined, unknown, number, string]> = [
      [
        undefined,
        { type: "tool_use", id: "t", name: "everything__echo", input: {} },
        401,
        "authentication_error",
      ],
      [CHAT_KEY, { type: "text", text: "hi" }, 400, "invalid_request_error"],
      [CHAT_KEY, { type: "tool_use", name: "everything__echo", input: {} }, 400, "invalid_request_error"],
      [
        CHAT_KEY,
        { type: "tool_use", id: "t", name: "everything__echo", input: "hi" },
        400,
        "invalid_request_error",
      ],
      [CHAT_KEY, "[1,2]", 400, "invalid_request_error"],
      [CHAT_KEY, { type: "tool_use", id: "t", name: "nope__nothing", input: {} }, 404, "not_found_error"],
    ];
    for (const [key, body, status, type] of cases) {
      const r = await postAs(gw, "/anthropic/v1/tools/execute", key, body);
      assert.equal(r.status, status, JSON.stringify(body));
      assert.equal(r.json.type, "error");
      assert.equal((r.json.error as Json).type, type, JSON.stringify(body));
    }
  });
});

describe("never both by default", () => {
  test("a key with mcp_inject is refused at /mcp and /mcp/<server>, with why and how to allow both", async () => {
    for (const path of ["/mcp", "/mcp/everything"]) {
      const r = await postAs(gw, path, CHAT_KEY, INIT, MCP_HEADERS);
      assert.equal(r.status, 403, path);
      const err = r.json.error as Json;
      assert.equal(r.json.jsonrpc, "2.0");
      assert.match(String(err.message), /mcp_inject/);
      assert.match(String(err.message), /also_serve_mcp: true/);
    }
    await assert.rejects(connectClient(gw.url, CHAT_KEY), "the MCP SDK client cannot connect");
  });

  test("also_serve_mcp: the key gets /mcp and injected tools", async () => {
    const c = await connectClient(gw.url, BOTH_KEY);
    try {
      const { tools } = await c.client.listTools();
      assert.ok(tools.some((t) => t.name === "memory__read_graph"));
    } finally {
      await c.close();
    }
    mock.reset();
    const oai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: BOTH_KEY, maxRetries: 0 });
    await oai.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] });
    const names = openAIToolNames(mock);
    assert.ok(names.includes("memory__read_graph") && names.includes("everything__echo"));
  });

  test("a key without mcp_inject still uses /mcp", async () => {
    const c = await connectClient(gw.url, gw.key);
    await c.close();
  });
});

test("keys in the database: mcp_inject set through the admin API works as in the config; key views show it", async () => {
  const created = await admin<{ key: string }>(gw, "POST", "/api/keys", {
    name: "stored-chat",
    mcp_inject: true,
    mcp_servers: ["memory"],
  });
  assert.equal(created.status, 201);
  const stored = created.json.key;
  mock.reset();
  const oai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: stored, maxRetries: 0 });
  await oai.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] });
  const names = openAIToolNames(mock);
  assert.ok(names.includes("memory__read_graph"), names.join());
  assert.ok(!names.some((n) => n.startsWith("everything__")), "its mcp_servers apply");
  const refused = await postAs(gw, "/mcp", stored, INIT, MCP_HEADERS);
  assert.equal(refused.status, 403);

  const { status, json } = await admin<KeyView[]>(gw, "GET", "/api/keys");
  assert.equal(status, 200);
  const by = new Map(json.map((k) => [k.name, k]));
  assert.equal(by.get("chat")?.mcp_inject, true);
  assert.deepEqual(by.get("both")?.mcp_inject, { also_serve_mcp: true });
  assert.equal(by.get("stored-chat")?.mcp_inject, true);
  assert.equal(by.get("test")?.mcp_inject, null);
});

test("tool_mode search: the injected tools are the meta tools, and execute runs them through the gate", async () => {
  mock.reset();
  const oai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: SEARCH_KEY, maxRetries: 0 });
  await oai.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] });
  const names = openAIToolNames(mock);
  assert.deepEqual(names, ["gatehouse__search_tools", "gatehouse__describe_tool", "gatehouse__call_tool"]);

  const exec = (name: string, args: Json) =>
    postAs(gw, "/v1/tools/execute", SEARCH_KEY, {
      tool_call: { id: "c", type: "function", function: { name, arguments: JSON.stringify(args) } },
    });
  const found = await exec("gatehouse__search_tools", { query: "echo a message back" });
  assert.match(String(found.json.content), /everything__echo/);
  const ran = await exec("gatehouse__call_tool", {
    name: "everything__echo",
    arguments: { message: "via search" },
  });
  assert.equal(ran.json.content, "Echo: via search");
  const denied = await exec("gatehouse__call_tool", { name: "everything__get-env", arguments: {} });
  assert.match(String(denied.json.content), /everything__get-env is not available/);
});
