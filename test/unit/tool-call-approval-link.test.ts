// The link between an approval log entry and its tool call (migration 016) on a database that
// existed before it: the old rows read as unlinked (null both ways), new rows link both ways.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { SqliteMcpStore } from "../../gateway/src/mcp/store.js";
import { openSqlite, SqliteStore } from "../../gateway/src/store/sqlite.js";
import { toolCallLogRow } from "../helpers/log-rows.js";

const dir = mkdtempSync(join(tmpdir(), "gatehouse-approval-link-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const approval = (id: string, requestedAt: number) => ({
  id,
  server: "files",
  tool: "write_file",
  keyName: "k",
  sessionId: null,
  arguments: "{}",
  reason: "the tool's policy is ask",
  requestedAt,
  answer: "allow_once",
  decidedBy: "admin-api",
  decidedAt: requestedAt + 5,
});

test("a database from before migration 016 keeps its rows, unlinked; new rows link both ways", async () => {
  const old = openSqlite(dir);
  // Back to the schema before 016, with an approval and its call as that gateway wrote them.
  old.exec(
    "DROP INDEX tool_calls_by_approval; ALTER TABLE tool_calls DROP COLUMN approval_id; DELETE FROM schema_migrations WHERE version = 16;",
  );
  old
    .prepare(
      `INSERT INTO tool_calls (id, ts, key_id, key_name, server, tool, latency_ms, status, decision)
       VALUES ('old-call', 1000, 'config:k', 'k', 'files', 'write_file', 3, 'ok', 'ask')`,
    )
    .run();
  await new SqliteMcpStore(old).recordApproval(approval("old-approval", 1000));
  old.close();

  const store = SqliteStore.open(dir);
  const approvals = new SqliteMcpStore(store.db);
  await approvals.recordApproval(approval("new-approval", 2000));
  await store.logs.writeBatch({
    requests: [],
    toolCalls: [toolCallLogRow({ id: "new-call", ts: 2000, approvalId: "new-approval", decision: "ask" })],
    spend: [],
  });

  assert.equal((await store.logs.getToolCall("old-call"))?.approvalId, null);
  assert.equal((await store.logs.getToolCall("new-call"))?.approvalId, "new-approval");
  const rows = (await approvals.listApprovals({ limit: 10 })).rows;
  assert.deepEqual(
    rows.map((r) => [r.id, r.toolCallId]),
    [
      ["new-approval", "new-call"],
      ["old-approval", null],
    ],
  );
  await store.close();
});
