import type { LogCounts, LogStore } from "./log-store.js";

/**
 * Log retention: deletes request logs, tool calls and approval log entries (mcp_approvals) older
 * than `log_retention_days`, beyond the newest `log_max_rows` of each table, or, oldest first, while
 * the database holds more than `log_max_mb`; on an unref'd timer, in small steps so the event loop (and the log writer sharing the database) never
 * waits long. Spend buckets are kept: budgets need them.
 */

export interface RetentionSettings {
  /** 0: kept forever. */
  log_retention_days: number;
  /** 0: no limit. */
  log_max_rows: number;
  /** MiB of the database in use; 0 or absent: no limit. */
  log_max_mb?: number;
}

export interface RetentionOptions {
  store: Pick<LogStore, "pruneStep" | "usedBytes" | "rowCounts" | "pruneOldest">;
  /** Read at every run, so a reload applies at the next one. */
  settings: () => RetentionSettings;
  /** Between runs (default 1 hour); the first run is shortly after start. */
  intervalMs?: number;
  /** Delay of the first run (default 10 s). */
  firstRunMs?: number;
  /** Rows deleted per table per step (default 5,000). */
  stepRows?: number;
  clock?: () => number;
  onError?: (e: unknown) => void;
}

/** Rows deleted per table. */
export type Pruned = LogCounts;

const DAY_MS = 86_400_000;

/** Deletes what the settings say is past keeping; resolves with how many rows went. */
export async function pruneOnce(
  store: Pick<LogStore, "pruneStep" | "usedBytes" | "rowCounts" | "pruneOldest">,
  settings: RetentionSettings,
  opts: { now?: number; stepRows?: number } = {},
): Promise<Pruned> {
  const now = opts.now ?? Date.now();
  const max = opts.stepRows ?? 5000;
  const before = settings.log_retention_days > 0 ? now - settings.log_retention_days * DAY_MS : 0;
  const keepRows = settings.log_max_rows > 0 ? settings.log_max_rows : Number.MAX_SAFE_INTEGER;
  const total: Pruned = { requests: 0, toolCalls: 0, approvals: 0 };
  const add = (step: Pruned) => {
    total.requests += step.requests;
    total.toolCalls += step.toolCalls;
    total.approvals += step.approvals;
  };
  // Let requests and the log writer run between steps.
  const yieldNow = () => new Promise<void>((r) => setImmediate(r));
  if (before > 0 || keepRows !== Number.MAX_SAFE_INTEGER) {
    for (;;) {
      const step = await store.pruneStep({ before, keepRows, max });
      add(step);
      if (step.requests < max && step.toolCalls < max && step.approvals < max) break;
      await yieldNow();
    }
  }
  const capBytes = (settings.log_max_mb ?? 0) * 1024 * 1024;
  if (capBytes > 0) {
    // Oldest first, a share of the rows at a time that the excess suggests (freed pages are reused,
    // so the file itself does not shrink; what is in use does).
    for (;;) {
      const bytes = await store.usedBytes();
      if (bytes <= capBytes) break;
      const rows = await store.rowCounts();
      if (rows.requests + rows.toolCalls + rows.approvals === 0) break;
      const share = Math.min(0.5, (bytes - capBytes) / bytes + 0.01);
      const part = (n: number) => Math.min(max, Math.ceil(n * share));
      const step = await store.pruneOldest({
        requests: part(rows.requests),
        toolCalls: part(rows.toolCalls),
        approvals: part(rows.approvals),
      });
      add(step);
      if (step.requests + step.toolCalls + step.approvals === 0) break;
      await yieldNow();
    }
  }
  return total;
}

/** Whether two settings keep different logs (a change worth a run now, not at the next hour). */
export function retentionChanged(a: RetentionSettings, b: RetentionSettings): boolean {
  return (
    a.log_retention_days !== b.log_retention_days ||
    a.log_max_rows !== b.log_max_rows ||
    (a.log_max_mb ?? 0) !== (b.log_max_mb ?? 0)
  );
}

export interface Retention {
  /** Runs now with the settings in force (joining a run under way); resolves with what went. */
  run(): Promise<Pruned>;
  /** Runs soon in the background: after a run under way, again with the settings read then. */
  runSoon(): void;
  /** Cancels the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

/** Starts the retention timer. */
export function startRetention(opts: RetentionOptions): Retention {
  const clock = opts.clock ?? Date.now;
  let running: Promise<Pruned> | undefined;
  let again = false;
  let stopped = false;
  const run = (): Promise<Pruned> => {
    running ??= pruneOnce(opts.store, opts.settings(), {
      now: clock(),
      ...(opts.stepRows !== undefined ? { stepRows: opts.stepRows } : {}),
    }).finally(() => {
      running = undefined;
      if (again && !stopped) {
        again = false;
        tick();
      }
    });
    return running;
  };
  const tick = () => {
    if (stopped) return;
    run().catch((e: unknown) => opts.onError?.(e));
  };
  const first = setTimeout(tick, opts.firstRunMs ?? 10_000);
  first.unref();
  const every = setInterval(tick, opts.intervalMs ?? 3_600_000);
  every.unref();
  return {
    run,
    runSoon() {
      if (running) again = true;
      else tick();
    },
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(every);
      await running?.catch(() => undefined);
    },
  };
}
