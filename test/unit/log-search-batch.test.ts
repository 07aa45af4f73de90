// The full-text index is fed in batches (store/sqlite-logs-search.ts): a search still finds every
// row written, retention still removes index entries, a close indexes what waits, and rows a
// process wrote but did not index before it died are indexed at the next open.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { LogBatch, RequestLogRow } from "../../gateway/src/store/log-store.js";
import { openSqlite, SqliteStore } from "../../gateway/src/store/sqlite.js";
import { SqliteLogStore } from "../../gateway/src/store/sqlite-logs.js";
import { SEARCH_BATCH } from "../../gateway/src/store/sqlite-logs-search.js";
import { requestLogRow } from "../helpers/log-rows.js";

let seq = 0;
function row(prompt: string, response: string, ts = Date.now()): RequestLogRow {
  seq++;
  return requestLogRow({
    id: `q-${String(seq).padStart(8, "0")}`,
    ts,
    requestBody: JSON.stringify({ model: "m", messages: [{ role: "user", content: prompt }] }),
    responseBody: response,
    search: { prompt, response },
  });
}
const batch = (requests: RequestLogRow[]): LogBatch => ({ requests, toolCalls: [], spend: [] });
const indexed = (db: ReturnType<typeof openSqlite>) =>
  (db.prepare("SELECT COUNT(*) AS n FROM request_search_docsize").get() as { n: number }).n;

describe("full-text index fed in batches", () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), "gatehouse-search-"));
    dirs.push(d);
    return d;
  };
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test("small writes wait; a search indexes them first and finds every row", async () => {
    const db = openSqlite(tmp());
    const store = new SqliteLogStore(db);
    await store.writeBatch(batch([row("about wombats", "fine"), row("about quolls", "ok")]));
    assert.equal(indexed(db), 0, "two rows wait for a larger batch");
    assert.equal(store.search.pending, 2);
    assert.equal((await store.queryRequests({ text: "wombats" })).rows.length, 1);
    assert.equal(indexed(db), 2);
    assert.equal((await store.queryRequests({ text: "ok" })).rows.length, 1, "responses too");
    db.close();
  });

  test("a full batch is indexed in the writing transaction", async () => {
    const db = openSqlite(tmp());
    const store = new SqliteLogStore(db);
    const rows = Array.from({ length: SEARCH_BATCH }, (_, i) => row(`numbat ${i}`, `answer ${i}`));
    await store.writeBatch(batch(rows));
    assert.equal(indexed(db), SEARCH_BATCH);
    assert.equal(store.search.pending, 0);
    assert.equal((await store.queryRequests({ text: "numbat", limit: 1000 })).rows.length, SEARCH_BATCH);
    db.close();
  });

  test("retention removes rows and their index entries, waiting ones included", async () => {
    const db = openSqlite(tmp());
    const store = new SqliteLogStore(db);
    await store.writeBatch(batch([row("old bandicoot", "x", 1000), row("new bandicoot", "y")]));
    await store.pruneLogs(2000);
    assert.equal(indexed(db), 1);
    const found = (await store.queryRequests({ text: "bandicoot" })).rows;
    const responses = await Promise.all(found.map(async (r) => (await store.getRequest(r.id))?.responseBody));
    assert.deepEqual(responses, ["y"]);
    db.close();
  });

  test("close indexes what waits; rows not indexed before a crash are indexed at the next open", async () => {
    const dir = tmp();
    const store = SqliteStore.open(dir);
    await store.logs.writeBatch(batch([row("clean potoroo", "closed")]));
    await store.close();
    const db = openSqlite(dir);
    assert.equal(indexed(db), 1, "close indexed the waiting row");
    const crashed = new SqliteLogStore(db);
    await crashed.writeBatch(batch([row("lost bettong", "answer about a dunnart")]));
    assert.equal(indexed(db), 1, "not indexed yet; the connection is dropped as if the process died");
    db.close();
    const db2 = openSqlite(dir);
    const again = new SqliteLogStore(db2);
    assert.equal(indexed(db2), 2, "repaired at open from the stored columns");
    assert.equal((await again.queryRequests({ text: "bettong" })).rows.length, 1);
    assert.equal((await again.queryRequests({ text: "dunnart" })).rows.length, 1);
    assert.equal((await again.queryRequests({ text: "potoroo" })).rows.length, 1);
    db2.close();
  });

  test("words are found as the tokenizer splits them; no query is an error", async () => {
    const db = openSqlite(tmp());
    const store = new SqliteLogStore(db);
    await store.writeBatch(
      batch([
        row("call read_file on src/quokka.ts", "done"),
        row("read the file", "ok"),
        row("café naïve", ""),
        row("q\u0305z", ""),
      ]),
    );
    const found = async (text: string) => (await store.queryRequests({ text })).rows.length;
    assert.equal(await found("read_file"), 2, "read and file, anywhere in the row");
    assert.equal(await found("quokka.ts"), 1);
    assert.equal(await found("cafe naive"), 1, "diacritics folded");
    assert.equal(await found("caf\u00e9"), 1);
    // U+0305 is a mark the tokenizer splits at: the word is searched character by character.
    assert.equal(await found("q\u0305z"), 1);
    // A zero-width joiner, an emoji, lone marks and private-use characters: answers, not errors.
    for (const odd of ["x\u200dy", "\u{1F600}read", "\u0301", "\ue000file", "\u0301\u0301read"])
      assert.ok((await found(odd)) >= 0, odd);
    db.close();
  });

  test("a database whose index kept positions (before migration 9) is indexed again at open", async () => {
    const dir = tmp();
    const store = SqliteStore.open(dir);
    await store.logs.writeBatch(batch([row("before the migration: a wallaby", "and a wombat")]));
    await store.close();
    // Put back the index as migration 4 made it, and forget migration 9.
    const old = openSqlite(dir);
    old.exec(`DROP TABLE request_search;
      CREATE VIRTUAL TABLE request_search USING fts5(prompt, response, content = '', contentless_delete = 1,
        tokenize = 'unicode61 remove_diacritics 2');
      INSERT INTO request_search (rowid, prompt, response) SELECT rowid, 'before the migration: a wallaby', 'and a wombat' FROM request_logs;
      DELETE FROM schema_migrations WHERE version = 9;`);
    assert.match(
      (old.prepare("SELECT sql FROM sqlite_master WHERE name = 'request_search'").get() as { sql: string })
        .sql,
      /^(?!.*detail)/s,
    );
    old.close();
    const db = openSqlite(dir);
    const logs = new SqliteLogStore(db);
    assert.match(
      (db.prepare("SELECT sql FROM sqlite_master WHERE name = 'request_search'").get() as { sql: string })
        .sql,
      /detail = none/,
    );
    assert.equal(indexed(db), 1, "indexed again from the stored columns");
    assert.equal((await logs.queryRequests({ text: "wallaby" })).rows.length, 1);
    assert.equal((await logs.queryRequests({ text: "wombat" })).rows.length, 1);
    await logs.pruneLogs(Date.now() + 1000);
    assert.equal(indexed(db), 0, "deleting a row still deletes its index entry");
    db.close();
  });
});
