/**
 * Logs, spend and budgets in the admin contract: GET /api/logs, /api/logs/tools, /api/logs/{id},
 * /api/logs/tools/{id}, /api/spend/tools,
 * /api/spend, /api/budgets (contract.ts re-exports it). Free of Node imports, like contract.ts.
 */

import type { ApprovalDecisionView } from "./contract-mcp.js";

/** Query of GET /api/logs and /api/logs/tools (all optional; times are ISO or ms since 1970). */
export interface LogQueryParams {
  from?: string;
  /** Exclusive. */
  to?: string;
  /** Key name. */
  key?: string;
  team?: string;
  session?: string;
  project?: string;
  /** Requested model, route (provider/model) or model id. */
  model?: string;
  provider?: string;
  /** ok (< 400), error (>= 400) or one status code. */
  status?: string;
  /** Tool calls: server and tool name. */
  server?: string;
  tool?: string;
  /** Full-text search over stored prompts and responses (keys with content: full). */
  q?: string;
  /** 1 to 500, default 100 (every paged list alike). */
  limit?: string;
  /** nextCursor of the previous page. */
  cursor?: string;
}

export interface TokenCounts {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
}

/** What every log entry says: when, and which key (with its team and session) made it. */
export interface LogEntryView {
  id: string;
  /** When the call started (ISO, UTC); the live event of the same call carries the same `time`. */
  time: string;
  keyId: string;
  keyName: string;
  team: string | null;
  sessionId: string | null;
}

/** One model call in the request log (secrets already redacted). */
export interface RequestLogView extends LogEntryView {
  project: string | null;
  userAgent: string | null;
  surface: string;
  endpoint: string;
  requestedModel: string;
  /** provider/model that answered (or was last tried). */
  route: string | null;
  provider: string | null;
  model: string | null;
  fallbacks: string[];
  attempts: number;
  stream: boolean;
  status: number;
  error: string | null;
  usage: TokenCounts;
  /**
   * usage.input is an estimate (the gateway's, made at admission), not the provider's count: the
   * stream ended (the client left, the provider broke off) before the provider reported usage, and
   * the call was charged with the estimate. False for every other call.
   */
  inputEstimated: boolean;
  costUsd: number;
  /** Where the price came from: table, override, unknown, ... */
  costSource: string | null;
  latencyMs: number;
  ttfbMs: number | null;
  /** x-gatehouse-meta-* headers. */
  meta: Record<string, string>;
  /** Prompt and response were kept (content: full): GET /api/logs/{id} returns them. */
  hasContent: boolean;
}

/** Any JSON value, as JSON.parse gives it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The prompt as the request log keeps it (content: full): tool definitions are left out. */
export interface StoredPrompt {
  model?: JsonValue;
  system?: JsonValue;
  /** Oldest first; past 256 KiB the oldest went first. */
  messages: JsonValue[];
  /** How many of the oldest messages were left out to stay within 256 KiB. */
  omitted_messages?: number;
}

/** A tool call the model made, as its response carried it. */
export interface StoredToolCall {
  name: string;
  input: JsonValue;
}

/** One upstream attempt of a model call that failed (a retry or a fallback followed, or none was left). */
export interface AttemptView {
  /** provider/model tried. */
  route: string;
  provider: string;
  model: string;
  /** The HTTP status it ended with (502 unreachable, 504 no answer in time, ...). */
  status: number;
  /** The error, as the client would have seen it (redacted, at most 1,000 characters). */
  error: string;
  latencyMs: number;
}

/** GET /api/logs/{id}: the entry with its failed attempts and what content: full kept. */
export interface RequestLogDetail extends RequestLogView {
  /**
   * The attempts that failed, in order, when the call made more than one (retries, fallbacks):
   * with a fallback that answered, each attempt before it; when every attempt failed, all of them
   * (the last is the entry's own status and error); when the client left before an answer
   * (status 499), those that had failed by then. Empty when the first attempt decided it.
   */
  failedAttempts: AttemptView[];
  content: {
    /**
     * The request as the client sent it (redacted, at most 256 KiB): a JSON value; a string only
     * when what was stored is not JSON.
     */
    request: StoredPrompt | string | null;
    /** The response's text, reassembled from the stream (redacted, at most 256 KiB): always text. */
    response: string | null;
    /** The tool calls the model made; a string only when what was stored is not JSON (cut at 256 KiB). */
    toolCalls: StoredToolCall[] | string | null;
  } | null;
}

/** One MCP tools/call. */
export interface ToolCallView extends LogEntryView {
  server: string;
  tool: string;
  /** The arguments (redacted) as a JSON value; a string only when what was stored is not JSON. */
  arguments: JsonValue | string | null;
  resultBytes: number | null;
  /** The call's own time: for a policy of ask, from the answer to the result (the wait is `approval.waitedMs`). */
  latencyMs: number;
  status: string;
  error: string | null;
  decision: string;
  /** policy, answerer:<name>, admin-api, timeout, ... */
  decidedBy: string | null;
  /**
   * The approval request a person was asked (its id in GET /api/approvals/log and in `approval`
   * events); null when no approval was asked, or the row is older than the link (migration 016).
   */
  approvalId: string | null;
}

/** How the approval request of a tool call whose policy is ask ended. */
export interface ToolApprovalView {
  /** A person's answer, or timeout, cancelled (the client went away), refused (too many waiting). */
  answer: ApprovalDecisionView["answer"];
  /** answerer:<name>, admin-api, timeout, client-cancelled, approval-limit, ... */
  decidedBy: string;
  requestedAt: string;
  decidedAt: string;
  /** How long the call waited for the answer. */
  waitedMs: number;
  /** Why the policy asked. */
  reason: string;
  /**
   * Why the gateway withdrew the request (answer `cancelled`), as a sentence: "MCP server files
   * crashed and could not be started again (last error: …)", "MCP server x needs a login …", as
   * the approval log's decisionReason says it; null for answers, timeouts and the client's cancel.
   */
  decisionReason: string | null;
}

/** GET /api/logs/tools/{id}: one tool call, with what a detail pane shows. */
export interface ToolCallDetail extends ToolCallView {
  /** The approval request, for a call whose policy is ask (decision "ask"); else null. */
  approval: ToolApprovalView | null;
  /**
   * The result as the client got it from the tool (`{ content, isError?, structuredContent? }`),
   * redacted, long strings shortened to fit 256 KiB: kept for keys with content: full only, and only
   * when the tool answered (else null: `error` says what happened). A string only when what was
   * stored is not JSON.
   */
  result: JsonValue | string | null;
}

/** Newest first; pass nextCursor back as `cursor` for the next (older) page. */
export interface LogPageView<T> {
  rows: T[];
  nextCursor: string | null;
}

export type SpendGroupBy = "model" | "route" | "provider" | "key" | "team" | "session" | "project";

/** Query of GET /api/spend. */
export interface SpendQueryParams {
  /** Default: 7 days (bucket=day) or 24 hours (bucket=hour) before `to`. */
  from?: string;
  /** Exclusive; default now. */
  to?: string;
  bucket?: "hour" | "day";
  groupBy?: SpendGroupBy;
  key?: string;
  team?: string;
  session?: string;
  project?: string;
}

export interface SpendTotals {
  usd: number;
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

export interface SpendPointView extends SpendTotals {
  /** Bucket start, ISO: a UTC hour, or local midnight (in `timezone`) of a day. */
  time: string;
  /** The group's value; null when ungrouped or the value is missing (no team, no session, ...). */
  group: string | null;
}

/** GET /api/spend: series for the graphs, from the request logs (buckets without calls are absent). */
export interface SpendSeriesView {
  from: string;
  to: string;
  bucket: "hour" | "day";
  /** settings.timezone as a zone name: day buckets start at its local midnight (hours are absolute). */
  timezone: string;
  groupBy: SpendGroupBy | null;
  points: SpendPointView[];
  /** Each group over the whole range, most expensive first (legends, tables). */
  groups: Array<SpendTotals & { group: string | null }>;
  totals: SpendTotals;
}

export type ToolSeriesGroupBy = "server" | "tool" | "key" | "team" | "session" | "status" | "decision";

/** Query of GET /api/spend/tools: the range rules of /api/spend, and the tool-call filters. */
export interface ToolSeriesQueryParams {
  from?: string;
  to?: string;
  bucket?: "hour" | "day";
  /** tool groups by server and upstream tool name (each group has `server` and `tool`). */
  groupBy?: ToolSeriesGroupBy;
  key?: string;
  team?: string;
  session?: string;
  server?: string;
  /** Tool name (upstream). */
  tool?: string;
}

export interface ToolCallTotals {
  calls: number;
  /** Answered without an error. */
  ok: number;
  /** The tool answered with an error, failed or timed out. */
  errors: number;
  /** Refused before running: by policy, key rules, budget or rate limit, or a person (or no answer). */
  denied: number;
  /** Whose policy was ask: a person (or the approval timeout) decided. */
  asked: number;
  /**
   * Average latency of the calls that ran (`calls - denied`: a refused call never ran, so its
   * ~0 ms is left out); null when none ran. For a call whose policy is ask, the call's own time,
   * without the wait for the answer (ToolCallView.latencyMs).
   */
  avgLatencyMs: number | null;
}

/** One group of GET /api/spend/tools: its key, and for groupBy server or tool its server and tool. */
export interface ToolSeriesGroupView extends ToolCallTotals {
  /**
   * The group's value, one stable key per group; null when ungrouped or the value is missing (no
   * team, no session). groupBy=tool: `server__tool` with the upstream tool name (a key to match
   * points to groups by: show `server` and `tool`, do not split it).
   */
  group: string | null;
  /** groupBy server or tool: the MCP server; else null. */
  server: string | null;
  /** groupBy tool: the upstream tool name; else null. */
  tool: string | null;
}

export interface ToolSeriesPointView extends ToolSeriesGroupView {
  /** Bucket start, ISO: a UTC hour, or local midnight (in `timezone`) of a day. */
  time: string;
}

/** GET /api/spend/tools: MCP tool calls per bucket, from the tool-call log (buckets without calls are absent). */
export interface ToolSeriesView {
  from: string;
  to: string;
  bucket: "hour" | "day";
  timezone: string;
  groupBy: ToolSeriesGroupBy | null;
  points: ToolSeriesPointView[];
  /** Each group over the whole range, most calls first. */
  groups: ToolSeriesGroupView[];
  totals: ToolCallTotals;
}

/** One budget as it stands now. */
export interface BudgetView {
  kind: "key" | "team" | "project" | "session";
  /** Key name, team name, project name, or session id. */
  owner: string;
  name: string;
  /** As refusals say it: "key 'claude-code'", "team 'backend'", ... */
  scope: string;
  limitUsd: number | null;
  limitTokens: number | null;
  spentUsd: number;
  spentTokens: number;
  /** Reserved by calls still running. */
  inFlightUsd: number;
  inFlightTokens: number;
  /** When the current window started (a total budget's: when its spend began to count). */
  windowStartedAt: string;
  /** null: never resets (total). */
  resetsAt: string | null;
  exhausted: boolean;
}

/** GET /api/budgets[?key=NAME&session=ID]. */
export interface BudgetsView {
  budgets: BudgetView[];
  /**
   * Stored keys' policies and teams' specs that could not be read, one line each: their budgets
   * are missing from `budgets` (such a key is blocked; such a team's budgets are not applied).
   */
  problems: string[];
}
