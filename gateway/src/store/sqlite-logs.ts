import type Database from "better-sqlite3";
import type { ToolSeriesGroupBy } from "../admin/contract.js";
import type { SpendRow } from "../governance/ledger.js";
import { dateOfDayNumber, offsetSpans, startOfDay, UTC } from "../governance/zoned-time.js";
import { decodeLogCursor, encodeLogCursor } from "./log-cursor.js";
import type {
  LogBatch,
  LogCounts,
  LogPage,
  LogQuery,
  LogStore,
  RequestLogRow,
  SpendGroup,
  SpendPoint,
  SpendQuery,
  ToolCallRow,
  ToolSeriesPoint,
  ToolSeriesQuery,
} from "./log-store.js";
import { PartMemo } from "./prompt-parts.js";
import {
  fromRequestDb,
  fromToolDb,
  num,
  type Param,
  REQUEST_COLUMNS,
  type RequestDbRow,
  requestValues,
  TOOL_COLUMNS,
  type ToolDbRow,
  toolValues,
} from "./sqlite-log-rows.js";
import { countRows, pruneOldestRows, pruneRowsBefore, pruneStepRows } from "./sqlite-logs-prune.js";
import { SearchIndexer, type SearchItem } from "./sqlite-logs-search.js";
import { PromptPartsTable } from "./sqlite-prompt-parts.js";

/** A list page's tool-call columns: the kept result is read only for one call's detail. */
const TOOL_LIST_COLUMNS = TOOL_COLUMNS.map((c) => (c === "result" ? "NULL AS result" : c)).join(", ");

/** Request columns a list page leaves out: the content, read (and its prompt rebuilt) for one row's detail only. */
const REQUEST_CONTENT = new Set([
  "request_body",
  "response_body",
  "response_tool_calls",
  "prompt_part_ids",
  "failed_attempts",
]);

/**
 * A list page's request columns: the content as NULL, and whether the row has any. typeof() reads
 * only the record's header, never a long value's overflow pages.
 */
const REQUEST_LIST_COLUMNS = [
  ...REQUEST_COLUMNS.map((c) => (REQUEST_CONTENT.has(c) ? `NULL AS ${c}` : c)),
  "(typeof(request_body) != 'null' OR typeof(response_body) != 'null') AS has_content",
].join(", ");

type Db = Database.Database;
type RequestListDbRow = RequestDbRow & { has_content: Param };

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

/**
 * A safe FTS5 query from what a person typed: every word must appear (each quoted, so FTS syntax
 * in the input is taken literally). Undefined when there is no word to search for. Words are runs
 * of letters, digits and combining marks, the characters FTS5's unicode61 tokenizer keeps together
 * (so `read_file` is "read" and "file"): the index has no positions (009), so a quoted string the
 * tokenizer would split is an error there (queryRequests then searches each character as a word).
 */
export function ftsQuery(text: string): string | undefined {
  const words = text.match(/[\p{L}\p{N}\p{M}]+/gu);
  if (!words) return undefined;
  return words
    .slice(0, 32)
    .map((w) => `"${w}"`)
    .join(" ");
}

/** FTS5's refusal of a quoted string its tokenizer splits in two, in an index without positions. */
function isPhraseError(e: unknown): boolean {
  return e instanceof Error && e.message.includes("phrase queries are not supported");
}

/** Request logs, tool calls and spend buckets in the gateway's SQLite database. */
export class SqliteLogStore implements LogStore {
  private readonly insertRequest: Database.Statement;
  private readonly insertTool: Database.Statement;
  private readonly upsertSpend: Database.Statement;
  /** The full-text index, fed in large batches (sqlite-logs-search.ts). */
  readonly search: SearchIndexer;
  private readonly writeAll: (b: LogBatch, fresh: SearchItem[], now: number, parts: string[]) => boolean;
  /** Prompts kept in parts (prompt-parts.ts), and the parts this store wrote lately. */
  private readonly parts: PromptPartsTable;
  readonly partMemo = new PartMemo();
  /** Set when another thread writes the rows (log-thread.ts): it indexes them, on request. */
  private remoteCatchUp: (() => Promise<void>) | undefined;

  constructor(private readonly db: Db) {
    const marks = (n: number) => Array.from({ length: n }, () => "?").join(", ");
    this.insertRequest = db.prepare(
      `INSERT OR IGNORE INTO request_logs (${REQUEST_COLUMNS.join(", ")}) VALUES (${marks(REQUEST_COLUMNS.length)})`,
    );
    this.insertTool = db.prepare(
      `INSERT OR IGNORE INTO tool_calls (${TOOL_COLUMNS.join(", ")}) VALUES (${marks(TOOL_COLUMNS.length)})`,
    );
    this.upsertSpend = db.prepare(
      `INSERT INTO spend_buckets (scope, bucket, usd, tokens, requests) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (scope, bucket) DO UPDATE SET usd = usd + excluded.usd, tokens = tokens + excluded.tokens,
         requests = requests + excluded.requests`,
    );
    this.parts = new PromptPartsTable(db);
    this.search = new SearchIndexer(db, (head, ids) => this.parts.join(head, ids));
    this.search.repair();
    /** Writes a batch; true when the search queue and `fresh` were indexed in the same transaction. */
    this.writeAll = db.transaction((b: LogBatch, fresh: SearchItem[], now: number, parts: string[]) => {
      parts.push(...this.parts.write(b.requests, now));
      for (const r of b.requests) {
        // Values as arguments, not one array: better-sqlite3 reads an array element by element
        // through V8's API, a quarter of a bare insert's cost (benchmarks.md, thirteenth round).
        const done = this.insertRequest.run(...requestValues(r));
        if (r.search && done.changes > 0)
          fresh.push({ rowid: done.lastInsertRowid, prompt: r.search.prompt, response: r.search.response });
      }
      for (const t of b.toolCalls) this.insertTool.run(...toolValues(t));
      for (const s of b.spend) this.upsertSpend.run(s.scope, s.bucket, s.usd, s.tokens, s.requests);
      const indexed = this.search.due(fresh, now);
      if (indexed) this.search.index(fresh);
      return indexed;
    });
  }

  /** Rows are written, and so indexed, by another thread: searches ask it to catch up first. */
  indexedBy(catchUp: () => Promise<void>): void {
    this.remoteCatchUp = catchUp;
  }

  /** Indexes every written row, so a search (or a delete) sees them all. */
  private async catchUpSearch(): Promise<void> {
    this.search.catchUp();
    await this.remoteCatchUp?.();
  }

  async writeBatch(batch: LogBatch): Promise<void> {
    const now = Date.now();
    const fresh: SearchItem[] = [];
    const parts: string[] = [];
    const indexed = this.writeAll(batch, fresh, now, parts);
    this.partMemo.remember(parts, now);
    this.search.committed(fresh, indexed, now);
    this.search.idleLater();
  }

  async loadSpend(horizon: number): Promise<SpendRow[]> {
    return this.db
      .prepare(
        `SELECT scope, bucket, usd, tokens, requests FROM spend_buckets WHERE bucket >= ?
         UNION ALL
         SELECT scope, 0, SUM(usd), SUM(tokens), SUM(requests) FROM spend_buckets
          WHERE bucket < ? AND (scope NOT LIKE 'session:%'
            OR scope IN (SELECT scope FROM spend_buckets WHERE bucket >= ? AND scope LIKE 'session:%'))
          GROUP BY scope`,
      )
      .all(horizon, horizon, horizon) as SpendRow[];
  }

  private where(q: LogQuery, tools: boolean): { sql: string; params: Param[] } {
    const clauses: string[] = [];
    const params: Param[] = [];
    const add = (sql: string, ...values: Param[]) => {
      clauses.push(sql);
      params.push(...values);
    };
    const eq = (col: string, v: string | undefined) => {
      if (v !== undefined) add(`${col} = ?`, v);
    };
    if (q.from !== undefined) add("ts >= ?", q.from);
    if (q.to !== undefined) add("ts < ?", q.to);
    eq("key_id", q.keyId);
    eq("key_name", q.keyName);
    eq("team", q.team);
    eq("session_id", q.sessionId);
    if (tools) {
      eq("server", q.server);
      eq("tool", q.tool);
      eq("status", q.toolStatus);
      eq("decision", q.decision);
    } else {
      eq("project", q.project);
      eq("provider", q.provider);
      if (q.model !== undefined)
        add("(requested_model = ? OR route = ? OR model = ?)", q.model, q.model, q.model);
      if (q.text !== undefined) {
        const match = ftsQuery(q.text);
        if (match === undefined) add("0");
        else add("rowid IN (SELECT rowid FROM request_search WHERE request_search MATCH ?)", match);
      }
      if (q.status === "ok") add("status < 400");
      else if (q.status === "error") add("status >= 400");
      else if (typeof q.status === "number") add("status = ?", q.status);
    }
    const cur = q.cursor !== undefined ? decodeLogCursor(q.cursor) : undefined;
    if (q.cursor !== undefined && !cur) throw new RangeError("cursor: not a nextCursor of a log page");
    if (cur) add("(ts < ? OR (ts = ? AND id < ?))", cur[0], cur[0], cur[1]);
    return { sql: clauses.length > 0 ? `WHERE ${clauses.join(" AND ")}` : "", params };
  }

  private page<D extends { ts: Param; id: Param }, R>(
    table: string,
    q: LogQuery,
    map: (d: D) => R,
    columns = "*",
  ): LogPage<R> {
    const limit = Math.max(1, Math.min(1000, q.limit ?? 100));
    const w = this.where(q, table === "tool_calls");
    const rows = this.db
      .prepare(`SELECT ${columns} FROM ${table} ${w.sql} ORDER BY ts DESC, id DESC LIMIT ?`)
      .all(...w.params, limit + 1) as D[];
    const more = rows.length > limit;
    const shown = more ? rows.slice(0, limit) : rows;
    const last = shown[shown.length - 1];
    return {
      rows: shown.map(map),
      nextCursor: more && last ? encodeLogCursor(num(last.ts), String(last.id)) : undefined,
    };
  }

  /**
   * A page of request logs without their content (prompts, responses, failed attempts): a list shows
   * only whether a row has any (hasContent); getRequest reads it, and rebuilds a prompt kept in parts.
   */
  async queryRequests(q: LogQuery): Promise<LogPage<RequestLogRow>> {
    if (q.text !== undefined) await this.catchUpSearch();
    const map = (d: RequestListDbRow) => ({ ...fromRequestDb(d), hasContent: d.has_content === 1 });
    try {
      return this.page<RequestListDbRow, RequestLogRow>("request_logs", q, map, REQUEST_LIST_COLUMNS);
    } catch (e) {
      if (q.text === undefined || !isPhraseError(e)) throw e;
      // A word the tokenizer still splits (a letter newer than SQLite's Unicode tables): each
      // character searched as a word of its own.
      return this.page<RequestListDbRow, RequestLogRow>(
        "request_logs",
        { ...q, text: [...q.text].join(" ") },
        map,
        REQUEST_LIST_COLUMNS,
      );
    }
  }

  /** A page of tool calls, without their kept results (up to 256 KiB each: getToolCall has them). */
  async queryToolCalls(q: LogQuery): Promise<LogPage<ToolCallRow>> {
    return this.page<ToolDbRow, ToolCallRow>("tool_calls", q, fromToolDb, TOOL_LIST_COLUMNS);
  }

  async spendSeries(q: SpendQuery): Promise<SpendPoint[]> {
    const group = q.groupBy ? GROUP_SQL[q.groupBy] : "NULL";
    const { from, to, keyId, keyName, team, sessionId, project } = q;
    const w = this.where({ from, to, keyId, keyName, team, sessionId, project }, false);
    return this.series<SpendPoint>(
      q,
      `SELECT ${bucketSql(q)} AS bucket, ${group} AS "group", SUM(cost_usd) AS usd, COUNT(*) AS requests,
         SUM(status >= 400) AS errors, SUM(input_tokens) AS inputTokens, SUM(output_tokens) AS outputTokens,
         SUM(cache_read_tokens) AS cacheReadTokens, SUM(cache_write_tokens) AS cacheWriteTokens
       FROM request_logs ${w.sql} GROUP BY 1, 2 ORDER BY 1, 2`,
      w.params,
    );
  }

  async toolSeries(q: ToolSeriesQuery): Promise<ToolSeriesPoint[]> {
    const group = q.groupBy ? TOOL_GROUP_SQL[q.groupBy] : "NULL";
    const byTool = q.groupBy === "tool";
    const names = `${byTool || q.groupBy === "server" ? "server" : "NULL"} AS server, ${byTool ? "tool" : "NULL"} AS tool`;
    const { from, to, keyName, team, sessionId, server, tool } = q;
    const w = this.where({ from, to, keyName, team, sessionId, server, tool }, true);
    // A denied call never ran (its latency is ~0 ms): the latency sums only the calls that ran.
    return this.series<ToolSeriesPoint>(
      q,
      `SELECT ${bucketSql(q)} AS bucket, ${group} AS "group", ${names}, COUNT(*) AS calls,
         SUM(status = 'error') AS errors, SUM(status = 'denied') AS denied, SUM(decision = 'ask') AS asked,
         SUM(CASE WHEN status = 'denied' THEN 0 ELSE latency_ms END) AS latencyMs
       FROM tool_calls ${w.sql} GROUP BY 1, 2, 3, 4 ORDER BY 1, 2`,
      w.params,
    );
  }

  /** Runs a series query made with bucketSql; day numbers in another zone become instants. */
  private series<P extends { bucket: number }>(
    q: { bucket: "hour" | "day"; timeZone?: string },
    sql: string,
    params: Param[],
  ): P[] {
    const points = this.db.prepare(sql).all(...params) as P[];
    const tz = seriesZone(q);
    if (tz !== UTC) for (const p of points) p.bucket = startOfDay(dateOfDayNumber(p.bucket), tz);
    return points;
  }

  async scopeSpend(scope: string, from: number, to: number) {
    const r = this.db
      .prepare(
        "SELECT COALESCE(SUM(usd), 0) AS usd, COALESCE(SUM(tokens), 0) AS tokens, COALESCE(SUM(requests), 0) AS requests FROM spend_buckets WHERE scope = ? AND bucket >= ? AND bucket < ?",
      )
      .get(scope, from, to) as { usd: number; tokens: number; requests: number };
    return r;
  }

  async getRequest(id: string): Promise<RequestLogRow | undefined> {
    const row = this.db.prepare("SELECT * FROM request_logs WHERE id = ?").get(id) as
      | RequestDbRow
      | undefined;
    return row ? fromRequestDb(this.joined(row)) : undefined;
  }

  async getToolCall(id: string): Promise<ToolCallRow | undefined> {
    const row = this.db.prepare("SELECT * FROM tool_calls WHERE id = ?").get(id) as ToolDbRow | undefined;
    return row ? fromToolDb(row) : undefined;
  }

  /** A request row with a prompt kept in parts gets it whole in request_body; others as they are. */
  private joined(d: RequestDbRow): RequestDbRow {
    if (typeof d.prompt_part_ids !== "string" || typeof d.request_body !== "string") return d;
    return { ...d, request_body: this.parts.join(d.request_body, d.prompt_part_ids) };
  }

  async pruneStep(opts: { before: number; keepRows: number; max: number }): Promise<LogCounts> {
    await this.catchUpSearch();
    const out = pruneStepRows(this.db, opts);
    if (out.requests > 0) this.parts.collect(Date.now());
    return out;
  }

  async usedBytes(): Promise<number> {
    const pragma = (name: string) => Number(this.db.pragma(name, { simple: true }));
    return (pragma("page_count") - pragma("freelist_count")) * pragma("page_size");
  }

  async rowCounts(): Promise<LogCounts> {
    return countRows(this.db);
  }

  async pruneOldest(counts: LogCounts): Promise<LogCounts> {
    await this.catchUpSearch();
    const out = pruneOldestRows(this.db, counts);
    if (out.requests > 0) this.parts.collect(Date.now());
    return out;
  }

  async pruneLogs(before: number): Promise<LogCounts> {
    await this.catchUpSearch();
    const out = pruneRowsBefore(this.db, before);
    if (out.requests > 0) this.parts.collect(Date.now());
    return out;
  }
}
