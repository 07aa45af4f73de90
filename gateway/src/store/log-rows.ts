import type { AttemptView } from "../admin/contract.js";
import type { SpendDelta, SpendRow } from "../governance/ledger.js";
import { bucketOf } from "../governance/periods.js";
import type { AttemptRecord, RequestRecord } from "../llm/record.js";
import { cut, storedContent, toolResultJson } from "./content.js";
import type { RequestLogRow, ToolApprovalRecord, ToolCallRecord, ToolCallRow } from "./log-store.js";
import type { PartMemo } from "./prompt-parts.js";
import { redactArguments, redactText } from "./redact.js";

/** Turns what the gateway recorded into rows to store, with secrets redacted. Pure. */

const opt = (s: string | undefined): string | null => (s === undefined ? null : s);
/** Most characters of an attempt's error kept (a provider's error body can be long). */
const ATTEMPT_ERROR_CAP = 1000;
const optRedacted = (s: string | undefined): string | null => (s === undefined ? null : redactText(s));

/** User agents repeat (one or two per client): their redacted form is remembered, a few hundred at most. */
const agents = new Map<string, string>();
function redactedAgent(ua: string | undefined): string | null {
  if (ua === undefined) return null;
  let out = agents.get(ua);
  if (out === undefined) {
    out = redactText(ua);
    if (agents.size >= 256) agents.clear();
    agents.set(ua, out);
  }
  return out;
}

/** `memo`: prompt parts the writer stored lately (prompt-parts.ts), not parsed again. */
export function requestRow(r: RequestRecord, memo?: PartMemo): RequestLogRow {
  const slash = r.route?.indexOf("/") ?? -1;
  const meta: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.meta)) meta[k] = redactText(v);
  const content = r.content ? storedContent(r.content, memo) : undefined;
  const row: RequestLogRow = {
    id: r.id,
    ts: r.startedAt,
    keyId: r.keyId,
    keyName: r.keyName,
    team: opt(r.team),
    sessionId: opt(r.sessionId),
    project: opt(r.project),
    userAgent: redactedAgent(r.userAgent),
    surface: r.surface,
    endpoint: r.endpoint,
    requestedModel: r.requestedModel,
    route: opt(r.route),
    provider: opt(r.provider),
    model: r.route && slash > 0 ? r.route.slice(slash + 1) : null,
    fallbacks: r.fallbacks,
    attempts: r.attempts,
    failedAttempts: r.failedAttempts ? r.failedAttempts.map(attemptRow) : [],
    stream: r.stream,
    status: r.status,
    error: optRedacted(r.error),
    inputTokens: r.usage.inputTokens,
    outputTokens: r.usage.outputTokens,
    cacheReadTokens: r.usage.cacheReadTokens,
    cacheWriteTokens: r.usage.cacheWriteTokens,
    reasoningTokens: r.usage.reasoningTokens,
    inputEstimated: r.inputEstimated === true,
    costUsd: r.costUsd,
    costSource: r.costSource,
    latencyMs: r.latencyMs,
    ttfbMs: r.ttfbMs ?? null,
    meta,
    requestBody: content?.requestBody ?? null,
    responseBody: content?.responseBody ?? null,
    responseToolCalls: content?.responseToolCalls ?? null,
  };
  if (content) row.search = content.search;
  if (content?.parts) row.parts = content.parts;
  return row;
}

/** A failed attempt as stored: its error redacted (provider error bodies may echo a key) and capped. */
function attemptRow(a: AttemptRecord): AttemptView {
  return { ...a, error: cut(redactText(a.error), ATTEMPT_ERROR_CAP) };
}

export function toolCallRow(t: ToolCallRecord): ToolCallRow {
  return {
    id: t.id,
    ts: t.startedAt,
    keyId: t.keyId,
    keyName: t.keyName,
    team: opt(t.team),
    sessionId: opt(t.sessionId),
    server: t.server,
    tool: t.tool,
    arguments: redactArguments(t.arguments),
    resultBytes: t.resultBytes ?? null,
    latencyMs: t.latencyMs,
    status: t.status,
    error: optRedacted(t.error),
    decision: t.decision,
    decidedBy: opt(t.decidedBy),
    approval: t.approval ? approvalRow(t.approval) : null,
    approvalId: t.approvalId ?? null,
    result: t.result === undefined ? null : toolResultJson(t.result),
  };
}

/**
 * Merges waiting charges of the same 15-minute bucket and scopes into one delta each (the log
 * writer does so when thousands wait: a database that is down must not grow memory per request).
 */
export function mergeSpend(deltas: readonly SpendDelta[]): SpendDelta[] {
  const acc = new Map<string, SpendDelta & { requests: number }>();
  for (const d of deltas) {
    const id = `${bucketOf(d.at)}\u0000${d.scopes.join("\u0000")}`;
    const m = acc.get(id);
    if (m) {
      m.usd += d.usd;
      m.tokens += d.tokens;
      m.requests += d.requests ?? 1;
    } else
      acc.set(id, { at: d.at, scopes: d.scopes, usd: d.usd, tokens: d.tokens, requests: d.requests ?? 1 });
  }
  return [...acc.values()];
}

/** Sums charges per (scope, 15-minute bucket): one upsert per pair instead of one per request. */
export function spendRows(deltas: readonly SpendDelta[]): SpendRow[] {
  const acc = new Map<string, SpendRow>();
  for (const d of deltas) {
    const bucket = bucketOf(d.at);
    for (const scope of d.scopes) {
      const id = `${bucket}\u0000${scope}`;
      const row = acc.get(id);
      const requests = d.requests ?? 1;
      if (row) {
        row.usd += d.usd;
        row.tokens += d.tokens;
        row.requests += requests;
      } else acc.set(id, { scope, bucket, usd: d.usd, tokens: d.tokens, requests });
    }
  }
  return [...acc.values()];
}

/** A tool call's approval as stored: its reasons redacted (a withdrawal's may hold a server's stderr). */
function approvalRow(a: ToolApprovalRecord): ToolApprovalRecord {
  const row = { ...a, reason: redactText(a.reason) };
  if (a.decisionReason !== undefined) row.decisionReason = redactText(a.decisionReason);
  return row;
}
