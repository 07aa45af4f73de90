import type { SpendDelta } from "../governance/ledger.js";
import type { CapturedContent } from "../llm/capture.js";
import type { AttemptRecord, RequestRecord } from "../llm/record.js";
import type { Usage } from "../llm/usage.js";
import type { ToolApprovalRecord, ToolCallRecord } from "./log-store.js";
import type { WireReader, WireWriter } from "./log-wire-codec.js";

/**
 * Records in the log hand-off's binary form (log-wire-codec.ts), field by field in a fixed order.
 * They come back as JSON brought them before: a field that was undefined is absent, and the rows
 * made from them are the same (test/unit/property-log-wire.test.ts).
 *
 * Each *_FIELDS list names every field of its record type in the order it travels, and compiles
 * only while it names them all: a field added to a record type stops the build here until it is
 * listed, written and read (the property test checks that every listed field comes back).
 */

type Unlisted<T, L extends readonly PropertyKey[]> = Exclude<keyof T, L[number]>;
const fieldsOf =
  <T>() =>
  <const L extends readonly (keyof T)[]>(
    list: L & ([Unlisted<T, L>] extends [never] ? unknown : { unlisted: Unlisted<T, L> }),
  ): L =>
    list;

export const REQUEST_FIELDS = fieldsOf<RequestRecord>()([
  "id",
  "startedAt",
  "surface",
  "endpoint",
  "keyId",
  "keyName",
  "sessionId",
  "team",
  "project",
  "meta",
  "userAgent",
  "requestedModel",
  "route",
  "provider",
  "fallbacks",
  "attempts",
  "failedAttempts",
  "stream",
  "status",
  "error",
  "usage",
  "inputEstimated",
  "costUsd",
  "costSource",
  "latencyMs",
  "ttfbMs",
  "content",
]);
export const USAGE_FIELDS = fieldsOf<Usage>()([
  "inputTokens",
  "outputTokens",
  "cacheReadTokens",
  "cacheWriteTokens",
  "reasoningTokens",
]);
export const ATTEMPT_FIELDS = fieldsOf<AttemptRecord>()([
  "route",
  "provider",
  "model",
  "status",
  "error",
  "latencyMs",
]);
export const CONTENT_FIELDS = fieldsOf<CapturedContent>()([
  "surface",
  "stream",
  "truncated",
  "request",
  "response",
]);
export const TOOL_CALL_FIELDS = fieldsOf<ToolCallRecord>()([
  "id",
  "startedAt",
  "keyId",
  "keyName",
  "team",
  "sessionId",
  "server",
  "tool",
  "arguments",
  "resultBytes",
  "latencyMs",
  "status",
  "error",
  "decision",
  "decidedBy",
  "approval",
  "approvalId",
  "result",
]);
export const APPROVAL_FIELDS = fieldsOf<ToolApprovalRecord>()([
  "answer",
  "decidedBy",
  "requestedAt",
  "decidedAt",
  "reason",
  "decisionReason",
]);
export const SPEND_FIELDS = fieldsOf<SpendDelta>()(["at", "scopes", "usd", "tokens", "requests"]);

/** The string slots (log-wire-codec.ts): fields whose value mostly repeats from record to record. */
enum S {
  surface,
  endpoint,
  keyId,
  keyName,
  sessionId,
  team,
  project,
  userAgent,
  requestedModel,
  route,
  provider,
  error,
  costSource,
  contentSurface,
  fallback0,
  fallback1,
  attemptRoute,
  attemptProvider,
  attemptModel,
  attemptError,
  toolKeyId,
  toolKeyName,
  toolTeam,
  toolSessionId,
  server,
  tool,
  toolStatus,
  toolError,
  decision,
  decidedBy,
  approvalAnswer,
  approvalDecidedBy,
  scope0,
}
/** Scopes of a charge remembered by position (key, team, global…); later ones not. */
const SCOPE_SLOTS = 4;

/** No entry: undefined, absent from the record read back. */
const NONE = 0xffffffff;

export function writeRequest(w: WireWriter, r: RequestRecord): void {
  w.str(r.id, -1);
  w.num(r.startedAt);
  w.str(r.surface, S.surface);
  w.str(r.endpoint, S.endpoint);
  w.str(r.keyId, S.keyId);
  w.str(r.keyName, S.keyName);
  w.str(r.sessionId, S.sessionId);
  w.str(r.team, S.team);
  w.str(r.project, S.project);
  const keys = Object.keys(r.meta);
  w.count(keys.length);
  for (const k of keys) {
    w.str(k, -1);
    w.str(r.meta[k], -1);
  }
  w.str(r.userAgent, S.userAgent);
  w.str(r.requestedModel, S.requestedModel);
  w.str(r.route, S.route);
  w.str(r.provider, S.provider);
  w.count(r.fallbacks.length);
  for (let i = 0; i < r.fallbacks.length; i++) w.str(r.fallbacks[i], i < 2 ? S.fallback0 + i : -1);
  w.num(r.attempts);
  const failed = r.failedAttempts;
  w.count(failed ? failed.length : NONE);
  if (failed)
    for (const a of failed) {
      w.str(a.route, S.attemptRoute);
      w.str(a.provider, S.attemptProvider);
      w.str(a.model, S.attemptModel);
      w.num(a.status);
      w.str(a.error, S.attemptError);
      w.num(a.latencyMs);
    }
  w.bool(r.stream);
  w.num(r.status);
  w.str(r.error, S.error);
  const u = r.usage;
  w.num(u.inputTokens);
  w.num(u.outputTokens);
  w.num(u.cacheReadTokens);
  w.num(u.cacheWriteTokens);
  w.num(u.reasoningTokens);
  w.bool(r.inputEstimated);
  w.num(r.costUsd);
  w.str(r.costSource, S.costSource);
  w.num(r.latencyMs);
  w.optNum(r.ttfbMs);
  const c = r.content;
  w.bool(c !== undefined);
  if (c) {
    w.str(c.surface, S.contentSurface);
    w.bool(c.stream);
    w.bool(c.truncated);
    w.bytesOf(c.request);
    // The response's pieces (a stream's many chunks, bytes or text) travel as one run of bytes:
    // they are what the client received, in order, so their bytes joined are the same text.
    w.bytesOf(c.response);
  }
}

export function readRequest(rd: WireReader): RequestRecord {
  const id = rd.str(-1) as string;
  const startedAt = rd.num();
  const surface = rd.str(S.surface) as RequestRecord["surface"];
  const endpoint = rd.str(S.endpoint) as RequestRecord["endpoint"];
  const keyId = rd.str(S.keyId) as string;
  const keyName = rd.str(S.keyName) as string;
  const sessionId = rd.str(S.sessionId);
  const team = rd.str(S.team);
  const project = rd.str(S.project);
  const meta: Record<string, string> = {};
  for (let n = rd.count(); n > 0; n--) {
    const k = rd.str(-1) as string;
    const v = rd.str(-1);
    if (v !== undefined) setMember(meta, k, v);
  }
  const userAgent = rd.str(S.userAgent);
  const requestedModel = rd.str(S.requestedModel) as string;
  const route = rd.str(S.route);
  const provider = rd.str(S.provider);
  const fallbacks: string[] = [];
  for (let i = 0, n = rd.count(); i < n; i++) fallbacks.push(rd.str(i < 2 ? S.fallback0 + i : -1) as string);
  const attempts = rd.num();
  const nFailed = rd.count();
  let failedAttempts: AttemptRecord[] | undefined;
  if (nFailed !== NONE) {
    failedAttempts = [];
    for (let i = 0; i < nFailed; i++)
      failedAttempts.push({
        route: rd.str(S.attemptRoute) as string,
        provider: rd.str(S.attemptProvider) as string,
        model: rd.str(S.attemptModel) as string,
        status: rd.num(),
        error: rd.str(S.attemptError) as string,
        latencyMs: rd.num(),
      });
  }
  const stream = rd.bool() as boolean;
  const status = rd.num();
  const error = rd.str(S.error);
  const usage: Usage = {
    inputTokens: rd.num(),
    outputTokens: rd.num(),
    cacheReadTokens: rd.num(),
    cacheWriteTokens: rd.num(),
    reasoningTokens: rd.num(),
  };
  const inputEstimated = rd.bool();
  const costUsd = rd.num();
  const costSource = rd.str(S.costSource) as RequestRecord["costSource"];
  const latencyMs = rd.num();
  const ttfbMs = rd.optNum();
  const r = {
    id,
    startedAt,
    surface,
    endpoint,
    keyId,
    keyName,
    meta,
    requestedModel,
    fallbacks,
    attempts,
    stream,
    status,
    usage,
    costUsd,
    costSource,
    latencyMs,
  } as RequestRecord;
  if (sessionId !== undefined) r.sessionId = sessionId;
  if (team !== undefined) r.team = team;
  if (project !== undefined) r.project = project;
  if (userAgent !== undefined) r.userAgent = userAgent;
  if (route !== undefined) r.route = route;
  if (provider !== undefined) r.provider = provider;
  if (failedAttempts) r.failedAttempts = failedAttempts;
  if (error !== undefined) r.error = error;
  if (inputEstimated !== undefined) r.inputEstimated = inputEstimated;
  if (ttfbMs !== undefined) r.ttfbMs = ttfbMs;
  if (rd.bool())
    r.content = {
      surface: rd.str(S.contentSurface) as CapturedContent["surface"],
      stream: rd.bool() as boolean,
      truncated: rd.bool() as boolean,
      request: rd.bytesOf(),
      response: [rd.bytesOf()],
    };
  return r;
}

export function writeToolCall(w: WireWriter, t: ToolCallRecord): void {
  w.str(t.id, -1);
  w.num(t.startedAt);
  w.str(t.keyId, S.toolKeyId);
  w.str(t.keyName, S.toolKeyName);
  w.str(t.team, S.toolTeam);
  w.str(t.sessionId, S.toolSessionId);
  w.str(t.server, S.server);
  w.str(t.tool, S.tool);
  // Any JSON value (or none: JSON.stringify gives undefined for undefined).
  w.str(JSON.stringify(t.arguments) as string | undefined, -1);
  w.optNum(t.resultBytes);
  w.num(t.latencyMs);
  w.str(t.status, S.toolStatus);
  w.str(t.error, S.toolError);
  w.str(t.decision, S.decision);
  w.str(t.decidedBy, S.decidedBy);
  const a = t.approval;
  w.bool(a !== undefined);
  if (a) {
    w.str(a.answer, S.approvalAnswer);
    w.str(a.decidedBy, S.approvalDecidedBy);
    w.num(a.requestedAt);
    w.num(a.decidedAt);
    w.str(a.reason, -1);
    w.str(a.decisionReason, -1);
  }
  w.str(t.approvalId, -1);
  w.str(t.result, -1);
}

export function readToolCall(rd: WireReader): ToolCallRecord {
  const id = rd.str(-1) as string;
  const startedAt = rd.num();
  const keyId = rd.str(S.toolKeyId) as string;
  const keyName = rd.str(S.toolKeyName) as string;
  const team = rd.str(S.toolTeam);
  const sessionId = rd.str(S.toolSessionId);
  const server = rd.str(S.server) as string;
  const tool = rd.str(S.tool) as string;
  const args = rd.str(-1);
  const resultBytes = rd.optNum();
  const latencyMs = rd.num();
  const status = rd.str(S.toolStatus) as ToolCallRecord["status"];
  const error = rd.str(S.toolError);
  const decision = rd.str(S.decision) as ToolCallRecord["decision"];
  const decidedBy = rd.str(S.decidedBy);
  const t = { id, startedAt, keyId, keyName, server, tool, latencyMs, status, decision } as ToolCallRecord;
  if (team !== undefined) t.team = team;
  if (sessionId !== undefined) t.sessionId = sessionId;
  if (args !== undefined) t.arguments = JSON.parse(args);
  if (resultBytes !== undefined) t.resultBytes = resultBytes;
  if (error !== undefined) t.error = error;
  if (decidedBy !== undefined) t.decidedBy = decidedBy;
  if (rd.bool()) {
    const a: ToolApprovalRecord = {
      answer: rd.str(S.approvalAnswer) as string,
      decidedBy: rd.str(S.approvalDecidedBy) as string,
      requestedAt: rd.num(),
      decidedAt: rd.num(),
      reason: rd.str(-1) as string,
    };
    const decisionReason = rd.str(-1);
    if (decisionReason !== undefined) a.decisionReason = decisionReason;
    t.approval = a;
  }
  const approvalId = rd.str(-1);
  if (approvalId !== undefined) t.approvalId = approvalId;
  const result = rd.str(-1);
  if (result !== undefined) t.result = result;
  return t;
}

export function writeSpend(w: WireWriter, d: SpendDelta): void {
  w.num(d.at);
  w.count(d.scopes.length);
  for (let i = 0; i < d.scopes.length; i++) w.str(d.scopes[i], i < SCOPE_SLOTS ? S.scope0 + i : -1);
  w.num(d.usd);
  w.num(d.tokens);
  w.optNum(d.requests);
}

export function readSpend(rd: WireReader): SpendDelta {
  const at = rd.num();
  const scopes: string[] = [];
  for (let i = 0, n = rd.count(); i < n; i++)
    scopes.push(rd.str(i < SCOPE_SLOTS ? S.scope0 + i : -1) as string);
  const usd = rd.num();
  const tokens = rd.num();
  const requests = rd.optNum();
  return requests === undefined ? { at, scopes, usd, tokens } : { at, scopes, usd, tokens, requests };
}

/** Sets a member as JSON.parse does: `__proto__` too, as an own member (not the prototype). */
function setMember(o: Record<string, string>, k: string, v: string): void {
  if (k === "__proto__")
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}
