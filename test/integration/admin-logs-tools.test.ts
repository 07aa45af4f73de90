// GET /api/logs/tools/{id}: one MCP tool call with what a detail pane shows, through a real MCP
// client and the toy server: arguments as JSON (redacted), the result kept for content: full keys,
// the approval of an ask (who answered, how long the call waited), and a 404 problem for none.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import type {
  ApprovalView,
  LogPageView,
  Problem,
  ToolCallDetail,
  ToolCallEvent,
  ToolCallView,
  ToolSeriesView,
} from "../../gateway/src/admin/contract.js";
import { adminFetch, openEvents } from "../helpers/admin-api.js";
import { fakeToken } from "../helpers/fake-secrets.js";
import { startGateway, TEST_KEY, type TestGateway } from "../helpers/gateway.js";
import { connectClient, type TestClient, toyServer, waitFor, waitReady } from "../helpers/mcp.js";

const FULL = "gk-full-content-tools-key-000000000000000000";
const T = { timeout: 60_000 };

describe("GET /api/logs/tools/{id}", () => {
  let gw: TestGateway;
  let full: TestClient;
  let plain: TestClient;

  before(async () => {
    gw = await startGateway({
      virtual_keys: [
        { name: "test", key: TEST_KEY },
        { name: "full", key: FULL, content: "full" },
      ],
      mcp_servers: { toy: toyServer },
      mcp: { approval_timeout_ms: 30_000 },
    });
    await waitReady(gw.gateway, ["toy"]);
    full = await connectClient(gw.url, FULL);
    plain = await connectClient(gw.url, TEST_KEY);
  });
  after(async () => {
    await full?.close().catch(() => undefined);
    await plain?.close().catch(() => undefined);
    await gw?.close();
  });

  const api = async <R>(path: string, method = "GET", body?: unknown) => {
    const res = await adminFetch(gw.url, gw.gateway.admin.token, method, path, body);
    return { status: res.status, type: res.headers.get("content-type"), json: (await res.json()) as R };
  };
  /** The detail of the newest logged call of `tool` by `key`. */
  const detailOf = async (key: string, tool: string): Promise<ToolCallDetail> => {
    await gw.gateway.logs.flush();
    const page = await api<LogPageView<ToolCallView>>(`/api/logs/tools?key=${key}&tool=${tool}&limit=1`);
    const row = page.json.rows[0];
    assert.ok(row, `a ${tool} call of ${key} is logged`);
    const res = await api<ToolCallDetail>(`/api/logs/tools/${row.id}`);
    assert.equal(res.status, 200);
    assert.equal(res.json.id, row.id);
    return res.json;
  };
  /** Answers the next approval request with `answer` once it is pending. */
  const answer = async (answer: string) => {
    const pending = await waitFor(async () => (await api<ApprovalView[]>("/api/approvals")).json[0]);
    assert.equal((await api(`/api/approvals/${pending.id}`, "POST", { answer })).status, 200);
  };

  test("content: full: arguments and result as JSON values, secrets redacted", T, async () => {
    const secret = fakeToken("sk-ant-api03-", 40);
    await full.client.callTool({ name: "toy__peek", arguments: { text: `look ${secret}` } });
    const d = await detailOf("full", "peek");
    assert.deepEqual(
      [d.server, d.tool, d.keyName, d.status, d.decision],
      ["toy", "peek", "full", "ok", "allow"],
    );
    assert.deepEqual(d.arguments, { text: "look sk-ant-[REDACTED]" });
    assert.deepEqual(d.result, { content: [{ type: "text", text: "peeked: look sk-ant-[REDACTED]" }] });
    assert.equal(d.approval, null, "peek is allowed by its policy: nobody was asked");
    assert.equal(d.error, null);
    assert.ok(d.resultBytes !== null && d.resultBytes > 0);
    assert.ok(!JSON.stringify(d).includes(secret));
  });

  test("a key without content: full keeps no result, only its size", T, async () => {
    await plain.client.callTool({ name: "toy__peek", arguments: { text: "quiet" } });
    const d = await detailOf("test", "peek");
    assert.deepEqual(d.arguments, { text: "quiet" });
    assert.equal(d.result, null);
    assert.ok(d.resultBytes !== null && d.resultBytes > 0);
  });

  test(
    "an ask a person allowed: the approval says who answered and how long the call waited",
    T,
    async () => {
      const call = full.client.callTool({ name: "toy__note", arguments: { text: "memo" } });
      await answer("allow_once");
      await call;
      const d = await detailOf("full", "note");
      assert.deepEqual([d.status, d.decision, d.decidedBy], ["ok", "ask", "admin-api"]);
      assert.ok(d.approval);
      assert.deepEqual([d.approval.answer, d.approval.decidedBy], ["allow_once", "admin-api"]);
      assert.ok(d.approval.waitedMs >= 0);
      assert.ok(Date.parse(d.approval.decidedAt) >= Date.parse(d.approval.requestedAt));
      assert.match(d.approval.reason, /\w/);
      assert.deepEqual(d.result, { content: [{ type: "text", text: "noted: memo" }] });
    },
  );

  test("an ask a person denied: denied, the approval's answer, no result", T, async () => {
    const call = full.client.callTool({ name: "toy__note", arguments: { text: "nope" } });
    await answer("deny");
    await call;
    const d = await detailOf("full", "note");
    assert.deepEqual([d.status, d.decision, d.error], ["denied", "ask", "deny"]);
    assert.equal(d.approval?.answer, "deny");
    assert.equal(d.approval?.decisionReason, null, "a person's answer is no withdrawal");
    assert.equal(d.result, null);
    assert.deepEqual(d.arguments, { text: "nope" });
  });

  test(
    "an ask's latencyMs is the call's own time: the wait for the answer is the approval's waitedMs",
    T,
    async () => {
      const WAIT = 1500;
      const stream = await openEvents(gw, "?types=tool_call");
      try {
        const call = full.client.callTool({ name: "toy__note", arguments: { text: "slow answer" } });
        const pending = await waitFor(async () => (await api<ApprovalView[]>("/api/approvals")).json[0]);
        await sleep(WAIT); // a person takes their time
        assert.equal(
          (await api(`/api/approvals/${pending.id}`, "POST", { answer: "allow_once" })).status,
          200,
        );
        await call;
        const d = await detailOf("full", "note");
        assert.ok(d.approval);
        assert.ok(d.approval.waitedMs >= WAIT, `waited ${d.approval.waitedMs} ms`);
        // The toy tool answers at once: its latency is far below the wait.
        assert.ok(d.latencyMs < WAIT / 2, `latency ${d.latencyMs} ms`);
        const event = await waitFor(async () => {
          const e = stream.events.find((x) => x.event === "tool_call" && x.data.id === d.id);
          return e?.data as ToolCallEvent | undefined;
        });
        assert.equal(event.latencyMs, d.latencyMs, "the live event says the same");
        const spend = await api<ToolSeriesView>(`/api/spend/tools?key=full&tool=note&bucket=hour`);
        const avg = spend.json.totals.avgLatencyMs;
        assert.ok(avg !== null && avg < WAIT / 2, `avgLatencyMs ${avg}`);
      } finally {
        stream.close();
      }
    },
  );

  test("an unknown id is a 404 problem", async () => {
    const res = await api<Problem>("/api/logs/tools/no-such-call");
    assert.equal(res.status, 404);
    assert.equal(res.type, "application/problem+json");
    assert.match(res.json.detail, /no tool call log entry "no-such-call"/);
  });

  test(
    "an always answer the database fails to store: the call runs once, the tool asks again, the row names its approval",
    T,
    async () => {
      const db = new Database(join(gw.dataDir, "gatehouse.db"));
      db.exec(`CREATE TRIGGER refuse_policy BEFORE INSERT ON mcp_tool_policies
             BEGIN SELECT RAISE(ABORT, 'disk says no'); END`);
      try {
        const call = full.client.callTool({ name: "toy__note", arguments: { text: "for ever" } });
        const pending = await waitFor(async () => (await api<ApprovalView[]>("/api/approvals")).json[0]);
        assert.equal((await api(`/api/approvals/${pending.id}`, "POST", { answer: "always" })).status, 200);
        const result = (await call) as { isError?: boolean };
        assert.notEqual(result.isError, true, "the person allowed it: the call ran");
        const d = await detailOf("full", "note");
        assert.deepEqual([d.status, d.decision, d.decidedBy], ["ok", "ask", "admin-api"]);
        assert.equal(d.approvalId, pending.id, "the row names the approval request");
        assert.equal(d.approval?.answer, "always");
        // Not stored, so not remembered: the next call asks again (memory matches the database).
        const again = full.client.callTool({ name: "toy__note", arguments: { text: "again" } });
        const next = await waitFor(async () => (await api<ApprovalView[]>("/api/approvals")).json[0]);
        assert.equal((await api(`/api/approvals/${next.id}`, "POST", { answer: "deny" })).status, 200);
        assert.equal(((await again) as { isError?: boolean }).isError, true);
      } finally {
        db.exec("DROP TRIGGER refuse_policy");
        db.close();
      }
    },
  );
});
