import type {
  AttemptView,
  RequestLogView,
  SpendGroupBy,
  SpendTotals,
  ToolCallView,
  ToolSeriesGroupBy,
} from "../admin/contract.js";
import type { SpendRow } from "../governance/ledger.js";
import type { PartMemo, StoredParts } from "./prompt-parts.js";

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
  /** The call's own time: from its start, or for a policy of ask from the answer (not the wait). */
  latencyMs: number;
  status: "ok" | "error" | "denied";
  error?: string;
  /** The policy's answer: allow, deny, or ask (then decidedBy says who answered). */
  decision: "allow" | "deny" | "ask";
  /** "policy", "answerer:<name>", "admin-api", "timeout", ... */
  decidedBy?: string;
  /** For a call whose policy is ask: how the approval request went (times in ms). */
  approval?: ToolApprovalRecord;
  /**
   * The approval request's id (the approval log's, and the `approval` event's `request.id`), when
   * a person was asked: not for a request refused at once (approval-limit) or cancelled before it was shown.
   */
  approvalId?: string;
  /**
   * The result's JSON as the client got it, from the upstream (not the gateway's own refusals and
   * failures): kept for keys with content: full only, at most 4 MiB (gateway-mcp.ts).
   */
  result?: string;
}

/** An approval request of a tool call, as it ended. */
export interface ToolApprovalRecord {
  /** allow_once, allow_session, always, deny, timeout, cancelled or refused. */
  answer: string;
  decidedBy: string;
  requestedAt: number;
  decidedAt: number;
  /** Why the policy asked. */
  reason: string;
  /**
   * Why the gateway withdrew the request (answer cancelled: its server crashed, needs a login, …),
   * in the sentence the decision gave (withdrawn.ts); absent for answers, timeouts, the client's cancel.
   */
  decisionReason?: string;
}

/**
 * A request log row, as stored (secrets already redacted): the fields of the admin API's view
 * (admin/contract.ts, the one definition), with the time in ms, the token counts as columns and the
 * content that `content: full` keeps.
 */
export interface RequestLogRow extends Omit<RequestLogView, "time" | "usage" | "hasContent"> {
  ts: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  /** Attempts that failed when the call made more than one (redacted); empty otherwise, and in list pages. */
  failedAttempts: AttemptView[];
  /**
   * Set in list pages (queryRequests), which leave the content below and failedAttempts out (null,
   * empty): whether the row has any. Otherwise the content itself says.
   */
  hasContent?: boolean;
  /** Kept only for keys with content: full (store/content.ts): the prompt as JSON, redacted. */
  requestBody: string | null;
  /** The response's text, reassembled from the stream, redacted. */
  responseBody: string | null;
  /** JSON [{ name, input }] of the tool calls the model made. */
  responseToolCalls: string | null;
  /** Written to the full-text index with the row (content: full only); never read back. */
  search?: { prompt: string; response: string };
  /** Written: the prompt's parts when `requestBody` holds only the model (store/prompt-parts.ts). */
  parts?: StoredParts;
}

/** A tool call row, as stored: the admin API's view with the time in ms, its approval and result. */
export interface ToolCallRow extends Omit<ToolCallView, "time" | "arguments"> {
  ts: number;
  /** The arguments' JSON, redacted. */
  arguments: string | null;
  approval: ToolApprovalRecord | null;
  /** The result's JSON, redacted, long strings shortened to fit 256 KiB (content: full only); null in list pages. */
  result: string | null;
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
  toolStatus?: ToolCallRecord["status"];
  decision?: ToolCallRecord["decision"];
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

export type SpendGroup = SpendGroupBy;

/** Spend over time from the request logs (`to` exclusive). */
export interface SpendQuery {
  from: number;
  to: number;
  bucket: "hour" | "day";
  /** The zone whose local midnight starts a day bucket (default UTC); hour buckets are absolute. */
  timeZone?: string;
  groupBy?: SpendGroup;
  keyId?: string;
  keyName?: string;
  team?: string;
  sessionId?: string;
  project?: string;
}

export interface SpendPoint extends SpendTotals {
  /** Bucket start (ms): a UTC hour, or local midnight of a day in the query's zone. */
  bucket: number;
  /** The group's value (null for ungrouped or a missing value). */
  group: string | null;
}

/** Tool calls over time from the tool-call log (`to` exclusive); buckets as SpendQuery's. */
export interface ToolSeriesQuery {
  from: number;
  to: number;
  bucket: "hour" | "day";
  timeZone?: string;
  groupBy?: ToolSeriesGroupBy;
  keyName?: string;
  team?: string;
  sessionId?: string;
  server?: string;
  tool?: string;
}

export interface ToolSeriesPoint {
  bucket: number;
  group: string | null;
  /** groupBy server or tool: the group's server (else null). */
  server: string | null;
  /** groupBy tool: the group's upstream tool name (else null). */
  tool: string | null;
  calls: number;
  /** status error */
  errors: number;
  /** status denied */
  denied: number;
  /** decision ask */
  asked: number;
  /** Summed over the bucket's calls that ran (status not denied). */
  latencyMs: number;
}

/** Rows per log table: request logs, tool calls, and the approval log (mcp_approvals). */
export interface LogCounts {
  requests: number;
  toolCalls: number;
  approvals: number;
}

export interface LogStore {
  /** Writes one batch in one transaction. */
  writeBatch(batch: LogBatch): Promise<void>;
  /** Prompt parts this store wrote lately (prompt-parts.ts): rows made with it refer to them. */
  readonly partMemo?: PartMemo;
  /** Spend buckets since `horizon`, plus per scope one row (bucket 0) summing everything older. */
  loadSpend(horizon: number): Promise<SpendRow[]>;
  /** A page without the rows' content (hasContent says whether there is any): getRequest has it. */
  queryRequests(q: LogQuery): Promise<LogPage<RequestLogRow>>;
  queryToolCalls(q: LogQuery): Promise<LogPage<ToolCallRow>>;
  spendSeries(q: SpendQuery): Promise<SpendPoint[]>;
  toolSeries(q: ToolSeriesQuery): Promise<ToolSeriesPoint[]>;
  /** Spend of one scope ("key:ID", "team:NAME", ...) in [from, to), from the spend buckets. */
  scopeSpend(
    scope: string,
    from: number,
    to: number,
  ): Promise<{ usd: number; tokens: number; requests: number }>;
  /** One request log row by id (with its stored content), or undefined. */
  getRequest(id: string): Promise<RequestLogRow | undefined>;
  /** One tool call row by id (with its approval and kept result), or undefined. */
  getToolCall(id: string): Promise<ToolCallRow | undefined>;
  /** Deletes log rows (not spend) older than `before`; returns how many went. */
  pruneLogs(before: number): Promise<LogCounts>;
  /**
   * One retention step (store/retention.ts): deletes, per table, at most `max` rows that are older
   * than `before` or beyond the newest `keepRows`. Call again while a table returns `max`.
   */
  pruneStep(opts: { before: number; keepRows: number; max: number }): Promise<LogCounts>;
  /**
   * What the logs take, for size retention: the database's bytes in use (its pages less the free
   * ones; spend and keys are a tiny part). Cheap: read from the database's header.
   */
  usedBytes(): Promise<number>;
  /** Rows of each table (a count: only when they are to be pruned). */
  rowCounts(): Promise<LogCounts>;
  /** Deletes the oldest rows of each table, as many as `counts` says (size retention). */
  pruneOldest(counts: LogCounts): Promise<LogCounts>;
}
