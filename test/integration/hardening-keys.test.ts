// Security properties of keys not covered elsewhere: revoked and expired keys on every route (MCP
// included, mid-session too); a key's model and MCP restrictions with no way around them
// (pass-through with a duplicated model, count_tokens, /mcp/<server>, resources and prompts,
// session reuse). The shared gateway: test/helpers/hardening-gateway.ts.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { TEST_KEY } from "../helpers/gateway.js";
import {
  call,
  chatBody,
  gw,
  initialize,
  type Json,
  LIMITED,
  mock,
  ROUTES,
  refusedAs,
  resultText,
  session,
  toolNames,
  useHardeningGateway,
} from "../helpers/hardening-gateway.js";
import { waitFor } from "../helpers/mcp.js";

useHardeningGateway();

describe("revoked and expired keys", () => {
  test("are refused on every route, in every header, in the route's format; nothing goes upstream", async () => {
    // A key cannot be created already expired: this one expires a moment after it is made.
    const expired = await gw.gateway.keys.create("expired", Date.now() + 150);
    await new Promise((ok) => setTimeout(ok, 200));
    const revoked = await gw.gateway.keys.create("revoked");
    assert.equal(
      (await call("POST", "/anthropic/v1/messages", { key: revoked.key, body: chatBody })).status,
      200,
    );
    await gw.gateway.keys.revoke("revoked");
    mock.reset();
    for (const key of [expired.key, revoked.key]) {
      const headers: Array<Record<string, string>> = [
        { authorization: `Bearer ${key}` },
        { "x-api-key": key },
        { "x-gatehouse-key": key },
      ];
      for (const header of headers) {
        for (const r of ROUTES) {
          const a = await call(r.method, r.path, { body: r.body, headers: header });
          assert.equal(a.status, 401, `${r.method} ${r.path} ${Object.keys(header)[0]}: ${a.text}`);
          assert.ok(refusedAs(r.format, a), `${r.path}: ${a.text}`);
          assert.ok(!a.text.includes(key), "the key is not echoed");
        }
      }
    }
    assert.equal(mock.hits, 0, "no refused request reached the provider");
  });

  test("a key that expires during an MCP session is refused at the session's next request", async () => {
    const expiresAt = Date.now() + 1500;
    const k = await gw.gateway.keys.create("expiring", expiresAt);
    const s = await session(k.key, "/mcp/toy");
    assert.equal((await s.rpc("tools/list")).status, 200);
    await waitFor(() => Date.now() > expiresAt + 20, 5000, "the key to expire");
    assert.equal((await s.rpc("tools/list")).status, 401);
    assert.equal((await s.rpc("tools/call", { name: "peek", arguments: { text: "x" } })).status, 401);
    const stream = await call("GET", "/mcp/toy", { key: k.key, headers: s.headers });
    assert.equal(stream.status, 401);
    assert.equal((await call("DELETE", "/mcp/toy", { key: k.key, headers: s.headers })).status, 401);
  });
});

describe("a key's restrictions hold on every route", () => {
  test("pass-through: a duplicated model key is refused before anything is forwarded", async () => {
    mock.reset();
    const msgs = JSON.stringify(chatBody.messages);
    const cases: Array<[string, string]> = [
      [
        "/anthropic/v1/messages",
        `{"model":"claude-opus-4","model":"claude-haiku-4","max_tokens":16,"messages":${msgs}}`,
      ],
      [
        "/anthropic/v1/messages",
        `{"\\u006dodel":"claude-opus-4","model":"claude-haiku-4","max_tokens":16,"messages":${msgs}}`,
      ],
      [
        "/anthropic/v1/messages/count_tokens",
        `{"model":"claude-opus-4","model":"claude-haiku-4","messages":${msgs}}`,
      ],
      ["/v1/chat/completions", `{"model":"gpt-big","model":"gpt-mini","messages":${msgs}}`],
    ];
    for (const [path, body] of cases) {
      const a = await call("POST", path, { key: LIMITED, body });
      assert.equal(a.status, 400, `${path}: ${a.text}`);
      assert.match(a.text, /appears twice/);
    }
    assert.equal(mock.hits, 0);
    // Without the duplicate the allowed model passes and the forbidden one is refused.
    assert.equal(
      (await call("POST", "/anthropic/v1/messages", { key: LIMITED, body: chatBody })).status,
      200,
    );
    const opus = await call("POST", "/anthropic/v1/messages", {
      key: LIMITED,
      body: { ...chatBody, model: "claude-opus-4" },
    });
    assert.equal(opus.status, 403);
    const forwarded = mock.requests.map((r) => r.body).join("\n");
    assert.ok(!forwarded.includes("claude-opus-4"), "the forbidden model never reached the provider");
  });

  test("MCP: tools, resources and prompts of a server the key may not see are out of reach on every path", async () => {
    const s = await session(LIMITED, "/mcp");
    const tools = toolNames((await s.rpc("tools/list")).msg);
    assert.deepEqual(tools, ["toy__peek"]);
    const echo = await s.rpc("tools/call", { name: "everything__echo", arguments: { message: "x" } });
    assert.ok((echo.msg?.result as Json | undefined)?.isError || echo.msg?.error, echo.text);
    assert.doesNotMatch(echo.text, /Echo: x/);
    const note = await s.rpc("tools/call", { name: "toy__note", arguments: { text: "x" } });
    assert.match(resultText(note.msg), /not allowed for this key/);

    const resources = (await s.rpc("resources/list")).msg;
    assert.deepEqual((resources?.result as Json | undefined)?.resources ?? [], [], JSON.stringify(resources));
    const templates = (await s.rpc("resources/templates/list")).msg;
    assert.deepEqual((templates?.result as Json | undefined)?.resourceTemplates ?? [], []);
    const read = await s.rpc("resources/read", { uri: "demo://resource/static/document/architecture.md" });
    assert.ok(read.msg?.error, `resources/read of a hidden server: ${read.text.slice(0, 200)}`);
    const prompts = (await s.rpc("prompts/list")).msg;
    assert.deepEqual((prompts?.result as Json | undefined)?.prompts ?? [], []);
    const prompt = await s.rpc("prompts/get", { name: "everything__simple-prompt" });
    assert.ok(prompt.msg?.error, prompt.text.slice(0, 200));
    const complete = await s.rpc("completion/complete", {
      ref: { type: "ref/prompt", name: "everything__complex_prompt" },
      argument: { name: "temperature", value: "0" },
    });
    assert.ok(complete.msg?.error, complete.text.slice(0, 200));
  });

  test("MCP: /mcp/<server> of a hidden server does not open; the allowed one keeps the tool filter", async () => {
    const hidden = await call("POST", "/mcp/everything", { key: LIMITED, body: initialize });
    assert.equal(hidden.status, 404, hidden.text);
    assert.match(hidden.text, /no MCP server named/);
    const toy = await session(LIMITED, "/mcp/toy");
    const tools = toolNames((await toy.rpc("tools/list")).msg);
    assert.deepEqual(tools, ["peek"]);
    assert.match(
      resultText((await toy.rpc("tools/call", { name: "note", arguments: { text: "x" } })).msg),
      /not allowed for this key/,
    );
    assert.equal(
      resultText((await toy.rpc("tools/call", { name: "peek", arguments: { text: "ok" } })).msg),
      "peeked: ok",
    );
  });

  test("MCP: a session opened by one key answers no other key, on /mcp and on /mcp/<server>", async () => {
    for (const path of ["/mcp", "/mcp/everything"]) {
      const s = await session(TEST_KEY, path);
      assert.equal((await s.rpc("tools/list")).status, 200);
      const other = await s.rpc("tools/list", undefined, LIMITED);
      assert.equal(other.status, 404, `${path}: ${other.text}`);
      const stream = await call("GET", path, { key: LIMITED, headers: s.headers });
      assert.equal(stream.status, 404);
      assert.equal((await call("DELETE", path, { key: LIMITED, headers: s.headers })).status, 404);
      assert.equal((await s.rpc("tools/list")).status, 200, "the owner's session is untouched");
    }
  });
});
