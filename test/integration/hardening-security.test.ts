// Security properties not covered elsewhere: revoked and expired keys on every route (MCP
// included, mid-session too); a key's model and MCP restrictions with no way around them
// (pass-through with a duplicated model, count_tokens, /mcp/<server>, resources and prompts,
// session reuse); approvals raised on every path to an `ask` tool; secrets never in logs, config,
// exports, errors, upstream requests or the data folder; owner-only files; stdio servers only
// added by an authenticated admin.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import Database from "better-sqlite3";
import { exportConfig } from "../../gateway/src/config/export.js";
import { parseConfig } from "../../gateway/src/config/load.js";
import { SqliteStore } from "../../gateway/src/store/sqlite.js";
import { startGateway, TEST_KEY, type TestGateway } from "../helpers/gateway.js";
import { serverBin, toyServer, waitFor, waitReady } from "../helpers/mcp.js";
import { type MockProvider, startMockProvider } from "../mocks/mock-provider.js";

const LIMITED = "gk-limited-key-for-hardening-security-0000000";
// Fake provider keys, built at run time so secret scanners do not mistake them for real ones.
const SECRET_A = ["sk-ant", "api03-hardening-provider-secret-AAAAAAAAAAAAAAAAAAAA"].join("-");
const SECRET_O = ["sk-proj", "hardening-provider-secret-from-env-BBBBBBBBBBBBBBBB"].join("-");
const SECRET_URL = "pw-in-a-url-CCCCCCCC";

let mock: MockProvider;
let gw: TestGateway;
const created: string[] = [];

type Json = Record<string, unknown>;
interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

async function call(
  method: string,
  path: string,
  opts: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const res = await fetch(`${gw.url}${path}`, {
    method,
    headers: {
      ...(opts.key ? { authorization: `Bearer ${opts.key}` } : {}),
      ...(opts.body === undefined ? {} : { "content-type": "application/json" }),
      accept: "application/json, text/event-stream",
      ...opts.headers,
    },
    ...(opts.body === undefined
      ? {}
      : { body: typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body) }),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const initialize = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "sec", version: "1" } },
};

/** A raw MCP session: initialize + initialized; returns a caller for later requests. */
async function session(key: string, path = "/mcp") {
  const init = await call("POST", path, { key, body: initialize });
  assert.equal(init.status, 200, `${path}: ${init.text}`);
  const sid = init.headers.get("mcp-session-id")!;
  const h = { "mcp-session-id": sid, "mcp-protocol-version": "2025-11-25" };
  const n = await call("POST", path, {
    key,
    headers: h,
    body: { jsonrpc: "2.0", method: "notifications/initialized" },
  });
  assert.equal(n.status, 202);
  let id = 10;
  return {
    sid,
    /** One JSON-RPC request; its response message (or the HTTP answer when refused). */
    async rpc(
      method: string,
      params?: unknown,
      as = key,
    ): Promise<{ status: number; msg?: Json; text: string }> {
      const r = await call("POST", path, {
        key: as,
        headers: h,
        body: { jsonrpc: "2.0", id: ++id, method, ...(params ? { params } : {}) },
      });
      if (r.status !== 200) return { status: r.status, text: r.text };
      const data = /^data: (.*)$/m.exec(r.text)?.[1] ?? r.text;
      return { status: r.status, msg: JSON.parse(data) as Json, text: r.text };
    },
    headers: h,
  };
}

const toolNames = (msg: Json | undefined) =>
  (((msg?.result as Json | undefined)?.tools as Array<{ name: string }> | undefined) ?? []).map(
    (t) => t.name,
  );

const resultText = (msg: Json | undefined) =>
  (((msg?.result as Json | undefined)?.content as Array<{ text: string }> | undefined) ?? [])
    .map((c) => c.text)
    .join("");

before(async () => {
  mock = await startMockProvider();
  gw = await startGateway(
    {
      virtual_keys: [
        { name: "test", key: TEST_KEY },
        {
          name: "limited",
          key: LIMITED,
          models: ["claude-haiku-*", "gpt-mini"],
          mcp_servers: ["toy"],
          mcp_tools: ["toy__peek"],
        },
      ],
      providers: {
        a: { type: "anthropic", base_url: mock.url, api_key: SECRET_A },
        o: { type: "openai", base_url: mock.url, api_key: "env:HARDENING_OPENAI_KEY" },
        u: { type: "openai-compatible", base_url: `http://user:${SECRET_URL}@127.0.0.1:9/v1` },
      },
      mcp_servers: {
        toy: toyServer,
        everything: { command: serverBin("everything"), args: ["stdio"] },
      },
      mcp: { approval_timeout_ms: 300 },
    },
    { HARDENING_OPENAI_KEY: SECRET_O },
  );
  await waitReady(gw.gateway, ["toy", "everything"]);
});

after(async () => {
  await gw?.close();
  await mock?.close();
});

const chatBody = { model: "claude-haiku-4", max_tokens: 16, messages: [{ role: "user", content: "hi" }] };

/** Every route that takes a virtual key, with the format its refusal must have. */
const ROUTES: Array<{
  method: string;
  path: string;
  body?: unknown;
  format: "anthropic" | "openai" | "jsonrpc";
}> = [
  { method: "POST", path: "/anthropic/v1/messages", body: chatBody, format: "anthropic" },
  { method: "POST", path: "/anthropic/v1/messages/count_tokens", body: chatBody, format: "anthropic" },
  { method: "GET", path: "/anthropic/v1/models", format: "anthropic" },
  {
    method: "POST",
    path: "/v1/chat/completions",
    body: { model: "gpt-mini", messages: chatBody.messages },
    format: "openai",
  },
  { method: "GET", path: "/v1/models", format: "openai" },
  { method: "POST", path: "/mcp", body: initialize, format: "jsonrpc" },
  { method: "POST", path: "/mcp/toy", body: initialize, format: "jsonrpc" },
  { method: "GET", path: "/mcp", format: "jsonrpc" },
  { method: "DELETE", path: "/mcp/toy", format: "jsonrpc" },
];

function refusedAs(format: string, a: Answer): boolean {
  const b = JSON.parse(a.text) as Json;
  const e = (b.error ?? {}) as Json;
  if (format === "anthropic") return b.type === "error" && e.type === "authentication_error";
  if (format === "openai") return !("type" in b) && e.type === "authentication_error";
  return b.jsonrpc === "2.0" && typeof e.code === "number";
}

describe("revoked and expired keys", () => {
  test("are refused on every route, in every header, in the route's format; nothing goes upstream", async () => {
    // A key cannot be created already expired: this one expires a moment after it is made.
    const expired = await gw.gateway.keys.create("expired", Date.now() + 150);
    await new Promise((ok) => setTimeout(ok, 200));
    const revoked = await gw.gateway.keys.create("revoked");
    created.push(expired.key, revoked.key);
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
    created.push(k.key);
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

describe("approvals", () => {
  test("an ask tool raises an approval on /mcp, /mcp/<server> and inside a batch; unanswered, it never runs", async () => {
    const raised: string[] = [];
    const onRequest = (r: { server: string; tool: string }) => raised.push(`${r.server}/${r.tool}`);
    gw.gateway.mcp.approvals.on("requested", onRequest);
    try {
      const s = await session(TEST_KEY, "/mcp");
      const a = await s.rpc("tools/call", { name: "toy__note", arguments: { text: "via /mcp" } });
      assert.match(resultText(a.msg), /needs a person's approval/);
      const scoped = await session(TEST_KEY, "/mcp/toy");
      const b = await scoped.rpc("tools/call", { name: "note", arguments: { text: "via /mcp/toy" } });
      assert.match(resultText(b.msg), /needs a person's approval/);
      const batch = await call("POST", "/mcp", {
        key: TEST_KEY,
        headers: s.headers,
        body: [
          {
            jsonrpc: "2.0",
            id: 501,
            method: "tools/call",
            params: { name: "toy__note", arguments: { text: "batch 1" } },
          },
          {
            jsonrpc: "2.0",
            id: 502,
            method: "tools/call",
            params: { name: "toy__note", arguments: { text: "batch 2" } },
          },
        ],
      });
      assert.equal(batch.status, 200, batch.text);
      assert.doesNotMatch(batch.text, /noted:/, "the tool did not run");
      assert.equal((batch.text.match(/needs a person's approval/g) ?? []).length, 2);
      assert.deepEqual(raised, ["toy/note", "toy/note", "toy/note", "toy/note"]);
    } finally {
      gw.gateway.mcp.approvals.off("requested", onRequest);
    }
  });
});

describe("secrets", () => {
  test("never in an answer, a log row, the live events, the config view, an export, an upstream request or the data folder", async () => {
    // The admin UI's live event stream, listening while the calls below are made.
    const live = new AbortController();
    const events = await fetch(`${gw.url}/api/events`, {
      headers: { authorization: `Bearer ${gw.gateway.admin.token}` },
      signal: live.signal,
    });
    let eventText = "";
    const reading = (async () => {
      try {
        for await (const chunk of events.body!) eventText += Buffer.from(chunk).toString();
      } catch {
        // aborted below
      }
    })();
    // An error from the provider that quotes the key it was given, and a stream that fails the same way.
    mock.script({ kind: "error", status: 401, message: `invalid x-api-key ${SECRET_A}` });
    const err = await call("POST", "/anthropic/v1/messages", {
      key: TEST_KEY,
      body: { ...chatBody, model: "a/claude-x" },
    });
    assert.equal(err.status, 401);
    mock.script({ kind: "stream-error", afterEvents: 2, message: `key ${SECRET_O} was revoked` });
    const streamed = await call("POST", "/anthropic/v1/messages", {
      key: TEST_KEY,
      body: { ...chatBody, model: "o/gpt-x", stream: true },
    });
    const toolArgs = { text: `password=${SECRET_A} and ${TEST_KEY}` };
    const s = await session(TEST_KEY, "/mcp");
    assert.equal((await s.rpc("tools/call", { name: "toy__peek", arguments: toolArgs })).status, 200);
    for (const a of [err, streamed]) {
      for (const secret of [SECRET_A, SECRET_O, TEST_KEY])
        assert.ok(!a.text.includes(secret), `answer: ${a.text}`);
    }
    await gw.gateway.logs.flush();
    await waitFor(() => (eventText.match(/event: request/g) ?? []).length >= 2, 5000, "two live events");
    live.abort();
    await reading;
    assert.match(eventText, /REDACTED/);
    for (const secret of [SECRET_A, SECRET_O])
      assert.ok(!eventText.includes(secret), `live event: ${eventText}`);

    const secrets = [SECRET_A, SECRET_O, SECRET_URL, TEST_KEY, LIMITED, gw.gateway.admin.token, ...created];
    const db = new Database(join(gw.dataDir, "gatehouse.db"), { readonly: true });
    try {
      const rows = JSON.stringify([
        db.prepare("SELECT * FROM request_logs").all(),
        db.prepare("SELECT * FROM tool_calls").all(),
      ]);
      assert.match(rows, /REDACTED/, "the secrets were there to redact");
      for (const secret of secrets)
        assert.ok(!rows.includes(secret), `a log row holds ${secret.slice(0, 12)}…`);
    } finally {
      db.close();
    }
    const config = await call("GET", "/api/config", { key: gw.gateway.admin.token });
    assert.equal(config.status, 200);
    for (const secret of secrets)
      assert.ok(!config.text.includes(secret), `/api/config holds ${secret.slice(0, 12)}…`);
    assert.match(config.text, /env:HARDENING_OPENAI_KEY/);

    const exported = exportConfig(
      parseConfig({
        virtual_keys: [{ name: "test", key: TEST_KEY }],
        providers: {
          a: { type: "anthropic", api_key: SECRET_A },
          u: { type: "openai-compatible", base_url: `http://user:${SECRET_URL}@127.0.0.1:9/v1` },
        },
      }),
    );
    for (const secret of [SECRET_A, SECRET_URL, TEST_KEY])
      assert.ok(!exported.yaml.includes(secret), `export holds ${secret}`);

    // The provider sees its own key, never a virtual key or the admin token.
    const upstream = JSON.stringify(mock.requests.map((r) => r.headers));
    for (const secret of [TEST_KEY, LIMITED, gw.gateway.admin.token]) assert.ok(!upstream.includes(secret));

    // The admin token file's neighbours (database, WAL, shared memory) hold none of them.
    for (const f of readdirSync(gw.dataDir)) {
      if (f === "admin-token") continue;
      const p = join(gw.dataDir, f);
      if (!statSync(p).isFile()) continue;
      const bytes = readFileSync(p).toString("latin1");
      for (const secret of secrets) assert.ok(!bytes.includes(secret), `${f} holds ${secret.slice(0, 12)}…`);
    }
  });

  test("files that hold secrets or logs are owner-only (0600), new or found with looser modes", () => {
    for (const f of ["admin-token", "gatehouse.db", "gatehouse.db-wal", "gatehouse.db-shm"]) {
      const mode = statSync(join(gw.dataDir, f)).mode & 0o777;
      assert.equal(mode.toString(8), "600", f);
    }
    assert.equal((statSync(gw.dataDir).mode & 0o077).toString(8), "0", "the data folder is owner-only");
    const dir = mkdtempSync(join(tmpdir(), "gatehouse-modes-"));
    try {
      writeFileSync(join(dir, "gatehouse.db"), "", { mode: 0o644 });
      const store = SqliteStore.open(dir);
      void store.close();
      assert.equal((statSync(join(dir, "gatehouse.db")).mode & 0o777).toString(8), "600");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("stdio servers are added only by an authenticated admin, from its own origin", async () => {
    const spec = { name: "evil", command: "sh", args: ["-c", "touch /tmp/gatehouse-pwned"] };
    const token = gw.gateway.admin.token;
    const tries: Array<[string, Record<string, string>, string | object, number]> = [
      ["no credentials", {}, spec, 401],
      ["a virtual key", { authorization: `Bearer ${TEST_KEY}` }, spec, 401],
      [
        "the token from a foreign origin",
        { authorization: `Bearer ${token}`, origin: "http://evil.example" },
        spec,
        403,
      ],
      [
        "the token, text/plain (a form post)",
        { authorization: `Bearer ${token}`, "content-type": "text/plain" },
        JSON.stringify(spec),
        415,
      ],
    ];
    for (const [label, headers, body, status] of tries) {
      const a = await call("POST", "/api/mcp/servers", { headers, body });
      assert.equal(a.status, status, `${label}: ${a.text}`);
    }
    const mcpTry = await call("POST", "/mcp", {
      key: TEST_KEY,
      body: { jsonrpc: "2.0", id: 1, method: "servers/add", params: spec },
    });
    assert.ok(mcpTry.status >= 400, "no MCP method adds a server");
    assert.equal(gw.gateway.mcp.server("evil"), undefined);
  });
});
