import type Database from "better-sqlite3";
import type { LogCounts } from "./log-store.js";

/**
 * Retention's deletes (store/retention.ts) over the log tables: request logs, tool calls and the
 * approval log (mcp_approvals, whose time is requested_at), each by the same rules.
 */

type Db = Database.Database;

const TABLES: ReadonlyArray<{ key: keyof LogCounts; table: string; ts: string }> = [
  { key: "requests", table: "request_logs", ts: "ts" },
  { key: "toolCalls", table: "tool_calls", ts: "ts" },
  { key: "approvals", table: "mcp_approvals", ts: "requested_at" },
];

function perTable(f: (table: string, ts: string, key: keyof LogCounts) => number): LogCounts {
  const out: LogCounts = { requests: 0, toolCalls: 0, approvals: 0 };
  for (const t of TABLES) out[t.key] = f(t.table, t.ts, t.key);
  return out;
}

/** Per table, at most `max` rows older than `before` or beyond the newest `keepRows`. */
export function pruneStepRows(db: Db, opts: { before: number; keepRows: number; max: number }): LogCounts {
  return perTable((table, ts) => {
    const old = db
      .prepare(
        `DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ${ts} < ? ORDER BY ${ts} LIMIT ?)`,
      )
      .run(opts.before, opts.max).changes;
    if (old >= opts.max) return old;
    const excess = db
      .prepare(
        `DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} ORDER BY ${ts} DESC LIMIT ? OFFSET ?)`,
      )
      .run(opts.max - old, opts.keepRows).changes;
    return old + excess;
  });
}

export function countRows(db: Db): LogCounts {
  return perTable((table) => Number(db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get()));
}

/** The oldest rows of each table, as many as `counts` says. */
export function pruneOldestRows(db: Db, counts: LogCounts): LogCounts {
  return perTable((table, ts, key) =>
    counts[key] <= 0
      ? 0
      : db
          .prepare(`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} ORDER BY ${ts} LIMIT ?)`)
          .run(counts[key]).changes,
  );
}

/** Every row older than `before`. */
export function pruneRowsBefore(db: Db, before: number): LogCounts {
  return perTable((table, ts) => db.prepare(`DELETE FROM ${table} WHERE ${ts} < ?`).run(before).changes);
}
