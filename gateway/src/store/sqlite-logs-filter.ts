import { decodeLogCursor } from "./log-cursor.js";
import type { LogQuery } from "./log-store.js";
import type { Param } from "./sqlite-log-rows.js";

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
export function isPhraseError(e: unknown): boolean {
  return e instanceof Error && e.message.includes("phrase queries are not supported");
}

/**
 * The WHERE clause (and its parameters) of a log query over request_logs, or over tool_calls when
 * `tools`: time range, key, team, session, the table's own filters, words searched, and the cursor.
 * A cursor that is not a page's nextCursor is a RangeError.
 */
export function logWhere(q: LogQuery, tools: boolean): { sql: string; params: Param[] } {
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

/**
 * One page of a log list, newest first: `limit` rows and one more (which says whether a next page
 * exists). The store runs this text; test/unit/log-query-plans.test.ts asks SQLite how it runs it.
 */
export function logPageQuery(
  table: "request_logs" | "tool_calls",
  q: LogQuery,
  columns: string,
  limit: number,
): { sql: string; params: Param[] } {
  const w = logWhere(q, table === "tool_calls");
  return {
    sql: `SELECT ${columns} FROM ${table} ${w.sql} ORDER BY ts DESC, id DESC LIMIT ?`,
    params: [...w.params, limit + 1],
  };
}
