import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startGateway, TEST_KEY, type TestGateway } from "../helpers/gateway.js";
import { mcpPost, serverBin, toyServer, waitReady } from "../helpers/mcp.js";

// The /mcp transport on the wire (gateway/src/mcp/http-transport.ts): JSON answers for quick
// requests, SSE when a request produces notifications or takes long, batches, the GET stream,
// header checks, and tools/list reuse until a list changes.

let gw: TestGateway;
const VERSION = "2025-11-25";

/** A raw POST to /mcp with the test key; in a session (`sid`), with its protocol version. */
const post = (body: unknown, sid?: string, headers: Record<string, string> = {}) =>
  mcpPost(gw.url, TEST_KEY, body, { session: sid ?? null, ...(sid ? { version: VERSION } : {}), headers });

/** The JSON-RPC messages of an SSE body, in order. */
function events(text: string): Array<Record<string, unknown>> {
  return text
    .split("\n\n")
    .flatMap((block) => block.split("\n").filter((l) => l.startsWith("data: ")))
    .map((l) => JSON.parse(l.slice(6)) as Record<string, unknown>);
}

async function open(): Promise<string> {
  const init = await post({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: VERSION, capabilities: {}, clientInfo: { name: "raw", version: "1" } },
  });
  assert.equal(init.status, 200, init.text);
  assert.match(init.type, /^application\/json/);
  const sid = init.session;
  assert.ok(sid);
  assert.equal((await post({ jsonrpc: "2.0", method: "notifications/initialized" }, sid)).status, 202);
  return sid;
}

const call = (id: number, name: string, args: Record<string, unknown>, meta?: Record<string, unknown>) => ({
  jsonrpc: "2.0",
  id,
  method: "tools/call",
  params: { name, arguments: args, ...(meta ? { _meta: meta } : {}) },
});

before(async () => {
  gw = await startGateway({
    mcp_servers: {
      everything: { command: serverBin("everything"), args: ["stdio"], policy: "allow" },
      toy: { ...toyServer, tools: { "rug-pull": "allow", peek: "allow", hang: "allow" } },
    },
  });
  await waitReady(gw.gateway, ["everything", "toy"]);
});

after(async () => {
  await gw?.close();
});

describe("/mcp transport", () => {
  test("a quick request is answered with plain JSON and the session id", async () => {
    const sid = await open();
    const r = await post(call(2, "everything__echo", { message: "json" }), sid);
    assert.equal(r.status, 200);
    assert.match(r.type, /^application\/json/);
    assert.equal(r.session, sid);
    const body = JSON.parse(r.text) as { id: number; result: { content: Array<{ text: string }> } };
    assert.equal(body.id, 2);
    assert.equal(body.result.content[0]?.text, "Echo: json");
  });

  test("progress turns the answer into an SSE stream: every notification, then the result", async () => {
    const sid = await open();
    const r = await post(
      call(
        3,
        "everything__trigger-long-running-operation",
        { duration: 0.2, steps: 3 },
        { progressToken: "p" },
      ),
      sid,
    );
    assert.match(r.type, /^text\/event-stream/);
    const msgs = events(r.text);
    assert.deepEqual(
      msgs.map((m) =>
        m.method ? `${m.method}:${(m.params as { progress: number }).progress}` : `id:${m.id}`,
      ),
      ["notifications/progress:1", "notifications/progress:2", "notifications/progress:3", "id:3"],
    );
  });

  test("an answer that takes long comes as SSE (headers go out before the result)", async () => {
    const sid = await open();
    const r = await post(
      call(4, "everything__trigger-long-running-operation", { duration: 0.4, steps: 1 }),
      sid,
    );
    assert.match(r.type, /^text\/event-stream/);
    const msgs = events(r.text);
    assert.equal(msgs.length, 1);
    assert.equal(msgs[0]?.id, 4);
  });

  test("a batch is answered in request order; notifications alone get 202", async () => {
    const sid = await open();
    const r = await post(
      [
        call(10, "everything__trigger-long-running-operation", { duration: 0.05, steps: 1 }),
        call(11, "everything__echo", { message: "second" }),
      ],
      sid,
    );
    assert.equal(r.status, 200);
    const body = JSON.parse(r.text) as Array<{ id: number }>;
    assert.deepEqual(
      body.map((m) => m.id),
      [10, 11],
    );
    const n = await post(
      { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 99 } },
      sid,
    );
    assert.equal(n.status, 202);
    assert.equal(n.text, "");
  });

  test("Accept, Content-Type, JSON-RPC shape and a second initialize are checked", async () => {
    const sid = await open();
    const list = { jsonrpc: "2.0", id: 5, method: "tools/list" };
    assert.equal((await post(list, sid, { accept: "application/json" })).status, 406);
    assert.equal((await post(list, sid, { "content-type": "text/plain" })).status, 415);
    const bad = await post({ jsonrpc: "1.0", id: 6, method: "tools/list" }, sid);
    assert.equal(bad.status, 400);
    assert.equal((JSON.parse(bad.text) as { error: { code: number } }).error.code, -32700);
    const again = await post(
      {
        jsonrpc: "2.0",
        id: 7,
        method: "initialize",
        params: { protocolVersion: VERSION, capabilities: {}, clientInfo: { name: "raw", version: "1" } },
      },
      sid,
    );
    assert.equal(again.status, 400);
    assert.match(again.text, /already initialized/);
  });

  test("the GET stream: one per session, and it carries list_changed", async () => {
    const sid = await open();
    const headers = {
      accept: "text/event-stream",
      authorization: `Bearer ${TEST_KEY}`,
      "mcp-session-id": sid,
      "mcp-protocol-version": VERSION,
    };
    const noAccept = await fetch(`${gw.url}/mcp`, { headers: { ...headers, accept: "application/json" } });
    assert.equal(noAccept.status, 406);
    await noAccept.text();
    const controller = new AbortController();
    const stream = await fetch(`${gw.url}/mcp`, { headers, signal: controller.signal });
    assert.equal(stream.status, 200);
    assert.match(stream.headers.get("content-type") ?? "", /^text\/event-stream/);
    const second = await fetch(`${gw.url}/mcp`, { headers });
    assert.equal(second.status, 409);
    await second.text();
    const reader = stream.body!.getReader();
    await gw.gateway.mcp.setPolicy("toy", "note", "deny");
    let seen = "";
    while (!seen.includes("notifications/tools/list_changed")) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += new TextDecoder().decode(value);
    }
    controller.abort();
    assert.match(seen, /notifications\/tools\/list_changed/);
    await gw.gateway.mcp.setPolicy("toy", "note", null);
  });

  test("tools/list is reused until a list changes, then made anew", async () => {
    const sid = await open();
    const list = async (id: number) => {
      const r = await post({ jsonrpc: "2.0", id, method: "tools/list" }, sid);
      const body = JSON.parse(r.text) as {
        id: number;
        result: { tools: Array<{ name: string; description?: string }> };
      };
      assert.equal(body.id, id);
      return body.result.tools;
    };
    const first = await list(20);
    assert.deepEqual(await list(21), first);
    const peek = (tools: Array<{ name: string; description?: string }>) =>
      tools.find((t) => t.name === "toy__peek")?.description;
    assert.equal(peek(first), "Reads something.");
    const r = await post(call(22, "toy__rug-pull", {}), sid);
    assert.match(r.text, /changed/);
    let now = await list(23);
    for (let i = 0; i < 50 && peek(now) === "Reads something."; i++) {
      await new Promise((res) => setTimeout(res, 50));
      now = await list(24 + i);
    }
    assert.match(peek(now) ?? "", /id_rsa/, "the changed definition is listed");
  });

  test("DELETE ends the session; a request still waiting gets a JSON-RPC error, not a hang", async () => {
    const sid = await open();
    const pending = post(call(30, "toy__hang", {}), sid);
    await new Promise((r) => setTimeout(r, 300));
    const del = await fetch(`${gw.url}/mcp`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${TEST_KEY}`, "mcp-session-id": sid },
    });
    assert.equal(del.status, 200);
    const r = await pending;
    const msgs = r.type.startsWith("text/event-stream") ? events(r.text) : [JSON.parse(r.text)];
    assert.equal((msgs[0] as { error?: { code: number } }).error?.code, -32000);
  });
});
