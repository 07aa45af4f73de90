// Log retention against a real SQLite store: by age, by row count, in small steps, with the
// full-text index kept in step; the timer; and through a running gateway's settings.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, beforeEach, describe, test } from "node:test";
import { parseConfig } from "../../gateway/src/config/load.js";
import { SqliteMcpStore } from "../../gateway/src/mcp/store.js";
import type { RequestLogRow, ToolCallRow } from "../../gateway/src/store/log-store.js";
import { pruneOnce, startRetention } from "../../gateway/src/store/retention.js";
import { SqliteStore } from "../../gateway/src/store/sqlite.js";
import { startGateway, TEST_KEY, type TestGateway } from "../helpers/gateway.js";
import { requestLogRow } from "../helpers/log-rows.js";

const DAY = 86_400_000;
const NOW = Date.parse("2026-06-15T12:00:00Z");

function requestRow(ts: number, words?: string): RequestLogRow {
  if (!words) return requestLogRow({ ts });
  return requestLogRow({
    ts,
    requestBody: JSON.stringify({ messages: [{ role: "user", content: words }] }),
    responseBody: "ok",
    search: { prompt: words, response: "ok" },
  });
}

function toolRow(ts: number): ToolCallRow {
  return {
    id: randomUUID(),
    ts,
    keyId: "config:k",
    keyName: "k",
    team: null,
    sessionId: null,
    server: "s",
    tool: "t",
    arguments: null,
    resultBytes: 1,
    latencyMs: 1,
    status: "ok",
    error: null,
    decision: "allow",
    decidedBy: "policy",
    approval: null,
    approvalId: null,
    result: null,
  };
}

/** An answered approval (the approval log, mcp_approvals) requested at `ts`. */
async function addApproval(store: SqliteStore, ts: number): Promise<void> {
  await new SqliteMcpStore(store.db).recordApproval({
    id: randomUUID(),
    server: "s",
    tool: "t",
    keyName: "k",
    sessionId: null,
    arguments: '{"path":"notes.txt"}',
    reason: "policy ask",
    requestedAt: ts,
    answer: "allow_once",
    decidedBy: "admin-api",
    decidedAt: ts + 1000,
  });
}

describe("log retention", () => {
  let dir: string;
  let store: SqliteStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "gatehouse-retention-"));
    store = SqliteStore.open(dir);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const count = (table: string) =>
    (store.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

  test("rows older than log_retention_days go, in steps; newer ones and spend stay", async () => {
    const requests = Array.from({ length: 120 }, (_, i) => requestRow(NOW - (i < 70 ? 40 : 5) * DAY + i));
    const tools = Array.from({ length: 30 }, (_, i) => toolRow(NOW - (i < 10 ? 31 : 1) * DAY));
    await store.logs.writeBatch({
      requests,
      toolCalls: tools,
      spend: [{ scope: "key:config:k", bucket: NOW - 40 * DAY, usd: 1, tokens: 2, requests: 3 }],
    });
    for (let i = 0; i < 40; i++) await addApproval(store, NOW - (i < 25 ? 31 : 1) * DAY + i);
    const out = await pruneOnce(
      store.logs,
      { log_retention_days: 30, log_max_rows: 0 },
      { now: NOW, stepRows: 16 },
    );
    assert.deepEqual(out, { requests: 70, toolCalls: 10, approvals: 25 });
    assert.equal(count("request_logs"), 50);
    assert.equal(count("tool_calls"), 20);
    assert.equal(count("mcp_approvals"), 15, "the approval log is kept as long as the others");
    assert.equal(count("spend_buckets"), 1, "budgets still see old spend");
  });

  test("log_max_rows keeps the newest rows of each table", async () => {
    await store.logs.writeBatch({
      requests: Array.from({ length: 50 }, (_, i) => requestRow(NOW - i * 1000)),
      toolCalls: Array.from({ length: 8 }, (_, i) => toolRow(NOW - i * 1000)),
      spend: [],
    });
    for (let i = 0; i < 15; i++) await addApproval(store, NOW - i * 1000);
    const out = await pruneOnce(
      store.logs,
      { log_retention_days: 0, log_max_rows: 10 },
      { now: NOW, stepRows: 7 },
    );
    assert.deepEqual(out, { requests: 40, toolCalls: 0, approvals: 5 });
    const kept = store.db.prepare("SELECT MIN(requested_at) FROM mcp_approvals").pluck().get();
    assert.equal(kept, NOW - 9 * 1000, "the newest approvals stayed");
    const left = (await store.logs.queryRequests({ limit: 100 })).rows;
    assert.equal(left.length, 10);
    assert.equal(Math.min(...left.map((r) => r.ts)), NOW - 9 * 1000, "the oldest went first");
    assert.deepEqual(await pruneOnce(store.logs, { log_retention_days: 0, log_max_rows: 0 }), {
      requests: 0,
      toolCalls: 0,
      approvals: 0,
    });
  });

  test("log_max_mb keeps the logs' share of the database under the cap, oldest rows first", async () => {
    // ~4 KB of prompt per row, 600 rows: a few MB.
    const words = (i: number) => `row${i} ${"lorem ipsum dolor sit amet ".repeat(150)}`;
    for (let b = 0; b < 6; b++)
      await store.logs.writeBatch({
        requests: Array.from({ length: 100 }, (_, i) =>
          requestRow(NOW - (600 - (b * 100 + i)) * 1000, words(b * 100 + i)),
        ),
        toolCalls: Array.from({ length: 10 }, (_, i) => toolRow(NOW - (60 - (b * 10 + i)) * 1000)),
        spend: [],
      });
    for (let i = 0; i < 60; i++) await addApproval(store, NOW - (60 - i) * 1000);
    const before = await store.logs.usedBytes();
    assert.ok(before > 2 * 1024 * 1024, `${before} bytes to start with`);
    const unlimited = { log_retention_days: 0, log_max_rows: 0, log_max_mb: 0 };
    assert.deepEqual(await pruneOnce(store.logs, unlimited, { now: NOW }), {
      requests: 0,
      toolCalls: 0,
      approvals: 0,
    });

    const out = await pruneOnce(store.logs, { ...unlimited, log_max_mb: 1 }, { now: NOW });
    const after = await store.logs.usedBytes();
    assert.ok(after <= 1024 * 1024, `${after} bytes in use after`);
    assert.ok(out.requests > 0 && out.requests < 600, `${out.requests} request rows went`);
    assert.equal((await store.logs.rowCounts()).requests, 600 - out.requests);
    assert.ok(out.approvals > 0, "the approval log's oldest entries go too");
    assert.equal((await store.logs.rowCounts()).approvals, 60 - out.approvals);
    const oldestApproval = store.db.prepare("SELECT MIN(requested_at) FROM mcp_approvals").pluck().get();
    assert.equal(oldestApproval, NOW - (60 - out.approvals) * 1000);
    const left = (await store.logs.queryRequests({ limit: 1000 })).rows;
    const oldestLeft = Math.min(...left.map((r) => r.ts));
    assert.equal(oldestLeft, NOW - (600 - out.requests) * 1000, "the oldest rows went, the newest stayed");
    assert.equal((await store.logs.queryRequests({ text: "row599" })).rows.length, 1, "still searchable");
    assert.equal(
      (await store.logs.queryRequests({ text: "row0" })).rows.length,
      0,
      "gone from the index too",
    );
  });

  test("a pruned row leaves the full-text index too", async () => {
    await store.logs.writeBatch({
      requests: [requestRow(NOW - 60 * DAY, "ancient wombat"), requestRow(NOW, "recent wombat")],
      toolCalls: [],
      spend: [],
    });
    assert.equal((await store.logs.queryRequests({ text: "wombat" })).rows.length, 2);
    await pruneOnce(store.logs, { log_retention_days: 30, log_max_rows: 0 }, { now: NOW });
    assert.equal((await store.logs.queryRequests({ text: "wombat" })).rows.length, 1);
    assert.equal((await store.logs.queryRequests({ text: "ancient" })).rows.length, 0);
    const fts = store.db.prepare("SELECT COUNT(*) AS n FROM request_search").get() as { n: number };
    assert.equal(fts.n, 1);
  });

  test("the timer runs retention with the settings in force, and stops", async () => {
    await store.logs.writeBatch({ requests: [requestRow(NOW - 40 * DAY)], toolCalls: [], spend: [] });
    let days = 0;
    const errors: unknown[] = [];
    const r = startRetention({
      store: store.logs,
      settings: () => ({ log_retention_days: days, log_max_rows: 0 }),
      clock: () => NOW,
      firstRunMs: 1,
      intervalMs: 20,
      onError: (e) => errors.push(e),
    });
    await new Promise((res) => setTimeout(res, 60));
    assert.equal(count("request_logs"), 1, "0 days keeps everything");
    days = 30; // a reload changes the settings: the next run applies them
    for (let i = 0; i < 50 && count("request_logs") > 0; i++) await new Promise((res) => setTimeout(res, 20));
    assert.equal(count("request_logs"), 0);
    await r.stop();
    assert.deepEqual(errors, []);
  });
});

describe("retention through a running gateway", () => {
  let gw: TestGateway;
  after(async () => {
    await gw?.close();
  });

  test("logs.prune() applies settings.log_retention_days and log_max_rows, also after a reload", async () => {
    gw = await startGateway({ settings: { log_retention_days: 7 } });
    const now = Date.now();
    await gw.gateway.logs.store.writeBatch({
      requests: [requestRow(now - 8 * DAY), requestRow(now - DAY), requestRow(now - 1000), requestRow(now)],
      toolCalls: [toolRow(now - 30 * DAY)],
      spend: [],
    });
    assert.deepEqual(await gw.gateway.logs.prune(), { requests: 1, toolCalls: 1, approvals: 0 });
    // A reload that changes retention applies it at once (not at the timer's next hour).
    await gw.gateway.reload(
      parseConfig({ virtual_keys: [{ name: "test", key: TEST_KEY }], settings: { log_max_rows: 2 } }),
    );
    const rows = async () => (await gw.gateway.logs.store.queryRequests({})).rows.length;
    for (let i = 0; i < 100 && (await rows()) > 2; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(await rows(), 2);
    assert.deepEqual(await gw.gateway.logs.prune(), { requests: 0, toolCalls: 0, approvals: 0 });
  });

  test("a retention setting changed through the admin API applies at once", async () => {
    await gw?.close();
    gw = await startGateway({ settings: { log_retention_days: 0 } });
    const now = Date.now();
    await gw.gateway.logs.store.writeBatch({
      requests: [requestRow(now - 8 * DAY), requestRow(now - 3 * DAY), requestRow(now)],
      toolCalls: [],
      spend: [],
    });
    const res = await fetch(`${gw.url}/api/settings`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${gw.gateway.admin.token}`, "content-type": "application/json" },
      body: JSON.stringify({ log_retention_days: 2 }),
    });
    assert.equal(res.status, 200, await res.text());
    const rows = async () => (await gw.gateway.logs.store.queryRequests({})).rows.length;
    for (let i = 0; i < 100 && (await rows()) > 1; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(await rows(), 1, "only the row of today is kept, without waiting for the hourly run");
  });
});
