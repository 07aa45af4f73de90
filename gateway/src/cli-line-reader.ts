import type { Interface } from "node:readline";

/** Waits `ms`, or less when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * Lines of input one at a time; `closed` resolves true at the end of input. `forget()` drops lines
 * typed ahead and a read nobody waits for any more: an answer counts only after its question.
 */
export function lineReader(lines: Interface): {
  read(): Promise<string | undefined>;
  forget(): void;
  closed: Promise<true>;
} {
  const buffered: string[] = [];
  let waiting: ((line: string | undefined) => void) | undefined;
  let ended = false;
  let onClosed: (v: true) => void = () => undefined;
  const closed = new Promise<true>((r) => (onClosed = r));
  lines.on("line", (line) => {
    if (waiting) {
      const w = waiting;
      waiting = undefined;
      w(line);
    } else buffered.push(line);
  });
  lines.once("close", () => {
    ended = true;
    waiting?.(undefined);
    onClosed(true);
  });
  return {
    read: () =>
      buffered.length > 0
        ? Promise.resolve(buffered.shift())
        : ended
          ? Promise.resolve(undefined)
          : new Promise((r) => (waiting = r)),
    forget: () => {
      buffered.length = 0;
      waiting = undefined;
    },
    closed,
  };
}
