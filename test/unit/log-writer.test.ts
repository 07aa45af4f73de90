import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { spendRows } from "../../gateway/src/store/log-rows.js";
import type { LogBatch } from "../../gateway/src/store/log-store.js";
import { LogWriter } from "../../gateway/src/store/log-writer.js";
import type { RecordBatch } from "../../gateway/src/store/record-sink.js";
import { seriesRecord as rec, toolCallWith as tool } from "../helpers/log-rows.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A sink that remembers every batch, optionally slow or failing. */
function fakeSink(opts: { delayMs?: number; failTimes?: number } = {}) {
  const batches: LogBatch[] = [];
  let fails = opts.failTimes ?? 0;
  return {
    batches,
    ids: () => batches.flatMap((b) => b.requests.map((r) => r.id)),
    async writeBatch(b: LogBatch) {
      if (opts.delayMs) await sleep(opts.delayMs);
      if (fails > 0) {
        fails--;
        throw new Error("disk I/O error");
      }
      batches.push(b);
    },
  };
}

describe("log writer", () => {
  test("a backlog is written in batches of 500, each one transaction", async () => {
    const sink = fakeSink();
    const w = new LogWriter(sink);
    for (let i = 0; i < 1234; i++) w.enqueueRequest(rec(i));
    await w.flush();
    assert.deepEqual(
      sink.batches.map((b) => b.requests.length),
      [500, 500, 234],
    );
    assert.equal(new Set(sink.ids()).size, 1234);
    assert.equal(w.written, 1234);
  });

  test("a few records are written by the timer, without a flush call", async () => {
    const sink = fakeSink();
    const w = new LogWriter(sink, { intervalMs: 20 });
    w.enqueueRequest(rec(1));
    w.enqueueRequest(rec(2));
    assert.equal(sink.batches.length, 0, "enqueue does not write");
    for (let i = 0; i < 100 && sink.batches.length === 0; i++) await sleep(10);
    assert.deepEqual(sink.ids(), ["r-000001", "r-000002"]);
    await w.stop();
  });

  test("nothing lost: records enqueued while a slow store writes all land exactly once", async () => {
    const sink = fakeSink({ delayMs: 5 });
    const w = new LogWriter(sink, { intervalMs: 1 });
    let n = 0;
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 250; i++) w.enqueueRequest(rec(n++));
      await sleep(round % 3);
    }
    await w.stop();
    const ids = sink.ids();
    assert.equal(ids.length, 10_000);
    assert.equal(new Set(ids).size, 10_000);
    assert.ok(sink.batches.every((b) => b.requests.length <= 500));
  });

  test("stop waits for a batch that is being written when it is called", async () => {
    const sink = fakeSink({ delayMs: 30 });
    const w = new LogWriter(sink, { intervalMs: 1000 });
    for (let i = 0; i < 10; i++) w.enqueueRequest(rec(i));
    void w.flush(); // the batch leaves the queue and is being written
    await w.stop();
    assert.equal(sink.ids().length, 10, "stop returned before the batch in flight landed");
    assert.equal(w.lost, 0);
  });

  test("a store failure keeps the batch and retries it; onError hears about it", async () => {
    const sink = fakeSink({ failTimes: 2 });
    const errors: unknown[] = [];
    const w = new LogWriter(sink, { intervalMs: 1, retryMs: 5, onError: (e) => errors.push(e) });
    for (let i = 0; i < 700; i++) w.enqueueRequest(rec(i));
    for (let i = 0; i < 200 && sink.ids().length < 700; i++) await sleep(5);
    await w.stop();
    assert.equal(errors.length, 2);
    assert.equal(new Set(sink.ids()).size, 700);
    assert.equal(sink.ids().length, 700);
    assert.equal(w.lost, 0);
  });

  test("a store that stays down cannot fill memory: past maxQueuedRows the oldest rows are dropped, counted, warned once", async () => {
    const sink = fakeSink({ failTimes: 1_000_000 });
    const errors: string[] = [];
    const w = new LogWriter(sink, {
      intervalMs: 1,
      retryMs: 1,
      maxBatch: 20,
      maxQueuedRows: 100,
      onError: (e) => errors.push(String(e)),
    });
    for (let i = 0; i < 300; i++) {
      w.enqueueRequest(rec(i));
      if (i % 10 === 0) w.enqueueToolCall(tool({}, { id: `t-${i}`, startedAt: rec(i).startedAt }));
      if (i % 50 === 0) await sleep(2); // let the writer fail a few times meanwhile
    }
    assert.ok(w.pending <= 100 + 20, `at most the cap and one batch wait (${w.pending})`);
    assert.ok(w.dropped >= 300 + 30 - 120, `dropped ${w.dropped}`);
    assert.equal(errors.filter((e) => e.includes("oldest waiting rows are dropped")).length, 1);
  });

  test("the rows kept past the row cap are the newest, and all of them are written", async () => {
    const sink = fakeSink();
    const w = new LogWriter(sink, { intervalMs: 10_000, maxQueuedRows: 100 });
    for (let i = 0; i < 150; i++) w.enqueueRequest(rec(i));
    w.enqueueToolCall(tool({}, { startedAt: rec(149).startedAt + 1 }));
    await w.flush();
    const ids = sink.ids();
    assert.equal(ids.length, 99);
    assert.equal(ids[0], "r-000051");
    assert.equal(ids.at(-1), "r-000149");
    assert.equal(sink.batches.flatMap((b) => b.toolCalls).length, 1);
    assert.equal(w.dropped, 51);
    assert.equal(w.written + w.dropped, 151);
  });

  test("past maxQueuedContentBytes the oldest waiting rows keep only their metadata", async () => {
    const sink = fakeSink();
    const errors: string[] = [];
    const w = new LogWriter(sink, {
      intervalMs: 10_000,
      maxQueuedContentBytes: 5_000,
      onError: (e) => errors.push(String(e)),
    });
    const withContent = (i: number) =>
      rec(i, {
        content: {
          surface: "anthropic",
          stream: false,
          truncated: false,
          request: Buffer.alloc(600, 0x61),
          response: [Buffer.alloc(300, 0x62), "x".repeat(100)],
        },
      });
    for (let i = 0; i < 20; i++) w.enqueueRequest(withContent(i));
    await w.flush();
    const rows = sink.batches.flatMap((b) => b.requests);
    assert.equal(rows.length, 20, "every row is written");
    assert.deepEqual(
      rows.map((r) => r.responseBody !== null),
      [...Array(15).fill(false), ...Array(5).fill(true)],
    );
    assert.equal(w.contentDropped, 15);
    assert.equal(w.dropped, 0);
    assert.equal(errors.filter((e) => e.includes("keep only their metadata")).length, 1);
    // Once written, the queue starts afresh: the next backlog sheds its own oldest, and warns again.
    for (let i = 20; i < 30; i++) w.enqueueRequest(withContent(i));
    await w.flush();
    const next = sink.batches.flatMap((b) => b.requests).slice(20);
    assert.deepEqual(
      next.map((r) => r.responseBody !== null),
      [...Array(5).fill(false), ...Array(5).fill(true)],
    );
    assert.equal(w.contentDropped, 20);
    assert.equal(errors.filter((e) => e.includes("keep only their metadata")).length, 2);
  });

  test("kept tool results count against maxQueuedContentBytes: the oldest are shed first", async () => {
    const sink = fakeSink();
    const w = new LogWriter(sink, { intervalMs: 10_000, maxQueuedContentBytes: 5_000 });
    const result = JSON.stringify({ content: [{ type: "text", text: "r".repeat(980) }] });
    for (let i = 0; i < 10; i++) w.enqueueToolCall(tool({}, { id: `t${i}`, startedAt: i, result }));
    await w.flush();
    const rows = sink.batches.flatMap((b) => b.toolCalls);
    assert.equal(rows.length, 10, "every row is written");
    assert.deepEqual(
      rows.map((t) => t.result !== null),
      [...Array(6).fill(false), ...Array(4).fill(true)],
    );
    assert.equal(w.contentDropped, 6);
    // Written rows give their bytes back: the next ones keep their results.
    for (let i = 10; i < 14; i++) w.enqueueToolCall(tool({}, { id: `t${i}`, startedAt: i, result }));
    await w.flush();
    assert.ok(
      sink.batches
        .flatMap((b) => b.toolCalls)
        .slice(10)
        .every((t) => t.result !== null),
    );
  });

  test("thousands of waiting charges are merged per bucket and scopes; the sums stay exact", async () => {
    const batches: RecordBatch[] = [];
    const w = new LogWriter(
      { writeRecords: async (b: RecordBatch) => void batches.push(b) },
      { intervalMs: 10_000 },
    );
    const t0 = Date.parse("2026-03-01T10:00:00Z");
    for (let i = 0; i < 25_000; i++)
      w.enqueueSpend({
        at: t0 + (i % 2) * 15 * 60_000,
        scopes: ["key:config:k", "team:t"],
        usd: 0.001,
        tokens: 3,
      });
    await w.flush();
    const deltas = batches.flatMap((b) => b.spend);
    assert.ok(deltas.length < 10_000, `merged while waiting (${deltas.length} deltas)`);
    const rows = spendRows(deltas);
    assert.equal(rows.length, 4, "two buckets x two scopes");
    for (const r of rows) {
      assert.equal(r.requests, 12_500);
      assert.equal(r.tokens, 37_500);
      assert.ok(Math.abs(r.usd - 12.5) < 1e-9, String(r.usd));
    }
  });

  test("charges and rows that come in while a batch is written wait for the timer, charges merged", async () => {
    const sink = fakeSink({ delayMs: 30 });
    const w = new LogWriter(sink, { intervalMs: 300 });
    const charge = () => w.enqueueSpend({ at: Date.now(), scopes: ["key:k"], usd: 0.01, tokens: 10 });
    charge();
    const first = w.flush();
    await sleep(10); // the first batch is being written
    charge();
    charge();
    await first;
    await sleep(60);
    // Not a batch (a message, a wake-up of the log thread, a transaction) for two charges at once.
    assert.equal(sink.batches.length, 1);
    await sleep(700); // the timer (300 ms), with room for a slow machine
    assert.equal(sink.batches.length, 2);
    assert.deepEqual(
      sink.batches[1]!.spend.map((r) => r.requests),
      [2],
    );

    // So does a row: under load the log thread gets one batch per interval, not one per few rows.
    w.enqueueRequest(rec(1));
    const third = w.flush();
    await sleep(10);
    w.enqueueRequest(rec(2));
    await third;
    await sleep(60);
    assert.equal(sink.batches.length, 3);
    await sleep(700);
    assert.equal(sink.batches.length, 4);
    assert.deepEqual(
      sink.batches[3]!.requests.map((r) => r.id),
      [rec(2).id],
    );
    await w.stop();
  });

  test("a full batch that comes in while a batch is written goes right after it", async () => {
    const sink = fakeSink({ delayMs: 30 });
    const w = new LogWriter(sink, { intervalMs: 5000, maxBatch: 10 });
    w.enqueueRequest(rec(0));
    const first = w.flush();
    await sleep(10); // the first batch is being written
    for (let i = 1; i <= 10; i++) w.enqueueRequest(rec(i));
    await first;
    for (let i = 0; i < 100 && sink.batches.length < 2; i++) await sleep(10);
    assert.deepEqual(
      sink.batches.map((b) => b.requests.length),
      [1, 10],
    );
    await w.stop();
  });

  test("a flush resolves once every row queued before it is stored, more than a batch included", async () => {
    const sink = fakeSink({ delayMs: 5 });
    const w = new LogWriter(sink, { intervalMs: 5000, maxBatch: 10 });
    for (let i = 0; i < 25; i++) w.enqueueRequest(rec(i));
    await w.flush();
    assert.equal(sink.ids().length, 25);
    await w.stop();
  });

  test("a flush called while a batch is written resolves once what was queued before it is stored", async () => {
    // The admin API and the tests flush, then read: a charge (a key that logs no rows) queued
    // after a timer's batch was taken must be stored when that flush resolves, not with the next timer.
    const sink = fakeSink({ delayMs: 30 });
    const w = new LogWriter(sink, { intervalMs: 5000 });
    w.enqueueRequest(rec(1));
    const timerLike = w.flush();
    await sleep(10); // that batch is being written
    w.enqueueSpend({ at: Date.now(), scopes: ["key:quiet"], usd: 0.01, tokens: 10 });
    await w.flush();
    assert.deepEqual(
      sink.batches.flatMap((b) => b.spend.map((r) => r.scope)),
      ["key:quiet"],
      "the charge is stored when the flush resolves",
    );
    await timerLike;
    await w.stop();
  });

  test("stop drains the queue, tool calls and spend included", async () => {
    const sink = fakeSink();
    const w = new LogWriter(sink, { intervalMs: 10_000 });
    for (let i = 0; i < 42; i++) w.enqueueRequest(rec(i));
    w.enqueueToolCall(tool({}));
    w.enqueueSpend({
      at: Date.parse("2026-03-01T10:07:00Z"),
      scopes: ["key:config:k", "team:t"],
      usd: 0.5,
      tokens: 10,
    });
    w.enqueueSpend({
      at: Date.parse("2026-03-01T10:08:00Z"),
      scopes: ["key:config:k"],
      usd: 0.25,
      tokens: 5,
    });
    await w.stop();
    assert.equal(sink.ids().length, 42);
    assert.equal(sink.batches.flatMap((b) => b.toolCalls).length, 1);
    const spend = sink.batches.flatMap((b) => b.spend);
    assert.deepEqual(
      spend.map((s) => [s.scope, s.usd, s.tokens, s.requests]),
      [
        ["key:config:k", 0.75, 15, 2],
        ["team:t", 0.5, 10, 1],
      ],
    );
  });
});
