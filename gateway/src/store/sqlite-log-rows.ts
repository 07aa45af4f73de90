import type { AttemptView } from "../admin/contract.js";
import type { RequestLogRow, ToolApprovalRecord, ToolCallRow } from "./log-store.js";
import { partIdsColumn } from "./sqlite-prompt-parts.js";

/** Column lists and row mapping between log rows and their SQLite tables (002-logs.ts, 014, 015, 016, 017). */

export type Param = string | number | null;

export const REQUEST_COLUMNS = [
  "id",
  "ts",
  "key_id",
  "key_name",
  "team",
  "session_id",
  "project",
  "user_agent",
  "surface",
  "endpoint",
  "requested_model",
  "route",
  "provider",
  "model",
  "fallbacks",
  "attempts",
  "stream",
  "status",
  "error",
  "input_tokens",
  "output_tokens",
  "cache_read_tokens",
  "cache_write_tokens",
  "reasoning_tokens",
  "cost_usd",
  "cost_source",
  "latency_ms",
  "ttfb_ms",
  "meta",
  "request_body",
  "response_body",
  "response_tool_calls",
  "prompt_part_ids",
  "failed_attempts",
  "input_estimated",
] as const;

export const TOOL_COLUMNS = [
  "id",
  "ts",
  "key_id",
  "key_name",
  "team",
  "session_id",
  "server",
  "tool",
  "arguments",
  "result_bytes",
  "latency_ms",
  "status",
  "error",
  "decision",
  "decided_by",
  "approval",
  "result",
  "approval_id",
] as const;

export type RequestDbRow = Record<(typeof REQUEST_COLUMNS)[number], Param>;
export type ToolDbRow = Record<(typeof TOOL_COLUMNS)[number], Param>;

export function requestValues(r: RequestLogRow): Param[] {
  const out: Param[] = new Array<Param>(REQUEST_COLUMNS.length);
  putRequestValues(out, 0, r);
  return out;
}

export const hasKeys = (o: Record<string, string>): boolean => {
  for (const _ in o) return true;
  return false;
};

/** A row's values in REQUEST_COLUMNS' order, written into `out` from `at` on. */
export function putRequestValues(out: Param[], at: number, r: RequestLogRow): void {
  out[at] = r.id;
  out[at + 1] = r.ts;
  out[at + 2] = r.keyId;
  out[at + 3] = r.keyName;
  out[at + 4] = r.team;
  out[at + 5] = r.sessionId;
  out[at + 6] = r.project;
  out[at + 7] = r.userAgent;
  out[at + 8] = r.surface;
  out[at + 9] = r.endpoint;
  out[at + 10] = r.requestedModel;
  out[at + 11] = r.route;
  out[at + 12] = r.provider;
  out[at + 13] = r.model;
  out[at + 14] = r.fallbacks.length > 0 ? JSON.stringify(r.fallbacks) : null;
  out[at + 15] = r.attempts;
  out[at + 16] = r.stream ? 1 : 0;
  out[at + 17] = r.status;
  out[at + 18] = r.error;
  out[at + 19] = r.inputTokens;
  out[at + 20] = r.outputTokens;
  out[at + 21] = r.cacheReadTokens;
  out[at + 22] = r.cacheWriteTokens;
  out[at + 23] = r.reasoningTokens;
  out[at + 24] = r.costUsd;
  out[at + 25] = r.costSource;
  out[at + 26] = r.latencyMs;
  out[at + 27] = r.ttfbMs;
  out[at + 28] = hasKeys(r.meta) ? JSON.stringify(r.meta) : null;
  out[at + 29] = r.requestBody;
  out[at + 30] = r.responseBody;
  out[at + 31] = r.responseToolCalls;
  out[at + 32] = r.parts ? partIdsColumn(r.parts) : null;
  out[at + 33] = r.failedAttempts.length > 0 ? JSON.stringify(r.failedAttempts) : null;
  out[at + 34] = r.inputEstimated ? 1 : 0;
}

export function toolValues(t: ToolCallRow): Param[] {
  return [
    t.id,
    t.ts,
    t.keyId,
    t.keyName,
    t.team,
    t.sessionId,
    t.server,
    t.tool,
    t.arguments,
    t.resultBytes,
    t.latencyMs,
    t.status,
    t.error,
    t.decision,
    t.decidedBy,
    t.approval ? JSON.stringify(t.approval) : null,
    t.result,
    t.approvalId,
  ];
}

const str = (v: Param): string | null => (v === null ? null : String(v));
export const num = (v: Param): number => Number(v ?? 0);

type EntryColumns = "id" | "ts" | "key_id" | "key_name" | "team" | "session_id";

/** The columns every log entry has, request or tool call. */
function entryFromDb(r: Record<EntryColumns, Param>) {
  return {
    id: String(r.id),
    ts: num(r.ts),
    keyId: String(r.key_id),
    keyName: String(r.key_name),
    team: str(r.team),
    sessionId: str(r.session_id),
  };
}

export function fromRequestDb(r: RequestDbRow): RequestLogRow {
  return {
    ...entryFromDb(r),
    project: str(r.project),
    userAgent: str(r.user_agent),
    surface: String(r.surface),
    endpoint: String(r.endpoint),
    requestedModel: String(r.requested_model),
    route: str(r.route),
    provider: str(r.provider),
    model: str(r.model),
    fallbacks: r.fallbacks === null ? [] : (JSON.parse(String(r.fallbacks)) as string[]),
    attempts: num(r.attempts),
    failedAttempts:
      r.failed_attempts === null ? [] : (JSON.parse(String(r.failed_attempts)) as AttemptView[]),
    stream: r.stream === 1,
    status: num(r.status),
    error: str(r.error),
    inputTokens: num(r.input_tokens),
    outputTokens: num(r.output_tokens),
    cacheReadTokens: num(r.cache_read_tokens),
    cacheWriteTokens: num(r.cache_write_tokens),
    reasoningTokens: num(r.reasoning_tokens),
    inputEstimated: r.input_estimated === 1,
    costUsd: num(r.cost_usd),
    costSource: str(r.cost_source),
    latencyMs: num(r.latency_ms),
    ttfbMs: r.ttfb_ms === null ? null : num(r.ttfb_ms),
    meta: r.meta === null ? {} : (JSON.parse(String(r.meta)) as Record<string, string>),
    requestBody: str(r.request_body),
    responseBody: str(r.response_body),
    responseToolCalls: str(r.response_tool_calls),
  };
}

export function fromToolDb(r: ToolDbRow): ToolCallRow {
  return {
    ...entryFromDb(r),
    server: String(r.server),
    tool: String(r.tool),
    arguments: str(r.arguments),
    resultBytes: r.result_bytes === null ? null : num(r.result_bytes),
    latencyMs: num(r.latency_ms),
    status: String(r.status),
    error: str(r.error),
    decision: String(r.decision),
    decidedBy: str(r.decided_by),
    approval: r.approval === null ? null : (JSON.parse(String(r.approval)) as ToolApprovalRecord),
    result: str(r.result),
    approvalId: str(r.approval_id),
  };
}
