import type Database from "better-sqlite3";
import type { ToolSeriesGroupBy } from "../admin/contract.js";
import { dateOfDayNumber, offsetSpans, startOfDay, UTC } from "../governance/zoned-time.js";
import type { SpendGroup, SpendPoint, SpendQuery, ToolSeriesPoint, ToolSeriesQuery } from "./log-store.js";
import type { Param } from "./sqlite-log-rows.js";
import { logWhere } from "./sqlite-logs-filter.js";

/** SQL for the offset of `tz` (ms) at a row's `ts`, for rows in [from, to). Numbers only. */
function offsetSql(from: number, to: number, tz: string): string {
  const spans = offsetSpans(from, to, tz);
  if (spans.length === 1) return String(spans[0]!.offset);
  const cases = spans.slice(1).map((s, i) => `WHEN ts < ${s.start} THEN ${spans[i]!.offset}`);
  return `CASE ${cases.join(" ")} ELSE ${spans[spans.length - 1]!.offset} END`;
}

const GROUP_SQL: Record<SpendGroup, string> = {
  model: "COALESCE(model, requested_model)",
  route: "route",
  provider: "provider",
  key: "key_name",
  team: "team",
  session: "session_id",
  project: "project",
};

const TOOL_GROUP_SQL: Record<ToolSeriesGroupBy, string> = {
  server: "server",
  tool: "server || '__' || tool",
  key: "key_name",
  team: "team",
  session: "session_id",
  status: "status",
  decision: "decision",
};

/** The zone day buckets start in: the query's for days, UTC for (absolute) hours. */
function seriesZone(q: { bucket: "hour" | "day"; timeZone?: string }): string {
  return q.bucket === "day" ? (q.timeZone ?? UTC) : UTC;
}

/**
 * SQL for a row's bucket: its UTC hour or day start (ms), or, for days in another zone, its local
 * day number (each row's offset from the zone's offset spans over the range), which `series` then
 * turns into the instant that local day starts.
 */
function bucketSql(q: { from: number; to: number; bucket: "hour" | "day"; timeZone?: string }): string {
  const width = q.bucket === "hour" ? 3_600_000 : 86_400_000;
  const tz = seriesZone(q);
  return tz === UTC ? `(ts / ${width}) * ${width}` : `(ts + ${offsetSql(q.from, q.to, tz)}) / ${width}`;
}

/** Runs a series query made with bucketSql; day numbers in another zone become instants. */
function series<P extends { bucket: number }>(
  db: Database.Database,
  q: { bucket: "hour" | "day"; timeZone?: string },
  sql: string,
  params: Param[],
): P[] {
  const points = db.prepare(sql).all(...params) as P[];
  const tz = seriesZone(q);
  if (tz !== UTC) for (const p of points) p.bucket = startOfDay(dateOfDayNumber(p.bucket), tz);
  return points;
}

/** Spend, requests, errors and tokens of the request logs per hour or day, and per group if asked. */
export function spendSeries(db: Database.Database, q: SpendQuery): SpendPoint[] {
  const group = q.groupBy ? GROUP_SQL[q.groupBy] : "NULL";
  const { from, to, keyId, keyName, team, sessionId, project } = q;
  const w = logWhere({ from, to, keyId, keyName, team, sessionId, project }, false);
  return series<SpendPoint>(
    db,
    q,
    `SELECT ${bucketSql(q)} AS bucket, ${group} AS "group", SUM(cost_usd) AS usd, COUNT(*) AS requests,
       SUM(status >= 400) AS errors, SUM(input_tokens) AS inputTokens, SUM(output_tokens) AS outputTokens,
       SUM(cache_read_tokens) AS cacheReadTokens, SUM(cache_write_tokens) AS cacheWriteTokens
     FROM request_logs ${w.sql} GROUP BY 1, 2 ORDER BY 1, 2`,
    w.params,
  );
}

/** Tool calls, errors, denials, asks and latency per hour or day, and per group if asked. */
export function toolSeries(db: Database.Database, q: ToolSeriesQuery): ToolSeriesPoint[] {
  const group = q.groupBy ? TOOL_GROUP_SQL[q.groupBy] : "NULL";
  const byTool = q.groupBy === "tool";
  const names = `${byTool || q.groupBy === "server" ? "server" : "NULL"} AS server, ${byTool ? "tool" : "NULL"} AS tool`;
  const { from, to, keyName, team, sessionId, server, tool } = q;
  const w = logWhere({ from, to, keyName, team, sessionId, server, tool }, true);
  // A denied call never ran (its latency is ~0 ms): the latency sums only the calls that ran.
  return series<ToolSeriesPoint>(
    db,
    q,
    `SELECT ${bucketSql(q)} AS bucket, ${group} AS "group", ${names}, COUNT(*) AS calls,
       SUM(status = 'error') AS errors, SUM(status = 'denied') AS denied, SUM(decision = 'ask') AS asked,
       SUM(CASE WHEN status = 'denied' THEN 0 ELSE latency_ms END) AS latencyMs
     FROM tool_calls ${w.sql} GROUP BY 1, 2, 3, 4 ORDER BY 1, 2`,
    w.params,
  );
}
