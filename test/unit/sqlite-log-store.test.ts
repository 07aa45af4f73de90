// The SQLite log store: batches written, pages of requests and tool calls, spend series, pruning.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { requestRow, spendRows, toolCallRow } from "../../gateway/src/store/log-rows.js";
import { openSqlite } from "../../gateway/src/store/sqlite.js";
import { SqliteLogStore } from "../../gateway/src/store/sqlite-logs.js";
import { seriesRecord as rec, toolCallWith as tool } from "../helpers/log-rows.js";

describe("SQLite log store", () => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-logs-"));
  const db = openSqlite(dir);
  const store = new SqliteLogStore(db);
  after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("writes a batch and pages through it newest first with a cursor", async () => {
    const records = Array.from({ length: 25 }, (_, i) => rec(i, { meta: i === 0 ? { ticket: "T-1" } : {} }));
    await store.writeBatch({
      requests: records.map((r) => requestRow(r)),
      toolCalls: [toolCallRow(tool({ a: 1 }))],
      spend: [],
    });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.queryRequests({ limit: 10, cursor });
      seen.push(...page.rows.map((r) => r.id));
      cursor = page.nextCursor;
    } while (cursor);
    assert.equal(seen.length, 25);
    assert.equal(seen[0], "r-000024");
    assert.equal(seen[24], "r-000000");
    const first = (await store.queryRequests({ sessionId: "s-even", status: "ok", limit: 1000 })).rows;
    assert.ok(first.every((r) => r.sessionId === "s-even" && r.status < 400));
    const zero = (await store.queryRequests({ limit: 1, to: records[1]!.startedAt })).rows[0]!;
    assert.deepEqual(zero.meta, { ticket: "T-1" });
    assert.equal(zero.stream, true);
    assert.equal(zero.model, "gpt-5");
    assert.equal((await store.queryRequests({ model: "openai/gpt-5", limit: 1000 })).rows.length, 9);
    assert.equal((await store.queryRequests({ status: "error" })).rows.length, 2);
    assert.equal((await store.queryToolCalls({})).rows[0]!.arguments, '{"a":1}');
  });

  test("a page of tool calls leaves the kept results out (up to 256 KiB each); one call's detail has it", async () => {
    const result = JSON.stringify({ content: [{ type: "text", text: "r".repeat(200_000) }] });
    await store.writeBatch({
      requests: [],
      toolCalls: [toolCallRow(tool({ b: 2 }, { id: "t-kept", result }))],
      spend: [],
    });
    const listed = (await store.queryToolCalls({ limit: 500 })).rows.find((t) => t.id === "t-kept")!;
    assert.equal(listed.arguments, '{"b":2}');
    assert.equal(listed.result, null, "a 500-row page would otherwise read up to 128 MiB it never shows");
    assert.equal((await store.getToolCall("t-kept"))?.result, result);
  });

  test("a page of requests leaves the kept content out and says it has some; one request's detail has it", async () => {
    const content = {
      surface: "anthropic" as const,
      stream: false,
      truncated: false,
      request: Buffer.from(
        JSON.stringify({ model: "m", messages: [{ role: "user", content: "p".repeat(100_000) }] }),
      ),
      response: [Buffer.from(JSON.stringify({ content: [{ type: "text", text: "an answer" }] }))],
    };
    const kept = rec(5000, { id: "r-kept", startedAt: Date.parse("2026-02-01T00:00:00Z"), content });
    const bare = rec(5001, { id: "r-bare", startedAt: Date.parse("2026-02-01T00:00:01Z") });
    await store.writeBatch({ requests: [kept, bare].map((r) => requestRow(r)), toolCalls: [], spend: [] });
    const rows = (await store.queryRequests({ limit: 500 })).rows;
    const listed = rows.find((r) => r.id === "r-kept")!;
    assert.equal(listed.requestBody, null, "a 500-row page would otherwise read and rebuild every prompt");
    assert.equal(listed.responseBody, null);
    assert.equal(listed.hasContent, true);
    assert.equal(rows.find((r) => r.id === "r-bare")!.hasContent, false);
    const detail = await store.getRequest("r-kept");
    assert.match(detail?.requestBody ?? "", /p{100000}/);
    assert.equal(detail?.responseBody, "an answer");
    await store.pruneLogs(Date.parse("2026-02-02T00:00:00Z"));
  });

  test("spend series by hour and provider", async () => {
    const points = await store.spendSeries({
      from: Date.parse("2026-03-01T00:00:00Z"),
      to: Date.parse("2026-03-02T00:00:00Z"),
      bucket: "hour",
      groupBy: "provider",
    });
    const total = points.reduce((n, p) => n + p.requests, 0);
    assert.equal(total, 25);
    assert.deepEqual(
      points.map((p) => [new Date(p.bucket).toISOString().slice(11, 16), p.group, p.requests]),
      [
        ["10:00", "anthropic", 16],
        ["10:00", "openai", 9],
      ],
    );
  });

  test("spend buckets add up and load back with older buckets folded per scope", async () => {
    const day = (d: number, h = 10) => Date.parse(`2026-03-${String(d).padStart(2, "0")}T${h}:00:00Z`);
    const deltas = [
      { at: day(1), scopes: ["key:a", "session:old"], usd: 1, tokens: 10 },
      { at: day(2), scopes: ["key:a"], usd: 2, tokens: 20 },
      { at: day(20), scopes: ["key:a", "session:new"], usd: 4, tokens: 40 },
      { at: day(20), scopes: ["key:a"], usd: 8, tokens: 80 },
    ];
    await store.writeBatch({ requests: [], toolCalls: [], spend: spendRows(deltas.slice(0, 3)) });
    await store.writeBatch({ requests: [], toolCalls: [], spend: spendRows(deltas.slice(3)) });
    const rows = await store.loadSpend(day(10));
    const byScope = (s: string) =>
      rows.filter((r) => r.scope === s).map((r) => [r.bucket, r.usd, r.requests]);
    assert.deepEqual(byScope("key:a").sort(), [
      [0, 3, 2],
      [day(20), 12, 2],
    ]);
    assert.deepEqual(byScope("session:new"), [[day(20), 4, 1]]);
    assert.deepEqual(byScope("session:old"), [], "idle sessions are not restored");
    assert.deepEqual(await store.scopeSpend("key:a", day(1), day(3)), { usd: 3, tokens: 30, requests: 2 });
  });

  test("pruning by age removes old log rows", async () => {
    const out = await store.pruneLogs(Date.parse("2026-03-01T10:10:00Z"));
    assert.equal(out.requests, 10);
    assert.equal((await store.queryRequests({ limit: 1000 })).rows.length, 15);
  });
});
