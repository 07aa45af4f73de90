import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { ccFixture } from "../helpers/fixtures.js";
import { startGateway, TEST_KEY, type TestGateway } from "../helpers/gateway.js";
import { serverBin, waitReady } from "../helpers/mcp.js";

// /mcp rejections per the MCP spec (Origin, Host, key, protocol version, sessions), and a replay of
// the HTTP requests Claude Code really sends.

const OTHER_KEY = "gk-another-key-for-mcp-security-tests-00000000";
let gw: TestGateway;

const initialize = (id = 1) => ({
  jsonrpc: "2.0",
  id,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
});

async function send(
  method: string,
  body: unknown,
  headers: Record<string, string> = {},
  path = "/mcp",
): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(`${gw.url}${path}`, {
    method,
    headers: {
      accept: "application/json, text/event-stream",
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const auth = (key = TEST_KEY) => ({ authorization: `Bearer ${key}` });

/** Opens a session with a raw initialize + initialized; returns its id. */
async function openSession(key = TEST_KEY, path = "/mcp"): Promise<string> {
  const r = await send("POST", initialize(), auth(key), path);
  assert.equal(r.status, 200, r.text);
  const sid = r.headers.get("mcp-session-id");
  assert.ok(sid);
  const n = await send(
    "POST",
    { jsonrpc: "2.0", method: "notifications/initialized" },
    { ...auth(key), "mcp-session-id": sid, "mcp-protocol-version": "2025-11-25" },
    path,
  );
  assert.equal(n.status, 202);
  return sid;
}

function rpcError(text: string): { code: number; message: string } {
  const body = JSON.parse(text) as { jsonrpc: string; error: { code: number; message: string } };
  assert.equal(body.jsonrpc, "2.0");
  return body.error;
}

before(async () => {
  gw = await startGateway({
    virtual_keys: [
      { name: "test", key: TEST_KEY },
      { name: "other", key: OTHER_KEY },
    ],
    mcp_servers: { everything: { command: serverBin("everything"), args: ["stdio"] } },
  });
  await waitReady(gw.gateway, ["everything"]);
});

after(async () => {
  await gw?.close();
});

describe("/mcp security", () => {
  test("a missing or wrong key is 401 with a JSON-RPC error", async () => {
    const none = await send("POST", initialize());
    assert.equal(none.status, 401);
    assert.match(rpcError(none.text).message, /missing virtual key/);
    assert.match(none.headers.get("www-authenticate") ?? "", /^Bearer/);
    const wrong = await send("POST", initialize(), auth("gk-wrong"));
    assert.equal(wrong.status, 401);
    assert.match(rpcError(wrong.text).message, /invalid, revoked or expired/);
  });

  test("every request is authenticated, not only the first: a session id alone is not enough", async () => {
    const sid = await openSession();
    const list = { jsonrpc: "2.0", id: 2, method: "tools/list" };
    const noKey = await send("POST", list, { "mcp-session-id": sid });
    assert.equal(noKey.status, 401);
    const otherKey = await send("POST", list, { ...auth(OTHER_KEY), "mcp-session-id": sid });
    assert.equal(otherKey.status, 404, "a session answers only the key that opened it");
    const ok = await send("POST", list, { ...auth(), "mcp-session-id": sid });
    assert.equal(ok.status, 200);
    assert.match(ok.text, /everything__echo/);
  });

  test("a key revoked during a session stops working at the next request", async () => {
    const { key } = await gw.gateway.keys.create("short-lived");
    const sid = await openSession(key);
    await gw.gateway.keys.revoke("short-lived");
    const r = await send(
      "POST",
      { jsonrpc: "2.0", id: 2, method: "tools/list" },
      { ...auth(key), "mcp-session-id": sid },
    );
    assert.equal(r.status, 401);
  });

  test("a foreign Origin is 403 and a foreign Host is 403", async () => {
    const origin = await send("POST", initialize(), { ...auth(), origin: "http://evil.example" });
    assert.equal(origin.status, 403);
    assert.match(rpcError(origin.text).message, /origin "http:\/\/evil.example" is not allowed/);
    const own = await send("POST", initialize(), { ...auth(), origin: gw.url });
    assert.equal(own.status, 200, "the gateway's own origin is fine");
    const { request } = await import("node:http");
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${gw.url}/mcp`,
        {
          method: "POST",
          headers: { host: "evil.example:80", ...auth(), "content-type": "application/json" },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end(JSON.stringify(initialize()));
    });
    assert.equal(status, 403);
  });

  test("an unsupported MCP-Protocol-Version is 400", async () => {
    const sid = await openSession();
    const r = await send(
      "POST",
      { jsonrpc: "2.0", id: 3, method: "tools/list" },
      { ...auth(), "mcp-session-id": sid, "mcp-protocol-version": "1999-01-01" },
    );
    assert.equal(r.status, 400);
    assert.match(rpcError(r.text).message, /unsupported MCP-Protocol-Version "1999-01-01"/);
  });

  test("sessions: unknown id 404, DELETE ends one (then 404), no id 400", async () => {
    const unknown = await send(
      "POST",
      { jsonrpc: "2.0", id: 1, method: "tools/list" },
      {
        ...auth(),
        "mcp-session-id": "00000000-0000-4000-8000-000000000000",
      },
    );
    assert.equal(unknown.status, 404);
    assert.equal(rpcError(unknown.text).code, -32001);
    const sid = await openSession();
    const before = gw.gateway.mcp.sessionCount();
    const del = await send("DELETE", undefined, { ...auth(), "mcp-session-id": sid });
    assert.equal(del.status, 200);
    assert.equal(gw.gateway.mcp.sessionCount(), before - 1);
    const after = await send(
      "POST",
      { jsonrpc: "2.0", id: 2, method: "tools/list" },
      {
        ...auth(),
        "mcp-session-id": sid,
      },
    );
    assert.equal(after.status, 404);
    const noId = await send("POST", { jsonrpc: "2.0", id: 2, method: "tools/list" }, auth());
    assert.equal(noId.status, 400);
    const getNoId = await send("GET", undefined, { ...auth(), accept: "text/event-stream" });
    assert.equal(getNoId.status, 400);
  });

  test("bad requests: unknown server 404, PUT 405, malformed JSON 400 (-32700)", async () => {
    const unknown = await send("POST", initialize(), auth(), "/mcp/nosuch");
    assert.equal(unknown.status, 404);
    rpcError(unknown.text);
    const put = await send("PUT", initialize(), auth());
    assert.equal(put.status, 405);
    const bad = await send("POST", "{not json", auth());
    assert.equal(bad.status, 400);
    assert.equal(rpcError(bad.text).code, -32700);
  });

  test("Claude Code's recorded requests replay: initialize, initialized, tools/list, tools/call", async () => {
    const fixture = JSON.parse(
      readFileSync(ccFixture("mcp.http-requests.json"), "utf8").replace(
        /127\.0\.0\.1:PORT/g,
        new URL(gw.url).host,
      ),
    ) as {
      requests: Array<{
        method: string;
        headers: Record<string, string>;
        jsonrpc_method: string | null;
        params: unknown;
      }>;
    };
    let sid: string | undefined;
    let id = 0;
    for (const r of fixture.requests.slice(0, 9)) {
      if (r.method !== "POST") continue;
      const { "content-length": _len, host: _host, connection: _c, ...headers } = r.headers;
      headers.authorization = `Bearer ${TEST_KEY}`;
      if (sid && headers["mcp-session-id"]) headers["mcp-session-id"] = sid;
      const isNotification = r.jsonrpc_method?.startsWith("notifications/") ?? false;
      let params = r.params;
      if (r.jsonrpc_method === "tools/call")
        params = { ...(params as object), name: "everything__echo", arguments: { message: "nonce-42" } };
      const body = {
        jsonrpc: "2.0",
        ...(isNotification ? {} : { id: ++id }),
        method: r.jsonrpc_method,
        ...(params ? { params } : {}),
      };
      const res = await send("POST", body, headers);
      assert.ok(res.status === 200 || res.status === 202, `${r.jsonrpc_method}: ${res.status} ${res.text}`);
      if (r.jsonrpc_method === "initialize") sid = res.headers.get("mcp-session-id") ?? undefined;
      if (r.jsonrpc_method === "tools/list") assert.match(res.text, /everything__echo/);
      if (r.jsonrpc_method === "tools/call") assert.match(res.text, /Echo: nonce-42/);
    }
    assert.ok(sid);
  });
});
