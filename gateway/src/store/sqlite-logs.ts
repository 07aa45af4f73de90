import type Database from "better-sqlite3";
import type { SpendRow } from "../governance/ledger.js";
import { encodeLogCursor } from "./log-cursor.js";
import type {
  LogBatch,
  LogCounts,
  LogPage,
  LogQuery,
  LogStore,
  RequestLogRow,
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
  TOOL_COLUMNS,
  type ToolDbRow,
  toolValues,
} from "./sqlite-log-rows.js";
import { isPhraseError, logPageQuery } from "./sqlite-logs-filter.js";
import { countRows, pruneOldestRows, pruneRowsBefore, pruneStepRows } from "./sqlite-logs-prune.js";
import { SearchIndexer, type SearchItem } from "./sqlite-logs-search.js";
import { spendSeries, toolSeries } from "./sqlite-logs-series.js";
import { PromptPartsTable } from "./sqlite-prompt-parts.js";
import { RequestInsert } from "./sqlite-request-insert.js";

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

/** Request logs, tool calls and spend buckets in the gateway's SQLite database. */
export class SqliteLogStore implements LogStore {
  private readonly insertRequest: RequestInsert;
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
    this.insertRequest = new RequestInsert(db);
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
      this.insertRequest.insert(b.requests, (r, rowid) => {
        if (r.search) fresh.push({ rowid, prompt: r.search.prompt, response: r.search.response });
      });
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

  private page<D extends { ts: Param; id: Param }, R>(
    table: "request_logs" | "tool_calls",
    q: LogQuery,
    map: (d: D) => R,
    columns = "*",
  ): LogPage<R> {
    const limit = Math.max(1, Math.min(1000, q.limit ?? 100));
    const page = logPageQuery(table, q, columns, limit);
    const rows = this.db.prepare(page.sql).all(...page.params) as D[];
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
    return spendSeries(this.db, q);
  }

  async toolSeries(q: ToolSeriesQuery): Promise<ToolSeriesPoint[]> {
    return toolSeries(this.db, q);
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
