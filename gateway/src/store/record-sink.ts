import type { SpendDelta } from "../governance/ledger.js";
import type { RequestRecord } from "../llm/record.js";
import { requestRow, spendRows, toolCallRow } from "./log-rows.js";
import type { LogBatch, LogStore, ToolCallRecord } from "./log-store.js";
import type { PartMemo } from "./prompt-parts.js";

/**
 * What the log writer hands on at each flush: records as the gateway made them, not yet turned
 * into rows. Turning them into rows (parsing and redacting captured content) and storing them is
 * the sink's job: in this thread (`inlineSink`) or in the log thread (log-thread.ts).
 */
export interface RecordBatch {
  requests: RequestRecord[];
  toolCalls: ToolCallRecord[];
  spend: SpendDelta[];
}

export interface RecordSink {
  /** Converts and stores one batch in one transaction; rejects when nothing of it was stored. */
  writeRecords(batch: RecordBatch): Promise<void>;
  /** Gets ready to take batches now (a thread starts); never rejects. */
  ready?(): Promise<void>;
}

/** Rows to store from records (redacted: log-rows.ts); `memo`: the store's stored prompt parts. */
export function toLogBatch(b: RecordBatch, memo?: PartMemo): LogBatch {
  return {
    requests: b.requests.map((r) => requestRow(r, memo)),
    toolCalls: b.toolCalls.map(toolCallRow),
    spend: spendRows(b.spend),
  };
}

/** Converts and stores in the calling thread. */
export function inlineSink(store: Pick<LogStore, "writeBatch" | "partMemo">): RecordSink {
  return { writeRecords: (b) => store.writeBatch(toLogBatch(b, store.partMemo)) };
}
