import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startGateway, TEST_KEY, type TestGateway } from "../helpers/gateway.js";
import { serverBin, toyServer, waitReady } from "../helpers/mcp.js";

// mcp.max_sessions_per_key: a client that opens sessions and never ends them (an agent loop, a
// buggy script) cannot grow the gateway's memory without bound; other keys are not affected.

const OTHER_KEY = "gk-another-key-for-the-session-limit-0000000";
const PROTOCOL = "2025-11-25";
let gw: TestGateway;

async function post(key: string, body: unknown, sid?: string): Promise<Response> {
  return fetch(`${gw.url}/mcp`, {
    method: "POST",
    headers: {
      accept: "application/json, text/event-stream",
      "content-type": "application/json",
      authorization: `Bearer ${key}`,
      ...(sid ? { "mcp-session-id": sid, "mcp-protocol-version": PROTOCOL } : {}),
    },
    body: JSON.stringify(body),
  });
}

async function open(key = TEST_KEY): Promise<string> {
  const r = await post(key, {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: "raw", version: "1" } },
  });
  assert.equal(r.status, 200, await r.clone().text());
  await r.text();
  const sid = r.headers.get("mcp-session-id");
  assert.ok(sid);
  const n = await post(key, { jsonrpc: "2.0", method: "notifications/initialized" }, sid);
  assert.equal(n.status, 202);
  await n.text();
  return sid;
}

/** tools/list in a session: its HTTP status. */
async function list(sid: string, key = TEST_KEY): Promise<number> {
  const r = await post(key, { jsonrpc: "2.0", id: 2, method: "tools/list" }, sid);
  await r.text();
  return r.status;
}

before(async () => {
  gw = await startGateway({
    virtual_keys: [
      { name: "test", key: TEST_KEY },
      { name: "other", key: OTHER_KEY },
    ],
    mcp: { max_sessions_per_key: 3 },
    mcp_servers: {
      everything: { command: serverBin("everything"), args: ["stdio"] },
      toy: { ...toyServer, tools: { hang: "allow" } },
    },
  });
  await waitReady(gw.gateway, ["everything", "toy"]);
});

after(async () => {
  await gw?.close();
});

describe("MCP sessions per key", () => {
  test("past the limit the key's least recently used session is closed; its client gets 404", async () => {
    const [a, b, c] = [await open(), await open(), await open()];
    assert.equal(await list(a), 200, "a is now the most recently used");
    const others = [await open(OTHER_KEY), await open(OTHER_KEY)];
    const d = await open();
    assert.equal(await list(b), 404, "b was the least recently used of the key's sessions");
    for (const sid of [a, c, d]) assert.equal(await list(sid), 200);
    for (const sid of others) assert.equal(await list(sid, OTHER_KEY), 200, "another key's sessions stay");
    assert.equal(gw.gateway.mcp.sessionCount(), 5);
  });

  test("when every session of the key has a stream open, a new one is refused with 429", async () => {
    const streams = new AbortController();
    try {
      // The key holds 3 sessions (the test above); open a GET stream on each.
      const mine: string[] = [];
      while (mine.length < 3) mine.push(await open());
      for (const sid of mine) {
        const r = await fetch(`${gw.url}/mcp`, {
          headers: {
            accept: "text/event-stream",
            authorization: `Bearer ${TEST_KEY}`,
            "mcp-session-id": sid,
            "mcp-protocol-version": PROTOCOL,
          },
          signal: streams.signal,
        });
        assert.equal(r.status, 200);
      }
      const r = await post(TEST_KEY, {
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: "raw", version: "1" } },
      });
      assert.equal(r.status, 429);
      const body = (await r.json()) as { error: { code: number; message: string } };
      assert.equal(body.error.code, -32000);
      assert.match(body.error.message, /Too many MCP sessions: key "test" holds 3, all in use/);
      for (const sid of mine) assert.equal(await list(sid), 200, "the streaming sessions go on");
      for (const sid of mine) {
        const del = await fetch(`${gw.url}/mcp`, {
          method: "DELETE",
          headers: { authorization: `Bearer ${TEST_KEY}`, "mcp-session-id": sid },
        });
        assert.equal(del.status, 200);
      }
    } finally {
      streams.abort();
    }
  });

  test("a session with a call still running is not the one closed, however long ago it began", async () => {
    const ended: string[] = [];
    while (ended.length < 3) ended.push(await open());
    const busy = ended[0]!;
    const [, b, c] = ended;
    const call = post(
      TEST_KEY,
      { jsonrpc: "2.0", id: 9, method: "tools/call", params: { name: "toy__hang", arguments: {} } },
      busy,
    );
    await new Promise((r) => setTimeout(r, 300)); // the call is running (it never answers)
    assert.equal(await list(b!), 200);
    assert.equal(await list(c!), 200);
    await open(); // the busy session is the least recently seen, but in use: b goes instead
    assert.equal(await list(b!), 404);
    assert.equal(await list(busy), 200, "the session running a call stays");
    const del = await fetch(`${gw.url}/mcp`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${TEST_KEY}`, "mcp-session-id": busy },
    });
    assert.equal(del.status, 200);
    await (await call).text().catch(() => undefined);
  });
});
