import type { CliIo } from "./cli-logs.js";
import { terminalSafe } from "./cli-text.js";
import { usd } from "./governance/refusals.js";
import { formatLocal } from "./governance/zoned-time.js";
import type { LogStore, RequestLogRow } from "./store/log-store.js";

/**
 * How `gatehouse logs tail` prints model calls: columns padded to their widest cell, times in the
 * zone spend counts days in, and under --follow new calls as they are written.
 */

/**
 * Columns padded to their widest cell (`widths` grows to fit, so later rows can line up with
 * earlier ones); numeric columns right-aligned.
 */
export function table(
  rows: string[][],
  right: ReadonlySet<number> = new Set(),
  widths: number[] = [],
): string {
  // Cells hold what clients and providers sent (a model name, an error): never a terminal escape.
  const safe = rows.map((r) => r.map(terminalSafe));
  for (const r of safe) for (let i = 0; i < r.length; i++) widths[i] = Math.max(widths[i] ?? 0, r[i]!.length);
  return safe
    .map((r) =>
      r
        .map((c, i) =>
          right.has(i) ? c.padStart(widths[i]!) : i === r.length - 1 ? c : c.padEnd(widths[i]!),
        )
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export const int = (n: number) => Math.round(n).toLocaleString("en-US");
const secs = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

/** Most characters of an error shown in `logs tail` (whole characters: never half an emoji). */
const ERROR_CHARS = 160;

/**
 * The call's error, and the routes that failed before the one it ended on (their errors are in
 * /api/logs/{id}): without them a call answered by a fallback read as if its first route were fine.
 */
function errorCell(r: RequestLogRow): string {
  const before = r.fallbacks.join(", ");
  if (!r.error) return before ? `fallback: ${before} failed first` : "";
  const text = before ? `${r.error}; before it, ${before} failed` : r.error;
  const chars = Array.from(text);
  return chars.length > ERROR_CHARS ? `${chars.slice(0, ERROR_CHARS - 1).join("")}…` : text;
}

/** A log row's cells; its time as the wall clock reads in `tz`, the zone `spend` counts days in. */
function logLine(r: RequestLogRow, tz: string): string[] {
  return [
    formatLocal(r.ts, tz, "seconds"),
    r.keyName,
    r.route ?? r.requestedModel,
    String(r.status),
    // The columns of `spend`, counting the same: INPUT is the input not read from or written to
    // the provider's prompt cache, which CACHE READ and CACHE WRITE count.
    // "~" marks the gateway's estimate: the stream ended before the provider reported usage.
    `${r.inputEstimated ? "~" : ""}${int(r.inputTokens)}`,
    int(r.outputTokens),
    int(r.cacheReadTokens),
    int(r.cacheWriteTokens),
    usd(r.costUsd),
    secs(r.latencyMs),
    errorCell(r),
  ];
}
const logHead = (tz: string) => [
  `TIME (${tz})`,
  "KEY",
  "MODEL",
  "STATUS",
  "INPUT",
  "OUTPUT",
  "CACHE READ",
  "CACHE WRITE",
  "COST",
  "LATENCY",
  "ERROR",
];
const LOG_RIGHT = new Set([3, 4, 5, 6, 7, 8, 9]);
/**
 * Least widths of the KEY and MODEL columns under --follow, so that calls printed later line up
 * with the first screen when their names are longer than its (most are under these).
 */
export const FOLLOW_WIDTHS = [0, 12, 32];

/**
 * Prints rows of `logs tail` under the widths printed so far: a row with a longer cell than its
 * column (a long model name under --follow) widens that column from then on, and the heading is
 * printed again above it, so every line stays under a heading it lines up with.
 */
export function printLogRows(
  rows: RequestLogRow[],
  tz: string,
  widths: number[],
  io: CliIo,
  first: boolean,
): void {
  const lines = rows.map((r) => logLine(r, tz));
  // The last column (ERROR) is not padded: it never moves another.
  const widens = lines.some((l) => l.slice(0, -1).some((c, i) => terminalSafe(c).length > (widths[i] ?? 0)));
  io.out(`${table(first || widens ? [logHead(tz), ...lines] : lines, LOG_RIGHT, widths)}\n`);
}

/** Polls for rows newer than the last one printed, until io.signal aborts. */
export async function follow(
  logs: LogStore,
  filter: { keyName?: string },
  shown: RequestLogRow[],
  print: (rows: RequestLogRow[]) => void,
  io: CliIo,
): Promise<void> {
  let since = shown.length > 0 ? shown[shown.length - 1]!.ts : (io.now ?? Date.now)();
  let seen = new Set(shown.filter((r) => r.ts === since).map((r) => r.id));
  while (!io.signal?.aborted) {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, io.pollMs ?? 1000);
      io.signal?.addEventListener("abort", () => {
        clearTimeout(t);
        resolve();
      });
    });
    if (io.signal?.aborted) return;
    const fresh: RequestLogRow[] = [];
    let cursor: string | undefined;
    do {
      const page = await logs.queryRequests({
        ...filter,
        from: since,
        limit: 1000,
        ...(cursor ? { cursor } : {}),
      });
      fresh.push(...page.rows.filter((r) => !seen.has(r.id)));
      cursor = page.nextCursor;
    } while (cursor);
    if (fresh.length === 0) continue;
    fresh.reverse();
    print(fresh);
    const last = fresh[fresh.length - 1]!.ts;
    const atLast = fresh.filter((r) => r.ts === last).map((r) => r.id);
    seen = new Set(last === since ? [...seen, ...atLast] : atLast);
    since = last;
  }
}
