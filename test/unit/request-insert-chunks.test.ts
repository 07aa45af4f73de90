// The request_logs insert puts runs of rows with the same steady strings in by statements of many
// rows (store/sqlite-request-insert.ts) and works out each stored row's rowid for the full-text
// index from the last one: every row comes back as written, every stored row with content is
// found by a search right after its write, and a row whose id is stored already (a retried batch,
// an id twice in one batch) is neither stored nor indexed again.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { RequestLogRow } from "../../gateway/src/store/log-store.js";
import { openSqlite } from "../../gateway/src/store/sqlite.js";
import { SqliteLogStore } from "../../gateway/src/store/sqlite-logs.js";
import { requestLogRow } from "../helpers/log-rows.js";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function fresh() {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-chunks-"));
  dirs.push(dir);
  const db = openSqlite(dir);
  return { db, store: new SqliteLogStore(db) };
}

let seq = 0;
/** Row `i`: with content (its own word) every third row; its key one of two; meta on some. */
function row(i: number): RequestLogRow {
  const n = seq++;
  const word = `w${n}x`;
  const content = i % 3 !== 1;
  return requestLogRow({
    id: `c-${String(n).padStart(8, "0")}`,
    ts: 1_700_000_000_000 + n,
    keyName: i % 17 < 12 ? "k" : "other",
    userAgent: i % 29 === 5 ? "it's not a literal" : null,
    meta: i % 5 === 0 ? { ticket: `T-${n}` } : {},
    fallbacks: i % 7 === 0 ? ["b/m"] : [],
    costUsd: n / 1000,
    ...(content
      ? {
          requestBody: JSON.stringify({ model: "m", messages: [{ role: "user", content: word }] }),
          responseBody: `answer ${word}`,
          search: { prompt: word, response: `answer ${word}` },
        }
      : {}),
  });
}

const words = (db: ReturnType<typeof openSqlite>) =>
  (
    db.prepare("SELECT COUNT(*) AS n FROM request_search_docsize").get() as {
      n: number;
    }
  ).n;

describe("request_logs insert, many rows per statement", () => {
  test("rows come back as written and each one with content is found by search, once", async () => {
    const { db, store } = fresh();
    const written: RequestLogRow[] = [];
    for (const size of [1, 7, 8, 9, 31, 32, 33, 77, 100]) {
      const rows = Array.from({ length: size }, (_, i) => row(i));
      await store.writeBatch({ requests: rows, toolCalls: [], spend: [] });
      written.push(...rows);
      for (const r of rows) {
        const back = await store.getRequest(r.id);
        const { search: _, ...stored } = r;
        assert.deepEqual(back, stored);
        if (!r.search) continue;
        const found = await store.queryRequests({ text: r.search.prompt });
        assert.deepEqual(
          found.rows.map((f) => f.id),
          [r.id],
          `${r.search.prompt} found`,
        );
      }
    }
    assert.equal(words(db), written.filter((r) => r.search).length);
    db.close();
  });

  test("ids stored already are neither stored nor indexed again", async () => {
    const { db, store } = fresh();
    const first = Array.from({ length: 40 }, (_, i) => row(i));
    await store.writeBatch({ requests: first, toolCalls: [], spend: [] });
    // The same batch again (its answer lost), then one mixing stored and new rows, and an id twice.
    await store.writeBatch({ requests: first, toolCalls: [], spend: [] });
    const newer = Array.from({ length: 40 }, (_, i) => row(i));
    const mixed = [
      ...first.slice(0, 10),
      ...newer.slice(0, 20),
      newer[3]!,
      ...first.slice(30),
      ...newer.slice(20),
    ];
    await store.writeBatch({ requests: mixed, toolCalls: [], spend: [] });
    // Eight rows of one statement, one id among them twice.
    const seven = Array.from({ length: 7 }, () => row(0));
    await store.writeBatch({
      requests: [...seven.slice(0, 5), seven[2]!, ...seven.slice(5)],
      toolCalls: [],
      spend: [],
    });
    const all = [...first, ...newer, ...seven];
    // Waiting to be indexed (fewer than a search batch): each new row with content, once.
    assert.equal(store.search.pending, all.filter((r) => r.search).length);
    const count = (db.prepare("SELECT COUNT(*) AS n FROM request_logs").get() as { n: number }).n;
    assert.equal(count, all.length);
    for (const r of all) {
      if (!r.search) continue;
      const found = await store.queryRequests({ text: r.search.prompt });
      assert.deepEqual(
        found.rows.map((f) => f.id),
        [r.id],
      );
    }
    assert.equal(words(db), all.filter((r) => r.search).length);
    // Each index entry points at the row it was made for.
    const byRowid = db
      .prepare(
        "SELECT id FROM request_logs WHERE rowid IN (SELECT rowid FROM request_search WHERE request_search MATCH ?)",
      )
      .pluck();
    for (const r of all) if (r.search) assert.deepEqual(byRowid.all(r.search.prompt), [r.id]);
    db.close();
  });
});
