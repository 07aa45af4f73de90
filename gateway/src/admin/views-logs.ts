import type { BudgetStatus } from "../governance/governance.js";
import { decisionReason } from "../mcp/withdrawn.js";
import type { RequestLogRow, ToolCallRow } from "../store/log-store.js";
import type {
  BudgetView,
  JsonValue,
  RequestLogDetail,
  RequestLogView,
  StoredPrompt,
  StoredToolCall,
  ToolApprovalView,
  ToolCallDetail,
  ToolCallView,
} from "./contract.js";

/** Log rows and budgets as the admin API shows them (contract.ts): ISO times, token counts grouped. */

export const iso = (ms: number) => new Date(ms).toISOString();

export function requestLogView(r: RequestLogRow): RequestLogView {
  return {
    id: r.id,
    time: iso(r.ts),
    keyId: r.keyId,
    keyName: r.keyName,
    team: r.team,
    sessionId: r.sessionId,
    project: r.project,
    userAgent: r.userAgent,
    surface: r.surface,
    endpoint: r.endpoint,
    requestedModel: r.requestedModel,
    route: r.route,
    provider: r.provider,
    model: r.model,
    fallbacks: r.fallbacks,
    attempts: r.attempts,
    stream: r.stream,
    status: r.status,
    error: r.error,
    usage: {
      input: r.inputTokens,
      output: r.outputTokens,
      cacheRead: r.cacheReadTokens,
      cacheWrite: r.cacheWriteTokens,
      reasoning: r.reasoningTokens,
    },
    inputEstimated: r.inputEstimated,
    costUsd: r.costUsd,
    costSource: r.costSource,
    latencyMs: r.latencyMs,
    ttfbMs: r.ttfbMs,
    meta: r.meta,
    hasContent: r.hasContent ?? (r.requestBody !== null || r.responseBody !== null),
  };
}

/** Stored text that is JSON as its value; other text (a prompt cut mid-way) stays a string. */
export function jsonOrText<T>(text: string | null): T | string | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return text;
  }
}

/** GET /api/logs/{id}: the row's view with its kept content, JSON as values. */
export function requestLogDetail(row: RequestLogRow): RequestLogDetail {
  const view = requestLogView(row);
  return {
    ...view,
    failedAttempts: row.failedAttempts,
    content: view.hasContent
      ? {
          request: jsonOrText<StoredPrompt>(row.requestBody),
          response: row.responseBody,
          toolCalls: jsonOrText<StoredToolCall[]>(row.responseToolCalls),
        }
      : null,
  };
}

/**
 * A tool-call log row as GET /api/logs/tools lists it (and GET /api/logs/tools/{id} starts from):
 * its arguments as the JSON value stored (redacted at write time), text only when not JSON.
 */
export function toolCallView(t: ToolCallRow): ToolCallView {
  const { ts, approval: _approval, result: _result, arguments: args, ...rest } = t;
  return { ...rest, time: iso(ts), arguments: jsonOrText<JsonValue>(args) };
}

/** GET /api/logs/tools/{id}: the row's view with its approval and kept result, JSON as values. */
export function toolCallDetail(t: ToolCallRow): ToolCallDetail {
  const a = t.approval;
  return {
    ...toolCallView(t),
    approval: a && {
      answer: a.answer as ToolApprovalView["answer"],
      decidedBy: a.decidedBy,
      requestedAt: iso(a.requestedAt),
      decidedAt: iso(a.decidedAt),
      waitedMs: Math.max(0, a.decidedAt - a.requestedAt),
      reason: a.reason,
      // Rows logged before the reason was kept: the words for their decidedBy.
      // (`reason` here is why the policy asked, not why the request was withdrawn).
      decisionReason:
        a.decisionReason ?? decisionReason({ answer: a.answer, decidedBy: a.decidedBy }, t.server) ?? null,
    },
    result: jsonOrText<JsonValue>(t.result),
  };
}

export function budgetView(b: BudgetStatus, kind: BudgetView["kind"], owner: string): BudgetView {
  return {
    kind,
    owner,
    name: b.name,
    scope: b.scope,
    limitUsd: b.limitUsd ?? null,
    limitTokens: b.limitTokens ?? null,
    spentUsd: b.spentUsd,
    spentTokens: b.spentTokens,
    inFlightUsd: b.inFlightUsd,
    inFlightTokens: b.inFlightTokens,
    windowStartedAt: iso(b.windowStart),
    resetsAt: b.resetsAt === undefined ? null : iso(b.resetsAt),
    exhausted: b.exhausted,
  };
}
