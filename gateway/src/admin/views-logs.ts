import type { BudgetStatus } from "../governance/governance.js";
import type { RequestLogRow, ToolCallRow } from "../store/log-store.js";
import type { BudgetView, RequestLogView, ToolCallView } from "./contract.js";

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
    costUsd: r.costUsd,
    costSource: r.costSource,
    latencyMs: r.latencyMs,
    ttfbMs: r.ttfbMs,
    meta: r.meta,
    hasContent: r.requestBody !== null || r.responseBody !== null,
  };
}

export function toolCallView(t: ToolCallRow): ToolCallView {
  const { ts, ...rest } = t;
  return { ...rest, time: iso(ts) };
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
    windowStart: iso(b.windowStart),
    resetsAt: b.resetsAt === undefined ? null : iso(b.resetsAt),
    exhausted: b.exhausted,
  };
}
