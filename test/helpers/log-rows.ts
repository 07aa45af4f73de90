// Request log rows and tool call rows for tests that write the store directly (retention, search,
// spend series), and request and tool call records for tests of the log writer: a plain 200
// answer of key "k"; each test overrides what it is about.
import { randomUUID } from "node:crypto";
import type { RequestRecord } from "../../gateway/src/llm/record.js";
import { emptyUsage } from "../../gateway/src/llm/usage.js";
import type { RequestLogRow, ToolCallRecord, ToolCallRow } from "../../gateway/src/store/log-store.js";

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
    failedAttempts: [],
    stream: false,
    status: 200,
    error: null,
    inputTokens: 1,
    outputTokens: 1,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    inputEstimated: false,
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

/** A model call's record as the gateway makes it (the log writer's input): a plain 200 answer. */
export function requestRecord(over: Partial<RequestRecord> = {}): RequestRecord {
  return {
    id: randomUUID(),
    startedAt: Date.now(),
    surface: "anthropic",
    endpoint: "messages",
    keyId: "config:k",
    keyName: "k",
    sessionId: "s-1",
    meta: {},
    userAgent: "claude-cli/2.1 (external, cli)",
    requestedModel: "claude-sonnet-4-5",
    route: "anthropic/claude-sonnet-4-5",
    provider: "anthropic",
    fallbacks: [],
    attempts: 1,
    stream: false,
    status: 200,
    error: undefined,
    usage: { ...emptyUsage(), inputTokens: 10, outputTokens: 5 },
    costUsd: 0.01,
    costSource: "table",
    latencyMs: 12.5,
    ttfbMs: 3,
    ...over,
  };
}

/**
 * The `i`th of a series of model calls a minute apart from 2026-03-01T10:00Z (id r-00000i): two
 * sessions taking turns, every third on openai/gpt-5, every tenth a 502.
 */
export function seriesRecord(i: number, over: Partial<RequestRecord> = {}): RequestRecord {
  return requestRecord({
    id: `r-${String(i).padStart(6, "0")}`,
    startedAt: Date.parse("2026-03-01T10:00:00Z") + i * 60_000,
    sessionId: i % 2 === 0 ? "s-even" : "s-odd",
    route: i % 3 === 0 ? "openai/gpt-5" : "anthropic/claude-sonnet-4-5",
    provider: i % 3 === 0 ? "openai" : "anthropic",
    stream: true,
    status: i % 10 === 9 ? 502 : 200,
    ...over,
  });
}

/** Tool call "t1" at 2026-03-01T10:00Z with these arguments. */
export function toolCallWith(args: unknown, over: Partial<ToolCallRecord> = {}): ToolCallRecord {
  return toolCallRecord({
    id: "t1",
    startedAt: Date.parse("2026-03-01T10:00:00Z"),
    arguments: args,
    ...over,
  });
}

/** An MCP tool call's record as the gateway makes it (the log writer's input): a file written, a person said yes. */
export function toolCallRecord(over: Partial<ToolCallRecord> = {}): ToolCallRecord {
  return {
    id: randomUUID(),
    startedAt: Date.now(),
    keyId: "config:k",
    keyName: "k",
    server: "files",
    tool: "write_file",
    arguments: {},
    resultBytes: 120,
    latencyMs: 4,
    status: "ok",
    decision: "ask",
    decidedBy: "answerer:alice",
    ...over,
  };
}

/** A tool call row as stored: an allowed call of files/read_file by key "k" that went well. */
export function toolCallLogRow(over: Partial<ToolCallRow> = {}): ToolCallRow {
  return {
    id: randomUUID(),
    ts: Date.now(),
    keyId: "config:k",
    keyName: "k",
    team: null,
    sessionId: null,
    server: "files",
    tool: "read_file",
    arguments: "{}",
    resultBytes: 10,
    latencyMs: 4,
    status: "ok",
    error: null,
    decision: "allow",
    decidedBy: "policy:default",
    approval: null,
    approvalId: null,
    result: null,
    ...over,
  };
}
