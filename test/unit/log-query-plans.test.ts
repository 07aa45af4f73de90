// How SQLite runs the admin logs' key filters (GET /api/logs/tools?key=NAME, /api/logs?key=NAME,
// /api/approvals/log?key=NAME): through an index on the key name (migrations 018 and 019), reading
// only that key's rows newest first, not the whole table.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { approvalPageQuery, SqliteMcpStore } from "../../gateway/src/mcp/store.js";
import { openSqlite, SqliteStore } from "../../gateway/src/store/sqlite.js";
import { logPageQuery } from "../../gateway/src/store/sqlite-logs-filter.js";
import { requestLogRow, toolCallLogRow } from "../helpers/log-rows.js";

const dir = mkdtempSync(join(tmpdir(), "gatehouse-query-plans-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** SQLite's plan of a statement, one detail line per step. */
function plan(db: ReturnType<typeof openSqlite>, sql: string, params: unknown[]): string[] {
  const rows = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>;
  return rows.map((r) => r.detail);
}

test("the tool-call log filtered by key name reads that key's rows through an index, newest first", async () => {
  const store = SqliteStore.open(dir);
  const t0 = Date.UTC(2026, 10, 1);
  const busy = Array.from({ length: 500 }, (_, i) => toolCallLogRow({ ts: t0 + i, keyName: "busy" }));
  const rare = [1, 2, 3].map((i) =>
    toolCallLogRow({ ts: t0 + 100 * i + 1, keyName: "rare", keyId: "store-id" }),
  );
  await store.logs.writeBatch({ requests: [], toolCalls: [...busy, ...rare], spend: [] });
  const page = await store.logs.queryToolCalls({ keyName: "rare", limit: 2 });
  assert.deepEqual(
    page.rows.map((r) => r.ts),
    [t0 + 301, t0 + 201],
    "the key's newest rows, in order",
  );
  await store.close();

  const db = openSqlite(dir);
  try {
    const columns = "id, ts, key_name";
    for (const q of [
      { keyName: "rare" },
      { keyName: "rare", from: t0, to: t0 + 1000 },
      { keyName: "rare", cursor: page.nextCursor },
    ]) {
      const { sql, params } = logPageQuery("tool_calls", q, columns, 50);
      const steps = plan(db, sql, params);
      assert.ok(
        steps.some((s) => s.startsWith("SEARCH tool_calls USING INDEX tool_calls_key_name_ts (key_name=?")),
        `${JSON.stringify(q)}: ${steps.join(" | ")}`,
      );
      assert.ok(!steps.some((s) => s.startsWith("SCAN tool_calls")), steps.join(" | "));
      // Newest first comes from the index: no sort of the key's rows (at most ties on ts).
      assert.ok(!steps.includes("USE TEMP B-TREE FOR ORDER BY"), steps.join(" | "));
    }
  } finally {
    db.close();
  }
});

test("the request log filtered by key name (GET /api/logs?key=NAME) reads that key's rows through an index, newest first", async () => {
  const store = SqliteStore.open(dir);
  const t0 = Date.UTC(2026, 10, 2);
  const busy = Array.from({ length: 500 }, (_, i) => requestLogRow({ ts: t0 + i, keyName: "busy" }));
  const rare = [1, 2, 3].map((i) => requestLogRow({ ts: t0 + 100 * i + 1, keyName: "rare" }));
  await store.logs.writeBatch({ requests: [...busy, ...rare], toolCalls: [], spend: [] });
  const page = await store.logs.queryRequests({ keyName: "rare", limit: 2 });
  assert.deepEqual(
    page.rows.map((r) => r.ts),
    [t0 + 301, t0 + 201],
  );
  await store.close();
  const db = openSqlite(dir);
  try {
    for (const q of [
      { keyName: "rare" },
      { keyName: "rare", from: t0, to: t0 + 1000 },
      { keyName: "rare", cursor: page.nextCursor },
    ]) {
      const { sql, params } = logPageQuery("request_logs", q, "id, ts, key_name", 50);
      const steps = plan(db, sql, params);
      assert.ok(
        steps.some((s) =>
          s.startsWith("SEARCH request_logs USING INDEX request_logs_key_name_ts (key_name=?"),
        ),
        `${JSON.stringify(q)}: ${steps.join(" | ")}`,
      );
      assert.ok(!steps.some((s) => s.startsWith("SCAN request_logs")), steps.join(" | "));
      assert.ok(!steps.includes("USE TEMP B-TREE FOR ORDER BY"), steps.join(" | "));
    }
  } finally {
    db.close();
  }
});

test("the approval log filtered by key name (GET /api/approvals/log?key=NAME) reads that key's entries through an index, newest first", async () => {
  const store = SqliteStore.open(dir);
  const approvals = new SqliteMcpStore(store.db);
  const entry = (id: string, keyName: string, requestedAt: number) => ({
    id,
    server: "files",
    tool: "write_file",
    keyName,
    sessionId: null,
    arguments: "{}",
    reason: "the tool's policy is ask",
    requestedAt,
    answer: "deny",
    decidedBy: "admin-api",
    decidedAt: requestedAt + 5,
  });
  for (let i = 0; i < 300; i++) await approvals.recordApproval(entry(`busy-${i}`, "busy", 1000 + i));
  for (const i of [1, 2, 3]) await approvals.recordApproval(entry(`rare-${i}`, "rare", 1000 + 100 * i + 1));
  const page = await approvals.listApprovals({ key: "rare", limit: 2 });
  assert.deepEqual(
    page.rows.map((r) => r.id),
    ["rare-3", "rare-2"],
  );
  try {
    for (const q of [
      { key: "rare", limit: 50 },
      { key: "rare", limit: 50, cursor: page.nextCursor },
    ]) {
      const { sql, params } = approvalPageQuery(q);
      const steps = plan(store.db, sql, params);
      assert.ok(
        steps.some((s) => s.startsWith("SEARCH a USING INDEX mcp_approvals_key_name (key_name=?")),
        `${JSON.stringify(q)}: ${steps.join(" | ")}`,
      );
      assert.ok(!steps.some((s) => s.startsWith("SCAN a")), steps.join(" | "));
      assert.ok(!steps.includes("USE TEMP B-TREE FOR ORDER BY"), steps.join(" | "));
    }
  } finally {
    await store.close();
  }
});
