// The approvals part of the admin API as the UI's Approvals page and the tray's dialog use it,
// through a real gateway with real MCP servers from npm (everything, memory) and the toy fixture,
// and the real SDK client on /mcp: requests withdrawn when their server stops, the decision log
// (arguments as JSON, paging, filters) and the "allow for this session" grants.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type {
  AdminStreamEvent,
  ApprovalAnswerValue,
  ApprovalLogEntry,
  ApprovalView,
  LogPageView,
  Problem,
  SessionGrantEvent,
  SessionGrantsRevoked,
  SessionGrantView,
} from "../../gateway/src/admin/contract.js";
import { adminJson, approvalEvents, openEvents } from "../helpers/admin-api.js";
import { FAKE_GHP, fakeToken } from "../helpers/fake-secrets.js";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import {
  connectClient,
  serverBin,
  type TestClient,
  textOf,
  toyServer,
  waitFor,
  waitReady,
} from "../helpers/mcp.js";

let gw: TestGateway;
let dir: string;
const clients: TestClient[] = [];
const T = { timeout: 60_000 };

async function client(): Promise<TestClient> {
  const c = await connectClient(gw.url, gw.key);
  clients.push(c);
  return c;
}

const api = <R = unknown>(method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  adminJson<R>(gw, method, path, body, headers);

/** The pending request of `server`'s `tool` (waits for it to show up). */
const pendingOf = (server: string, tool: string) =>
  waitFor(async () =>
    (await api<ApprovalView[]>("GET", "/api/approvals")).json.find(
      (r) => r.server === server && r.tool === tool,
    ),
  );

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "gh-admin-approvals-"));
  gw = await startGateway({
    mcp_servers: {
      everything: {
        command: serverBin("everything"),
        args: ["stdio"],
        policy: "allow",
        tools: { "get-sum": "ask", echo: "ask" },
      },
      memory: {
        command: serverBin("memory"),
        env: { MEMORY_FILE_PATH: join(dir, "memory.jsonl") },
        policy: "ask",
      },
      toy: { ...toyServer, tools: { note: "ask" } },
    },
    mcp: { approval_timeout_ms: 30_000 },
  });
  await waitReady(gw.gateway, ["everything", "memory", "toy"]);
});

after(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await gw?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("admin API: approval routes", () => {
  test("need the admin token, and are in the OpenAPI document", async () => {
    for (const [method, path] of [
      ["GET", "/api/approvals/grants"],
      ["DELETE", "/api/approvals/grants?session=x"],
      ["DELETE", "/api/approvals/grants/x"],
      ["GET", "/api/approvals/log"],
    ] as const) {
      const r = await fetch(`${gw.url}${path}`, { method, headers: { authorization: `Bearer ${gw.key}` } });
      assert.equal(r.status, 401, `${method} ${path}`);
    }
    const doc = await api<{ paths: Record<string, Record<string, unknown>> }>("GET", "/api/openapi.json");
    assert.ok(
      doc.json.paths["/api/approvals/grants"]?.get && doc.json.paths["/api/approvals/grants"]?.delete,
    );
    assert.ok(doc.json.paths["/api/approvals/grants/{id}"]?.delete);
    assert.ok(doc.json.paths["/api/approvals/log"]?.get);
  });
});

describe("admin API: approvals whose server stops", () => {
  test(
    "turning the server off withdraws its waiting request: gone from the API, the client told why",
    T,
    async () => {
      const events = await openEvents(gw, "?types=approval");
      const c = await client();
      const call = c.client.callTool({ name: "memory__read_graph", arguments: {} });
      const pending = await pendingOf("memory", "read_graph");
      await waitFor(() => approvalEvents(events.events, pending.id).length > 0);
      try {
        assert.equal((await api("POST", "/api/mcp/servers/memory/disable")).status, 200);
        const refused = await call;
        assert.equal(refused.isError, true);
        assert.equal(
          textOf(refused),
          "Gatehouse: the approval request for memory__read_graph was withdrawn because MCP server memory was turned off; the tool did not run.",
        );
        assert.equal((await api("GET", `/api/approvals/${pending.id}`)).status, 404);
        assert.ok(
          !(await api<ApprovalView[]>("GET", "/api/approvals")).json.some((r) => r.id === pending.id),
        );
        const late = await api<Problem>("POST", `/api/approvals/${pending.id}`, { answer: "allow_once" });
        assert.equal(late.status, 404, "it can no longer be answered");
        const decided = await waitFor(() =>
          approvalEvents(events.events, pending.id).find((e) => e.type === "decided"),
        );
        assert.deepEqual(
          [decided.decision?.answer, decided.decision?.decidedBy],
          ["cancelled", "server-disabled"],
        );
      } finally {
        events.close();
        await api("POST", "/api/mcp/servers/memory/enable");
        await waitReady(gw.gateway, ["memory"]);
      }
    },
  );

  test(
    "a restart withdraws the requests waiting on the stopped process; other servers' stay",
    T,
    async () => {
      const c = await client();
      const note = c.client.callTool({ name: "toy__note", arguments: { text: "x" } });
      const sum = c.client.callTool({ name: "everything__get-sum", arguments: { a: 1, b: 2 } });
      const pending = await pendingOf("toy", "note");
      const other = await pendingOf("everything", "get-sum");
      assert.equal((await api("POST", "/api/mcp/servers/toy/restart")).status, 200);
      const refused = await note;
      assert.match(
        textOf(refused),
        /^Gatehouse: the approval request for toy__note was withdrawn because MCP server toy was restarted/,
      );
      assert.equal((await api("GET", `/api/approvals/${pending.id}`)).status, 404);
      assert.equal(
        (await api("GET", `/api/approvals/${other.id}`)).status,
        200,
        "another server's request stays",
      );
      assert.equal((await api("POST", `/api/approvals/${other.id}`, { answer: "allow_once" })).status, 200);
      assert.match(textOf(await sum), /\b3\b/);
      await waitReady(gw.gateway, ["toy"]);
    },
  );

  test("removing a server added through the API withdraws its waiting request", T, async () => {
    const add = await api("POST", "/api/mcp/servers", {
      name: "notes",
      command: serverBin("memory"),
      env: { MEMORY_FILE_PATH: join(dir, "notes.jsonl") },
      policy: "ask",
    });
    assert.equal(add.status, 201);
    await waitReady(gw.gateway, ["notes"]);
    const c = await client();
    const call = c.client.callTool({ name: "notes__read_graph", arguments: {} });
    const pending = await pendingOf("notes", "read_graph");
    assert.equal((await api("DELETE", "/api/mcp/servers/notes")).status, 200);
    assert.match(textOf(await call), /withdrawn because MCP server notes was removed; the tool did not run/);
    assert.equal((await api("GET", `/api/approvals/${pending.id}`)).status, 404);
  });
});

/** Calls `name` with `args` and answers its approval request through the API; the call's result. */
async function answered(
  c: TestClient,
  name: string,
  args: Record<string, unknown>,
  answer: ApprovalAnswerValue,
) {
  const call = c.client.callTool({ name, arguments: args });
  const pending = await waitFor(async () =>
    (await api<ApprovalView[]>("GET", "/api/approvals")).json.find(
      (r) => r.exposedName === name && JSON.stringify(r.arguments) === JSON.stringify(args),
    ),
  );
  assert.equal((await api("POST", `/api/approvals/${pending.id}`, { answer })).status, 200);
  return { id: pending.id, result: await call };
}

type LogPage = LogPageView<ApprovalLogEntry>;

describe("admin API: the approval log", () => {
  test("arguments come as JSON; pages follow nextCursor; server, tool and answer filter", T, async () => {
    const c = await client();
    const big = "x".repeat(9000);
    const ids: string[] = [];
    for (const [message, answer] of [
      ["one", "allow_once"],
      ["two", "deny"],
      ["three", "allow_once"],
      [big, "deny"],
    ] as const)
      ids.push((await answered(c, "everything__echo", { message }, answer)).id);
    const rowsOf = async (query: string) => {
      const r = await api<LogPage>("GET", `/api/approvals/log?${query}`);
      assert.equal(r.status, 200, JSON.stringify(r.json));
      return r.json;
    };
    // Recorded as the answer is given: wait until the last one is in.
    await waitFor(async () => (await rowsOf("tool=echo")).rows.some((e) => e.id === ids[3]));

    const first = await rowsOf("server=everything&tool=echo&limit=3");
    assert.equal(first.rows.length, 3);
    assert.ok(first.nextCursor, "more to come");
    const second = await rowsOf(
      `server=everything&tool=echo&limit=3&cursor=${encodeURIComponent(first.nextCursor!)}`,
    );
    assert.equal(second.nextCursor, null, "the last page");
    const all = [...first.rows, ...second.rows];
    assert.deepEqual(
      all.map((e) => e.id).sort(),
      [...ids].sort(),
      "each decision once, across the two pages",
    );
    const times = all.map((e) => Date.parse(e.requestedAt));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
      "newest first",
    );

    const byId = new Map(all.map((e) => [e.id, e]));
    assert.deepEqual(byId.get(ids[0]!)?.arguments, { message: "one" });
    assert.equal(byId.get(ids[0]!)?.argumentsCut, null);
    const cut = byId.get(ids[3]!)!;
    assert.equal(cut.arguments, null, "longer than 8 KiB: kept cut, so not JSON");
    assert.ok(cut.argumentsCut?.startsWith('{"message":"xxx'));
    assert.ok(cut.argumentsCut!.length < 9000);

    const denied = await rowsOf("tool=echo&answer=deny");
    assert.deepEqual(denied.rows.map((e) => e.id).sort(), [ids[1], ids[3]].sort());
    assert.deepEqual((await rowsOf("server=memory&tool=echo")).rows, []);

    for (const [query, detail] of [
      ["cursor=nonsense", /^cursor: not a nextCursor/],
      [`cursor=${encodeURIComponent(first.nextCursor!)}x`, /^cursor: not a nextCursor/],
      ["answer=maybe", /^answer:/],
      ["limit=0", /^limit:/],
      ["limit=501", /^limit: at most 500/],
      ["colour=red", /unknown query parameter "colour"/],
    ] as const) {
      const r = await api<Problem>("GET", `/api/approvals/log?${query}`);
      assert.equal(r.status, 400, query);
      assert.match(r.json.detail, detail, query);
    }
  });
});

describe("admin API: the approval log keeps no secret", () => {
  test(
    "arguments are redacted as the tool-call log's are (a key in a value, a secret-named field)",
    T,
    async () => {
      const c = await client();
      const args = { message: `deploy with ${FAKE_GHP}`, api_key: fakeToken("local", 24) };
      const { id } = await answered(c, "everything__echo", args, "deny");
      const row = await waitFor(async () =>
        (await api<LogPage>("GET", "/api/approvals/log?tool=echo&answer=deny")).json.rows.find(
          (e) => e.id === id,
        ),
      );
      const text = JSON.stringify(row);
      assert.ok(!text.includes(FAKE_GHP) && !text.includes(args.api_key), text);
      assert.deepEqual(row.arguments, { message: "deploy with [REDACTED]", api_key: "[REDACTED]" });
    },
  );
});

describe("admin API: the approval log follows the key's content mode", () => {
  test("a key with content: off leaves no entry (its tool calls leave no row either)", T, async () => {
    const made = await api<{ key: string }>("POST", "/api/keys", { name: "quiet-approvals", content: "off" });
    assert.equal(made.status, 201, JSON.stringify(made.json));
    const quiet = await connectClient(gw.url, made.json.key);
    clients.push(quiet);
    const hidden = await answered(quiet, "everything__echo", { message: "not for the log" }, "allow_once");
    // Answered after it, by a key with content: metadata: once that is in, the first would be too.
    const shown = await answered(
      await client(),
      "everything__echo",
      { message: "for the log" },
      "allow_once",
    );
    const rows = await waitFor(async () => {
      const page = (await api<LogPage>("GET", "/api/approvals/log?tool=echo&limit=500")).json;
      return page.rows.some((e) => e.id === shown.id) ? page.rows : undefined;
    });
    assert.deepEqual(rows.find((e) => e.id === shown.id)?.arguments, { message: "for the log" });
    assert.equal(
      rows.find((e) => e.id === hidden.id),
      undefined,
      "content: off writes no log rows for the key, its approvals' arguments included",
    );
    assert.ok(!JSON.stringify(rows).includes("not for the log"));
  });
});

const grantEvents = (events: AdminStreamEvent[], id: string): SessionGrantEvent[] =>
  events.flatMap((e) => (e.event === "session_grant" && e.data.grant.id === id ? [e.data] : []));

const grantsOf = async (sessionId: string) =>
  (await api<SessionGrantView[]>("GET", `/api/approvals/grants?session=${sessionId}`)).json;

describe("admin API: allow-for-this-session grants", () => {
  test("an allow_session answer is listed as a grant; revoking it makes the tool ask again", T, async () => {
    const events = await openEvents(gw, "?types=session_grant");
    const c = await client();
    const sessionId = c.transport.sessionId!;
    const first = await answered(c, "everything__get-sum", { a: 1, b: 1 }, "allow_session");
    assert.match(textOf(first.result), /\b2\b/);
    // Granted: the next call runs without asking.
    assert.match(
      textOf(await c.client.callTool({ name: "everything__get-sum", arguments: { a: 2, b: 2 } })),
      /\b4\b/,
    );

    const [grant, ...more] = await grantsOf(sessionId);
    assert.deepEqual(more, []);
    assert.deepEqual(
      [grant?.sessionId, grant?.keyName, grant?.server, grant?.tool, grant?.grantedBy],
      [sessionId, "test", "everything", "get-sum", "admin-api"],
    );
    assert.ok(Date.parse(grant!.grantedAt) > 0);
    const all = (await api<SessionGrantView[]>("GET", "/api/approvals/grants")).json;
    assert.ok(all.some((g) => g.id === grant!.id));
    assert.deepEqual((await api("GET", "/api/approvals/grants?key=nobody")).json, []);
    assert.equal((await api("GET", "/api/approvals/grants?colour=red")).status, 400);
    const made = await waitFor(() => grantEvents(events.events, grant!.id).find((e) => e.type === "granted"));
    assert.deepEqual([made.by, made.grant], ["admin-api", grant]);

    // Another session of the same key is not covered by it.
    const other = await client();
    await answered(other, "everything__get-sum", { a: 5, b: 5 }, "allow_once");

    const revoked = await api<SessionGrantsRevoked>("DELETE", `/api/approvals/grants/${grant!.id}`);
    assert.equal(revoked.status, 200);
    assert.deepEqual(revoked.json, { revoked: [grant] });
    assert.equal((await api<Problem>("DELETE", `/api/approvals/grants/${grant!.id}`)).status, 404);
    assert.deepEqual(await grantsOf(sessionId), []);
    const ended = await waitFor(() =>
      grantEvents(events.events, grant!.id).find((e) => e.type === "revoked"),
    );
    assert.equal(ended.by, "admin-api");

    // The next call in that session asks again.
    const again = await answered(c, "everything__get-sum", { a: 3, b: 3 }, "deny");
    assert.equal(again.result.isError, true);
    assert.match(textOf(again.result), /a person denied this call/);
    events.close();
  });

  test(
    "every grant of a session is revoked at once; a session that ends takes its grants along",
    T,
    async () => {
      const events = await openEvents(gw, "?types=session_grant");
      const c = await client();
      const sessionId = c.transport.sessionId!;
      await answered(c, "everything__get-sum", { a: 1, b: 2 }, "allow_session");
      await answered(c, "everything__echo", { message: "granted" }, "allow_session");
      assert.deepEqual((await grantsOf(sessionId)).map((g) => g.tool).sort(), ["echo", "get-sum"]);

      const missing = await api<Problem>("DELETE", "/api/approvals/grants");
      assert.equal(missing.status, 400);
      assert.match(missing.json.detail, /^session: required/);
      const all = await api<SessionGrantsRevoked>("DELETE", `/api/approvals/grants?session=${sessionId}`);
      assert.equal(all.status, 200);
      assert.deepEqual(all.json.revoked.map((g) => g.tool).sort(), ["echo", "get-sum"]);
      assert.deepEqual(await grantsOf(sessionId), []);
      const echo = await answered(c, "everything__echo", { message: "asks again" }, "deny");
      assert.equal(echo.result.isError, true);

      const d = await client();
      await answered(d, "everything__echo", { message: "until the end" }, "allow_session");
      const [held] = await grantsOf(d.transport.sessionId!);
      assert.ok(held);
      await d.transport.terminateSession();
      const gone = await waitFor(() => grantEvents(events.events, held.id).find((e) => e.type === "revoked"));
      assert.equal(gone.by, "session-ended");
      assert.deepEqual(await grantsOf(held.sessionId), []);
      events.close();
    },
  );
});
