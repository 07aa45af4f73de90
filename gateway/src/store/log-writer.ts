import type { SpendDelta } from "../governance/ledger.js";
import type { RequestRecord } from "../llm/record.js";
import { requestRow, spendRows, toolCallRow } from "./log-rows.js";
import type { LogBatch, LogStore, ToolCallRecord } from "./log-store.js";

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

/**
 * Writes request logs, tool calls and spend off the request path: enqueue is an array push;
 * a timer (or a full batch) writes everything queued in batches of `maxBatch`, each in one
 * transaction. A failed batch is kept and retried; stop() drains what is left.
 */
export class LogWriter {
  private requests: RequestRecord[] = [];
  private toolCalls: ToolCallRecord[] = [];
  private spend: SpendDelta[] = [];
  /** A converted batch the store refused, written first on the next try. */
  private retry: LogBatch | undefined;
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

  constructor(
    private readonly sink: Pick<LogStore, "writeBatch">,
    private readonly opts: LogWriterOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 50;
    this.maxBatch = opts.maxBatch ?? 500;
    this.retryMs = opts.retryMs ?? 1000;
  }

  get pending(): number {
    return (
      this.requests.length +
      this.toolCalls.length +
      (this.retry ? this.retry.requests.length + this.retry.toolCalls.length : 0)
    );
  }

  enqueueRequest(r: RequestRecord): void {
    this.requests.push(r);
    this.schedule(this.requests.length);
  }

  enqueueToolCall(t: ToolCallRecord): void {
    this.toolCalls.push(t);
    this.schedule(this.toolCalls.length);
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
    return this.retry !== undefined || this.requests.length + this.toolCalls.length + this.spend.length > 0;
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

  private take(): LogBatch {
    if (this.retry) {
      const b = this.retry;
      this.retry = undefined;
      return b;
    }
    const requests =
      this.requests.length <= this.maxBatch ? this.requests : this.requests.slice(0, this.maxBatch);
    this.requests = requests === this.requests ? [] : this.requests.slice(this.maxBatch);
    const tools =
      this.toolCalls.length <= this.maxBatch ? this.toolCalls : this.toolCalls.slice(0, this.maxBatch);
    this.toolCalls = tools === this.toolCalls ? [] : this.toolCalls.slice(this.maxBatch);
    const spend = this.spend;
    this.spend = [];
    return { requests: requests.map(requestRow), toolCalls: tools.map(toolCallRow), spend: spendRows(spend) };
  }

  private async drain(): Promise<void> {
    while (this.hasWork()) {
      const batch = this.take();
      try {
        await this.sink.writeBatch(batch);
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
