import { EventEmitter } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * A request's abort switch, for the model-call path: the client going away aborts the upstream
 * call. An AbortController costs a few µs per request (an EventTarget, and undici's listeners on
 * it); undici accepts an EventEmitter with `aborted` as a signal just as well, at a fraction of it.
 */
export class RequestAbort extends EventEmitter {
  aborted = false;

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.emit("abort");
  }
}

/** What the upstream call can be aborted with. */
export type CallSignal = AbortSignal | RequestAbort;

/** Waits `ms`, or less when `signal` aborts (never rejects). */
export function pause(ms: number, signal: CallSignal): Promise<void> {
  if (!(signal instanceof RequestAbort)) return sleep(ms, undefined, { signal }).catch(() => undefined);
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.off("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.once("abort", done);
  });
}
