// Probe: the log hand-off (encodeBatch on the event loop, decodeBatch and the rows on the log
// thread) for records like the bench's, in batches of 64. Run through probe-count.sh (valgrind):
//   sh test/bench/probe-count.sh test/bench/probe-handoff.ts 2048 6144 MODE CONTENT
// MODE: b (the records built, nothing else), e (+ encoded), d (+ decoded), r (+ turned into rows);
// CONTENT: 0 (metadata rows, the default key), 1 (content: full rows), 2 (the same streamed), 3 (the
// Claude Code body; see probe-records.ts). Prints nothing itself.
import type { RequestRecord } from "../../gateway/src/llm/record.js";
import { decodeBatch, encodeBatch } from "../../gateway/src/store/log-thread-wire.js";
import { PartMemo } from "../../gateway/src/store/prompt-parts.js";
import { toLogBatch } from "../../gateway/src/store/record-sink.js";
import { probeContent, probeRecord } from "./probe-records.js";

const [mode = "e", contentArg = "0", nArg = "1000"] = process.argv.slice(2);
const N = Number(nArg);
const content = probeContent(contentArg);
const BATCH = 64;
const rec = (i: number): RequestRecord => probeRecord(i, content);
let sink = 0;
let spare: ArrayBuffer | undefined;
// The prompt parts stored lately, as the store remembers them after each batch (sqlite-logs.ts):
// a Claude Code body's parts (3) are parsed and redacted for the first batch only.
const memo = new PartMemo();
for (let done = 0; done < N; done += BATCH) {
  const requests: RequestRecord[] = [];
  for (let i = 0; i < BATCH; i++) requests.push(rec(done + i));
  if (mode === "b") {
    sink += requests.length;
    continue;
  }
  const w = encodeBatch({ requests, toolCalls: [], spend: [] }, spare);
  sink += w.bytes.byteLength > 0 ? 1 : 0;
  // The log thread hands the buffer back (log-thread.ts): reused as in the gateway.
  if (mode === "e") {
    if (w.bytes.byteLength > 0) spare = w.bytes;
    continue;
  }
  const back = decodeBatch(w);
  if (mode === "r") {
    const rows = toLogBatch(back, memo).requests;
    const now = Date.now();
    for (const row of rows) {
      if (!row.parts) continue;
      const ids = row.parts.messages.map((m) => m.id);
      if (row.parts.system) ids.push(row.parts.system.id);
      memo.remember(ids, now);
    }
    sink += rows.length;
  } else sink += back.requests.length;
  if (w.bytes.byteLength > 0) spare = w.bytes;
}
if (sink < 0) console.log(sink);
