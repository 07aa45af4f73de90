import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import type { LogThreadAnswer, LogThreadData, LogThreadRequest } from "./log-thread.js";
import { decodeBatch } from "./log-thread-wire.js";
import { toLogBatch } from "./record-sink.js";
import { SqliteLogStore } from "./sqlite-logs.js";

/** The log thread's side (log-thread.ts): converts posted records to rows and stores them. */

function isData(v: unknown): v is LogThreadData {
  return typeof v === "object" && v !== null && typeof (v as { file?: unknown }).file === "string";
}

const port = parentPort;
if (!port || !isData(workerData)) throw new Error("log-thread-worker.ts runs as the log thread only");

const db = new Database(workerData.file);
db.pragma("synchronous = NORMAL");
db.pragma("busy_timeout = 5000");
const store = new SqliteLogStore(db);

/** Handles one request; a write's byte buffer is returned, to be handed back. */
async function handle(m: LogThreadRequest): Promise<ArrayBuffer | undefined> {
  switch (m.op) {
    case "write":
      // Synchronous inside (one transaction), so batches are stored in the order they came.
      await store.writeBatch(toLogBatch(decodeBatch(m.batch), store.partMemo));
      return m.batch.bytes.byteLength > 0 ? m.batch.bytes : undefined;
    case "catchUp":
      store.search.catchUp();
      return;
    case "close":
      store.search.catchUp();
      db.close();
      return;
  }
}

port.on("message", async (m: LogThreadRequest) => {
  let answer: LogThreadAnswer;
  try {
    const bytes = await handle(m);
    answer = bytes ? { seq: m.seq, bytes } : { seq: m.seq };
  } catch (e) {
    answer = { seq: m.seq, error: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(answer, answer.bytes ? [answer.bytes] : []);
});
