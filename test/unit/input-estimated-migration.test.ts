// The mark on request log rows whose input count is an estimate (migration 017) on a database
// that existed before it: its rows read as the provider's counts (not estimated), and new rows
// keep the mark.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { requestLogView } from "../../gateway/src/admin/views-logs.js";
import { openSqlite, SqliteStore } from "../../gateway/src/store/sqlite.js";
import { requestLogRow } from "../helpers/log-rows.js";

const dir = mkdtempSync(join(tmpdir(), "gatehouse-input-estimated-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("a database from before migration 017 keeps its rows, not estimated; new rows carry the mark", async () => {
  const old = openSqlite(dir);
  // Back to the schema before 017, with a row as that gateway wrote it.
  old.exec(
    "ALTER TABLE request_logs DROP COLUMN input_estimated; DELETE FROM schema_migrations WHERE version = 17;",
  );
  old
    .prepare(
      `INSERT INTO request_logs (id, ts, key_id, key_name, surface, endpoint, requested_model, attempts, stream, status,
         input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_usd, latency_ms)
       VALUES ('old-row', 1000, 'config:k', 'k', 'openai', 'chat', 'm', 1, 1, 499, 1200, 0, 0, 0, 0, 0.5, 9)`,
    )
    .run();
  old.close();

  const store = SqliteStore.open(dir);
  try {
    await store.logs.writeBatch({
      requests: [requestLogRow({ id: "new-row", ts: 2000, status: 499, inputEstimated: true })],
      toolCalls: [],
      spend: [],
    });
    const oldRow = await store.logs.getRequest("old-row");
    assert.equal(oldRow?.inputTokens, 1200, "the old row is kept");
    assert.equal(oldRow?.inputEstimated, false);
    assert.equal((await store.logs.getRequest("new-row"))?.inputEstimated, true);
    const page = await store.logs.queryRequests({ limit: 10 });
    assert.deepEqual(
      page.rows.map((r) => [r.id, requestLogView(r).inputEstimated]),
      [
        ["new-row", true],
        ["old-row", false],
      ],
    );
  } finally {
    await store.close();
  }
});
