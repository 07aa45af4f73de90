// Prompts kept in parts (store/prompt-parts.ts): a Claude Code session resends its whole
// conversation with every request; the log stores the system prompt and each message once, shows
// every request's prompt exactly as before, finds it by search, and lets retention delete the parts
// no kept row refers to, never one that a kept row does.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { RequestRecord } from "../../gateway/src/llm/record.js";
import { promptJson } from "../../gateway/src/store/content.js";
import { requestRow } from "../../gateway/src/store/log-rows.js";
import { openSqlite } from "../../gateway/src/store/sqlite.js";
import { SqliteLogStore } from "../../gateway/src/store/sqlite-logs.js";
import { ccFixture } from "../helpers/fixtures.js";
import { requestRecord } from "../helpers/log-rows.js";

const fixture = JSON.parse(readFileSync(ccFixture("tool-loop.2-with-tool-result.json"), "utf8")) as {
  body: Record<string, unknown> & { messages: unknown[] };
};

const HOUR = 3_600_000;

function rec(id: string, body: unknown, startedAt = Date.now()): RequestRecord {
  return requestRecord({
    id,
    startedAt,
    content: {
      surface: "anthropic",
      stream: false,
      truncated: false,
      request: Buffer.from(JSON.stringify(body)),
      response: [Buffer.from(JSON.stringify({ content: [{ type: "text", text: "an answer" }] }))],
    },
  });
}

/** The i-th request of a session: the fixture's conversation plus i more turns. */
function turn(i: number): Record<string, unknown> {
  const messages = [...fixture.body.messages];
  for (let k = 0; k < i; k++) {
    messages.push({ role: "assistant", content: [{ type: "text", text: `reply ${k}` }] });
    messages.push({ role: "user", content: [{ type: "text", text: `question ${k} password=hunter${k}2` }] });
  }
  return { ...fixture.body, messages };
}

describe("prompts kept in parts", () => {
  const dir = mkdtempSync(join(tmpdir(), "gh-parts-"));
  const db = openSqlite(dir);
  const store = new SqliteLogStore(db);
  after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const write = (s: SqliteLogStore, records: RequestRecord[]) =>
    s.writeBatch({ requests: records.map((r) => requestRow(r, s.partMemo)), toolCalls: [], spend: [] });
  const partCount = () => db.prepare("SELECT COUNT(*) FROM prompt_parts").pluck().get() as number;

  test("a session's requests store each message once and read back exactly as whole prompts did", async () => {
    const bodies = Array.from({ length: 12 }, (_, i) => turn(i));
    // One per batch, as a session's requests come one after the other.
    for (const [i, b] of bodies.entries()) await write(store, [rec(`a-${i}`, b)]);
    const messages = new Set(bodies.flatMap((b) => (b.messages as unknown[]).map((m) => JSON.stringify(m))));
    assert.equal(partCount(), messages.size + 1, "every message once, plus the system prompt");
    for (const [i, b] of bodies.entries()) {
      const row = await store.getRequest(`a-${i}`);
      assert.equal(row?.requestBody, promptJson(b), `request ${i}`);
    }
    const last = await store.getRequest("a-11");
    assert.match(last?.requestBody ?? "", /password=\[REDACTED\]/);
    assert.doesNotMatch(last?.requestBody ?? "", /hunter/);
    const page = await store.queryRequests({ sessionId: "s-1", limit: 3 });
    assert.equal(page.rows[0]?.requestBody, null, "a list page rebuilds no prompt");
    assert.equal(page.rows[0]?.hasContent, true);
  });

  test("search finds a request by its newest turn", async () => {
    const page = await store.queryRequests({ text: "question 10" });
    assert.deepEqual(
      page.rows.map((r) => r.id),
      ["a-11"],
    );
  });

  test("a second writer (a restarted log thread) on the same database reads and writes the same parts", async () => {
    const other = new SqliteLogStore(db);
    const before = partCount();
    await write(other, [rec("b-0", turn(3))]);
    assert.equal(partCount(), before, "nothing new to store");
    assert.equal((await other.getRequest("b-0"))?.requestBody, promptJson(turn(3)));
  });

  test("retention deletes the parts no kept row refers to, and keeps every part a kept row needs", async () => {
    const now = Date.now();
    const old = { ...fixture.body, messages: [{ role: "user", content: "only in an old request" }] };
    await write(store, [rec("old-0", old, now - 10 * 24 * HOUR)]);
    // As if every part was last written when its newest row was.
    db.prepare("UPDATE prompt_parts SET last_ts = ?").run(now - 4 * HOUR);
    db.prepare("UPDATE request_logs SET ts = ? WHERE id != 'old-0'").run(now - 4 * HOUR);
    const onlyOld = db
      .prepare("SELECT id FROM prompt_parts WHERE json LIKE '%only in an old request%'")
      .pluck()
      .get() as string;
    db.prepare("UPDATE prompt_parts SET last_ts = ? WHERE id = ?").run(now - 10 * 24 * HOUR, onlyOld);
    const before = partCount();
    await store.pruneLogs(now - 5 * 24 * HOUR);
    assert.equal(partCount(), before - 1, "the old request's own message went with it");
    for (let i = 0; i < 12; i++)
      assert.equal((await store.getRequest(`a-${i}`))?.requestBody, promptJson(turn(i)), `request ${i}`);
  });
});
