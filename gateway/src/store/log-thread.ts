import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { encodeBatch, MAX_SPARE, type WireBatch } from "./log-thread-wire.js";
import type { RecordBatch, RecordSink } from "./record-sink.js";

/**
 * The log thread: a worker thread with its own connection to the gateway's database that turns
 * records into rows (parsing and redacting captured prompts and answers) and stores them with the
 * full-text index, so none of that runs on the thread that serves requests. SQLite's WAL lets the
 * main thread read (admin API) and write (keys, settings) meanwhile.
 *
 * The protocol (log-thread-worker.ts answers): every message carries a sequence number and gets
 * one answer `{ seq, error? }`. If the thread dies, what it was given fails (the log writer keeps
 * and retries it) and the next call starts a new one. If it cannot start at all, batches are
 * converted and stored in this thread instead (`fallback`), and `onFallback` says why.
 */

export type LogThreadRequest =
  | { op: "write"; seq: number; batch: WireBatch }
  | { op: "catchUp"; seq: number }
  | { op: "close"; seq: number };

export interface LogThreadAnswer {
  seq: number;
  error?: string;
  /** A written batch's byte buffer, handed back for the next batch (transferred). */
  bytes?: ArrayBuffer;
}

export interface LogThreadData {
  /** The database file (already migrated by the main thread). */
  file: string;
}

/** The worker's entry file, next to the file this code is in (this module, or a chunk of the bundle); .ts under tsx. */
function workerFile(): string {
  const here = import.meta.url;
  return fileURLToPath(new URL(`./log-thread-worker.${here.endsWith(".ts") ? "ts" : "js"}`, here));
}

/** A worker for the entry file; TypeScript source (tests, development) loads through tsx's hooks. */
function newWorker(data: LogThreadData): Worker {
  const file = workerFile();
  const options = { workerData: data, name: "gatehouse-logs" };
  if (!file.endsWith(".ts")) return new Worker(file, options);
  const url = JSON.stringify(pathToFileURL(file).href);
  const boot = `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${url}); })`;
  return new Worker(boot, { ...options, eval: true });
}

/** The log thread's entry file when it is missing (a broken build or package), else undefined. */
export function missingLogThreadFile(): string | undefined {
  const file = workerFile();
  return existsSync(file) ? undefined : file;
}

export class ThreadLogSink implements RecordSink {
  private worker: Worker | undefined;
  private seq = 0;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private closed = false;
  /** The thread answered once: later failures are crashes, not a thread that cannot start. */
  private started = false;
  /** A buffer the thread handed back, for the next batch to be written into. */
  private spare: ArrayBuffer | undefined;
  /** Why the thread could not start: batches go to the fallback from then on. */
  private broken: Error | undefined;

  constructor(
    private readonly data: LogThreadData,
    private readonly fallback: RecordSink,
    private readonly onFallback: (why: Error) => void = () => {},
  ) {}

  async writeRecords(batch: RecordBatch): Promise<void> {
    if (this.broken) return this.fallback.writeRecords(batch);
    try {
      const wire = encodeBatch(batch, this.spare);
      if (wire.bytes === this.spare) this.spare = undefined;
      await this.call((seq) => ({ op: "write", seq, batch: wire }), [wire.bytes]);
    } catch (e) {
      if (!this.broken) throw e;
      await this.fallback.writeRecords(batch);
    }
  }

  /**
   * Starts the thread now rather than at the first batch, so its start-up (loading its modules,
   * opening the database) happens with the gateway's, not during the first requests. Resolves
   * when it answers, or when it could not start (onFallback has said why); never rejects.
   */
  ready(): Promise<void> {
    if (this.worker || this.closed || this.broken) return Promise.resolve();
    return this.call((seq) => ({ op: "catchUp", seq })).catch(() => {
      // Reported by onFallback (cannot start) or retried with the first batch (crashed).
    });
  }

  /** Indexes for search every row the thread has written (before a search or a retention pass). */
  catchUp(): Promise<void> {
    if (!this.worker || this.broken) return Promise.resolve();
    return this.call((seq) => ({ op: "catchUp", seq }));
  }

  /** Indexes what waits, closes the thread's connection and ends the thread. */
  async close(): Promise<void> {
    if (this.closed) return;
    const worker = this.worker;
    if (worker) {
      try {
        await this.call((seq) => ({ op: "close", seq }));
      } finally {
        this.closed = true;
        await worker.terminate();
      }
    }
    this.closed = true;
  }

  private call(message: (seq: number) => LogThreadRequest, transfer: ArrayBuffer[] = []): Promise<void> {
    if (this.closed) return Promise.reject(new Error("the log thread is closed"));
    const worker = this.worker ?? this.start();
    const seq = ++this.seq;
    return new Promise<void>((resolve, reject) => {
      // While an answer is awaited the thread keeps the process alive (a shutdown's last flush).
      if (this.waiting.size === 0) worker.ref();
      this.waiting.set(seq, { resolve, reject });
      try {
        worker.postMessage(message(seq), transfer);
      } catch (e) {
        this.settled(worker, seq);
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  private settled(worker: Worker, seq: number): void {
    this.waiting.delete(seq);
    if (this.waiting.size === 0) worker.unref();
  }

  private start(): Worker {
    const worker = newWorker(this.data);
    // An idle thread does not keep the process alive.
    worker.unref();
    worker.on("message", (a: LogThreadAnswer) => {
      this.started = true;
      if (a.bytes && a.bytes.byteLength <= MAX_SPARE && a.bytes.byteLength > (this.spare?.byteLength ?? 0))
        this.spare = a.bytes;
      const w = this.waiting.get(a.seq);
      if (!w) return;
      this.settled(worker, a.seq);
      if (a.error === undefined) w.resolve();
      else w.reject(new Error(a.error));
    });
    const fail = (e: Error) => {
      if (this.worker === worker) this.worker = undefined;
      if (!this.started && !this.broken && !this.closed) {
        this.broken = e;
        this.onFallback(e);
      }
      const pending = [...this.waiting.values()];
      this.waiting.clear();
      for (const w of pending) w.reject(e);
    };
    worker.on("error", (e) => fail(e instanceof Error ? e : new Error(String(e))));
    worker.on("exit", (code) => fail(new Error(`the log thread stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }
}
