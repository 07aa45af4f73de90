import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { Worker } from "node:worker_threads";
import { ContentCapture } from "../../gateway/src/llm/capture.js";
import { newRecordId, type RequestRecord } from "../../gateway/src/llm/record.js";
import { ThreadLogSink } from "../../gateway/src/store/log-thread.js";
import { decodeBatch, encodeBatch } from "../../gateway/src/store/log-thread-wire.js";
import { LogWriter } from "../../gateway/src/store/log-writer.js";
import { inlineSink } from "../../gateway/src/store/record-sink.js";
import { SqliteStore } from "../../gateway/src/store/sqlite.js";
import { requestRecord } from "../helpers/log-rows.js";

// The log thread (store/log-thread.ts): rows converted and stored by a worker thread with its own
// connection, read back on this thread; crashes retried, a thread that cannot start replaced.

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function openStore(): SqliteStore {
  const dir = mkdtempSync(join(tmpdir(), "gh-logthread-"));
  dirs.push(dir);
  return SqliteStore.open(dir);
}

const FAKE_KEY = ["sk", "ant", "api03", "Zx9Qw8Er7Ty6Ui5Op4As3Df2"].join("-");

function rec(i: number, prompt: string, answer: string): RequestRecord {
  const body = Buffer.from(
    JSON.stringify({
      model: "claude-sonnet-4-5",
      max_tokens: 64,
      messages: [{ role: "user", content: prompt }],
    }),
  );
  // A pooled slice, as request bodies and socket chunks are: only its own bytes may travel.
  const pool = Buffer.alloc(8192, "x");
  const response = JSON.stringify({ content: [{ type: "text", text: answer }], usage: {} });
  const at = pool.write(response, 100);
  const content = new ContentCapture("anthropic", body, false);
  content.push(pool.subarray(100, 100 + at));
  return requestRecord({
    id: newRecordId(),
    startedAt: Date.now() + i,
    meta: { ticket: "T-1" },
    userAgent: "claude-cli/2.1",
    ttfbMs: undefined,
    content,
  });
}

describe("log thread", () => {
  test("the wire keeps every record field and the captured bytes, reusing a handed-back buffer", () => {
    const r = rec(1, "hello there", "hi back");
    const c = r.content!;
    const wire = encodeBatch({ requests: [r], toolCalls: [], spend: [] });
    assert.notEqual(wire.bytes, (c.response[0] as Buffer).buffer, "a pooled chunk's pool never travels");
    const back = decodeBatch(wire).requests[0]!;
    const { content: _a, ...fields } = r;
    const { content: backContent, ...backFields } = back;
    assert.deepEqual(backFields, JSON.parse(JSON.stringify(fields)));
    assert.equal(Buffer.from(backContent!.request).toString(), c.request.toString());
    assert.equal(Buffer.from(backContent!.response[0] as Uint8Array).toString(), c.response[0]!.toString());
    const again = encodeBatch({ requests: [rec(2, "second", "b")], toolCalls: [], spend: [] }, wire.bytes);
    assert.equal(again.bytes, wire.bytes, "a big enough spare buffer is reused");
    const second = decodeBatch(again).requests[0]!;
    assert.match(Buffer.from(second.content!.request).toString(), /second/);
  });

  test("rows written by the thread are read, searched and redacted on this thread", async () => {
    const store = openStore();
    const writer = new LogWriter(store.recordSink({ thread: true }));
    for (let i = 0; i < 120; i++) writer.enqueueRequest(rec(i, `question ${i} about zebras`, `answer ${i}`));
    writer.enqueueRequest(rec(500, `my key is ${FAKE_KEY} please keep it`, "noted"));
    await writer.flush();
    const all = await store.logs.queryRequests({ limit: 1000 });
    assert.equal(all.rows.length, 121);
    const found = await store.logs.queryRequests({ text: "zebras" });
    assert.equal(found.rows.length, 100, "search sees rows the thread has not indexed yet");
    const secret = await store.logs.queryRequests({ text: "please keep" });
    assert.equal(secret.rows.length, 1);
    const kept = (await store.logs.getRequest(secret.rows[0]!.id))?.requestBody ?? "";
    assert.match(kept, /please keep/, "the detail has the prompt");
    assert.ok(!kept.includes(FAKE_KEY), "the key never reaches the database");
    assert.equal(secret.rows[0]!.meta.ticket, "T-1");
    await writer.stop();
    await store.close();
  });

  test("a thread that dies is replaced and its batch written once, not lost", async () => {
    const store = openStore();
    const sink = store.recordSink({ thread: true }) as ThreadLogSink;
    const writer = new LogWriter(sink, { retryMs: 10 });
    for (let i = 0; i < 50; i++) writer.enqueueRequest(rec(i, "before", "a"));
    await writer.flush();
    // Kill the worker behind the sink's back, as a crash would.
    await (sink as unknown as { worker: Worker }).worker.terminate();
    for (let i = 0; i < 50; i++) writer.enqueueRequest(rec(100 + i, "after", "b"));
    await writer.stop();
    const rows = await store.logs.queryRequests({ limit: 1000 });
    assert.equal(rows.rows.length, 100);
    assert.equal(new Set(rows.rows.map((r) => r.id)).size, 100);
    assert.equal(writer.lost, 0);
    await store.close();
  });

  test("a thread that cannot start hands its batches to this thread, and says why", async () => {
    const store = openStore();
    const why: Error[] = [];
    // The thread's own connection fails (no such folder): it never answers.
    const sink = new ThreadLogSink({ file: "/nonexistent/dir/gatehouse.db" }, inlineSink(store.logs), (e) =>
      why.push(e),
    );
    const writer = new LogWriter(sink);
    for (let i = 0; i < 10; i++) writer.enqueueRequest(rec(i, "fallback", "c"));
    await writer.stop();
    assert.equal(why.length, 1);
    assert.equal((await store.logs.queryRequests({})).rows.length, 10);
    assert.equal(writer.lost, 0);
    await sink.close();
    await store.close();
  });
});
