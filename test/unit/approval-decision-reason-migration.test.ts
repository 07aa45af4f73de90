// Why the gateway withdrew an approval request, kept in the approval log (migration 019): on a
// database from before it, old entries keep their rows and read with the words for their
// decidedBy; new entries keep the reason as the decision said it, across a reopen (a restart).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { approvalLogView } from "../../gateway/src/admin/views-mcp.js";
import { SqliteMcpStore } from "../../gateway/src/mcp/store.js";
import { openSqlite, SqliteStore } from "../../gateway/src/store/sqlite.js";

const dir = mkdtempSync(join(tmpdir(), "gatehouse-decision-reason-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const entry = (id: string, requestedAt: number, answer: string, decidedBy: string) => ({
  id,
  server: "files",
  tool: "write_file",
  keyName: "k",
  sessionId: null,
  arguments: "{}",
  reason: "the tool's policy is ask",
  requestedAt,
  answer,
  decidedBy,
  decidedAt: requestedAt + 5,
});

test("a database from before migration 019: old entries read with the words for decidedBy, new ones keep their reason", async () => {
  const old = openSqlite(dir);
  old.exec(
    "DROP INDEX request_logs_key_name_ts; DROP INDEX mcp_approvals_key_name; ALTER TABLE mcp_approvals DROP COLUMN decision_reason; DELETE FROM schema_migrations WHERE version = 19;",
  );
  // Entries as that gateway wrote them.
  const insert = old.prepare(
    `INSERT INTO mcp_approvals (id, server, tool, key_name, session_id, arguments, reason, requested_at,
       answer, decided_by, decided_at) VALUES (?, 'files', 'write_file', 'k', NULL, '{}', 'ask', ?, ?, ?, ?)`,
  );
  insert.run("old-crashed", 1000, "cancelled", "server-crashed", 1005);
  insert.run("old-answered", 1001, "allow_once", "admin-api", 1006);
  old.close();

  let store = SqliteStore.open(dir);
  const why = "MCP server files crashed and could not be started again (last error: ENOENT)";
  await new SqliteMcpStore(store.db).recordApproval({
    ...entry("new-crashed", 2000, "cancelled", "server-crashed"),
    decisionReason: why,
  });
  await store.close();
  // Reopened, as after a restart.
  store = SqliteStore.open(dir);
  try {
    const rows = (await new SqliteMcpStore(store.db).listApprovals({ limit: 10 })).rows.map(approvalLogView);
    assert.deepEqual(
      rows.map((r) => [r.id, r.decisionReason]),
      [
        ["new-crashed", why],
        ["old-answered", null],
        ["old-crashed", "MCP server files crashed and could not be started again in time"],
      ],
    );
  } finally {
    await store.close();
  }
});
