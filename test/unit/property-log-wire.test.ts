// Property: a batch of records crosses to the log thread (log-thread-wire.ts, binary) exactly as
// its JSON did before: every field comes back as JSON.parse(JSON.stringify(field)) gave it
// (undefined members dropped, -0 as 0, NaN and infinities as null), captured content as the same
// bytes, and the rows stored from it are the same, whatever the strings hold (quotes, NUL, lone
// surrogates, emoji, empty, long) and whichever optional fields are set.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import type { SpendDelta } from "../../gateway/src/governance/ledger.js";
import type { AttemptRecord, RequestRecord } from "../../gateway/src/llm/record.js";
import type { ToolCallRecord } from "../../gateway/src/store/log-store.js";
import { decodeBatch, encodeBatch } from "../../gateway/src/store/log-thread-wire.js";
import {
  APPROVAL_FIELDS,
  ATTEMPT_FIELDS,
  CONTENT_FIELDS,
  REQUEST_FIELDS,
  SPEND_FIELDS,
  TOOL_CALL_FIELDS,
  USAGE_FIELDS,
} from "../../gateway/src/store/log-wire-records.js";
import { type RecordBatch, toLogBatch } from "../../gateway/src/store/record-sink.js";
import { requestRecord, toolCallRecord } from "../helpers/log-rows.js";

const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
/** Strings that repeat from record to record (as keys, models and routes do), and any others. */
const str = fc.oneof(
  fc.constantFrom("", "k", "config:k", 'say "hi"', "a\u0000b", "\ud800", "x\udc00", "😀", "é→\\", "anth/m"),
  fc.string({ unit: codeUnit, maxLength: 12 }),
  fc.string({ unit: codeUnit, minLength: 41, maxLength: 90 }),
  fc.string({ unit: "grapheme", maxLength: 60 }),
);
const optStr = fc.option(str, { nil: undefined });
const num = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    1,
    -1,
    0.5,
    -2.75,
    1e21,
    2 ** 53 + 2,
    1.7e308,
    5e-324,
    Number.NaN,
    Number.POSITIVE_INFINITY,
  ),
  fc.double(),
  fc.integer(),
);
const optNum = fc.option(num, { nil: undefined });
const bytes = fc.uint8Array({ maxLength: 40 }).map((u) => Buffer.from(u));

const attempt: fc.Arbitrary<AttemptRecord> = fc.record({
  route: str,
  provider: str,
  model: str,
  status: num,
  error: str,
  latencyMs: num,
});
const content = fc.record({
  surface: fc.constantFrom("anthropic" as const, "openai" as const),
  stream: fc.boolean(),
  truncated: fc.boolean(),
  request: bytes,
  response: fc.array(fc.oneof(str, bytes), { maxLength: 4 }),
});
/** `{ requiredKeys: [] }`: an optional field is absent or present (undefined or not) at random. */
const request: fc.Arbitrary<RequestRecord> = fc.record(
  {
    id: str,
    startedAt: num,
    surface: fc.constantFrom("anthropic" as const, "openai" as const),
    endpoint: fc.constantFrom("messages" as const, "chat" as const, "count_tokens" as const),
    keyId: str,
    keyName: str,
    sessionId: optStr,
    team: optStr,
    project: optStr,
    meta: fc
      .array(fc.tuple(fc.oneof(str, fc.constant("__proto__")), str), { maxLength: 4 })
      .map((e) => Object.fromEntries(e)),
    userAgent: optStr,
    requestedModel: str,
    route: optStr,
    provider: optStr,
    fallbacks: fc.array(str, { maxLength: 3 }),
    attempts: num,
    failedAttempts: fc.option(fc.array(attempt, { maxLength: 3 }), { nil: undefined }),
    stream: fc.boolean(),
    status: num,
    error: optStr,
    usage: fc.record({
      inputTokens: num,
      outputTokens: num,
      cacheReadTokens: num,
      cacheWriteTokens: num,
      reasoningTokens: num,
    }),
    inputEstimated: fc.option(fc.boolean(), { nil: undefined }),
    costUsd: num,
    costSource: fc.constantFrom("table" as const, "override" as const, "unknown" as const),
    latencyMs: num,
    ttfbMs: optNum,
    content: fc.option(content, { nil: undefined }),
  },
  {
    requiredKeys: [
      ...(["id", "startedAt", "surface", "endpoint", "keyId", "keyName", "sessionId", "meta"] as const),
      ...(["userAgent", "requestedModel", "route", "provider", "fallbacks", "attempts", "stream"] as const),
      ...(["status", "error", "usage", "costUsd", "costSource", "latencyMs", "ttfbMs"] as const),
    ],
  },
) as fc.Arbitrary<RequestRecord>;
const toolCall: fc.Arbitrary<ToolCallRecord> = fc.record(
  {
    id: str,
    startedAt: num,
    keyId: str,
    keyName: str,
    team: optStr,
    sessionId: optStr,
    server: str,
    tool: str,
    arguments: fc.oneof(
      fc.jsonValue(),
      fc.constant({ a: undefined, b: [undefined, -0] }),
      fc.constant(undefined),
    ),
    resultBytes: optNum,
    latencyMs: num,
    status: fc.constantFrom("ok" as const, "error" as const, "denied" as const),
    error: optStr,
    decision: fc.constantFrom("allow" as const, "deny" as const, "ask" as const),
    decidedBy: optStr,
    approval: fc.option(
      fc.record(
        { answer: str, decidedBy: str, requestedAt: num, decidedAt: num, reason: str, decisionReason: str },
        { requiredKeys: ["answer", "decidedBy", "requestedAt", "decidedAt", "reason"] },
      ),
      { nil: undefined },
    ),
    approvalId: optStr,
    result: optStr,
  },
  {
    requiredKeys: [
      "id",
      "startedAt",
      "keyId",
      "keyName",
      "server",
      "arguments",
      "tool",
      "latencyMs",
      "status",
      "decision",
    ],
  },
) as fc.Arbitrary<ToolCallRecord>;
const spend: fc.Arbitrary<SpendDelta> = fc.record(
  { at: num, scopes: fc.array(str, { maxLength: 6 }), usd: num, tokens: num, requests: optNum },
  { requiredKeys: ["at", "scopes", "usd", "tokens"] },
);
const batch: fc.Arbitrary<RecordBatch> = fc.record({
  requests: fc.array(request, { maxLength: 6 }),
  toolCalls: fc.array(toolCall, { maxLength: 3 }),
  spend: fc.array(spend, { maxLength: 3 }),
});

const viaJson = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

/** What the JSON hand-off gave the log thread: the fields through JSON, the content's bytes joined. */
function asBefore(b: RecordBatch): RecordBatch {
  const requests = b.requests.map((r): RequestRecord => {
    const { content: c, ...fields } = r;
    const out = viaJson(fields) as RequestRecord;
    if (!c) return out;
    const response = Buffer.concat(c.response.map((x) => (typeof x === "string" ? Buffer.from(x) : x)));
    return { ...out, content: { ...viaJson(c), request: c.request, response: [response] } };
  });
  return { requests, toolCalls: viaJson(b.toolCalls), spend: viaJson(b.spend) };
}

/** Content bytes as plain arrays (a view into the batch's buffer and a Buffer compare alike). */
function plain(b: RecordBatch): RecordBatch {
  const requests = b.requests.map((r) => {
    const c = r.content;
    if (!c) return r;
    return {
      ...r,
      content: { ...c, request: [...c.request], response: c.response.map((x) => [...(x as Uint8Array)]) },
    };
  }) as unknown as RequestRecord[];
  return { ...b, requests };
}

describe("the log hand-off's binary form", () => {
  test("a batch comes back as its JSON did, and is stored as the same rows", () => {
    let spare: ArrayBuffer | undefined;
    fc.assert(
      fc.property(batch, fc.boolean(), (b, reuse) => {
        // A small spare buffer is outgrown, a big one reused: both paths are taken.
        const wire = encodeBatch(b, reuse ? spare : undefined);
        spare = wire.bytes;
        const back = decodeBatch(wire);
        const before = asBefore(b);
        assert.deepStrictEqual(plain(back), plain(before));
        assert.deepStrictEqual(toLogBatch(back), toLogBatch(before));
      }),
      { numRuns: 400 },
    );
  });

  test("a batch bigger than its buffer grows out of it, intact", () => {
    const big = "😀 long text ".repeat(40_000);
    const b: RecordBatch = {
      requests: [],
      toolCalls: [{ ...fc.sample(toolCall, { numRuns: 1, seed: 1 })[0]!, result: big }],
      spend: [],
    };
    const back = decodeBatch(encodeBatch(b, new ArrayBuffer(1024)));
    assert.equal(back.toolCalls[0]!.result, big);
  });

  test("every field of every record type travels (a field added to a type must be written and read)", () => {
    const r: RequestRecord = {
      ...requestRecord({ sessionId: "s", userAgent: "ua", error: "e", ttfbMs: 2, meta: { a: "b" } }),
      team: "t",
      project: "p",
      fallbacks: ["f/m"],
      failedAttempts: [{ route: "r/m", provider: "r", model: "m", status: 502, error: "down", latencyMs: 3 }],
      inputEstimated: true,
      content: {
        surface: "openai",
        stream: true,
        truncated: false,
        request: Buffer.from("{}"),
        response: ["x"],
      },
    };
    const t: ToolCallRecord = {
      ...toolCallRecord({ team: "t", sessionId: "s", resultBytes: 3, error: "e", decidedBy: "policy" }),
      approval: {
        answer: "cancelled",
        decidedBy: "server-crashed",
        requestedAt: 1,
        decidedAt: 2,
        reason: "why",
        decisionReason: "it crashed",
      },
      approvalId: "ap",
      result: "{}",
    };
    const d: SpendDelta = { at: 1, scopes: ["key:k"], usd: 1, tokens: 2, requests: 3 };
    const back = decodeBatch(encodeBatch({ requests: [r], toolCalls: [t], spend: [d] }));
    const req = back.requests[0]!;
    const lists: Array<[string, readonly string[], object | undefined]> = [
      ["request", REQUEST_FIELDS, req],
      ["usage", USAGE_FIELDS, req.usage],
      ["attempt", ATTEMPT_FIELDS, req.failedAttempts?.[0]],
      ["content", CONTENT_FIELDS, req.content],
      ["tool call", TOOL_CALL_FIELDS, back.toolCalls[0]],
      ["approval", APPROVAL_FIELDS, back.toolCalls[0]?.approval],
      ["spend", SPEND_FIELDS, back.spend[0]],
    ];
    for (const [name, fields, got] of lists) {
      assert.ok(got, name);
      assert.deepEqual(Object.keys(got).sort(), [...fields].sort(), name);
      for (const [k, v] of Object.entries(got)) assert.notEqual(v, undefined, `${name}.${k}`);
    }
  });
});
