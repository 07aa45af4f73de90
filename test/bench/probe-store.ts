// Probe: the log thread's whole work per row, in process: bench-like records (probe-records.ts)
// through encodeBatch, decodeBatch, the rows and SQLite (the request log, the prompt parts, the
// full-text index fed at the end), in batches of 64, in a fresh migrated database. Run through
// probe-count.sh (valgrind):
//   sh test/bench/probe-count.sh test/bench/probe-store.ts 2048 6144 MODE CONTENT
// MODE: keep (the database as migrated), noidx (without the index request_logs_key_name_ts, to
// price one index's writes), ckpt (wal_autocheckpoint = 4000 pages instead of SQLite's 1000);
// CONTENT: 0 (metadata rows), 1 (content: full rows of the small request), 2 (content: full rows
// of agent sessions, their prompts kept in parts: conversationRecord), 3 (the Claude Code body) or
// stream (the small request's answer streamed; probe-records.ts). Counts are user space only: the WAL's
// writes and fsyncs in the kernel are not in them. Prints nothing itself.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RequestRecord } from "../../gateway/src/llm/record.js";
import { decodeBatch, encodeBatch } from "../../gateway/src/store/log-thread-wire.js";
import { toLogBatch } from "../../gateway/src/store/record-sink.js";
import { openSqlite } from "../../gateway/src/store/sqlite.js";
import { SqliteLogStore } from "../../gateway/src/store/sqlite-logs.js";
import { conversationRecord, probeContent, probeRecord } from "./probe-records.js";

const [mode = "keep", contentArg = "0", nArg = "1000"] = process.argv.slice(2);
const N = Number(nArg);
const content = probeContent(contentArg === "stream" ? "2" : contentArg === "2" ? "0" : contentArg);
const record = contentArg === "2" ? conversationRecord : (i: number) => probeRecord(i, content);
const BATCH = 64;
const dir = mkdtempSync(join(tmpdir(), "probe-store-"));
const db = openSqlite(dir);
if (mode === "noidx") db.exec("DROP INDEX request_logs_key_name_ts");
if (mode === "ckpt") db.pragma("wal_autocheckpoint = 4000");
const store = new SqliteLogStore(db);
let spare: ArrayBuffer | undefined;
for (let done = 0; done < N; done += BATCH) {
  const requests: RequestRecord[] = [];
  for (let i = 0; i < BATCH; i++) requests.push(record(done + i));
  const w = encodeBatch({ requests, toolCalls: [], spend: [] }, spare);
  await store.writeBatch(toLogBatch(decodeBatch(w), store.partMemo));
  spare = w.bytes;
}
store.search.catchUp();
db.close();
rmSync(dir, { recursive: true, force: true });
