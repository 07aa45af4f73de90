// Writes a response body in pieces: one write per event, or cut at arbitrary byte positions.

import type { ServerResponse } from "node:http";
import { setImmediate as nextTick } from "node:timers/promises";
import { drained } from "../../gateway/src/http/drained.js";

/** "event": one socket write per event; "random": random cuts (1..32 bytes); n: cuts every n bytes. */
export type ChunkSplit = "event" | "random" | number;

/** Resolves true after `ms`, or false as soon as `signal` aborts. Never rejects. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      resolve(ok);
    };
    const onAbort = (): void => done(false);
    const timer = setTimeout(() => done(true), Math.max(0, ms));
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

export class PieceWriter {
  private pending: Buffer = Buffer.alloc(0);
  private nextSize = 0;

  constructor(
    private readonly res: ServerResponse,
    private readonly split: ChunkSplit,
    private readonly random: () => number,
    private readonly signal: AbortSignal,
  ) {}

  get alive(): boolean {
    return !this.signal.aborted && !this.res.destroyed;
  }

  /** Queues one event; returns false once the client is gone. */
  async event(data: Buffer): Promise<boolean> {
    if (this.split === "event") return this.put(data);
    this.pending = this.pending.length === 0 ? data : Buffer.concat([this.pending, data]);
    for (;;) {
      if (this.nextSize === 0) this.nextSize = this.drawSize();
      if (this.pending.length < this.nextSize) return this.alive;
      const piece = this.pending.subarray(0, this.nextSize);
      this.pending = this.pending.subarray(this.nextSize);
      this.nextSize = 0;
      if (!(await this.put(piece))) return false;
    }
  }

  /** Writes what is still queued (call before pausing or ending). */
  async flush(): Promise<boolean> {
    if (this.pending.length === 0) return this.alive;
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    return this.put(rest);
  }

  private drawSize(): number {
    if (typeof this.split === "number") return Math.max(1, Math.floor(this.split));
    return 1 + Math.floor(this.random() * 32);
  }

  private async put(data: Buffer): Promise<boolean> {
    if (!this.alive) return false;
    if (data.length > 0 && !this.res.write(data)) await drained(this.res);
    // Cut pieces: let each leave before the next one, so they really arrive separately. Whole
    // events go back to back (one write each), like a provider flushing every event.
    if (this.split !== "event") await nextTick();
    return this.alive;
  }
}
