import type { SpendDelta } from "../governance/ledger.js";
import type { RequestRecord } from "../llm/record.js";
import type { LogStore, ToolCallRecord } from "./log-store.js";
import { inlineSink, type RecordBatch, type RecordSink } from "./record-sink.js";

export interface LogWriterOptions {
  /** Longest time a record waits before its batch is written (default 50 ms). */
  intervalMs?: number;
  /** Rows per transaction; a full batch is written at once (default 500). */
  maxBatch?: number;
  /** Wait before retrying a batch the store refused (default 1000 ms, doubling up to 30 s). */
  retryMs?: number;
  /** Store failures (the batch is kept and retried, except at stop). */
  onError?: (e: unknown) => void;
}

/** A first-in first-out queue whose batches are taken in O(batch), however long it grows. */
class Backlog<T> {
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(x: T): number {
    this.items.push(x);
    return this.size;
  }

  take(max: number): T[] {
    if (this.head === 0 && this.items.length <= max) {
      const all = this.items;
      this.items = [];
      return all;
    }
    const out = this.items.slice(this.head, this.head + max);
    this.head += out.length;
    if (this.head >= this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 4096 && this.head * 2 >= this.items.length) {
      // Drop what was taken now and then, so memory follows the queue (amortised O(1) per item).
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return out;
  }
}

/**
 * Writes request logs, tool calls and spend off the request path: enqueue is an array push;
 * a timer (or a full batch) hands everything queued to the sink in batches of `maxBatch`, each
 * stored in one transaction. A failed batch is kept and retried; stop() drains what is left.
 * The sink converts records to rows: in the log thread (log-thread.ts), or in this thread when
 * given a LogStore.
 */
export class LogWriter {
  private readonly requests = new Backlog<RequestRecord>();
  private readonly toolCalls = new Backlog<ToolCallRecord>();
  private spend: SpendDelta[] = [];
  /** A batch the sink refused, written first on the next try. */
  private retry: RecordBatch | undefined;
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private failures = 0;
  private stopped = false;
  private readonly intervalMs: number;
  private readonly maxBatch: number;
  private readonly retryMs: number;
  /** Rows written so far (requests and tool calls). */
  written = 0;
  /** Rows given up on at stop because the store kept failing. */
  lost = 0;

  private readonly sink: RecordSink;

  constructor(
    sink: RecordSink | Pick<LogStore, "writeBatch">,
    private readonly opts: LogWriterOptions = {},
  ) {
    this.sink = "writeRecords" in sink ? sink : inlineSink(sink);
    this.intervalMs = opts.intervalMs ?? 50;
    this.maxBatch = opts.maxBatch ?? 500;
    this.retryMs = opts.retryMs ?? 1000;
  }

  get pending(): number {
    return (
      this.requests.size +
      this.toolCalls.size +
      (this.retry ? this.retry.requests.length + this.retry.toolCalls.length : 0)
    );
  }

  enqueueRequest(r: RequestRecord): void {
    this.schedule(this.requests.push(r));
  }

  enqueueToolCall(t: ToolCallRecord): void {
    this.schedule(this.toolCalls.push(t));
  }

  enqueueSpend(d: SpendDelta): void {
    this.spend.push(d);
    this.schedule(0);
  }

  /** Writes everything queued now; resolves when it is stored (or failed: see onError). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
      if (this.hasWork() && !this.stopped) this.schedule(0);
    });
    return this.draining;
  }

  /** Drains the queue (retrying a refused batch a few times), then accepts no more timers. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    // A batch already taken from the queue is not "work" any more: wait until it has landed.
    if (this.draining) await this.draining;
    for (let attempt = 0; attempt < 3 && this.hasWork(); attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * attempt));
      await this.flush();
    }
    if (this.hasWork()) {
      this.lost += this.pending;
      this.opts.onError?.(new Error(`log writer stopped with ${this.pending} rows unwritten`));
    }
  }

  private hasWork(): boolean {
    return this.retry !== undefined || this.requests.size + this.toolCalls.size + this.spend.length > 0;
  }

  private schedule(queued: number): void {
    if (this.draining) return;
    if ((queued >= this.maxBatch && this.failures === 0) || this.stopped) {
      clearTimeout(this.timer);
      this.timer = undefined;
      setImmediate(() => void this.flush());
      return;
    }
    if (this.timer) return;
    const wait =
      this.failures > 0 ? Math.min(30_000, this.retryMs * 2 ** (this.failures - 1)) : this.intervalMs;
    this.timer = setTimeout(() => void this.flush(), wait);
    this.timer.unref();
  }

  private take(): RecordBatch {
    if (this.retry) {
      const b = this.retry;
      this.retry = undefined;
      return b;
    }
    const requests = this.requests.take(this.maxBatch);
    const tools = this.toolCalls.take(this.maxBatch);
    const spend = this.spend;
    this.spend = [];
    return { requests, toolCalls: tools, spend };
  }

  private async drain(): Promise<void> {
    while (this.hasWork()) {
      const batch = this.take();
      try {
        await this.sink.writeRecords(batch);
        this.failures = 0;
        this.written += batch.requests.length + batch.toolCalls.length;
      } catch (e) {
        this.failures++;
        this.retry = batch;
        this.opts.onError?.(e);
        return;
      }
      // Let requests run between batches when a backlog is being written.
      if (this.hasWork()) await new Promise<void>((r) => setImmediate(r));
    }
  }
}
