import type { SpendDelta } from "../governance/ledger.js";
import type { RequestRecord } from "../llm/record.js";
import { mergeSpend } from "./log-rows.js";
import type { LogStore, ToolCallRecord } from "./log-store.js";
import { inlineSink, type RecordBatch, type RecordSink } from "./record-sink.js";

export interface LogWriterOptions {
  /** Longest time a record waits before its batch is written (default 50 ms). */
  intervalMs?: number;
  /** Rows per transaction; a full batch is written at once (default 500). */
  maxBatch?: number;
  /** Wait before retrying a batch the store refused (default 1000 ms, doubling up to 30 s). */
  retryMs?: number;
  /**
   * Rows (requests and tool calls) that may wait in memory while the store fails or lags (default
   * 200,000). Past it the oldest waiting rows are dropped and counted in `dropped`: a database
   * that stays unwritable (a full disk) must not take the gateway down with it.
   */
  maxQueuedRows?: number;
  /**
   * Bytes of captured prompts and responses and of kept tool results (keys with `content: full`)
   * that may wait in memory (default 256 MiB). Past it the oldest waiting rows lose their content
   * (they are written with their metadata only) and are counted in `contentDropped`.
   */
  maxQueuedContentBytes?: number;
  /** Store failures (the batch is kept and retried, except at stop), and rows shed to bound memory. */
  onError?: (e: unknown) => void;
}

/** Waiting spend deltas past which they are merged (mergeSpend). */
const SPEND_MERGE_AT = 10_000;

/** Bytes a captured call holds until it is written. */
function contentBytes(r: RequestRecord): number {
  const c = r.content;
  if (!c) return 0;
  let n = c.request.length;
  for (const part of c.response) n += part.length;
  return n;
}

/** Characters of a tool call's kept result (content: full) held until it is written. */
function resultBytes(t: ToolCallRecord): number {
  return t.result?.length ?? 0;
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

  /** The oldest queued item. */
  oldest(): T | undefined {
    return this.items[this.head];
  }

  /** The queued items, oldest first from the `skip`-th, while `visit` answers true. */
  visitFrom(skip: number, visit: (x: T) => boolean): void {
    for (let i = this.head + skip; i < this.items.length; i++) if (!visit(this.items[i] as T)) return;
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
  private spendMergeAt = SPEND_MERGE_AT;
  /** A batch the sink refused, written first on the next try. */
  private retry: RecordBatch | undefined;
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private failures = 0;
  /** The store's last refusal, while it keeps refusing (cleared by a written batch). */
  private lastFailure: string | undefined;
  private stopped = false;
  /** Rows ever queued, and ever taken from the queue (written, or dropped to bound memory). */
  private rowsIn = 0;
  private rowsOut = 0;
  /** A flush waits for the rows queued before it (rowsIn then): written back to back until then. */
  private flushTo = 0;
  private readonly intervalMs: number;
  private readonly maxBatch: number;
  private readonly retryMs: number;
  /** Rows written so far (requests and tool calls). */
  written = 0;
  /** Rows given up on at stop because the store kept failing. */
  lost = 0;
  /** Rows dropped unwritten because more than `maxQueuedRows` were waiting. */
  dropped = 0;
  /** Rows written without their captured content because too many bytes of it were waiting. */
  contentDropped = 0;
  /** Bytes of captured content in the queue (not in a batch being written). */
  private queuedContent = 0;
  /** How many of the oldest queued requests hold no content (shed, or never had any). */
  private contentFreeHead = 0;
  /** The same for queued tool calls and their kept results. */
  private resultFreeHead = 0;
  /** What was shed since the last batch was written (each is warned about once per outage). */
  private readonly shed = { rows: false, content: false };
  private readonly maxRows: number;
  private readonly maxContent: number;

  private readonly sink: RecordSink;

  constructor(
    sink: RecordSink | Pick<LogStore, "writeBatch">,
    private readonly opts: LogWriterOptions = {},
  ) {
    this.sink = "writeRecords" in sink ? sink : inlineSink(sink);
    this.intervalMs = opts.intervalMs ?? 50;
    this.maxBatch = opts.maxBatch ?? 500;
    this.retryMs = opts.retryMs ?? 1000;
    this.maxRows = opts.maxQueuedRows ?? 200_000;
    this.maxContent = opts.maxQueuedContentBytes ?? 256 * 1024 * 1024;
  }

  /** The store's last refusal while it keeps refusing batches; undefined when writes succeed. */
  get failing(): string | undefined {
    return this.lastFailure;
  }

  get pending(): number {
    return (
      this.requests.size +
      this.toolCalls.size +
      (this.retry ? this.retry.requests.length + this.retry.toolCalls.length : 0)
    );
  }

  enqueueRequest(r: RequestRecord): void {
    this.queuedContent += contentBytes(r);
    const queued = this.requests.push(r);
    this.rowsIn++;
    if (this.queuedContent > this.maxContent) this.shedContent();
    if (queued + this.toolCalls.size > this.maxRows) this.shedRows();
    this.schedule(queued);
  }

  enqueueToolCall(t: ToolCallRecord): void {
    if (t.result !== undefined) this.queuedContent += resultBytes(t);
    const queued = this.toolCalls.push(t);
    this.rowsIn++;
    if (this.queuedContent > this.maxContent) this.shedContent();
    if (this.requests.size + queued > this.maxRows) this.shedRows();
    this.schedule(queued);
  }

  /** The oldest waiting rows give up their captured content until the queue's is under the cap. */
  private shedContent(): void {
    let shed = 0;
    this.requests.visitFrom(this.contentFreeHead, (r) => {
      const n = contentBytes(r);
      if (n > 0) {
        r.content = undefined;
        this.queuedContent -= n;
        shed++;
      }
      this.contentFreeHead++;
      return this.queuedContent > this.maxContent;
    });
    // Then the tool results kept for content: full, the oldest first.
    if (this.queuedContent > this.maxContent) {
      this.toolCalls.visitFrom(this.resultFreeHead, (t) => {
        const n = resultBytes(t);
        if (n > 0) {
          t.result = undefined;
          this.queuedContent -= n;
          shed++;
        }
        this.resultFreeHead++;
        return this.queuedContent > this.maxContent;
      });
    }
    this.contentDropped += shed;
    this.warnShedding(
      "content",
      `waiting rows keep only their metadata, the oldest first (over ${this.maxContent} bytes of prompts waiting)`,
    );
  }

  /** The oldest waiting row (request or tool call, whichever is older) is dropped. */
  private shedRows(): void {
    while (this.requests.size + this.toolCalls.size > this.maxRows) {
      const oldestRequest = this.requests.oldest();
      const oldestTool = this.toolCalls.oldest();
      if (oldestRequest && (!oldestTool || oldestRequest.startedAt <= oldestTool.startedAt)) {
        this.requests.take(1);
        this.queuedContent -= contentBytes(oldestRequest);
        this.contentFreeHead = Math.max(0, this.contentFreeHead - 1);
      } else {
        const [t] = this.toolCalls.take(1);
        if (t) this.queuedContent -= resultBytes(t);
        this.resultFreeHead = Math.max(0, this.resultFreeHead - 1);
      }
      this.dropped++;
      this.rowsOut++;
    }
    this.warnShedding("rows", `the oldest waiting rows are dropped (over ${this.maxRows} waiting)`);
  }

  private warnShedding(kind: "rows" | "content", what: string): void {
    if (this.shed[kind]) return;
    this.shed[kind] = true;
    this.opts.onError?.(new Error(`the database is not keeping up: ${what}`));
  }

  enqueueSpend(d: SpendDelta): void {
    // Thousands waiting means the store is down or far behind: keep one delta per bucket and scopes.
    if (this.spend.push(d) >= this.spendMergeAt) {
      this.spend = mergeSpend(this.spend);
      this.spendMergeAt = Math.max(SPEND_MERGE_AT, 2 * this.spend.length);
    }
    this.schedule(0);
  }

  /**
   * Writes everything queued now; resolves when it is stored (or failed: see onError). A write
   * under way took its batch before this call, so it is waited for and then what is queued is
   * written (resolving with that write stored charges queued meanwhile only with the next timer).
   */
  async flush(): Promise<void> {
    this.flushTo = Math.max(this.flushTo, this.rowsIn);
    while (this.draining) await this.draining;
    await this.kick();
  }

  /** Starts writing the queue now (a timer, a full batch), unless a write is under way. */
  private kick(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.draining) return this.draining;
    const started = performance.now();
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      // Counted from the write's start, so what came in during it waits at most intervalMs.
      if (this.hasWork() && !this.stopped) this.schedule(0, performance.now() - started);
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

  /** Starts the timer (or a full batch's write); `elapsed`: ms the waiting rows have waited at least. */
  private schedule(queued: number, elapsed = 0): void {
    if (this.draining) return;
    if ((queued >= this.maxBatch && this.failures === 0) || this.stopped) {
      clearTimeout(this.timer);
      this.timer = undefined;
      setImmediate(() => void this.kick());
      return;
    }
    if (this.timer) return;
    const wait =
      this.failures > 0
        ? Math.min(30_000, this.retryMs * 2 ** (this.failures - 1))
        : Math.max(0, this.intervalMs - elapsed);
    this.timer = setTimeout(() => void this.kick(), wait);
    this.timer.unref();
  }

  private take(): RecordBatch {
    if (this.retry) {
      const b = this.retry;
      this.retry = undefined;
      return b;
    }
    const requests = this.requests.take(this.maxBatch);
    if (this.queuedContent > 0) for (const r of requests) this.queuedContent -= contentBytes(r);
    this.contentFreeHead = Math.max(0, this.contentFreeHead - requests.length);
    const tools = this.toolCalls.take(this.maxBatch);
    if (this.queuedContent > 0) for (const t of tools) this.queuedContent -= resultBytes(t);
    this.resultFreeHead = Math.max(0, this.resultFreeHead - tools.length);
    this.rowsOut += requests.length + tools.length;
    const spend = this.spend;
    this.spend = [];
    this.spendMergeAt = SPEND_MERGE_AT;
    return { requests, toolCalls: tools, spend };
  }

  private async drain(): Promise<void> {
    while (this.hasWork()) {
      const batch = this.take();
      try {
        await this.sink.writeRecords(batch);
        this.failures = 0;
        this.lastFailure = undefined;
        this.shed.rows = false;
        this.shed.content = false;
        this.written += batch.requests.length + batch.toolCalls.length;
      } catch (e) {
        this.failures++;
        this.lastFailure = e instanceof Error ? e.message : String(e);
        this.retry = batch;
        this.opts.onError?.(e);
        return;
      }
      // What came in while this batch was written waits for the timer, unless a full batch is
      // waiting (a backlog), a flush or a stop wants it now: under load the log thread then gets
      // one batch of ~50 ms of rows, not one batch (a message, a wake-up, a transaction, a WAL
      // commit rewriting the tables' last pages) per few rows that came in during the last write.
      // Charges alone (keys that log no rows) are merged meanwhile. (benchmarks.md, eighteenth round (b))
      if (
        !this.stopped &&
        this.rowsOut >= this.flushTo &&
        this.retry === undefined &&
        this.requests.size + this.toolCalls.size < this.maxBatch
      )
        return;
      // Let requests run between batches when a backlog is being written.
      if (this.hasWork()) await new Promise<void>((r) => setImmediate(r));
    }
  }
}
