import type { SpendRow } from "../governance/ledger.js";

/**
 * What the log writer persists and what the admin API reads back: request logs, tool calls and
 * spend buckets. SQLite implements it (sqlite-logs.ts); a shared database can later.
 */

/** One MCP tools/call as the MCP gateway reports it (arguments are redacted before writing). */
export interface ToolCallRecord {
  id: string;
  startedAt: number;
  keyId: string;
  keyName: string;
  team?: string;
  sessionId?: string;
  server: string;
  tool: string;
  arguments: unknown;
  /** Size of the result sent back, in bytes (undefined when the call did not run). */
  resultBytes?: number;
  latencyMs: number;
  status: "ok" | "error" | "denied";
  error?: string;
  /** The policy's answer: allow, deny, or ask (then decidedBy says who answered). */
  decision: "allow" | "deny" | "ask";
  /** "policy", "answerer:<name>", "admin-api", "timeout", ... */
  decidedBy?: string;
}

/** A request log row, as stored (secrets already redacted). */
export interface RequestLogRow {
  id: string;
  ts: number;
  keyId: string;
  keyName: string;
  team: string | null;
  sessionId: string | null;
  project: string | null;
  userAgent: string | null;
  surface: string;
  endpoint: string;
  requestedModel: string;
  route: string | null;
  provider: string | null;
  model: string | null;
  fallbacks: string[];
  attempts: number;
  stream: boolean;
  status: number;
  error: string | null;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  costUsd: number;
  costSource: string | null;
  latencyMs: number;
  ttfbMs: number | null;
  meta: Record<string, string>;
  /** Kept only for keys with content: full (store/content.ts): the prompt as JSON, redacted. */
  requestBody: string | null;
  /** The response's text, reassembled from the stream, redacted. */
  responseBody: string | null;
  /** JSON [{ name, input }] of the tool calls the model made. */
  responseToolCalls: string | null;
  /** Written to the full-text index with the row (content: full only); never read back. */
  search?: { prompt: string; response: string };
}

export interface ToolCallRow {
  id: string;
  ts: number;
  keyId: string;
  keyName: string;
  team: string | null;
  sessionId: string | null;
  server: string;
  tool: string;
  /** Redacted JSON. */
  arguments: string | null;
  resultBytes: number | null;
  latencyMs: number;
  status: string;
  error: string | null;
  decision: string;
  decidedBy: string | null;
}

/** One flush: written in one transaction. Spend rows are deltas added to their bucket. */
export interface LogBatch {
  requests: RequestLogRow[];
  toolCalls: ToolCallRow[];
  spend: SpendRow[];
}

/** Filters for logs; `to` is exclusive; newest first; `cursor` comes from the previous page. */
export interface LogQuery {
  from?: number;
  to?: number;
  keyId?: string;
  keyName?: string;
  team?: string;
  sessionId?: string;
  project?: string;
  /** Matches the requested model or the resolved provider/model. */
  model?: string;
  provider?: string;
  /** "ok" (< 400), "error" (>= 400) or one status code. */
  status?: "ok" | "error" | number;
  /** Tool calls only. */
  server?: string;
  tool?: string;
  /** Requests only: full-text search (every word must appear) over stored prompts and responses. */
  text?: string;
  /** Default 100, at most 1000. */
  limit?: number;
  cursor?: string;
}

export interface LogPage<T> {
  rows: T[];
  /** Pass back as `cursor` for the next (older) page; undefined on the last page. */
  nextCursor: string | undefined;
}

export type SpendGroup = "model" | "route" | "provider" | "key" | "team" | "session" | "project";

/** Spend over time from the request logs (`to` exclusive). */
export interface SpendQuery {
  from: number;
  to: number;
  bucket: "hour" | "day";
  groupBy?: SpendGroup;
  keyId?: string;
  keyName?: string;
  team?: string;
  sessionId?: string;
  project?: string;
}

export interface SpendPoint {
  /** Bucket start (ms, UTC hour or day). */
  bucket: number;
  /** The group's value (null for ungrouped or a missing value). */
  group: string | null;
  usd: number;
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

export interface LogStore {
  /** Writes one batch in one transaction. */
  writeBatch(batch: LogBatch): Promise<void>;
  /** Spend buckets since `horizon`, plus per scope one row (bucket 0) summing everything older. */
  loadSpend(horizon: number): Promise<SpendRow[]>;
  queryRequests(q: LogQuery): Promise<LogPage<RequestLogRow>>;
  queryToolCalls(q: LogQuery): Promise<LogPage<ToolCallRow>>;
  spendSeries(q: SpendQuery): Promise<SpendPoint[]>;
  /** Spend of one scope ("key:ID", "team:NAME", ...) in [from, to), from the spend buckets. */
  scopeSpend(
    scope: string,
    from: number,
    to: number,
  ): Promise<{ usd: number; tokens: number; requests: number }>;
  /** One request log row by id (with its stored content), or undefined. */
  getRequest(id: string): Promise<RequestLogRow | undefined>;
  /** Deletes log rows (not spend) older than `before`; returns how many went. */
  pruneLogs(before: number): Promise<{ requests: number; toolCalls: number }>;
  /**
   * One retention step (store/retention.ts): deletes, per table, at most `max` rows that are older
   * than `before` or beyond the newest `keepRows`. Call again while a table returns `max`.
   */
  pruneStep(opts: { before: number; keepRows: number; max: number }): Promise<{
    requests: number;
    toolCalls: number;
  }>;
}
