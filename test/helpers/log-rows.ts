// A request log row for tests that write the store directly (retention, search, spend buckets):
// a plain 200 answer from model "m" of key "k"; each test overrides what it is about.
import { randomUUID } from "node:crypto";
import type { RequestLogRow } from "../../gateway/src/store/log-store.js";

export function requestLogRow(over: Partial<RequestLogRow> = {}): RequestLogRow {
  return {
    id: randomUUID(),
    ts: Date.now(),
    keyId: "config:k",
    keyName: "k",
    team: null,
    sessionId: null,
    project: null,
    userAgent: null,
    surface: "anthropic",
    endpoint: "messages",
    requestedModel: "m",
    route: "ant/m",
    provider: "ant",
    model: "m",
    fallbacks: [],
    attempts: 1,
    stream: false,
    status: 200,
    error: null,
    inputTokens: 1,
    outputTokens: 1,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    costUsd: 0.01,
    costSource: "table",
    latencyMs: 5,
    ttfbMs: 1,
    meta: {},
    requestBody: null,
    responseBody: null,
    responseToolCalls: null,
    ...over,
  };
}
