// The request_logs insert writes a client's steady strings (key, user agent, model, ...) into its
// statement as literals (store/sqlite-request-insert.ts): every row must be stored exactly as the
// statement that binds every value stores it, whatever those strings hold.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import fc from "fast-check";
import type { RequestLogRow } from "../../gateway/src/store/log-store.js";
import { openSqlite } from "../../gateway/src/store/sqlite.js";
import { REQUEST_COLUMNS, requestValues } from "../../gateway/src/store/sqlite-log-rows.js";
import { SqliteLogStore } from "../../gateway/src/store/sqlite-logs.js";
import { requestLogRow } from "../helpers/log-rows.js";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function freshDb() {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-insert-"));
  dirs.push(dir);
  return openSqlite(dir);
}

/** Every column of every row, with its SQLite type, in insertion order. */
function stored(db: ReturnType<typeof openSqlite>): unknown[] {
  const cols = REQUEST_COLUMNS.map((c) => `${c}, typeof(${c}) AS ${c}__type`).join(", ");
  return db.prepare(`SELECT ${cols} FROM request_logs ORDER BY rowid`).all();
}

const steadyText = fc.oneof(
  fc.constantFrom(
    "claude-cli/2.1.0 (external, cli)",
    "anthropic",
    "ant/m",
    "",
    "x'); DROP TABLE request_logs; --",
  ),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "grapheme", maxLength: 8 }),
  fc.string({ unit: "binary", maxLength: 8 }),
  fc.string({ minLength: 190, maxLength: 230 }),
  fc.constantFrom("a\u0000b", "'", "''", "\\", "é", "\ud800"),
);
const nullable = fc.option(steadyText, { nil: null });

const steadyRow = fc.record({
  keyId: steadyText,
  keyName: steadyText,
  userAgent: nullable,
  surface: steadyText,
  endpoint: steadyText,
  requestedModel: steadyText,
  route: nullable,
  provider: nullable,
  model: nullable,
  costSource: nullable,
});

describe("request_logs insert with steady strings as literals", () => {
  test("stores every row exactly as binding every value does", async () => {
    const fast = freshDb();
    const plain = freshDb();
    const store = new SqliteLogStore(fast);
    const bindAll = plain.prepare(
      `INSERT OR IGNORE INTO request_logs (${REQUEST_COLUMNS.join(", ")}) VALUES (${REQUEST_COLUMNS.map(() => "?").join(", ")})`,
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(steadyRow, { minLength: 1, maxLength: 6 }), async (steadies) => {
        // Each combination twice (its statement made, then reused) and a row id seen before (ignored).
        const rows: RequestLogRow[] = [];
        for (const s of [...steadies, ...steadies]) rows.push(requestLogRow({ id: `r-${n++}`, ts: n, ...s }));
        rows.push({ ...rows[0]!, keyName: "other" });
        await store.writeBatch({ requests: rows, toolCalls: [], spend: [] });
        for (const r of rows) bindAll.run(...requestValues(r));
      }),
      { numRuns: 150 },
    );
    assert.ok(n > 300);
    assert.deepEqual(stored(fast), stored(plain));
    fast.close();
    plain.close();
  });

  test("more combinations than statements kept: each row still stored as it came", async () => {
    const db = freshDb();
    const store = new SqliteLogStore(db);
    const rows = Array.from({ length: 300 }, (_, i) =>
      requestLogRow({
        id: `r-${i}`,
        ts: i,
        userAgent: `client/${i % 150}`,
        model: i % 7 === 0 ? null : `m-${i}`,
      }),
    );
    for (let i = 0; i < rows.length; i += 20)
      await store.writeBatch({ requests: rows.slice(i, i + 20), toolCalls: [], spend: [] });
    const back = db.prepare("SELECT id, user_agent, model FROM request_logs ORDER BY ts").all();
    assert.deepEqual(
      back,
      rows.map((r) => ({ id: r.id, user_agent: r.userAgent, model: r.model })),
    );
    db.close();
  });
});
