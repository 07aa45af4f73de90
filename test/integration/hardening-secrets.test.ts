// Security properties not covered elsewhere: approvals raised on every path to an `ask` tool;
// secrets never in logs, config, exports, errors, upstream requests or the data folder; owner-only
// files; stdio servers only added by an authenticated admin. The shared gateway:
// test/helpers/hardening-gateway.ts.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import Database from "better-sqlite3";
import { exportConfig } from "../../gateway/src/config/export.js";
import { parseConfig } from "../../gateway/src/config/load.js";
import { SqliteStore } from "../../gateway/src/store/sqlite.js";
import { TEST_KEY } from "../helpers/gateway.js";
import {
  call,
  chatBody,
  gw,
  LIMITED,
  mock,
  resultText,
  SECRET_A,
  SECRET_O,
  SECRET_URL,
  session,
  useHardeningGateway,
} from "../helpers/hardening-gateway.js";
import { waitFor } from "../helpers/mcp.js";

useHardeningGateway();

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
    // A key made and revoked through the API: its plaintext is shown once, then kept nowhere.
    const made = await gw.gateway.keys.create("made-then-revoked");
    assert.equal(
      (await call("POST", "/anthropic/v1/messages", { key: made.key, body: chatBody })).status,
      200,
    );
    await gw.gateway.keys.revoke("made-then-revoked");
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

    const secrets = [SECRET_A, SECRET_O, SECRET_URL, TEST_KEY, LIMITED, gw.gateway.admin.token, made.key];
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
