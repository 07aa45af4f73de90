import { WireReader, WireWriter } from "./log-wire-codec.js";
import {
  readRequest,
  readSpend,
  readToolCall,
  writeRequest,
  writeSpend,
  writeToolCall,
} from "./log-wire-records.js";
import type { RecordBatch } from "./record-sink.js";

/**
 * How a batch of records crosses to the log thread: written field by field in a binary form
 * (log-wire-records.ts) into one buffer, captured bytes (prompts, answers) included, and the
 * buffer transferred, not copied. Structured cloning the records instead copies each field name
 * and each captured Buffer's whole backing pool; JSON texts of them cost ~26k instructions per
 * record to write on the event loop (docs/benchmarks.md, "Twentieth round"), and a text over 128
 * KiB is a "large object" with memory of its own, fresh pages each time, which cost about 1.2 ms
 * per 250 KiB message on this project's benchmark machine. The log thread hands the buffer back
 * (log-thread.ts), so the next batch is written into memory already paged in.
 *
 * The buffer holds three counts (charges, tool calls, requests), then the records in that order.
 */
export interface WireBatch {
  bytes: ArrayBuffer;
}

/** The smallest buffer worth keeping for reuse, and the largest kept. */
const MIN_BUFFER = 256 * 1024;
export const MAX_SPARE = 32 * 1024 * 1024;
/** Bytes a record's fields take, about (a request's without content is ~500). */
const RECORD_GUESS = 1024;

/**
 * `spare`: a buffer a previous batch travelled in, handed back by the log thread; reused when big
 * enough (the batch goes in another buffer when it is not, or grows out of it).
 */
export function encodeBatch(b: RecordBatch, spare?: ArrayBuffer): WireBatch {
  let size = 12 + RECORD_GUESS * (b.requests.length + b.toolCalls.length + b.spend.length);
  for (const r of b.requests) {
    if (!r.content) continue;
    size += r.content.request.byteLength;
    for (const x of r.content.response) size += typeof x === "string" ? 3 * x.length : x.byteLength;
  }
  const w = new WireWriter(
    spare && spare.byteLength >= size
      ? spare
      : new ArrayBuffer(Math.max(MIN_BUFFER, 2 ** Math.ceil(Math.log2(size)))),
  );
  w.count(b.spend.length);
  w.count(b.toolCalls.length);
  w.count(b.requests.length);
  for (const d of b.spend) writeSpend(w, d);
  for (const t of b.toolCalls) writeToolCall(w, t);
  for (const r of b.requests) writeRequest(w, r);
  return { bytes: w.bytes };
}

export function decodeBatch(wire: WireBatch): RecordBatch {
  const rd = new WireReader(wire.bytes);
  const spend = new Array(rd.count());
  const toolCalls = new Array(rd.count());
  const requests = new Array(rd.count());
  for (let i = 0; i < spend.length; i++) spend[i] = readSpend(rd);
  for (let i = 0; i < toolCalls.length; i++) toolCalls[i] = readToolCall(rd);
  for (let i = 0; i < requests.length; i++) requests[i] = readRequest(rd);
  return { requests, toolCalls, spend };
}
